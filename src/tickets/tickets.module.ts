import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { RelationshipsModule } from '../relationships/relationships.module';
import { TicketStatusController } from './ticket-status.controller';
import { TicketsController } from './tickets.controller';
import { TicketsRegistration } from './tickets-registration';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

/** Minimal tickets: the substrate the client rules need , not a helpdesk. Builds on clients. */
@Module({
  imports: [ClientsModule, RelationshipsModule],
  providers: [TicketsRepository, TicketsService, TicketsRegistration],
  controllers: [TicketsController, TicketStatusController],
})
export class TicketsModule {}
