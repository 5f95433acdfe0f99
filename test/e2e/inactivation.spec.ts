import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Client } from '../../src/clients/client.entity';
import { Contract } from '../../src/contracts/contract.entity';
import { makeDesk, makeLinkedClient } from '../factories/client.factory';
import { makeContract } from '../factories/contract.factory';
import { makeOperator, type TestOperator } from '../factories/operator.factory';
import { makeTicket } from '../factories/ticket.factory';
import { describeBrowser, launchBrowser, signIn, watchPage } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';

const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/shots';

/** The refused inactivation answers 422 on purpose, and Chromium logs every 4xx load as a console error. */
const notTheRefusal = (problem: string) =>
  !/status of 422 \(Unprocessable Entity\) \(http:\/\/[^/]+\/clients\/[0-9a-f-]{36}\/status\)$/.test(problem);

/**
 * Inactivation in a real browser: a client with an open ticket on a desk that requires review cannot be
 * inactivated from the list — the row says why, with a link — until the ticket is closed and reviewed.
 */
describeBrowser('inactivating a client in a browser (tickets block it until closed and reviewed)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let manager: TestOperator;
  let clientId: string;
  let ticketId: string;
  let contractId: string;
  let otherClientId: string;

  beforeAll(async () => {
    browser = await launchBrowser(); // first: a missing browser fails fast (REQUIRE_BROWSER=1)
    t = await startTestApp({ listen: true });
    mkdirSync(SHOTS, { recursive: true });
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    const desk = await makeDesk(t, 'Mesa Suporte (com revisão)', true);
    const links = await makeLinkedClient(
      t,
      { tradeName: 'Ótica Visão Clara', city: 'Recife', state: 'PE' },
      { desk },
    );
    clientId = links.client.id;
    ticketId = (await makeTicket(t, links, { title: 'Computador do caixa não liga' })).id;
    // A second client, only for the contract page screenshot (a cancelled contract does not block).
    const other = await makeLinkedClient(t, {
      tradeName: 'Padaria Pão de Ouro',
      city: 'Olinda',
      state: 'PE',
    });
    otherClientId = other.client.id;
    const contract = await makeContract(t, other.client, {
      name: 'Suporte mensal 2026',
      monthlyValue: '1.500,00',
      modality: 'hours_bank',
      includedHours: '20',
      autoRenew: true,
    });
    contractId = contract.id;
    await makeTicket(t, other, { title: 'Troca de toner', status: 'in_progress' });
    page = await browser.newPage({ locale: 'pt-BR', viewport: { width: 1280, height: 900 } });
    problems = await watchPage(page);
    await signIn(page, t.baseUrl, manager);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const row = () => page.locator(`#client-${clientId}`);
  const stored = () => t.dataSource.getRepository(Client).findOneByOrFail({ id: clientId });

  it('shows a contract with its value in reais, its terms and the readjustment form', async () => {
    // Readjust it once so the page shows a revision.
    await page.goto(`${t.baseUrl}/contracts/${contractId}`);
    await page.getByLabel('Percentual (%)').fill('4,5');
    await page.getByRole('button', { name: 'Aplicar reajuste' }).click();
    await page.waitForURL(`${t.baseUrl}/contracts/${contractId}`);
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'novo valor R$\u00a01.567,50 (4,5%)',
    );
    await expect(page.locator('.money').textContent()).resolves.toBe('R$\u00a01.567,50');
    await expect(page.locator('table').textContent()).resolves.toContain('R$\u00a01.500,00');
    await page.screenshot({ path: join(SHOTS, 'contract.png'), fullPage: true });
  });

  it('shows the contracts, displacements and tickets sections on the client page, and the month’s readjustments', async () => {
    await page.goto(`${t.baseUrl}/clients/${otherClientId}`);
    await expect(page.locator('#contracts').textContent()).resolves.toContain('Suporte mensal 2026');
    await expect(page.locator('#displacements').isVisible()).resolves.toBe(true);
    await expect(page.locator('#tickets').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, 'client-sections.png'), fullPage: true });
    // The readjustment above moved the next date a period on: that is the month it is due now.
    const { nextReadjustmentDate } = await t.dataSource
      .getRepository(Contract)
      .findOneByOrFail({ id: contractId });
    await page.goto(`${t.baseUrl}/contracts?due=${nextReadjustmentDate.slice(0, 7)}`);
    await expect(page.getByRole('checkbox', { name: /Suporte mensal 2026/ }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, 'contracts-due.png'), fullPage: true });
  });

  it('refuses from the list: the row, swapped in place, lists the open ticket with a link to it', async () => {
    await page.goto(`${t.baseUrl}/clients`);
    await row().getByRole('button', { name: 'Inativar Ótica Visão Clara' }).click();
    const reasons = row().locator('.blockers');
    await reasons.waitFor();
    await expect(reasons.textContent()).resolves.toContain('Não é possível inativar este cliente');
    const link = reasons.getByRole('link', { name: 'Tickets abertos: 1' });
    await expect(link.getAttribute('href')).resolves.toBe(`/tickets?clientId=${clientId}&status=open`);
    expect(new URL(page.url()).pathname).toBe('/clients'); // swapped in place, no navigation
    await expect(page.evaluate(() => document.activeElement?.classList.contains('blockers'))).resolves.toBe(
      true,
    );
    expect((await stored()).status).toBe('active');
    await row().screenshot({ path: join(SHOTS, 'inactivation-refused-row.png') });
    await page.screenshot({ path: join(SHOTS, 'inactivation-refused.png'), fullPage: true });

    await link.click();
    await page.waitForURL((url) => url.pathname === '/tickets');
    await expect(page.locator(`#ticket-${ticketId}`).isVisible()).resolves.toBe(true);
  });

  it('closes the ticket, which then waits for review and still blocks', async () => {
    await page.goto(`${t.baseUrl}/tickets/${ticketId}`);
    await page.getByLabel('Mover para').selectOption('closed');
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/tickets/${ticketId}/status`)),
      page.getByRole('button', { name: 'Mover', exact: true }).click(),
    ]);
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toContain('movido para “Encerrado”');
    await page.screenshot({ path: join(SHOTS, 'ticket.png'), fullPage: true });
    await page.goto(`${t.baseUrl}/clients`);
    await row().getByRole('button', { name: 'Inativar Ótica Visão Clara' }).click();
    const link = row()
      .locator('.blockers')
      .getByRole('link', { name: 'Tickets encerrados aguardando revisão: 1' });
    await link.waitFor();
    await link.click();
    await page.waitForURL(
      (url) => url.pathname === '/tickets' && url.searchParams.get('status') === 'pending_review',
    );
    await page.screenshot({ path: join(SHOTS, 'tickets-pending-review.png'), fullPage: true });
    await page.getByRole('link', { name: 'Computador do caixa não liga' }).click();
    await page.waitForURL(`${t.baseUrl}/tickets/${ticketId}`);
  });

  it('reviews the ticket, and then the client is inactivated from the list', async () => {
    // Already on the ticket page: wait for the POST's redirect to load, not for the (unchanged) URL.
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/tickets/${ticketId}/review`)),
      page.getByRole('button', { name: 'Marcar como revisado' }).click(),
    ]);
    await page.waitForLoadState();
    await expect(page.getByRole('status').textContent()).resolves.toContain('revisado');
    await page.goto(`${t.baseUrl}/clients`);
    await row().getByRole('button', { name: 'Inativar Ótica Visão Clara' }).click();
    await page.waitForFunction(
      (id) => document.getElementById(`client-${id}`)?.classList.contains('row-inactive'),
      clientId,
    );
    await expect(row().locator('.blockers').count()).resolves.toBe(0);
    await expect(row().getByRole('button', { name: 'Ativar Ótica Visão Clara' }).isVisible()).resolves.toBe(
      true,
    );
    expect((await stored()).status).toBe('inactive');
    await page.screenshot({ path: join(SHOTS, 'inactivation-done.png'), fullPage: true });
  });

  it('no longer offers the inactive client for a new ticket', async () => {
    await page.goto(`${t.baseUrl}/tickets/new?q=Ótica`);
    await expect(page.locator('body').textContent()).resolves.toContain('Nenhum cliente ativo encontrado.');
    await page.goto(`${t.baseUrl}/tickets/new?clientId=${otherClientId}`);
    await expect(page.getByLabel('Mesa de serviço').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, 'ticket-new.png'), fullPage: true });
  });

  it('had no console errors, uncaught exceptions or CSP violations besides the intended 422s', () => {
    expect(problems.filter(notTheRefusal)).toEqual([]);
  });
});
