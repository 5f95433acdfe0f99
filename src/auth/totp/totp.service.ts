import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { generateSecret, generateURI } from 'otplib';
import QRCode from 'qrcode';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLogger } from '../../common/audit-logger';
import { SecretBox } from '../../common/crypto/secret-box';
import {
  afterFailure,
  checkCode,
  type FailureState,
  groupKey,
  normalizeCode,
  throttle,
  TOTP_ISSUER,
  TOTP_SECRET_BYTES,
} from './totp-rules';

/** The SecretBox that seals TOTP seeds (purpose `totp-seed`, a key of its own). */
export const TOTP_SECRET_BOX = Symbol('TOTP_SECRET_BOX');

export type TotpPurpose = 'client_deletion' | 'disable' | 'enrollment';

/** Where an attempt came from, for the audit log (never the code itself). */
export interface TotpAttempt {
  purpose: TotpPurpose;
  ip?: string;
  requestId?: unknown;
  clientId?: string;
}

export type TotpVerification =
  | { ok: true; step: number }
  | { ok: false; reason: 'not_enrolled' | 'locked' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }
  | { ok: false; reason: 'invalid' | 'replay' | 'malformed'; lockedNow: boolean };

export interface TotpStatus {
  enabled: boolean;
  enabledAt: Date | null;
  locked: boolean;
  lockedAt: Date | null;
}

/** What the enrollment page shows: QR code, manual key and the otpauth:// URI. */
export interface TotpEnrollment {
  secret: string;
  groupedSecret: string;
  uri: string;
  /** `data:image/svg+xml;base64,…`, rendered here (no external service; CSP allows img-src data:). */
  qrCode: string;
}

export type EnrollmentConfirmation = 'enabled' | 'invalid' | 'not_pending';

interface TotpRow {
  email: string;
  secretEnc: string | null;
  pendingEnc: string | null;
  enabledAt: Date | null;
  lastStep: string | null;
  failures: number;
  windowStart: Date | null;
  consecutive: number;
  lockedAt: Date | null;
}

const SELECT_ROW = `SELECT email, totp_secret_enc AS "secretEnc", totp_pending_secret_enc AS "pendingEnc",
  totp_enabled_at AS "enabledAt", totp_last_step AS "lastStep", totp_failures AS failures,
  totp_failure_window_start AS "windowStart", totp_consecutive_failures AS consecutive, totp_locked_at AS "lockedAt"
  FROM operators WHERE id = $1`;

const CLEAR_TOTP = `totp_secret_enc = NULL, totp_pending_secret_enc = NULL, totp_enabled_at = NULL,
  totp_last_step = NULL, totp_failures = 0, totp_failure_window_start = NULL, totp_consecutive_failures = 0,
  totp_locked_at = NULL`;

/** Rows changed by an UPDATE run through `manager.query` (TypeORM returns `[rows, count]` for it). */
const affected = (result: unknown): number =>
  Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;

/**
 * Operators' second factor (it confirms a deletion): enrollment, verification with single use of each step,
 * throttling and locking, disable and admin reset. Every attempt is audited with its result; seeds and
 * codes never reach a log.
 */
@Injectable()
export class TotpService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TOTP_SECRET_BOX) private readonly box: SecretBox,
    private readonly audit: AuditLogger,
  ) {}

  async status(operatorId: string): Promise<TotpStatus> {
    const row = await this.load(operatorId, this.dataSource.manager);
    return {
      enabled: !!row?.secretEnc,
      enabledAt: row?.enabledAt ?? null,
      locked: !!row?.lockedAt,
      lockedAt: row?.lockedAt ?? null,
    };
  }

  /**
   * The pending enrollment of an operator without 2FA, created on first request and shown again on
   * reload (so a scanned code keeps working); null when 2FA is already on.
   */
  async enrollment(operatorId: string): Promise<TotpEnrollment | null> {
    let row = await this.load(operatorId, this.dataSource.manager);
    if (!row || row.secretEnc) return null;
    if (!row.pendingEnc) {
      const sealed = this.box.seal(generateSecret({ length: TOTP_SECRET_BYTES }), aad(operatorId));
      // Two tabs opening the page at once keep one secret, not two.
      await this.dataSource.query(
        `UPDATE operators SET totp_pending_secret_enc = $2
         WHERE id = $1 AND totp_pending_secret_enc IS NULL AND totp_secret_enc IS NULL`,
        [operatorId, sealed],
      );
      row = await this.load(operatorId, this.dataSource.manager);
      if (!row?.pendingEnc) return null;
    }
    const secret = this.box.open(row.pendingEnc, aad(operatorId));
    const uri = generateURI({ issuer: TOTP_ISSUER, label: row.email, secret });
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return {
      secret,
      groupedSecret: groupKey(secret),
      uri,
      qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    };
  }

  /**
   * Turns the pending secret on when the code matches it. The code's step is recorded as used, so the
   * same code cannot confirm a deletion right after.
   */
  async confirmEnrollment(
    operatorId: string,
    rawCode: string,
    attempt: TotpAttempt,
  ): Promise<EnrollmentConfirmation> {
    const row = await this.load(operatorId, this.dataSource.manager);
    if (!row?.pendingEnc || row.secretEnc) return 'not_pending';
    const secret = this.box.open(row.pendingEnc, aad(operatorId));
    const check = checkCode(secret, normalizeCode(rawCode), nowSeconds(), toStep(row.lastStep));
    if (!check.valid) {
      this.log(operatorId, attempt, check.reason);
      return 'invalid';
    }
    const result = await this.dataSource.query(
      `UPDATE operators SET totp_secret_enc = totp_pending_secret_enc, totp_pending_secret_enc = NULL,
         totp_enabled_at = now(), totp_last_step = $3, totp_failures = 0, totp_failure_window_start = NULL,
         totp_consecutive_failures = 0, totp_locked_at = NULL
       WHERE id = $1 AND totp_pending_secret_enc = $2 AND totp_secret_enc IS NULL
         AND (totp_last_step IS NULL OR totp_last_step < $3)`,
      [operatorId, row.pendingEnc, check.step],
    );
    if (!affected(result)) {
      this.log(operatorId, attempt, 'replay');
      return 'invalid';
    }
    this.log(operatorId, attempt, 'accepted');
    this.audit.log('totp.enabled', { operatorId, ip: attempt.ip, requestId: attempt.requestId });
    return 'enabled';
  }

  /**
   * Verifies a code and claims its time step. Pass the caller's transaction manager so the claim commits
   * or rolls back with the action it authorises (no code is spent by an action that did not happen). A
   * refusal is counted in that same transaction
   * (its connection may already hold the operator row, locked by a concurrent claim that lost), so the
   * caller must commit, not throw, after a refused code — it has changed nothing else by then.
   *
   * The claim is one conditional UPDATE: of two requests with the same code, exactly one changes the row.
   */
  async verify(
    operatorId: string,
    rawCode: string,
    attempt: TotpAttempt,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<TotpVerification> {
    const row = await this.load(operatorId, manager);
    if (!row?.secretEnc) return this.refuse(operatorId, attempt, { ok: false, reason: 'not_enrolled' });
    if (row.lockedAt) return this.refuse(operatorId, attempt, { ok: false, reason: 'locked' });
    const wait = throttle(failureState(row), new Date());
    if (wait.blocked) {
      return this.refuse(operatorId, attempt, {
        ok: false,
        reason: 'throttled',
        retryAfterSeconds: Math.ceil(wait.retryAfterMs / 1000),
      });
    }
    const secret = this.box.open(row.secretEnc, aad(operatorId));
    const check = checkCode(secret, normalizeCode(rawCode), nowSeconds(), toStep(row.lastStep));
    if (!check.valid) return this.fail(manager, operatorId, attempt, check.reason);
    const claimed = await manager.query(
      `UPDATE operators SET totp_last_step = $3, totp_consecutive_failures = 0
       WHERE id = $1 AND totp_secret_enc = $2 AND totp_locked_at IS NULL
         AND (totp_last_step IS NULL OR totp_last_step < $3)`,
      [operatorId, row.secretEnc, check.step],
    );
    if (!affected(claimed)) return this.fail(manager, operatorId, attempt, 'replay');
    this.log(operatorId, attempt, 'accepted');
    return { ok: true, step: check.step };
  }

  /** Turns 2FA off after a current code. */
  async disable(operatorId: string, rawCode: string, attempt: TotpAttempt): Promise<TotpVerification> {
    return this.dataSource.transaction(async (tx) => {
      const result = await this.verify(operatorId, rawCode, attempt, tx);
      if (result.ok) {
        await tx.query(`UPDATE operators SET ${CLEAR_TOTP} WHERE id = $1`, [operatorId]);
        this.audit.log('totp.disabled', { operatorId, ip: attempt.ip, requestId: attempt.requestId });
      }
      return result;
    });
  }

  /** Admin reset: clears secret, lock and counters; the operator enrolls again. */
  async reset(targetId: string): Promise<void> {
    await this.dataSource.query(`UPDATE operators SET ${CLEAR_TOTP} WHERE id = $1`, [targetId]);
  }

  private async load(operatorId: string, manager: EntityManager): Promise<TotpRow | undefined> {
    const [row] = (await manager.query(SELECT_ROW, [operatorId])) as TotpRow[];
    return row;
  }

  /** Counts a failure (row-locked read, then the new counters) and locks 2FA at the 10th in a row. */
  private async fail(
    manager: EntityManager,
    operatorId: string,
    attempt: TotpAttempt,
    reason: 'invalid' | 'replay' | 'malformed',
  ): Promise<TotpVerification> {
    const count = async (tx: EntityManager) => {
      const [row] = (await tx.query(`${SELECT_ROW} FOR UPDATE`, [operatorId])) as TotpRow[];
      const state = afterFailure(failureState(row), new Date());
      await tx.query(
        `UPDATE operators SET totp_failures = $2, totp_failure_window_start = $3, totp_consecutive_failures = $4,
           totp_locked_at = $5 WHERE id = $1`,
        [operatorId, state.failures, state.windowStart, state.consecutive, state.lockedAt],
      );
      return { state, lockedNow: !row.lockedAt && !!state.lockedAt };
    };
    const next = manager.queryRunner?.isTransactionActive
      ? await count(manager)
      : await this.dataSource.transaction(count);
    this.log(operatorId, attempt, reason, {
      failures: next.state.failures,
      consecutive: next.state.consecutive,
    });
    if (next.lockedNow)
      this.audit.log('totp.locked', { operatorId, ip: attempt.ip, requestId: attempt.requestId });
    return { ok: false, reason, lockedNow: next.lockedNow };
  }

  private refuse<T extends TotpVerification & { ok: false }>(
    operatorId: string,
    attempt: TotpAttempt,
    result: T,
  ): T {
    this.log(operatorId, attempt, result.reason);
    return result;
  }

  private log(
    operatorId: string,
    attempt: TotpAttempt,
    result: string,
    extra: Record<string, unknown> = {},
  ): void {
    this.audit.log('totp.attempt', {
      result,
      purpose: attempt.purpose,
      operatorId,
      clientId: attempt.clientId,
      ip: attempt.ip,
      requestId: attempt.requestId,
      ...extra,
    });
  }
}

/** Associated data of a seed: a seed copied into another operator's row does not open. */
const aad = (operatorId: string) => `operator:${operatorId}:totp`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const toStep = (value: string | null): number | null => (value === null ? null : Number(value));
const failureState = (row: TotpRow): FailureState => ({
  failures: row.failures,
  windowStart: row.windowStart,
  consecutive: row.consecutive,
  lockedAt: row.lockedAt,
});
