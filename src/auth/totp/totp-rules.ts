import { verifySync } from 'otplib';

/**
 * The rules of the second factor (TOTP, RFC 6238), free of I/O so they are unit-tested:
 * 6 digits, 30-second steps, the current step and the previous one only (none in the future), a step
 * never accepted twice, at most 5 failures per 15 minutes and a lock after 10 consecutive failures.
 */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** 20 bytes = 160 bits from a CSPRNG (RFC 4226 §4 R6, ASVS 6.5.3). */
export const TOTP_SECRET_BYTES = 20;
export const TOTP_ISSUER = 'Clientela';
export const MAX_FAILURES_PER_WINDOW = 5;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const LOCK_AFTER_CONSECUTIVE_FAILURES = 10;

/** otplib checks [epoch − 30 s, epoch]: exactly the previous and the current step, never a future one. */
const EPOCH_TOLERANCE: [number, number] = [TOTP_PERIOD_SECONDS, 0];

/** What an operator types, without the spaces authenticator apps show ("123 456"). */
export const normalizeCode = (code: unknown): string =>
  typeof code === 'string' ? code.replace(/\s+/g, '') : '';

export const isWellFormedCode = (code: string): boolean => new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code);

export const timeStepAt = (epochSeconds: number): number => Math.floor(epochSeconds / TOTP_PERIOD_SECONDS);

export type CodeCheck =
  { valid: true; step: number } | { valid: false; reason: 'malformed' | 'invalid' | 'replay' };

/**
 * Checks a code against a base32 secret at `epochSeconds`. A code of a step at or before `lastStep` (the
 * last one this operator used) is a replay, even inside the window. The caller still has to claim the
 * step atomically (two requests may pass this check at once).
 */
export function checkCode(
  secret: string,
  code: string,
  epochSeconds: number,
  lastStep: number | null,
): CodeCheck {
  if (!isWellFormedCode(code)) return { valid: false, reason: 'malformed' };
  const result = verifySync({
    secret,
    token: code,
    epoch: epochSeconds,
    epochTolerance: EPOCH_TOLERANCE,
    period: TOTP_PERIOD_SECONDS,
    digits: TOTP_DIGITS,
  });
  // The TOTP strategy's result carries the matched time step (the HOTP one, in the same union, does not).
  if (!result.valid || !('timeStep' in result)) return { valid: false, reason: 'invalid' };
  if (lastStep !== null && result.timeStep <= lastStep) return { valid: false, reason: 'replay' };
  return { valid: true, step: result.timeStep };
}

/** The per-operator failure counters, as stored on the operator. */
export interface FailureState {
  /** Failures in the current 15-minute window. */
  failures: number;
  windowStart: Date | null;
  consecutive: number;
  lockedAt: Date | null;
}

export const NO_FAILURES: FailureState = { failures: 0, windowStart: null, consecutive: 0, lockedAt: null };

/** Whether another attempt must wait (5 failures already in the open window), and for how long. */
export function throttle(state: FailureState, now: Date): { blocked: boolean; retryAfterMs: number } {
  if (!state.windowStart) return { blocked: false, retryAfterMs: 0 };
  const windowEnd = state.windowStart.getTime() + FAILURE_WINDOW_MS;
  if (now.getTime() >= windowEnd || state.failures < MAX_FAILURES_PER_WINDOW)
    return { blocked: false, retryAfterMs: 0 };
  return { blocked: true, retryAfterMs: windowEnd - now.getTime() };
}

/**
 * The counters after a failed attempt: the window restarts when the last one expired, the consecutive
 * count always grows, and the 10th consecutive failure locks 2FA until an admin resets it.
 */
export function afterFailure(state: FailureState, now: Date): FailureState {
  const expired = !state.windowStart || now.getTime() - state.windowStart.getTime() >= FAILURE_WINDOW_MS;
  const consecutive = state.consecutive + 1;
  return {
    failures: expired ? 1 : state.failures + 1,
    windowStart: expired ? now : state.windowStart,
    consecutive,
    lockedAt: state.lockedAt ?? (consecutive >= LOCK_AFTER_CONSECUTIVE_FAILURES ? now : null),
  };
}

/** A success ends the consecutive run; failures in the window still count against the 15-minute limit. */
export function afterSuccess(state: FailureState): FailureState {
  return { ...state, consecutive: 0 };
}

/** "ABCD EFGH …": the manual key in groups of four, as authenticator apps accept it. */
export const groupKey = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');
