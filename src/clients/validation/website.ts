export const WEBSITE_MAX = 255;

const HTTP_SCHEME = /^https?:\/\//i;
// The URL parser silently drops tabs and newlines inside a URL and trims control characters, so
// `http://exa\nmple.com` would parse; what is stored must be what is linked, so they are refused.
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/**
 * An absolute `http:` or `https:` URL with a host, at most 255 characters. `javascript:`, `data:`,
 * `ftp:`, scheme-relative (`//host`) and bare (`www.host.com`) values are refused, since the value is
 * rendered as a link. So are URLs with credentials (`https://bank.com@evil.example`), a known way
 * to disguise where a link goes.
 */
export function isValidWebsite(value: string): boolean {
  if (typeof value !== 'string' || value.length > WEBSITE_MAX) return false;
  if (!HTTP_SCHEME.test(value) || WHITESPACE_OR_CONTROL.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === ''
  );
}
