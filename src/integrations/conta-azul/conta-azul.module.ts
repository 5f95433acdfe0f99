import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { ContaAzulSettingsController } from './conta-azul-settings.controller';
import { ContaAzulTokens } from './conta-azul-tokens.service';
import { ContaAzulService } from './conta-azul.service';

/** Conta Azul: OAuth connection, token rotation and the pessoa upsert behind the shared sync. */
@Module({
  imports: [SyncModule],
  providers: [ContaAzulTokens, ContaAzulService],
  controllers: [ContaAzulSettingsController],
  exports: [ContaAzulService],
})
export class ContaAzulModule {}
