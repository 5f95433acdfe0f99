import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { TotpCodeDto } from '../auth/dto/operator.dto';
import type { SessionOperator } from '../auth/session-operator';
import { totpRefusal } from '../auth/totp/totp-refusal';
import { TotpService } from '../auth/totp/totp.service';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import { isHtmx, redirectAfterChange, varyOnHtmx } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { ClientDeletionService } from './client-deletion.service';
import type { Client } from './client.entity';
import { ClientsService } from './clients.service';
import type { DeletionKind } from './deletion-summary';

type Step = 'confirm' | 'code';

interface DialogView {
  client: Client;
  step: Step;
  kinds?: DeletionKind[];
  billedClients?: number;
  locked?: boolean;
  error?: string;
}

/**
 * `/clients/:id/delete`: step 1 lists what will be removed, with counts; step 2 (`?step=code`)
 * asks for the operator's current TOTP code; the POST marks the client. One handler serves the htmx
 * dialog (a fragment) and the page without JavaScript.
 */
@Controller('clients/:id/delete')
@Roles('admin', 'manager')
export class ClientDeletionController {
  constructor(
    private readonly deletion: ClientDeletionService,
    private readonly clients: ClientsService,
    private readonly totp: TotpService,
  ) {}

  @Get()
  async show(
    @Param('id') id: string,
    @Query('step') step: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    varyOnHtmx(res);
    if (step !== 'code') {
      // Opened from a trash icon (a list row, the client page): the dialog goes at the end of the page,
      // whatever the link's surroundings would target.
      if (isHtmx(req)) res.set({ 'HX-Retarget': 'body', 'HX-Reswap': 'beforeend' });
      const preview = await this.deletion.preview(operator, id);
      return this.render(req, res, 200, { step: 'confirm', ...preview });
    }
    const client = await this.clients.findVisible(operator, id);
    const totp = await this.totp.status(operator.id);
    if (!totp.enabled && !totp.locked) return this.sendToEnrollment(req, res, client.id);
    this.render(req, res, totp.locked ? 423 : 200, {
      step: 'code',
      client,
      locked: totp.locked,
      error: totp.locked ? translate(res.locals.locale, 'totp.locked') : undefined,
    });
  }

  @Post()
  @HttpCode(200)
  async remove(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(TotpCodeDto, body, res.locals.locale);
    if (!parsed.ok) {
      const client = await this.clients.findVisible(operator, id);
      return this.render(req, res, 422, { step: 'code', client, error: parsed.errors.code });
    }
    const outcome = await this.deletion.request(operator, id, parsed.value.code, {
      ip: req.ip,
      requestId: req.id,
    });
    if (outcome.ok) {
      flash(req, 'success', 'deletion.scheduled');
      return redirectAfterChange(req, res, '/clients');
    }
    if (outcome.verification.reason === 'not_enrolled') return this.sendToEnrollment(req, res, id);
    // Nothing changed: the same step again, saying why.
    const client = await this.clients.findVisible(operator, id);
    const { status, message } = totpRefusal(res, outcome.verification);
    this.render(req, res, status, {
      step: 'code',
      client,
      locked:
        outcome.verification.reason === 'locked' ||
        ('lockedNow' in outcome.verification && outcome.verification.lockedNow),
      error: message,
    });
  }

  /** Deletion needs 2FA: enroll first, then come back to this step. */
  private sendToEnrollment(req: Request, res: Response, clientId: string) {
    req.session.totpReturnTo = `/clients/${clientId}/delete?step=code`;
    flash(req, 'info', 'deletion.enrollFirst');
    redirectAfterChange(req, res, '/account/security#totp');
  }

  private render(req: Request, res: Response, status: number, view: DialogView) {
    const locale = res.locals.locale as string;
    const data = {
      ...view,
      title: translate(locale, 'deletion.title', { name: view.client.tradeName }),
      section: 'clients',
      kinds: view.kinds?.map((kind) => ({
        ...kind,
        label: kindLabel(locale, kind),
      })),
    };
    if (isHtmx(req)) return res.status(status).render('clients/_delete-dialog', { ...data, layout: false });
    res.status(status).render('clients/delete', { ...data, inPage: true });
  }
}

/** "3 contatos", "1 contrato", "nenhum deslocamento"; a table nobody labelled is named as it is. */
function kindLabel(locale: string, kind: DeletionKind): string {
  const count = kind.count.toLocaleString(locale);
  if (kind.key === 'other')
    return translate(locale, 'deletion.kind.other', { count, table: kind.tables.join(', ') });
  const form = kind.count === 0 ? 'none' : kind.count === 1 ? 'one' : 'other';
  return translate(locale, `deletion.kind.${kind.key}.${form}`, { count });
}
