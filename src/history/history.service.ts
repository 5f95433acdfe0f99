import { Injectable, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLIENT_CHANGED, ClientChangedEvent } from '../clients/client-events';
import { ClientSectionsRegistry } from '../clients/client-sections';
import { CLIENT_FIELDS } from '../clients/client.entity';
import { displayCep, displayDocument, displayPhone } from '../clients/client-view';
import { formatDateBR, isValidIsoDate } from '../common/calendar';
import { translate } from '../common/i18n/translate';
import { formatBRL, formatDecimalBR, fromSql, fromSqlDecimal } from '../common/money';
import { ClientHistoryEntry } from './client-history-entry.entity';

export const HISTORY_PAGE = 50;

/** jsonb keeps object keys shortest first: changes are shown in form order instead (others after, as stored). */
const FIELD_ORDER: readonly string[] = [
  'name',
  'jobTitle',
  ...CLIENT_FIELDS,
  'mobile',
  'isPrimary',
  'status',
  'attendantGroups',
  'serviceDesks',
];
const rank = (field: string): number =>
  FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length;

/** The client history (who changed what, and when): written in the transaction of each change, shown on the client page. */
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
      load: async (client, operator) => ({
        entries: await this.recent(client.id, HISTORY_PAGE, operator.locale),
      }),
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

  async recent(clientId: string, limit = HISTORY_PAGE, locale = 'pt-BR') {
    const entries = await this.dataSource.getRepository(ClientHistoryEntry).find({
      where: { clientId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
    return entries.map((e) => ({
      ...e,
      changeList: Object.entries(e.changes)
        .sort(([a], [b]) => rank(a) - rank(b))
        .map(([field, [before, after]]) => ({
          field,
          before: show(field, before, locale),
          after: show(field, after, locale),
        })),
    }));
  }
}

/** Stored values in the form operators read them: masked documents, national phones, translated statuses. */
function show(field: string, value: unknown, locale: string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.join(', ') || '—';
  if (typeof value === 'boolean') return translate(locale, value ? 'common.yes' : 'common.no');
  const text = String(value);
  if (field === 'document') return displayDocument(text);
  if (field === 'phone' || field === 'mobile') return displayPhone(text);
  if (field === 'postalCode') return displayCep(text);
  if (field === 'callResult') return translate(locale, `calls.result.${text}`);
  if (field === 'status')
    return translate(
      locale,
      text === 'active' ? 'common.active' : text === 'inactive' ? 'common.inactive' : text,
    );
  return showContractsAndTickets(field, text, locale) ?? text;
}

const MONEY_FIELDS = new Set(['monthlyValue', 'value']);
const DATE_FIELDS = new Set(['startDate', 'endDate', 'nextReadjustmentDate', 'effectiveFrom']);
const DECIMAL_FIELDS = new Set(['includedHours', 'distanceKm']);
const LABELLED_FIELDS: Record<string, string> = {
  modality: 'contracts.modality.',
  readjustmentIndex: 'contracts.index.',
  contractStatus: 'contracts.status.',
  ticketStatus: 'tickets.status.',
};

/** Contract, displacement and ticket values: money in BRL, dates dd/mm/aaaa, pt-BR decimals, labels. */
function showContractsAndTickets(field: string, text: string, locale: string): string | null {
  if (MONEY_FIELDS.has(field) && /^-?\d+(\.\d{1,2})?$/.test(text)) return formatBRL(fromSql(text));
  if (DATE_FIELDS.has(field) && isValidIsoDate(text)) return formatDateBR(text);
  if (DECIMAL_FIELDS.has(field) && /^\d+(\.\d+)?$/.test(text))
    return formatDecimalBR(fromSqlDecimal(text), { grouping: true });
  if (field === 'readjustmentPercent' || field === 'percentApplied') {
    return /^-?\d+(\.\d+)?$/.test(text)
      ? `${formatDecimalBR(fromSqlDecimal(text), { grouping: true })}%`
      : null;
  }
  if (field in LABELLED_FIELDS) return translate(locale, LABELLED_FIELDS[field] + text);
  return null;
}
