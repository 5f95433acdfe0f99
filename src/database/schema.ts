import { CreateOperatorsAndSessions1764324000000 } from '../../migrations/1764324000000-CreateOperatorsAndSessions';
import { CreateClients1764324100000 } from '../../migrations/1764324100000-CreateClients';
import { Operator } from '../auth/operator.entity';
import { Client } from '../clients/client.entity';
import { Contact } from '../clients/contacts/contact.entity';
import { ClientHistoryEntry } from '../history/client-history-entry.entity';
import { AttendantGroup } from '../relationships/attendant-group.entity';
import { ServiceDesk } from '../relationships/service-desk.entity';

/** Every entity and migration, listed as classes so app, CLI and tests load the same schema without globs. */
export const ENTITIES = [Operator, AttendantGroup, ServiceDesk, Client, Contact, ClientHistoryEntry];
export const MIGRATIONS = [CreateOperatorsAndSessions1764324000000, CreateClients1764324100000];
