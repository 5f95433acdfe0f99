import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ROLES = ['admin', 'manager', 'agent'] as const;
export type Role = (typeof ROLES)[number];
export const LOCALES = ['pt-BR', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

@Entity('operators')
export class Operator {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @Column() email: string;
  @Column({ type: 'varchar' }) role: Role;
  @Column({ select: false }) passwordHash: string;
  @Column() active: boolean;
  @Column({ type: 'varchar' }) locale: Locale;
  @Column({ type: 'varchar', nullable: true }) extension: string | null;
  /** 2FA is on since then (the sealed seed and counters are read only by TotpService, in SQL). */
  @Column({ type: 'timestamptz', nullable: true, insert: false, update: false }) totpEnabledAt: Date | null;
  /** Set after 10 consecutive wrong codes: 2FA refuses every code until an admin resets it. */
  @Column({ type: 'timestamptz', nullable: true, insert: false, update: false }) totpLockedAt: Date | null;
  /** Moved on (in SQL) to end every session signed in before: see auth/session-store.ts. */
  @Column({ insert: false, update: false }) sessionGeneration: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
