import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { AsaasSettingsController } from './asaas-settings.controller';
import { AsaasService } from './asaas.service';

/** Asaas (boleto): settings and the customer upsert behind the shared sync. Builds on sync (and so on clients). */
@Module({
  imports: [SyncModule],
  providers: [AsaasService],
  controllers: [AsaasSettingsController],
  exports: [AsaasService],
})
export class AsaasModule {}
