import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsString, Length } from 'class-validator';
import fc from 'fast-check';
import { cleanBody, parseForm } from './forms';

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
const DROPPED = new Set(['__proto__', 'constructor', 'prototype']);

/** Form-like keys: ordinary names, and the ones that attack prototypes. */
const keyArb = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 }));
/** What urlencoded/JSON parsing can hand over: strings (often padded or blank), arrays, odd scalars, nested objects. */
const stringArb = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', '\t\n', '  valor  '),
  fc.string().map((s) => ` ${s} `),
);
const valueArb = fc.oneof(
  stringArb,
  fc.array(fc.oneof(stringArb, fc.integer())),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.dictionary(keyArb, fc.string()),
);
const bodyArb = fc.dictionary(keyArb, valueArb);

function expectPrototypeIntact(): void {
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'isAdmin', 'role', 'x']) expect(probe[key]).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

describe('cleanBody', () => {
  it('trims strings and drops blank ones', () => {
    expect(cleanBody({ name: '  Ana  ', email: '   ', note: '' })).toEqual({ name: 'Ana' });
  });

  it('keeps the non-blank items of arrays, trimmed', () => {
    expect(cleanBody({ ids: [' a ', '', '  ', 'b'] })).toEqual({ ids: ['a', 'b'] });
  });

  it('drops null, undefined and nested objects, keeps other scalars', () => {
    expect(cleanBody({ a: null, b: undefined, c: true, d: 0, e: { x: '1' }, f: ['x', { y: 1 }] })).toEqual({
      c: true,
      d: 0,
      f: ['x'],
    });
  });

  it.each([undefined, null, 'text', 42, ['a', 'b']])('returns an empty object for the body %p', (body) => {
    expect(cleanBody(body)).toEqual({});
  });

  it('drops a JSON `__proto__` key without touching any prototype', () => {
    const body = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "name": "Ana"}',
    );
    const clean = cleanBody(body);
    expect(Object.keys(clean)).toEqual(['name']);
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
    expectPrototypeIntact();
  });

  it('for any body: a plain object, no prototype keys, strings trimmed and non-blank, arrays filtered', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        const clean = cleanBody(body);
        expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
        expect(clean.constructor).toBe(Object);
        for (const key of DROPPED) expect(Object.prototype.hasOwnProperty.call(clean, key)).toBe(false);
        for (const [key, raw] of Object.entries(body)) {
          const has = Object.prototype.hasOwnProperty.call(clean, key);
          if (DROPPED.has(key) || raw === null || raw === undefined) {
            expect(has).toBe(false);
          } else if (typeof raw === 'string') {
            if (raw.trim() === '') expect(has).toBe(false);
            else expect(clean[key]).toBe(raw.trim());
          } else if (Array.isArray(raw)) {
            const expected = raw.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
            expect(clean[key]).toEqual(expected);
          } else if (typeof raw === 'object') {
            expect(has).toBe(false); // nested objects are never form values
          } else {
            expect(clean[key]).toBe(raw);
          }
        }
        for (const key of Object.keys(clean))
          expect(Object.prototype.hasOwnProperty.call(body, key)).toBe(true);
        expectPrototypeIntact();
      }),
      { numRuns: 500 },
    );
  });
});

class NameDto {
  @IsString({ message: 'validation.required' })
  @Length(2, 20, { message: 'validation.length|$constraint1|$constraint2' })
  name: string;
  @IsOptional() @IsString() nickname?: string;
}

describe('parseForm', () => {
  it('returns the trimmed, validated DTO', async () => {
    const result = await parseForm(NameDto, { name: '  Ana  ', nickname: '' }, 'pt-BR');
    expect(result.ok).toBe(true);
    expect(result.ok && result.value).toBeInstanceOf(NameDto);
    expect(result.ok && result.value).toEqual({ name: 'Ana' });
  });

  it('reports a blank required field as required, not with its length rule', async () => {
    const result = await parseForm(NameDto, { name: '   ' }, 'pt-BR');
    expect(result).toEqual({ ok: false, errors: { name: 'Campo obrigatório.' }, values: {} });
  });

  it('treats a nested object (only a crafted JSON body sends one) as a missing value, never a crash', async () => {
    const result = await parseForm(NameDto, { name: { constructor: ' ' } }, 'pt-BR');
    expect(result).toEqual({ ok: false, errors: { name: 'Campo obrigatório.' }, values: {} });
  });

  it('translates messages with their arguments, in the operator’s language', async () => {
    const result = await parseForm(NameDto, { name: 'A' }, 'en');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.name).toMatch(/2.*20/);
    expect(!result.ok && result.values).toEqual({ name: 'A' });
  });

  it('throws 400 naming every field the DTO does not declare', async () => {
    await expect(parseForm(NameDto, { name: 'Ana', role: 'admin', id: '1' }, 'pt-BR')).rejects.toThrow(
      BadRequestException,
    );
    await expect(parseForm(NameDto, { name: 'Ana', role: 'admin', id: '1' }, 'pt-BR')).rejects.toThrow(
      /^Campos desconhecidos: (role, id|id, role)$/,
    );
    await expect(parseForm(NameDto, { name: 'Ana', role: 'admin' }, 'en')).rejects.toThrow(
      /^Unknown fields: role$/,
    );
  });

  it('for any body of declared fields: never throws, and errors name only declared fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ name: valueArb, nickname: valueArb }, { requiredKeys: [] }),
        async (body) => {
          const result = await parseForm(NameDto, body, 'pt-BR');
          if (!result.ok)
            for (const key of Object.keys(result.errors)) expect(['name', 'nickname']).toContain(key);
          expectPrototypeIntact();
        },
      ),
      { numRuns: 200 },
    );
  });
});
