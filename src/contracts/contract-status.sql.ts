/**
 * `computeContractStatus` (domain/contract-rules.ts) as a SQL expression over a `contracts` alias, for the
 * queries that need the status without loading contracts (inactivation blockers). `today` is a parameter
 * placeholder holding São Paulo's calendar date. Kept beside the rule's order: cancelled, expired (unless
 * auto-renewing), pending readjustment (due on its date), active. test/integration/contracts proves both agree.
 */
export function contractStatusSql(alias: string, today: string): string {
  return `CASE
    WHEN ${alias}.cancelled_at IS NOT NULL THEN 'cancelled'
    WHEN ${alias}.end_date IS NOT NULL AND NOT ${alias}.auto_renew AND ${alias}.end_date < ${today}::date THEN 'expired'
    WHEN ${alias}.next_readjustment_date <= ${today}::date THEN 'pending_readjustment'
    ELSE 'active' END`;
}
