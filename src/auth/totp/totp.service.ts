import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { generateSecret, generateURI } from 'otplib';
import QRCode from 'qrcode';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLogger } from '../../common/audit-logger';
import { SecretBox } from '../../common/crypto/secret-box';
import { SecurityNotices } from '../security-notices';
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
import { TotpRepository, type TotpRow } from './totp.repository';

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

/**
 * Operators' second factor: enrollment, verification with single use of each time step, throttling and
 * locking, disable and admin reset. Every attempt is audited with its result; seeds and codes never reach
 * a log. Turning it on, off or resetting it also leaves a notice the operator sees at their next login.
 * The SQL lives in TotpRepository; this reads as the steps.
 */
@Injectable()
export class TotpService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly totp: TotpRepository,
    private readonly notices: SecurityNotices,
    @Inject(TOTP_SECRET_BOX) private readonly box: SecretBox,
    private readonly audit: AuditLogger,
  ) {}

  async status(operatorId: string): Promise<TotpStatus> {
    const row = await this.totp.load(operatorId);
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
    let row = await this.totp.load(operatorId);
    if (!row || row.secretEnc) return null;
    if (!row.pendingEnc) {
      const sealed = this.box.seal(generateSecret({ length: TOTP_SECRET_BYTES }), aad(operatorId));
      await this.totp.storePendingSecret(operatorId, sealed);
      row = await this.totp.load(operatorId);
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
    const row = await this.totp.load(operatorId);
    if (!row?.pendingEnc || row.secretEnc) return 'not_pending';
    const secret = this.box.open(row.pendingEnc, aad(operatorId));
    const check = checkCode(secret, normalizeCode(rawCode), nowSeconds(), row.lastStep);
    if (!check.valid) {
      this.log(operatorId, attempt, check.reason);
      return 'invalid';
    }
    const enabled = await this.dataSource.transaction(async (tx) => {
      const done = await this.totp.enable(tx, operatorId, { pendingEnc: row.pendingEnc!, step: check.step });
      if (done) await this.notices.record(tx, { operatorId, event: 'totp.enabled', actorId: operatorId });
      return done;
    });
    if (!enabled) {
      this.log(operatorId, attempt, 'replay');
      return 'invalid';
    }
    this.log(operatorId, attempt, 'accepted');
    this.audit.log('totp.enabled', { operatorId, ip: attempt.ip, requestId: attempt.requestId });
    return 'enabled';
  }

  /**
   * Verifies a code and claims its time step. Pass the caller's transaction manager so the claim commits
   * or rolls back with the action it authorises; without one, the check runs in a transaction of
   * its own. A refusal is counted in that same transaction, so the caller must commit, not throw, after
   * a refused code — it has changed nothing else by then.
   *
   * The operator's row is locked first: simultaneous attempts are judged one after the other, each on the
   * counters the previous one left — at most MAX_FAILURES_PER_WINDOW wrong codes are ever checked per
   * window, however many arrive at once.
   */
  async verify(
    operatorId: string,
    rawCode: string,
    attempt: TotpAttempt,
    manager?: EntityManager,
  ): Promise<TotpVerification> {
    if (manager?.queryRunner?.isTransactionActive)
      return this.verifyLocked(manager, operatorId, rawCode, attempt);
    return this.dataSource.transaction((tx) => this.verifyLocked(tx, operatorId, rawCode, attempt));
  }

  private async verifyLocked(
    tx: EntityManager,
    operatorId: string,
    rawCode: string,
    attempt: TotpAttempt,
  ): Promise<TotpVerification> {
    const row = await this.totp.lockForUpdate(operatorId, tx);
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
    const check = checkCode(secret, normalizeCode(rawCode), nowSeconds(), row.lastStep);
    if (!check.valid) return this.fail(tx, operatorId, row, attempt, check.reason);
    const claimed = await this.totp.claimStep(tx, operatorId, { secretEnc: row.secretEnc, step: check.step });
    if (!claimed) return this.fail(tx, operatorId, row, attempt, 'replay');
    this.log(operatorId, attempt, 'accepted');
    return { ok: true, step: check.step };
  }

  /** Turns 2FA off after a current code. */
  async disable(operatorId: string, rawCode: string, attempt: TotpAttempt): Promise<TotpVerification> {
    return this.dataSource.transaction(async (tx) => {
      const result = await this.verifyLocked(tx, operatorId, rawCode, attempt);
      if (result.ok) {
        await this.totp.clear(tx, operatorId);
        await this.notices.record(tx, { operatorId, event: 'totp.disabled', actorId: operatorId });
        this.audit.log('totp.disabled', { operatorId, ip: attempt.ip, requestId: attempt.requestId });
      }
      return result;
    });
  }

  /** Admin reset: clears secret, lock and counters; the operator enrolls again (and is told so). */
  async reset(targetId: string, actorId: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.totp.clear(tx, targetId);
      await this.notices.record(tx, { operatorId: targetId, event: 'totp.reset', actorId });
    });
  }

  /** Counts a failure on the locked row and locks 2FA at the 10th in a row. */
  private async fail(
    tx: EntityManager,
    operatorId: string,
    row: TotpRow,
    attempt: TotpAttempt,
    reason: 'invalid' | 'replay' | 'malformed',
  ): Promise<TotpVerification> {
    const state = afterFailure(failureState(row), new Date());
    await this.totp.recordFailure(tx, operatorId, state);
    const lockedNow = !row.lockedAt && !!state.lockedAt;
    this.log(operatorId, attempt, reason, { failures: state.failures, consecutive: state.consecutive });
    if (lockedNow)
      this.audit.log('totp.locked', { operatorId, ip: attempt.ip, requestId: attempt.requestId });
    return { ok: false, reason, lockedNow };
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
const failureState = (row: TotpRow): FailureState => ({
  failures: row.failures,
  windowStart: row.windowStart,
  consecutive: row.consecutive,
  lockedAt: row.lockedAt,
});
