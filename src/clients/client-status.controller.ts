import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import { isHtmx, redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { safeLocalPath } from '../common/safe-path';
import { ClientListService } from './client-list.service';
import { ClientPhoneActions } from './client-phone-actions';
import { ClientStatusService } from './client-status.service';
import { rowView } from './client-list-view';
import { ChangeStatusDto } from './dto/status.dto';

/** `POST /clients/:id/status`: the inline activate/inactivate toggle. */
@Controller('clients/:id/status')
@Roles('admin', 'manager')
export class ClientStatusController {
  constructor(
    private readonly status: ClientStatusService,
    private readonly list: ClientListService,
    private readonly phoneActions: ClientPhoneActions,
  ) {}

  /**
   * htmx: answers with the row (200), or the row showing why it was refused (422) — swapped in place.
   * Without JS: back to where the operator was (303) with a message, or a 422 page listing the blockers.
   */
  @Post()
  @HttpCode(200)
  async change(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(ChangeStatusDto, body, res.locals.locale);
    if (!parsed.ok) throw new BadRequestException(Object.values(parsed.errors).join(' '));
    const { status, returnTo } = parsed.value;
    const result = await this.status.change(operator, id, status);
    const back = safeLocalPath(returnTo, `/clients/${id}`);
    const blockers = result.ok
      ? []
      : result.blockers.map((b) => ({
          ...b,
          message: translate(res.locals.locale, b.messageKey, { count: b.count }),
        }));
    if (isHtmx(req)) {
      const [row, clickToCall] = await Promise.all([
        this.list.row(operator, id),
        this.phoneActions.clickToCall(),
      ]);
      if (!row) throw new NotFoundException();
      return res
        .status(result.ok ? 200 : 422)
        .render('clients/_row', { ...rowView(row, back), blockers, clickToCall, layout: false });
    }
    if (!result.ok) {
      return res.status(422).render('clients/status-refused', {
        title: translate(res.locals.locale, 'clients.inactivationRefused'),
        section: 'clients',
        clientId: id,
        blockers,
        back,
      });
    }
    const message = status === 'active' ? 'clients.activated' : 'clients.inactivated';
    flash(req, 'success', message, { name: result.client.tradeName }, { clientId: id });
    redirectAfterChange(req, res, back);
  }
}
