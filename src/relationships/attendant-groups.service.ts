import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Operator } from '../auth/operator.entity';
import { onUniqueViolation } from '../common/errors/unique-violation';
import { isUuid } from '../common/ids';
import { AttendantGroup } from './attendant-group.entity';
import { AttendantGroupDto } from './dto/attendant-group.dto';
import { GroupNameTakenError, UnknownMemberError } from './relationships.errors';

export interface AttendantGroupSummary {
  id: string;
  name: string;
  description: string | null;
  memberCount: number;
}

/** Attendant groups (teams) and their members: who may see and serve the clients linked to a group. */
@Injectable()
export class AttendantGroupsService {
  constructor(
    @InjectRepository(AttendantGroup) private readonly groups: Repository<AttendantGroup>,
    @InjectRepository(Operator) private readonly operators: Repository<Operator>,
  ) {}

  /** One query: each group with how many operators it has. */
  list(): Promise<AttendantGroupSummary[]> {
    return this.groups
      .createQueryBuilder('g')
      .select(['g.id AS id', 'g.name AS name', 'g.description AS description'])
      .addSelect(
        (sub) =>
          sub
            .select('count(*)::int')
            .from('attendant_group_members', 'm')
            .where('m.attendant_group_id = g.id'),
        'memberCount',
      )
      .orderBy('lower(g.name)', 'ASC')
      .getRawMany<AttendantGroupSummary>();
  }

  find(id: string): Promise<AttendantGroup | null> {
    return isUuid(id)
      ? this.groups.findOne({ where: { id }, relations: { members: true } })
      : Promise.resolve(null);
  }

  /** The operators a group may have: the active ones (the member checkboxes). */
  candidates(): Promise<Operator[]> {
    return this.operators.find({ where: { active: true }, order: { name: 'ASC', email: 'ASC' } });
  }

  async create(dto: AttendantGroupDto): Promise<AttendantGroup> {
    await this.assertNameFree(dto.name);
    const members = await this.activeMembers(dto.memberIds ?? []);
    return this.save(this.groups.create({ name: dto.name, description: dto.description ?? null, members }));
  }

  /** Replaces name, description and the whole member list (the form shows every box). */
  async update(group: AttendantGroup, dto: AttendantGroupDto): Promise<AttendantGroup> {
    await this.assertNameFree(dto.name, group.id);
    const members = await this.activeMembers(dto.memberIds ?? []);
    return this.save(
      this.groups.create({ ...group, name: dto.name, description: dto.description ?? null, members }),
    );
  }

  /** Every id must be an active operator; a stale or forged one refuses the whole change. */
  private async activeMembers(ids: string[]): Promise<Operator[]> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (!unique.length) return [];
    const found = await this.operators.find({ where: { id: In(unique), active: true } });
    if (found.length !== unique.length) throw new UnknownMemberError();
    return found;
  }

  /** The name check above can lose a race with a simultaneous submission: the unique index has the last word. */
  private save(group: AttendantGroup): Promise<AttendantGroup> {
    return this.groups.save(group).catch(
      onUniqueViolation({
        attendant_groups_name_key: () => {
          throw new GroupNameTakenError();
        },
      }),
    );
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    const qb = this.groups.createQueryBuilder('g').where('lower(g.name) = lower(:name)', { name });
    if (exceptId) qb.andWhere('g.id <> :exceptId', { exceptId });
    if (await qb.getExists()) throw new GroupNameTakenError();
  }
}
