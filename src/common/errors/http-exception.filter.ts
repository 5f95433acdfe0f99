import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isHtmx } from '../htmx';
import { translate } from '../i18n/translate';
import { AppError, isDatabaseUnavailable } from './app-error';

export class NotSignedInException extends HttpException {
  constructor() {
    super('not signed in', HttpStatus.UNAUTHORIZED);
  }
}

/**
 * The one place errors become responses: friendly pages (or an htmx fragment swapped into the flash
 * area), never a stack trace. Anonymous visitors are sent to /login; a database outage is a quick 503.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) {
      this.logger.error({ err: error, requestId: req.id }, 'error after headers were sent');
      return;
    }
    if (error instanceof NotSignedInException) return this.toLogin(req, res);
    const { status, message } = this.describe(error, req);
    if (status >= 500) this.logger.error({ err: error, requestId: req.id, path: req.path }, 'request failed');
    renderError(req, res, status, message);
  }

  private describe(error: unknown, req: Request): { status: number; message: string } {
    const locale = req.operator?.locale;
    if (error instanceof AppError)
      return { status: error.status, message: translate(locale, error.messageKey, error.vars) };
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const detail =
        typeof body === 'object' && body && 'message' in body
          ? (body as { message: unknown }).message
          : undefined;
      // 400s carry a useful reason (e.g. which unknown fields); other statuses use the friendly text.
      const message =
        status === 400 && typeof detail === 'string'
          ? detail
          : status === 400 && Array.isArray(detail)
            ? detail.join('; ')
            : translate(locale, `error.${status}`);
      return { status, message: message.startsWith('error.') ? translate(locale, 'error.500') : message };
    }
    if (isDatabaseUnavailable(error)) return { status: 503, message: translate(locale, 'error.503') };
    // The deletion guard trigger refused a row for a client marked for deletion (a request that raced the
    // mark): the client no longer exists for anyone.
    if ((error as { code?: string } | null)?.code === 'CL404') {
      return { status: 404, message: translate(locale, 'error.404') };
    }
    return { status: 500, message: translate(locale, 'error.500') };
  }

  private toLogin(req: Request, res: Response): void {
    if (isHtmx(req)) {
      res.set('HX-Redirect', '/login').status(401).end();
      return;
    }
    const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
    res.redirect(303, `/login${next}`);
  }
}

/** Renders the error page, or for htmx a fragment retargeted into the page's flash region. */
export function renderError(req: Request, res: Response, status: number, message: string): void {
  res.status(status);
  if (status === 503) res.set('Retry-After', '5');
  if (isHtmx(req)) {
    res.set('HX-Retarget', '#flash').set('HX-Reswap', 'innerHTML');
    res.render('partials/_alert', { layout: false, kind: 'error', message });
    return;
  }
  res.render('errors/error', { status, message, title: translate(req.operator?.locale, 'error.title') });
}
