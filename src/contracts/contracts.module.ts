import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { ContractReadjustmentsController } from './contract-readjustments.controller';
import { ContractReadjustmentsService } from './contract-readjustments.service';
import { ContractRenewalJob } from './contract-renewal.job';
import { ContractsController } from './contracts.controller';
import { ContractsRegistration } from './contracts-registration';
import { ContractsService } from './contracts.service';

/** Contracts, their revisions (adendos), readjustments and automatic renewal. Builds on clients. */
@Module({
  imports: [ClientsModule],
  providers: [ContractsService, ContractReadjustmentsService, ContractRenewalJob, ContractsRegistration],
  controllers: [ContractsController, ContractReadjustmentsController],
  exports: [ContractsService],
})
export class ContractsModule {}
