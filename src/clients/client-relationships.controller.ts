import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { FieldErrors, parseForm } from '../common/forms';
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
    await this.render(
      res,
      200,
      client,
      current.groups.map((g) => g.id),
      current.desks.map((d) => d.id),
      {},
    );
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
      return this.render(
        res,
        422,
        client,
        ticked(parsed.values.attendantGroupIds),
        ticked(parsed.values.serviceDeskIds),
        parsed.errors,
      );
    const result = await this.relationships.replace(
      operator,
      id,
      parsed.value.attendantGroupIds,
      parsed.value.serviceDeskIds,
    );
    if (!result.ok) {
      return this.render(res, 422, client, parsed.value.attendantGroupIds, parsed.value.serviceDeskIds, {
        base: translate(res.locals.locale, 'relationships.unknown'),
      });
    }
    flash(req, 'success', 'relationships.saved');
    redirectAfterChange(req, res, `/clients/${id}`);
  }

  private async render(
    res: Response,
    status: number,
    client: Client,
    groupIds: string[],
    deskIds: string[],
    errors: FieldErrors,
  ) {
    const catalog = await this.links.catalog();
    res.status(status).render('clients/relationships', {
      title: translate(res.locals.locale, 'relationships.title'),
      section: 'clients',
      client,
      errors,
      groups: catalog.groups.map((g) => ({ ...g, checked: groupIds.includes(g.id) })),
      desks: catalog.desks.map((d) => ({ ...d, checked: deskIds.includes(d.id) })),
    });
  }
}

/** The values of a repeated checkbox field as submitted: absent, one string, or several. */
const ticked = (value: unknown): string[] =>
  value === undefined ? [] : ([] as unknown[]).concat(value).map(String);
