import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import type { Client } from '../clients/client.entity';
import { ClientInactiveError } from '../clients/client.errors';
import { ClientsService } from '../clients/clients.service';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { todayInSaoPaulo } from '../common/calendar';
import { flash } from '../common/flash';
import { renderFormPage } from '../common/form-page';
import { addFieldErrors, FieldErrors, isTicked, parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { parseContractValues } from './contract-values';
import { renderContractPage } from './contract-page';
import { contractFormValues, contractView } from './contract-view';
import type { Contract } from './contract.entity';
import { ContractCancelledError, ContractVersionConflictError } from './contract.errors';
import { ContractsService } from './contracts.service';
import { CONTRACT_MODALITIES, READJUSTMENT_INDEXES } from './domain/contract-rules';
import { CancelContractDto, ContractFormDto } from './dto/contract-form.dto';

/** A client's contracts: `/clients/:id/contracts/new`, `/contracts/:id`, its edit form and cancellation. */
@Controller()
export class ContractsController {
  constructor(
    private readonly contracts: ContractsService,
    private readonly clients: ClientsService,
  ) {}

  @Roles('admin', 'manager')
  @Get('clients/:id/contracts/new')
  async newForm(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const client = await this.clients.findVisible(operator, id);
    if (!client.isActive)
      return this.showForm(res, { client, form: {}, errors: { base: inactiveMessage(res) } });
    this.showForm(res, {
      client,
      form: { readjustmentPeriodMonths: 12, readjustmentIndex: 'IPCA', startDate: todayInSaoPaulo() },
    });
  }

  @Roles('admin', 'manager')
  @Post('clients/:id/contracts/new')
  @HttpCode(200)
  async create(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clients.findVisible(operator, id);
    const parsed = await this.parse(body, res);
    if (!parsed.ok) return this.showForm(res, { client, form: parsed.values, errors: parsed.errors });
    try {
      const contract = await this.contracts.create(operator, id, parsed.values);
      flash(req, 'success', 'contracts.created', { name: contract.name }, { clientId: id });
      redirectAfterChange(req, res, `/contracts/${contract.id}`);
    } catch (error) {
      if (error instanceof ClientInactiveError)
        return this.showForm(res, { client, form: parsed.raw, errors: { base: inactiveMessage(res) } });
      throw error;
    }
  }

  @Get('contracts/:id')
  async show(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const { contract, client } = await this.contracts.findVisible(operator, id);
    await renderContractPage(res, this.contracts, 200, contract, client);
  }

  @Roles('admin', 'manager')
  @Get('contracts/:id/edit')
  async editForm(
    @Param('id') id: string,
    @CurrentOperator() operator: SessionOperator,
    @Res() res: Response,
  ) {
    const { contract, client } = await this.contracts.findVisible(operator, id);
    if (contract.cancelledAt) throw new ContractCancelledError();
    this.showForm(res, { client, form: contractFormValues(contract), contract });
  }

  @Roles('admin', 'manager')
  @Post('contracts/:id/edit')
  @HttpCode(200)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { contract, client } = await this.contracts.findVisible(operator, id);
    const parsed = await this.parse(body, res);
    if (!parsed.ok)
      return this.showForm(res, { client, form: parsed.values, errors: parsed.errors, contract });
    try {
      const updated = await this.contracts.update(operator, id, parsed.values, parsed.version);
      flash(req, 'success', 'contracts.updated', { name: updated.name }, { clientId: client.id });
      redirectAfterChange(req, res, `/contracts/${id}`);
    } catch (error) {
      if (error instanceof ContractVersionConflictError) {
        // The operator's values stay in the form; the stored version is shown beside them, and saving again
        // (with the new version) is a deliberate overwrite.
        return this.showForm(res, {
          status: 409,
          client,
          form: { ...parsed.raw, version: error.current.version },
          contract: error.current,
          conflict: contractView(error.current, todayInSaoPaulo()),
        });
      }
      if (error instanceof ClientInactiveError) {
        return this.showForm(res, {
          client,
          form: parsed.raw,
          errors: { base: translate(res.locals.locale, 'contracts.errors.clientInactiveEdit') },
          contract,
        });
      }
      throw error;
    }
  }

  @Roles('admin', 'manager')
  @Post('contracts/:id/cancel')
  @HttpCode(200)
  async cancel(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { contract, client } = await this.contracts.findVisible(operator, id);
    // Refused before the form is read: a cancelled contract's page has no cancel form to show a field error in.
    if (contract.cancelledAt) throw new ContractCancelledError();
    const parsed = await parseForm(CancelContractDto, body, res.locals.locale);
    if (!parsed.ok)
      return renderContractPage(res, this.contracts, 422, contract, client, {
        cancelErrors: parsed.errors,
        cancelForm: parsed.values,
      });
    const cancelled = await this.contracts.cancel(operator, id, parsed.value.reason ?? null);
    flash(req, 'success', 'contracts.cancelled', { name: cancelled.name }, { clientId: client.id });
    redirectAfterChange(req, res, `/contracts/${id}`);
  }

  /** Class-level checks (lengths, unknown fields → 400) plus the domain parsing of numbers and dates. */
  private async parse(body: unknown, res: Response) {
    const parsed = await parseForm(ContractFormDto, body, res.locals.locale);
    const domain = parseContractValues(parsed.values);
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    if (!domain.ok) addFieldErrors(res.locals.locale, domain.errors, errors);
    const values = {
      ...parsed.values,
      autoRenew: parsed.ok ? parsed.value.autoRenew === true : isTicked(parsed.values.autoRenew),
    };
    if (!parsed.ok || !domain.ok) return { ok: false as const, values, errors };
    return { ok: true as const, values: domain.values, raw: values, version: parsed.value.version };
  }

  private showForm(
    res: Response,
    page: {
      client: Client;
      form: Record<string, unknown>;
      errors?: FieldErrors;
      status?: number;
      contract?: Contract;
      /** The stored version of a contract someone saved meanwhile (409), shown beside the form. */
      conflict?: ReturnType<typeof contractView>;
    },
  ) {
    const { client, contract, form } = page;
    renderFormPage(res, {
      view: 'contracts/form',
      titleKey: contract ? 'contracts.editTitle' : 'contracts.newTitle',
      section: 'clients',
      status: page.status,
      form,
      errors: page.errors,
      extras: {
        client,
        contract,
        conflict: page.conflict,
        inactive: !contract && !client.isActive,
        modalities: CONTRACT_MODALITIES.map((value) => ({ value, selected: form.modality === value })),
        indexes: READJUSTMENT_INDEXES.map((value) => ({ value, selected: form.readjustmentIndex === value })),
        action: contract ? `/contracts/${contract.id}/edit` : `/clients/${client.id}/contracts/new`,
      },
    });
  }
}

const inactiveMessage = (res: Response) => translate(res.locals.locale, 'contracts.errors.clientInactive');
