import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchBrowser, watchPage } from '../support/browser';

/** The app's policy, so a violation here is one the real pages would also trigger. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'";

const PAGES: Record<string, { status: number; type: string; body: string }> = {
  '/clean': { status: 200, type: 'text/html', body: '<!doctype html><title>ok</title><p>ok</p>' },
  '/inline-script': {
    status: 200,
    type: 'text/html',
    body: '<!doctype html><title>x</title><script>document.title = "ran"</script>',
  },
  '/missing-asset': {
    status: 200,
    type: 'text/html',
    body: '<!doctype html><title>x</title><link rel="stylesheet" href="/nope.css">',
  },
  '/throws': {
    status: 200,
    type: 'text/html',
    body: '<!doctype html><title>x</title><script src="/throw.js"></script>',
  },
  '/throw.js': { status: 200, type: 'text/javascript', body: 'throw new Error("boom")' },
  '/refused-form': { status: 422, type: 'text/html', body: '<!doctype html><title>x</title><p>corrija</p>' },
  '/broken': { status: 500, type: 'text/html', body: '<!doctype html><title>x</title><p>erro</p>' },
};

/** The browser tier's own safety net: watchPage() must see what it is meant to catch, or "no problems" proves nothing. */
describeBrowser('page watcher (test/support/browser.ts)', () => {
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = createServer((req, res) => {
      const page = PAGES[req.url ?? ''] ?? { status: 404, type: 'text/plain', body: 'not found' };
      res.writeHead(page.status, { 'Content-Type': page.type, 'Content-Security-Policy': CSP });
      res.end(page.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function problemsOn(path: string): Promise<string[]> {
    const page = await browser.newPage();
    const problems = await watchPage(page);
    await page.goto(`${base}${path}`);
    await page.waitForLoadState('load');
    await page.waitForTimeout(100);
    await page.close();
    return problems.filter((p) => !p.includes('/favicon.ico'));
  }

  it('reports nothing on a clean page', async () => {
    expect(await problemsOn('/clean')).toEqual([]);
  });

  it('reports an inline script blocked by the CSP', async () => {
    const problems = await problemsOn('/inline-script');
    expect(problems.join('\n')).toMatch(/CSP violation: script-src/);
  });

  it('reports a missing stylesheet', async () => {
    expect((await problemsOn('/missing-asset')).join('\n')).toContain('/nope.css');
  });

  it('reports an uncaught exception', async () => {
    expect((await problemsOn('/throws')).join('\n')).toContain('page error: boom');
  });

  it('does not count a 4xx answer to the page itself (a refused form’s 422)', async () => {
    expect(await problemsOn('/refused-form')).toEqual([]);
  });

  it('counts a 5xx answer to the page itself', async () => {
    expect((await problemsOn('/broken')).join('\n')).toMatch(/status of 500/);
  });
});
