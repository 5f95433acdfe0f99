import type { Role } from './operator.entity';

/*
 * What each role may do with clients, as predicates: code asks the question ("does this operator manage
 * clients?") instead of comparing role names. Routes say the same with `@Roles('admin', 'manager')`.
 */
type WithRole = { role: Role };

/** Managers and admins see every client; an agent sees only clients linked to one of their groups. */
export const seesAllClients = (operator: WithRole): boolean => operator.role !== 'agent';

/** Managers and admins change clients and their data (contracts, displacements, syncs); agents only read. */
export const managesClients = (operator: WithRole): boolean => operator.role !== 'agent';

/** Only admins change settings (integrations, telephony, operators). */
export const administers = (operator: WithRole): boolean => operator.role === 'admin';
