import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const PROVIDERS = ['none', 'asterisk-ami', 'http-template'] as const;
export type ProviderKind = (typeof PROVIDERS)[number];
export const METHODS = ['GET', 'POST'] as const;
export type HttpMethod = (typeof METHODS)[number];
/** How the E.164 number is handed to the PBX: `+5511987654321`, `5511987654321`, `11987654321`, prefix + national. */
export const DIAL_FORMATS = ['e164', 'e164-digits', 'national', 'prefix'] as const;
export type DialFormat = (typeof DIAL_FORMATS)[number];

/** The single row (id 1) of click-to-call settings; the secret is sealed (SecretBox) and never leaves the server. */
@Entity('telephony_settings')
export class TelephonySettings {
  @PrimaryColumn({ type: 'smallint' }) id: number;
  @Column({ type: 'varchar' }) provider: ProviderKind;
  @Column({ type: 'varchar', nullable: true }) host: string | null;
  @Column({ type: 'integer', nullable: true }) port: number | null;
  @Column({ type: 'varchar', nullable: true }) username: string | null;
  @Column({ type: 'text', nullable: true, select: false }) secretEnc: string | null;
  @Column({ type: 'varchar', nullable: true }) context: string | null;
  @Column({ type: 'varchar', nullable: true }) channelTemplate: string | null;
  @Column({ type: 'varchar', nullable: true }) callerId: string | null;
  @Column({ type: 'varchar', nullable: true }) urlTemplate: string | null;
  @Column({ type: 'varchar' }) method: HttpMethod;
  @Column({ type: 'varchar', nullable: true }) headersTemplate: string | null;
  @Column({ type: 'varchar', nullable: true }) bodyTemplate: string | null;
  @Column({ type: 'varchar' }) dialFormat: DialFormat;
  @Column({ type: 'varchar', nullable: true }) dialPrefix: string | null;
  @Column({ type: 'integer' }) timeoutMs: number;
  @Column({ type: 'uuid', nullable: true }) updatedBy: string | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
