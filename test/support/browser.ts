import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's `chromium` package by default; any Chromium build via CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const browserAvailable = existsSync(CHROMIUM_PATH);
const browserRequired = process.env.REQUIRE_BROWSER === '1';

/**
 * `describe` for browser suites: skipped when Chromium is missing, unless REQUIRE_BROWSER=1 (CI), where
 * the suite runs and fails in launchBrowser() with a message saying what is missing.
 */
export const describeBrowser: jest.Describe = browserAvailable || browserRequired ? describe : describe.skip;

if (!browserAvailable && !browserRequired) {
  console.warn(
    `Browser tests skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH; REQUIRE_BROWSER=1 makes this an error).`,
  );
}

/** Headless Chromium with a fresh profile (playwright-core launches each browser in a new temporary user-data-dir). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install chromium) or point CHROMIUM_PATH at one.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/** Signs in through the login form, as an operator does, and waits for the client list it lands on. */
export async function signIn(
  page: Page,
  baseUrl: string,
  operator: { email: string; password: string },
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('E-mail').fill(operator.email);
  await page.getByLabel('Senha').fill(operator.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.waitForURL(`${baseUrl}/clients`);
}

/**
 * Collects what must never happen on a page: console errors (Chromium reports CSP violations and failed
 * loads there), uncaught exceptions, failed requests and CSP violation events. Call before the first
 * navigation; assert `expect(problems).toEqual([])`.
 *
 * A 4xx answer to a page or an htmx request (the 422 of a refused form, a 404 page) is part of the HTTP
 * contract the test asserts itself, so Chromium's "Failed to load resource … 4xx" line for it is not
 * counted; a 4xx for an asset (stylesheet, script, image) and any 5xx are.
 */
export async function watchPage(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const answered4xx = new Set<string>();
  const consoleLine = (text: string, url: string) => `console error: ${text} (${url})`;
  const isLoad4xx = (text: string) =>
    /^Failed to load resource: the server responded with a status of 4\d\d/.test(text);

  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (response.status() < 400 || response.status() >= 500 || !['document', 'fetch', 'xhr'].includes(type))
      return;
    answered4xx.add(response.url());
    // The console line may have come first: take it back.
    for (let i = problems.length - 1; i >= 0; i--) {
      if (
        isLoad4xx(problems[i].replace('console error: ', '')) &&
        problems[i].endsWith(`(${response.url()})`)
      ) {
        problems.splice(i, 1);
      }
    }
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url || page.url();
    if (isLoad4xx(message.text()) && answered4xx.has(url)) return;
    problems.push(consoleLine(message.text(), url));
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'unknown';
    // Leaving a page cancels its unfinished loads (e.g. the favicon): not a fault of the page.
    if (reason === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()} (${reason})`);
  });
  // Injected by the DevTools protocol, so the page's own CSP does not block it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  return problems;
}
