import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RelationshipsModule } from '../relationships/relationships.module';
import { ClientDeletionController } from './client-deletion.controller';
import { ClientDeletionService } from './client-deletion.service';
import { ClientListService } from './client-list.service';
import { ClientRelationshipsController } from './client-relationships.controller';
import { ClientRelationshipsService } from './client-relationships.service';
import { ClientPhoneActions } from './client-phone-actions';
import { ClientSectionsRegistry } from './client-sections';
import { ClientStatusController } from './client-status.controller';
import { ClientStatusService } from './client-status.service';
import { ClientsController } from './clients.controller';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';
import { ContactsController } from './contacts/contacts.controller';
import { ContactsService } from './contacts/contacts.service';
import { InactivationBlockersRegistry } from './inactivation-blockers';
import { ClientPurgeScheduler } from './purge/client-purge.scheduler';
import { ClientPurgeService } from './purge/client-purge.service';
import { PurgeScrubsRegistry } from './purge/purge-scrubs';

@Module({
  imports: [RelationshipsModule, AuthModule],
  providers: [
    ClientsRepository,
    ClientsService,
    ClientListService,
    ClientStatusService,
    ClientRelationshipsService,
    ContactsService,
    ClientSectionsRegistry,
    ClientPhoneActions,
    InactivationBlockersRegistry,
    ClientDeletionService,
    ClientPurgeService,
    PurgeScrubsRegistry,
    ClientPurgeScheduler,
  ],
  controllers: [
    ClientsController,
    ClientStatusController,
    ClientRelationshipsController,
    ContactsController,
    ClientDeletionController,
  ],
  exports: [
    ClientsRepository,
    ClientsService,
    ClientListService,
    ContactsService,
    ClientSectionsRegistry,
    ClientPhoneActions,
    InactivationBlockersRegistry,
    ClientPurgeService,
    PurgeScrubsRegistry,
  ],
})
export class ClientsModule {}
