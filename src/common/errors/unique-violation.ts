/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * The unique constraint (or unique index) a write broke, or undefined for any other error. TypeORM copies
 * the driver's fields onto its QueryFailedError and keeps the original as `driverError`; both are read.
 */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const e = error as { code?: string; constraint?: string; driverError?: unknown } | null;
  if (e?.code === UNIQUE_VIOLATION && typeof e.constraint === 'string') return e.constraint;
  return e?.driverError && e.driverError !== error ? violatedUniqueConstraint(e.driverError) : undefined;
}

/**
 * A `.catch` for a write whose uniqueness the service checks first ("is this e-mail free?"). Two
 * simultaneous requests can both pass that check; the unique index then refuses the second write (a 500
 * until now). For the constraints named in `checks`, the refusal is answered as the sequential path
 * answers it: the constraint's check runs again — outside the failed transaction, where it now sees the
 * committed row — and throws the domain error (a 422 with the form). Anything else, or a check that still
 * finds nothing, rethrows the original error.
 *
 *   this.dataSource.transaction(…).catch(onUniqueViolation({ operators_email_key: () => this.assertEmailFree(email) }))
 */
export const onUniqueViolation =
  (checks: Readonly<Record<string, () => Promise<void> | void>>) =>
  async (error: unknown): Promise<never> => {
    const constraint = violatedUniqueConstraint(error);
    const check = constraint === undefined ? undefined : checks[constraint];
    if (check) await check();
    throw error;
  };
