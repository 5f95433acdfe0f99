import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedClient, type SeededClient } from '../factories/client-data.factory';
import { linkClient, makeClient, makeContact } from '../factories/client.factory';
import { makeOperator, type TestOperator } from '../factories/operator.factory';
import { makeTicket } from '../factories/ticket.factory';
import { enableTotp } from '../factories/totp.factory';
import { describeBrowser, launchBrowser, signIn, watchPage } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';

const SHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/shots';
/** Pages visited at most (the app has about 40 distinct page templates). */
const MAX_PAGES = 70;
/** Visits per template: sort orders and filters of one list are one template. */
const PER_TEMPLATE = 2;

/** `/clients/3f…/contacts/9a…/edit?x=1` → `/clients/:id/contacts/:id/edit`. */
const templateOf = (url: URL) =>
  url.pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');

/** Links that act rather than show (or leave): not followed. */
const SKIPPED = [/^\/logout/, /\/delete(\?|$)/, /^\/settings\/integrations\/conta-azul\/(connect|callback)/];

/**
 * A crawl of every page an admin reaches from the navigation and the client pages (no console
 * errors or CSP violations anywhere; accessibility: axe-core finds no serious or critical violation), with a
 * screenshot of each distinct template in /tmp/shots/crawl-*.png for a person to look at. Plus the
 * keyboard path through the deletion dialog, the one dialog of the app.
 */
describeBrowser(
  'crawl: every page as admin, no console errors, CSP violations or serious a11y problems',
  () => {
    let t: TestApp;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let problems: string[];
    let admin: TestOperator;
    let seeded: SeededClient[];

    beforeAll(async () => {
      browser = await launchBrowser();
      t = await startTestApp({ listen: true });
      mkdirSync(SHOTS, { recursive: true });
      admin = await makeOperator(t, 'admin', { name: 'Ana Administradora' });
      await enableTotp(t, admin); // the deletion dialog's second step asks for a code
      await makeOperator(t, 'manager', { name: 'Marcos Gestor' });
      await makeOperator(t, 'agent', { name: 'Alice Atendente' });
      seeded = [
        await seedClient(t, { name: 'Padaria Pão Quente' }),
        await seedClient(t, { name: 'Oficina Dois Irmãos' }),
        await seedClient(t, { name: 'Mercado São João' }),
      ];
      // Quartered billing (a branch billed to the head office), an inactive client, a closed ticket.
      const branch = await makeClient(t, {
        tradeName: 'Padaria Pão Quente — Filial Batel',
        billingClientId: seeded[0].client.id,
        city: 'Curitiba',
        state: 'PR',
        postalCode: '80420-090',
        street: 'Rua Comendador Araújo',
        number: '143',
      });
      await linkClient(t, branch, { groups: [{ id: seeded[0].groupId }], desks: [{ id: seeded[0].deskId }] });
      await makeContact(t, branch, {
        name: 'Beatriz Souza',
        email: 'beatriz@paoquente.example',
        mobile: '41999998888',
      });
      await makeClient(t, { tradeName: 'Livraria Fechada', status: 'inactive' });
      await makeTicket(
        t,
        { client: seeded[1].client, desk: { id: seeded[1].deskId }, group: { id: seeded[1].groupId } },
        { status: 'closed', title: 'Troca de toner' },
      );
      await t.dataSource.query(
        `INSERT INTO attendant_group_members (attendant_group_id, operator_id) VALUES ($1, $2)`,
        [seeded[0].groupId, admin.id],
      );
      // A contract due for readjustment this month, so the "Reajustes" page lists one with its checkbox.
      await t.dataSource.query(
        `UPDATE contracts SET next_readjustment_date = current_date WHERE client_id = $1`,
        [seeded[0].client.id],
      );
      // A finished bulk sync with one error, so /integrations links to a run page.
      await t.dataSource.query(
        `INSERT INTO sync_runs (provider, kind, status, total, done, failed, errors, started_at, finished_at)
       VALUES ('asaas', 'all', 'finished', 3, 3, 1, $1::jsonb, now(), now())`,
        [
          JSON.stringify([
            {
              clientId: seeded[2].client.id,
              code: 'rejected',
              errorCode: 'rejected',
              message: 'CPF/CNPJ inválido.',
            },
          ]),
        ],
      );

      context = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      problems = await watchPage(page);
      await signIn(page, t.baseUrl, admin);
    }, 120_000);
    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await t?.close();
    });

    const seriousViolations = async (where: string) =>
      (await new AxeBuilder({ page }).analyze()).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${where}: ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);

    it('visits every page reachable by links: no console error, CSP violation or serious axe violation', async () => {
      const origin = new URL(t.baseUrl).origin;
      const queue = ['/clients', ...seeded.map((s) => `/clients/${s.client.id}`)];
      const seen = new Set<string>();
      const perTemplate = new Map<string, number>();
      const shot = new Set<string>();
      const a11y: string[] = [];
      const statuses: string[] = [];
      const visited: string[] = [];

      while (queue.length && visited.length < MAX_PAGES) {
        const path = queue.shift()!;
        const template = templateOf(new URL(path, origin));
        if ((perTemplate.get(template) ?? 0) >= PER_TEMPLATE) continue;
        perTemplate.set(template, (perTemplate.get(template) ?? 0) + 1);
        visited.push(path);

        const before = problems.length;
        const response = await page.goto(`${t.baseUrl}${path}`);
        await page.waitForLoadState('load');
        await page.waitForTimeout(150); // htmx and app.js run after load (deferred scripts)
        if (!response || response.status() >= 400) statuses.push(`${path}: ${response?.status()}`);
        for (let i = before; i < problems.length; i++) problems[i] = `${path}: ${problems[i]}`;

        if (!shot.has(template)) {
          // axe and a screenshot once per template (another sort order of a list is the same markup)
          shot.add(template);
          a11y.push(...(await seriousViolations(path)));
          const name =
            template
              .replace(/^\//, '')
              .replace(/[^a-z0-9]+/gi, '-')
              .replace(/-$/, '') || 'home';
          await page.screenshot({ path: join(SHOTS, `crawl-${name}.png`), fullPage: true });
        }

        const links = await page.$$eval('a[href]', (anchors) =>
          anchors.map((a) => (a as HTMLAnchorElement).href),
        );
        for (const href of links) {
          const url = new URL(href);
          if (url.origin !== origin || url.protocol !== 'http:') continue;
          const next = `${url.pathname}${url.search}`;
          if (SKIPPED.some((re) => re.test(next)) || seen.has(next)) continue;
          seen.add(next);
          queue.push(next);
        }
      }

      console.log(`crawl: ${visited.length} pages, ${perTemplate.size} templates`);
      // The crawl reached the whole app, not just a corner of it.
      const templates = [...perTemplate.keys()];
      for (const expected of [
        '/clients',
        '/clients/:id',
        '/clients/:id/edit',
        '/clients/new',
        '/clients/:id/relationships',
        '/clients/:id/contacts/new',
        '/clients/:id/contacts/:id/edit',
        '/clients/:id/contracts/new',
        '/contracts/:id',
        '/contracts/:id/edit',
        '/contracts',
        '/clients/:id/displacements/new',
        '/displacements/:id/edit',
        '/tickets',
        '/tickets/new',
        '/tickets/:id',
        '/settings/operators',
        '/settings/operators/new',
        '/settings/operators/:id/edit',
        '/settings/attendant-groups',
        '/settings/attendant-groups/new',
        '/settings/attendant-groups/:id/edit',
        '/settings/service-desks',
        '/settings/service-desks/new',
        '/settings/service-desks/:id/edit',
        '/settings/telephony',
        '/integrations',
        '/integrations/asaas/runs/:id',
        '/settings/integrations/asaas',
        '/settings/integrations/conta-azul',
        '/account',
        '/account/security',
      ])
        expect(templates).toContain(expected);
      expect({ statuses, problems, a11y }).toEqual({ statuses: [], problems: [], a11y: [] });
    }, 240_000);

    it('opens the deletion dialog with the keyboard, keeps focus inside, and Escape gives it back to the trash link', async () => {
      const target = seeded[2];
      await page.goto(`${t.baseUrl}/clients`);
      const trash = page
        .locator(`#client-${target.client.id}`)
        .getByRole('link', { name: `Excluir ${target.tradeName}` });
      await trash.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: `Excluir ${target.tradeName}?` });
      await dialog.waitFor();
      const focusInDialog = () => page.evaluate(() => !!document.activeElement?.closest('dialog'));
      expect(await focusInDialog()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancelar');

      // Tab moves among the dialog's controls only (the page behind is inert).
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Tab');
        const inside = await focusInDialog();
        const onPage = await page.evaluate(
          () => document.activeElement !== document.body && !document.activeElement?.closest('dialog'),
        );
        expect(onPage).toBe(false);
        if (!inside) break; // focus left for the browser's own UI, never for the page
      }

      // Step 2 by keyboard: "Excluir" → the code field has focus.
      await dialog.getByRole('button', { name: 'Excluir', exact: true }).focus();
      await page.keyboard.press('Enter');
      const code = dialog.getByLabel('Código atual do aplicativo autenticador');
      await code.waitFor();
      expect(await code.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.screenshot({ path: join(SHOTS, 'crawl-dialog-code-step.png') });
      expect(await seriousViolations('deletion dialog, code step')).toEqual([]);

      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await trash.evaluate((el) => el === document.activeElement)).toBe(true);
      // Nothing was deleted.
      await expect(page.locator(`#client-${target.client.id}`).count()).resolves.toBe(1);

      // The same from the client page's button.
      await page.goto(`${t.baseUrl}/clients/${target.client.id}`);
      const button = page.getByRole('button', { name: `Excluir ${target.tradeName}` });
      await button.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      expect(await focusInDialog()).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(problems).toEqual([]);
    });
  },
);
