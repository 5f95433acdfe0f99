import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../../auth/session-operator';
import { AuditLogger } from '../../common/audit-logger';
import { CurrentOperator, Roles } from '../../common/auth.decorators';
import { AppError } from '../../common/errors/app-error';
import { flash } from '../../common/flash';
import { FieldErrors, parseFormChecked } from '../../common/forms';
import { isHtmx, redirectAfterChange, varyOnHtmx } from '../../common/htmx';
import { translate } from '../../common/i18n/translate';
import { saveSession } from '../../common/session-save';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { SyncError } from '../sync/sync-error';
import { connectionTestView, syncErrorMessage } from '../sync/sync-error-message';
import { ContaAzulService, type ContaAzulSettingsView } from './conta-azul.service';
import { ContaAzulSettingsDto, missingContaAzulFields } from './dto/conta-azul-settings.dto';
import { OAuthStateSigner } from './oauth-state';

declare module 'express-session' {
  interface SessionData {
    /** The nonce of the Conta Azul authorisation this session started (spent by the callback). */
    contaAzulOAuthNonce?: string;
  }
}

const PAGE = '/settings/integrations/conta-azul';

/** The callback could not be tied to an authorisation this session started: forged, replayed or expired. */
export class OAuthStateError extends AppError {
  constructor() {
    super(HttpStatus.BAD_REQUEST, 'integrations.contaAzul.badState');
  }
}

/**
 * `/settings/integrations/conta-azul` (admin): the app credentials (client secret write-only), the OAuth
 * connection (connect → Conta Azul → callback; disconnect) and "Testar conexão".
 */
@Controller('settings/integrations/conta-azul')
@Roles('admin')
export class ContaAzulSettingsController {
  private readonly states: OAuthStateSigner;

  constructor(
    private readonly contaAzul: ContaAzulService,
    private readonly audit: AuditLogger,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.states = new OAuthStateSigner(config.appSecret);
  }

  @Get()
  async show(@Res() res: Response) {
    const current = await this.contaAzul.settings();
    this.render(res, 200, toForm(current), {}, current);
  }

  @Post()
  @HttpCode(200)
  async save(
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const current = await this.contaAzul.settings();
    const stored = { ...current, hasSecret: current.hasClientSecret && !current.secretBroken };
    const parsed = await parseFormChecked(ContaAzulSettingsDto, body, res.locals.locale, (value) =>
      missingContaAzulFields(value, stored),
    );
    if (!parsed.ok) {
      const { clientSecret: _secret, ...form } = parsed.values;
      return this.render(res, 422, form, parsed.errors, current);
    }
    const { disconnected } = await this.contaAzul.save(operator, parsed.value);
    flash(
      req,
      'success',
      disconnected ? 'integrations.contaAzul.savedDisconnected' : 'integrations.contaAzul.saved',
    );
    redirectAfterChange(req, res, PAGE);
  }

  /** Tries the stored connection (listing one pessoa, refreshing the token if due). */
  @Post('test')
  @HttpCode(200)
  async test(@CurrentOperator() operator: SessionOperator, @Req() req: Request, @Res() res: Response) {
    varyOnHtmx(res);
    const result = await this.contaAzul.test();
    this.audit.log('integrations.test', {
      operatorId: operator.id,
      provider: 'conta-azul',
      ok: result.ok,
      requestId: req.id,
    });
    const view = connectionTestView(
      res.locals.locale as string,
      'Conta Azul',
      'integrations.contaAzul.testOk',
      result,
    );
    if (isHtmx(req))
      return res.render('settings/integrations/_test-result', { testResult: view, layout: false });
    const current = await this.contaAzul.settings();
    this.render(res, 200, toForm(current), {}, current, view);
  }

  /** "Conectar": to Conta Azul's login, with a signed `state` tied to this session. */
  @Get('connect')
  async connect(@Req() req: Request, @Res() res: Response) {
    const { state, nonce } = this.states.issue(req.session.id);
    let url: string;
    try {
      url = await this.contaAzul.authorizationUrl(state);
    } catch (error) {
      if (!(error instanceof SyncError)) throw error;
      flash(req, 'error', 'integrations.contaAzul.configureFirst');
      await saveSession(req);
      return res.redirect(303, PAGE);
    }
    req.session.contaAzulOAuthNonce = nonce;
    // Stored before the browser leaves: the callback must find the nonce.
    await saveSession(req);
    res.redirect(303, url);
  }

  /** Conta Azul sends the administrator back here with `code` and our `state` (or an `error`). */
  @Get('callback')
  async callback(
    @Query() query: Record<string, unknown>,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const expected = req.session.contaAzulOAuthNonce;
    delete req.session.contaAzulOAuthNonce; // one use, whatever the outcome
    if (!this.states.verify(query.state, req.session.id, expected)) {
      this.audit.log('integrations.oauth_state_refused', {
        operatorId: operator.id,
        provider: 'conta-azul',
        requestId: req.id,
      });
      await saveSession(req);
      throw new OAuthStateError();
    }
    if (typeof query.error === 'string' || typeof query.code !== 'string' || !query.code) {
      const reason = [query.error, query.error_description]
        .filter((v) => typeof v === 'string' && v)
        .join(': ');
      flash(req, 'error', 'integrations.contaAzul.denied', { reason: reason.slice(0, 300) || '—' }, null);
      await saveSession(req);
      return res.redirect(303, PAGE);
    }
    try {
      await this.contaAzul.completeAuthorization(operator, query.code);
      flash(req, 'success', 'integrations.contaAzul.connected');
    } catch (error) {
      if (!(error instanceof SyncError)) throw error;
      if (error.code === 'rejected' || error.code === 'auth')
        flash(req, 'error', 'integrations.contaAzul.exchangeFailed', { reason: error.detail }, null);
      else
        flash(
          req,
          'error',
          syncErrorMessage(res.locals.locale as string, 'Conta Azul', error.code, error.detail),
        );
    }
    await saveSession(req);
    res.redirect(303, PAGE);
  }

  @Post('disconnect')
  @HttpCode(200)
  async disconnect(@CurrentOperator() operator: SessionOperator, @Req() req: Request, @Res() res: Response) {
    await this.contaAzul.disconnect(operator);
    flash(req, 'success', 'integrations.contaAzul.disconnected');
    redirectAfterChange(req, res, PAGE);
  }

  private render(
    res: Response,
    status: number,
    form: object,
    errors: FieldErrors,
    current: ContaAzulSettingsView,
    testResult?: object,
  ) {
    res.status(status).render('settings/integrations/conta-azul', {
      title: translate(res.locals.locale, 'integrations.contaAzul.title'),
      section: 'settings',
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      current,
      testResult,
    });
  }
}

function toForm(s: ContaAzulSettingsView) {
  return { clientId: s.clientId, authBaseUrl: s.authBaseUrl, apiBaseUrl: s.apiBaseUrl };
}
