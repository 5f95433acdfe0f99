import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { IsoDate } from '../common/calendar';
import { decimalTransformer } from '../common/decimal-column';
import { Decimal, Money, moneyTransformer } from '../common/money';
import {
  computeContractStatus,
  type ContractModality,
  type ContractStatus,
  type ReadjustmentIndex,
} from './domain/contract-rules';

/**
 * A client's contract. Its status is not a column: it follows from the dates
 * (`computeContractStatus`) and is computed on every read, in São Paulo's calendar — see `statusOn`, and
 * `contract-status.sql.ts` for the same rule in SQL.
 */
@Entity('contracts')
export class Contract {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') clientId: string;
  @Column() name: string;
  @Column({ type: 'varchar' }) modality: ContractModality;
  @Column({ type: 'date' }) startDate: IsoDate;
  /** Last day in force (inclusive); null = no fixed term. */
  @Column({ type: 'date', nullable: true }) endDate: IsoDate | null;
  @Column({ type: 'integer', nullable: true }) durationMonths: number | null;
  @Column({ type: 'numeric', transformer: moneyTransformer }) monthlyValue: Money;
  @Column({ type: 'numeric', nullable: true, transformer: decimalTransformer }) includedHours: Decimal | null;
  @Column({ type: 'integer', nullable: true }) includedTickets: number | null;
  @Column({ type: 'varchar' }) readjustmentIndex: ReadjustmentIndex;
  /** Only for the `fixed` index. */
  @Column({ type: 'numeric', nullable: true, transformer: decimalTransformer })
  readjustmentPercent: Decimal | null;
  @Column() readjustmentPeriodMonths: number;
  @Column({ type: 'date' }) nextReadjustmentDate: IsoDate;
  @Column() autoRenew: boolean;
  @Column({ type: 'timestamptz', nullable: true }) cancelledAt: Date | null;
  @Column({ type: 'varchar', nullable: true }) cancellationReason: string | null;
  @Column() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  statusOn(today: IsoDate): ContractStatus {
    return computeContractStatus(this, today);
  }
}
