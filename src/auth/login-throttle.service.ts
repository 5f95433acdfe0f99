import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { sharedPool } from '../database/shared-pool';

const WINDOW_SECONDS = 15 * 60;
/** Password checks allowed per account and per client address in 15 minutes (a success gives its one back). */
export const ACCOUNT_FAILURES = 10;
export const ADDRESS_FAILURES = 30;

/** Whether a password may be checked now; if not, how long to wait. */
export type LoginTurn = { allowed: true } | { allowed: false; waitMs: number };

/**
 * Login throttling kept in PostgreSQL (`rate_limits`), so it holds across restarts and app instances.
 *
 * Every attempt takes its point first — one atomic upsert per counter — and only then is the password
 * checked; a success gives the point back. Counting after the check let 40 simultaneous attempts all be
 * checked (each read "9 failures so far") and the right password in after them. Now, of any number of
 * simultaneous attempts, at most ACCOUNT_FAILURES are checked per account and window.
 */
@Injectable()
export class LoginThrottleService {
  private readonly byAccount: RateLimiterPostgres;
  private readonly byAddress: RateLimiterPostgres;

  constructor(@InjectDataSource() dataSource: DataSource) {
    const pool = sharedPool(dataSource);
    const common = {
      // Unnamed statements only: the embedded database (PGlite behind pglite-socket) serves every pool
      // connection from one backend session, where the limiter's named prepared statements
      // ("rate_limits:rlflx-get") collide on the second connection with "already exists" (→ 500 at login).
      storeClient: { query: (q: { text: string; values?: unknown[] }) => pool.query(q.text, q.values) },
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      duration: WINDOW_SECONDS,
      clearExpiredByTimeout: false,
    };
    this.byAccount = new RateLimiterPostgres({
      ...common,
      keyPrefix: 'login-account',
      points: ACCOUNT_FAILURES,
    });
    this.byAddress = new RateLimiterPostgres({
      ...common,
      keyPrefix: 'login-address',
      points: ADDRESS_FAILURES,
    });
  }

  /** Takes one attempt from the account's and the address's budgets, before the password is checked. */
  async take(email: string, address: string): Promise<LoginTurn> {
    const account = email.toLowerCase();
    const refusedForAccount = await refusal(this.byAccount.consume(account));
    if (refusedForAccount) return refusedForAccount;
    const refusedForAddress = await refusal(this.byAddress.consume(address));
    if (refusedForAddress) {
      await this.byAccount.reward(account, 1); // this attempt was not checked against the account
      return refusedForAddress;
    }
    return { allowed: true };
  }

  /** A successful login gives back the attempt it took (earlier failures still count). */
  async giveBack(email: string, address: string): Promise<void> {
    await Promise.all([this.byAccount.reward(email.toLowerCase(), 1), this.byAddress.reward(address, 1)]);
  }
}

/** The refusal of a consume that went over the budget; database errors propagate. */
async function refusal(consumed: Promise<RateLimiterRes>): Promise<LoginTurn | null> {
  try {
    await consumed;
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return { allowed: false, waitMs: Math.max(error.msBeforeNext, 1000) };
  }
}
