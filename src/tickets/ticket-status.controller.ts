import { BadRequestException, Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionOperator } from '../auth/session-operator';
import { CurrentOperator } from '../common/auth.decorators';
import { AppError } from '../common/errors/app-error';
import { flash } from '../common/flash';
import { parseForm } from '../common/forms';
import { redirectAfterChange } from '../common/htmx';
import { translate } from '../common/i18n/translate';
import { TicketReviewDto, TicketStatusDto } from './dto/ticket-form.dto';
import { renderTicketPage } from './ticket-page';
import { label, TicketsService } from './tickets.service';

/** `POST /tickets/:id/status` and `POST /tickets/:id/review`: moving a ticket through its life. */
@Controller('tickets/:id')
export class TicketStatusController {
  constructor(private readonly tickets: TicketsService) {}

  @Post('status')
  @HttpCode(200)
  async change(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.tickets.find(operator, id); // 404 before anything else for a foreign ticket
    const parsed = await parseForm(TicketStatusDto, body, res.locals.locale);
    if (!parsed.ok) throw new BadRequestException(Object.values(parsed.errors).join(' '));
    await this.run(id, operator, req, res, async () => {
      const ticket = await this.tickets.changeStatus(operator, id, parsed.value.status);
      const status = translate(res.locals.locale, `tickets.status.${ticket.status}`);
      flash(req, 'success', 'tickets.moved', { label: label(ticket), status }, { clientId: ticket.clientId });
    });
  }

  @Post('review')
  @HttpCode(200)
  async review(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentOperator() operator: SessionOperator,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.tickets.find(operator, id);
    await parseForm(TicketReviewDto, body, res.locals.locale);
    await this.run(id, operator, req, res, async () => {
      const ticket = await this.tickets.review(operator, id);
      flash(req, 'success', 'tickets.reviewed', { label: label(ticket) }, { clientId: ticket.clientId });
    });
  }

  /** Success → the ticket page (303 / HX-Redirect); a refusal → the ticket page again, 422, saying why. */
  private async run(
    id: string,
    operator: SessionOperator,
    req: Request,
    res: Response,
    change: () => Promise<void>,
  ) {
    try {
      await change();
      redirectAfterChange(req, res, `/tickets/${id}`);
    } catch (error) {
      if (error instanceof AppError && error.status === 422) {
        return renderTicketPage(
          res,
          422,
          await this.tickets.find(operator, id),
          translate(res.locals.locale, error.messageKey, error.vars),
        );
      }
      throw error;
    }
  }
}
