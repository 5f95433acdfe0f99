import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { onUniqueViolation } from '../common/errors/unique-violation';
import { isUuid } from '../common/ids';
import { ServiceDeskDto } from './dto/service-desk.dto';
import { DeskNameTakenError } from './relationships.errors';
import { ServiceDesk } from './service-desk.entity';

/** Service desks (mesas de serviço): where a linked client's tickets may exist. */
@Injectable()
export class ServiceDesksService {
  constructor(@InjectRepository(ServiceDesk) private readonly desks: Repository<ServiceDesk>) {}

  list(): Promise<ServiceDesk[]> {
    return this.desks.createQueryBuilder('d').orderBy('lower(d.name)', 'ASC').getMany();
  }

  find(id: string): Promise<ServiceDesk | null> {
    return isUuid(id) ? this.desks.findOneBy({ id }) : Promise.resolve(null);
  }

  async create(dto: ServiceDeskDto): Promise<ServiceDesk> {
    await this.assertNameFree(dto.name);
    return this.save(this.desks.create(this.changes(dto)));
  }

  async update(desk: ServiceDesk, dto: ServiceDeskDto): Promise<ServiceDesk> {
    await this.assertNameFree(dto.name, desk.id);
    return this.save(this.desks.create({ ...desk, ...this.changes(dto) }));
  }

  /** An unticked checkbox is absent from the form: absent means "no review". */
  private changes(dto: ServiceDeskDto): Pick<ServiceDesk, 'name' | 'description' | 'requiresReview'> {
    return {
      name: dto.name,
      description: dto.description ?? null,
      requiresReview: dto.requiresReview === true,
    };
  }

  /** The name check above can lose a race with a simultaneous submission: the unique index has the last word. */
  private save(desk: ServiceDesk): Promise<ServiceDesk> {
    return this.desks.save(desk).catch(
      onUniqueViolation({
        service_desks_name_key: () => {
          throw new DeskNameTakenError();
        },
      }),
    );
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    const qb = this.desks.createQueryBuilder('d').where('lower(d.name) = lower(:name)', { name });
    if (exceptId) qb.andWhere('d.id <> :exceptId', { exceptId });
    if (await qb.getExists()) throw new DeskNameTakenError();
  }
}
