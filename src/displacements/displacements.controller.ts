import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { renderFormPage } from '../common/form-page';
import { addFieldErrors, FieldErrors, fieldErrorOf, parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { formatAmountBR, formatDecimalBR } from '../common/money';
import type { Displacement } from './displacement.entity';
import {
  DisplacementContractError,
  DisplacementsService,
  parseDisplacementValues,
} from './displacements.service';
import { DisplacementFormDto } from './dto/displacement-form.dto';

/** A client's displacements: `/clients/:id/displacements/new`, `/displacements/:id/edit` and `/delete`. */
@Controller()
@Roles('admin', 'manager')
export class DisplacementsController {
  constructor(
    private readonly displacements: DisplacementsService,
    private readonly clients: ClientsService,
  ) {}

  @Get('clients/:id/displacements/new')
  async newForm(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const client = await this.clients.findVisible(operator, id);
    await this.showForm(res, { client, form: {} });
  }

  @Post('clients/:id/displacements/new')
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
    if (!parsed.ok) return this.showForm(res, { client, form: parsed.form, errors: parsed.errors });
    try {
      const created = await this.displacements.create(operator, id, parsed.values);
      flash(req, 'success', 'displacements.created', { name: created.name }, { clientId: id });
      redirectAfterChange(req, res, `/clients/${id}#displacements`);
    } catch (error) {
      if (error instanceof DisplacementContractError)
        return this.showForm(res, {
          client,
          form: parsed.form,
          errors: fieldErrorOf(error, res.locals.locale),
        });
      throw error;
    }
  }

  @Get('displacements/:id/edit')
  async editForm(
    @Param('id') id: string,
    @CurrentOperator() operator: SessionOperator,
    @Res() res: Response,
  ) {
    const { displacement, client } = await this.displacements.findVisible(operator, id);
    const form = {
      ...displacement,
      value: formatAmountBR(displacement.value),
      distanceKm: displacement.distanceKm ? formatDecimalBR(displacement.distanceKm) : '',
    };
    await this.showForm(res, { client, form, displacement });
  }

  @Post('displacements/:id/edit')
  @HttpCode(200)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { displacement, client } = await this.displacements.findVisible(operator, id);
    const parsed = await this.parse(body, res);
    if (!parsed.ok)
      return this.showForm(res, { client, form: parsed.form, errors: parsed.errors, displacement });
    try {
      const updated = await this.displacements.update(operator, id, parsed.values);
      flash(req, 'success', 'displacements.updated', { name: updated.name }, { clientId: client.id });
      redirectAfterChange(req, res, `/clients/${client.id}#displacements`);
    } catch (error) {
      if (error instanceof DisplacementContractError)
        return this.showForm(res, {
          client,
          form: parsed.form,
          errors: fieldErrorOf(error, res.locals.locale),
          displacement,
        });
      throw error;
    }
  }

  @Post('displacements/:id/delete')
  @HttpCode(200)
  async remove(
    @Param('id') id: string,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const removed = await this.displacements.remove(operator, id);
    flash(req, 'success', 'displacements.deleted', { name: removed.name }, { clientId: removed.clientId });
    redirectAfterChange(req, res, `/clients/${removed.clientId}#displacements`);
  }

  private async parse(body: unknown, res: Response) {
    const parsed = await parseForm(DisplacementFormDto, body, res.locals.locale);
    const domain = parseDisplacementValues(parsed.values);
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    if (!domain.ok) addFieldErrors(res.locals.locale, domain.errors, errors);
    if (!parsed.ok || !domain.ok) return { ok: false as const, form: parsed.values, errors };
    return { ok: true as const, values: domain.values, form: parsed.values };
  }

  private async showForm(
    res: Response,
    page: { client: Client; form: object; errors?: FieldErrors; displacement?: Displacement },
  ) {
    const { client, displacement } = page;
    const selected = (page.form as { contractId?: unknown }).contractId;
    const contracts = await this.displacements.contractOptions(client.id);
    renderFormPage(res, {
      view: 'displacements/form',
      titleKey: displacement ? 'displacements.editTitle' : 'displacements.newTitle',
      section: 'clients',
      form: page.form,
      errors: page.errors,
      extras: {
        client,
        displacement,
        contracts: contracts.map((k) => ({ ...k, selected: k.id === selected })),
        action: displacement
          ? `/displacements/${displacement.id}/edit`
          : `/clients/${client.id}/displacements/new`,
      },
    });
  }
}
