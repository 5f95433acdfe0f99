import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Operator } from '../auth/operator.entity';
import { AttendantGroup } from './attendant-group.entity';
import { AttendantGroupsController } from './attendant-groups.controller';
import { AttendantGroupsService } from './attendant-groups.service';
import { ClientLinksService } from './client-links.service';
import { ServiceDesk } from './service-desk.entity';
import { ServiceDesksController } from './service-desks.controller';
import { ServiceDesksService } from './service-desks.service';

/**
 * The catalog of attendant groups and service desks (settings) and the client links to them. It depends
 * on auth only; clients builds on it (a client is usable once linked to a group and a desk).
 */
@Module({
  imports: [TypeOrmModule.forFeature([AttendantGroup, ServiceDesk, Operator])],
  providers: [ClientLinksService, AttendantGroupsService, ServiceDesksService],
  controllers: [AttendantGroupsController, ServiceDesksController],
  exports: [ClientLinksService],
})
export class RelationshipsModule {}
