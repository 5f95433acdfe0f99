import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { renderFormPage } from '../common/form-page';
import { FieldErrors, fieldErrorOf, isTicked, parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { ServiceDeskDto } from './dto/service-desk.dto';
import { RelationshipsFieldError } from './relationships.errors';
import { ServiceDesk } from './service-desk.entity';
import { ServiceDesksService } from './service-desks.service';

const LIST = '/settings/service-desks';

/** `/settings/service-desks`: where clients' tickets may live, and whether closing them needs a review. */
@Controller('settings/service-desks')
@Roles('admin', 'manager')
export class ServiceDesksController {
  constructor(private readonly desks: ServiceDesksService) {}

  @Get()
  async index(@Res() res: Response) {
    res.render('settings/service-desks/index', {
      title: translate(res.locals.locale, 'serviceDesks.title'),
      section: 'settings',
      desks: await this.desks.list(),
    });
  }

  @Get('new')
  newForm(@Res() res: Response) {
    this.showForm(res, { form: { requiresReview: false } });
  }

  @Post()
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const parsed = await parseForm(ServiceDeskDto, body, res.locals.locale);
    if (!parsed.ok) return this.showForm(res, { form: checked(parsed.values), errors: parsed.errors });
    try {
      const created = await this.desks.create(parsed.value);
      flash(req, 'success', 'serviceDesks.created', { name: created.name }, null);
    } catch (error) {
      if (error instanceof RelationshipsFieldError)
        return this.showForm(res, { form: parsed.value, errors: fieldErrorOf(error, res.locals.locale) });
      throw error;
    }
    redirectAfterChange(req, res, LIST);
  }

  @Get(':id/edit')
  async editForm(@Param('id') id: string, @Res() res: Response) {
    const desk = await this.load(id);
    this.showForm(res, { form: desk, desk });
  }

  @Post(':id/edit')
  @HttpCode(200)
  async update(@Param('id') id: string, @Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const desk = await this.load(id);
    const parsed = await parseForm(ServiceDeskDto, body, res.locals.locale);
    if (!parsed.ok) return this.showForm(res, { form: checked(parsed.values), errors: parsed.errors, desk });
    try {
      const updated = await this.desks.update(desk, parsed.value);
      flash(req, 'success', 'serviceDesks.updated', { name: updated.name }, null);
    } catch (error) {
      if (error instanceof RelationshipsFieldError)
        return this.showForm(res, {
          form: parsed.value,
          errors: fieldErrorOf(error, res.locals.locale),
          desk,
        });
      throw error;
    }
    redirectAfterChange(req, res, LIST);
  }

  private async load(id: string): Promise<ServiceDesk> {
    const desk = await this.desks.find(id);
    if (!desk) throw new NotFoundException();
    return desk;
  }

  private showForm(res: Response, page: { form: object; errors?: FieldErrors; desk?: ServiceDesk }) {
    const { desk } = page;
    renderFormPage(res, {
      view: 'settings/service-desks/form',
      titleKey: desk ? 'serviceDesks.edit' : 'serviceDesks.new',
      section: 'settings',
      form: page.form,
      errors: page.errors,
      extras: { desk, action: desk ? `${LIST}/${desk.id}/edit` : LIST },
    });
  }
}

/** The raw values of a rejected form, with the checkbox back as a boolean so it stays ticked. */
const checked = (values: Record<string, unknown>) => ({
  ...values,
  requiresReview: isTicked(values.requiresReview),
});
