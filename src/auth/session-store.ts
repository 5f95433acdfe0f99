import connectPgSimple from 'connect-pg-simple';
import session, { type Session, type SessionData } from 'express-session';
import type { Request } from 'express';
import type { Pool } from 'pg';

/**
 * How stale the stored idle deadline may get before a request moves it on. With `rolling` sessions every
 * response would otherwise UPDATE the session row (a write and a commit per page view); now it happens at
 * most once a minute per session. The deadline only ever lags behind, so the idle timeout an operator sees
 * is between 29 and 30 minutes — never longer than IDLE_TIMEOUT_MS.
 */
export const TOUCH_INTERVAL_MS = 60 * 1000;

const PgStore = connectPgSimple(session);
const STORED_EXPIRY = Symbol('storedExpiry');

type StoredSession = SessionData & { [STORED_EXPIRY]?: number };

/**
 * connect-pg-simple's store, reading the row's `expire` with the session and skipping a touch that would
 * move it by less than TOUCH_INTERVAL_MS. Saves (a changed session) and regenerated sessions always write.
 */
export class ThrottledPgStore extends PgStore {
  /** The stored deadline of each session loaded in this request (keyed by the Session object). */
  private readonly storedExpiry = new WeakMap<Session, number>();
  private readonly pool: Pool;
  private readonly table: string;

  constructor(options: { pool: Pool; tableName: string; pruneSessionInterval: number }) {
    super(options);
    this.pool = options.pool;
    this.table = options.tableName;
  }

  override get(sid: string, fn: (err: unknown, session?: SessionData | null) => void): void {
    // The callback runs the rest of the request: on the next tick, outside the promise chain (as
    // connect-pg-simple does), so nothing it throws becomes an unhandled rejection.
    this.pool
      .query<{ sess: SessionData | string; expire: Date }>(
        // The app's clock, as connect-pg-simple uses for writing `expire` and for pruning.
        `SELECT sess, expire FROM ${this.table} WHERE sid = $1 AND expire >= to_timestamp($2)`,
        [sid, Date.now() / 1000],
      )
      .then(
        ({ rows: [row] }) => process.nextTick(() => this.loaded(sid, row, fn)),
        (err: unknown) => process.nextTick(fn, err),
      );
  }

  private loaded(
    sid: string,
    row: { sess: SessionData | string; expire: Date } | undefined,
    fn: (err: unknown, session?: SessionData | null) => void,
  ): void {
    if (!row) return fn(null, null);
    let sess: StoredSession;
    try {
      sess = typeof row.sess === 'string' ? (JSON.parse(row.sess) as SessionData) : row.sess;
    } catch {
      return this.destroy(sid, (destroyErr) => fn(destroyErr, null));
    }
    // A symbol key: neither copied onto the Session nor serialized back by a save.
    sess[STORED_EXPIRY] = row.expire.getTime();
    fn(null, sess);
  }

  override createSession(req: Request, sess: SessionData): Session & SessionData {
    const stored = (sess as StoredSession)[STORED_EXPIRY];
    const created = super.createSession(req, sess);
    if (stored !== undefined) this.storedExpiry.set(created, stored);
    return created;
  }

  override touch(sid: string, sess: SessionData, fn?: () => void): void {
    const stored = this.storedExpiry.get(sess as unknown as Session);
    const next = sess.cookie.expires?.getTime();
    if (stored !== undefined && next !== undefined && next - stored < TOUCH_INTERVAL_MS) {
      fn?.();
      return;
    }
    super.touch(sid, sess, fn);
  }
}
