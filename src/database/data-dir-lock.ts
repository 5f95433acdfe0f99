import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The embedded database (PGlite) has no server process to arbitrate access: two processes opening the same
 * data directory (the app and `npm run cli -- purge:run`, or two apps) would each write its files and corrupt
 * it. So whoever opens it first holds `DATA_DIR/pglite.lock`, a file naming its PID, until it stops; anyone
 * else is refused with that PID. A lock left by a process that no longer runs (killed, crashed, the machine
 * restarted) is taken over.
 */
export const LOCK_FILE = 'pglite.lock';

export interface LockOwner {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), so a recycled PID is not taken for the owner. */
  start?: string;
  /** What the owner was started as, for the message (e.g. `main.js`, `cli.js purge:run`). */
  command?: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${owner.pid}` +
        `${owner.command ? ` (${owner.command})` : ''}. Only one process may open it: stop that one first, ` +
        `or set DATABASE_URL to use a PostgreSQL server.`,
    );
  }
}

export interface DataDirLock {
  /** Set when the lock was taken over from a process that no longer runs. */
  staleOwner?: LockOwner;
  release(): void;
}

/** Field 22 of /proc/<pid>/stat, the start time; undefined where there is no /proc (macOS, Windows). */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isRunning(owner: LockOwner): boolean {
  // The PID this process has now was recorded by an earlier process (a container restarting as PID 1).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.start === undefined) return true;
  const start = startTimeOf(owner.pid);
  return start === undefined || start === owner.start;
}

/** The owner a lock file names; PID 0 when it is unreadable (not written by Clientela, which writes it whole). */
function parseOwner(content: string): LockOwner {
  try {
    const owner = JSON.parse(content) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : { pid: 0 };
  } catch {
    return { pid: 0 };
  }
}

/**
 * Takes the lock or throws `DataDirLockedError`. The file appears whole or not at all (written aside, then
 * hard-linked into place, which fails if it exists), and a stale one is moved away with a rename before it is
 * replaced, so of two processes racing for it exactly one wins.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    start: startTimeOf(process.pid),
    command: [basename(process.argv[1] ?? 'node'), ...process.argv.slice(2, 3)].join(' '),
  };
  const content = `${JSON.stringify(me)}\n`;
  const staged = `${path}.${process.pid}.new`;
  writeFileSync(staged, content);
  let staleOwner: LockOwner | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(staged, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
      }
      const ownerContent = safeRead(path);
      if (ownerContent === undefined) continue; // released in between: try again
      const owner = parseOwner(ownerContent);
      if (owner.pid !== 0 && isRunning(owner)) throw new DataDirLockedError(dataDir, owner);
      const moved = `${path}.${process.pid}.stale`;
      try {
        renameSync(path, moved);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another process moved it first
        throw error;
      }
      if (safeRead(moved) !== ownerContent) {
        // Another process replaced the stale lock between our read and our rename: that one is live, put it back.
        try {
          linkSync(moved, path);
        } catch {
          // a third process already holds the lock; ours was moved aside and is dropped below
        }
        unlinkSync(moved);
        continue;
      }
      unlinkSync(moved);
      staleOwner = owner;
    }
  } finally {
    unlinkSync(staged);
  }

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    // Only our own lock: never remove one another process has taken over meanwhile.
    if (safeRead(path) === content) unlinkSync(path);
  };
  // A process that ends through process.exit() (a failed start, the CLI) still leaves no lock behind.
  process.once('exit', release);
  return { staleOwner, release };
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
