import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../auth/session-operator';
import { ClientLinksService } from '../relationships/client-links.service';
import { ClientsRepository } from './clients.repository';
import { ClientsService } from './clients.service';

/** Replaces a client's attendant groups and service desks, recording what changed. */
@Injectable()
export class ClientRelationshipsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
    private readonly repository: ClientsRepository,
    private readonly links: ClientLinksService,
  ) {}

  async replace(
    operator: SessionOperator,
    clientId: string,
    groupIds: string[],
    deskIds: string[],
  ): Promise<{ ok: boolean }> {
    const uniqueGroups = [...new Set(groupIds)];
    const uniqueDesks = [...new Set(deskIds)];
    return this.dataSource.transaction(async (tx) => {
      await this.clients.findVisible(operator, clientId, tx);
      await this.repository.lockForUpdate(tx, clientId);
      const found = await this.links.existing(uniqueGroups, uniqueDesks, tx);
      if (found.groups.length !== uniqueGroups.length || found.desks.length !== uniqueDesks.length)
        return { ok: false };
      const before = await this.links.replace(tx, clientId, uniqueGroups, uniqueDesks);
      const names = (list: Array<{ name: string }>) => list.map((x) => x.name).sort();
      const changes: Record<string, [unknown, unknown]> = {};
      const [bg, ag] = [names(before.groups), names(found.groups)];
      const [bd, ad] = [names(before.desks), names(found.desks)];
      if (JSON.stringify(bg) !== JSON.stringify(ag)) changes.attendantGroups = [bg, ag];
      if (JSON.stringify(bd) !== JSON.stringify(ad)) changes.serviceDesks = [bd, ad];
      if (Object.keys(changes).length)
        await this.clients.emit(tx, {
          clientId,
          operator,
          action: 'updated',
          subject: 'relationships',
          changes,
        });
      return { ok: true };
    });
  }
}
