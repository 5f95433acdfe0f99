import { CreateOperatorsAndSessions1764324000000 } from '../../migrations/1764324000000-CreateOperatorsAndSessions';
import { CreateClients1764324100000 } from '../../migrations/1764324100000-CreateClients';
import { CreateContractsTicketsDisplacements1764324200000 } from '../../migrations/1764324200000-CreateContractsTicketsDisplacements';
import { AddTotpAndDeletion1764324300000 } from '../../migrations/1764324300000-AddTotpAndDeletion';
import { CreateTelephony1764324400000 } from '../../migrations/1764324400000-CreateTelephony';
import { CreateBillingIntegrations1764324500000 } from '../../migrations/1764324500000-CreateBillingIntegrations';
import { TuneClientListIndexes1764324600000 } from '../../migrations/1764324600000-TuneClientListIndexes';
import { AddSessionGeneration1764324700000 } from '../../migrations/1764324700000-AddSessionGeneration';
import { CreateSecurityNotices1764324800000 } from '../../migrations/1764324800000-CreateSecurityNotices';
import { Operator } from '../auth/operator.entity';
import { Client } from '../clients/client.entity';
import { ClientDeletion } from '../clients/client-deletion.entity';
import { Contact } from '../clients/contacts/contact.entity';
import { ContractRevision } from '../contracts/contract-revision.entity';
import { Contract } from '../contracts/contract.entity';
import { Displacement } from '../displacements/displacement.entity';
import { ClientHistoryEntry } from '../history/client-history-entry.entity';
import { CallLog } from '../integrations/telephony/call-log.entity';
import { TelephonySettings } from '../integrations/telephony/telephony-settings.entity';
import { ClientIntegrationLink } from '../integrations/sync/client-integration-link.entity';
import { IntegrationSettings } from '../integrations/sync/integration-settings.entity';
import { SyncRun } from '../integrations/sync/sync-run.entity';
import { AttendantGroup } from '../relationships/attendant-group.entity';
import { ServiceDesk } from '../relationships/service-desk.entity';
import { TicketEvent } from '../tickets/ticket-event.entity';
import { Ticket } from '../tickets/ticket.entity';

/** Every entity and migration, listed as classes so app, CLI and tests load the same schema without globs. */
export const ENTITIES = [
  Operator,
  AttendantGroup,
  ServiceDesk,
  Client,
  Contact,
  ClientHistoryEntry,
  Contract,
  ContractRevision,
  Displacement,
  Ticket,
  TicketEvent,
  ClientDeletion,
  TelephonySettings,
  CallLog,
  IntegrationSettings,
  ClientIntegrationLink,
  SyncRun,
];
export const MIGRATIONS = [
  CreateOperatorsAndSessions1764324000000,
  CreateClients1764324100000,
  CreateContractsTicketsDisplacements1764324200000,
  AddTotpAndDeletion1764324300000,
  CreateTelephony1764324400000,
  CreateBillingIntegrations1764324500000,
  TuneClientListIndexes1764324600000,
  AddSessionGeneration1764324700000,
  CreateSecurityNotices1764324800000,
];
