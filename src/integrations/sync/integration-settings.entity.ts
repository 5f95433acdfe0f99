import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const PROVIDERS = ['asaas', 'conta-azul'] as const;
export type ProviderId = (typeof PROVIDERS)[number];
export const isProvider = (value: unknown): value is ProviderId => PROVIDERS.includes(value as ProviderId);
export const PROVIDER_LABELS: Record<ProviderId, string> = { asaas: 'Asaas', 'conta-azul': 'Conta Azul' };

/**
 * One row per billing provider (seeded by the migration). `settings` is what the page may show back;
 * everything secret is sealed (SecretBox) in the `*Enc` columns, which are never selected by default.
 */
@Entity('integration_settings')
export class IntegrationSettings {
  @PrimaryColumn({ type: 'varchar' }) provider: ProviderId;
  @Column({ type: 'jsonb' }) settings: Record<string, string | undefined>;
  @Column({ type: 'text', nullable: true, select: false }) secretsEnc: string | null;
  @Column({ type: 'text', nullable: true, select: false }) accessTokenEnc: string | null;
  @Column({ type: 'text', nullable: true, select: false }) refreshTokenEnc: string | null;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) connectedAt: Date | null;
  /** Why the connection stopped working (e.g. a refresh token the provider refused), for the settings page. */
  @Column({ type: 'varchar', nullable: true }) lastError: string | null;
  @Column({ type: 'uuid', nullable: true }) updatedBy: string | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
