import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Unicode's explicit direction controls: embeddings and overrides (U+202A–U+202E) and isolates
 * (U+2066–U+2069). Invisible, they make a name display differently from what it is (U+202E then
 * "lanigiro" shows "original"): a client's name could pass for another's in a list, a history line or an
 * e-mail.
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/** A name (client, contact, operator, team, desk) must not carry direction controls (422 with a message). */
export function NoBidiControls(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noBidiControls',
      validator: { validate: (value: unknown) => typeof value !== 'string' || !BIDI_CONTROLS.test(value) },
    },
    { message: 'validation.bidiControls', ...options },
  );
}
