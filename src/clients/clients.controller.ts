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
import { renderFormPage } from '../common/form-page';
import { FieldErrors, fieldErrorOf, parseForm } from '../common/forms';
import { htmxTargetId, redirectAfterChange, varyOnHtmx } from '../common/htmx';
import { isUuid } from '../common/ids';
import { translate } from '../common/i18n/translate';
import { ClientLinksService } from '../relationships/client-links.service';
import { ClientListService } from './client-list.service';
import { tableView } from './client-list-view';
import { ClientPhoneActions } from './client-phone-actions';
import { ClientSectionsRegistry } from './client-sections';
import {
  clientOptionLabel,
  conflictView,
  displayCep,
  displayDocument,
  displayPhone,
  toFormValues,
} from './client-view';
import { Client, PERSON_TYPES } from './client.entity';
import { ClientFieldError, ClientVersionConflictError } from './client.errors';
import { ClientsService } from './clients.service';
import { ContactsService } from './contacts/contacts.service';
import { ClientFormDto } from './dto/client-form.dto';
import { ListClientsQuery, listState } from './dto/list-clients.query';
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
    private readonly phoneActions: ClientPhoneActions,
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
    const [page, clickToCall] = await Promise.all([
      this.list.page(operator, state),
      this.phoneActions.clickToCall(),
    ]);
    const view = {
      ...tableView(state, page, res.locals.locale as string),
      clickToCall,
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
  async newForm(@CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    await this.showForm(res, operator, { form: { personType: 'PJ' } });
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
      const billingOptions = await this.pickerOptions(operator, search);
      return this.showForm(res, operator, { form: { ...body, billingSearch: search }, billingOptions });
    }
    const parsed = await parseForm(ClientFormDto, body, res.locals.locale);
    if (!parsed.ok) return this.showForm(res, operator, { form: parsed.values, errors: parsed.errors });
    try {
      const client = await this.clients.create(operator, parsed.value);
      flash(req, 'success', 'clients.created', { name: client.tradeName }, { clientId: client.id });
      redirectAfterChange(req, res, `/clients/${client.id}/relationships`);
    } catch (error) {
      if (!(error instanceof ClientFieldError)) throw error;
      const errors = fieldErrorOf(error, res.locals.locale);
      return this.showForm(res, operator, { form: parsed.values, errors });
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
    return options.map((o) => ({ id: o.id, label: clientOptionLabel(o) }));
  }

  @Get(':id')
  async show(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const client = await this.clients.findVisible(operator, id);
    const [contacts, links, billing, sections, clickToCall] = await Promise.all([
      this.contacts.list(client.id),
      this.links.linksOf(client.id),
      this.clients.findBillingClient(operator, client.billingClientId),
      this.sections.render(client, operator),
      this.phoneActions.clickToCall(),
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
      billing:
        billing?.visible === true ? { ...billing, document: displayDocument(billing.document) } : billing,
      contacts: contacts.map((c) => ({
        ...c,
        phoneDisplay: displayPhone(c.phone),
        mobileDisplay: displayPhone(c.mobile),
      })),
      links,
      sections,
      actions: sections.map((s) => s.action).filter(Boolean),
      clickToCall,
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
    await this.showForm(res, operator, { client, form: toFormValues(client) });
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
      const billingOptions = await this.pickerOptions(operator, search, id);
      return this.showForm(res, operator, {
        client,
        form: { ...body, billingSearch: search },
        billingOptions,
      });
    }
    const parsed = await parseForm(ClientFormDto, body, res.locals.locale);
    if (!parsed.ok)
      return this.showForm(res, operator, { client, form: parsed.values, errors: parsed.errors });
    try {
      const updated = await this.clients.update(operator, id, parsed.value);
      flash(req, 'success', 'clients.updated', { name: updated.tradeName }, { clientId: id });
      redirectAfterChange(req, res, `/clients/${id}`);
    } catch (error) {
      if (error instanceof ClientFieldError) {
        const errors = fieldErrorOf(error, res.locals.locale);
        return this.showForm(res, operator, { client, form: parsed.values, errors });
      }
      if (!(error instanceof ClientVersionConflictError)) throw error;
      // 409: the stored version beside what the operator typed; nothing was overwritten.
      const { form, ...conflict } = conflictView(error.current, parsed.value);
      renderFormPage(res, {
        view: 'clients/conflict',
        titleKey: 'clients.conflictTitle',
        section: 'clients',
        status: 409,
        form,
        extras: { ...conflict, personTypes: PERSON_TYPES, ufs: UFS },
      });
    }
  }

  /**
   * Registration step 1 and the edit form. The payer already chosen is shown by its label (without one the
   * select would silently drop the choice); `billingOptions` are the matches of a no-JS billing search.
   */
  private async showForm(
    res: Response,
    operator: SessionOperator,
    page: {
      client?: Client;
      form: object;
      errors?: FieldErrors;
      billingOptions?: Array<{ id: string; label: string }>;
    },
  ) {
    const { billingClientId } = page.form as { billingClientId?: unknown };
    const billing = await this.clients.findBillingClient(
      operator,
      typeof billingClientId === 'string' ? billingClientId : null,
    );
    renderFormPage(res, {
      view: 'clients/form',
      titleKey: page.client ? 'clients.editTitle' : 'clients.newTitle',
      section: 'clients',
      form: page.form,
      errors: page.errors,
      extras: {
        client: page.client,
        billingLabel: billing?.visible ? `${billing.tradeName} (#${billing.code})` : null,
        billingOptions: page.billingOptions,
        billingSearched: page.billingOptions !== undefined,
        personTypes: PERSON_TYPES,
        ufs: UFS,
        action: page.client ? `/clients/${page.client.id}` : '/clients',
      },
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
