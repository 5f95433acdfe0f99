import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { HistoryService } from './history.service';

@Module({ imports: [ClientsModule], providers: [HistoryService] })
export class HistoryModule {}
