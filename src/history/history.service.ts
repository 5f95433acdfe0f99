import { Injectable, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLIENT_CHANGED, ClientChangedEvent } from '../clients/client-events';
import { ClientSectionsRegistry } from '../clients/client-sections';
import { ClientHistoryEntry } from './client-history-entry.entity';

export const HISTORY_PAGE = 50;

/** The client history (SPEC §9): written in the transaction of each change, shown on the client page. */
@Injectable()
export class HistoryService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sections: ClientSectionsRegistry,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      id: 'history',
      titleKey: 'history.title',
      order: 900,
      partial: 'history/_section',
      load: async (client) => ({ entries: await this.recent(client.id) }),
    });
  }

  /** Errors propagate, so a change whose record cannot be written is rolled back with it. */
  @OnEvent(CLIENT_CHANGED, { promisify: true, suppressErrors: false })
  async record(event: ClientChangedEvent): Promise<void> {
    await event.manager.query(
      `INSERT INTO client_history (client_id, operator_id, operator_name, action, subject, subject_id, subject_label, changes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        event.clientId,
        event.operator?.id ?? null,
        event.operator?.name ?? null,
        event.action,
        event.subject,
        event.subjectId,
        event.subjectLabel,
        JSON.stringify(event.changes),
      ],
    );
  }

  async recent(clientId: string, limit = HISTORY_PAGE) {
    const entries = await this.dataSource.getRepository(ClientHistoryEntry).find({
      where: { clientId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
    return entries.map((e) => ({
      ...e,
      changeList: Object.entries(e.changes).map(([field, [before, after]]) => ({ field, before: show(before), after: show(after) })),
    }));
  }
}

const show = (value: unknown): string =>
  value === null || value === undefined ? '—' : Array.isArray(value) ? value.join(', ') || '—' : typeof value === 'boolean' ? (value ? '✓' : '✗') : String(value);
