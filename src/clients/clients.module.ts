import { Module } from '@nestjs/common';
import { RelationshipsModule } from '../relationships/relationships.module';
import { ClientListService } from './client-list.service';
import { ClientRelationshipsController } from './client-relationships.controller';
import { ClientRelationshipsService } from './client-relationships.service';
import { ClientSectionsRegistry } from './client-sections';
import { ClientStatusController } from './client-status.controller';
import { ClientStatusService } from './client-status.service';
import { ClientsController } from './clients.controller';
import { ClientsService } from './clients.service';
import { ContactsController } from './contacts/contacts.controller';
import { ContactsService } from './contacts/contacts.service';
import { InactivationBlockersRegistry } from './inactivation-blockers';

@Module({
  imports: [RelationshipsModule],
  providers: [
    ClientsService,
    ClientListService,
    ClientStatusService,
    ClientRelationshipsService,
    ContactsService,
    ClientSectionsRegistry,
    InactivationBlockersRegistry,
  ],
  controllers: [ClientsController, ClientStatusController, ClientRelationshipsController, ContactsController],
  exports: [ClientsService, ClientListService, ContactsService, ClientSectionsRegistry, InactivationBlockersRegistry],
})
export class ClientsModule {}
