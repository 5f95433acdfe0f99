import fc from 'fast-check';
import { OAuthStateSigner, STATE_TTL_MS } from './oauth-state';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';

describe('OAuthStateSigner', () => {
  const signer = new OAuthStateSigner(SECRET);
  const now = Date.parse('2026-03-01T10:00:00Z');

  it('accepts its own state in the same session, before it expires, with the stored nonce', () => {
    const { state, nonce } = signer.issue('session-a', now);
    expect(signer.verify(state, 'session-a', nonce, now + 1_000)).toBe(true);
  });

  it('refuses another session, another nonce, an expired state or another APP_SECRET', () => {
    const { state, nonce } = signer.issue('session-a', now);
    expect(signer.verify(state, 'session-b', nonce, now)).toBe(false);
    expect(signer.verify(state, 'session-a', 'other-nonce', now)).toBe(false);
    expect(signer.verify(state, 'session-a', undefined, now)).toBe(false);
    expect(signer.verify(state, 'session-a', nonce, now + STATE_TTL_MS + 1)).toBe(false);
    expect(new OAuthStateSigner(`${SECRET}-other`).verify(state, 'session-a', nonce, now)).toBe(false);
  });

  it('refuses a state whose expiry was pushed forward', () => {
    const { state, nonce } = signer.issue('session-a', now);
    const [n, expires, sig] = state.split('.');
    expect(signer.verify(`${n}.${Number(expires) + STATE_TTL_MS}.${sig}`, 'session-a', nonce, now)).toBe(
      false,
    );
  });

  it('refuses anything else without throwing', () => {
    const { nonce } = signer.issue('session-a', now);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant(undefined), fc.integer()), (value) => {
        expect(signer.verify(value, 'session-a', nonce, now)).toBe(false);
      }),
    );
  });
});
