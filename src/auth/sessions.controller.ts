import { Body, Controller, Get, HttpCode, NotFoundException, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { promisify } from 'node:util';
import { Public } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { safeLocalPath } from '../common/safe-path';
import { formatDateTime } from '../common/view-helpers';
import { AuditLogger } from '../common/audit-logger';
import { LoginDto, SetupDto } from './dto/operator.dto';
import { LoginThrottleService } from './login-throttle.service';
import { OperatorsService, signInOf } from './operators.service';
import { SecurityNotices } from './security-notices';

/** Where to go after signing in: the same-site path asked for, or the client list (no open redirect). */
const afterLogin = (next: unknown): string => safeLocalPath(next, '/clients');

@Controller()
export class SessionsController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditLogger,
    private readonly notices: SecurityNotices,
  ) {}

  @Public()
  @Get()
  async home(@Req() req: Request, @Res() res: Response) {
    if (req.operator) return res.redirect(303, '/clients');
    return res.redirect(303, (await this.operators.hasAnyOperator()) ? '/login' : '/setup');
  }

  @Public()
  @Get('setup')
  async setupForm(@Res() res: Response) {
    if (await this.operators.hasAnyOperator()) throw new NotFoundException();
    res.render('auth/setup', { title: translate(res.locals.locale, 'setup.title'), form: {}, errors: {} });
  }

  @Public()
  @Post('setup')
  @HttpCode(200)
  async setup(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    if (await this.operators.hasAnyOperator()) throw new NotFoundException();
    const parsed = await parseForm(SetupDto, body, res.locals.locale);
    if (!parsed.ok) {
      return res.status(422).render('auth/setup', {
        title: translate(res.locals.locale, 'setup.title'),
        form: withoutPassword(parsed.values),
        errors: parsed.errors,
      });
    }
    const admin = await this.operators.createFirstAdmin(parsed.value);
    if (!admin) throw new NotFoundException();
    this.audit.log('operator.setup', { operatorId: admin.id, ip: req.ip, requestId: req.id });
    flash(req, 'success', 'setup.done');
    redirectAfterChange(req, res, '/login');
  }

  @Public()
  @Get('login')
  async loginForm(@Query('next') next: string | undefined, @Req() req: Request, @Res() res: Response) {
    if (req.operator) return res.redirect(303, afterLogin(next));
    if (!(await this.operators.hasAnyOperator())) return res.redirect(303, '/setup');
    res.render('auth/login', {
      title: translate(res.locals.locale, 'login.title'),
      form: { next: safeLocalPath(next, '') },
      errors: {},
    });
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const locale = res.locals.locale;
    const parsed = await parseForm(LoginDto, body, locale);
    const title = translate(locale, 'login.title');
    if (!parsed.ok) {
      // Only e-mail and password have a place for a message on the form; a bad hidden `next` still needs one.
      const hidden = Object.keys(parsed.errors).some((field) => field !== 'email' && field !== 'password');
      return res.status(422).render('auth/login', {
        title,
        form: withoutPassword(parsed.values),
        errors: parsed.errors,
        error: hidden ? translate(locale, 'error.422') : undefined,
      });
    }
    const { email, password, next } = parsed.value;
    const address = req.ip ?? 'unknown';
    // The attempt is counted before the password is checked, so simultaneous attempts cannot all slip
    // under the limit; a success gives it back.
    const turn = await this.throttle.take(email, address);
    if (!turn.allowed) {
      this.audit.log('login.throttled', { ip: address, requestId: req.id });
      res.set('Retry-After', String(Math.ceil(turn.waitMs / 1000)));
      const message = translate(locale, 'login.rateLimited', { minutes: Math.ceil(turn.waitMs / 60000) });
      return res
        .status(429)
        .render('auth/login', { title, form: { email, next }, errors: {}, error: message });
    }
    const operator = await this.operators.authenticate(email, password);
    if (!operator) {
      this.audit.log('login.failed', { ip: address, requestId: req.id });
      return res.status(422).render('auth/login', {
        title,
        form: { email, next },
        errors: {},
        error: translate(locale, 'login.invalid'),
      });
    }
    await this.throttle.giveBack(email, address);
    // A fresh session id at login defeats session fixation (an id planted before login never signs in).
    await promisify(req.session.regenerate.bind(req.session))();
    req.session.operator = signInOf(operator);
    req.session.loginAt = req.session.reauthenticatedAt = Date.now();
    // Changes to the second factor since the last visit, on the first page after login.
    for (const notice of await this.notices.takeUnshown(operator.id)) {
      const actor = notice.actorName ?? translate(operator.locale, 'notice.unknownActor');
      const date = formatDateTime(operator.locale, notice.at);
      flash(req, 'info', `notice.${notice.event}`, { actor, date }, null);
    }
    await promisify(req.session.save.bind(req.session))();
    this.audit.log('login.succeeded', { operatorId: operator.id, ip: address, requestId: req.id });
    redirectAfterChange(req, res, afterLogin(next));
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request, @Res() res: Response) {
    const operatorId = req.operator?.id;
    await promisify(req.session.destroy.bind(req.session))();
    this.audit.log('logout', { operatorId, requestId: req.id });
    res.clearCookie(req.app.get('sessionCookieName') as string, { path: '/' });
    redirectAfterChange(req, res, '/login');
  }
}

function withoutPassword(values: Record<string, unknown>): Record<string, unknown> {
  const { password: _password, ...rest } = values;
  return rest;
}
