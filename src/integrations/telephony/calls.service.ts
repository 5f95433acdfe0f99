import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionOperator } from '../../auth/session-operator';
import { ClientPhoneActions } from '../../clients/client-phone-actions';
import { ClientSectionsRegistry } from '../../clients/client-sections';
import { displayPhone } from '../../clients/client-view';
import { ClientsService } from '../../clients/clients.service';
import type { Contact } from '../../clients/contacts/contact.entity';
import { ContactsService } from '../../clients/contacts/contacts.service';
import { normalizeBrazilianPhone } from '../../clients/validation/phone';
import { CallLog, type NumberKind } from './call-log.entity';
import { dialNumber } from './dial-number';
import { telHref } from './tel-link.provider';
import type { OriginateResult } from './telephony-provider';
import { CallRefusedError } from './telephony.errors';
import { TelephonySettingsService } from './telephony-settings.service';

/** The call log section shows this many recent attempts. */
export const CALLS_SHOWN = 20;
/** What a PBX can be handed as an extension: digits, letters and `*#+_.@-`, never spaces or line breaks. */
const EXTENSION = /^[0-9A-Za-z*#+_.@-]{1,32}$/;

export interface CallOutcome {
  log: CallLog;
  contact: Contact;
  /** The number as operators read it, `(11) 98765-4321`. */
  display: string;
  /** Set when there is no PBX: the link the operator's phone opens. */
  telHref: string | null;
}

/**
 * Click-to-call: an operator who can see the client calls one of its contacts' registered
 * numbers; every attempt, whatever its outcome, is logged on the client and in its history.
 */
@Injectable()
export class CallsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clients: ClientsService,
    private readonly contacts: ContactsService,
    private readonly settings: TelephonySettingsService,
    private readonly sections: ClientSectionsRegistry,
    private readonly phoneActions: ClientPhoneActions,
  ) {}

  onModuleInit(): void {
    // The client views show call buttons while a PBX is configured (the provider kind is cached briefly).
    this.phoneActions.register({ placesCalls: async () => (await this.settings.kind()) !== 'none' });
    this.sections.register({
      id: 'calls',
      titleKey: 'calls.title',
      order: 800,
      partial: 'telephony/_section',
      load: async (client) => ({ calls: await this.recent(client.id) }),
    });
  }

  /**
   * `which` picks the contact's phone or mobile; by default the phone, else the mobile. Only numbers
   * registered on a contact of a client the operator can see are ever dialled (else 404 / 422).
   */
  async call(
    operator: SessionOperator,
    clientId: string,
    contactId: string,
    which?: NumberKind,
  ): Promise<CallOutcome> {
    const contact = await this.contacts.find(operator, clientId, contactId);
    const kind: NumberKind = which ?? (contact.phone ? 'phone' : 'mobile');
    const stored = contact[kind];
    if (!stored)
      throw new CallRefusedError(kind === 'phone' ? 'calls.noPhone' : 'calls.noMobile', {
        name: contact.name,
      });
    // Stored as E.164 by the contact form; normalised again so older or imported values dial correctly too.
    const e164 = normalizeBrazilianPhone(stored);
    if (!e164) throw new CallRefusedError('calls.invalidNumber', { name: contact.name, number: stored });

    const { settings, provider } = await this.settings.active();
    const extension = await this.extensionOf(operator);
    const dialled =
      settings.provider === 'none' ? e164 : dialNumber(e164, settings.dialFormat, settings.dialPrefix);
    let result: OriginateResult;
    if (settings.provider !== 'none' && (!extension || !EXTENSION.test(extension))) {
      result = {
        ok: false,
        code: 'no_extension',
        error: extension ? 'invalid extension' : 'operator has no extension',
      };
    } else if (!dialled) {
      result = { ok: false, code: 'config', error: 'number cannot be put in the dial format' };
    } else {
      result = await provider.originate({
        extension: extension ?? '',
        number: dialled,
        e164,
        contactName: contact.name,
      });
    }

    const log = await this.record(operator, clientId, contact, {
      extension,
      numberKind: kind,
      numberE164: e164,
      dialled,
      provider: settings.provider,
      result: !result.ok ? 'error' : settings.provider === 'none' ? 'tel_link' : 'originated',
      errorCode: result.ok ? null : result.code,
      error: result.ok ? null : result.error.slice(0, 500),
      providerCallId: result.ok ? result.callId : null,
    });
    return {
      log,
      contact,
      display: displayPhone(e164),
      telHref: result.ok && result.telHref ? result.telHref : null,
    };
  }

  /** The latest attempts on a client, newest first, with display values. */
  async recent(clientId: string, limit = CALLS_SHOWN) {
    const calls = await this.dataSource
      .getRepository(CallLog)
      .find({ where: { clientId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
    return calls.map((c) => ({
      ...c,
      numberDisplay: displayPhone(c.numberE164),
      telHref: telHref(c.numberE164),
    }));
  }

  private async record(
    operator: SessionOperator,
    clientId: string,
    contact: Contact,
    values: Partial<CallLog>,
  ): Promise<CallLog> {
    return this.dataSource.transaction(async (tx) => {
      // Still visible and not marked for deletion while the call was being placed.
      await this.clients.findVisible(operator, clientId, tx);
      const repository = tx.getRepository(CallLog);
      const log = await repository.save(
        repository.create({
          ...values,
          clientId,
          contactId: contact.id,
          contactName: contact.name,
          operatorId: operator.id,
          operatorName: operator.name,
        }),
      );
      const changes: Record<string, [unknown, unknown]> = {
        [values.numberKind!]: [null, values.numberE164],
        callResult: [null, values.result],
      };
      if (values.errorCode) changes.callError = [null, `${values.errorCode}: ${values.error}`];
      await this.clients.emit(tx, {
        clientId,
        operator,
        action: 'called',
        subject: 'contact',
        changes,
        subjectId: contact.id,
        subjectLabel: contact.name,
      });
      return log;
    });
  }

  private async extensionOf(operator: SessionOperator): Promise<string | null> {
    const [row] = await this.dataSource.query<Array<{ extension: string | null }>>(
      `SELECT extension FROM operators WHERE id = $1`,
      [operator.id],
    );
    return row?.extension?.trim() || null;
  }
}
