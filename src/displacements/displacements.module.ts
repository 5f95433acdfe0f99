import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { DisplacementsController } from './displacements.controller';
import { DisplacementsRegistration } from './displacements-registration';
import { DisplacementsService } from './displacements.service';

/** One-off travel charges of a client (deslocamentos avulsos). Builds on clients. */
@Module({
  imports: [ClientsModule],
  providers: [DisplacementsService, DisplacementsRegistration],
  controllers: [DisplacementsController],
})
export class DisplacementsModule {}
