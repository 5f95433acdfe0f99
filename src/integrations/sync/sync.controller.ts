import { Controller, Get, HttpCode, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../../auth/session-operator';
import { ClientsService } from '../../clients/clients.service';
import { CurrentOperator, Roles } from '../../common/auth.decorators';
import { flash } from '../../common/flash';
import { htmxTargetId, isHtmx, redirectAfterChange, varyOnHtmx } from '../../common/htmx';
import { translate } from '../../common/i18n/translate';
import { saveSession } from '../../common/session-save';
import { syncErrorMessage } from './sync-error-message';
import { isProvider, PROVIDER_LABELS, PROVIDERS, type ProviderId } from './integration-settings.entity';
import { IntegrationStatusService } from './integration-status.service';
import { SyncProvidersRegistry } from './sync-provider';
import type { SyncRun } from './sync-run.entity';
import { ProviderNotReadyError, SyncRunsService } from './sync-runs.service';

const providerOf = (value: string): ProviderId => {
  if (!isProvider(value)) throw new NotFoundException();
  return value;
};

/**
 * Syncing clients to Asaas / Conta Azul: "Sincronizar" on a client, "Sincronizar todos os
 * clientes ativos" and its progress page, and the overview at `/integrations`. Requests only record and
 * enqueue; the provider is never called while the operator waits.
 */
@Controller()
export class SyncController {
  constructor(
    private readonly runs: SyncRunsService,
    private readonly status: IntegrationStatusService,
    private readonly clients: ClientsService,
    private readonly providers: SyncProvidersRegistry,
  ) {}

  /** Providers, whether they are ready, the bulk sync button and the latest bulk runs. */
  @Get('integrations')
  @Roles('admin', 'manager')
  async overview(@Res() res: Response) {
    const providers = await Promise.all(
      PROVIDERS.map(async (provider) => {
        const readiness = (await this.providers.get(provider)?.readiness()) ?? {
          ready: false,
          reasonKey: 'integrations.notConfigured',
        };
        const runs = await this.runs.recentRuns(provider);
        return {
          provider,
          label: PROVIDER_LABELS[provider],
          ready: readiness.ready,
          reasonKey: readiness.reasonKey ?? 'integrations.notConfigured',
          runs: runs.map((run) => runSummary(run)),
          openRun: runs.find((run) => run.isOpen) ?? null,
        };
      }),
    );
    res.render('integrations/index', {
      title: translate(res.locals.locale, 'integrations.pageTitle'),
      section: 'settings',
      providers,
    });
  }

  /**
   * The status block of one provider on the client page: the fragment (htmx polls it while a sync is
   * queued), or without JS the client page itself.
   */
  @Get('clients/:id/integrations/:provider')
  async clientStatus(
    @Param('id') id: string,
    @Param('provider') provider: string,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const providerId = providerOf(provider);
    const client = await this.clients.findVisible(operator, id);
    varyOnHtmx(res);
    if (!isHtmx(req)) return res.redirect(303, `/clients/${client.id}#integrations`);
    const [view] = await this.status.forClient(client.id, operator, providerId);
    res.render('integrations/_client-status', { ...view, layout: false });
  }

  @Post('clients/:id/integrations/:provider/sync')
  @Roles('admin', 'manager')
  @HttpCode(200)
  async syncClient(
    @Param('id') id: string,
    @Param('provider') provider: string,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const providerId = providerOf(provider);
    const back = `/clients/${encodeURIComponent(id)}#integrations`;
    varyOnHtmx(res);
    let notice: { kind: 'success' | 'error'; message: string };
    let status = 200;
    try {
      await this.runs.requestClientSync(operator, providerId, id);
      notice = {
        kind: 'success',
        message: translate(res.locals.locale, 'integrations.syncQueued', {
          provider: PROVIDER_LABELS[providerId],
        }),
      };
    } catch (error) {
      if (!(error instanceof ProviderNotReadyError)) throw error;
      status = 409;
      notice = {
        kind: 'error',
        message: translate(res.locals.locale, error.messageKey, { provider: PROVIDER_LABELS[providerId] }),
      };
    }
    if (isHtmx(req)) {
      const [view] = await this.status.forClient(id, operator, providerId);
      return res.status(status).render('integrations/_client-status', { ...view, notice, layout: false });
    }
    flash(req, notice.kind, notice.message);
    await saveSession(req);
    res.redirect(303, back);
  }

  @Post('integrations/:provider/sync-all')
  @Roles('admin', 'manager')
  @HttpCode(200)
  async syncAll(
    @Param('provider') provider: string,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const providerId = providerOf(provider);
    const label = PROVIDER_LABELS[providerId];
    try {
      const { run, existing } = await this.runs.startBulkRun(operator, providerId);
      const message = existing ? 'integrations.bulkAlreadyRunning' : 'integrations.bulkQueued';
      flash(req, 'info', message, { provider: label }, null);
      redirectAfterChange(req, res, `/integrations/${providerId}/runs/${run.id}`);
    } catch (error) {
      if (!(error instanceof ProviderNotReadyError)) throw error;
      flash(req, 'error', error.messageKey, { provider: label }, null);
      redirectAfterChange(req, res, '/integrations');
    }
  }

  /** Progress of a run: the page, or the `#sync-run-progress` fragment it polls every 2 s until finished. */
  @Get('integrations/:provider/runs/:runId')
  @Roles('admin', 'manager')
  async run(
    @Param('provider') provider: string,
    @Param('runId') runId: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const providerId = providerOf(provider);
    const run = await this.runs.findRun(providerId, runId);
    const labels = await this.runs.clientLabels(run.errors.map((e) => e.clientId));
    const view = {
      run: {
        ...runSummary(run),
        errors: run.errors.map((e) => ({
          ...e,
          text: syncErrorMessage(
            res.locals.locale as string,
            PROVIDER_LABELS[providerId],
            e.errorCode,
            e.message,
          ),
          client: labels.get(e.clientId) ?? null,
          removed: !!e.clientId && !labels.has(e.clientId),
        })),
        errorsTruncated: run.failed > run.errors.length,
      },
    };
    varyOnHtmx(res);
    if (htmxTargetId(req) === 'sync-run-progress')
      return res.render('integrations/_run-progress', { ...view, layout: false });
    res.render('integrations/run', {
      ...view,
      title: translate(res.locals.locale, 'integrations.run.title', {
        provider: PROVIDER_LABELS[providerId],
      }),
      section: 'settings',
    });
  }
}

function runSummary(run: SyncRun) {
  const total = Math.max(run.total, run.done);
  return {
    id: run.id,
    provider: run.provider,
    label: PROVIDER_LABELS[run.provider],
    kind: run.kind,
    status: run.status,
    open: run.isOpen,
    total,
    done: run.done,
    failed: run.failed,
    synced: run.done - run.failed,
    percent: total ? Math.floor((run.done / total) * 100) : run.isOpen ? 0 : 100,
    requestedByName: run.requestedByName,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}
