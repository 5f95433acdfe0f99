/**
 * What an error may write to the log: what failed and where, never the data involved. A driver error
 * from PostgreSQL carries the statement's `parameters` (names, CNPJ, e-mail, a password hash), a `detail`
 * ("Key (document)=(…) already exists", "Failing row contains (…)"), a `where` with values and the query
 * text; TypeORM copies them onto its QueryFailedError and keeps the original as `driverError`; pg's pool
 * attaches the whole `client` (connection settings included) to an idle connection's error. None of those
 * fields is kept: only the ones below, from the error and its causes.
 */
const SAFE_FIELDS = [
  'type',
  'message',
  'stack',
  'code',
  'constraint',
  'table',
  'column',
  'routine',
  'severity',
  'status',
  'errno',
  'syscall',
  'address',
  'port',
] as const;
const MAX_DEPTH = 3;

/**
 * pino's serializer for `err` (pino-http hands it pino's standard serialization, a plain object; a raw
 * Error works too). Values that are not objects (a rejection with a string) pass unchanged.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!err || typeof err !== 'object') return err;
  const source = err as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (err instanceof Error) out.type = err.constructor.name;
  for (const field of SAFE_FIELDS) {
    const value = source[field];
    if (value !== undefined && value !== null && typeof value !== 'object') out[field] = value;
  }
  if (depth < MAX_DEPTH) {
    if (source.cause !== undefined && source.cause !== err)
      out.cause = serializeError(source.cause, depth + 1);
    if (Array.isArray(source.errors))
      out.errors = source.errors.map((inner: unknown) => serializeError(inner, depth + 1));
  }
  return out;
}
