import { Injectable } from '@nestjs/common';

/**
 * A batch statement that removes a purged client's id from rows that do not reference it by foreign key
 * (a JSON column, a run log that outlives its clients). `$1` is the client id, `$2` the batch size; it
 * returns one row `{ n }` with the rows it changed, and is repeated until it changes fewer than `$2`.
 */
export interface PurgeScrub {
  /** The table it changes (for the purge log). */
  table: string;
  sql: string;
}

/**
 * Modules built on clients register their scrubs here (clients never imports them); the purge runs every
 * scrub after the client's own rows are gone, so "no row mentions the client id" holds for their tables too.
 */
@Injectable()
export class PurgeScrubsRegistry {
  private readonly scrubs: PurgeScrub[] = [];

  register(scrub: PurgeScrub): void {
    this.scrubs.push(scrub);
  }

  all(): readonly PurgeScrub[] {
    return this.scrubs;
  }
}
