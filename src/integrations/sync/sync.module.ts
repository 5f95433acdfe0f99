import { Module } from '@nestjs/common';
import { ClientsModule } from '../../clients/clients.module';
import { ClientSyncLock } from './client-sync-lock';
import { IntegrationSettingsStore } from './integration-settings.store';
import { IntegrationStatusService } from './integration-status.service';
import { IntegrationsRegistration } from './integrations-registration';
import { SyncProvidersRegistry } from './sync-provider';
import { SyncRunsRepository } from './sync-runs.repository';
import { SyncRunsService } from './sync-runs.service';
import { SyncController } from './sync.controller';

/**
 * What Asaas and Conta Azul share: sync runs and their progress, each
 * client's links and the client page section. Builds on clients; the providers build on this and register
 * themselves in SyncProvidersRegistry.
 */
@Module({
  imports: [ClientsModule],
  providers: [
    ClientSyncLock,
    SyncProvidersRegistry,
    IntegrationSettingsStore,
    SyncRunsRepository,
    SyncRunsService,
    IntegrationStatusService,
    IntegrationsRegistration,
  ],
  controllers: [SyncController],
  exports: [SyncProvidersRegistry, IntegrationSettingsStore, SyncRunsService],
})
export class SyncModule {}
