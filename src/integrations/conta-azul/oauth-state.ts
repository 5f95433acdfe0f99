import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long an administrator has to log in at Conta Azul and come back. */
export const STATE_TTL_MS = 10 * 60_000;

/**
 * The OAuth `state`: `<nonce>.<expiry>.<hmac>`, the HMAC (key derived from APP_SECRET) covering the
 * session id, nonce and expiry. A callback is accepted only in the session that started the flow, before
 * the expiry, with an untampered value, and once (the nonce is kept in the session and spent).
 */
export class OAuthStateSigner {
  private readonly key: Buffer;

  constructor(appSecret: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', appSecret, 'clientela/oauth-state/v1', 'clientela:conta-azul-state', 32),
    );
  }

  issue(sessionId: string, now = Date.now()): { state: string; nonce: string } {
    const nonce = randomBytes(18).toString('base64url');
    const expires = String(now + STATE_TTL_MS);
    return { state: `${nonce}.${expires}.${this.sign(sessionId, nonce, expires)}`, nonce };
  }

  verify(state: unknown, sessionId: string, expectedNonce: string | undefined, now = Date.now()): boolean {
    if (typeof state !== 'string' || !expectedNonce) return false;
    const parts = state.split('.');
    if (parts.length !== 3) return false;
    const [nonce, expires, signature] = parts;
    if (!/^\d{13,}$/.test(expires) || Number(expires) < now) return false;
    const expected = Buffer.from(this.sign(sessionId, nonce, expires));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    const a = Buffer.from(nonce);
    const b = Buffer.from(expectedNonce);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sign(sessionId: string, nonce: string, expires: string): string {
    return createHmac('sha256', this.key).update(`${sessionId}\n${nonce}\n${expires}`).digest('base64url');
  }
}
