import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AuditLogger } from '../../../src/common/audit-logger';
import { ClientGraph } from '../../../src/clients/purge/client-graph';
import { ClientPurgeService, PURGE_BATCH_SIZE } from '../../../src/clients/purge/client-purge.service';
import { PurgeScrubsRegistry } from '../../../src/clients/purge/purge-scrubs';
import {
  markForDeletion,
  rowsReferencing,
  seedClient,
  textMentions,
} from '../../factories/client-data.factory';
import { ClientsService } from '../../../src/clients/clients.service';
import type { ClientFormDto } from '../../../src/clients/dto/client-form.dto';
import { asSession, makeClient, makeContact } from '../../factories/client.factory';
import { makeOperator } from '../../factories/operator.factory';
import { Client as PgClient } from 'pg';
import { login } from '../../support/session';
import { testServerUrl } from '../../support/database';
import { startTestApp, type TestApp } from '../../support/test-app';

/**
 * Races, a killed backend and a second session's locks need a real PostgreSQL: the embedded one (PGlite)
 * has a single session shared by every connection. Skipped there, run in CI (.ci/run uses the server).
 */
const itOnServer = testServerUrl() ? it : it.skip;

describe('the purge of clients marked for deletion', () => {
  let t: TestApp;
  let purge: ClientPurgeService;

  beforeAll(async () => {
    t = await startTestApp();
    purge = t.app.get(ClientPurgeService);
  });
  afterAll(() => t.close());

  const countsOf = async (id: string) =>
    (await ClientGraph.load(t.dataSource.manager)).countRows(t.dataSource.manager, id);
  const record = async (id: string) =>
    (await t.dataSource.query(`SELECT * FROM client_deletions WHERE client_id = $1`, [id]))[0];
  const nonZero = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

  it('removes every row of the client, leaves other clients’ data alone, and closes the record', async () => {
    const doomed = await seedClient(t);
    const keeper = await seedClient(t, { name: 'Oficina Mecânica Fica' });
    // another client's ticket cites one of the doomed client's contacts (the ticket form refuses that, but
    // contacts and tickets from older data can cross); another client is billed to it
    const foreignTicket = (
      await t.dataSource.query(
        `INSERT INTO tickets (title, client_id, service_desk_id, attendant_group_id, requester_contact_id)
         VALUES ('Chamado da oficina', $1, $2, $3, $4) RETURNING id`,
        [keeper.client.id, keeper.deskId, keeper.groupId, doomed.contactIds[0]],
      )
    )[0].id;
    // billed to it through the form, so the keeper's history records the payer's id
    await t.app.get(ClientsService).update(asSession(await makeOperator(t, 'admin')), keeper.client.id, {
      tradeName: keeper.tradeName,
      billingClientId: doomed.client.id,
      version: keeper.client.version,
    } as ClientFormDto);
    expect(await textMentions(t, doomed.client.id)).toMatchObject({ 'client_history.changes': 1 });
    const keeperBefore = await countsOf(keeper.client.id);

    // a signed-in operator has a flash message naming the client in their session
    const op = await makeOperator(t, 'manager');
    const agent = t.http();
    await login(agent, op.email, op.password);
    await t.dataSource.query(
      `UPDATE sessions SET sess = jsonb_set(sess::jsonb, '{flash}', $1::jsonb)::json WHERE sess -> 'operator' ->> 'id' = $2`,
      [
        JSON.stringify([{ kind: 'success', message: 'clients.updated', vars: { name: doomed.tradeName } }]),
        op.id,
      ],
    );

    const requested = await markForDeletion(t, doomed.client.id);
    expect((await textMentions(t, doomed.tradeName))['sessions.sess']).toBe(1); // until the purge scrubs it
    const report = await purge.run();
    expect(report).toMatchObject({ skipped: false, failed: [], unfinished: [] });
    expect(report.purged.map((p) => p.clientId)).toContain(doomed.client.id);

    // no row anywhere references the client id (every uuid column of every table, from the catalog)…
    expect(await rowsReferencing(t, doomed.client.id, ['client_deletions'])).toEqual({});
    for (const id of [...doomed.contactIds, ...doomed.ticketIds])
      expect(await rowsReferencing(t, id)).toEqual({});
    // …and no text or JSON column holds its id, its names or its contact's e-mail
    expect(await textMentions(t, doomed.client.id, ['client_deletions'])).toEqual({});
    for (const trace of [
      doomed.tradeName,
      doomed.contactEmail,
      doomed.client.legalName!,
      doomed.client.email!,
    ]) {
      expect([trace, await textMentions(t, trace)]).toEqual([trace, {}]);
    }

    const closed = await record(doomed.client.id);
    expect(closed.purged_at).toBeInstanceOf(Date);
    expect(closed.last_error).toBeNull();
    expect(closed.purged_counts).toEqual({ ...nonZero(requested), clients: 1 });
    expect(closed.counts).toEqual(requested);

    // the other client keeps everything (plus a history line: it is now billed in its own name), minus
    // the references into the deleted client's data
    expect(await countsOf(keeper.client.id)).toEqual({
      ...keeperBefore,
      client_history: keeperBefore.client_history + 1,
    });
    const [ticket] = await t.dataSource.query(`SELECT requester_contact_id FROM tickets WHERE id = $1`, [
      foreignTicket,
    ]);
    expect(ticket.requester_contact_id).toBeNull();
    const [keeperRow] = await t.dataSource.query(`SELECT billing_client_id FROM clients WHERE id = $1`, [
      keeper.client.id,
    ]);
    expect(keeperRow.billing_client_id).toBeNull();
    // the operator is still signed in; only the flash naming the client went
    expect((await agent.get('/account')).status).toBe(200);
  });

  it('leaves no trace of the client in sync runs, which have no foreign key to it', async () => {
    const doomed = await seedClient(t);
    const other = await seedClient(t, { name: 'Padaria Continua' });
    await t.dataSource.query(
      `INSERT INTO sync_runs (provider, kind, client_id, status) VALUES ('asaas', 'one', $1, 'finished'), ('asaas', 'one', $2, 'finished')`,
      [doomed.client.id, other.client.id],
    );
    const errors = [doomed.client, other.client].map((c) => ({
      clientId: c.id,
      code: c.code,
      errorCode: 'x',
      message: 'falhou',
    }));
    await t.dataSource.query(
      `INSERT INTO sync_runs (provider, kind, status, total, done, failed, errors) VALUES ('asaas', 'all', 'finished', 2, 2, 2, $1::jsonb)`,
      [JSON.stringify(errors)],
    );
    await markForDeletion(t, doomed.client.id);
    await purge.run();
    expect(await textMentions(t, doomed.client.id, ['client_deletions'])).toEqual({});
    expect(await rowsReferencing(t, doomed.client.id, ['client_deletions'])).toEqual({});
    const [bulk] = await t.dataSource.query(`SELECT errors FROM sync_runs WHERE kind = 'all'`);
    expect(bulk.errors).toEqual([errors[1]]);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM sync_runs WHERE client_id = $1`,
      [other.client.id],
    );
    expect(n).toBe(1);
  });

  it('is idempotent: a second run finds nothing to do and changes nothing', async () => {
    const seeded = await seedClient(t);
    await markForDeletion(t, seeded.client.id);
    await purge.run();
    const before = await record(seeded.client.id);
    const again = await purge.run();
    expect(again).toMatchObject({ skipped: false, purged: [], unfinished: [], failed: [] });
    expect(await record(seeded.client.id)).toEqual(before);
  });

  it('stopped after k batches (as if killed) and run again ends in the same state as one full run', async () => {
    await purge.run(); // nothing else pending
    for (const k of [1, 4, 9, 17]) {
      const seeded = await seedClient(t);
      const requested = nonZero(await markForDeletion(t, seeded.client.id));
      const partial = await purge.run({ maxBatches: k, batchSize: 2 });
      expect(partial.unfinished).toEqual([seeded.client.id]);
      expect(partial.batches).toBe(k);
      // half-way: still marked, invisible, some rows gone, the record open with exact partial counts
      const left = await countsOf(seeded.client.id);
      const done = (await record(seeded.client.id)).purged_counts as Record<string, number>;
      for (const [table, n] of Object.entries(requested))
        expect([table, (left[table] ?? 0) + (done[table] ?? 0)]).toEqual([table, n]);
      expect((await record(seeded.client.id)).purged_at).toBeNull();

      const rest = await purge.run({ batchSize: 2 });
      expect(rest.purged.map((p) => p.clientId)).toEqual([seeded.client.id]);
      expect((await record(seeded.client.id)).purged_counts).toEqual({ ...requested, clients: 1 });
      expect(await rowsReferencing(t, seeded.client.id, ['client_deletions'])).toEqual({});
    }
  });

  itOnServer('survives its database connection being killed mid-way; the next run completes', async () => {
    await purge.run();
    const seeded = await seedClient(t, { ticketEvents: 300 });
    const requested = nonZero(await markForDeletion(t, seeded.client.id));
    let batches = 0;
    const killed = purge.run({
      batchSize: 20,
      onBatch: async () => {
        if (++batches !== 3) return;
        // the backend holding the purge's advisory lock is the purge's connection
        await t.dataSource.query(
          `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`,
        );
      },
    });
    await expect(killed).rejects.toThrow();
    const mid = await record(seeded.client.id);
    expect(mid.purged_at).toBeNull();

    const report = await purge.run({ batchSize: 20 });
    expect(report.failed).toEqual([]);
    expect(report.purged.map((p) => p.clientId)).toContain(seeded.client.id);
    expect((await record(seeded.client.id)).purged_counts).toEqual({ ...requested, clients: 1 });
    expect(await rowsReferencing(t, seeded.client.id, ['client_deletions'])).toEqual({});
  });

  it('never runs twice at once in one process: a run started meanwhile skips', async () => {
    await purge.run();
    const seeded = await seedClient(t, { ticketEvents: 500 });
    await markForDeletion(t, seeded.client.id);
    const other = new ClientPurgeService(
      t.dataSource,
      t.app.get(AuditLogger),
      t.app.get(PurgeScrubsRegistry),
    );
    let second: ReturnType<ClientPurgeService['run']> | undefined;
    const first = purge.run({
      batchSize: 50,
      onBatch: () => {
        second ??= other.run();
      },
    });
    const [r1, r2] = [await first, await second!];
    expect(r2.skipped).toBe(true);
    expect(r1.purged.map((p) => p.clientId)).toContain(seeded.client.id);
    expect((await other.run()).skipped).toBe(false);
  });

  itOnServer(
    'skips while another app instance holds the advisory lock, and runs once it is released',
    async () => {
      await purge.run();
      const client = await makeClient(t);
      await markForDeletion(t, client.id);
      const instance = new PgClient({ connectionString: t.db.url }); // another process's session
      await instance.connect();
      try {
        await instance.query(`SELECT pg_advisory_lock(hashtext('clientela:client-purge'))`);
        expect(await purge.run()).toMatchObject({ skipped: true, purged: [] });
        expect((await record(client.id)).purged_at).toBeNull();
        await instance.query(`SELECT pg_advisory_unlock(hashtext('clientela:client-purge'))`);
        expect((await purge.run()).purged.map((p) => p.clientId)).toEqual([client.id]);
      } finally {
        await instance.end();
      }
    },
  );

  it('purges tables added later (with their children) and guards them too', async () => {
    await purge.run();
    await t.dataSource.query(`CREATE TABLE service_notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      client_id uuid NOT NULL REFERENCES clients (id), body text)`);
    await t.dataSource
      .query(`CREATE TABLE service_note_attachments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      note_id uuid NOT NULL REFERENCES service_notes (id), file_name text)`);
    try {
      const client = await makeClient(t);
      const [note] = await t.dataSource.query(
        `INSERT INTO service_notes (client_id, body) VALUES ($1, 'nota') RETURNING id`,
        [client.id],
      );
      await t.dataSource.query(
        `INSERT INTO service_note_attachments (note_id, file_name) SELECT $1, 'a.pdf' FROM generate_series(1, 3)`,
        [note.id],
      );
      const requested = await markForDeletion(t, client.id);
      expect(requested).toMatchObject({ service_notes: 1, service_note_attachments: 3 });
      const report = await purge.run();
      expect(report.purged.find((p) => p.clientId === client.id)?.counts).toMatchObject({
        service_notes: 1,
        service_note_attachments: 3,
      });
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM service_note_attachments`);
      expect(n).toBe(0);
      // the run installed the guard on the new table
      const [{ guarded }] = await t.dataSource.query(
        `SELECT count(*)::int AS guarded FROM pg_trigger WHERE tgrelid = 'service_notes'::regclass AND tgname LIKE 'clientela_deletion_guard_%'`,
      );
      expect(guarded).toBe(2); // on insert (per statement) and on update of client_id (per row)
    } finally {
      await t.dataSource.query(`DROP TABLE service_note_attachments`);
      await t.dataSource.query(`DROP TABLE service_notes`);
    }
  });

  it('logs an error on every run for a client marked more than 36 hours ago', async () => {
    await purge.run();
    const client = await makeClient(t);
    await makeContact(t, client);
    await markForDeletion(t, client.id);
    await t.dataSource.query(
      `UPDATE clients SET deletion_requested_at = now() - interval '37 hours' WHERE id = $1`,
      [client.id],
    );
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      for (let run = 0; run < 2; run++) {
        const report = await purge.run({ maxBatches: 1 });
        expect(report.overdue).toEqual([client.id]);
      }
      const overdueLines = errors.mock.calls.filter(
        ([fields]) => (fields as { clientId?: string })?.clientId === client.id,
      );
      expect(overdueLines).toHaveLength(2);
      expect(String(overdueLines[0][1])).toContain('more than 36 h ago');
    } finally {
      errors.mockRestore();
    }
    expect((await purge.run()).purged.map((p) => p.clientId)).toEqual([client.id]);
    expect((await purge.run()).overdue).toEqual([]);
  });

  it('keeps every batch at or under 5,000 rows', async () => {
    await purge.run();
    const seeded = await seedClient(t, { ticketEvents: 12_000 });
    await markForDeletion(t, seeded.client.id);
    const sizes: number[] = [];
    await purge.run({ onBatch: ({ rows }) => void sizes.push(rows) });
    expect(Math.max(...sizes)).toBe(PURGE_BATCH_SIZE);
    expect(sizes.filter((n) => n === PURGE_BATCH_SIZE)).toHaveLength(2);
  });

  it('is scheduled hourly in-process', () => {
    const job = t.app.get(SchedulerRegistry).getCronJob('client-purge');
    expect(job).toBeDefined();
    expect(String(job.cronTime.source)).toBe('0 0-23/1 * * *');
  });
});
