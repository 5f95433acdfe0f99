import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { onUniqueViolation } from '../common/errors/unique-violation';
import { isUuid } from '../common/ids';
import { waitForTurn } from '../common/turns';
import { AccountDto, CreateOperatorDto, SetupDto, UpdateOperatorDto } from './dto/operator.dto';
import { Operator, type Role } from './operator.entity';
import { hashPassword, verifyPassword, burnPasswordCheck } from './password-hasher';
import type { SessionOperator, SessionSignIn } from './session-operator';

export class EmailTakenError extends AppError {
  constructor() {
    super(422, 'validation.emailTaken');
  }
}

@Injectable()
export class OperatorsService {
  constructor(
    @InjectRepository(Operator) private readonly operators: Repository<Operator>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async hasAnyOperator(): Promise<boolean> {
    return (await this.operators.createQueryBuilder('o').select('1').limit(1).getRawOne()) !== undefined;
  }

  /**
   * Creates the first admin, only while the table is empty. The advisory lock makes two simultaneous
   * set-up submissions create one admin, not two.
   */
  async createFirstAdmin(dto: SetupDto): Promise<Operator | null> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('clientela:setup'))`);
      const [{ exists }] = await tx.query(`SELECT EXISTS (SELECT 1 FROM operators) AS exists`);
      if (exists) return null;
      const passwordHash = await hashPassword(dto.password);
      return tx.getRepository(Operator).save(
        tx.getRepository(Operator).create({
          ...dto,
          email: dto.email.toLowerCase(),
          role: 'admin',
          passwordHash,
          active: true,
          locale: 'pt-BR',
        }),
      );
    });
  }

  async create(dto: CreateOperatorDto): Promise<Operator> {
    await this.assertEmailFree(dto.email);
    const passwordHash = await hashPassword(dto.password);
    return this.operators
      .save(
        this.operators.create({
          name: dto.name,
          email: dto.email.toLowerCase(),
          role: dto.role,
          passwordHash,
          active: dto.active ?? true,
          locale: 'pt-BR',
        }),
      )
      .catch(this.emailTakenMeanwhile(dto.email));
  }

  list(): Promise<Operator[]> {
    return this.operators.find({ order: { active: 'DESC', name: 'ASC' } });
  }

  find(id: string): Promise<Operator | null> {
    return isUuid(id) ? this.operators.findOneBy({ id }) : Promise.resolve(null);
  }

  /**
   * Admin edit. A role or status change ends the operator's sessions (they hold a snapshot of the role);
   * the last active admin can be neither demoted nor deactivated.
   */
  async update(actor: SessionOperator, operator: Operator, dto: UpdateOperatorDto): Promise<Operator> {
    const active = dto.active === true;
    if (operator.id === actor.id && !active) throw new AppError(422, 'operators.cannotDeactivateSelf');
    if (dto.email.toLowerCase() !== operator.email) await this.assertEmailFree(dto.email, operator.id);
    const changes: Partial<Operator> = {
      name: dto.name,
      email: dto.email.toLowerCase(),
      role: dto.role,
      active,
    };
    if (dto.password) changes.passwordHash = await hashPassword(dto.password);
    const updated = this.dataSource.transaction(async (tx) => {
      // Edits that may remove an admin run one at a time: two admins demoting each other at once would
      // each count two admins and leave none. The row is read again under the lock.
      await waitForTurn(tx, 'clientela:admins');
      const current = await tx.getRepository(Operator).findOneByOrFail({ id: operator.id });
      if (current.role === 'admin' && current.active && (dto.role !== 'admin' || !active)) {
        const admins = await tx.getRepository(Operator).countBy({ role: 'admin', active: true });
        if (admins <= 1) throw new AppError(422, 'operators.lastAdmin');
      }
      await tx.getRepository(Operator).update(operator.id, changes);
      // The operator's role and status are read with every request; their sessions end all the same, so a
      // new role, a deactivation or a new password starts from a fresh sign-in. (Not the admin's own
      // session, when editing themself: they carry on with the new role.)
      const endSessions = current.role !== dto.role || current.active !== active || !!dto.password;
      if (endSessions && operator.id !== actor.id) await this.endSessions(operator.id, tx);
      return { ...current, ...changes } as Operator;
    });
    return updated.catch(this.emailTakenMeanwhile(dto.email, operator.id));
  }

  async updateAccount(id: string, dto: AccountDto): Promise<void> {
    await this.operators.update(id, { name: dto.name, locale: dto.locale, extension: dto.extension ?? null });
  }

  /**
   * Changes the password when `current` is right and ends the operator's other sessions; the one making
   * the change (`keepSessionId`) carries on. Returns the operator's new session generation (for the kept
   * session), or null when `current` was wrong.
   */
  async changePassword(
    id: string,
    passwords: { current: string; next: string },
    keepSessionId: string,
  ): Promise<number | null> {
    if (!(await this.passwordMatches(id, passwords.current))) return null;
    const passwordHash = await hashPassword(passwords.next);
    return this.dataSource.transaction(async (tx) => {
      await tx.getRepository(Operator).update(id, { passwordHash });
      return this.endSessions(id, tx, keepSessionId);
    });
  }

  /** Whether `password` is this active operator's (same timing when it is not). */
  async passwordMatches(id: string, password: string): Promise<boolean> {
    const operator = await this.operators
      .createQueryBuilder('o')
      .addSelect('o.passwordHash')
      .where('o.id = :id AND o.active', { id })
      .getOne();
    if (!operator) {
      await burnPasswordCheck(password);
      return false;
    }
    return verifyPassword(operator.passwordHash, password);
  }

  /** Returns the active operator with this e-mail and password, or null (same timing either way). */
  async authenticate(email: string, password: string): Promise<Operator | null> {
    const operator = await this.operators
      .createQueryBuilder('o')
      .addSelect('o.passwordHash')
      .where('lower(o.email) = lower(:email)', { email })
      .getOne();
    if (!operator) {
      await burnPasswordCheck(password);
      return null;
    }
    const ok = await verifyPassword(operator.passwordHash, password);
    return ok && operator.active ? operator : null;
  }

  /**
   * Ends every session of an operator (deactivation, role change, password change), in the caller's
   * transaction: their session generation moves on — a session signed in before is refused at its next
   * request, even one a request in flight writes back — and the rows go at once. The session
   * `keepSessionId`, if any, is moved to the new generation and stays signed in. Returns the generation.
   */
  async endSessions(operatorId: string, manager: EntityManager, keepSessionId?: string): Promise<number> {
    const [[{ generation }]] = (await manager.query(
      `UPDATE operators SET session_generation = session_generation + 1 WHERE id = $1
       RETURNING session_generation AS generation`,
      [operatorId],
    )) as [[{ generation: number }], number];
    await manager.query(`DELETE FROM sessions WHERE sess -> 'operator' ->> 'id' = $1 AND sid <> $2`, [
      operatorId,
      keepSessionId ?? '',
    ]);
    if (keepSessionId)
      await manager.query(
        `UPDATE sessions SET sess = jsonb_set(sess::jsonb, '{operator,generation}', to_jsonb($2::int))::json
         WHERE sid = $1`,
        [keepSessionId, generation],
      );
    return generation;
  }

  countByRole(role: Role): Promise<number> {
    return this.operators.countBy({ role, active: true });
  }

  /** A simultaneous save took the e-mail after our check: answer with the same refusal as the check. */
  private emailTakenMeanwhile(email: string, exceptId?: string) {
    return onUniqueViolation({ operators_email_key: () => this.assertEmailFree(email, exceptId) });
  }

  private async assertEmailFree(email: string, exceptId?: string): Promise<void> {
    const qb = this.operators.createQueryBuilder('o').where('lower(o.email) = lower(:email)', { email });
    if (exceptId) qb.andWhere('o.id <> :exceptId', { exceptId });
    if (await qb.getExists()) throw new EmailTakenError();
  }
}

/** What a session stores at login: who, and their current session generation. */
export const signInOf = (o: Operator): SessionSignIn => ({ id: o.id, generation: o.sessionGeneration });
