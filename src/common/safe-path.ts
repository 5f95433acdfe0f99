/** Any byte a header or a browser's URL parser treats specially: C0 controls (CR, LF, tab, NUL…) and DEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The same, percent-encoded (`%0d%0a`): harmless in a path, but nothing this app links to contains one. */
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;
const PARSE_BASE = 'http://clientela.invalid';
const MAX_LENGTH = 2000;

/**
 * The one gate for every destination a request can influence (`next`, `returnTo`, a stored return path)
 * and for every redirect the app answers with (303 `Location`, htmx `HX-Redirect`): `value` as a path
 * on this site, re-encoded, or `fallback`.
 *
 * Accepted: a string rooted at `/`, without `//` or `/\` at the start (a browser reads those as another
 * host), without a backslash anywhere (browsers read it as `/`), without control characters raw or
 * percent-encoded (CR/LF would split a header; a tab is dropped by the URL parser, so `/\t/evil.com`
 * becomes `//evil.com`). It is then parsed as a URL against a dummy origin and rebuilt from path, query
 * and fragment, so whatever is sent is plain, encoded ASCII — and checked again, since dot segments can
 * turn `/.//evil.com` into `//evil.com`.
 */
export function safeLocalPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return fallback;
  if (!isRootedPath(value) || value.includes('\\')) return fallback;
  if (CONTROL.test(value) || ENCODED_CONTROL.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, PARSE_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== PARSE_BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return isRootedPath(path) ? path : fallback;
}

const isRootedPath = (path: string): boolean =>
  path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
