import fc from 'fast-check';
import { generateSecret, generateSync } from 'otplib';
import {
  afterFailure,
  afterSuccess,
  checkCode,
  FAILURE_WINDOW_MS,
  groupKey,
  isWellFormedCode,
  LOCK_AFTER_CONSECUTIVE_FAILURES,
  MAX_FAILURES_PER_WINDOW,
  NO_FAILURES,
  normalizeCode,
  throttle,
  timeStepAt,
  type FailureState,
} from './totp-rules';

const secret = generateSecret({ length: 20 });
/** 10:00:10 into a step (so "now − 30 s" is the previous step and "now + 30 s" the next). */
const NOW = 1_767_225_610;
const codeAt = (epoch: number) => generateSync({ secret, epoch });
const minutes = (n: number) => n * 60 * 1000;

describe('TOTP code window and replay', () => {
  it('accepts the current step', () => {
    expect(checkCode(secret, codeAt(NOW), NOW, null)).toEqual({ valid: true, step: timeStepAt(NOW) });
  });

  it('accepts the previous step (a code typed just as it rolled over)', () => {
    expect(checkCode(secret, codeAt(NOW - 30), NOW, null)).toEqual({
      valid: true,
      step: timeStepAt(NOW) - 1,
    });
  });

  it('refuses two steps back and any future step', () => {
    expect(checkCode(secret, codeAt(NOW - 60), NOW, null)).toEqual({ valid: false, reason: 'invalid' });
    expect(checkCode(secret, codeAt(NOW + 30), NOW, null)).toEqual({ valid: false, reason: 'invalid' });
  });

  it('accepts a code at every second of its step and the next one, never later', () => {
    const start = timeStepAt(NOW) * 30;
    const code = codeAt(start);
    for (let s = 0; s < 60; s++) expect(checkCode(secret, code, start + s, null).valid).toBe(true);
    expect(checkCode(secret, code, start + 60, null).valid).toBe(false);
    expect(checkCode(secret, code, start - 1, null).valid).toBe(false);
  });

  it('refuses a step already used by this operator (replay), even inside the window', () => {
    const step = timeStepAt(NOW);
    expect(checkCode(secret, codeAt(NOW), NOW, step)).toEqual({ valid: false, reason: 'replay' });
    // after the current step was used, the previous step's code is no longer good either
    expect(checkCode(secret, codeAt(NOW - 30), NOW, step)).toEqual({ valid: false, reason: 'replay' });
    // …but a newer step is
    expect(checkCode(secret, codeAt(NOW), NOW, step - 1)).toEqual({ valid: true, step });
  });

  it('refuses a code of another secret', () => {
    const other = generateSecret({ length: 20 });
    const code = generateSync({ secret: other, epoch: NOW });
    if (code === codeAt(NOW) || code === codeAt(NOW - 30)) return; // a one-in-500,000 collision
    expect(checkCode(secret, code, NOW, null)).toEqual({ valid: false, reason: 'invalid' });
  });

  it.each(['12345', '1234567', 'abcdef', '12 3456', '', '١٢٣٤٥٦'])(
    'refuses the malformed code %j without checking it',
    (code) => {
      expect(checkCode(secret, code, NOW, null)).toEqual({ valid: false, reason: 'malformed' });
    },
  );

  it('accepts only six ASCII digits, after dropping spaces', () => {
    expect(isWellFormedCode('012345')).toBe(true);
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    expect(normalizeCode(undefined)).toBe('');
    expect(normalizeCode(123456)).toBe('');
  });

  it('a random wrong code is accepted only when it equals one of the two valid codes', () => {
    const valid = new Set([codeAt(NOW), codeAt(NOW - 30)]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => {
        const code = String(n).padStart(6, '0');
        expect(checkCode(secret, code, NOW, null).valid).toBe(valid.has(code));
      }),
      { numRuns: 300 },
    );
  });

  it('shows the manual key in groups of four', () => {
    expect(groupKey('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')).toBe('ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567');
  });
});

describe('TOTP failure counting', () => {
  const t0 = new Date('2026-01-01T12:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const fail = (state: FailureState, times: number, now: Date) => {
    for (let i = 0; i < times; i++) state = afterFailure(state, now);
    return state;
  };

  it('allows attempts while fewer than 5 failures fall in the window', () => {
    const state = fail(NO_FAILURES, MAX_FAILURES_PER_WINDOW - 1, t0);
    expect(state).toMatchObject({ failures: 4, consecutive: 4, lockedAt: null });
    expect(throttle(state, t0).blocked).toBe(false);
  });

  it('blocks after the 5th failure until 15 minutes after the first one, and says how long', () => {
    let state = afterFailure(NO_FAILURES, t0);
    state = fail(state, 4, at(minutes(5)));
    expect(throttle(state, at(minutes(5)))).toEqual({ blocked: true, retryAfterMs: minutes(10) });
    expect(throttle(state, at(minutes(15) - 1))).toEqual({ blocked: true, retryAfterMs: 1 });
    expect(throttle(state, at(minutes(15))).blocked).toBe(false);
  });

  it('starts a new window after 15 minutes, but keeps counting consecutive failures', () => {
    let state = fail(NO_FAILURES, 5, t0);
    state = afterFailure(state, at(FAILURE_WINDOW_MS));
    expect(state).toEqual({
      failures: 1,
      windowStart: at(FAILURE_WINDOW_MS),
      consecutive: 6,
      lockedAt: null,
    });
  });

  it('locks at the 10th consecutive failure, and the lock stays', () => {
    let state = fail(NO_FAILURES, 5, t0);
    state = fail(state, 4, at(minutes(16)));
    expect(state.lockedAt).toBeNull();
    state = afterFailure(state, at(minutes(17)));
    expect(state.consecutive).toBe(LOCK_AFTER_CONSECUTIVE_FAILURES);
    expect(state.lockedAt).toEqual(at(minutes(17)));
    expect(afterFailure(state, at(minutes(60))).lockedAt).toEqual(at(minutes(17)));
  });

  it('a success ends the consecutive run but not the window count', () => {
    const state = afterSuccess(fail(NO_FAILURES, 4, t0));
    expect(state).toMatchObject({ failures: 4, consecutive: 0 });
    expect(throttle(afterFailure(state, t0), t0).blocked).toBe(true);
  });

  it('never lets more than 5 failures through in one window, and locks at the 10th in a row, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: minutes(20) }), { minLength: 1, maxLength: 40 }),
        (gaps) => {
          let state = NO_FAILURES;
          let now = t0.getTime();
          const perWindow = new Map<number, number>();
          let accepted = 0;
          for (const gap of gaps) {
            now += gap;
            if (throttle(state, new Date(now)).blocked) continue;
            accepted++;
            state = afterFailure(state, new Date(now));
            const window = state.windowStart!.getTime();
            expect(now - window).toBeLessThan(FAILURE_WINDOW_MS);
            perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
          }
          for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(MAX_FAILURES_PER_WINDOW);
          expect(state.consecutive).toBe(accepted);
          expect(state.lockedAt !== null).toBe(accepted >= LOCK_AFTER_CONSECUTIVE_FAILURES);
        },
      ),
    );
  });
});
