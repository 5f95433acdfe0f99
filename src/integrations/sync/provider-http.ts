/**
 * HTTP to billing providers (Asaas, Conta Azul): every call has a timeout; 429 waits as long as the
 * provider says (`RateLimit-Reset`, `Retry-After`) and tries again; 5xx, timeouts and network errors are
 * retried with exponential backoff and jitter, a bounded number of times; any other answer is returned for
 * the provider client to read (a 4xx carries the provider's own message).
 */

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff after a 5xx or network error; doubles each time, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking to wait longer than this is not waited for: the sync fails as rate-limited. */
  maxRateLimitWaitMs: number;
  /** Per attempt (AbortSignal.timeout). */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaitMs: 60_000,
  timeoutMs: 15_000,
};

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProviderResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when it is not JSON, or null for an empty body. */
  body: unknown;
}

/** No answer at all after every attempt (timeout, refused connection, DNS…). */
export class ProviderNetworkError extends Error {
  constructor(
    readonly cause: unknown,
    readonly attempts: number,
    readonly timedOut: boolean,
  ) {
    super(timedOut ? 'timeout' : describeCause(cause));
  }
}

export interface RequestOptions {
  fetch: FetchLike;
  policy?: RetryPolicy;
  sleep?: Sleep;
  /** Awaited before every attempt (a rate limiter). */
  beforeAttempt?: () => Promise<void>;
  /** Stops waiting and retrying (the app is shutting down). */
  signal?: AbortSignal;
}

/** Sends the request, retrying as described above; returns the final answer, whatever its status. */
export async function providerRequest(
  url: string,
  init: RequestInit,
  options: RequestOptions,
): Promise<ProviderResponse> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    await options.beforeAttempt?.();
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
      response = await options.fetch(url, { ...init, signal });
    } catch (error) {
      options.signal?.throwIfAborted();
      if (attempt >= policy.maxAttempts) throw new ProviderNetworkError(error, attempt, isTimeout(error));
      await sleep(backoff(policy, attempt));
      continue;
    }
    let body: unknown;
    try {
      body = await readBody(response);
    } catch (error) {
      // The connection broke (or timed out) while the body was arriving: as a network error.
      if (attempt >= policy.maxAttempts) throw new ProviderNetworkError(error, attempt, isTimeout(error));
      await sleep(backoff(policy, attempt));
      continue;
    }
    const answer = { status: response.status, headers: response.headers, body };
    if (response.status === 429) {
      const wait = rateLimitWaitMs(response.headers, policy);
      if (attempt >= policy.maxAttempts || wait > policy.maxRateLimitWaitMs) return answer;
      await sleep(wait);
      continue;
    }
    if (response.status >= 500 && attempt < policy.maxAttempts) {
      await sleep(backoff(policy, attempt));
      continue;
    }
    return answer;
  }
}

/**
 * How long a 429 asks to wait: `RateLimit-Reset` (seconds until the window resets, Asaas), else
 * `Retry-After` (seconds or an HTTP date), else one backoff step. At least 100 ms.
 */
export function rateLimitWaitMs(
  headers: Headers,
  policy: RetryPolicy = DEFAULT_RETRY,
  now = Date.now(),
): number {
  const reset = headers.get('ratelimit-reset');
  if (reset !== null && /^\d+(\.\d+)?$/.test(reset.trim())) return Math.max(100, Number(reset) * 1000);
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const value = retryAfter.trim();
    if (/^\d+(\.\d+)?$/.test(value)) return Math.max(100, Number(value) * 1000);
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(100, date - now);
  }
  return Math.max(100, backoff(policy, 1));
}

/** `base · 2^(attempt-1)`, capped, with ±25 % jitter so many clients do not retry in step. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.75 + Math.random() * 0.5));
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The AbortSignal.timeout reason (a DOMException, which is not an `Error` in every realm) or a wrapper of it. */
function isTimeout(error: unknown): boolean {
  const named = (value: unknown) =>
    !!value && typeof value === 'object' && (value as { name?: unknown }).name === 'TimeoutError';
  return (
    named(error) || (!!error && typeof error === 'object' && named((error as { cause?: unknown }).cause))
  );
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}

/**
 * At most `perSecond` requests in any one-second window (Conta Azul asks for ≤10/s per account; we stay at
 * 8), measured when each request actually leaves — a late timer cannot bunch requests up. Shared by every
 * call of one provider client in this process, bulk sync included; callers queue in order.
 */
export class RateLimiter {
  private readonly sent: number[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly sleep: Sleep = realSleep,
    private readonly now: () => number = Date.now,
  ) {}

  take(): Promise<void> {
    const turn = this.tail.then(() => this.wait());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.sent.length && this.sent[0] <= now - 1000) this.sent.shift();
      if (this.sent.length < this.perSecond) {
        this.sent.push(now);
        return;
      }
      await this.sleep(this.sent[0] + 1000 - now);
    }
  }
}
