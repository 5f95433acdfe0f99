import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = 'clientela/secret-box/v1';

/** A sealed value that cannot be opened: wrong key, wrong associated data, or tampered with. */
export class SecretBoxError extends Error {
  constructor(message = 'sealed value cannot be opened') {
    super(message);
  }
}

/**
 * Secrets at rest (TOTP seeds, integration API keys, OAuth tokens): AES-256-GCM under a key derived from
 * APP_SECRET with HKDF-SHA256 and a purpose label, so each use has its own key and the database alone
 * never suffices to read them. Every value is sealed with associated data
 * naming what it belongs to (e.g. the operator id), so a ciphertext copied into another row fails to open.
 *
 * Format: `v1.<iv>.<ciphertext>.<tag>` (base64url), a random 96-bit IV per value.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterSecret: string, purpose: string) {
    if (typeof masterSecret !== 'string' || masterSecret.length < 32) {
      throw new Error('SecretBox needs a master secret of at least 32 characters (APP_SECRET)');
    }
    if (!purpose) throw new Error('SecretBox needs a purpose label');
    this.key = Buffer.from(hkdfSync('sha256', masterSecret, HKDF_SALT, `clientela:${purpose}`, 32));
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, ciphertext, tag]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plaintext, or a SecretBoxError (never a partial or unauthenticated value). */
  open(sealed: string, associatedData: string): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed value');
    const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('not a sealed value');
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError();
    }
  }
}
