import { Module } from '@nestjs/common';
import { ClientsModule } from '../../clients/clients.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { TelephonySettingsController } from './telephony-settings.controller';
import { TelephonySettingsService } from './telephony-settings.service';

/** Click-to-call: providers, settings, the call route and the client's call log. Builds on clients. */
@Module({
  imports: [ClientsModule],
  providers: [TelephonySettingsService, CallsService],
  controllers: [CallsController, TelephonySettingsController],
})
export class TelephonyModule {}
