import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditLogger } from '../common/audit-logger';
import { CurrentOperator } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { FieldErrors, parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { AccountDto, ChangePasswordDto, TotpCodeDto } from './dto/operator.dto';
import { LOCALES } from './operator.entity';
import { OperatorsService } from './operators.service';
import { askForPassword, CONFIRM_PASSWORD_PATH, recentlyAuthenticated } from './reauthentication';
import type { SessionOperator } from './session-operator';
import { totpRefusal } from './totp/totp-refusal';
import { TotpService } from './totp/totp.service';

const SECURITY_PAGE = '/account/security';

/** `/account`: the signed-in operator's own name, language, extension, password and second factor. */
@Controller('account')
export class AccountController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly audit: AuditLogger,
    private readonly totp: TotpService,
  ) {}

  @Get()
  async show(@CurrentOperator() me: SessionOperator, @Res() res: Response) {
    const operator = await this.operators.find(me.id);
    this.render(
      res,
      200,
      { name: operator?.name, locale: operator?.locale, extension: operator?.extension },
      {},
    );
  }

  @Post()
  @HttpCode(200)
  async update(
    @Body() body: unknown,
    @CurrentOperator() me: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(AccountDto, body, res.locals.locale);
    if (!parsed.ok) return this.render(res, 422, parsed.values, parsed.errors);
    await this.operators.updateAccount(me.id, parsed.value);
    flash(req, 'success', 'account.saved');
    redirectAfterChange(req, res, '/account');
  }

  @Get('security')
  async security(@CurrentOperator() me: SessionOperator, @Req() req: Request, @Res() res: Response) {
    await this.renderSecurity(req, res, me, 200, {});
  }

  @Post('security/password')
  @HttpCode(200)
  async changePassword(
    @Body() body: unknown,
    @CurrentOperator() me: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(ChangePasswordDto, body, res.locals.locale);
    if (!parsed.ok) return this.renderSecurity(req, res, me, 422, parsed.errors);
    const generation = await this.operators.changePassword(
      me.id,
      { current: parsed.value.currentPassword, next: parsed.value.newPassword },
      req.sessionID,
    );
    if (generation === null) {
      this.audit.log('password.change_failed', { operatorId: me.id, requestId: req.id });
      return this.renderSecurity(req, res, me, 422, {
        currentPassword: translate(res.locals.locale, 'security.wrongPassword'),
      });
    }
    // This session stays signed in: it moves to the generation that ended the others.
    req.session.operator = { id: me.id, generation };
    this.audit.log('password.changed', { operatorId: me.id, requestId: req.id });
    flash(req, 'success', 'security.passwordChanged');
    redirectAfterChange(req, res, SECURITY_PAGE);
  }

  /** Confirms the pending enrollment with a code from the app; 2FA is on from then. */
  @Post('security/totp')
  @HttpCode(200)
  async confirmTotp(
    @Body() body: unknown,
    @CurrentOperator() me: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(TotpCodeDto, body, res.locals.locale);
    if (!parsed.ok) return this.renderSecurity(req, res, me, 422, parsed.errors);
    if (!recentlyAuthenticated(req)) return askForPassword(req, res, SECURITY_PAGE);
    const result = await this.totp.confirmEnrollment(me.id, parsed.value.code, {
      purpose: 'enrollment',
      ip: req.ip,
      requestId: req.id,
    });
    if (result === 'invalid') {
      return this.renderSecurity(req, res, me, 422, { code: translate(res.locals.locale, 'totp.wrongCode') });
    }
    if (result === 'enabled') flash(req, 'success', 'totp.enabled');
    // Sent here from a deletion: go back to it.
    const back = req.session.totpReturnTo;
    delete req.session.totpReturnTo;
    redirectAfterChange(req, res, result === 'enabled' && back ? back : SECURITY_PAGE);
  }

  @Post('security/totp/disable')
  @HttpCode(200)
  async disableTotp(
    @Body() body: unknown,
    @CurrentOperator() me: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(TotpCodeDto, body, res.locals.locale);
    if (!parsed.ok) return this.renderSecurity(req, res, me, 422, parsed.errors);
    if (!recentlyAuthenticated(req)) return askForPassword(req, res, SECURITY_PAGE);
    const result = await this.totp.disable(me.id, parsed.value.code, {
      purpose: 'disable',
      ip: req.ip,
      requestId: req.id,
    });
    if (!result.ok) {
      const { status, message } = totpRefusal(res, result);
      return this.renderSecurity(req, res, me, status, { code: message });
    }
    flash(req, 'success', 'totp.disabled');
    redirectAfterChange(req, res, SECURITY_PAGE);
  }

  private render(res: Response, status: number, form: object, errors: FieldErrors) {
    res.status(status).render('account/index', {
      title: translate(res.locals.locale, 'account.title'),
      form,
      errors,
      locales: LOCALES,
    });
  }

  /**
   * The password and 2FA page. The enrollment (QR code and key) is shown only after a recent password:
   * whoever sees the pending key can later read the operator's codes, so a copied cookie must not.
   */
  private async renderSecurity(
    req: Request,
    res: Response,
    me: SessionOperator,
    status: number,
    errors: FieldErrors,
  ) {
    const totp = await this.totp.status(me.id);
    const passwordConfirmed = recentlyAuthenticated(req);
    const enrollment = totp.enabled || !passwordConfirmed ? null : await this.totp.enrollment(me.id);
    res.status(status).render('account/security', {
      title: translate(res.locals.locale, 'security.title'),
      errors,
      totp,
      enrollment,
      confirmPasswordUrl: passwordConfirmed
        ? undefined
        : `${CONFIRM_PASSWORD_PATH}?next=${encodeURIComponent(`${SECURITY_PAGE}#totp`)}`,
    });
  }
}
