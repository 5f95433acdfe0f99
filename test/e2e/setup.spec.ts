import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { openDatabase, type OpenDatabase } from '../../src/database/open-database';
import { describeBrowser, launchBrowser, watchPage } from '../support/browser';

const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/shots';

/**
 * A brand-new install exactly as `npm start` makes it: no DATABASE_URL, so the embedded PostgreSQL
 * under DATA_DIR/pglite, migrations on boot, and the first-run page.
 */
describeBrowser('first run in a browser (embedded database)', () => {
  let dataDir: string;
  let database: OpenDatabase;
  let app: NestExpressApplication;
  let browser: Browser;
  let base: string;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    browser = await launchBrowser(); // first: a missing browser fails fast (REQUIRE_BROWSER=1)
    dataDir = mkdtempSync(join(tmpdir(), 'clientela-e2e-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      APP_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    database = await openDatabase(config);
    expect(database.embedded).toBe(true);
    app = await createApp(config, database.url);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    page = await browser.newPage({ locale: 'pt-BR' });
    problems = await watchPage(page);
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the first visitor from / to the set-up page', async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/setup');
    await expect(page.locator('h1').textContent()).resolves.toBe('Configuração inicial');
    expect(await page.locator('html').getAttribute('lang')).toBe('pt-BR');
    await page.screenshot({ path: join(SHOTS, 'setup.png'), fullPage: true });
  });

  it('creates the first admin and shows the login page with the success message', async () => {
    await page.getByLabel('Nome').fill('Ana Administradora');
    await page.getByLabel('E-mail').fill('ana@example.com.br');
    await page.getByLabel('Senha', { exact: true }).fill('uma-senha-bem-longa');
    await page.getByRole('button', { name: 'Criar administrador' }).click();
    await page.waitForURL(`${base}/login`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Administrador criado.');
    await page.screenshot({ path: join(SHOTS, 'login.png'), fullPage: true });
  });

  it('signs in and lands on /clients with the operator’s name in the navigation', async () => {
    await page.getByLabel('E-mail').fill('ana@example.com.br');
    await page.getByLabel('Senha').fill('uma-senha-bem-longa');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL(`${base}/clients`);
    const nav = page.getByRole('navigation', { name: 'Navegação principal' });
    await expect(nav.locator('summary', { hasText: 'Ana Administradora' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, 'clients.png'), fullPage: true });
  });

  it('opens the account menu with the account, security and sign-out entries', async () => {
    const nav = page.getByRole('navigation', { name: 'Navegação principal' });
    const accountLink = nav.getByRole('link', { name: 'Minha conta' });
    await expect(accountLink.isVisible()).resolves.toBe(false);
    await nav.locator('summary', { hasText: 'Ana Administradora' }).click();
    await expect(accountLink.isVisible()).resolves.toBe(true);
    await expect(nav.getByRole('link', { name: 'Segurança' }).isVisible()).resolves.toBe(true);
    await expect(nav.getByRole('button', { name: 'Sair' }).isVisible()).resolves.toBe(true);
    await page.waitForTimeout(300); // Pico fades the menu in; let the screenshot show it settled
    await page.screenshot({ path: join(SHOTS, 'account-menu.png') });
    await accountLink.click();
    await page.waitForURL(`${base}/account`);
    await expect(page.getByLabel('Nome').inputValue()).resolves.toBe('Ana Administradora');
  });

  it('signs out through the menu and is back on the login page', async () => {
    const nav = page.getByRole('navigation', { name: 'Navegação principal' });
    await nav.locator('summary', { hasText: 'Ana Administradora' }).click();
    await nav.getByRole('button', { name: 'Sair' }).click();
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('had no console errors, uncaught exceptions or CSP violations on any of these pages', () => {
    expect(problems).toEqual([]);
  });
});
