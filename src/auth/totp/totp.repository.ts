import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { allowWaitingForTurn } from '../../common/turns';
import type { FailureState } from './totp-rules';

/** An operator's second factor as stored: sealed seeds, the last step used, the failure counters. */
export interface TotpRow {
  email: string;
  secretEnc: string | null;
  pendingEnc: string | null;
  enabledAt: Date | null;
  lastStep: number | null;
  failures: number;
  windowStart: Date | null;
  consecutive: number;
  lockedAt: Date | null;
}

const SELECT_ROW = `SELECT email, totp_secret_enc AS "secretEnc", totp_pending_secret_enc AS "pendingEnc",
  totp_enabled_at AS "enabledAt", totp_last_step AS "lastStep", totp_failures AS failures,
  totp_failure_window_start AS "windowStart", totp_consecutive_failures AS consecutive, totp_locked_at AS "lockedAt"
  FROM operators WHERE id = $1`;

/** Rows changed by an UPDATE run through `manager.query` (TypeORM returns `[rows, count]` for it). */
const affected = (result: unknown): number =>
  Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;

const toRow = (raw: (Omit<TotpRow, 'lastStep'> & { lastStep: string | null }) | undefined) =>
  raw && { ...raw, lastStep: raw.lastStep === null ? null : Number(raw.lastStep) };

/** The SQL of operators' second factor (columns `totp_*` of `operators`), by what each step means. */
@Injectable()
export class TotpRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(
    operatorId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<TotpRow | undefined> {
    const [row] = await manager.query(SELECT_ROW, [operatorId]);
    return toRow(row);
  }

  /**
   * Loads the row locked until the transaction ends: every attempt for one operator reads the counters
   * after the previous attempt wrote them, so simultaneous codes are judged one at a time (a throttled
   * operator's sixth code is refused unread, not checked alongside the first five).
   */
  async lockForUpdate(operatorId: string, tx: EntityManager): Promise<TotpRow | undefined> {
    await allowWaitingForTurn(tx);
    const [row] = await tx.query(`${SELECT_ROW} FOR UPDATE`, [operatorId]);
    return toRow(row);
  }

  /** Stores a new pending seed unless the operator has one (pending or on): two tabs keep one seed. */
  async storePendingSecret(operatorId: string, sealed: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE operators SET totp_pending_secret_enc = $2
       WHERE id = $1 AND totp_pending_secret_enc IS NULL AND totp_secret_enc IS NULL`,
      [operatorId, sealed],
    );
  }

  /**
   * Turns the pending seed on with the step of the code that confirmed it, if it is still the pending one
   * and that step is unused. False when another request got there first.
   */
  async enable(
    tx: EntityManager,
    operatorId: string,
    confirmed: { pendingEnc: string; step: number },
  ): Promise<boolean> {
    const result = await tx.query(
      `UPDATE operators SET totp_secret_enc = totp_pending_secret_enc, totp_pending_secret_enc = NULL,
         totp_enabled_at = now(), totp_last_step = $3, totp_failures = 0, totp_failure_window_start = NULL,
         totp_consecutive_failures = 0, totp_locked_at = NULL
       WHERE id = $1 AND totp_pending_secret_enc = $2 AND totp_secret_enc IS NULL
         AND (totp_last_step IS NULL OR totp_last_step < $3)`,
      [operatorId, confirmed.pendingEnc, confirmed.step],
    );
    return affected(result) === 1;
  }

  /**
   * Claims a time step: one conditional UPDATE, so of two requests with the same code exactly one changes
   * the row. The success also ends a run of consecutive failures.
   */
  async claimStep(
    tx: EntityManager,
    operatorId: string,
    code: { secretEnc: string; step: number },
  ): Promise<boolean> {
    const result = await tx.query(
      `UPDATE operators SET totp_last_step = $3, totp_consecutive_failures = 0
       WHERE id = $1 AND totp_secret_enc = $2 AND totp_locked_at IS NULL
         AND (totp_last_step IS NULL OR totp_last_step < $3)`,
      [operatorId, code.secretEnc, code.step],
    );
    return affected(result) === 1;
  }

  /** Writes the failure counters computed from the locked row (see `lockForUpdate`). */
  async recordFailure(tx: EntityManager, operatorId: string, state: FailureState): Promise<void> {
    await tx.query(
      `UPDATE operators SET totp_failures = $2, totp_failure_window_start = $3, totp_consecutive_failures = $4,
         totp_locked_at = $5 WHERE id = $1`,
      [operatorId, state.failures, state.windowStart, state.consecutive, state.lockedAt],
    );
  }

  /** Removes seed, lock and counters (2FA off, or reset by an admin): the operator enrolls again. */
  async clear(tx: EntityManager, operatorId: string): Promise<void> {
    await tx.query(
      `UPDATE operators SET totp_secret_enc = NULL, totp_pending_secret_enc = NULL, totp_enabled_at = NULL,
         totp_last_step = NULL, totp_failures = 0, totp_failure_window_start = NULL,
         totp_consecutive_failures = 0, totp_locked_at = NULL
       WHERE id = $1`,
      [operatorId],
    );
  }
}
