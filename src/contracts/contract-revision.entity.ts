import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { IsoDate } from '../common/calendar';
import { decimalTransformer } from '../common/decimal-column';
import { Decimal, Money, moneyTransformer } from '../common/money';

export const REVISION_KINDS = ['readjustment', 'renewal'] as const;
export type RevisionKind = (typeof REVISION_KINDS)[number];

/**
 * A revision (adendo): one version of the contract in force from `effectiveFrom` — a readjustment (new
 * value) or a renewal (new end date). Written once, never changed.
 */
@Entity('contract_revisions')
export class ContractRevision {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') contractId: string;
  @Column({ type: 'varchar' }) kind: RevisionKind;
  @Column({ type: 'date' }) effectiveFrom: IsoDate;
  @Column({ type: 'numeric', transformer: moneyTransformer }) oldValue: Money;
  @Column({ type: 'numeric', transformer: moneyTransformer }) newValue: Money;
  @Column({ type: 'numeric', nullable: true, transformer: decimalTransformer })
  percentApplied: Decimal | null;
  @Column({ type: 'date', nullable: true }) oldEndDate: IsoDate | null;
  @Column({ type: 'date', nullable: true }) newEndDate: IsoDate | null;
  @Column({ type: 'date', nullable: true }) oldNextReadjustmentDate: IsoDate | null;
  @Column({ type: 'date', nullable: true }) newNextReadjustmentDate: IsoDate | null;
  /** Null for the automatic renewal (the system). */
  @Column({ type: 'uuid', nullable: true }) operatorId: string | null;
  @Column({ type: 'varchar', nullable: true }) operatorName: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
