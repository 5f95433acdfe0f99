import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TicketStatus } from './ticket.entity';

export const TICKET_EVENT_KINDS = ['created', 'status_changed', 'reviewed'] as const;
export type TicketEventKind = (typeof TICKET_EVENT_KINDS)[number];

/** One line of a ticket's own log: created, moved from one status to another, reviewed. */
@Entity('ticket_events')
export class TicketEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('uuid') ticketId: string;
  @Column({ type: 'uuid', nullable: true }) operatorId: string | null;
  @Column({ type: 'varchar', nullable: true }) operatorName: string | null;
  @Column({ type: 'varchar' }) kind: TicketEventKind;
  @Column({ type: 'varchar', nullable: true }) fromStatus: TicketStatus | null;
  @Column({ type: 'varchar', nullable: true }) toStatus: TicketStatus | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
