import fc from 'fast-check';
import { SecretBox, SecretBoxError } from './secret-box';

const MASTER = 'a-master-secret-of-at-least-32-characters!';
const box = new SecretBox(MASTER, 'totp-seed');

/** Flips one bit of the base64url part `index` (1 = IV, 2 = ciphertext, 3 = tag). */
function flipBit(sealed: string, index: number, bit = 0): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 1 << bit;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox', () => {
  it('opens what it sealed, with the same associated data', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'operator-1');
    expect(box.open(sealed, 'operator-1')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  });

  it('round-trips any text, including empty and non-ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (plaintext, aad) => {
        expect(box.open(box.seal(plaintext, aad), aad)).toBe(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it('never stores the plaintext and uses a fresh IV each time', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP', 'op');
    const b = box.seal('JBSWY3DPEHPK3PXP', 'op');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('refuses a value sealed for another row (wrong associated data)', () => {
    const sealed = box.seal('secret', 'operator-1');
    expect(() => box.open(sealed, 'operator-2')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, '')).toThrow(SecretBoxError);
  });

  it.each([
    ['IV', 1],
    ['ciphertext', 2],
    ['authentication tag', 3],
  ])('refuses a value whose %s was tampered with', (_, index) => {
    const sealed = box.seal('some secret value', 'op');
    for (let bit = 0; bit < 8; bit++)
      expect(() => box.open(flipBit(sealed, index, bit), 'op')).toThrow(SecretBoxError);
  });

  it('refuses truncated, reordered or malformed values', () => {
    const sealed = box.seal('some secret value', 'op');
    const [v, iv, ct, tag] = sealed.split('.');
    for (const bad of [
      '',
      'v1',
      `${v}.${iv}.${ct}`,
      `${v}.${iv}.${tag}.${ct}`,
      `v2.${iv}.${ct}.${tag}`,
      `${v}.${iv}.${ct.slice(0, -2)}.${tag}`,
      `${v}.${iv}.${ct}.${tag.slice(0, 10)}`,
      'JBSWY3DPEHPK3PXP',
    ]) {
      expect(() => box.open(bad, 'op')).toThrow(SecretBoxError);
    }
  });

  it('derives a different key per purpose and per master secret', () => {
    const sealed = box.seal('secret', 'op');
    expect(() => new SecretBox(MASTER, 'integration-api-key').open(sealed, 'op')).toThrow(SecretBoxError);
    expect(() => new SecretBox(`${MASTER}-rotated`, 'totp-seed').open(sealed, 'op')).toThrow(SecretBoxError);
    expect(new SecretBox(MASTER, 'totp-seed').open(sealed, 'op')).toBe('secret');
  });

  it('needs a master secret of at least 32 characters and a purpose', () => {
    expect(() => new SecretBox('short', 'x')).toThrow(/32 characters/);
    expect(() => new SecretBox(MASTER, '')).toThrow(/purpose/);
  });
});
