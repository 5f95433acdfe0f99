import type { ProviderKind } from './telephony-settings.entity';

/** Why a provider could not place a call; each has a pt-BR/en message (`calls.error.<code>`). */
export type TelephonyErrorCode =
  | 'connection' // TCP/HTTP connection refused, reset or closed early
  | 'timeout' // no answer within the configured time
  | 'auth' // the PBX refused the login
  | 'rejected' // the PBX answered but refused the call (AMI `Response: Error`)
  | 'http' // the HTTP dialer answered non-2xx
  | 'protocol' // the other side does not speak the expected protocol
  | 'config' // settings incomplete or a value that cannot be sent (e.g. a line break)
  | 'no_extension'; // the operator has no (valid) extension

export interface OriginateRequest {
  /** The operator's extension (ramal): the phone that rings first. */
  extension: string;
  /** The number in the configured dial format (what the PBX dials). */
  number: string;
  /** The same number in E.164, for templates that want it whatever the dial format. */
  e164: string;
  /** Shown on the operator's phone when a caller-id template asks for it. */
  contactName: string;
}

export type OriginateResult =
  | { ok: true; callId: string | null; telHref?: string }
  | { ok: false; code: TelephonyErrorCode; error: string };

export type TestResult =
  { ok: true; detail: string } | { ok: false; code: TelephonyErrorCode; error: string };

/**
 * A way to place a call between an operator's extension and a contact. Implementations get
 * their transport address from the settings, so tests point them at local fake servers.
 */
export interface TelephonyProvider {
  readonly kind: ProviderKind;
  originate(request: OriginateRequest): Promise<OriginateResult>;
  /** Checks the connection and credentials (the "Testar" button) without placing a call. */
  test(): Promise<TestResult>;
}

/** Values interpolated into AMI lines or HTTP headers must not carry line breaks (header injection). */
export const hasLineBreak = (value: string): boolean => /[\r\n\0]/.test(value);

/** `{name}` placeholders filled through `encode`; unknown placeholders stay as written. */
export function fillTemplate(
  template: string,
  vars: Record<string, string>,
  encode: (value: string) => string = (v) => v,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? encode(vars[name]) : whole,
  );
}

/** A short, single-line excerpt of a response body for logs and messages. */
export function excerpt(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
