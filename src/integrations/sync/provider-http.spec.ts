import {
  DEFAULT_RETRY,
  ProviderNetworkError,
  providerRequest,
  RateLimiter,
  rateLimitWaitMs,
  type FetchLike,
} from './provider-http';

const policy = {
  ...DEFAULT_RETRY,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRateLimitWaitMs: 10_000,
  timeoutMs: 50,
};

/** A fetch that answers from a script (a Response, or an Error to throw) and records each call. */
function scripted(...answers: Array<Response | Error>): FetchLike & { calls: number } {
  const fn = (async () => {
    fn.calls++;
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as unknown as FetchLike & { calls: number };
  fn.calls = 0;
  return fn;
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('rateLimitWaitMs', () => {
  it('reads RateLimit-Reset as seconds to wait (Asaas)', () => {
    expect(rateLimitWaitMs(new Headers({ 'RateLimit-Reset': '7' }))).toBe(7_000);
  });
  it('falls back to Retry-After, in seconds or as an HTTP date', () => {
    expect(rateLimitWaitMs(new Headers({ 'Retry-After': '3' }))).toBe(3_000);
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(
      rateLimitWaitMs(new Headers({ 'Retry-After': 'Thu, 01 Jan 2026 12:00:05 GMT' }), policy, now),
    ).toBe(5_000);
  });
  it('waits one backoff step when the provider says nothing, and never less than 100 ms', () => {
    expect(rateLimitWaitMs(new Headers(), policy)).toBeGreaterThanOrEqual(75);
    expect(rateLimitWaitMs(new Headers({ 'RateLimit-Reset': '0' }))).toBe(100);
  });
});

describe('providerRequest', () => {
  it('retries 5xx with growing backoff and returns the success', async () => {
    const fetch = scripted(json(503, {}), json(502, {}), json(200, { ok: true }));
    const sleeps: number[] = [];
    const res = await providerRequest(
      'http://x',
      {},
      { fetch, policy, sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(fetch.calls).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(75);
    expect(sleeps[0]).toBeLessThanOrEqual(125);
    expect(sleeps[1]).toBeGreaterThanOrEqual(150);
    expect(sleeps[1]).toBeLessThanOrEqual(250);
  });

  it('waits as a 429 asks, then tries again', async () => {
    const fetch = scripted(json(429, {}, { 'RateLimit-Reset': '2' }), json(200, {}));
    const sleeps: number[] = [];
    await providerRequest('http://x', {}, { fetch, policy, sleep: async (ms) => void sleeps.push(ms) });
    expect(sleeps).toEqual([2_000]);
  });

  it('does not sleep through a rate limit longer than allowed: the 429 comes back', async () => {
    const fetch = scripted(json(429, { errors: [] }, { 'RateLimit-Reset': '3600' }));
    const res = await providerRequest('http://x', {}, { fetch, policy, sleep: async () => {} });
    expect(res.status).toBe(429);
    expect(fetch.calls).toBe(1);
  });

  it('never retries a 4xx other than 429', async () => {
    const fetch = scripted(json(400, { errors: [{ code: 'invalid', description: 'Inválido' }] }));
    const res = await providerRequest('http://x', {}, { fetch, policy, sleep: async () => {} });
    expect(res.status).toBe(400);
    expect(fetch.calls).toBe(1);
  });

  it('stops after the last attempt: the final 5xx is returned, a network error thrown', async () => {
    const fivexx = scripted(...Array.from({ length: 4 }, () => json(500, {})));
    expect(
      (await providerRequest('http://x', {}, { fetch: fivexx, policy, sleep: async () => {} })).status,
    ).toBe(500);
    expect(fivexx.calls).toBe(4);

    const refused = scripted(
      ...Array.from({ length: 4 }, () => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })),
    );
    const error = await providerRequest(
      'http://x',
      {},
      { fetch: refused, policy, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect(error).toMatchObject({ attempts: 4, timedOut: false, message: 'ECONNREFUSED' });
  });

  it('times out a request that does not answer (AbortSignal.timeout)', async () => {
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)),
      );
    const error = await providerRequest(
      'http://x',
      {},
      { fetch: hang, policy: { ...policy, maxAttempts: 2 }, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ timedOut: true, attempts: 2 });
  });

  it('gives up at once when its signal is aborted (the app is stopping)', async () => {
    const controller = new AbortController();
    controller.abort();
    const fetch = scripted(json(200, {}));
    await expect(
      providerRequest('http://x', {}, { fetch, policy, signal: controller.signal }),
    ).rejects.toThrow();
    expect(fetch.calls).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('lets n calls through in any one-second window, measured when they leave', async () => {
    let now = 1_000;
    const sent: number[] = [];
    const limiter = new RateLimiter(
      3,
      async (ms) => {
        now += ms + 40; // a late timer
      },
      () => now,
    );
    for (let i = 0; i < 7; i++) {
      await limiter.take();
      sent.push(now);
    }
    for (const at of sent) expect(sent.filter((t) => t >= at && t < at + 1000).length).toBeLessThanOrEqual(3);
    expect(sent.slice(0, 3)).toEqual([1_000, 1_000, 1_000]);
    expect(sent[3]).toBeGreaterThanOrEqual(2_000);
  });

  it('serves concurrent callers one at a time, in order', async () => {
    const limiter = new RateLimiter(100);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.take().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});
