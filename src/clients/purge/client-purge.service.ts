import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { PurgeScrubsRegistry } from './purge-scrubs';
import { AuditLogger } from '../../common/audit-logger';
import type { TableCounts } from '../client-deletion.entity';
import { ClientGraph, deleteBatchSql, detachBatchSql, type ForeignKey } from './client-graph';

/** Rows per batch, one short transaction each: locks stay brief, so the purge never blocks normal traffic. */
export const PURGE_BATCH_SIZE = 5000;
/** A marked client still present after this long is logged as an error on every run (deadline: 48 h). */
export const PURGE_OVERDUE_HOURS = 36;
const LOCK_NAME = 'clientela:client-purge';

/**
 * The run in progress in this process, whichever service instance started it. The advisory lock covers
 * other processes; this covers the embedded database, where every connection shares one session (and a
 * session's advisory locks re-enter).
 */
let runningHere: Promise<PurgeReport> | null = null;
const PASSES = 3;
const LOCK_RETRIES = 3;

export interface PurgeOptions {
  /** Stop after this many batches, as if killed (tests, and `purge:run --max-batches`). */
  maxBatches?: number;
  /** At most PURGE_BATCH_SIZE. */
  batchSize?: number;
  /** Called after each committed batch. */
  onBatch?: (batch: { clientId: string; table: string; rows: number }) => void | Promise<void>;
}

export interface PurgeReport {
  /** Another run (another app instance) holds the lock: this one did nothing. */
  skipped: boolean;
  purged: Array<{ clientId: string; counts: TableCounts }>;
  /** Stopped by `maxBatches`; the next run resumes them. */
  unfinished: string[];
  failed: Array<{ clientId: string; error: string }>;
  overdue: string[];
  batches: number;
}

/**
 * Billing changes of other clients record the payer's id in `client_history.changes.billingClientId`
 * ([before, after]); up to `$2` such entries get the deleted client's id (`$1`) replaced by null. Uses
 * the partial GIN index `client_history_billing_ref_idx`.
 */
const BILLING_HISTORY_SCRUB_SQL = `WITH scrubbed AS (
    UPDATE client_history SET changes = jsonb_set(changes, '{billingClientId}', (
      SELECT coalesce(jsonb_agg(CASE WHEN value = to_jsonb($1::text) THEN 'null'::jsonb ELSE value END), '[]'::jsonb)
      FROM jsonb_array_elements(changes -> 'billingClientId')))
    WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM client_history
      WHERE changes ? 'billingClientId' AND (changes -> 'billingClientId') @> jsonb_build_array($1::text)
      LIMIT $2))
    RETURNING 1)
  SELECT count(*)::int AS n FROM scrubbed`;

interface Budget {
  left: number;
  used: number;
}

const emptyReport = (skipped: boolean): PurgeReport => ({
  skipped,
  purged: [],
  unfinished: [],
  failed: [],
  overdue: [],
  batches: 0,
});

/**
 * Removes every row of the clients marked for deletion, within 48 hours of the request (hourly runs). Tables come from the catalog
 * (ClientGraph), children before parents, in batches of at most 5,000 rows, each in its own short
 * transaction with `lock_timeout` 2 s and `statement_timeout` 30 s set locally, so web traffic is never
 * held up. Each batch also adds its rows to the deletion record's `purged_counts`, so the counts stay
 * exact across kills. Idempotent and resumable: a run only ever deletes what is still there, and the
 * client row goes last, with its traces in sessions, in the transaction that closes the record.
 *
 * A PostgreSQL advisory lock keeps two app instances (or the CLI and the app) from running at once.
 */
@Injectable()
export class ClientPurgeService {
  private readonly logger = new Logger('ClientPurge');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditLogger,
    private readonly scrubs: PurgeScrubsRegistry,
  ) {
    scrubs.register({ table: 'client_history', sql: BILLING_HISTORY_SCRUB_SQL });
  }

  run(options: PurgeOptions = {}): Promise<PurgeReport> {
    if (runningHere) return Promise.resolve(emptyReport(true));
    const run = this.runLocked(options).finally(() => {
      runningHere = null;
    });
    runningHere = run;
    return run;
  }

  private async runLocked(options: PurgeOptions): Promise<PurgeReport> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
        LOCK_NAME,
      ])) as [{ locked: boolean }];
      if (!locked) {
        this.logger.log('another purge run holds the lock; skipping this one');
        return emptyReport(true);
      }
      try {
        return await this.purgeAll(runner, options);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [LOCK_NAME]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  private async purgeAll(runner: QueryRunner, options: PurgeOptions): Promise<PurgeReport> {
    const started = Date.now();
    const report = emptyReport(false);
    // Tables added since start-up get their guard before anything else happens. A failure here (a table
    // too busy to take the trigger) does not stop the purge: late rows are caught by its later passes.
    await runner
      .query(`SELECT clientela_install_deletion_guards()`)
      .catch((error: unknown) =>
        this.logger.warn({ error: describeError(error) }, 'deletion guards not installed'),
      );
    report.overdue = await this.reportOverdue(runner);
    const graph = await ClientGraph.load(runner);
    if (graph.cyclic.length)
      this.logger.warn({ tables: graph.cyclic }, 'reference cycle between tables of client data');
    const marked = (await runner.query(
      `SELECT id FROM clients WHERE deletion_requested_at IS NOT NULL ORDER BY deletion_requested_at, id`,
    )) as Array<{ id: string }>;
    this.audit.log('purge.started', { clients: marked.length, overdue: report.overdue.length });

    const budget: Budget = { left: options.maxBatches ?? Number.POSITIVE_INFINITY, used: 0 };
    const batchSize = Math.min(Math.max(1, options.batchSize ?? PURGE_BATCH_SIZE), PURGE_BATCH_SIZE);
    for (const { id } of marked) {
      if (budget.left <= 0) {
        report.unfinished.push(id);
        continue;
      }
      try {
        const counts = await this.purgeClient(runner, graph, id, budget, batchSize, options);
        if (counts) {
          report.purged.push({ clientId: id, counts });
          this.audit.log('purge.client_purged', { clientId: id, counts });
        } else {
          report.unfinished.push(id);
        }
      } catch (error) {
        const message = describeError(error);
        report.failed.push({ clientId: id, error: message });
        this.logger.error(
          { clientId: id, error: message },
          'purge of a client failed; the next run resumes it',
        );
        await this.dataSource
          .query(`UPDATE client_deletions SET last_error = $2 WHERE client_id = $1`, [id, message])
          .catch(() => undefined);
        if (isConnectionLost(error)) throw error; // this run's connection is gone: the next run resumes
      }
    }
    // Records of clients removed some other way are closed as well.
    await runner.query(
      `UPDATE client_deletions d SET purged_at = now()
       WHERE purged_at IS NULL AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = d.client_id)`,
    );
    report.batches = budget.used;
    this.audit.log('purge.finished', {
      purged: report.purged.length,
      unfinished: report.unfinished.length,
      failed: report.failed.length,
      batches: report.batches,
      ms: Date.now() - started,
    });
    return report;
  }

  /** The rows of one client, children first; null when the batch budget ran out first. */
  private async purgeClient(
    runner: QueryRunner,
    graph: ClientGraph,
    clientId: string,
    budget: Budget,
    batchSize: number,
    options: PurgeOptions,
  ): Promise<TableCounts | null> {
    await runner.query(`UPDATE client_deletions SET last_attempt_at = now() WHERE client_id = $1`, [
      clientId,
    ]);
    const drain = (sql: string, table: string, counted: boolean) =>
      this.drain(runner, clientId, sql, table, counted, budget, batchSize, options);
    const detach = async (key: ForeignKey) => {
      const refPaths =
        key.refTable === graph.root ? [null] : graph.tables.find((t) => t.table === key.refTable)!.ownerPaths;
      for (const path of refPaths)
        if (!(await drain(detachBatchSql(key, path), key.tableName, false))) return false;
      return true;
    };

    for (let pass = 1; pass <= PASSES; pass++) {
      for (const key of graph.rootDetachKeys) if (!(await detach(key))) return null;
      for (const plan of graph.tables) {
        // References inside the table (a parent row) first, so rows can go in any order.
        for (const key of plan.detachKeys.filter((k) => k.refTable === plan.table))
          if (!(await detach(key))) return null;
        for (const path of plan.ownerPaths) {
          if (!(await drain(deleteBatchSql(plan, path), plan.tableName, true))) return null;
        }
        for (const key of plan.detachKeys.filter((k) => k.refTable !== plan.table))
          if (!(await detach(key))) return null;
      }
      // Ids outside foreign keys: other clients' history keeps who paid for them (blanked, never a name),
      // and modules built on clients register theirs (PurgeScrubsRegistry).
      for (const scrub of this.scrubs.all()) if (!(await drain(scrub.sql, scrub.table, false))) return null;
      if (budget.left <= 0) return null;
      const finished = await this.finish(runner, clientId);
      budget.left--;
      budget.used++;
      if (finished) {
        const [record] = (await runner.query(
          `SELECT purged_counts AS counts FROM client_deletions WHERE client_id = $1`,
          [clientId],
        )) as Array<{ counts: TableCounts }>;
        return record?.counts ?? {};
      }
      // A row was added between the passes (a transaction that began before the mark): go again.
    }
    throw new Error(`rows of the client kept appearing after ${PASSES} passes`);
  }

  /** Runs one batch statement until it affects fewer rows than a batch; false when out of budget. */
  private async drain(
    runner: QueryRunner,
    clientId: string,
    sql: string,
    table: string,
    counted: boolean,
    budget: Budget,
    batchSize: number,
    options: PurgeOptions,
  ): Promise<boolean> {
    for (;;) {
      if (budget.left <= 0) return false;
      const rows = await this.inBatch(runner, async () => {
        const [{ n }] = (await runner.query(sql, [clientId, batchSize])) as [{ n: number }];
        if (counted && n > 0) {
          await runner.query(
            `UPDATE client_deletions
             SET purged_counts = jsonb_set(purged_counts, ARRAY[$2::text], to_jsonb(coalesce((purged_counts ->> $2)::bigint, 0) + $3::bigint))
             WHERE client_id = $1`,
            [clientId, table, n],
          );
        }
        return n;
      });
      budget.left--;
      budget.used++;
      await options.onBatch?.({ clientId, table, rows });
      // Let the web requests of this process run between batches.
      await new Promise((resolve) => setImmediate(resolve));
      if (rows < batchSize) return true;
    }
  }

  /**
   * Last step, one transaction: the session traces of the client (flash messages naming it, a pending
   * return to its deletion), the client row, and the record marked purged. False when a child row
   * appeared meanwhile (the foreign key refuses), so the caller makes another pass.
   */
  private async finish(runner: QueryRunner, clientId: string): Promise<boolean> {
    try {
      return await this.inBatch(runner, async () => {
        const [client] = (await runner.query(
          `SELECT trade_name AS "tradeName", legal_name AS "legalName", email FROM clients
           WHERE id = $1 AND deletion_requested_at IS NOT NULL FOR UPDATE`,
          [clientId],
        )) as Array<{ tradeName: string; legalName: string | null; email: string | null }>;
        if (client) {
          const needles = [clientId, client.tradeName, client.legalName, client.email]
            .filter((s): s is string => !!s && s.length >= 3)
            .map((s) => JSON.stringify(s).slice(1, -1));
          await runner.query(
            `UPDATE sessions SET sess = (sess::jsonb - 'flash' - 'totpReturnTo')::json
             WHERE ${needles.map((_, i) => `strpos(sess::text, $${i + 1}) > 0`).join(' OR ')}`,
            needles,
          );
          await runner.query(`DELETE FROM clients WHERE id = $1`, [clientId]);
        }
        await runner.query(
          `UPDATE client_deletions
           SET purged_at = coalesce(purged_at, now()), last_error = NULL,
               purged_counts = purged_counts || jsonb_build_object('clients', $2::int)
           WHERE client_id = $1`,
          [clientId, client ? 1 : 0],
        );
        return true;
      });
    } catch (error) {
      if ((error as { driverError?: { code?: string }; code?: string }).driverError?.code === '23503')
        return false;
      throw error;
    }
  }

  /** One short transaction with the purge's own timeouts; a lock wait is retried a couple of times. */
  private async inBatch<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await runner.startTransaction();
      try {
        await runner.query(`SET LOCAL lock_timeout = '2s'`);
        await runner.query(`SET LOCAL statement_timeout = '30s'`);
        const result = await work();
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        if (codeOf(error) === '55P03' && attempt < LOCK_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
          continue;
        }
        throw error;
      }
    }
  }

  /** Marked clients older than 36 h: an error line each, on every run, until they are gone. */
  private async reportOverdue(runner: QueryRunner): Promise<string[]> {
    const rows = (await runner.query(
      `SELECT id, deletion_requested_at AS "requestedAt" FROM clients
       WHERE deletion_requested_at < now() - make_interval(hours => $1) ORDER BY deletion_requested_at`,
      [PURGE_OVERDUE_HOURS],
    )) as Array<{ id: string; requestedAt: Date }>;
    for (const row of rows) {
      this.logger.error(
        { clientId: row.id, requestedAt: row.requestedAt },
        `client marked for deletion more than ${PURGE_OVERDUE_HOURS} h ago is not purged yet (deadline: 48 h)`,
      );
    }
    return rows.map((r) => r.id);
  }
}

const codeOf = (error: unknown): string | undefined => {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
};

const isConnectionLost = (error: unknown): boolean =>
  /Connection terminated|connection error|not queryable|ECONNRESET/i.test(
    String((error as Error)?.message ?? ''),
  ) || ['57P01', '08006', '08003'].includes(codeOf(error) ?? '');

/** An error for the log and the record: SQLSTATE and message (table and constraint names, no data). */
function describeError(error: unknown): string {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return `${code ? `${code}: ` : ''}${message}`.slice(0, 500);
}
