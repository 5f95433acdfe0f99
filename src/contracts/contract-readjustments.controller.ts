import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import { CurrentOperator, Roles } from '../common/auth.decorators';
import { AppError } from '../common/errors/app-error';
import { isValidYearMonth, todayInSaoPaulo, yearMonthOf, type YearMonth } from '../common/calendar';
import { flash } from '../common/flash';
import { renderFormPage } from '../common/form-page';
import { FieldErrors, parseForm, tickedValues } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { formatBRL } from '../common/money';
import { ContractReadjustmentsService } from './contract-readjustments.service';
import { renderContractPage } from './contract-page';
import { contractView, percentText } from './contract-view';
import { ContractFieldError, ContractNotReadjustableError } from './contract.errors';
import { ContractsService } from './contracts.service';
import { BulkReadjustmentDto, ReadjustmentDto } from './dto/contract-form.dto';

/**
 * Readjustments (reajustes): `POST /contracts/:id/readjustments` for one contract, and the "Data Base" list
 * `GET /contracts?due=YYYY-MM` with `POST /contracts/readjustments` to apply one percentage to the selected.
 */
@Controller('contracts')
@Roles('admin', 'manager')
export class ContractReadjustmentsController {
  constructor(
    private readonly readjustments: ContractReadjustmentsService,
    private readonly contracts: ContractsService,
  ) {}

  @Get()
  async due(@Query('due') due: unknown, @CurrentOperator() operator: SessionOperator, @Res() res: Response) {
    const month = isValidYearMonth(due) ? due : yearMonthOf(todayInSaoPaulo());
    await this.showDue(res, { operator, month, form: {} });
  }

  @Post('readjustments')
  @HttpCode(200)
  async applyMany(
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const parsed = await parseForm(BulkReadjustmentDto, body, res.locals.locale);
    const values = parsed.values as {
      due?: string;
      contractIds?: string[] | string;
      percent?: string;
      effectiveFrom?: string;
    };
    const month = isValidYearMonth(values.due) ? values.due : yearMonthOf(todayInSaoPaulo());
    if (!parsed.ok) return this.showDue(res, { operator, month, form: values, errors: parsed.errors });
    try {
      const count = await this.readjustments.applyMany(
        operator,
        parsed.value.contractIds ?? [],
        parsed.value,
      );
      flash(req, 'success', 'contracts.bulkReadjusted', { count }, null);
      redirectAfterChange(req, res, `/contracts?due=${month}`);
    } catch (error) {
      if (error instanceof AppError && error.status === 422) {
        const field = error instanceof ContractFieldError ? error.field : 'base';
        return this.showDue(res, {
          operator,
          month,
          form: values,
          errors: {
            [field]: translate(res.locals.locale, error.messageKey, error.vars),
          },
        });
      }
      throw error;
    }
  }

  @Post(':id/readjustments')
  @HttpCode(200)
  async applyOne(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { contract, client } = await this.contracts.findVisible(operator, id);
    // Refused before the form is read: the page of a contract not in force has no readjustment form to show
    // a field error in.
    if (!['active', 'pending_readjustment'].includes(contract.statusOn(todayInSaoPaulo())))
      throw new ContractNotReadjustableError(contract.name);
    const parsed = await parseForm(ReadjustmentDto, body, res.locals.locale);
    const rerender = (errors: FieldErrors) =>
      renderContractPage(res, this.contracts, 422, contract, client, {
        readjustErrors: errors,
        readjustForm: parsed.values,
        readjustOpen: true,
      });
    if (!parsed.ok) return rerender(parsed.errors);
    try {
      const plan = await this.readjustments.applyOne(operator, id, parsed.value);
      flash(
        req,
        'success',
        'contracts.readjusted',
        {
          name: contract.name,
          value: formatBRL(plan.newValue),
          percent: plan.percentApplied ? percentText(plan.percentApplied) : '—',
        },
        { clientId: contract.clientId },
      );
      redirectAfterChange(req, res, `/contracts/${id}`);
    } catch (error) {
      if (error instanceof AppError && error.status === 422) {
        const field = error instanceof ContractFieldError ? error.field : 'base';
        return rerender({ [field]: translate(res.locals.locale, error.messageKey, error.vars) });
      }
      throw error;
    }
  }

  /** The "Data Base" list of a month: contracts due for readjustment, with the bulk form. */
  private async showDue(
    res: Response,
    page: {
      operator: SessionOperator;
      month: YearMonth;
      form: { contractIds?: string[] | string; percent?: string; effectiveFrom?: string };
      errors?: FieldErrors;
    },
  ) {
    const today = todayInSaoPaulo();
    // As submitted: absent, one value or several (a crafted JSON body may send a number).
    const selected = new Set(tickedValues(page.form.contractIds));
    const rows = await this.readjustments.dueIn(page.operator, page.month);
    renderFormPage(res, {
      view: 'contracts/due',
      titleKey: 'contracts.dueTitle',
      section: 'contracts',
      form: page.form,
      errors: page.errors,
      extras: {
        month: page.month,
        rows: rows.map((row) => ({
          ...contractView(row.contract, today),
          clientName: row.clientName,
          clientCode: row.clientCode,
          checked: selected.has(row.id),
        })),
      },
    });
  }
}
