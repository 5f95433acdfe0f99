import type { Locale, Role } from './operator.entity';

/** What the session keeps of the operator, so a request needs no query to know who is asking. */
export interface SessionOperator {
  id: string;
  name: string;
  email: string;
  role: Role;
  locale: Locale;
}
