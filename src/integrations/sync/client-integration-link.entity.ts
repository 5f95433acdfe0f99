import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ProviderId } from './integration-settings.entity';

export const LINK_STATUSES = ['synced', 'pending', 'error'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/** A client as a customer of one provider: its id there and how the last sync went. */
@Entity('client_integration_links')
export class ClientIntegrationLink {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clientId: string;
  @Column({ type: 'varchar' }) provider: ProviderId;
  @Column({ type: 'varchar', nullable: true }) externalId: string | null;
  @Column({ type: 'varchar' }) status: LinkStatus;
  /** When a sync was last asked for (pending since). */
  @Column({ type: 'timestamptz', nullable: true }) requestedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastSyncedAt: Date | null;
  /** `SyncErrorCode` of the last failure (i18n `integrations.error.<code>`), null unless status is error. */
  @Column({ type: 'varchar', nullable: true }) lastErrorCode: string | null;
  /** The provider's own words (or the technical cause), shown inside the translated message. */
  @Column({ type: 'varchar', nullable: true }) lastError: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
