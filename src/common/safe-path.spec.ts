import fc from 'fast-check';
import { safeLocalPath } from './safe-path';

const FALLBACK = '/clients';

describe('safeLocalPath', () => {
  it.each([
    ['/clients', '/clients'],
    ['/clients/0b7c?status=all&page=2', '/clients/0b7c?status=all&page=2'],
    ['/clients/1/delete?step=code#totp', '/clients/1/delete?step=code#totp'],
    ['/account/security', '/account/security'],
  ])('keeps the same-site path %s', (input, expected) => {
    expect(safeLocalPath(input, FALLBACK)).toBe(expected);
  });

  it('re-encodes what a header cannot carry raw (spaces, accents, other scripts)', () => {
    expect(safeLocalPath('/clients?q=São Paulo', FALLBACK)).toBe('/clients?q=S%C3%A3o%20Paulo');
    expect(safeLocalPath('/clients/\u2028x', FALLBACK)).toBe('/clients/%E2%80%A8x');
  });

  it.each([
    ['CRLF (header splitting)', '/clients\r\nSet-Cookie: x=1'],
    ['a bare LF', '/clients\nx'],
    ['a tab (dropped by the URL parser: /\\t/evil.com is //evil.com)', '/\t/evil.com'],
    ['a NUL', '/clients\u0000'],
    ['an encoded CRLF', '/clients%0d%0aSet-Cookie:%20x=1'],
    ['an encoded tab', '/%09/evil.com'],
    ['a protocol-relative URL', '//evil.com'],
    ['a backslash host', '/\\evil.com'],
    ['a backslash anywhere', '/clients\\..\\evil'],
    ['dot segments that end as //', '/.//evil.com'],
    ['an absolute URL', 'https://evil.com/clients'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'clients'],
    ['an empty string', ''],
    ['a very long path', `/${'a'.repeat(2000)}`],
    ['not a string', ['/clients']],
    ['undefined', undefined],
  ])('answers the fallback for %s', (_what, input) => {
    expect(safeLocalPath(input, FALLBACK)).toBe(FALLBACK);
  });

  it('never returns anything but the fallback or a path on this site in plain, encoded ASCII', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary' }).map((s) => `/${s}`),
          fc.string({ unit: 'binary' }).map((s) => `//${s}`),
          fc.webUrl(),
          fc.webPath(),
        ),
        (input) => {
          const out = safeLocalPath(input, FALLBACK);
          if (out === FALLBACK) return;
          expect(out).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
          expect(new URL(out, 'https://app.example').origin).toBe('https://app.example');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
