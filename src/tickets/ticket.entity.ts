import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'closed', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** Statuses in which a ticket is still being worked on: they keep a client from being inactivated. */
export const UNFINISHED_TICKET_STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'waiting'];

/** A ticket, only as much of one as the client rules need. */
@Entity('tickets')
export class Ticket {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'bigint', insert: false, update: false }) number: string;
  @Column() title: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column('uuid') clientId: string;
  @Column('uuid') serviceDeskId: string;
  @Column('uuid') attendantGroupId: string;
  @Column({ type: 'uuid', nullable: true }) requesterContactId: string | null;
  @Column({ type: 'varchar' }) status: TicketStatus;
  @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) reviewedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) reviewedBy: string | null;
  @Column({ type: 'varchar', nullable: true }) reviewedByName: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'varchar', nullable: true }) createdByName: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** A closed ticket of a desk that requires review stays "pending review" until someone reviews it. */
export function isPendingReview(
  ticket: Pick<Ticket, 'status' | 'reviewedAt'>,
  deskRequiresReview: boolean,
): boolean {
  return deskRequiresReview && ticket.status === 'closed' && ticket.reviewedAt === null;
}
