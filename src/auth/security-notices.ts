import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** Changes to an operator's second factor that the operator is told about at their next login. */
export type SecurityEvent = 'totp.enabled' | 'totp.disabled' | 'totp.reset';

export interface SecurityNotice {
  event: SecurityEvent;
  /** Who made the change (null: their account is gone). */
  actorName: string | null;
  /** The change was the operator's own. */
  bySelf: boolean;
  at: Date;
}

/**
 * `security_notices`: written in the transaction of the change, shown (and marked shown) on the first
 * page after the operator's next login. A change made with a stolen session is then seen by the owner.
 */
@Injectable()
export class SecurityNotices {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(
    tx: EntityManager,
    notice: { operatorId: string; event: SecurityEvent; actorId: string },
  ): Promise<void> {
    await tx.query(`INSERT INTO security_notices (operator_id, event, actor_id) VALUES ($1, $2, $3)`, [
      notice.operatorId,
      notice.event,
      notice.actorId,
    ]);
  }

  /** The operator's notices not shown yet, oldest first, now marked shown. */
  async takeUnshown(operatorId: string): Promise<SecurityNotice[]> {
    return (await this.dataSource.query(
      `WITH shown AS (
         UPDATE security_notices SET shown_at = now()
         WHERE operator_id = $1 AND shown_at IS NULL
         RETURNING event, actor_id, created_at
       )
       SELECT shown.event, a.name AS "actorName", coalesce(shown.actor_id = $1, false) AS "bySelf",
              shown.created_at AS at
       FROM shown LEFT JOIN operators a ON a.id = shown.actor_id
       ORDER BY shown.created_at`,
      [operatorId],
    )) as SecurityNotice[];
  }
}
