import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { FieldErrors, fieldErrorOf, parseForm } from '../common/forms';
import { htmxTargetId, redirectAfterChange, varyOnHtmx } from '../common/htmx';
import { isUuid } from '../common/ids';
import { translate } from '../common/i18n/translate';
import { ClientLinksService } from '../relationships/client-links.service';
import { ClientListService, COUNT_CAP, MIN_SEARCH } from './client-list.service';
import { ClientSectionsRegistry } from './client-sections';
import { displayCep, displayDocument, displayPhone, toFormValues } from './client-view';
import { Client, PERSON_TYPES } from './client.entity';
import { ClientFieldError, ClientVersionConflictError } from './client.errors';
import { ClientsService } from './clients.service';
import { ContactsService } from './contacts/contacts.service';
import { ClientFormDto } from './dto/client-form.dto';
import {
  ListClientsQuery,
  listState,
  listUrl,
  PAGE_SIZE,
  SORT_KEYS,
  STATUS_FILTERS,
  type ListState,
} from './dto/list-clients.query';
import { UFS } from './validation/address';

/** `/clients`: the list, registration step 1, the client page and its edit form. */
@Controller('clients')
export class ClientsController {
  constructor(
    private readonly clients: ClientsService,
    private readonly list: ClientListService,
    private readonly contacts: ContactsService,
    private readonly links: ClientLinksService,
    private readonly sections: ClientSectionsRegistry,
  ) {}

  /** The whole page, or just the table when htmx asks for `#clients-table` (sort, filter, search, page). */
  @Get()
  async index(
    @Query() query: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    // No global ValidationPipe: the query is validated here, so an unknown key or value is a 400 and only
    // whitelisted sort keys ever reach SQL.
    const parsed = await parseForm(ListClientsQuery, query, res.locals.locale);
    if (!parsed.ok) throw new BadRequestException(Object.keys(parsed.errors).join(', '));
    const state = listState(parsed.value);
    const page = await this.list.page(operator, state);
    const view = {
      ...tableView(state, page, res.locals.locale as string),
      section: 'clients',
      title: translate(res.locals.locale, 'clients.title'),
    };
    varyOnHtmx(res);
    if (htmxTargetId(req) === 'clients-table')
      return res.render('clients/_table', { ...view, layout: false });
    res.render('clients/index', view);
  }

  @Roles('admin', 'manager')
  @Get('new')
  newForm(@Res() res: Response) {
    this.renderForm(res, 200, { personType: 'PJ' }, {});
  }

  @Roles('admin', 'manager')
  @Post()
  @HttpCode(200)
  async create(
    @Body() body: Record<string, unknown>,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const search = takeBillingSearch(body);
    if (search !== null) {
      const form = { ...body, billingSearch: search };
      return this.renderForm(
        res,
        200,
        form,
        {},
        undefined,
        await this.billingLabel(body.billingClientId),
        await this.pickerOptions(operator, search),
      );
    }
    const parsed = await parseForm(ClientFormDto, body, res.locals.locale);
    // The chosen payer is shown by its label: without it the select would silently drop the choice.
    const billing = () => this.billingLabel(parsed.values.billingClientId);
    if (!parsed.ok)
      return this.renderForm(res, 422, parsed.values, parsed.errors, undefined, await billing());
    try {
      const client = await this.clients.create(operator, parsed.value);
      flash(req, 'success', 'clients.created', { name: client.tradeName }, { clientId: client.id });
      redirectAfterChange(req, res, `/clients/${client.id}/relationships`);
    } catch (error) {
      if (error instanceof ClientFieldError) {
        const errors = fieldErrorOf(error, res.locals.locale);
        return this.renderForm(res, 422, parsed.values, errors, undefined, await billing());
      }
      throw error;
    }
  }

  /** Billing picker (faturamento quarteirizado): matching active clients as <option>s or a no-JS page. */
  @Get('picker')
  async picker(
    @Query('q') q: unknown,
    @Query('billingSearch') billingSearch: unknown,
    @Query('except') except: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Res() res: Response,
  ) {
    // The form's search box is named `billingSearch` (its no-JS "Buscar" posts the whole form), and htmx
    // sends it under that name; `q` is the plain API.
    const raw = typeof q === 'string' ? q : typeof billingSearch === 'string' ? billingSearch : '';
    const term = raw.slice(0, 100);
    const options = await this.pickerOptions(
      operator,
      term,
      typeof except === 'string' && isUuid(except) ? except : undefined,
    );
    res.render('clients/_billing-options', { layout: false, options });
  }

  private async pickerOptions(operator: SessionOperator, term: string, exceptId?: string) {
    const options = await this.clients.searchPickable(operator, term, exceptId);
    return options.map((o) => ({
      id: o.id,
      label: `${o.tradeName} (#${o.code}${o.document ? ` · ${displayDocument(o.document)}` : ''})`,
    }));
  }

  @Get(':id')
  async show(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const client = await this.clients.findVisible(operator, id);
    const [contacts, links, billing, sections] = await Promise.all([
      this.contacts.list(client.id),
      this.links.linksOf(client.id),
      this.clients.findBillingClient(client.billingClientId),
      this.sections.render(client, operator),
    ]);
    res.render('clients/show', {
      title: client.tradeName,
      section: 'clients',
      client,
      display: {
        document: displayDocument(client.document),
        phone: displayPhone(client.phone),
        postalCode: displayCep(client.postalCode),
      },
      uf: UFS.find((u) => u.code === client.state)?.name,
      billing: billing ? { ...billing, document: displayDocument(billing.document) } : null,
      contacts: contacts.map((c) => ({
        ...c,
        phoneDisplay: displayPhone(c.phone),
        mobileDisplay: displayPhone(c.mobile),
      })),
      links,
      sections,
      actions: sections.map((s) => s.action).filter(Boolean),
    });
  }

  @Roles('admin', 'manager')
  @Get(':id/edit')
  async editForm(
    @Param('id') id: string,
    @CurrentOperator() operator: SessionOperator,
    @Res() res: Response,
  ) {
    const client = await this.clients.findVisible(operator, id);
    this.renderForm(
      res,
      200,
      toFormValues(client),
      {},
      client,
      await this.billingLabel(client.billingClientId),
    );
  }

  @Roles('admin', 'manager')
  @Post(':id')
  @HttpCode(200)
  async update(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clients.findVisible(operator, id);
    const search = takeBillingSearch(body);
    if (search !== null) {
      const form = { ...body, billingSearch: search };
      return this.renderForm(
        res,
        200,
        form,
        {},
        client,
        await this.billingLabel(body.billingClientId),
        await this.pickerOptions(operator, search, id),
      );
    }
    const parsed = await parseForm(ClientFormDto, body, res.locals.locale);
    const billing = () => this.billingLabel(parsed.values.billingClientId);
    if (!parsed.ok) return this.renderForm(res, 422, parsed.values, parsed.errors, client, await billing());
    try {
      const updated = await this.clients.update(operator, id, parsed.value);
      flash(req, 'success', 'clients.updated', { name: updated.tradeName }, { clientId: id });
      redirectAfterChange(req, res, `/clients/${id}`);
    } catch (error) {
      if (error instanceof ClientFieldError) {
        const errors = fieldErrorOf(error, res.locals.locale);
        return this.renderForm(res, 422, parsed.values, errors, client, await billing());
      }
      if (error instanceof ClientVersionConflictError)
        return this.renderConflict(res, error.current, parsed.value);
      throw error;
    }
  }

  private async billingLabel(id: unknown): Promise<string | null> {
    const billing = await this.clients.findBillingClient(typeof id === 'string' ? id : null);
    return billing ? `${billing.tradeName} (#${billing.code})` : null;
  }

  private renderForm(
    res: Response,
    status: number,
    form: object,
    errors: FieldErrors,
    client?: Client,
    billingLabel?: string | null,
    billingOptions?: Array<{ id: string; label: string }>,
  ) {
    res.status(status).render('clients/form', {
      title: translate(res.locals.locale, client ? 'clients.editTitle' : 'clients.newTitle'),
      section: 'clients',
      client,
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      billingLabel,
      billingOptions,
      billingSearched: billingOptions !== undefined,
      personTypes: PERSON_TYPES,
      ufs: UFS,
      action: client ? `/clients/${client.id}` : '/clients',
    });
  }

  /** 409: the stored version beside what the operator typed; nothing was overwritten. */
  private renderConflict(res: Response, current: Client, submitted: ClientFormDto) {
    const fields = (
      ['tradeName', 'legalName', 'document', 'email', 'phone', 'city', 'state', 'notes'] as const
    ).map((field) => ({
      field,
      stored:
        field === 'document'
          ? displayDocument(current.document)
          : field === 'phone'
            ? displayPhone(current.phone)
            : (current[field] ?? ''),
      submitted: submitted[field] ?? '',
    }));
    res.status(409).render('clients/conflict', {
      title: translate(res.locals.locale, 'clients.conflictTitle'),
      section: 'clients',
      client: current,
      fields: fields.map((f) => ({ ...f, differs: String(f.stored) !== String(f.submitted) })),
      form: { ...submitted, version: current.version },
      personTypes: PERSON_TYPES,
      ufs: UFS,
    });
  }
}

/**
 * The form's "Buscar" button for the billing client (no-JS path) posts the whole form with
 * `intent=billing-search`; the form comes back with the matches as options and every typed value kept.
 */
function takeBillingSearch(body: Record<string, unknown>): string | null {
  if (!body || typeof body !== 'object') return null;
  const { billingSearch: term, intent } = body;
  delete body.billingSearch;
  delete body.intent;
  if (intent !== 'billing-search') return null;
  return typeof term === 'string' ? term.slice(0, 100) : '';
}

/** Everything the table partial needs: rows with display values, header links, pager. */
export function tableView(
  state: ListState,
  page: Awaited<ReturnType<ClientListService['page']>>,
  locale: string,
) {
  const headers = SORT_KEYS.filter((k) => k !== 'createdAt').map((key) => {
    const current = state.sort === key;
    const dir = current && state.dir === 'asc' ? 'desc' : 'asc';
    return {
      key,
      current,
      ariaSort: current ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none',
      href: listUrl(state, { sort: key, dir, page: 1 }),
    };
  });
  const first = (state.page - 1) * PAGE_SIZE + 1;
  const url = listUrl(state);
  return {
    state,
    url,
    headers: Object.fromEntries(headers.map((h) => [h.key, h])),
    statusFilters: STATUS_FILTERS.map((s) => ({
      value: s,
      current: state.status === s,
      href: listUrl(state, { status: s, page: 1 }),
    })),
    rows: page.rows.map((row) => rowView(row, url)),
    empty: page.rows.length === 0,
    range: page.rows.length ? { first, last: first + page.rows.length - 1 } : null,
    total: page.total,
    totalCapped: page.totalCapped,
    countCap: COUNT_CAP.toLocaleString(locale),
    searchTooShort: page.searchTooShort,
    broadSearch: page.broadSearch,
    minSearch: MIN_SEARCH,
    prev: state.page > 1 ? listUrl(state, { page: state.page - 1 }) : null,
    next: page.hasNext && state.page < 200 ? listUrl(state, { page: state.page + 1 }) : null,
    deepLimit: page.hasNext && state.page >= 200,
  };
}

export function rowView(
  row: Awaited<ReturnType<ClientListService['page']>>['rows'][number],
  returnTo: string,
) {
  return {
    ...row,
    documentDisplay: displayDocument(row.document),
    phoneHref: row.primaryContactPhone ? `tel:${row.primaryContactPhone}` : null,
    phoneDisplay: displayPhone(row.primaryContactPhone),
    canPickContact: !row.primaryContactPhone && row.contactsWithPhone > 0,
    isActive: row.status === 'active',
    returnTo,
  };
}
