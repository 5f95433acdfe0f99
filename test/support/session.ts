import { createHmac } from 'node:crypto';
import type request from 'supertest';

type Agent = ReturnType<typeof request.agent>;

/** The CSRF token a page embeds (hidden `_csrf` field). */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in page');
  return match[1];
}

/** Loads a page with a form and returns its token, so the agent (cookie jar) can post it. */
export async function csrfFor(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

/** Signs the agent in through the real login form. */
export async function login(agent: Agent, email: string, password: string): Promise<request.Response> {
  const token = await csrfFor(agent, '/login');
  return agent.post('/login').type('form').send({ _csrf: token, email, password });
}

/** Posts a form with a fresh token taken from `formPath` (defaults to the target). */
export async function postForm(
  agent: Agent,
  path: string,
  fields: Record<string, string | string[]>,
  formPath = path,
) {
  const token = await csrfFor(agent, formPath);
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: token, ...fields });
}

/** Every `Set-Cookie` line of a response. */
export function setCookies(res: request.Response): string[] {
  const header = res.headers['set-cookie'] as string | string[] | undefined;
  return Array.isArray(header) ? header : header ? [header] : [];
}

/** The `Set-Cookie` line of the named cookie, if the response sets it. */
export function setCookie(res: request.Response, name: string): string | undefined {
  return setCookies(res).find((line) => line.startsWith(`${name}=`));
}

/** `name=value` of a `Set-Cookie` line, ready for a `Cookie` request header. */
export const cookiePair = (line: string): string => line.split(';')[0];

/**
 * The cookie value express-session would send for session id `sid` (`s:<sid>.<HMAC-SHA256>`, URL-encoded):
 * lets a test present a session id it chose, as an attacker planting one would.
 */
export function sessionCookieValue(sid: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${sid}.${signature}`);
}
