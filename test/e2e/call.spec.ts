import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Client } from '../../src/clients/client.entity';
import type { Contact } from '../../src/clients/contacts/contact.entity';
import { makeClient, makeContact } from '../factories/client.factory';
import { makeOperator, type TestOperator } from '../factories/operator.factory';
import { amiSettings, configureTelephony, setExtension } from '../factories/telephony.factory';
import { describeBrowser, launchBrowser, signIn, watchPage } from '../support/browser';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami-server';
import { startFakeDialer, type FakeDialer } from '../support/fake-http-dialer';
import { startTestApp, type TestApp } from '../support/test-app';

const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/shots';

/**
 * Click-to-call in a real browser: the list's phone icon and the contacts' call buttons post to the call
 * route through htmx against a fake HTTP dialer, and "Chamando…" appears beside the button; the same
 * buttons work without JavaScript (flash + back to the page).
 */
describeBrowser('click-to-call in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let dialer: FakeDialer;
  let ami: FakeAmi;
  let admin: TestOperator;
  let alfa: Client;
  let maria: Contact;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp({ listen: true });
    dialer = await startFakeDialer();
    ami = await startFakeAmi();
    mkdirSync(SHOTS, { recursive: true });
    admin = await makeOperator(t, 'admin', { name: 'Ana Atendente' });
    await setExtension(t, admin, '1001');
    alfa = await makeClient(t, { tradeName: 'Alfa Informática', city: 'Recife', state: 'PE' });
    maria = await makeContact(t, alfa, {
      name: 'Maria Souza',
      jobTitle: 'Gerente de TI',
      phone: '(81) 3224-5566',
      mobile: '(81) 98765-4321',
    });
    await makeContact(t, alfa, { name: 'João Lima', mobile: '(81) 99876-5432' });
    const beta = await makeClient(t, { tradeName: 'Beta Sistemas', city: 'Curitiba', state: 'PR' });
    await makeContact(t, beta, { name: 'Sem Telefone' });
    await configureTelephony(t, {
      provider: 'http-template',
      urlTemplate: `${dialer.url}/api/v1/dialer`,
      method: 'POST',
      headersTemplate: 'Authorization: {secret}',
      bodyTemplate: '{"extension":"{extension}","phone":"{e164}"}',
      secret: 'token-api4com',
      dialFormat: 'e164',
    });
  });

  afterAll(async () => {
    await browser?.close();
    await dialer?.close();
    await ami?.close();
    await t?.close();
  });

  describe('with JavaScript (htmx)', () => {
    let context: BrowserContext;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      context = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 800 } });
      page = await context.newPage();
      problems = await watchPage(page);
      await signIn(page, t.baseUrl, admin);
    });
    afterAll(() => context?.close());

    it('clicking the list’s phone icon calls the primary contact and shows “Chamando…” beside it', async () => {
      const before = dialer.requests.length;
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      const row = page.locator(`#client-${alfa.id}`);
      await row.getByRole('button', { name: 'Ligar para Alfa Informática' }).click();
      const status = page.locator(`#call-status-${alfa.id}`);
      await status.getByText('Chamando Maria Souza ((81) 3224-5566)…').waitFor();
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42); // no page load
      expect(new URL(page.url()).pathname).toBe('/clients');
      expect(dialer.requests.length).toBe(before + 1);
      const request = dialer.requests[before];
      expect(request.headers.authorization).toBe('token-api4com');
      expect(JSON.parse(request.body)).toEqual({ extension: '1001', phone: '+558132245566' });
      await page.screenshot({ path: join(SHOTS, 'call-list.png'), fullPage: true });
    });

    it('disables the icon of a client whose contacts have no phone, saying why', async () => {
      const icon = page.locator('tr', { hasText: 'Beta Sistemas' }).locator('.row-actions .disabled');
      await expect(icon.getAttribute('title')).resolves.toBe('Nenhum contato com telefone cadastrado');
    });

    it('calls a contact’s mobile from the client page and lists the calls under “Ligações”', async () => {
      await page.goto(`${t.baseUrl}/clients/${alfa.id}`);
      await page.getByRole('button', { name: 'Ligar para Maria Souza: (81) 98765-4321' }).click();
      await page
        .locator(`#call-status-${maria.id}-mobile`)
        .getByText('Chamando Maria Souza ((81) 98765-4321)…')
        .waitFor();
      await page.screenshot({ path: join(SHOTS, 'call-contacts.png'), fullPage: true });
      await page.reload();
      const calls = page.locator('section#calls');
      await expect(calls.locator('tbody tr').count()).resolves.toBe(2);
      await expect(calls.locator('tbody tr').first().textContent()).resolves.toContain('Chamada iniciada');
      await calls.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'call-log.png'), fullPage: true });
    });

    it('shows the dialer’s error beside the button when the call fails', async () => {
      dialer.answer = { status: 503, body: '{"message":"PBX fora do ar"}' };
      try {
        await page.goto(`${t.baseUrl}/clients`);
        await page
          .locator(`#client-${alfa.id}`)
          .getByRole('button', { name: 'Ligar para Alfa Informática' })
          .click();
        const status = page.locator(`#call-status-${alfa.id}`);
        await status
          .getByText('o PBX respondeu com erro (HTTP 503: {"message":"PBX fora do ar"})', { exact: false })
          .waitFor();
        await page.screenshot({ path: join(SHOTS, 'call-error.png'), fullPage: true });
      } finally {
        dialer.answer = {};
      }
    });

    it('“Testar” on the settings page logs in to the AMI with the typed values and shows the result in place', async () => {
      await page.goto(`${t.baseUrl}/settings/telephony`);
      await page.getByLabel('Provedor').selectOption('asterisk-ami');
      const settings = amiSettings(ami);
      await page.getByLabel('Servidor', { exact: true }).fill(settings.host);
      await page.getByLabel('Porta').fill(String(settings.port));
      await page.getByLabel('Contexto').fill(settings.context);
      await page.getByLabel('Usuário').fill(settings.username);
      await page.getByLabel('Senha (secret) ou token').fill(settings.secret);
      await page.getByRole('button', { name: 'Testar' }).click();
      await page.locator('#telephony-test-result').getByText('Login aceito pelo Asterisk').waitFor();
      expect(new URL(page.url()).pathname).toBe('/settings/telephony');
      expect(ami.actions.map((a) => a.Action)).toEqual(['Login', 'Logoff']);
      await page.screenshot({ path: join(SHOTS, 'telephony-settings.png'), fullPage: true });
    });

    it('had no console errors, uncaught exceptions or CSP violations', () => {
      // The failed call above is a 502 the page handles (htmx swaps it); the browser logs the status as an error.
      expect(problems.filter((p) => !/status of 502/.test(p))).toEqual([]);
    });
  });

  describe('without JavaScript', () => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      context = await browser.newContext({
        locale: 'pt-BR',
        javaScriptEnabled: false,
        viewport: { width: 1280, height: 800 },
      });
      page = await context.newPage();
      await signIn(page, t.baseUrl, admin);
    });
    afterAll(() => context?.close());

    it('the phone icon posts the call, then the list comes back with “Chamando…”', async () => {
      const before = dialer.requests.length;
      await page.goto(`${t.baseUrl}/clients?sort=city`);
      await page
        .locator(`#client-${alfa.id}`)
        .getByRole('button', { name: 'Ligar para Alfa Informática' })
        .click();
      await page.waitForURL(`${t.baseUrl}/clients?sort=city`);
      await page.getByText('Chamando Maria Souza ((81) 3224-5566)…').waitFor();
      expect(dialer.requests.length).toBe(before + 1);
    });

    it('without an extension, the page explains where to set it and links there', async () => {
      await setExtension(t, admin, null);
      try {
        await page.goto(`${t.baseUrl}/clients/${alfa.id}`);
        await page.getByRole('button', { name: 'Ligar para Maria Souza: (81) 3224-5566' }).click();
        await page.getByText('Para ligar pelo PBX você precisa de um ramal.').waitFor();
        await page.screenshot({ path: join(SHOTS, 'call-no-extension.png'), fullPage: true });
        await page.getByRole('link', { name: 'Minha conta' }).last().click();
        await page.waitForURL(`${t.baseUrl}/account`);
      } finally {
        await setExtension(t, admin, '1001');
      }
    });
  });
});
