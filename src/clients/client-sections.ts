import { Injectable } from '@nestjs/common';
import type { SessionOperator } from '../auth/session-operator';
import type { Client } from './client.entity';

/**
 * A block of the client page contributed by a module that builds on clients (contracts, tickets,
 * history, integrations…). The page renders `partial` with what `load` returns; clients never imports
 * those modules — they register here when they start.
 */
export interface ClientSection {
  id: string;
  /** i18n key of the section heading (also the page's in-page navigation). */
  titleKey: string;
  order: number;
  partial: string;
  load(client: Client, operator: SessionOperator): Promise<Record<string, unknown>>;
  /** A "next step" the client page offers (e.g. "Novo contrato"), when the operator may take it. */
  action?(client: Client, operator: SessionOperator): { labelKey: string; href: string } | null;
}

@Injectable()
export class ClientSectionsRegistry {
  private readonly sections: ClientSection[] = [];

  register(section: ClientSection): void {
    this.sections.push(section);
    this.sections.sort((a, b) => a.order - b.order);
  }

  async render(client: Client, operator: SessionOperator) {
    return Promise.all(
      this.sections.map(async (s) => ({
        id: s.id,
        titleKey: s.titleKey,
        partial: s.partial,
        data: { ...(await s.load(client, operator)), client },
        action: s.action?.(client, operator) ?? null,
      })),
    );
  }
}
