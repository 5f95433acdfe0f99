import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Express } from 'express';
import type { SessionOperator } from '../../src/auth/session-operator';
import { createApp } from '../../src/bootstrap';
import { ClientListService } from '../../src/clients/client-list.service';
import { tableView } from '../../src/clients/client-list-view';
import { listState } from '../../src/clients/dto/list-clients.query';
import { loadConfig } from '../../src/config/app-config';
import { translate } from '../../src/common/i18n/translate';

/*
 * `npm run bench:render`: the weight of the client list page and the time Handlebars takes to render it,
 * away from HTTP and the database. The app is built in-process on BENCH_DATABASE_URL (any database with
 * at least 50 active clients: the bench's, or one seeded with `seed:demo`), the view model of the default
 * list is captured once, exactly as GET /clients builds it for a manager with click-to-call off, and the
 * page (layout included) is rendered RENDERS times, each render awaited. Prints the page's size in bytes
 * (UTF-8), the mean, median and 95th percentile time per render, and the first render's (which compiles).
 */

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/clientela_bench';
const RENDERS = Number(process.env.RENDERS ?? 2000);
const CLICK_TO_CALL = process.env.CLICK_TO_CALL === 'true';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clientela-render-'));
  const config = loadConfig({
    NODE_ENV: 'production', // the view cache on, as deployed
    DATA_DIR: dataDir,
    APP_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
    LOG_LEVEL: 'warn',
    COOKIE_SECURE: 'false',
  });
  const app = await createApp(config, DATABASE_URL);
  await app.init();
  try {
    const operator: SessionOperator = {
      id: '00000000-0000-4000-8000-000000000000',
      name: 'Bench',
      email: 'bench@clientela.local',
      role: 'manager',
      locale: 'pt-BR',
    };
    const state = listState({});
    const page = await app.get(ClientListService).page(operator, state);
    if (page.rows.length < 50)
      throw new Error(`the database has ${page.rows.length} active clients, 50 needed`);
    const model = {
      // What the request adds (app.setup.ts and the auth guard) …
      locale: 'pt-BR',
      path: '/clients',
      operator,
      isAdmin: false,
      isManager: true,
      csrfToken: 'x'.repeat(86),
      flash: [],
      // … and what the controller passes.
      ...tableView(state, page, 'pt-BR'),
      clickToCall: CLICK_TO_CALL,
      section: 'clients',
      title: translate('pt-BR', 'clients.title'),
    };
    const express = app.getHttpAdapter().getInstance() as Express;
    const render = () =>
      new Promise<string>((resolve, reject) =>
        express.render('clients/index', model, (error, html) => (error ? reject(error) : resolve(html))),
      );
    const cold = performance.now();
    const html = await render(); // the first render compiles the templates (the view cache keeps them)
    const firstMs = performance.now() - cold;
    for (let i = 0; i < 200; i++) await render(); // warm-up: compile, optimise
    const times = new Float64Array(RENDERS);
    for (let i = 0; i < RENDERS; i++) {
      const started = performance.now();
      await render();
      times[i] = performance.now() - started;
    }
    times.sort();
    const mean = times.reduce((a, b) => a + b, 0) / RENDERS;
    console.log(
      JSON.stringify({
        bytes: Buffer.byteLength(html),
        rows: page.rows.length,
        renders: RENDERS,
        meanMs: Number(mean.toFixed(3)),
        medianMs: Number(times[Math.floor(RENDERS / 2)].toFixed(3)),
        p95Ms: Number(times[Math.floor(RENDERS * 0.95)].toFixed(3)),
        firstMs: Number(firstMs.toFixed(1)),
      }),
    );
    if (process.env.RENDER_OUT) writeFileSync(process.env.RENDER_OUT, html);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
