import argon2 from 'argon2';

/** argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1): about 30 ms here. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/** At most this many hashes at once, so a login flood cannot exhaust memory (ASVS 5.0 15.2.2). */
const MAX_CONCURRENT = 4;

let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export const hashPassword = (password: string): Promise<string> =>
  limited(() => argon2.hash(password, OPTIONS));

export const verifyPassword = (hash: string, password: string): Promise<boolean> =>
  limited(() => argon2.verify(hash, password).catch(() => false));

/** Verified against when the e-mail is unknown, so timing does not reveal which accounts exist. */
let dummyHash: Promise<string> | undefined;
export const burnPasswordCheck = async (password: string): Promise<void> => {
  dummyHash ??= hashPassword('clientela-timing-equaliser');
  await verifyPassword(await dummyHash, password);
};
