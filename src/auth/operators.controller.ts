import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditLogger } from '../common/audit-logger';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { AppError } from '../common/errors/app-error';
import { flash } from '../common/flash';
import { FieldErrors, parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { CreateOperatorDto, UpdateOperatorDto } from './dto/operator.dto';
import { Operator, ROLES } from './operator.entity';
import { EmailTakenError, OperatorsService } from './operators.service';
import { askForPassword, CONFIRM_PASSWORD_PATH, recentlyAuthenticated } from './reauthentication';
import type { SessionOperator } from './session-operator';
import { TotpService } from './totp/totp.service';

/**
 * `/settings/operators`: the admin's list of staff accounts. Creating or changing an account (its
 * password, role, status) needs the admin's password typed in the last 10 minutes, like resetting a second
 * factor: otherwise a copied admin cookie could make itself an account it holds the password of, enroll it
 * and delete clients.
 */
@Controller('settings/operators')
@Roles('admin')
export class OperatorsController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly audit: AuditLogger,
    private readonly totp: TotpService,
  ) {}

  @Get()
  async index(@Res() res: Response) {
    res.render('settings/operators/index', {
      title: translate(res.locals.locale, 'operators.title'),
      section: 'settings',
      operators: await this.operators.list(),
    });
  }

  @Get('new')
  newForm(@Res() res: Response) {
    this.renderForm(res, 200, { role: 'agent', active: true }, {});
  }

  @Post()
  @HttpCode(200)
  async create(
    @Body() body: unknown,
    @CurrentOperator() actor: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(CreateOperatorDto, body, res.locals.locale);
    if (!parsed.ok) return this.renderForm(res, 422, parsed.values, parsed.errors);
    if (!recentlyAuthenticated(req)) return askForPassword(req, res, '/settings/operators/new');
    try {
      const created = await this.operators.create(parsed.value);
      this.audit.log('operator.created', {
        operatorId: actor.id,
        targetId: created.id,
        role: created.role,
        requestId: req.id,
      });
    } catch (error) {
      if (error instanceof EmailTakenError)
        return this.renderForm(res, 422, parsed.value, {
          email: translate(res.locals.locale, error.messageKey),
        });
      throw error;
    }
    flash(req, 'success', 'operators.created');
    redirectAfterChange(req, res, '/settings/operators');
  }

  @Get(':id/edit')
  async editForm(@Param('id') id: string, @Res() res: Response) {
    const operator = await this.load(id);
    this.renderForm(res, 200, operator, {}, operator);
  }

  @Post(':id/edit')
  @HttpCode(200)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() actor: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const operator = await this.load(id);
    const parsed = await parseForm(UpdateOperatorDto, body, res.locals.locale);
    if (!parsed.ok)
      return this.renderForm(
        res,
        422,
        { ...parsed.values, active: parsed.values.active === 'true' },
        parsed.errors,
        operator,
      );
    if (!recentlyAuthenticated(req))
      return askForPassword(req, res, `/settings/operators/${operator.id}/edit`);
    try {
      const updated = await this.operators.update(actor, operator, parsed.value);
      this.audit.log('operator.updated', {
        operatorId: actor.id,
        targetId: id,
        role: updated.role,
        active: updated.active,
        requestId: req.id,
      });
      flash(
        req,
        'success',
        updated.active || !operator.active ? 'operators.updated' : 'operators.deactivated',
      );
    } catch (error) {
      if (error instanceof AppError && error.status === 422) {
        const field = error instanceof EmailTakenError ? 'email' : 'base';
        return this.renderForm(
          res,
          422,
          { ...parsed.value, password: undefined },
          { [field]: translate(res.locals.locale, error.messageKey) },
          operator,
        );
      }
      throw error;
    }
    redirectAfterChange(req, res, '/settings/operators');
  }

  /**
   * Clears another operator's second factor — the way out of a lock after 10 wrong codes or a lost
   * phone. The operator enrolls again before the next deletion, and is told at their next login. It needs
   * the admin's password typed recently; nobody resets their own (with a copied cookie that would hand
   * over the deletions), and resetting would also lift one's own lock.
   */
  @Post(':id/reset-2fa')
  @HttpCode(200)
  async resetTotp(
    @Param('id') id: string,
    @CurrentOperator() actor: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const operator = await this.load(id);
    if (operator.id === actor.id) throw new AppError(403, 'totp.cannotResetOwn');
    if (!recentlyAuthenticated(req))
      return askForPassword(req, res, `/settings/operators/${operator.id}/edit`);
    await this.totp.reset(operator.id, actor.id);
    this.audit.log('totp.reset', {
      operatorId: actor.id,
      targetId: operator.id,
      wasEnabled: !!operator.totpEnabledAt,
      wasLocked: !!operator.totpLockedAt,
      ip: req.ip,
      requestId: req.id,
    });
    flash(req, 'success', 'operators.totpReset', { name: operator.name }, null);
    redirectAfterChange(req, res, `/settings/operators/${operator.id}/edit`);
  }

  private async load(id: string): Promise<Operator> {
    const operator = await this.operators.find(id);
    if (!operator) throw new NotFoundException();
    return operator;
  }

  private renderForm(res: Response, status: number, form: object, errors: FieldErrors, operator?: Operator) {
    const values = { ...form, password: undefined };
    const formPage = operator ? `/settings/operators/${operator.id}/edit` : '/settings/operators/new';
    res.status(status).render('settings/operators/form', {
      title: translate(res.locals.locale, operator ? 'operators.edit' : 'operators.new'),
      section: 'settings',
      operator,
      // Said before the admin types anything: saving will ask for the password first.
      confirmPasswordUrl: recentlyAuthenticated(res.req)
        ? undefined
        : `${CONFIRM_PASSWORD_PATH}?next=${encodeURIComponent(formPage)}`,
      isSelf: operator?.id === (res.locals.operator as SessionOperator | undefined)?.id,
      form: values,
      errors,
      roles: ROLES,
      action: operator ? `/settings/operators/${operator.id}/edit` : '/settings/operators',
    });
  }
}
