import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../../auth/session-operator';
import { CurrentOperator, Roles } from '../../common/auth.decorators';
import { flash } from '../../common/flash';
import { renderFormPage } from '../../common/form-page';
import { FieldErrors, parseForm } from '../../common/forms';
import { redirectAfterChange } from '../../common/htmx';
import { Client } from '../client.entity';
import { displayPhone } from '../client-view';
import { ClientsService } from '../clients.service';
import { Contact } from './contact.entity';
import { ContactsService } from './contacts.service';
import { ContactFormDto } from './dto/contact-form.dto';

/** `/clients/:id/contacts/…`: a client's contacts. */
@Controller('clients/:id/contacts')
@Roles('admin', 'manager')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly clients: ClientsService,
  ) {}

  @Get('new')
  async newForm(@Param('id') id: string, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const client = await this.clients.findVisible(operator, id);
    this.showForm(res, { client, form: {} });
  }

  @Post('new')
  @HttpCode(200)
  async create(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const client = await this.clients.findVisible(operator, id);
    const parsed = await parseForm(ContactFormDto, body, res.locals.locale);
    if (!parsed.ok) return this.showForm(res, { client, form: parsed.values, errors: parsed.errors });
    const contact = await this.contacts.create(operator, id, parsed.value);
    flash(req, 'success', 'contacts.created', { name: contact.name }, { clientId: id });
    redirectAfterChange(req, res, `/clients/${id}#contacts`);
  }

  @Get(':contactId/edit')
  async editForm(
    @Param('id') id: string,
    @Param('contactId') contactId: string,
    @CurrentOperator() operator: SessionOperator,
    @Res() res: Response,
  ) {
    const contact = await this.contacts.find(operator, id, contactId);
    const client = await this.clients.findVisible(operator, id);
    const form = { ...contact, phone: displayPhone(contact.phone), mobile: displayPhone(contact.mobile) };
    this.showForm(res, { client, contact, form });
  }

  @Post(':contactId/edit')
  @HttpCode(200)
  async update(
    @Param('id') id: string,
    @Param('contactId') contactId: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const contact = await this.contacts.find(operator, id, contactId);
    const client = await this.clients.findVisible(operator, id);
    const parsed = await parseForm(ContactFormDto, body, res.locals.locale);
    if (!parsed.ok)
      return this.showForm(res, { client, contact, form: parsed.values, errors: parsed.errors });
    await this.contacts.update(operator, id, contactId, parsed.value);
    flash(req, 'success', 'contacts.updated', { name: parsed.value.name }, { clientId: id });
    redirectAfterChange(req, res, `/clients/${id}#contacts`);
  }

  @Post(':contactId/delete')
  @HttpCode(200)
  async remove(
    @Param('id') id: string,
    @Param('contactId') contactId: string,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const contact = await this.contacts.find(operator, id, contactId);
    await this.contacts.remove(operator, id, contactId);
    flash(req, 'success', 'contacts.deleted', { name: contact.name }, { clientId: id });
    redirectAfterChange(req, res, `/clients/${id}#contacts`);
  }

  private showForm(
    res: Response,
    page: { client: Client; contact?: Contact; form: object; errors?: FieldErrors },
  ) {
    const { client, contact } = page;
    renderFormPage(res, {
      view: 'clients/contacts/form',
      titleKey: contact ? 'contacts.editTitle' : 'contacts.newTitle',
      section: 'clients',
      form: page.form,
      errors: page.errors,
      extras: {
        client,
        contact,
        action: contact
          ? `/clients/${client.id}/contacts/${contact.id}/edit`
          : `/clients/${client.id}/contacts/new`,
      },
    });
  }
}
