import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditLogger } from '../common/audit-logger';
import { IS_PUBLIC, ROLES } from '../common/auth.decorators';
import { NotSignedInException } from '../common/errors/http-exception.filter';
import type { Role } from './operator.entity';

/**
 * Global: every route needs a signed-in operator unless marked `@Public()`, and `@Roles()` narrows it.
 * `req.operator` was loaded with the session, from the operators table, by the session store (one query
 * per request; an ended session or an inactive operator is anonymous), and set by app.setup.ts.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLogger,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const operator = req.operator;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (!operator) throw new NotSignedInException();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(operator.role)) {
      this.audit.log('authorization.denied', {
        operatorId: operator.id,
        method: req.method,
        path: req.path,
        requestId: req.id,
      });
      throw new ForbiddenException();
    }
    return true;
  }
}
