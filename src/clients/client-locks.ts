import { NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ClientStatus } from './client.entity';
import { liveClientSql } from './client-scope';
import { ClientInactiveError } from './client.errors';

/**
 * For modules that create what keeps a client from being inactivated (tickets, contracts): locks the client
 * row FOR SHARE inside the caller's transaction and returns its committed status. `ClientStatusService`
 * takes the same row FOR UPDATE before counting blockers, so the two transactions serialise: either the new
 * ticket is committed before the count (and inactivation is refused), or this one waits and sees `inactive`.
 */
export async function lockClientStatus(manager: EntityManager, clientId: string): Promise<ClientStatus> {
  const [row] = await manager.query(
    `SELECT status FROM clients c WHERE c.id = $1 AND ${liveClientSql()} FOR SHARE`,
    [clientId],
  );
  if (!row) throw new NotFoundException();
  return row.status as ClientStatus;
}

/** `lockClientStatus`, refusing an inactive client (SPEC §5: no new tickets or contracts) with a 422. */
export async function lockActiveClient(manager: EntityManager, clientId: string): Promise<void> {
  if ((await lockClientStatus(manager, clientId)) !== 'active') throw new ClientInactiveError();
}
