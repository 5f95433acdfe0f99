import type { EntityManager } from 'typeorm';

/**
 * How long a transaction may wait for its turn at a lock taken to serialise a short critical section
 * (two admins demoting each other, two primary contacts, two codes for one operator). The app's default
 * `lock_timeout` (1 s) reads a longer wait as an outage and answers 503; here waiting is the point, each
 * holder runs a handful of statements, and a busy server can still take more than a second for a queue
 * of them. Bounded all the same: `statement_timeout` (5 s) would end the wait anyway.
 */
export const TURN_LOCK_TIMEOUT = '5s';

/** Lets the current transaction wait up to TURN_LOCK_TIMEOUT for the locks it takes from now on. */
export async function allowWaitingForTurn(tx: EntityManager): Promise<void> {
  await tx.query(`SET LOCAL lock_timeout = '${TURN_LOCK_TIMEOUT}'`);
}

/**
 * Runs the rest of the transaction after every other transaction holding `key` has finished (a
 * transaction-scoped advisory lock: released at commit or rollback).
 */
export async function waitForTurn(tx: EntityManager, key: string): Promise<void> {
  await allowWaitingForTurn(tx);
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [key]);
}
