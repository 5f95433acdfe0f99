import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A person at the client (contato); the primary one is who the list's phone icon calls. */
@Entity('contacts')
export class Contact {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') clientId: string;
  @Column() name: string;
  @Column({ type: 'varchar', nullable: true }) jobTitle: string | null;
  @Column({ type: 'varchar', nullable: true }) email: string | null;
  /** E.164. */
  @Column({ type: 'varchar', nullable: true }) phone: string | null;
  /** E.164. */
  @Column({ type: 'varchar', nullable: true }) mobile: string | null;
  @Column() isPrimary: boolean;
  @Column({ type: 'varchar', nullable: true }) notes: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
