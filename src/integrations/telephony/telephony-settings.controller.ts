import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../../auth/session-operator';
import { AuditLogger } from '../../common/audit-logger';
import { CurrentOperator, Roles } from '../../common/auth.decorators';
import { flash } from '../../common/flash';
import { FieldErrors, parseFormChecked } from '../../common/forms';
import { isHtmx, redirectAfterChange, varyOnHtmx } from '../../common/htmx';
import { translate } from '../../common/i18n/translate';
import { missingForProvider, TelephonySettingsDto } from './dto/telephony-settings.dto';
import type { TestResult } from './telephony-provider';
import { DIAL_FORMATS, METHODS, PROVIDERS } from './telephony-settings.entity';
import { DEFAULT_AMI_PORT, telephonyDestination } from './telephony-destination';
import {
  DEFAULT_TIMEOUT_MS,
  TelephonySettingsService,
  type SettingsView,
} from './telephony-settings.service';

const PAGE = '/settings/telephony';

/**
 * `/settings/telephony` (admin): which provider places calls and how to reach it. The secret is
 * write-only: the page only says whether one is stored; a blank field keeps it.
 */
@Controller('settings/telephony')
@Roles('admin')
export class TelephonySettingsController {
  constructor(
    private readonly settings: TelephonySettingsService,
    private readonly audit: AuditLogger,
  ) {}

  @Get()
  async show(@Res() res: Response) {
    const current = await this.settings.get();
    this.render(res, 200, toForm(current), {}, current.hasSecret);
  }

  @Post()
  @HttpCode(200)
  async save(
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const current = await this.settings.get();
    const { hasSecret } = current;
    const parsed = await this.parse(body, res, current);
    if (!parsed.ok) return this.render(res, 422, formValues(parsed.values), parsed.errors, hasSecret);
    await this.settings.save(operator, parsed.value);
    flash(req, 'success', 'telephony.saved');
    redirectAfterChange(req, res, PAGE);
  }

  /**
   * "Testar": checks the values on the form (saved or not) — AMI: connect and log in; HTTP: the server
   * answers. htmx swaps only the result (or the whole form when a field is invalid); without JS the page
   * comes back with the typed values and the result.
   */
  @Post('test')
  @HttpCode(200)
  async test(
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    varyOnHtmx(res);
    const current = await this.settings.get();
    const { hasSecret } = current;
    const parsed = await this.parse(body, res, current);
    if (!parsed.ok) {
      if (isHtmx(req)) res.set('HX-Retarget', '#telephony-form').set('HX-Reswap', 'outerHTML');
      return this.render(
        res,
        422,
        formValues(parsed.values),
        parsed.errors,
        hasSecret,
        undefined,
        isHtmx(req),
      );
    }
    const result = await (await this.settings.providerFor(parsed.value)).test();
    this.audit.log('telephony.test', {
      operatorId: operator.id,
      provider: parsed.value.provider,
      ok: result.ok,
      requestId: req.id,
    });
    const view = testView(res.locals.locale as string, parsed.value.provider, result);
    if (isHtmx(req))
      return res.render('settings/telephony/_test-result', { testResult: view, layout: false });
    this.render(res, 200, formValues(parsed.values), {}, hasSecret, view);
  }

  private parse(body: unknown, res: Response, current: SettingsView) {
    const stored = { hasSecret: current.hasSecret, destination: telephonyDestination(current) };
    return parseFormChecked(TelephonySettingsDto, body, res.locals.locale, (value) =>
      missingForProvider(value, stored),
    );
  }

  private render(
    res: Response,
    status: number,
    form: object,
    errors: FieldErrors,
    hasSecret: boolean,
    testResult?: object,
    fragment = false,
  ) {
    res.status(status).render(fragment ? 'settings/telephony/_form' : 'settings/telephony/index', {
      title: translate(res.locals.locale, 'telephony.title'),
      section: 'settings',
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      hasSecret,
      testResult,
      providers: PROVIDERS,
      methods: METHODS,
      dialFormats: DIAL_FORMATS,
      defaults: { port: DEFAULT_AMI_PORT, timeoutSeconds: DEFAULT_TIMEOUT_MS / 1000 },
      ...(fragment ? { layout: false } : {}),
    });
  }
}

/** Stored settings as the form shows them (never the secret). */
function toForm(s: SettingsView) {
  return {
    provider: s.provider,
    host: s.host,
    port: s.port ?? DEFAULT_AMI_PORT,
    username: s.username,
    context: s.context,
    channelTemplate: s.channelTemplate ?? 'PJSIP/{extension}',
    callerId: s.callerId,
    urlTemplate: s.urlTemplate,
    method: s.method,
    headersTemplate: s.headersTemplate,
    bodyTemplate: s.bodyTemplate,
    dialFormat: s.dialFormat,
    dialPrefix: s.dialPrefix,
    timeoutSeconds: s.timeoutMs / 1000,
  };
}

/** Submitted values for a re-render: everything typed except the secret. */
function formValues(values: Record<string, unknown>) {
  const { secret: _secret, ...rest } = values;
  return { ...rest, clearSecret: ['true', 'on', '1'].includes(String(values.clearSecret)) };
}

function testView(locale: string, provider: string, result: TestResult) {
  if (result.ok) {
    return {
      ok: true,
      message: translate(locale, `telephony.test.ok.${provider}`, { detail: result.detail }),
    };
  }
  return {
    ok: false,
    message: translate(locale, 'telephony.test.failed', {
      reason: translate(locale, `calls.error.${result.code}`, { detail: result.error }),
    }),
  };
}
