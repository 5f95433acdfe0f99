import { BadRequestException } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { translate } from './i18n/translate';

export type FieldErrors = Record<string, string>;
export type FormResult<T> =
  | { ok: true; value: T; values: Record<string, unknown> }
  | { ok: false; errors: FieldErrors; values: Record<string, unknown> };

/**
 * Turns a submitted form into a validated DTO. Strings are trimmed and blank ones dropped (so optional
 * fields stay optional); a field the DTO does not declare is a 400 (no mass assignment of `id`, `status`…); invalid values
 * come back as one translated message per field, with the submitted values, for a 422 re-render.
 *
 * Validation messages are i18n keys with positional arguments: `'validation.length|$constraint1|$constraint2'`.
 */
export async function parseForm<T extends object>(
  dto: ClassConstructor<T>,
  body: unknown,
  locale: string | undefined,
): Promise<FormResult<T>> {
  const values = cleanBody(body);
  const instance = plainToInstance(dto, values);
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  const unknown = errors.filter((e) => e.constraints?.whitelistValidation);
  if (unknown.length) {
    const fields = unknown.map((e) => e.property).join(', ');
    throw new BadRequestException(translate(locale, 'validation.unknownFields', { fields }));
  }
  if (errors.length) return { ok: false, errors: toFieldErrors(errors, locale), values };
  return { ok: true, value: instance, values };
}

export function toFieldErrors(errors: ValidationError[], locale: string | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const error of errors) {
    // A blank field (dropped by cleanBody) only fails when it is required: say so, not "at most 254
    // characters" (class-validator lists constraints in no meaningful order).
    const first =
      error.value === undefined ? 'validation.required' : Object.values(error.constraints ?? {})[0];
    if (first) out[error.property] = translateMessage(locale, first);
  }
  return out;
}

/**
 * Adds the messages of a check done outside the DTO (a domain parser, fields required by another field's
 * value) to `into`, translated; a field that already has an error keeps it.
 */
export function addFieldErrors(
  locale: string | undefined,
  keys: Readonly<Record<string, string | undefined>>,
  into: FieldErrors = {},
): FieldErrors {
  for (const [field, key] of Object.entries(keys)) if (key) into[field] ??= translateMessage(locale, key);
  return into;
}

/**
 * parseForm, then a cross-field check on the valid DTO (`{ field: i18n key }`, empty when fine), so one
 * 422 re-render shows both kinds of error.
 */
export async function parseFormChecked<T extends object>(
  dto: ClassConstructor<T>,
  body: unknown,
  locale: string | undefined,
  check: (value: T) => Readonly<Record<string, string | undefined>>,
): Promise<FormResult<T>> {
  const parsed = await parseForm(dto, body, locale);
  if (!parsed.ok) return parsed;
  const errors = addFieldErrors(locale, check(parsed.value));
  return Object.keys(errors).length ? { ok: false, errors, values: parsed.values } : parsed;
}

/** A domain refusal tied to one form field (a duplicate name, a foreign contract), as the form's field error. */
export function fieldErrorOf(
  error: { field: string; messageKey: string; vars?: Record<string, string | number> },
  locale: string | undefined,
): FieldErrors {
  return { [error.field]: translate(locale, error.messageKey, error.vars) };
}

export function translateMessage(locale: string | undefined, message: string): string {
  const [key, ...args] = message.split('|');
  return translate(locale, key, Object.fromEntries(args.map((a, i) => [String(i), a])));
}

/**
 * Trims every string, drops blanks; arrays keep their non-blank strings. `__proto__` never survives.
 * A form field is a string (or a list of them; JSON may add numbers and booleans): nested objects, which
 * only a crafted JSON body can send, are dropped — class-transformer crashes on e.g. `{"constructor": 1}`.
 */
export function cleanBody(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ...out };
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (typeof raw === 'string') {
      const value = raw.trim();
      if (value !== '') out[key] = value;
    } else if (Array.isArray(raw)) {
      out[key] = raw
        .map((v) => (typeof v === 'string' ? v.trim() : v))
        .filter((v) => v !== '' && isScalar(v));
    } else if (isScalar(raw)) {
      out[key] = raw;
    }
  }
  return { ...out };
}

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Whether a checkbox was ticked: browsers send `on` (scripts `true` or `1`); an unticked box sends nothing. */
export const isTicked = (value: unknown): boolean =>
  value === 'true' || value === 'on' || value === '1' || value === true;

/** A DTO boolean from a checkbox: `@IsOptional() @Transform(checkbox) @IsBoolean()`. */
export const checkbox = ({ value }: { value: unknown }): boolean => isTicked(value);

/** The values of a repeated field (several checkboxes of one name) as submitted: absent, one, or several. */
export const tickedValues = (value: unknown): string[] =>
  value === undefined ? [] : ([] as unknown[]).concat(value).map(String);
