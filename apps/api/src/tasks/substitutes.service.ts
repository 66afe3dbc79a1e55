import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import type { CreateSubstituteDto } from './substitutes.dto';

/** Today's date where the ministry works; a range is active while today lies within it. */
const TODAY = `(now() AT TIME ZONE 'Asia/Shanghai')::date`;

export interface Person {
  userId: string;
  displayName: string;
}

const COLUMNS = `s.id, s.user_id AS "userId", u.display_name AS "userName", s.substitute_id AS "substituteId", su.display_name AS "substituteName",
  to_char(s.starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(s.ends_on, 'YYYY-MM-DD') AS "endsOn", s.reason, s.status,
  (s.status = 'active' AND ${TODAY} BETWEEN s.starts_on AND s.ends_on) AS "isActive", s.created_at AS "createdAt"`;
const FROM = `FROM substitutes s JOIN users u ON u.id = s.user_id JOIN users su ON su.id = s.substitute_id`;

/**
 * 代理 (out-of-office substitution). While a range is active, the substitute's 待办 also holds the tasks assigned
 * or offered by name to the absent person; group tasks stay with the absent person's colleagues.
 */
@Injectable()
export class SubstitutesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(me: Principal, dto: CreateSubstituteDto) {
    const invalid = (field: string, message: string) =>
      new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field, message }]);
    if (dto.endsOn < dto.startsOn) throw invalid('endsOn', '结束日期不能早于开始日期');
    if (dto.substituteId === me.userId) throw invalid('substituteId', '不能指定自己为代理人');
    return this.dataSource.transaction(async (m) => {
      const [{ today }]: { today: string }[] = await m.query(`SELECT to_char(${TODAY}, 'YYYY-MM-DD') AS today`);
      if (dto.endsOn < today) throw invalid('endsOn', '结束日期不能早于今天');
      const found: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND is_active`, [dto.substituteId]);
      if (found.length === 0) throw invalid('substituteId', '代理人不存在或已停用');
      // Serialise a person's own appointments so two overlapping ranges cannot both pass the check.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('substitutes:' || $1))`, [me.userId]);
      const overlapping: { startsOn: string; endsOn: string }[] = await m.query(
        `SELECT to_char(starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(ends_on, 'YYYY-MM-DD') AS "endsOn" FROM substitutes
          WHERE user_id = $1 AND status = 'active' AND starts_on <= $3::date AND ends_on >= $2::date LIMIT 1`,
        [me.userId, dto.startsOn, dto.endsOn],
      );
      if (overlapping[0])
        throw new ConflictError(
          'SUBSTITUTE_OVERLAP',
          `该时段与已设置的代理（${overlapping[0].startsOn} 至 ${overlapping[0].endsOn}）重叠，请先撤销原代理或调整日期`,
        );
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO substitutes (user_id, substitute_id, starts_on, ends_on, reason) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [me.userId, dto.substituteId, dto.startsOn, dto.endsOn, dto.reason?.trim() || null],
      );
      await m.query(`INSERT INTO outbox (topic, payload) VALUES ('substitute.appointed', $1)`, [
        JSON.stringify({
          to: [dto.substituteId],
          by: me.userId,
          subject: `${me.displayName}请您在 ${dto.startsOn} 至 ${dto.endsOn} 期间代为办理其待办事项`,
        }),
      ]);
      const rows: unknown[] = await m.query(`SELECT ${COLUMNS} ${FROM} WHERE s.id = $1`, [id]);
      return rows[0];
    });
  }

  /** The ranges I gave (I am away) and received (I stand in), newest first. */
  async list(me: Principal) {
    const [given, received] = await Promise.all([
      this.dataSource.query(`SELECT ${COLUMNS} ${FROM} WHERE s.user_id = $1 ORDER BY s.starts_on DESC, s.created_at DESC LIMIT 100`, [
        me.userId,
      ]),
      this.dataSource.query(`SELECT ${COLUMNS} ${FROM} WHERE s.substitute_id = $1 ORDER BY s.starts_on DESC, s.created_at DESC LIMIT 100`, [
        me.userId,
      ]),
    ]);
    return { given, received };
  }

  async revoke(me: Principal, id: string): Promise<{ ok: true }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('代理设置');
    const rows: { user_id: string; substitute_id: string; status: string }[] = await this.dataSource.query(
      `SELECT user_id, substitute_id, status FROM substitutes WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row || (row.user_id !== me.userId && row.substitute_id !== me.userId)) throw new NotFoundError('代理设置');
    if (row.user_id !== me.userId) throw new ForbiddenError('只有委托人本人可以撤销代理');
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [, revoked]: [unknown[], number] = await this.dataSource.query(
      `UPDATE substitutes SET status = 'revoked', revoked_at = now() WHERE id = $1 AND status = 'active' RETURNING id`,
      [id],
    );
    if (revoked === 0) throw new ConflictError('SUBSTITUTE_ALREADY_REVOKED', '该代理已撤销');
    return { ok: true };
  }

  /** The people `substituteId` stands in for today. */
  async absentFor(substituteId: string, m: EntityManager = this.dataSource.manager): Promise<Person[]> {
    return m.query(
      `SELECT u.id AS "userId", u.display_name AS "displayName" FROM substitutes s JOIN users u ON u.id = s.user_id
        WHERE s.substitute_id = $1 AND s.status = 'active' AND ${TODAY} BETWEEN s.starts_on AND s.ends_on ORDER BY u.display_name`,
      [substituteId],
    );
  }

  /** Who stands in for `userId` today, if anyone. */
  async substitutesOf(userId: string, m: EntityManager = this.dataSource.manager): Promise<(Person & { endsOn: string })[]> {
    return m.query(
      `SELECT u.id AS "userId", u.display_name AS "displayName", to_char(s.ends_on, 'YYYY-MM-DD') AS "endsOn"
         FROM substitutes s JOIN users u ON u.id = s.substitute_id
        WHERE s.user_id = $1 AND s.status = 'active' AND ${TODAY} BETWEEN s.starts_on AND s.ends_on`,
      [userId],
    );
  }
}
