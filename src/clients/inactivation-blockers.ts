import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** One reason a client cannot be inactivated, e.g. 2 open tickets, with where to see them. */
export interface InactivationBlocker {
  /** i18n key taking `{count}`. */
  messageKey: string;
  count: number;
  href: string;
}

/**
 * Modules that own data which must end before a client goes inactive (tickets, contracts) register a
 * source here: while any counts more than zero, inactivation is refused. Sources run inside the status-change transaction, after the client row is
 * locked, so a ticket created at the same moment cannot slip through.
 */
export interface InactivationBlockerSource {
  blockers(manager: EntityManager, clientId: string): Promise<InactivationBlocker[]>;
}

@Injectable()
export class InactivationBlockersRegistry {
  private readonly sources: InactivationBlockerSource[] = [];

  register(source: InactivationBlockerSource): void {
    this.sources.push(source);
  }

  async collect(manager: EntityManager, clientId: string): Promise<InactivationBlocker[]> {
    const found: InactivationBlocker[] = [];
    for (const source of this.sources) found.push(...(await source.blockers(manager, clientId)));
    return found.filter((b) => b.count > 0);
  }
}
