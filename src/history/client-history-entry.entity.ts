import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Field-level changes: `{ field: [before, after] }`. */
export type FieldChanges = Record<string, [unknown, unknown]>;

/** One line of a client's history (audit trail): who changed what, when. */
@Entity('client_history')
export class ClientHistoryEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('uuid') clientId: string;
  @Column({ type: 'uuid', nullable: true }) operatorId: string | null;
  @Column({ type: 'varchar', nullable: true }) operatorName: string | null;
  /** created | updated | deleted | status_changed | … */
  @Column() action: string;
  /** client | contact | relationships | contract | … */
  @Column() subject: string;
  @Column({ type: 'varchar', nullable: true }) subjectId: string | null;
  @Column({ type: 'varchar', nullable: true }) subjectLabel: string | null;
  @Column({ type: 'jsonb' }) changes: FieldChanges;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
