import {
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import type { SessionOperator } from '../../auth/session-operator';
import { liveClientSql, whereLiveClient } from '../../clients/client-scope';
import { Client } from '../../clients/client.entity';
import { ClientsService } from '../../clients/clients.service';
import { AppError } from '../../common/errors/app-error';
import { isUuid } from '../../common/ids';
import { ClientIntegrationLink } from './client-integration-link.entity';
import { ClientSyncLock } from './client-sync-lock';
import { PROVIDER_LABELS, type ProviderId } from './integration-settings.entity';
import { JobQueue } from './job-queue.service';
import { SyncError } from './sync-error';
import { SyncProvidersRegistry, type CustomerSyncProvider } from './sync-provider';
import { SyncRun, type SyncRunError } from './sync-run.entity';

export const SYNC_CLIENT_QUEUE = 'integrations.sync-client';
export const SYNC_ALL_QUEUE = 'integrations.sync-all';
/** A run keeps this many error entries (its `failed` count stays exact). */
export const ERRORS_KEPT = 200;
const BATCH = 50;

interface RunJob {
  runId: string;
}

type ClientOutcome = { status: 'synced' } | { status: 'skipped' } | { status: 'error'; error: SyncError };

/** The app is stopping (or the job lost its claim): the run stops between clients and is resumed later. */
export class RunInterrupted extends Error {
  constructor() {
    super('sync run interrupted; it resumes from its cursor');
  }
}

export class ProviderNotReadyError extends AppError {
  constructor(messageKey: string) {
    super(HttpStatus.CONFLICT, messageKey);
  }
}

/**
 * Syncing clients to billing providers (SPEC §8), always in the background: a request records a run and
 * enqueues its job in one transaction and returns at once; workers run it.
 *
 * A run of all active clients walks them in code order and, after each client, stores the client's code as
 * its cursor together with the counters, so a restart (or a retry on another instance) continues after the
 * last client recorded. The client in flight when it stopped is synced again, which is harmless: the
 * provider upsert looks the customer up by our id before creating one.
 */
@Injectable()
export class SyncRunsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('SyncRuns');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly providers: SyncProvidersRegistry,
    private readonly clients: ClientsService,
    private readonly locks: ClientSyncLock,
  ) {}

  onModuleInit(): void {
    const retries = { retryLimit: 20, retryDelay: 2, retryBackoff: true, retryDelayMax: 300 };
    // `stately` + the run id as key: one job of a run waiting and one running, never two running.
    this.jobs.define<RunJob>({
      name: SYNC_CLIENT_QUEUE,
      options: { policy: 'stately', heartbeatSeconds: 15, expireInSeconds: 900, ...retries },
      concurrency: 2,
      handler: (job, signal) => this.process(job.data.runId, signal),
    });
    this.jobs.define<RunJob>({
      name: SYNC_ALL_QUEUE,
      options: { policy: 'stately', heartbeatSeconds: 15, expireInSeconds: 86_400, ...retries },
      concurrency: 1,
      handler: (job, signal) => this.process(job.data.runId, signal),
    });
  }

  /**
   * Runs left open by a stop or a crash get their job again (a duplicate is refused by the queue policy,
   * and a second job of a finished run does nothing), so they finish even if pg-boss gave up retrying.
   */
  onApplicationBootstrap(): void {
    setImmediate(
      () =>
        void this.recover().catch((error) =>
          this.logger.error({ err: error }, 'recovering sync runs failed'),
        ),
    );
  }

  async recover(): Promise<number> {
    if (!this.jobs.running || !this.dataSource.isInitialized) return 0;
    const open = await this.dataSource
      .getRepository(SyncRun)
      .find({ where: { status: In(['queued', 'running']) }, order: { createdAt: 'ASC' } });
    for (const run of open) await this.jobs.send(queueOf(run), { runId: run.id }, { singletonKey: run.id });
    for (const queue of [SYNC_CLIENT_QUEUE, SYNC_ALL_QUEUE]) this.jobs.wake(queue);
    return open.length;
  }

  /** "Sincronizar" on a client: marks it pending and enqueues a run of one (reusing one still queued). */
  async requestClientSync(
    operator: SessionOperator,
    providerId: ProviderId,
    clientId: string,
  ): Promise<SyncRun> {
    await this.clients.findVisible(operator, clientId); // 404 first: readiness says nothing about a client
    await this.requireReady(providerId);
    const run = await this.dataSource.transaction(async (tx) => {
      const client = await this.clients.findVisible(operator, clientId, tx);
      await tx.query(
        `INSERT INTO client_integration_links (client_id, provider, status, requested_at)
         VALUES ($1, $2, 'pending', now())
         ON CONFLICT (client_id, provider) DO UPDATE SET status = 'pending', requested_at = now(), updated_at = now()`,
        [client.id, providerId],
      );
      const repository = tx.getRepository(SyncRun);
      const queued = await repository.findOneBy({
        provider: providerId,
        clientId: client.id,
        kind: 'one',
        status: 'queued',
      });
      if (queued) return queued;
      const created = await repository.save(
        repository.create({ ...newRun(operator, providerId, 'one'), clientId: client.id, total: 1 }),
      );
      await this.jobs.send(SYNC_CLIENT_QUEUE, { runId: created.id }, { singletonKey: created.id }, tx);
      return created;
    });
    this.jobs.wake(SYNC_CLIENT_QUEUE);
    return run;
  }

  /** "Sincronizar todos os clientes ativos": one open bulk run per provider; asking again shows that one. */
  async startBulkRun(
    operator: SessionOperator,
    providerId: ProviderId,
  ): Promise<{ run: SyncRun; existing: boolean }> {
    await this.requireReady(providerId);
    const result = await this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `clientela:sync-all:${providerId}`,
      ]);
      const repository = tx.getRepository(SyncRun);
      const open = await repository.findOne({
        where: { provider: providerId, kind: 'all', status: In(['queued', 'running']) },
        order: { createdAt: 'DESC' },
      });
      if (open) return { run: open, existing: true };
      const [{ n }] = await tx.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM clients c WHERE c.status = 'active' AND ${liveClientSql()}`,
      );
      const run = await repository.save(
        repository.create({ ...newRun(operator, providerId, 'all'), total: n }),
      );
      await this.jobs.send(SYNC_ALL_QUEUE, { runId: run.id }, { singletonKey: run.id }, tx);
      return { run, existing: false };
    });
    this.jobs.wake(SYNC_ALL_QUEUE);
    return result;
  }

  async findRun(providerId: ProviderId, runId: string): Promise<SyncRun> {
    if (!isUuid(runId)) throw new NotFoundException();
    const run = await this.dataSource.getRepository(SyncRun).findOneBy({ id: runId, provider: providerId });
    if (!run) throw new NotFoundException();
    return run;
  }

  async recentRuns(providerId: ProviderId, limit = 5): Promise<SyncRun[]> {
    return this.dataSource
      .getRepository(SyncRun)
      .find({ where: { provider: providerId, kind: 'all' }, order: { createdAt: 'DESC' }, take: limit });
  }

  /** The current trade names and codes of the clients a run's errors name (removed clients are missing). */
  async clientLabels(ids: string[]): Promise<Map<string, { code: string; tradeName: string }>> {
    const unique = [...new Set(ids.filter(isUuid))];
    if (!unique.length) return new Map();
    const rows: Array<{ id: string; code: string; trade_name: string }> = await this.dataSource.query(
      `SELECT c.id, c.code, c.trade_name FROM clients c WHERE c.id = ANY($1::uuid[]) AND ${liveClientSql()}`,
      [unique],
    );
    return new Map(rows.map((r) => [r.id, { code: r.code, tradeName: r.trade_name }]));
  }

  /** The worker: runs (or resumes) one run. Safe to call twice for the same run. */
  async process(runId: string, signal: AbortSignal): Promise<void> {
    const repository = this.dataSource.getRepository(SyncRun);
    const run = await repository.findOneBy({ id: runId });
    if (!run || !run.isOpen) return;
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'running', started_at = COALESCE(started_at, now()) WHERE id = $1 AND status IN ('queued', 'running')`,
      [runId],
    );
    const provider = this.providers.get(run.provider);
    const readiness = provider
      ? await provider.readiness()
      : { ready: false, reasonKey: 'integrations.notConfigured' };
    if (!provider || !readiness.ready) {
      // Settings removed (or the connection lost) after the run was asked for: nothing can be sent.
      const code =
        readiness.reasonKey === 'integrations.contaAzul.notConnected' ? 'not_connected' : 'not_configured';
      if (run.clientId) await this.recordError(run.provider, run.clientId, new SyncError(code));
      const error: SyncRunError = { clientId: '', code: '', errorCode: code, message: '' };
      await this.dataSource.query(
        `UPDATE sync_runs SET status = 'failed', finished_at = now(), errors = errors || $2::jsonb WHERE id = $1`,
        [runId, JSON.stringify([error])],
      );
      return;
    }
    if (run.kind === 'one') await this.processOne(run, provider, signal);
    else await this.processAll(run, provider, signal);
  }

  private async processOne(run: SyncRun, provider: CustomerSyncProvider, signal: AbortSignal): Promise<void> {
    const clientId = run.clientId!;
    if (signal.aborted) throw new RunInterrupted();
    const outcome = await this.syncClient(provider, clientId, signal);
    const error = outcome.status === 'error' ? await this.errorEntry(clientId, outcome.error) : null;
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'finished', finished_at = now(), total = $2, done = $2, failed = $3,
              errors = CASE WHEN $4::jsonb IS NULL THEN errors ELSE errors || $4::jsonb END
       WHERE id = $1`,
      [run.id, outcome.status === 'skipped' ? 0 : 1, error ? 1 : 0, error ? JSON.stringify([error]) : null],
    );
  }

  private async processAll(run: SyncRun, provider: CustomerSyncProvider, signal: AbortSignal): Promise<void> {
    let cursor = run.cursorCode;
    for (;;) {
      // Only clients that existed when the run was asked for, so "n of m" means what it says.
      const batch: Array<{ id: string; code: string }> = await this.dataSource.query(
        `SELECT c.id, c.code FROM clients c
         WHERE c.status = 'active' AND ${liveClientSql()}
           AND c.created_at <= (SELECT created_at FROM sync_runs WHERE id = $1)
           AND ($2::bigint IS NULL OR c.code > $2::bigint)
         ORDER BY c.code LIMIT ${BATCH}`,
        [run.id, cursor],
      );
      if (!batch.length) break;
      for (const client of batch) {
        if (signal.aborted) throw new RunInterrupted();
        const outcome = await this.syncClient(provider, client.id, signal);
        const error = outcome.status === 'error' ? await this.errorEntry(client.id, outcome.error) : null;
        const counted = outcome.status === 'skipped' ? 0 : 1;
        await this.dataSource.query(
          `UPDATE sync_runs SET cursor_code = $2, done = done + $3, failed = failed + $4,
                  errors = CASE WHEN $5::jsonb IS NULL OR jsonb_array_length(errors) >= ${ERRORS_KEPT} THEN errors ELSE errors || $5::jsonb END
           WHERE id = $1`,
          [run.id, client.code, counted, error ? 1 : 0, error ? JSON.stringify([error]) : null],
        );
        cursor = client.code;
      }
    }
    // Clients inactivated or removed during the run were not synced: the total becomes what was done.
    await this.dataSource.query(
      `UPDATE sync_runs SET status = 'finished', finished_at = now(), total = done WHERE id = $1 AND status = 'running'`,
      [run.id],
    );
  }

  /**
   * Upserts one client on the provider and records the outcome on its link. The lock keeps a bulk run and
   * a "Sincronizar" click from upserting the same client at the same time.
   */
  private async syncClient(
    provider: CustomerSyncProvider,
    clientId: string,
    signal: AbortSignal,
  ): Promise<ClientOutcome> {
    try {
      return await this.locks.run(
        `${provider.id}:${clientId}`,
        async () => {
          const client = await whereLiveClient(
            this.dataSource
              .getRepository(Client)
              .createQueryBuilder('c')
              .where('c.id = :clientId', { clientId }),
          ).getOne();
          if (!client) return { status: 'skipped' } as const;
          const link = await this.dataSource
            .getRepository(ClientIntegrationLink)
            .findOneBy({ clientId, provider: provider.id });
          let externalId: string;
          try {
            externalId = await provider.upsert(client, link?.externalId ?? null, signal);
          } catch (error) {
            if (signal.aborted) throw new RunInterrupted();
            if (!(error instanceof SyncError)) throw error;
            await this.recordError(provider.id, clientId, error);
            return { status: 'error', error } as const;
          }
          return this.recordSynced(provider.id, client, link?.externalId ?? null, externalId);
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw new RunInterrupted();
      if (!(error instanceof SyncError)) throw error;
      await this.recordError(provider.id, clientId, error);
      return { status: 'error', error };
    }
  }

  /**
   * Synced — unless the client was edited while the provider was being called (its version moved on), in
   * which case what the provider has is already stale and the link stays pending.
   */
  private async recordSynced(
    providerId: ProviderId,
    client: Client,
    previousId: string | null,
    externalId: string,
  ): Promise<ClientOutcome> {
    try {
      await this.dataSource.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO client_integration_links (client_id, provider, external_id, status, last_synced_at)
           VALUES ($1, $2, $3, 'synced', now())
           ON CONFLICT (client_id, provider) DO UPDATE SET
             external_id = EXCLUDED.external_id,
             status = CASE WHEN (SELECT version FROM clients WHERE id = $1) = $4 THEN 'synced' ELSE 'pending' END,
             last_synced_at = now(), last_error_code = NULL, last_error = NULL, updated_at = now()`,
          [client.id, providerId, externalId, client.version],
        );
        if (previousId !== externalId)
          await this.recordLinkInHistory(tx, client.id, providerId, previousId, externalId);
      });
      return { status: 'synced' };
    } catch (error) {
      if (!(error instanceof QueryFailedError) || (error.driverError as { code?: string }).code !== '23505')
        throw error;
      // That customer is already linked to another of our clients (e.g. both matched the same CNPJ).
      const conflict = new SyncError('conflict', externalId);
      await this.recordError(providerId, client.id, conflict);
      return { status: 'error', error: conflict };
    }
  }

  private async recordLinkInHistory(
    tx: EntityManager,
    clientId: string,
    providerId: ProviderId,
    before: string | null,
    after: string,
  ) {
    await this.clients.emit(
      tx,
      clientId,
      null,
      'linked',
      'integration',
      { externalId: [before, after] },
      null,
      PROVIDER_LABELS[providerId],
    );
  }

  private async recordError(providerId: ProviderId, clientId: string, error: SyncError): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO client_integration_links (client_id, provider, status, last_error_code, last_error)
       SELECT $1, $2, 'error', $3, $4 WHERE EXISTS (SELECT 1 FROM clients c WHERE c.id = $1 AND ${liveClientSql()})
       ON CONFLICT (client_id, provider) DO UPDATE SET status = 'error', last_error_code = $3, last_error = $4, updated_at = now()`,
      [clientId, providerId, error.code, error.detail.slice(0, 1000)],
    );
  }

  private async errorEntry(clientId: string, error: SyncError): Promise<SyncRunError> {
    const [row] = await this.dataSource.query<Array<{ code: string }>>(
      `SELECT code FROM clients WHERE id = $1`,
      [clientId],
    );
    return { clientId, code: row?.code ?? '', errorCode: error.code, message: error.detail.slice(0, 500) };
  }

  private async requireReady(providerId: ProviderId): Promise<CustomerSyncProvider> {
    const provider = this.providers.get(providerId);
    if (!provider) throw new NotFoundException();
    const readiness = await provider.readiness();
    if (!readiness.ready)
      throw new ProviderNotReadyError(readiness.reasonKey ?? 'integrations.notConfigured');
    return provider;
  }
}

const queueOf = (run: SyncRun) => (run.kind === 'one' ? SYNC_CLIENT_QUEUE : SYNC_ALL_QUEUE);

function newRun(operator: SessionOperator, provider: ProviderId, kind: 'one' | 'all'): Partial<SyncRun> {
  return {
    provider,
    kind,
    status: 'queued',
    done: 0,
    failed: 0,
    errors: [],
    requestedBy: operator.id,
    requestedByName: operator.name,
  };
}
