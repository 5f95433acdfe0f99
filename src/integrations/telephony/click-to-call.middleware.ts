import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { TelephonySettingsService } from './telephony-settings.service';

/**
 * Tells the client views (list rows, the client page's contacts) whether a provider places calls
 * (`clickToCall`: a call button posting to the call route) or not (a plain `tel:` link). A view flag
 * rather than an import: clients never depends on telephony.
 */
@Injectable()
export class ClickToCallMiddleware implements NestMiddleware {
  constructor(private readonly settings: TelephonySettingsService) {}

  async use(_req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      res.locals.clickToCall = (await this.settings.kind()) !== 'none';
      next();
    } catch (error) {
      next(error);
    }
  }
}
