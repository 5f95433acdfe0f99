import { generateSync } from 'otplib';
import { TotpService } from '../../src/auth/totp/totp.service';
import type { TestApp } from '../support/test-app';

/**
 * Turns 2FA on for an operator as if they had scanned the QR code and confirmed it, without using up a
 * time step (so the test's first code is accepted). Returns the base32 secret, to generate codes with.
 */
export async function enableTotp(t: TestApp, operator: { id: string }): Promise<string> {
  const enrollment = await t.app.get(TotpService).enrollment(operator.id);
  if (!enrollment) throw new Error('enableTotp: 2FA is already on');
  await t.dataSource.query(
    `UPDATE operators SET totp_secret_enc = totp_pending_secret_enc, totp_pending_secret_enc = NULL, totp_enabled_at = now()
     WHERE id = $1`,
    [operator.id],
  );
  return enrollment.secret;
}

/** The code an authenticator app shows now. */
export const currentCode = (secret: string): string => generateSync({ secret });

/** A well-formed code that is valid for none of the steps around now. */
export function wrongCode(secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const valid = new Set([-60, -30, 0, 30, 60].map((offset) => generateSync({ secret, epoch: now + offset })));
  for (let n = 0; ; n++) {
    const code = String((123456 + n * 7919) % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

/**
 * Makes the operator's last used step older, as if the next 30-second step had come: the test's next
 * correct code is then not a replay (instead of sleeping up to 30 s).
 */
export async function advanceTotpStep(t: TestApp, operator: { id: string }): Promise<void> {
  await t.dataSource.query(`UPDATE operators SET totp_last_step = totp_last_step - 2 WHERE id = $1`, [
    operator.id,
  ]);
}

/** Moves the start of the operator's 15-minute failure window into the past (time passing). */
export async function ageFailureWindow(t: TestApp, operator: { id: string }, minutes: number): Promise<void> {
  await t.dataSource.query(
    `UPDATE operators SET totp_failure_window_start = totp_failure_window_start - make_interval(mins => $2) WHERE id = $1`,
    [operator.id, minutes],
  );
}
