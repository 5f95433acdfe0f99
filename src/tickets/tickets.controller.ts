import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { clientOptionLabel, displayDocument } from '../clients/client-view';
import { CurrentOperator } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { renderFormPage } from '../common/form-page';
import { FieldErrors, parseForm } from '../common/forms';
import { redirectAfterChange, varyOnHtmx } from '../common/htmx';
import { isUuid } from '../common/ids';
import { translate } from '../common/i18n/translate';
import { ClientLinksService } from '../relationships/client-links.service';
import {
  MAX_TICKET_PAGE,
  TICKET_STATUS_FILTERS,
  ticketListState,
  ticketListUrl,
} from './dto/list-tickets.query';
import { TicketFormDto } from './dto/ticket-form.dto';
import { TICKET_STATUSES } from './ticket.entity';
import { TicketClientInactiveError, TicketFieldError } from './ticket.errors';
import { renderTicketPage } from './ticket-page';
import { ticketRowView } from './ticket-view';
import { label, TicketsService } from './tickets.service';

type FormValues = Record<string, unknown> & { clientId?: unknown; title?: unknown; description?: unknown };

/**
 * `/tickets`: the list (filters client, status, desk; agents only see tickets of clients linked to their
 * groups), the new-ticket form (choose an active client, then one of its desks and groups) and the ticket page.
 */
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly clients: ClientsService,
    private readonly links: ClientLinksService,
  ) {}

  @Get()
  async index(
    @Query() query: Record<string, unknown>,
    @CurrentOperator() operator: SessionOperator,
    @Res() res: Response,
  ) {
    const state = ticketListState(query);
    const [{ rows, hasNext }, catalog, client] = await Promise.all([
      this.tickets.list(operator, state),
      this.links.catalog(),
      state.clientId ? this.clients.findVisible(operator, state.clientId).catch(notFoundAsNull) : null,
    ]);
    varyOnHtmx(res);
    res.render('tickets/index', {
      title: translate(res.locals.locale, 'tickets.title'),
      section: 'tickets',
      state,
      client,
      rows: rows.map(ticketRowView),
      statusFilters: TICKET_STATUS_FILTERS.map((value) => ({ value, selected: state.status === value })),
      desks: catalog.desks.map((d) => ({ ...d, selected: d.id === state.serviceDeskId })),
      clearClient: ticketListUrl(state, { clientId: null, page: 1 }),
      newHref: client?.isActive ? `/tickets/new?clientId=${client.id}` : '/tickets/new',
      prev: state.page > 1 ? ticketListUrl(state, { page: state.page - 1 }) : null,
      next: hasNext && state.page < MAX_TICKET_PAGE ? ticketListUrl(state, { page: state.page + 1 }) : null,
    });
  }

  @Get('new')
  async newForm(
    @Query() query: Record<string, unknown>,
    @CurrentOperator() operator: SessionOperator,
    @Res() res: Response,
  ) {
    const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 10000) : undefined);
    const form: FormValues = {
      clientId: text(query.clientId),
      title: text(query.title),
      description: text(query.description),
    };
    await this.showForm(res, { operator, form, q: text(query.q)?.slice(0, 100) ?? '' });
  }

  @Post('new')
  @HttpCode(200)
  async create(
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(TicketFormDto, body, res.locals.locale);
    if (!parsed.ok)
      return this.showForm(res, {
        operator,
        form: parsed.values,
        errors: choiceMessages(parsed.errors, parsed.values, res),
      });
    try {
      const ticket = await this.tickets.create(operator, parsed.value);
      flash(req, 'success', 'tickets.created', { label: label(ticket) }, { clientId: ticket.clientId });
      redirectAfterChange(req, res, `/tickets/${ticket.id}`);
    } catch (error) {
      if (error instanceof TicketFieldError || error instanceof TicketClientInactiveError) {
        const field = error instanceof TicketFieldError ? error.field : 'clientId';
        return this.showForm(res, {
          operator,
          form: parsed.values,
          errors: {
            [field]: translate(res.locals.locale, error.messageKey),
          },
        });
      }
      throw error;
    }
  }

  @Get(':id')
  async show(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    await renderTicketPage(res, 200, await this.tickets.find(operator, id));
  }

  /**
   * Step 1 (no usable client chosen): search the operator's ACTIVE clients — inactive ones are never
   * offered. Step 2: the chosen client's linked desks and groups and its contacts. An inactive client
   * named in the URL or the form is refused with 422 and a message.
   */
  private async showForm(
    res: Response,
    page: { operator: SessionOperator; form: FormValues; errors?: FieldErrors; q?: string },
  ) {
    const { operator, form } = page;
    let errors = page.errors ?? {};
    let client: Client | null = null;
    if (isUuid(form.clientId)) {
      client = await this.clients.findVisible(operator, form.clientId).catch(notFoundAsNull);
      if (client && !client.isActive) {
        errors = { ...errors, clientId: translate(res.locals.locale, 'tickets.errors.clientInactive') };
        client = null;
      }
    }
    const options = client ? await this.tickets.formOptions(client.id) : null;
    const picker = client ? [] : await this.clients.searchPickable(operator, page.q ?? '');
    const only = <T extends { id: string }>(list: T[], chosen: unknown) =>
      list.map((item) => ({ ...item, selected: item.id === chosen || (list.length === 1 && !chosen) }));
    renderFormPage(res, {
      view: 'tickets/form',
      titleKey: 'tickets.newTitle',
      section: 'tickets',
      form,
      errors,
      extras: {
        client: client ? { ...client, documentDisplay: displayDocument(client.document) } : null,
        desks: options ? only(options.desks, form.serviceDeskId) : [],
        groups: options ? only(options.groups, form.attendantGroupId) : [],
        contacts: options
          ? options.contacts.map((c) => ({ ...c, selected: c.id === form.requesterContactId }))
          : [],
        missingLinks: options ? !options.desks.length || !options.groups.length : false,
        q: page.q ?? '',
        picker: picker.map((c) => ({ id: c.id, label: clientOptionLabel(c) })),
        statuses: TICKET_STATUSES,
      },
    });
  }
}

/** A missing choice says what to choose ("Escolha um cliente."), not the generic "Campo obrigatório.". */
function choiceMessages(errors: FieldErrors, values: Record<string, unknown>, res: Response): FieldErrors {
  const keys: Record<string, string> = {
    clientId: 'tickets.errors.clientRequired',
    serviceDeskId: 'tickets.errors.deskRequired',
    attendantGroupId: 'tickets.errors.groupRequired',
  };
  const out = { ...errors };
  for (const [field, key] of Object.entries(keys))
    if (out[field] && values[field] === undefined) out[field] = translate(res.locals.locale, key);
  return out;
}

/** A client the operator may not see is simply absent here (no filter chip, the picker instead). */
function notFoundAsNull(error: unknown): null {
  if (error instanceof NotFoundException) return null;
  throw error;
}
