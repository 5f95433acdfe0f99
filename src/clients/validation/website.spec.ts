import fc from 'fast-check';
import { isValidWebsite } from './website';

describe('isValidWebsite', () => {
  it.each([
    'https://example.com.br',
    'http://example.com',
    'HTTPS://EXAMPLE.COM/',
    'https://www.empresa.com.br/contato?x=1#topo',
    'https://intranet:8443/portal',
    'https://xn--aa-ola.com.br',
    'https://açaí.com.br',
  ])('accepts %s', (url) => {
    expect(isValidWebsite(url)).toBe(true);
  });

  it.each([
    ['no scheme', 'www.example.com'],
    ['a scheme-relative URL', '//example.com'],
    ['ftp', 'ftp://example.com'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['no host', 'https://'],
    ['a scheme without slashes', 'http:example.com'],
    ['credentials', 'https://banco.com.br@evil.example'],
    ['whitespace inside', 'https://exa mple.com'],
    ['a newline the URL parser would drop', 'https://exa\nmple.com'],
    ['a leading space', ' https://example.com'],
    ['more than 255 characters', `https://example.com/${'a'.repeat(236)}`],
    ['an empty value', ''],
  ])('refuses %s', (_why, url) => {
    expect(isValidWebsite(url)).toBe(false);
  });

  it('accepts exactly 255 characters', () => {
    const url = `https://example.com/${'a'.repeat(235)}`;
    expect(url).toHaveLength(255);
    expect(isValidWebsite(url)).toBe(true);
  });

  it('accepts generated http(s) URLs and never throws on random strings', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }),
        (url) => expect(isValidWebsite(url)).toBe(url.length <= 255),
      ),
    );
    fc.assert(fc.property(fc.string(), (value) => expect(typeof isValidWebsite(value)).toBe('boolean')));
  });
});
