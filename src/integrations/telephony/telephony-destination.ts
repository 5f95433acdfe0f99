import { fillTemplate } from './telephony-provider';
import type { ProviderKind } from './telephony-settings.entity';

/** Asterisk's default AMI port, when the settings leave it blank. */
export const DEFAULT_AMI_PORT = 5038;

/** The fields that say where the provider connects (and so where the secret goes). */
export interface TelephonyEndpoint {
  provider: ProviderKind;
  host?: string | null;
  port?: number | null;
  urlTemplate?: string | null;
  headersTemplate?: string | null;
  bodyTemplate?: string | null;
}

/** Placeholder values for reading a URL template's origin (the same kind of values a call fills in). */
const SAMPLE = {
  extension: '1000',
  number: '11999999999',
  e164: '+5511999999999',
  contact: 'x',
  username: 'x',
  secret: 'x',
};

/**
 * Where the stored secret is sent: `ami://host:port` for the AMI, the origin (scheme, host, port) of the
 * URL template for an HTTP dialer, null when nothing is sent anywhere (tel: links). The secret is saved
 * for one destination; a form that points elsewhere must carry the secret again.
 */
export function telephonyDestination(endpoint: TelephonyEndpoint): string | null {
  switch (endpoint.provider) {
    case 'asterisk-ami':
      return `ami://${endpoint.host ?? ''}:${endpoint.port ?? DEFAULT_AMI_PORT}`;
    case 'http-template':
      try {
        return new URL(fillTemplate(endpoint.urlTemplate ?? '', SAMPLE, encodeURIComponent)).origin;
      } catch {
        return `invalid:${endpoint.urlTemplate ?? ''}`;
      }
    default:
      return null;
  }
}

/** Whether these settings send the secret at all: the AMI always logs in with it; an HTTP dialer only
 * where a template says `{secret}`. */
export function sendsSecret(endpoint: TelephonyEndpoint): boolean {
  if (endpoint.provider === 'asterisk-ami') return true;
  if (endpoint.provider !== 'http-template') return false;
  return [endpoint.urlTemplate, endpoint.headersTemplate, endpoint.bodyTemplate].some((template) =>
    template?.includes('{secret}'),
  );
}
