import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Client } from '../../src/clients/client.entity';
import { makeClient, makeContact, makeDesk, makeGroup } from '../factories/client.factory';
import { makeOperator, type TestOperator } from '../factories/operator.factory';
import { describeBrowser, launchBrowser, signIn, watchPage } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';

const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/shots';

/** Chromium logs every 4xx page load as a console error; the refused step-1 forms (422) are on purpose. */
const notAnExpectedRefusal = (problem: string) =>
  !/status of 422 \(Unprocessable Entity\) \(http:\/\/[^/]+\/clients\)$/.test(problem);

/**
 * The clients module in a real browser, twice: with JavaScript (htmx swaps the table and rows and pushes
 * the URL) and without it (the same links and forms do full page loads). Both must work.
 */
describeBrowser('clients in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let manager: TestOperator;
  let alfa: Client;
  let beta: Client;
  let gama: Client;
  let delta: Client;

  beforeAll(async () => {
    browser = await launchBrowser(); // first: a missing browser fails fast (REQUIRE_BROWSER=1)
    t = await startTestApp({ listen: true });
    mkdirSync(SHOTS, { recursive: true });
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    await makeGroup(t, 'Suporte N1');
    await makeGroup(t, 'Redes e Infraestrutura');
    await makeDesk(t, 'Mesa Geral');
    await makeDesk(t, 'Mesa Financeiro', true);
    alfa = await makeClient(t, {
      tradeName: 'Alfa Informática',
      document: '11222333000181',
      city: 'Recife',
      state: 'PE',
    });
    await makeContact(t, alfa, { name: 'Paula Principal', phone: '(81) 3224-5566' });
    beta = await makeClient(t, {
      tradeName: 'Beta Sistemas',
      document: '12ABC34501DE35',
      city: 'Curitiba',
      state: 'PR',
    });
    gama = await makeClient(t, {
      tradeName: 'Gama Redes',
      personType: 'PF',
      document: '52998224725',
      city: 'Belém',
      state: 'PA',
    });
    delta = await makeClient(t, {
      tradeName: 'Delta Antiga',
      city: 'Natal',
      state: 'RN',
      status: 'inactive',
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const table = (page: Page) => page.locator('#clients-table');
  /** The status filter menu in the status column header (its name: "Filtrar por situação: Ativos"). */
  const statusFilter = (page: Page) => page.locator('summary', { hasText: 'Filtrar por situação' });
  /** The fixture clients in the order the table shows them (the wizard tests add others as they go). */
  const FIXTURES = ['Alfa Informática', 'Beta Sistemas', 'Gama Redes', 'Delta Antiga'];
  const rowNames = async (page: Page) =>
    (
      await page.locator('#clients-table tbody tr[id^="client-"] td:nth-child(2) > a').allTextContents()
    ).filter((name) => FIXTURES.includes(name));
  const path = (page: Page) => {
    const url = new URL(page.url());
    return url.pathname + url.search;
  };
  const stored = (id: string) => t.dataSource.getRepository(Client).findOneByOrFail({ id });

  describe('with JavaScript (htmx)', () => {
    let context: BrowserContext;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      context = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      problems = await watchPage(page);
      await signIn(page, t.baseUrl, manager);
    });
    afterAll(() => context?.close());

    /** Marks the window: the mark survives an htmx swap and disappears on a full page load. */
    const markWindow = () => page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const windowMarked = () => page.evaluate(() => (window as unknown as { marker?: number }).marker === 42);

    it('lists the active clients, sorted by trade name, with the masked documents', async () => {
      await page.goto(`${t.baseUrl}/clients`);
      await expect(rowNames(page)).resolves.toEqual(['Alfa Informática', 'Beta Sistemas', 'Gama Redes']);
      await expect(table(page).getByText('12.ABC.345/01DE-35').isVisible()).resolves.toBe(true);
      await expect(table(page).getByText('529.982.247-25').isVisible()).resolves.toBe(true);
      await expect(
        page.getByRole('columnheader', { name: /Nome fantasia/ }).getAttribute('aria-sort'),
      ).resolves.toBe('ascending');
      await expect(
        page.getByRole('link', { name: 'Ligar para Alfa Informática' }).getAttribute('href'),
      ).resolves.toBe('tel:+558132245566');
      await expect(
        page.getByRole('img', { name: 'Ligar para Beta Sistemas (indisponível)' }).isVisible(),
      ).resolves.toBe(true);
      await expect(page.getByRole('link', { name: 'Excluir Gama Redes' }).getAttribute('href')).resolves.toBe(
        `/clients/${gama.id}/delete`,
      );
      await page.screenshot({ path: join(SHOTS, 'clients-list.png'), fullPage: true });
    });

    it('draws the row icons from the sprite file (no path data in the page), under the CSP', async () => {
      const sprite = page.waitForResponse((r) => r.url().endsWith('/assets/icons.svg'));
      await page.goto(`${t.baseUrl}/clients`);
      expect([200, 304]).toContain((await sprite).status()); // 304 once the browser has it cached
      const file = await page.request.get(`${t.baseUrl}/assets/icons.svg`);
      expect(file.headers()['content-type']).toMatch(/^image\/svg\+xml/);
      expect(await page.content()).not.toContain('<path');
      // Each <use> renders its symbol: the drawn shape has a size (0 × 0 when the reference fails).
      await page.waitForFunction(() => {
        const uses = [...document.querySelectorAll('#clients-table tbody svg.icon use')] as SVGUseElement[];
        return uses.length > 0 && uses.every((use) => use.getBBox().width > 0 && use.getBBox().height > 0);
      });
      const trash = page.getByRole('link', { name: 'Excluir Alfa Informática' }).locator('svg');
      const box = await trash.boundingBox();
      expect(box!.width).toBeGreaterThan(10);
      // CSP violations, if any, fail the "no console errors" test of this block.
    });

    it('sorts by a header click: swaps only the table, pushes the URL, and the back button restores the list', async () => {
      await page.goto(`${t.baseUrl}/clients`);
      await markWindow();
      await page.getByRole('link', { name: 'Cidade/UF' }).click();
      await page.waitForURL(`${t.baseUrl}/clients?sort=city`);
      await expect(rowNames(page)).resolves.toEqual(['Gama Redes', 'Beta Sistemas', 'Alfa Informática']); // Belém, Curitiba, Recife
      await expect(
        page.getByRole('columnheader', { name: /Cidade\/UF/ }).getAttribute('aria-sort'),
      ).resolves.toBe('ascending');
      expect(await windowMarked()).toBe(true);

      // A second click reverses the direction.
      await page.getByRole('link', { name: /Cidade\/UF/ }).click();
      await page.waitForURL(`${t.baseUrl}/clients?sort=city&dir=desc`);
      await expect(rowNames(page)).resolves.toEqual(['Alfa Informática', 'Beta Sistemas', 'Gama Redes']);
      expect(await windowMarked()).toBe(true);

      await page.goBack();
      await page.waitForURL(`${t.baseUrl}/clients?sort=city`);
      await page.waitForFunction(() =>
        document.querySelector('th[aria-sort="ascending"]')?.textContent?.includes('Cidade'),
      );
      await expect(rowNames(page)).resolves.toEqual(['Gama Redes', 'Beta Sistemas', 'Alfa Informática']);

      await page.goBack();
      await page.waitForURL(`${t.baseUrl}/clients`);
      await page.waitForFunction(() =>
        document.querySelector('th[aria-sort="ascending"]')?.textContent?.includes('Nome fantasia'),
      );
      await expect(rowNames(page)).resolves.toEqual(['Alfa Informática', 'Beta Sistemas', 'Gama Redes']);
    });

    it('filters by status from the status column header, swapping the table and pushing the URL', async () => {
      await page.goto(`${t.baseUrl}/clients`);
      await markWindow();
      await statusFilter(page).click();
      await page.getByRole('link', { name: 'Inativos' }).click();
      await page.waitForURL(`${t.baseUrl}/clients?status=inactive`);
      await expect(rowNames(page)).resolves.toEqual(['Delta Antiga']);
      expect(await windowMarked()).toBe(true);

      await statusFilter(page).click();
      await page.getByRole('link', { name: 'Todos' }).click();
      await page.waitForURL(`${t.baseUrl}/clients?status=all`);
      await expect(rowNames(page)).resolves.toEqual([
        'Alfa Informática',
        'Beta Sistemas',
        'Delta Antiga',
        'Gama Redes',
      ]);
      expect(await windowMarked()).toBe(true);
    });

    it('searches as the operator types, swapping the table and pushing the URL', async () => {
      await page.goto(`${t.baseUrl}/clients`);
      await markWindow();
      await page.getByRole('searchbox', { name: 'Buscar clientes' }).fill('sistemas');
      await page.waitForURL(`${t.baseUrl}/clients?q=sistemas`);
      await expect(rowNames(page)).resolves.toEqual(['Beta Sistemas']);
      expect(await windowMarked()).toBe(true);
    });

    it('toggles the status inline: the row is swapped in place, the page is not reloaded', async () => {
      await page.goto(`${t.baseUrl}/clients?sort=city`);
      await markWindow();
      const row = page.locator(`#client-${beta.id}`);
      await row.getByRole('button', { name: 'Inativar Beta Sistemas' }).click();
      await expect(
        row.getByRole('button', { name: 'Ativar Beta Sistemas' }).waitFor(),
      ).resolves.toBeUndefined();
      // htmx settles attributes after the swap: wait for the new row's class.
      await page.waitForFunction(
        (id) => document.getElementById(`client-${id}`)?.classList.contains('row-inactive'),
        beta.id,
      );
      expect((await stored(beta.id)).status).toBe('inactive');
      expect(path(page)).toBe('/clients?sort=city');
      expect(await windowMarked()).toBe(true);

      await row.getByRole('button', { name: 'Ativar Beta Sistemas' }).click();
      await expect(
        row.getByRole('button', { name: 'Inativar Beta Sistemas' }).waitFor(),
      ).resolves.toBeUndefined();
      expect((await stored(beta.id)).status).toBe('active');
      expect(await windowMarked()).toBe(true);
    });

    it('registers a client with the wizard: step 1 refused then fixed, step 2 links a group and a desk, then the client page', async () => {
      await page.goto(`${t.baseUrl}/clients`);
      // Pico's "link as button" (role="button"): still a link to /clients/new, without JavaScript too.
      await page.getByRole('button', { name: 'Novo cliente' }).click();
      await page.waitForURL(`${t.baseUrl}/clients/new`);
      await page.getByLabel('Nome fantasia').fill('Oficina Rápida');
      await page.getByLabel('Razão social').fill('Oficina Rápida Manutenção Ltda.');
      await page.getByLabel('CNPJ/CPF').fill('11.444.777/0001-62'); // wrong check digit
      await page.getByLabel('E-mail', { exact: true }).fill('contato@oficinarapida.com.br');
      await page.getByLabel('Telefone').fill('(11) 3456-7890');
      await page.getByLabel('CEP').fill('01310-100');
      await page.getByLabel('Cidade').fill('São Paulo');
      await page.getByLabel('UF').selectOption('SP');
      await page.getByLabel('Anotações internas').fill('Atendimento só pela manhã.');
      await page.getByRole('button', { name: 'Salvar e continuar' }).click();
      await page.waitForLoadState();

      expect(path(page)).toBe('/clients');
      await expect(page.getByText('CNPJ inválido').isVisible()).resolves.toBe(true);
      await expect(page.getByLabel('CNPJ/CPF').getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.getByLabel('Nome fantasia').inputValue()).resolves.toBe('Oficina Rápida');
      await expect(page.getByLabel('Cidade').inputValue()).resolves.toBe('São Paulo');
      await expect(page.getByLabel('UF').inputValue()).resolves.toBe('SP');
      await expect(page.getByLabel('Anotações internas').inputValue()).resolves.toBe(
        'Atendimento só pela manhã.',
      );
      await page.screenshot({ path: join(SHOTS, 'clients-form-errors.png'), fullPage: true });

      await page.getByLabel('CNPJ/CPF').fill('11.444.777/0001-61');
      await page.getByRole('button', { name: 'Salvar e continuar' }).click();
      await page.waitForURL(/\/clients\/[0-9a-f-]{36}\/relationships$/);
      const id = path(page).split('/')[2];
      await expect(page.getByRole('status').first().textContent()).resolves.toContain(
        'Cliente Oficina Rápida cadastrado.',
      );

      await page.getByLabel('Suporte N1').check();
      await page.getByLabel('Mesa Geral').check();
      await page.waitForTimeout(300); // Pico animates the check mark; let the screenshot show it settled
      await page.screenshot({ path: join(SHOTS, 'clients-relationships.png'), fullPage: true });
      await page.getByRole('button', { name: 'Salvar relacionamentos' }).click();
      await page.waitForURL(`${t.baseUrl}/clients/${id}`);

      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
        'Oficina Rápida',
      );
      await expect(page.locator('#data').getByText('11.444.777/0001-61').isVisible()).resolves.toBe(true);
      const relationships = page.locator('#relationships');
      await expect(relationships.getByText('Suporte N1').isVisible()).resolves.toBe(true);
      await expect(relationships.getByText('Mesa Geral').isVisible()).resolves.toBe(true);
      await expect(page.getByText('Sem grupo de atendentes').count()).resolves.toBe(0);
      await page.screenshot({ path: join(SHOTS, 'clients-show.png'), fullPage: true });

      expect(await stored(id)).toMatchObject({
        document: '11444777000161',
        phone: '+551134567890',
        postalCode: '01310100',
        state: 'SP',
      });
    });

    it('saves step 1 when the operator presses Enter in a field (not the billing search)', async () => {
      await page.goto(`${t.baseUrl}/clients/new`);
      await page.getByLabel('Nome fantasia').fill('Cadastro Pelo Enter');
      await page.getByLabel('Nome fantasia').press('Enter');
      await page.waitForURL(/\/clients\/[0-9a-f-]{36}\/relationships$/);
    });

    it('filters the billing picker as the operator types', async () => {
      await page.goto(`${t.baseUrl}/clients/new`);
      await page.getByLabel('Buscar cliente pagador').pressSequentially('alfa', { delay: 20 });
      await page.waitForFunction(() => document.querySelectorAll('#billingClientId option').length === 2);
      const optionsText = await page.locator('#billingClientId option').allTextContents();
      expect(optionsText[0]).toBe('O próprio cliente');
      expect(optionsText[1]).toContain('Alfa Informática');
    });

    it('has no serious accessibility violations on the list, the form with errors, step 2 and the client page', async () => {
      const serious = async () =>
        (await new AxeBuilder({ page }).analyze()).violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${path(page)}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      const found: string[] = [];
      await page.goto(`${t.baseUrl}/clients?status=all`);
      found.push(...(await serious()));
      await statusFilter(page).click();
      await page.waitForTimeout(300); // Pico fades the menu in: check the settled colours
      found.push(...(await serious()));
      await page.goto(`${t.baseUrl}/clients/new`);
      await page.getByLabel('Nome fantasia').fill('A');
      await page.getByLabel('CEP').fill('123');
      await page.getByRole('button', { name: 'Salvar e continuar' }).click();
      await page.waitForLoadState();
      found.push(...(await serious()));
      await page.goto(`${t.baseUrl}/clients/${alfa.id}/relationships`);
      found.push(...(await serious()));
      await page.goto(`${t.baseUrl}/clients/${alfa.id}`);
      found.push(...(await serious()));
      expect(found).toEqual([]);
    });

    it('had no console errors, uncaught exceptions or CSP violations', () => {
      expect(problems.filter(notAnExpectedRefusal)).toEqual([]);
    });
  });

  describe('without JavaScript', () => {
    let context: BrowserContext;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      context = await browser.newContext({
        locale: 'pt-BR',
        javaScriptEnabled: false,
        viewport: { width: 1280, height: 900 },
      });
      page = await context.newPage();
      problems = await watchPage(page);
      await signIn(page, t.baseUrl, manager);
    });
    afterAll(() => context?.close());

    it('sorts by a header link with a full page load, and the back button returns to the previous order', async () => {
      await page.goto(`${t.baseUrl}/clients`);
      await page.getByRole('link', { name: 'Cidade/UF' }).click();
      await page.waitForURL(`${t.baseUrl}/clients?sort=city`);
      await expect(rowNames(page)).resolves.toEqual(['Gama Redes', 'Beta Sistemas', 'Alfa Informática']);
      await page.goBack();
      await page.waitForURL(`${t.baseUrl}/clients`);
      await expect(rowNames(page)).resolves.toEqual(['Alfa Informática', 'Beta Sistemas', 'Gama Redes']);
    });

    it('filters by status through the header menu (a native <details>)', async () => {
      await page.goto(`${t.baseUrl}/clients`);
      await statusFilter(page).click();
      await page.getByRole('link', { name: 'Inativos' }).click();
      await page.waitForURL(`${t.baseUrl}/clients?status=inactive`);
      await expect(rowNames(page)).resolves.toEqual(['Delta Antiga']);
    });

    it('searches with the form', async () => {
      await page.goto(`${t.baseUrl}/clients?sort=city`);
      await page.getByRole('searchbox', { name: 'Buscar clientes' }).fill('informática');
      await page.getByRole('button', { name: 'Buscar', exact: true }).click();
      await page.waitForURL(`${t.baseUrl}/clients?sort=city&q=inform%C3%A1tica`);
      await expect(rowNames(page)).resolves.toEqual(['Alfa Informática']);
    });

    it('toggles the status with a POST and comes back to the same list URL with a message', async () => {
      await page.goto(`${t.baseUrl}/clients?status=all&sort=city`);
      // The redirect comes back to the very URL the page is on: wait for the POST and the new page's message.
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${t.baseUrl}/clients/${delta.id}/status`),
        page.locator(`#client-${delta.id}`).getByRole('button', { name: 'Ativar Delta Antiga' }).click(),
      ]);
      expect(response.status()).toBe(303);
      await page.getByRole('status').filter({ hasText: 'Cliente Delta Antiga ativado.' }).waitFor();
      expect(path(page)).toBe('/clients?status=all&sort=city');
      await expect(
        page
          .locator(`#client-${delta.id}`)
          .getByRole('button', { name: 'Inativar Delta Antiga' })
          .isVisible(),
      ).resolves.toBe(true);
      expect((await stored(delta.id)).status).toBe('active');
      await page.screenshot({ path: join(SHOTS, 'clients-list-nojs.png'), fullPage: true });
    });

    it('registers a client with the wizard through full page loads, and searches the billing client with the "Buscar" button', async () => {
      await page.goto(`${t.baseUrl}/clients/new`);
      await page.getByLabel('Nome fantasia').fill('Filial Sem Script');
      await page.getByLabel('CEP').fill('123');
      await page.getByLabel('Buscar cliente pagador').fill('alfa');
      await page.locator('.billing-picker').getByRole('button', { name: 'Buscar' }).click();
      await page.waitForLoadState();
      await expect(page.getByLabel('Nome fantasia').inputValue()).resolves.toBe('Filial Sem Script');
      await expect(page.getByLabel('CEP').inputValue()).resolves.toBe('123');
      await page.getByLabel('Faturar para').selectOption(alfa.id);

      await page.getByRole('button', { name: 'Salvar e continuar' }).click();
      await page.waitForLoadState();
      await expect(page.getByText('CEP inválido').isVisible()).resolves.toBe(true);
      await expect(page.getByLabel('Faturar para').inputValue()).resolves.toBe(alfa.id);
      await page.getByLabel('CEP').fill('80010-000');
      await page.getByLabel('Cidade').fill('Curitiba');
      await page.getByLabel('UF').selectOption('PR');
      await page.getByRole('button', { name: 'Salvar e continuar' }).click();
      await page.waitForURL(/\/clients\/[0-9a-f-]{36}\/relationships$/);
      const id = path(page).split('/')[2];

      await page.getByLabel('Redes e Infraestrutura').check();
      await page.getByLabel('Mesa Financeiro').check();
      await page.getByRole('button', { name: 'Salvar relacionamentos' }).click();
      await page.waitForURL(`${t.baseUrl}/clients/${id}`);
      await expect(
        page.locator('#relationships').getByText('Redes e Infraestrutura').isVisible(),
      ).resolves.toBe(true);
      expect(await stored(id)).toMatchObject({
        billingClientId: alfa.id,
        postalCode: '80010000',
        city: 'Curitiba',
      });
    });

    it('had no console errors or CSP violations', () => {
      expect(problems.filter(notAnExpectedRefusal)).toEqual([]);
    });
  });
});
