import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { generateSync } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedClient, type SeededClient } from '../factories/client-data.factory';
import { makeOperator, type TestOperator } from '../factories/operator.factory';
import { enableTotp } from '../factories/totp.factory';
import { describeBrowser, launchBrowser, signIn, watchPage } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';

const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/shots';

/** Chromium logs a refused form's 422 as a console error; the wrong-code step is on purpose. */
const notAnExpectedRefusal = (problem: string) => !/status of 422 \(Unprocessable Entity\)/.test(problem);

/**
 * Deleting a client in a real browser: the trash icon opens the confirmation as a modal
 * dialog with the counts, "Excluir" asks for the TOTP code, the right code lands on the list without
 * the client. Also without JavaScript, where the same markup is a page of its own.
 */
describeBrowser('deleting a client in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let manager: TestOperator;
  let secret: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp({ listen: true });
    mkdirSync(SHOTS, { recursive: true });
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    secret = await enableTotp(t, manager);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A fresh 30-second step for the operator, so each test's first code is accepted at once. */
  const freshStep = () =>
    t.dataSource.query(`UPDATE operators SET totp_last_step = NULL WHERE id = $1`, [manager.id]);
  const row = (page: Page, client: SeededClient) => page.locator(`#client-${client.client.id}`);

  describe('with JavaScript (htmx dialog)', () => {
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

    it('opens the confirmation from the trash icon as a modal dialog with the counts, focus inside', async () => {
      const seeded = await seedClient(t, { name: 'Padaria Pão Quente' });
      await page.goto(`${t.baseUrl}/clients`);
      const trash = row(page, seeded).getByRole('link', { name: 'Excluir Padaria Pão Quente' });
      await trash.click();
      const dialog = page.getByRole('dialog', { name: 'Excluir Padaria Pão Quente?' });
      await dialog.waitFor();
      expect(await dialog.evaluate((d: HTMLDialogElement) => d.matches(':modal'))).toBe(true);
      const items = await dialog.locator('ul.deletion-counts li').allTextContents();
      expect(items).toEqual(
        expect.arrayContaining([
          '2 contatos',
          '1 contrato',
          '2 tickets',
          '6 eventos de tickets',
          '1 registro de chamada',
        ]),
      );
      await expect(dialog.getByText('Esta ação é irreversível.').isVisible()).resolves.toBe(true);
      // keyboard: focus is in the dialog, on the safe choice
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancelar');
      expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
      await page.screenshot({ path: join(SHOTS, 'deletion-dialog.png') });

      // Escape closes it and gives focus back to the trash icon; nothing was deleted
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await trash.evaluate((el) => el === document.activeElement)).toBe(true);
      await expect(row(page, seeded).isVisible()).resolves.toBe(true);
    });

    it('trash icon → counts → "Excluir" → TOTP code → back on the list without the client', async () => {
      await freshStep();
      const seeded = await seedClient(t, { name: 'Oficina Dois Irmãos' });
      await page.goto(`${t.baseUrl}/clients`);
      await row(page, seeded).getByRole('link', { name: 'Excluir Oficina Dois Irmãos' }).click();
      const dialog = page.getByRole('dialog', { name: 'Excluir Oficina Dois Irmãos?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Excluir', exact: true }).click();

      // step 2, in the same dialog: the code field has focus
      const code = dialog.getByLabel('Código atual do aplicativo autenticador');
      await code.waitFor();
      expect(await code.evaluate((el) => el === document.activeElement)).toBe(true);
      // a wrong code: refused in place
      await code.fill('000000' === generateSync({ secret }) ? '111111' : '000000');
      await dialog.getByRole('button', { name: 'Remover cliente' }).click();
      await dialog.getByText('Código incorreto').waitFor();
      await page.screenshot({ path: join(SHOTS, 'deletion-dialog-wrong-code.png') });
      await expect(row(page, seeded).count()).resolves.toBe(1);

      // the right code: the list again, with the message, without the client
      await dialog.getByLabel('Código atual do aplicativo autenticador').fill(generateSync({ secret }));
      await dialog.getByRole('button', { name: 'Remover cliente' }).click();
      await page.waitForURL(`${t.baseUrl}/clients`);
      await page.getByText('Os dados serão completamente removidos em até dois dias.').waitFor();
      await expect(row(page, seeded).count()).resolves.toBe(0);
      await expect(page.getByText('Oficina Dois Irmãos').count()).resolves.toBe(0);
      await page.screenshot({ path: join(SHOTS, 'deletion-done.png'), fullPage: true });
      const response = await page.goto(`${t.baseUrl}/clients/${seeded.client.id}`);
      expect(response?.status()).toBe(404);
    });

    it('sends an operator without 2FA to enroll (QR code rendered), then back to the code step', async () => {
      const admin = await makeOperator(t, 'admin', { name: 'Nina Sem 2FA' });
      const other = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 1000 } });
      const otherPage = await other.newPage();
      const otherProblems = await watchPage(otherPage);

      try {
        const seeded = await seedClient(t, { name: 'Loja Sem Pressa' });
        await signIn(otherPage, t.baseUrl, admin);
        await otherPage
          .locator(`#client-${seeded.client.id}`)
          .getByRole('link', { name: 'Excluir Loja Sem Pressa' })
          .click();
        const dialog = otherPage.getByRole('dialog');
        await dialog.getByRole('button', { name: 'Excluir', exact: true }).click();
        await otherPage.waitForURL(`${t.baseUrl}/account/security#totp`);
        await otherPage
          .getByText('Para excluir clientes, ative antes a verificação em duas etapas')
          .waitFor();
        const qr = otherPage.getByRole('img', { name: 'QR code para configurar o aplicativo autenticador' });
        expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
        await otherPage.screenshot({ path: join(SHOTS, 'totp-enrollment.png'), fullPage: true });
        const key = (await otherPage.locator('#totp-secret').textContent())!.replace(/\s/g, '');
        await otherPage
          .getByLabel('Digite o código de 6 dígitos que o aplicativo mostra')
          .fill(generateSync({ secret: key }));
        await otherPage.getByRole('button', { name: 'Ativar' }).click();
        await otherPage.waitForURL(`${t.baseUrl}/clients/${seeded.client.id}/delete?step=code`);
        await otherPage.getByText('Verificação em duas etapas ativada.').waitFor();
        await expect(
          otherPage.getByLabel('Código atual do aplicativo autenticador').isVisible(),
        ).resolves.toBe(true);
        expect(otherProblems).toEqual([]);
      } finally {
        await other.close();
      }
    });

    it('has no serious accessibility violations in the dialog (both steps) or on the 2FA page', async () => {
      await freshStep();
      const seeded = await seedClient(t, { name: 'Acessível Ltda' });
      const serious = async (where: string) =>
        (await new AxeBuilder({ page }).analyze()).violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${where}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      const found: string[] = [];
      await page.goto(`${t.baseUrl}/clients`);
      await row(page, seeded).getByRole('link', { name: 'Excluir Acessível Ltda' }).click();
      const dialog = page.getByRole('dialog', { name: 'Excluir Acessível Ltda?' });
      await dialog.waitFor();
      await page.waitForTimeout(300); // Pico animates the modal in: check the settled colours
      found.push(...(await serious('dialog, counts')));
      await dialog.getByRole('button', { name: 'Excluir', exact: true }).click();
      await dialog.getByLabel('Código atual do aplicativo autenticador').waitFor();
      await dialog.getByRole('button', { name: 'Remover cliente' }).click();
      await dialog.getByText('Campo obrigatório.').waitFor();
      found.push(...(await serious('dialog, code with error')));
      await page.keyboard.press('Escape');
      await page.goto(`${t.baseUrl}/account/security`);
      found.push(...(await serious('/account/security')));
      expect(found).toEqual([]);
    });

    it('had no console errors, uncaught exceptions or CSP violations', () => {
      expect(problems.filter(notAnExpectedRefusal)).toEqual([]);
    });
  });

  describe('without JavaScript (pages)', () => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      context = await browser.newContext({
        locale: 'pt-BR',
        javaScriptEnabled: false,
        viewport: { width: 1280, height: 900 },
      });
      page = await context.newPage();
      await signIn(page, t.baseUrl, manager);
    });
    afterAll(() => context?.close());

    it('follows the same steps as plain pages and forms', async () => {
      await freshStep();
      const seeded = await seedClient(t, { name: 'Mercado Sem Script' });
      await page.goto(`${t.baseUrl}/clients/${seeded.client.id}`);
      await page.getByRole('button', { name: 'Excluir Mercado Sem Script' }).click();
      await page.waitForURL(`${t.baseUrl}/clients/${seeded.client.id}/delete`);
      await expect(page.locator('ul.deletion-counts li').first().textContent()).resolves.toBe('2 contatos');
      await page.screenshot({ path: join(SHOTS, 'deletion-page-nojs.png'), fullPage: true });
      await page.getByRole('button', { name: 'Excluir', exact: true }).click();
      await page.waitForURL(`${t.baseUrl}/clients/${seeded.client.id}/delete?step=code`);
      await page.getByLabel('Código atual do aplicativo autenticador').fill(generateSync({ secret }));
      await page.getByRole('button', { name: 'Remover cliente' }).click();
      await page.waitForURL(`${t.baseUrl}/clients`);
      await page.getByText('Os dados serão completamente removidos em até dois dias.').waitFor();
      await expect(page.locator(`#client-${seeded.client.id}`).count()).resolves.toBe(0);
    });
  });
});
