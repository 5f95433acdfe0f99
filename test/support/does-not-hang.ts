/**
 * Resolves as `promise` does, or fails with `what` once `ms` have passed: a generous bound that only tells
 * "it waited for something that will not come" from "it answered", never a performance target (those belong
 * in `npm run bench`).
 */
export async function doesNotHang<T>(promise: PromiseLike<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (no answer within ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
