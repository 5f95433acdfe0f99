import { CreateOperatorsAndSessions1764324000000 } from '../../migrations/1764324000000-CreateOperatorsAndSessions';
import { Operator } from '../auth/operator.entity';

/** Every entity and migration, listed as classes so app, CLI and tests load the same schema without globs. */
export const ENTITIES = [Operator];
export const MIGRATIONS = [CreateOperatorsAndSessions1764324000000];
