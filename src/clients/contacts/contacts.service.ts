import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionOperator } from '../../auth/session-operator';
import { isUuid } from '../../common/ids';
import { waitForTurn } from '../../common/turns';
import { diff } from '../client-events';
import { ClientsService } from '../clients.service';
import { normalizeBrazilianPhone } from '../validation/phone';
import { Contact } from './contact.entity';
import { ContactFormDto } from './dto/contact-form.dto';

const CONTACT_FIELDS = ['name', 'jobTitle', 'email', 'phone', 'mobile', 'isPrimary', 'notes'] as const;
type ContactValues = Pick<Contact, (typeof CONTACT_FIELDS)[number]>;

/** A client's contacts; at most one is primary (marking another one primary moves the flag). */
@Injectable()
export class ContactsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
  ) {}

  list(clientId: string): Promise<Contact[]> {
    return this.dataSource
      .getRepository(Contact)
      .find({ where: { clientId }, order: { isPrimary: 'DESC', name: 'ASC' } });
  }

  async find(operator: SessionOperator, clientId: string, contactId: string): Promise<Contact> {
    await this.clients.findVisible(operator, clientId);
    if (!isUuid(contactId)) throw new NotFoundException();
    const contact = await this.dataSource.getRepository(Contact).findOneBy({ id: contactId, clientId });
    if (!contact) throw new NotFoundException();
    return contact;
  }

  async create(operator: SessionOperator, clientId: string, dto: ContactFormDto): Promise<Contact> {
    const values = toValues(dto);
    return this.dataSource.transaction(async (tx) => {
      await this.clients.findVisible(operator, clientId, tx);
      await this.clients.lockStatus(tx, clientId);
      await serialisePrimaryChanges(tx, clientId);
      const count = await tx.getRepository(Contact).countBy({ clientId });
      // The first contact of a client is its primary one unless the operator says otherwise.
      if (count === 0 && dto.isPrimary === undefined) values.isPrimary = true;
      if (values.isPrimary) await unsetPrimary(tx, clientId);
      const contact = await tx
        .getRepository(Contact)
        .save(tx.getRepository(Contact).create({ ...values, clientId }));
      await this.clients.emit(tx, {
        clientId,
        operator,
        action: 'created',
        subject: 'contact',
        changes: diff<ContactValues>(null, values, CONTACT_FIELDS),
        subjectId: contact.id,
        subjectLabel: contact.name,
      });
      return contact;
    });
  }

  async update(
    operator: SessionOperator,
    clientId: string,
    contactId: string,
    dto: ContactFormDto,
  ): Promise<Contact> {
    const values = toValues(dto);
    return this.dataSource.transaction(async (tx) => {
      await this.clients.findVisible(operator, clientId, tx);
      await serialisePrimaryChanges(tx, clientId);
      const current = await tx
        .getRepository(Contact)
        .findOne({ where: { id: contactId, clientId }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw new NotFoundException();
      if (values.isPrimary && !current.isPrimary) await unsetPrimary(tx, clientId);
      await tx.getRepository(Contact).update(contactId, values);
      const changes = diff<ContactValues>(current, values, CONTACT_FIELDS);
      if (Object.keys(changes).length)
        await this.clients.emit(tx, {
          clientId,
          operator,
          action: 'updated',
          subject: 'contact',
          changes,
          subjectId: contactId,
          subjectLabel: values.name,
        });
      return { ...current, ...values };
    });
  }

  async remove(operator: SessionOperator, clientId: string, contactId: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.clients.findVisible(operator, clientId, tx);
      const current = await tx.getRepository(Contact).findOneBy({ id: contactId, clientId });
      if (!current) throw new NotFoundException();
      await tx.getRepository(Contact).delete(contactId);
      await this.clients.emit(tx, {
        clientId,
        operator,
        action: 'deleted',
        subject: 'contact',
        changes: diff<ContactValues>(current, {}, CONTACT_FIELDS),
        subjectId: contactId,
        subjectLabel: current.name,
      });
    });
  }
}

/** The client's primary contact stops being primary (another one is about to become it). */
const unsetPrimary = (tx: EntityManager, clientId: string) =>
  tx.getRepository(Contact).update({ clientId, isPrimary: true }, { isPrimary: false });

/**
 * Contact saves of one client run one at a time: "unmark the primary, then save this one as primary" done
 * by two requests at once would otherwise leave two primaries for the unique index to refuse (a 500).
 * In turn, the last one saved is the primary — as when the two are saved one after the other.
 */
const serialisePrimaryChanges = (tx: EntityManager, clientId: string) =>
  waitForTurn(tx, `clientela:contacts:${clientId}`);

function toValues(dto: ContactFormDto): ContactValues {
  return {
    name: dto.name,
    jobTitle: dto.jobTitle ?? null,
    email: dto.email?.toLowerCase() ?? null,
    phone: dto.phone ? normalizeBrazilianPhone(dto.phone) : null,
    mobile: dto.mobile ? normalizeBrazilianPhone(dto.mobile) : null,
    isPrimary: dto.isPrimary === true,
    notes: dto.notes ?? null,
  };
}
