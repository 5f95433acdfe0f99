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
import type { Client } from '../../clients/client.entity';
import { ClientsRepository } from '../../clients/clients.repository';
import { ClientsService } from '../../clients/clients.service';
import { AppError } from '../../common/errors/app-error';
import { isUuid } from '../../common/ids';
import { ClientIntegrationLink } from './client-integration-link.entity';
import { ClientSyncLock } from './client-sync-lock';
import { PROVIDER_LABELS, type ProviderId } from './integration-settings.entity';
import { JobQueue } from '../../jobs/job-queue.service';
import { SyncError } from './sync-error';
import { SyncProvidersRegistry, type CustomerSyncProvider } from './sync-provider';
import { SyncRun, type SyncRunError } from './sync-run.entity';
import { SyncRunsRepository } from './sync-runs.repository';

export const SYNC_CLIENT_QUEUE = 'integrations.sync-client';
export const SYNC_ALL_QUEUE = 'integrations.sync-all';
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
 * Syncing clients to billing providers, always in the background: a request records a run and
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
    private readonly clientRows: ClientsRepository,
    private readonly repository: SyncRunsRepository,
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
      await this.repository.markLinkRequested(tx, client.id, providerId);
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
      await this.repository.lockBulkStart(tx, providerId);
      const repository = tx.getRepository(SyncRun);
      const open = await repository.findOne({
        where: { provider: providerId, kind: 'all', status: In(['queued', 'running']) },
        order: { createdAt: 'DESC' },
      });
      if (open) return { run: open, existing: true };
      const n = await this.repository.countActiveClients(tx);
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
    const rows = await this.repository.clientLabels(unique);
    return new Map(rows.map((r) => [r.id, { code: r.code, tradeName: r.tradeName }]));
  }

  /** The worker: runs (or resumes) one run. Safe to call twice for the same run. */
  async process(runId: string, signal: AbortSignal): Promise<void> {
    const repository = this.dataSource.getRepository(SyncRun);
    const run = await repository.findOneBy({ id: runId });
    if (!run || !run.isOpen) return;
    await this.repository.markRunning(runId);
    const provider = this.providers.get(run.provider);
    const readiness = provider
      ? await provider.readiness()
      : { ready: false, reasonKey: 'integrations.notConfigured' };
    if (!provider || !readiness.ready) {
      // Settings removed (or the connection lost) after the run was asked for: nothing can be sent.
      const code =
        readiness.reasonKey === 'integrations.contaAzul.notConnected' ? 'not_connected' : 'not_configured';
      if (run.clientId) await this.recordError(run.provider, run.clientId, new SyncError(code));
      await this.repository.fail(runId, { clientId: '', code: '', errorCode: code, message: '' });
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
    await this.repository.finishOne(run.id, outcome.status === 'skipped' ? 0 : 1, error);
  }

  private async processAll(run: SyncRun, provider: CustomerSyncProvider, signal: AbortSignal): Promise<void> {
    let cursor = run.cursorCode;
    for (;;) {
      const batch = await this.repository.nextBatch(run.id, cursor, BATCH);
      if (!batch.length) break;
      for (const client of batch) {
        if (signal.aborted) throw new RunInterrupted();
        const outcome = await this.syncClient(provider, client.id, signal);
        const error = outcome.status === 'error' ? await this.errorEntry(client.id, outcome.error) : null;
        const counted = outcome.status === 'skipped' ? 0 : 1;
        await this.repository.recordProgress(run.id, { cursor: client.code, counted, error });
        cursor = client.code;
      }
    }
    await this.repository.finishAll(run.id);
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
          const client = await this.clientRows.findLive(clientId);
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
        await this.repository.recordSynced(tx, {
          clientId: client.id,
          provider: providerId,
          externalId,
          version: client.version,
        });
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
    await this.clients.emit(tx, {
      clientId,
      operator: null,
      action: 'linked',
      subject: 'integration',
      changes: { externalId: [before, after] },
      subjectLabel: PROVIDER_LABELS[providerId],
    });
  }

  private recordError(providerId: ProviderId, clientId: string, error: SyncError): Promise<void> {
    return this.repository.recordError(providerId, clientId, error);
  }

  private async errorEntry(clientId: string, error: SyncError): Promise<SyncRunError> {
    const code = (await this.repository.clientCode(clientId)) ?? '';
    return { clientId, code, errorCode: error.code, message: error.detail.slice(0, 500) };
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
