import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ProviderKind } from './telephony-settings.entity';

export const CALL_RESULTS = ['originated', 'error', 'tel_link'] as const;
export type CallResult = (typeof CALL_RESULTS)[number];
export const NUMBER_KINDS = ['phone', 'mobile'] as const;
export type NumberKind = (typeof NUMBER_KINDS)[number];

/** One click-to-call attempt on a client's contact, whatever came of it. */
@Entity('call_logs')
export class CallLog {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') clientId: string;
  @Column({ type: 'uuid', nullable: true }) contactId: string | null;
  @Column() contactName: string;
  @Column({ type: 'uuid', nullable: true }) operatorId: string | null;
  @Column({ type: 'varchar', nullable: true }) operatorName: string | null;
  @Column({ type: 'varchar', nullable: true }) extension: string | null;
  @Column({ type: 'varchar' }) numberKind: NumberKind;
  /** The contact's number, E.164. */
  @Column() numberE164: string;
  /** What was handed to the PBX, in the configured dial format. */
  @Column({ type: 'varchar', nullable: true }) dialled: string | null;
  @Column({ type: 'varchar' }) provider: ProviderKind;
  @Column({ type: 'varchar' }) result: CallResult;
  @Column({ type: 'varchar', nullable: true }) errorCode: string | null;
  /** The provider's own words (e.g. `Authentication failed`, `HTTP 401: …`), never a secret. */
  @Column({ type: 'varchar', nullable: true }) error: string | null;
  @Column({ type: 'varchar', nullable: true }) providerCallId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
