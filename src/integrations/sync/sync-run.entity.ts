import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ProviderId } from './integration-settings.entity';

export type SyncRunKind = 'one' | 'all';
export type SyncRunStatus = 'queued' | 'running' | 'finished' | 'failed';

/** One client that could not be synced in a run (no personal data: the page joins the current name). */
export interface SyncRunError {
  clientId: string;
  code: string;
  errorCode: string;
  message: string;
}

/** A sync of one client or of every active client, with its progress (n of m, failures). */
@Entity('sync_runs')
export class SyncRun {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar' }) provider: ProviderId;
  @Column({ type: 'varchar' }) kind: SyncRunKind;
  @Column({ type: 'uuid', nullable: true }) clientId: string | null;
  @Column({ type: 'varchar' }) status: SyncRunStatus;
  @Column({ type: 'integer' }) total: number;
  @Column({ type: 'integer' }) done: number;
  @Column({ type: 'integer' }) failed: number;
  @Column({ type: 'jsonb' }) errors: SyncRunError[];
  /** Code of the last client processed: a resumed run continues after it. */
  @Column({ type: 'bigint', nullable: true }) cursorCode: string | null;
  @Column({ type: 'uuid', nullable: true }) requestedBy: string | null;
  @Column({ type: 'varchar', nullable: true }) requestedByName: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;

  get isOpen(): boolean {
    return this.status === 'queued' || this.status === 'running';
  }
}
