import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import { AuditLogger } from '../common/audit-logger';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { flash } from '../common/flash';
import { renderFormPage } from '../common/form-page';
import { FieldErrors, fieldErrorOf, parseForm, tickedValues } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { AttendantGroup } from './attendant-group.entity';
import { AttendantGroupsService } from './attendant-groups.service';
import { AttendantGroupDto } from './dto/attendant-group.dto';
import { RelationshipsFieldError } from './relationships.errors';

const LIST = '/settings/attendant-groups';

/** `/settings/attendant-groups`: the teams (and their members) that serve clients. */
@Controller('settings/attendant-groups')
@Roles('admin', 'manager')
export class AttendantGroupsController {
  constructor(
    private readonly groups: AttendantGroupsService,
    private readonly audit: AuditLogger,
  ) {}

  @Get()
  async index(@Res() res: Response) {
    res.render('settings/attendant-groups/index', {
      title: translate(res.locals.locale, 'attendantGroups.title'),
      section: 'settings',
      groups: await this.groups.list(),
    });
  }

  @Get('new')
  async newForm(@Res() res: Response) {
    await this.showForm(res, { form: {} });
  }

  @Post()
  @HttpCode(200)
  async create(
    @Body() body: unknown,
    @CurrentOperator() actor: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(AttendantGroupDto, body, res.locals.locale);
    if (!parsed.ok) return this.showForm(res, { form: parsed.values, errors: parsed.errors });
    try {
      const created = await this.groups.create(parsed.value);
      // Membership decides which clients an agent sees: an access change worth an audit line.
      this.audit.log('attendantGroup.created', {
        operatorId: actor.id,
        targetId: created.id,
        memberIds: created.members.map((m) => m.id),
        requestId: req.id,
      });
      flash(req, 'success', 'attendantGroups.created', { name: created.name }, null);
    } catch (error) {
      if (error instanceof RelationshipsFieldError)
        return this.showForm(res, { form: parsed.value, errors: fieldErrorOf(error, res.locals.locale) });
      throw error;
    }
    redirectAfterChange(req, res, LIST);
  }

  @Get(':id/edit')
  async editForm(@Param('id') id: string, @Res() res: Response) {
    const group = await this.load(id);
    await this.showForm(res, { form: { ...group, memberIds: group.members.map((m) => m.id) }, group });
  }

  @Post(':id/edit')
  @HttpCode(200)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() actor: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const group = await this.load(id);
    const parsed = await parseForm(AttendantGroupDto, body, res.locals.locale);
    if (!parsed.ok) return this.showForm(res, { form: parsed.values, errors: parsed.errors, group });
    try {
      const updated = await this.groups.update(group, parsed.value);
      this.audit.log('attendantGroup.updated', {
        operatorId: actor.id,
        targetId: id,
        memberIds: updated.members.map((m) => m.id),
        previousMemberIds: group.members.map((m) => m.id),
        requestId: req.id,
      });
      flash(req, 'success', 'attendantGroups.updated', { name: updated.name }, null);
    } catch (error) {
      if (error instanceof RelationshipsFieldError)
        return this.showForm(res, {
          form: parsed.value,
          errors: fieldErrorOf(error, res.locals.locale),
          group,
        });
      throw error;
    }
    redirectAfterChange(req, res, LIST);
  }

  private async load(id: string): Promise<AttendantGroup> {
    const group = await this.groups.find(id);
    if (!group) throw new NotFoundException();
    return group;
  }

  private async showForm(
    res: Response,
    page: { form: { memberIds?: unknown }; errors?: FieldErrors; group?: AttendantGroup },
  ) {
    const { group } = page;
    renderFormPage(res, {
      view: 'settings/attendant-groups/form',
      titleKey: group ? 'attendantGroups.edit' : 'attendantGroups.new',
      section: 'settings',
      form: { ...page.form, memberIds: tickedValues(page.form.memberIds) },
      errors: page.errors,
      extras: {
        group,
        candidates: await this.groups.candidates(),
        // Deactivated operators cannot be kept: saving the form drops them, so say so before it happens.
        inactiveMembers: group?.members.filter((m) => !m.active) ?? [],
        action: group ? `${LIST}/${group.id}/edit` : LIST,
      },
    });
  }
}
