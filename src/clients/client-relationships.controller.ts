import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { renderFormPage } from '../common/form-page';
import { FieldErrors, parseForm, tickedValues } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { ClientLinksService } from '../relationships/client-links.service';
import { Client } from './client.entity';
import { ClientRelationshipsService } from './client-relationships.service';
import { ClientsService } from './clients.service';
import { ClientRelationshipsDto } from './dto/relationships.dto';

/** `/clients/:id/relationships`: step 2 of the wizard, and later edits of the same links. */
@Controller('clients/:id/relationships')
@Roles('admin', 'manager')
export class ClientRelationshipsController {
  constructor(
    private readonly clients: ClientsService,
    private readonly links: ClientLinksService,
    private readonly relationships: ClientRelationshipsService,
  ) {}

  @Get()
  async form(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const client = await this.clients.findVisible(operator, id);
    const current = await this.links.linksOf(id);
    await this.showForm(res, {
      client,
      groupIds: current.groups.map((g) => g.id),
      deskIds: current.desks.map((d) => d.id),
    });
  }

  @Post()
  @HttpCode(200)
  async save(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clients.findVisible(operator, id);
    const parsed = await parseForm(ClientRelationshipsDto, body, res.locals.locale);
    // Refilled with what was ticked, so a forged value does not cost the operator the rest of the selection.
    if (!parsed.ok)
      return this.showForm(res, {
        client,
        groupIds: tickedValues(parsed.values.attendantGroupIds),
        deskIds: tickedValues(parsed.values.serviceDeskIds),
        errors: parsed.errors,
      });
    const result = await this.relationships.replace(
      operator,
      id,
      parsed.value.attendantGroupIds,
      parsed.value.serviceDeskIds,
    );
    if (!result.ok) {
      return this.showForm(res, {
        client,
        groupIds: parsed.value.attendantGroupIds,
        deskIds: parsed.value.serviceDeskIds,
        errors: { base: translate(res.locals.locale, 'relationships.unknown') },
      });
    }
    flash(req, 'success', 'relationships.saved');
    redirectAfterChange(req, res, `/clients/${id}`);
  }

  private async showForm(
    res: Response,
    page: { client: Client; groupIds: string[]; deskIds: string[]; errors?: FieldErrors },
  ) {
    const catalog = await this.links.catalog();
    renderFormPage(res, {
      view: 'clients/relationships',
      titleKey: 'relationships.title',
      section: 'clients',
      form: {},
      errors: page.errors,
      extras: {
        client: page.client,
        groups: catalog.groups.map((g) => ({ ...g, checked: page.groupIds.includes(g.id) })),
        desks: catalog.desks.map((d) => ({ ...d, checked: page.deskIds.includes(d.id) })),
      },
    });
  }
}
