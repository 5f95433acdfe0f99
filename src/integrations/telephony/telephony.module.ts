import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ClientStatusController } from '../../clients/client-status.controller';
import { ClientsController } from '../../clients/clients.controller';
import { ClientsModule } from '../../clients/clients.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { ClickToCallMiddleware } from './click-to-call.middleware';
import { TelephonySettingsController } from './telephony-settings.controller';
import { TelephonySettingsService } from './telephony-settings.service';

/** Click-to-call (SPEC §8): providers, settings, the call route and the client's call log. Builds on clients. */
@Module({
  imports: [ClientsModule],
  providers: [TelephonySettingsService, CallsService, ClickToCallMiddleware],
  controllers: [CallsController, TelephonySettingsController],
})
export class TelephonyModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The pages that render phone buttons: the list (and its rows after a status toggle) and the client page.
    consumer.apply(ClickToCallMiddleware).forRoutes(ClientsController, ClientStatusController);
  }
}
