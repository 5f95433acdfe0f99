import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../auth/operator.entity';
import type { SessionOperator } from '../auth/session-operator';

export const IS_PUBLIC = 'clientela:public';
export const ROLES = 'clientela:roles';

/** The route needs no session (login, setup, health). Everything else does (global AuthGuard). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may use the route; others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The signed-in operator, as stored in the session. */
export const CurrentOperator = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionOperator => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return req.operator as SessionOperator;
});
