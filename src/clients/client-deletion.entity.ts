import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Rows per table: `{ "contacts": 3, "ticket_events": 120 }` (table names only, no data). */
export type TableCounts = Record<string, number>;

/**
 * The proof that a client was erased (LGPD Art. 16): which client (id and code), who asked,
 * when, how much data it had and when the purge finished. Holds no personal data and no foreign key to
 * clients, so it outlives the purge.
 */
@Entity('client_deletions')
export class ClientDeletion {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') clientId: string;
  @Column({ type: 'bigint' }) clientCode: string;
  @Column({ type: 'uuid', nullable: true }) requestedBy: string | null;
  @Column({ type: 'timestamptz' }) requestedAt: Date;
  @Column({ type: 'jsonb' }) counts: TableCounts;
  @Column({ type: 'timestamptz', nullable: true }) purgedAt: Date | null;
  @Column({ type: 'jsonb' }) purgedCounts: TableCounts;
  @Column({ type: 'timestamptz', nullable: true }) lastAttemptAt: Date | null;
  @Column({ type: 'varchar', nullable: true }) lastError: string | null;
}
