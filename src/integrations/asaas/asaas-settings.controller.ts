import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../../auth/session-operator';
import { AuditLogger } from '../../common/audit-logger';
import { CurrentOperator, Roles } from '../../common/auth.decorators';
import { flash } from '../../common/flash';
import { FieldErrors, parseFormChecked } from '../../common/forms';
import { isHtmx, redirectAfterChange, varyOnHtmx } from '../../common/htmx';
import { translate } from '../../common/i18n/translate';
import { connectionTestView } from '../sync/sync-error-message';
import { ASAAS_BASE_URLS, ASAAS_ENVIRONMENTS } from './asaas-client';
import { AsaasService, type AsaasSettingsView } from './asaas.service';
import { asaasDestination, AsaasSettingsDto, missingAsaasFields } from './dto/asaas-settings.dto';

const PAGE = '/settings/integrations/asaas';

/**
 * `/settings/integrations/asaas` (admin): environment and API key. The key is write-only — the page only
 * says whether one is stored; a blank field keeps it. "Testar conexão" tries the values on the form.
 */
@Controller('settings/integrations/asaas')
@Roles('admin')
export class AsaasSettingsController {
  constructor(
    private readonly asaas: AsaasService,
    private readonly audit: AuditLogger,
  ) {}

  @Get()
  async show(@Res() res: Response) {
    const current = await this.asaas.settings();
    this.render(res, 200, { environment: current.environment, baseUrl: current.baseUrl }, {}, current);
  }

  @Post()
  @HttpCode(200)
  async save(
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const current = await this.asaas.settings();
    const parsed = await this.parse(body, res, current);
    if (!parsed.ok) return this.render(res, 422, formValues(parsed.values), parsed.errors, current);
    await this.asaas.save(operator, parsed.value);
    flash(req, 'success', 'integrations.asaas.saved');
    redirectAfterChange(req, res, PAGE);
  }

  @Post('test')
  @HttpCode(200)
  async test(
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    varyOnHtmx(res);
    const current = await this.asaas.settings();
    const parsed = await this.parse(body, res, current);
    if (!parsed.ok) {
      if (isHtmx(req)) res.set('HX-Retarget', '#asaas-form').set('HX-Reswap', 'outerHTML');
      return this.render(res, 422, formValues(parsed.values), parsed.errors, current, undefined, isHtmx(req));
    }
    const result = await this.asaas.test(parsed.value);
    this.audit.log('integrations.test', {
      operatorId: operator.id,
      provider: 'asaas',
      ok: result.ok,
      requestId: req.id,
    });
    const view = connectionTestView(
      res.locals.locale as string,
      'Asaas',
      'integrations.asaas.testOk',
      result,
    );
    if (isHtmx(req))
      return res.render('settings/integrations/_test-result', { testResult: view, layout: false });
    this.render(res, 200, formValues(parsed.values), {}, current, view);
  }

  private parse(body: unknown, res: Response, current: AsaasSettingsView) {
    const stored = {
      hasKey: current.hasApiKey && !current.apiKeyBroken,
      destination: asaasDestination(current),
    };
    return parseFormChecked(AsaasSettingsDto, body, res.locals.locale, (value) =>
      missingAsaasFields(value, stored),
    );
  }

  private render(
    res: Response,
    status: number,
    form: object,
    errors: FieldErrors,
    current: AsaasSettingsView,
    testResult?: object,
    fragment = false,
  ) {
    res
      .status(status)
      .render(fragment ? 'settings/integrations/_asaas-form' : 'settings/integrations/asaas', {
        title: translate(res.locals.locale, 'integrations.asaas.title'),
        section: 'settings',
        form,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        hasApiKey: current.hasApiKey,
        apiKeyBroken: current.apiKeyBroken,
        testResult,
        environments: ASAAS_ENVIRONMENTS.map((value) => ({
          value,
          url: value === 'custom' ? null : ASAAS_BASE_URLS[value],
        })),
        ...(fragment ? { layout: false } : {}),
      });
  }
}

/** Submitted values for a re-render: everything typed except the key. */
function formValues(values: Record<string, unknown>) {
  const { apiKey: _apiKey, ...rest } = values;
  return { ...rest, clearApiKey: ['true', 'on', '1'].includes(String(values.clearApiKey)) };
}
