import { randomBytes } from 'node:crypto';
import { OperatorsService } from '../../src/auth/operators.service';
import type { Role } from '../../src/auth/operator.entity';
import type { TestApp } from '../support/test-app';

export const TEST_PASSWORD = 'correct-horse-battery';

export interface TestOperator {
  id: string;
  email: string;
  password: string;
  role: Role;
  name: string;
}

/** Creates an operator through the service (hashing as production does). */
export async function makeOperator(
  t: TestApp,
  role: Role = 'admin',
  overrides: { name?: string; email?: string } = {},
): Promise<TestOperator> {
  const email = overrides.email ?? `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const name = overrides.name ?? `Operador ${role}`;
  const created = await t.app
    .get(OperatorsService)
    .create({ name, email, password: TEST_PASSWORD, role, active: true });
  return { id: created.id, email, password: TEST_PASSWORD, role, name };
}

const actors = new WeakMap<TestApp, Map<string, Promise<TestOperator>>>();

/**
 * The operator a factory acts as when the test does not care who: one per app and name, made on first use
 * (the history then names it, e.g. "Fábrica de Testes").
 */
export function factoryActor(t: TestApp, role: Role, name: string): Promise<TestOperator> {
  let byName = actors.get(t);
  if (!byName) actors.set(t, (byName = new Map()));
  let actor = byName.get(name);
  if (!actor) byName.set(name, (actor = makeOperator(t, role, { name })));
  return actor;
}
