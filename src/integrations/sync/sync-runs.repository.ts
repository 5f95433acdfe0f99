import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { liveClientSql } from '../../clients/client-scope';
import type { ProviderId } from './integration-settings.entity';
import type { SyncError } from './sync-error';
import type { SyncRunError } from './sync-run.entity';

/** A run keeps this many error entries (its `failed` count stays exact). */
export const ERRORS_KEPT = 200;

/**
 * The SQL of sync runs and of each client's link to a provider (`client_integration_links`). Runs act for
 * nobody in particular, so they see every client not marked for deletion (the live scope of
 * client-scope.ts); whoever asked for a run was checked when it was asked for.
 */
@Injectable()
export class SyncRunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The client's link goes (back) to "pending", asked for now. */
  async markLinkRequested(tx: EntityManager, clientId: string, provider: ProviderId): Promise<void> {
    await tx.query(
      `INSERT INTO client_integration_links (client_id, provider, status, requested_at)
       VALUES ($1, $2, 'pending', now())
       ON CONFLICT (client_id, provider) DO UPDATE SET status = 'pending', requested_at = now(), updated_at = now()`,
      [clientId, provider],
    );
  }

  /** Serialises the start of bulk runs of one provider until the transaction ends. */
  async lockBulkStart(tx: EntityManager, provider: ProviderId): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `clientela:sync-all:${provider}`,
    ]);
  }

  async countActiveClients(tx: EntityManager): Promise<number> {
    const [{ n }] = await tx.query(
      `SELECT count(*)::int AS n FROM clients c WHERE c.status = 'active' AND ${liveClientSql()}`,
    );
    return n;
  }

  /** Code and trade name of the clients still there among `ids`. */
  async clientLabels(ids: string[]): Promise<Array<{ id: string; code: string; tradeName: string }>> {
    return this.dataSource.query(
      `SELECT c.id, c.code, c.trade_name AS "tradeName" FROM clients c WHERE c.id = ANY($1::uuid[]) AND ${liveClientSql()}`,
      [ids],
    );
  }

  /** The code of a client (its history outlives nothing: empty once purged). */
  async clientCode(id: string): Promise<string | null> {
    const [row] = await this.dataSource.query(`SELECT code FROM clients WHERE id = $1`, [id]);
    return row?.code ?? null;
  }

  /**
   * The next active clients of a bulk run after `cursor` (a client code), in code order: only clients
   * that existed when the run was asked for, so "n of m" means what it says.
   */
  nextBatch(
    runId: string,
    cursor: string | null,
    size: number,
  ): Promise<Array<{ id: string; code: string }>> {
    return this.dataSource.query(
      `SELECT c.id, c.code FROM clients c
       WHERE c.status = 'active' AND ${liveClientSql()}
         AND c.created_at <= (SELECT created_at FROM sync_runs WHERE id = $1)
         AND ($2::bigint IS NULL OR c.code > $2::bigint)
       ORDER BY c.code LIMIT ${Number(size)}`,
      [runId, cursor],
    );
  }

  async markRunning(runId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'running', started_at = COALESCE(started_at, now()) WHERE id = $1 AND status IN ('queued', 'running')`,
      [runId],
    );
  }

  async fail(runId: string, error: SyncRunError): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'failed', finished_at = now(), errors = errors || $2::jsonb WHERE id = $1`,
      [runId, JSON.stringify([error])],
    );
  }

  /** A run of one client is over: `counted` is 0 when the client was gone, 1 otherwise. */
  async finishOne(runId: string, counted: number, error: SyncRunError | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'finished', finished_at = now(), total = $2, done = $2, failed = $3,
              errors = CASE WHEN $4::jsonb IS NULL THEN errors ELSE errors || $4::jsonb END
       WHERE id = $1`,
      [runId, counted, error ? 1 : 0, error ? JSON.stringify([error]) : null],
    );
  }

  /** After each client of a bulk run: its code as the cursor, with the counters (and the error, if kept). */
  async recordProgress(
    runId: string,
    progress: { cursor: string; counted: number; error: SyncRunError | null },
  ): Promise<void> {
    const { cursor, counted, error } = progress;
    await this.dataSource.query(
      `UPDATE sync_runs SET cursor_code = $2, done = done + $3, failed = failed + $4,
              errors = CASE WHEN $5::jsonb IS NULL OR jsonb_array_length(errors) >= ${ERRORS_KEPT} THEN errors ELSE errors || $5::jsonb END
       WHERE id = $1`,
      [runId, cursor, counted, error ? 1 : 0, error ? JSON.stringify([error]) : null],
    );
  }

  /** Clients inactivated or removed during the run were not synced: the total becomes what was done. */
  async finishAll(runId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'finished', finished_at = now(), total = done WHERE id = $1 AND status = 'running'`,
      [runId],
    );
  }

  /**
   * The link is synced to `externalId` — unless the client was edited while the provider was being called
   * (its version moved past `version`): what the provider has is then already stale and it stays pending.
   */
  async recordSynced(
    tx: EntityManager,
    link: { clientId: string; provider: ProviderId; externalId: string; version: number },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO client_integration_links (client_id, provider, external_id, status, last_synced_at)
       VALUES ($1, $2, $3, 'synced', now())
       ON CONFLICT (client_id, provider) DO UPDATE SET
         external_id = EXCLUDED.external_id,
         status = CASE WHEN (SELECT version FROM clients WHERE id = $1) = $4 THEN 'synced' ELSE 'pending' END,
         last_synced_at = now(), last_error_code = NULL, last_error = NULL, updated_at = now()`,
      [link.clientId, link.provider, link.externalId, link.version],
    );
  }

  /** The last failure on the client's link (nothing for a client marked for deletion meanwhile). */
  async recordError(provider: ProviderId, clientId: string, error: SyncError): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO client_integration_links (client_id, provider, status, last_error_code, last_error)
       SELECT $1, $2, 'error', $3, $4 WHERE EXISTS (SELECT 1 FROM clients c WHERE c.id = $1 AND ${liveClientSql()})
       ON CONFLICT (client_id, provider) DO UPDATE SET status = 'error', last_error_code = $3, last_error = $4, updated_at = now()`,
      [clientId, provider, error.code, error.detail.slice(0, 1000)],
    );
  }
}
