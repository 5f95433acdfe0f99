import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const PERSON_TYPES = ['PJ', 'PF'] as const;
export type PersonType = (typeof PERSON_TYPES)[number];
export const CLIENT_STATUSES = ['active', 'inactive'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];
/** `Client.isActive` for a status read without the entity (a list row). */
export const isActiveStatus = (status: ClientStatus): boolean => status === 'active';

/** The fields an operator edits on the registration form, in form order. */
export const CLIENT_FIELDS = [
  'tradeName',
  'legalName',
  'personType',
  'document',
  'stateRegistration',
  'municipalRegistration',
  'email',
  'financialEmail',
  'phone',
  'website',
  'postalCode',
  'street',
  'number',
  'complement',
  'district',
  'city',
  'state',
  'notes',
  'billingClientId',
] as const;
export type ClientField = (typeof CLIENT_FIELDS)[number];

@Entity('clients')
export class Client {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Human, sequential number shown in the list. */
  @Column({ type: 'bigint', insert: false, update: false }) code: string;
  @Column() tradeName: string;
  @Column({ type: 'varchar', nullable: true }) legalName: string | null;
  @Column({ type: 'char' }) personType: PersonType;
  /** CNPJ (numeric or alphanumeric) or CPF, unmasked and upper-case. */
  @Column({ type: 'varchar', nullable: true }) document: string | null;
  @Column({ type: 'varchar', nullable: true }) stateRegistration: string | null;
  @Column({ type: 'varchar', nullable: true }) municipalRegistration: string | null;
  @Column({ type: 'varchar', nullable: true }) email: string | null;
  @Column({ type: 'varchar', nullable: true }) financialEmail: string | null;
  /** E.164. */
  @Column({ type: 'varchar', nullable: true }) phone: string | null;
  @Column({ type: 'varchar', nullable: true }) website: string | null;
  @Column({ type: 'char', nullable: true }) postalCode: string | null;
  @Column({ type: 'varchar', nullable: true }) street: string | null;
  @Column({ type: 'varchar', nullable: true }) number: string | null;
  @Column({ type: 'varchar', nullable: true }) complement: string | null;
  @Column({ type: 'varchar', nullable: true }) district: string | null;
  @Column({ type: 'varchar', nullable: true }) city: string | null;
  @Column({ type: 'char', nullable: true }) state: string | null;
  @Column({ type: 'text', nullable: true }) notes: string | null;
  /** Faturamento quarteirizado: the client whose CNPJ is billed for this one. */
  @Column({ type: 'uuid', nullable: true }) billingClientId: string | null;
  @Column({ type: 'varchar' }) status: ClientStatus;
  @Column() version: number;
  // The deletion mark (set when a deletion is confirmed) is not mapped: client-scope.ts alone reads and
  // writes it, so no query can forget that a marked client is gone.
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  /** An inactive client can no longer be used: no new tickets or contracts, not offered in pickers. */
  get isActive(): boolean {
    return isActiveStatus(this.status);
  }
}
