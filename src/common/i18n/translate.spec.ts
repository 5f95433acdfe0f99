import fc from 'fast-check';
import { en } from './en';
import { ptBR } from './pt-BR';
import { catalogKeys, translate } from './translate';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('translate', () => {
  it('has every pt-BR key in English', () => {
    const missing = catalogKeys('pt-BR').filter((key) => !(key in en));
    expect(missing).toEqual([]);
  });

  it('has no English key that pt-BR lacks', () => {
    const extra = catalogKeys('en').filter((key) => !(key in ptBR));
    expect(extra).toEqual([]);
  });

  it('has no empty text in either language', () => {
    for (const catalog of [ptBR, en]) {
      for (const [key, text] of Object.entries(catalog))
        expect([key, text.trim().length > 0]).toEqual([key, true]);
    }
  });

  it('uses the same placeholders in both languages', () => {
    const mismatched = catalogKeys('pt-BR').filter(
      (key) => key in en && placeholders(ptBR[key]).join() !== placeholders(en[key]).join(),
    );
    expect(mismatched).toEqual([]);
  });

  it('translates into the operator’s language, pt-BR by default', () => {
    expect(translate('pt-BR', 'nav.clients')).toBe('Clientes');
    expect(translate('en', 'nav.clients')).toBe('Clients');
    expect(translate(undefined, 'nav.clients')).toBe('Clientes');
  });

  it('falls back to pt-BR for an unknown language', () => {
    expect(translate('fr', 'nav.clients')).toBe('Clientes');
  });

  it('fills placeholders', () => {
    expect(translate('pt-BR', 'login.rateLimited', { minutes: 5 })).toBe(
      'Muitas tentativas de login. Tente novamente em 5 minuto(s).',
    );
    expect(translate('pt-BR', 'validation.length', { 0: 2, 1: 120 })).toBe(
      'Deve ter entre 2 e 120 caracteres.',
    );
  });

  it('leaves a placeholder without a value as it is', () => {
    expect(translate('pt-BR', 'validation.length', { 0: 2 })).toBe('Deve ter entre 2 e {1} caracteres.');
  });

  it('does not re-expand placeholders that come from the values', () => {
    expect(translate('pt-BR', 'validation.maxLength', { 0: '{0}' })).toBe(
      'Deve ter no máximo {0} caracteres.',
    );
  });

  it('returns an unknown key unchanged, so plain messages pass through', () => {
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
    expect(translate('pt-BR', 'Campos desconhecidos: role')).toBe('Campos desconhecidos: role');
  });

  it('returns a string for any key and language, even prototype names', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty')),
        fc.oneof(
          fc.constantFrom('pt-BR', 'en', undefined, 'constructor', '__proto__', 'toString'),
          fc.string(),
        ),
        (key, locale) => {
          expect(typeof translate(locale, key)).toBe('string');
        },
      ),
    );
  });

  it('does not read placeholder values from the prototype', () => {
    expect(translate('pt-BR', 'login.rateLimited')).toContain('{minutes}');
    expect(translate('pt-BR', 'Olá {constructor}')).toBe('Olá {constructor}');
  });
});
