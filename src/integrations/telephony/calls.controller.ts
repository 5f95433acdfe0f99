import { BadRequestException, Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../../auth/session-operator';
import { CurrentOperator } from '../../common/auth.decorators';
import { flash } from '../../common/flash';
import { parseForm } from '../../common/forms';
import { isHtmx, varyOnHtmx } from '../../common/htmx';
import { translate } from '../../common/i18n/translate';
import { safeLocalPath } from '../../common/safe-path';
import { CallOutcome, CallsService } from './calls.service';
import { CallDto } from './dto/call.dto';
import { CallRefusedError } from './telephony.errors';

type CallStatus =
  | { state: 'calling' | 'failed' | 'refused'; message: string }
  | { state: 'tel'; message: string; telHref: string }
  | { state: 'no-extension'; message: string };

/**
 * `POST /clients/:id/contacts/:contactId/call`: click-to-call. Any operator who can see the client may
 * call (agents included, hence not under the admin/manager contacts controller). htmx gets a small status
 * fragment swapped next to the button; a plain form gets a flash and 303 back, or a page with the `tel:`
 * link or the reason when there is something to read or click.
 */
@Controller('clients/:id/contacts/:contactId/call')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  @Post()
  @HttpCode(200)
  async call(
    @Param('id') id: string,
    @Param('contactId') contactId: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(CallDto, body, res.locals.locale);
    if (!parsed.ok) throw new BadRequestException(Object.values(parsed.errors).join(' '));
    const back = safeLocalPath(parsed.value.returnTo, `/clients/${id}`);
    const locale = res.locals.locale as string;
    let status: CallStatus;
    try {
      status = describe(locale, await this.calls.call(operator, id, contactId, parsed.value.number));
    } catch (error) {
      if (!(error instanceof CallRefusedError)) throw error;
      status = { state: 'refused', message: translate(locale, error.messageKey, error.vars) };
    }
    varyOnHtmx(res);
    const code =
      status.state === 'calling' || status.state === 'tel' ? 200 : status.state === 'failed' ? 502 : 422;
    if (isHtmx(req)) return res.status(code).render('telephony/_call-status', { ...status, layout: false });
    if (status.state === 'calling' || status.state === 'failed') {
      // The message names the contact: tagged with the client, so the client's purge removes it.
      flash(req, status.state === 'calling' ? 'success' : 'error', status.message, {}, { clientId: id });
      return res.redirect(303, back);
    }
    res.status(code).render('telephony/call', {
      ...status,
      back,
      section: 'clients',
      title: translate(locale, 'calls.pageTitle'),
    });
  }
}

function describe(locale: string, outcome: CallOutcome): CallStatus {
  const { log, contact, display } = outcome;
  const vars = { name: contact.name, phone: display };
  if (log.result === 'tel_link')
    return { state: 'tel', message: translate(locale, 'calls.telLink', vars), telHref: outcome.telHref! };
  if (log.result === 'originated')
    return { state: 'calling', message: translate(locale, 'calls.calling', vars) };
  if (log.errorCode === 'no_extension')
    return { state: 'no-extension', message: translate(locale, 'calls.noExtension') };
  const reason = translate(locale, `calls.error.${log.errorCode}`, { detail: log.error ?? '' });
  return { state: 'failed', message: translate(locale, 'calls.failed', { ...vars, reason }) };
}
