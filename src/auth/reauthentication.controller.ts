import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditLogger } from '../common/audit-logger';
import { CurrentOperator } from '../common/auth.decorators';
import { FieldErrors, parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { safeLocalPath } from '../common/safe-path';
import { ConfirmPasswordDto } from './dto/operator.dto';
import { LoginThrottleService } from './login-throttle.service';
import { OperatorsService } from './operators.service';
import { recordReauthentication } from './reauthentication';
import type { SessionOperator } from './session-operator';

/** Where the confirmation returns when it was not told (the page of the second factor). */
const DEFAULT_NEXT = '/account/security';

/**
 * `/account/confirm-password` ("Confirme sua senha"): the signed-in operator types their password again
 * before changing a second factor; then back to the page they came from (`next`). Attempts count against
 * the same limits as the login, so a copied cookie cannot guess the password here either.
 */
@Controller('account/confirm-password')
export class ReauthenticationController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditLogger,
  ) {}

  @Get()
  form(@Query('next') next: unknown, @Res() res: Response) {
    this.render(res, 200, safeLocalPath(next, DEFAULT_NEXT), {});
  }

  @Post()
  @HttpCode(200)
  async confirm(
    @Body() body: unknown,
    @CurrentOperator() me: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const locale = res.locals.locale as string;
    const parsed = await parseForm(ConfirmPasswordDto, body, locale);
    const next = safeLocalPath(parsed.values.next, DEFAULT_NEXT);
    if (!parsed.ok) {
      // Only the password has a place for a message; a bad hidden `next` still needs one.
      const message = parsed.errors.password ?? translate(locale, 'error.422');
      return this.render(res, 422, next, { password: message });
    }
    const address = req.ip ?? 'unknown';
    const turn = await this.throttle.take(me.email, address);
    if (!turn.allowed) {
      this.audit.log('reauthentication.throttled', { operatorId: me.id, ip: address, requestId: req.id });
      res.set('Retry-After', String(Math.ceil(turn.waitMs / 1000)));
      const minutes = Math.ceil(turn.waitMs / 60000);
      return this.render(res, 429, next, { password: translate(locale, 'login.rateLimited', { minutes }) });
    }
    if (!(await this.operators.passwordMatches(me.id, parsed.value.password))) {
      this.audit.log('reauthentication.failed', { operatorId: me.id, ip: address, requestId: req.id });
      return this.render(res, 422, next, { password: translate(locale, 'reauth.wrongPassword') });
    }
    await this.throttle.giveBack(me.email, address);
    await recordReauthentication(req);
    this.audit.log('reauthentication.succeeded', { operatorId: me.id, ip: address, requestId: req.id });
    redirectAfterChange(req, res, next);
  }

  private render(res: Response, status: number, next: string, errors: FieldErrors) {
    res.status(status).render('account/confirm-password', {
      title: translate(res.locals.locale, 'reauth.title'),
      next,
      errors,
    });
  }
}
