import type { SessionOperator } from '../auth/session-operator';

/**
 * Which clients an operator may see, as a SQL condition on a clients alias: managers and admins see all;
 * an agent sees clients linked to one of their attendant groups (SPEC §3.2). Every client query adds it,
 * so a foreign id is simply "not found" (404), never a leak.
 */
export function visibleClientCondition(
  operator: SessionOperator,
  alias = 'c',
  paramName = 'scopeOperatorId',
): { sql: string; params: Record<string, string> } {
  if (operator.role !== 'agent') return { sql: 'TRUE', params: {} };
  return {
    sql: `EXISTS (SELECT 1 FROM client_attendant_groups cag_scope
                  JOIN attendant_group_members agm_scope ON agm_scope.attendant_group_id = cag_scope.attendant_group_id
                  WHERE cag_scope.client_id = ${alias}.id AND agm_scope.operator_id = :${paramName})`,
    params: { [paramName]: operator.id },
  };
}
