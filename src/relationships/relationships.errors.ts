import { AppError } from '../common/errors/app-error';

/** A settings refusal that belongs to one form field, so the controller can show it beside that field. */
export abstract class RelationshipsFieldError extends AppError {
  abstract readonly field: string;
}

export class GroupNameTakenError extends RelationshipsFieldError {
  readonly field = 'name';
  constructor() {
    super(422, 'attendantGroups.nameTaken');
  }
}

/** A member id that is not an active operator (deactivated, deleted, or forged). */
export class UnknownMemberError extends RelationshipsFieldError {
  readonly field = 'memberIds';
  constructor() {
    super(422, 'attendantGroups.unknownMember');
  }
}

export class DeskNameTakenError extends RelationshipsFieldError {
  readonly field = 'name';
  constructor() {
    super(422, 'serviceDesks.nameTaken');
  }
}
