import { sendsSecret, telephonyDestination } from './telephony-destination';

describe('telephonyDestination', () => {
  it('is host and port for the AMI (the default port when blank)', () => {
    expect(telephonyDestination({ provider: 'asterisk-ami', host: 'pbx.local', port: 5039 })).toBe(
      'ami://pbx.local:5039',
    );
    expect(telephonyDestination({ provider: 'asterisk-ami', host: 'pbx.local', port: null })).toBe(
      'ami://pbx.local:5038',
    );
  });

  it('is the origin of the URL template for an HTTP dialer: path and query do not change it', () => {
    const at = (urlTemplate: string) => telephonyDestination({ provider: 'http-template', urlTemplate });
    expect(at('https://pbx.example/dial?to={e164}&key={secret}')).toBe('https://pbx.example');
    expect(at('https://pbx.example/v2/call/{number}')).toBe('https://pbx.example');
    expect(at('http://pbx.example/dial')).not.toBe(at('https://pbx.example/dial'));
    expect(at('https://pbx.example:8443/dial')).not.toBe(at('https://pbx.example/dial'));
    expect(at('https://evil.example/dial?k={secret}')).not.toBe(at('https://pbx.example/dial'));
  });

  it('is null when nothing is sent anywhere (tel: links)', () => {
    expect(telephonyDestination({ provider: 'none' })).toBeNull();
  });
});

describe('sendsSecret', () => {
  it('is true for the AMI, and for an HTTP dialer only where a template says {secret}', () => {
    expect(sendsSecret({ provider: 'asterisk-ami' })).toBe(true);
    expect(sendsSecret({ provider: 'none' })).toBe(false);
    const http = { provider: 'http-template' as const, urlTemplate: 'https://pbx.example/dial?n={e164}' };
    expect(sendsSecret(http)).toBe(false);
    expect(sendsSecret({ ...http, urlTemplate: `${http.urlTemplate}&k={secret}` })).toBe(true);
    expect(sendsSecret({ ...http, headersTemplate: 'Authorization: Bearer {secret}' })).toBe(true);
    expect(sendsSecret({ ...http, bodyTemplate: '{"key":"{secret}"}' })).toBe(true);
  });
});
