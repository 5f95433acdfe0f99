import type { SelectQueryBuilder } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import type { SqlParams } from '../common/sql';
import { seesAllClients } from '../auth/role-policy';

/*
 * Which clients exist for the application, in one place. A client marked for deletion is gone at once for
 * everyone (the purge removes its rows later); on top of that an agent sees only the clients linked to one
 * of their attendant groups, while managers and admins see every client. Every query that reads clients for
 * a request goes through `visibleClient*`; background work that acts for nobody in particular (bulk syncs,
 * renewals, uniqueness checks) goes through `liveClient*`. A foreign or deleted id is therefore simply
 * "not found" (404), never a leak. Only this module, the purge and the migrations name the deletion mark.
 */

/** `<alias>` is not marked for deletion. */
export const liveClientSql = (alias = 'c'): string => `${alias}.deletion_requested_at IS NULL`;

/** The SET clause that marks a client for deletion: from then on it is outside every scope here. */
export const MARK_FOR_DELETION_SQL = 'deletion_requested_at = now()';

/** `<alias>` is linked to one of the operator's groups; `operatorId` is the placeholder of their id. */
const inOperatorGroupsSql = (alias: string, operatorId: string): string =>
  `EXISTS (SELECT 1 FROM client_attendant_groups cag_scope
           JOIN attendant_group_members agm_scope ON agm_scope.attendant_group_id = cag_scope.attendant_group_id
           WHERE cag_scope.client_id = ${alias}.id AND agm_scope.operator_id = ${operatorId})`;

/** Plain SQL: `<alias>` is a client this operator may see, the operator's id bound through `params`. */
export function visibleClientSql(operator: SessionOperator, params: SqlParams, alias = 'c'): string {
  if (seesAllClients(operator)) return liveClientSql(alias);
  return `${liveClientSql(alias)} AND ${inOperatorGroupsSql(alias, params.add(operator.id))}`;
}

/** QueryBuilder: restricts `<alias>` to clients not marked for deletion. */
export function whereLiveClient<T extends object>(
  qb: SelectQueryBuilder<T>,
  alias = 'c',
): SelectQueryBuilder<T> {
  return qb.andWhere(liveClientSql(alias));
}

/** QueryBuilder: restricts `<alias>` to clients this operator may see. */
export function whereVisibleClient<T extends object>(
  qb: SelectQueryBuilder<T>,
  operator: SessionOperator,
  alias = 'c',
): SelectQueryBuilder<T> {
  whereLiveClient(qb, alias);
  if (seesAllClients(operator)) return qb;
  return qb.andWhere(inOperatorGroupsSql(alias, ':scopeOperatorId'), { scopeOperatorId: operator.id });
}
