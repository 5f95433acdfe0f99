import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { sharedPool } from '../database/shared-pool';

const WINDOW_SECONDS = 15 * 60;
/** Failed logins allowed per account and per client address in 15 minutes (research/security.md S11). */
export const ACCOUNT_FAILURES = 10;
export const ADDRESS_FAILURES = 30;

/** Login throttling kept in PostgreSQL (`rate_limits`), so it holds across restarts and app instances. */
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

  /** Milliseconds to wait before another attempt is allowed, or 0. */
  async blockedFor(email: string, address: string): Promise<number> {
    const [account, ip] = await Promise.all([
      this.byAccount.get(email.toLowerCase()),
      this.byAddress.get(address),
    ]);
    return Math.max(waitOf(account, ACCOUNT_FAILURES), waitOf(ip, ADDRESS_FAILURES));
  }

  async recordFailure(email: string, address: string): Promise<void> {
    await Promise.all([this.byAccount.penalty(email.toLowerCase(), 1), this.byAddress.penalty(address, 1)]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.byAccount.delete(email.toLowerCase());
  }
}

function waitOf(res: RateLimiterRes | null, limit: number): number {
  return res && res.consumedPoints >= limit ? Math.max(res.msBeforeNext, 1000) : 0;
}
