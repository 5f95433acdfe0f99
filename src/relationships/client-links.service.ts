import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AttendantGroup } from './attendant-group.entity';
import { ServiceDesk } from './service-desk.entity';

export interface ClientLinks {
  groups: Array<Pick<AttendantGroup, 'id' | 'name'>>;
  desks: Array<Pick<ServiceDesk, 'id' | 'name' | 'requiresReview'>>;
}

/** The links between a client and the teams that serve it and the desks its tickets live in. */
@Injectable()
export class ClientLinksService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async catalog(): Promise<ClientLinks> {
    const [groups, desks] = await Promise.all([
      this.dataSource
        .getRepository(AttendantGroup)
        .find({ select: { id: true, name: true }, order: { name: 'ASC' } }),
      this.dataSource
        .getRepository(ServiceDesk)
        .find({ select: { id: true, name: true, requiresReview: true }, order: { name: 'ASC' } }),
    ]);
    return { groups, desks };
  }

  async linksOf(clientId: string, manager: EntityManager = this.dataSource.manager): Promise<ClientLinks> {
    const [groups, desks] = await Promise.all([
      manager.query(
        `SELECT g.id, g.name FROM client_attendant_groups l JOIN attendant_groups g ON g.id = l.attendant_group_id
         WHERE l.client_id = $1 ORDER BY g.name`,
        [clientId],
      ),
      manager.query(
        `SELECT d.id, d.name, d.requires_review AS "requiresReview" FROM client_service_desks l
         JOIN service_desks d ON d.id = l.service_desk_id WHERE l.client_id = $1 ORDER BY d.name`,
        [clientId],
      ),
    ]);
    return { groups, desks };
  }

  /** Keeps only ids that exist (a forged id is ignored rather than a foreign-key 500). */
  async existing(groupIds: string[], deskIds: string[], manager: EntityManager = this.dataSource.manager) {
    const [groups, desks] = await Promise.all([
      groupIds.length
        ? manager
            .getRepository(AttendantGroup)
            .find({ select: { id: true, name: true }, where: { id: In(groupIds) } })
        : [],
      deskIds.length
        ? manager
            .getRepository(ServiceDesk)
            .find({ select: { id: true, name: true, requiresReview: true }, where: { id: In(deskIds) } })
        : [],
    ]);
    return { groups, desks } as ClientLinks;
  }

  /** Replaces a client's links inside the caller's transaction; returns what was there before. */
  async replace(
    manager: EntityManager,
    clientId: string,
    groupIds: string[],
    deskIds: string[],
  ): Promise<ClientLinks> {
    const before = await this.linksOf(clientId, manager);
    await manager.query(`DELETE FROM client_attendant_groups WHERE client_id = $1`, [clientId]);
    await manager.query(`DELETE FROM client_service_desks WHERE client_id = $1`, [clientId]);
    if (groupIds.length) {
      await manager.query(
        `INSERT INTO client_attendant_groups (client_id, attendant_group_id) SELECT $1, unnest($2::uuid[])`,
        [clientId, groupIds],
      );
    }
    if (deskIds.length) {
      await manager.query(
        `INSERT INTO client_service_desks (client_id, service_desk_id) SELECT $1, unnest($2::uuid[])`,
        [clientId, deskIds],
      );
    }
    return before;
  }
}
