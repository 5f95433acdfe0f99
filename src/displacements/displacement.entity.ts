import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { decimalTransformer } from '../common/decimal-column';
import { Decimal, Money, moneyTransformer } from '../common/money';

/** A one-off travel charge of a client (deslocamento avulso), optionally under one of its contracts. */
@Entity('displacements')
export class Displacement {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') clientId: string;
  @Column() name: string;
  @Column({ type: 'numeric', transformer: moneyTransformer }) value: Money;
  @Column({ type: 'uuid', nullable: true }) contractId: string | null;
  @Column({ type: 'numeric', nullable: true, transformer: decimalTransformer }) distanceKm: Decimal | null;
  @Column({ type: 'varchar', nullable: true }) notes: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
