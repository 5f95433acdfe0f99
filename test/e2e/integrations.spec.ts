import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { makeClient, nextCnpj } from '../factories/client.factory';
import { closeApp, configureAsaas, FAST_RETRY } from '../factories/integrations.factory';
import { makeOperator, type TestOperator } from '../factories/operator.factory';
import { AsaasService } from '../../src/integrations/asaas/asaas.service';
import { describeBrowser, launchBrowser, signIn, watchPage } from '../support/browser';
import { startFakeAsaas, type FakeAsaas } from '../support/fake-asaas';
import { startTestApp, type TestApp } from '../support/test-app';

const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/shots';

/**
 * Billing integrations in a real browser: the Asaas settings page (the key never comes back, "Testar
 * conexão" answers in place), "Sincronizar" on a client page whose status block refreshes itself until
 * the customer is synced, and the bulk sync progress page polling itself until the run ends — all under
 * the strict CSP, with no console errors.
 */
describeBrowser('billing integrations in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let fake: FakeAsaas;
  let admin: TestOperator;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp({ listen: true });
    fake = await startFakeAsaas();
    mkdirSync(SHOTS, { recursive: true });
    admin = await makeOperator(t, 'admin', { name: 'Ana Admin' });
    context = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    problems = await watchPage(page);
    await signIn(page, t.baseUrl, admin);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await fake?.close();
    if (t) await closeApp(t);
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it('saves the Asaas settings without ever showing the key, and tests the connection in place', async () => {
    await page.goto(`${t.baseUrl}/settings/integrations/asaas`);
    await page.getByRole('radio', { name: 'Personalizado', exact: true }).check();
    await page.getByLabel('URL da API (ambiente personalizado)').fill(fake.url);
    await page.getByLabel('Chave de API').fill(fake.apiKey);
    await page.getByRole('button', { name: 'Salvar' }).click();
    await page.getByText('Configurações do Asaas salvas.').waitFor();
    expect(await page.getByLabel('Chave de API').inputValue()).toBe('');
    expect(await page.content()).not.toContain(fake.apiKey);
    t.app.get(AsaasService).policy = FAST_RETRY;

    await page.getByRole('button', { name: 'Testar conexão' }).click();
    await page.getByText(/Conexão com o Asaas funcionando/).waitFor();
    expect(page.url()).toBe(`${t.baseUrl}/settings/integrations/asaas`);
    await page.screenshot({ path: join(SHOTS, 'integrations-asaas-settings.png'), fullPage: true });
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });

  it('shows the Conta Azul settings with the redirect URI to register and no secret', async () => {
    await page.goto(`${t.baseUrl}/settings/integrations/conta-azul`);
    await page.getByLabel('Client id').fill('clientela-app');
    await page.getByLabel('Client secret').fill('segredo-do-app');
    await page.getByRole('button', { name: 'Salvar' }).click();
    await page.getByText('Configurações da Conta Azul salvas.').waitFor();
    expect(await page.content()).not.toContain('segredo-do-app');
    await page.getByRole('button', { name: 'Conectar à Conta Azul' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'integrations-conta-azul-settings.png'), fullPage: true });
  });

  it('syncs a client from its page: the status block refreshes itself until the customer is synced', async () => {
    await configureAsaas(t, fake);
    const client = await makeClient(t, {
      tradeName: 'Padaria Pão Quente',
      legalName: 'Pão Quente LTDA',
      document: nextCnpj(),
      email: 'fin@paoquente.com.br',
    });
    const release = fake.hold(); // Asaas answers only once "Pendente" has been seen, however slow the machine
    await page.goto(`${t.baseUrl}/clients/${client.id}`);
    const block = page.locator('#integration-asaas');
    try {
      await block.getByRole('button', { name: 'Sincronizar' }).click();
      await block.getByText('Pendente').waitFor();
    } finally {
      release();
    }
    await block.getByText('Sincronizado').waitFor({ timeout: 10_000 });
    expect(await block.textContent()).toContain(fake.customers.at(-1)!.id);
    expect(page.url()).toBe(`${t.baseUrl}/clients/${client.id}`);
    await page.locator('#integrations').screenshot({ path: join(SHOTS, 'integrations-client-section.png') });
  });

  it('shows a bulk sync that updates itself until it ends', async () => {
    for (let i = 1; i <= 8; i++)
      await makeClient(t, { tradeName: `Cliente em Lote ${i}`, document: nextCnpj() });
    await makeClient(t, { tradeName: 'Cliente Sem Documento' });
    const release = fake.hold(); // the run stays in progress until its page has been seen
    try {
      await page.goto(`${t.baseUrl}/integrations`);
      await page
        .locator('section', { hasText: 'Asaas' })
        .getByRole('button', { name: 'Sincronizar todos os clientes ativos' })
        .click();
      await page.waitForURL(/\/integrations\/asaas\/runs\//);
      await page.getByText(/Sincronizando…|Na fila…/).waitFor();
      await page.screenshot({ path: join(SHOTS, 'integrations-run-progress.png'), fullPage: true });
    } finally {
      release();
    }
    await page.getByText('Sincronização concluída').waitFor({ timeout: 30_000 });
    expect(await page.locator('#sync-run-progress').getAttribute('hx-trigger')).toBeNull();
    await page.getByText('Cliente Sem Documento').waitFor();
    await page.screenshot({ path: join(SHOTS, 'integrations-run-finished.png'), fullPage: true });
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });
});
