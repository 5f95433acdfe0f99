import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { type Session, type SessionData, Store } from 'express-session';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { sharedPool } from '../database/shared-pool';
import type { Locale, Role } from './operator.entity';
import type { SessionOperator } from './session-operator';

/**
 * How stale the stored idle deadline may get before a request moves it on. With `rolling` sessions every
 * response would otherwise UPDATE the session row (a write and a commit per page view); now it happens at
 * most once a minute per session. The deadline only ever lags behind, so the idle timeout an operator sees
 * is between 29 and 30 minutes — never longer than IDLE_TIMEOUT_MS.
 */
export const TOUCH_INTERVAL_MS = 60 * 1000;
/** Expired rows are deleted this often (a session past its deadline is never loaded anyway). */
export const PRUNE_INTERVAL_MS = 15 * 60 * 1000;

/** A session row and, when it is signed in, its operator's row (LEFT JOIN: null columns otherwise). */
interface SessionRow {
  sess: SessionData | string;
  expire: Date;
  operatorId: string | null;
  name: string;
  email: string;
  role: Role;
  locale: Locale;
  active: boolean;
  generation: number;
}

/** What the store learnt when it loaded a session, kept beside the Session object (never serialized). */
interface Loaded {
  /** The row's idle deadline (ms): a touch that would move it by less than TOUCH_INTERVAL_MS is skipped. */
  expire: number;
  operator?: SessionOperator;
}

const LOADED = Symbol('loaded');
type LoadedData = SessionData & { [LOADED]?: Loaded };

const noop = () => undefined;

/**
 * The express-session store, in PostgreSQL (`sessions`), built so that access ends for certain:
 *
 * - One query loads the session and its operator's row. A signed-in session is accepted only while the
 *   operator is active and the session's generation is the operator's (`operators.session_generation`,
 *   moved on by deactivation, role and password changes); otherwise the row is deleted and the request is
 *   anonymous. Name, e-mail, role and language come from that row, never from a snapshot in the session.
 * - A save never brings back a row that is gone: a session loaded by this request is written with an
 *   UPDATE (nothing happens when a logout, deactivation or password change deleted it meanwhile); only a
 *   session created in this request (a visitor's first write, or a new id after login) is INSERTed.
 * - An anonymous visitor who only reads pages has no row at all (`saveUninitialized: false` and nothing
 *   stored for CSRF, see app.setup.ts).
 * - Touches are throttled (TOUCH_INTERVAL_MS), and the prune timer stops when the app closes.
 */
@Injectable()
export class SessionStore extends Store implements OnModuleDestroy {
  private readonly pool: Pool;
  private readonly loaded = new WeakMap<object, Loaded>();
  private readonly logger = new Logger('Sessions');
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(@InjectDataSource() dataSource: DataSource) {
    super();
    this.pool = sharedPool(dataSource);
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  /** The operator a session loaded by this store belongs to (undefined: anonymous, or a new session). */
  operatorOf(session: Session | undefined): SessionOperator | undefined {
    return session ? this.loaded.get(session)?.operator : undefined;
  }

  override get(sid: string, fn: (err: unknown, session?: SessionData | null) => void): void {
    // The callback runs the rest of the request: on the next tick, outside the promise chain, so nothing
    // it throws becomes an unhandled rejection.
    this.pool
      .query<SessionRow>(
        // The app's clock, as for writing `expire` and for pruning.
        `SELECT sess, expire, o.id AS "operatorId", o.name, o.email, o.role, o.locale, o.active,
                o.session_generation AS generation
         FROM sessions
         LEFT JOIN operators o ON o.id = (sess -> 'operator' ->> 'id')::uuid
         WHERE sid = $1 AND expire >= to_timestamp($2)`,
        [sid, Date.now() / 1000],
      )
      .then(
        ({ rows: [row] }) => process.nextTick(() => this.loadedRow(sid, row, fn)),
        (err: unknown) => process.nextTick(fn, err),
      );
  }

  private loadedRow(
    sid: string,
    row: SessionRow | undefined,
    fn: (err: unknown, session?: SessionData | null) => void,
  ): void {
    if (!row) return fn(null, null);
    let sess: LoadedData;
    try {
      sess = typeof row.sess === 'string' ? (JSON.parse(row.sess) as SessionData) : row.sess;
    } catch {
      return this.destroy(sid, (destroyErr) => fn(destroyErr, null));
    }
    const loaded: Loaded = { expire: row.expire.getTime() };
    const signIn = sess.operator;
    if (signIn) {
      const valid = row.operatorId !== null && row.active && row.generation === signIn.generation;
      // Ended (deactivated, role or password changed, or the operator is gone): the row goes too.
      if (!valid) return this.destroy(sid, (destroyErr) => fn(destroyErr, null));
      loaded.operator = {
        id: row.operatorId!,
        name: row.name,
        email: row.email,
        role: row.role,
        locale: row.locale,
      };
    }
    // A symbol key: neither copied onto the Session nor serialized back by a save.
    sess[LOADED] = loaded;
    fn(null, sess);
  }

  override createSession(req: Request, sess: SessionData): Session & SessionData {
    const loaded = (sess as LoadedData)[LOADED];
    const created = super.createSession(req, sess);
    if (loaded) this.loaded.set(created, loaded);
    return created;
  }

  override set(sid: string, sess: SessionData, fn: (err?: unknown) => void = noop): void {
    const expire = expiryOf(sess);
    const loaded = this.loaded.get(sess);
    const write = loaded
      ? this.pool.query(`UPDATE sessions SET sess = $1, expire = to_timestamp($2) WHERE sid = $3`, [
          JSON.stringify(sess),
          expire,
          sid,
        ])
      : this.pool.query(
          // A new id is 192 random bits; should it ever exist, the stored session is not overwritten.
          `INSERT INTO sessions (sess, expire, sid) VALUES ($1, to_timestamp($2), $3) ON CONFLICT (sid) DO NOTHING`,
          [JSON.stringify(sess), expire, sid],
        );
    write.then(
      () => {
        // From now on this session exists in the table: its next save is an UPDATE like any other.
        if (loaded) loaded.expire = expire * 1000;
        else this.loaded.set(sess, { expire: expire * 1000 });
        process.nextTick(fn);
      },
      (err: unknown) => process.nextTick(fn, err),
    );
  }

  override touch(sid: string, sess: SessionData, fn: () => void = noop): void {
    const loaded = this.loaded.get(sess);
    const next = sess.cookie.expires?.getTime();
    if (!loaded || next === undefined || next - loaded.expire < TOUCH_INTERVAL_MS) {
      process.nextTick(fn);
      return;
    }
    const expire = expiryOf(sess);
    this.pool.query(`UPDATE sessions SET expire = to_timestamp($1) WHERE sid = $2`, [expire, sid]).then(
      () => {
        loaded.expire = expire * 1000;
        process.nextTick(fn);
      },
      // express-session ignores a touch's error; the row keeps its older deadline.
      (err: unknown) => {
        this.logger.warn({ err }, 'could not move a session’s idle deadline');
        process.nextTick(fn);
      },
    );
  }

  override destroy(sid: string, fn: (err?: unknown) => void = noop): void {
    this.pool.query(`DELETE FROM sessions WHERE sid = $1`, [sid]).then(
      () => process.nextTick(fn),
      (err: unknown) => process.nextTick(fn, err),
    );
  }

  private prune(): void {
    this.pool
      .query(`DELETE FROM sessions WHERE expire < to_timestamp($1)`, [Date.now() / 1000])
      .catch((err: unknown) => this.logger.warn({ err }, 'could not delete expired sessions'));
  }
}

/** The row's deadline (epoch seconds): the cookie's, which `rolling` moves on with every response. */
function expiryOf(sess: SessionData): number {
  const expires = sess.cookie?.expires;
  return Math.ceil((expires ? new Date(expires).getTime() : Date.now()) / 1000);
}
