import type { Locale, Role } from './operator.entity';

/**
 * The signed-in operator as every request sees it (`req.operator`): read from the operators table with
 * the session, in the same query, on every request — so a rename, a new role or language shows at once,
 * and a deactivated operator is signed out at once.
 */
export interface SessionOperator {
  id: string;
  name: string;
  email: string;
  role: Role;
  locale: Locale;
}

/**
 * What a signed-in session stores of its operator: who, and the operator's session generation when the
 * session signed in. A session whose generation is behind the operator's has ended.
 */
export interface SessionSignIn {
  id: string;
  generation: number;
}
