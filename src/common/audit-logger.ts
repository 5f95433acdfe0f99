import { Injectable, Logger } from '@nestjs/common';

/**
 * Security events as structured JSON lines (`audit: true`) in the app log: who, what, from where, the
 * request id. Never secrets, codes or personal data beyond operator ids, so the log can be kept long and shipped anywhere.
 */
@Injectable()
export class AuditLogger {
  private readonly logger = new Logger('Audit');

  log(event: string, fields: Record<string, unknown>): void {
    this.logger.log({ audit: true, event, ...fields });
  }
}
