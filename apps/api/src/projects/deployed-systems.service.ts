import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { escapeLike, ledgerUnits, seesWholeLedger } from './ledger-scope';
import type { CreateSystemDto, ListSystemsQuery, SystemLevel, UpdateSystemDto } from './projects.dto';

const LEVEL_OF_KIND: Record<string, SystemLevel> = { province: '省级', city: '市级', county: '县级' };

const SUMMARY = `s.id, s.name, s.project_id AS "projectId", p.project_no AS "projectNo", p.name AS "projectName", s.unit_id AS "unitId",
  u.name AS "unitName", s.level, s.version, to_char(s.go_live_date, 'YYYY-MM-DD') AS "goLiveDate", s.status, s.description,
  s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;
const FROM = `FROM deployed_systems s JOIN units u ON u.id = s.unit_id LEFT JOIN projects p ON p.id = s.project_id`;

interface SystemRow {
  id: string;
  name: string;
  project_id: string | null;
  unit_id: string;
  level: string;
  version: string;
  go_live_date: string;
  status: string;
  description: string | null;
  unit_path: string;
}

/** The ledger of application systems deployed at 部/省/市/县 level (seed clause 十), kept by 信息办 and 信息中心. */
@Injectable()
export class DeployedSystemsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(me: Principal, query: ListSystemsQuery) {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      let text = sql;
      for (const value of values) {
        params.push(value);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    if (!(await seesWholeLedger(this.dataSource.manager, me))) add(`u.path LIKE ? ESCAPE '\\'`, `${escapeLike(me.unitPath)}%`);
    if (query.level) add('s.level = ?', query.level);
    if (query.status) add('s.status = ?', query.status);
    if (query.projectId) add('s.project_id = ?::uuid', query.projectId);
    if (query.unitId) add(`u.path LIKE (SELECT path FROM units WHERE id = ?::uuid) || '%'`, query.unitId);
    if (query.keyword) {
      const like = `%${escapeLike(query.keyword)}%`;
      add(`(s.name ILIKE ? ESCAPE '\\' OR s.description ILIKE ? ESCAPE '\\')`, like, like);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [items, total] = await Promise.all([
      this.dataSource.query(
        `SELECT ${SUMMARY} ${FROM} ${filter} ORDER BY u.path, s.name LIMIT ${query.limit} OFFSET ${query.offset}`,
        params,
      ),
      this.dataSource.query(`SELECT count(*)::int AS n ${FROM} ${filter}`, params) as Promise<{ n: number }[]>,
    ]);
    return { items, total: total[0].n };
  }

  async get(me: Principal, id: string) {
    const m = this.dataSource.manager;
    await this.loadVisible(m, me, id);
    const [summary] = await m.query(`SELECT ${SUMMARY} ${FROM} WHERE s.id = $1`, [id]);
    const history = await m.query(
      `SELECT h.action, h.changes, h.reason, h.at, h.user_id AS "userId", us.display_name AS "userName", un.name AS "unitName"
         FROM deployed_system_history h JOIN users us ON us.id = h.user_id LEFT JOIN units un ON un.id = h.unit_id
        WHERE h.system_id = $1 ORDER BY h.id`,
      [id],
    );
    return { ...summary, history };
  }

  async create(me: Principal, dto: CreateSystemDto): Promise<{ id: string }> {
    await this.assertKeeper(me);
    return this.dataSource.transaction(async (m) => {
      await this.checkUnitLevel(m, dto.unitId, dto.level);
      if (dto.projectId) await this.checkProject(m, dto.projectId);
      const rows: { id: string }[] = await m.query(
        `INSERT INTO deployed_systems (name, project_id, unit_id, level, version, go_live_date, status, description, created_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (unit_id, name) DO NOTHING RETURNING id`,
        [
          dto.name.trim(),
          dto.projectId ?? null,
          dto.unitId,
          dto.level,
          dto.version.trim(),
          dto.goLiveDate,
          dto.status ?? '运行',
          dto.description?.trim() || null,
          me.userId,
        ],
      );
      if (!rows[0]) throw new ConflictError('SYSTEM_EXISTS', `该单位已登记名为“${dto.name.trim()}”的系统，请修改原记录`);
      const snapshot = { ...dto, status: dto.status ?? '运行' };
      await this.recordHistory(m, rows[0].id, me, 'create', snapshot, null);
      return { id: rows[0].id };
    });
  }

  async update(me: Principal, id: string, dto: UpdateSystemDto): Promise<{ ok: true }> {
    await this.assertKeeper(me);
    await this.dataSource.transaction(async (m) => {
      await this.loadVisible(m, me, id);
      const [row]: SystemRow[] = await m.query(
        `SELECT s.*, to_char(s.go_live_date, 'YYYY-MM-DD') AS go_live_date FROM deployed_systems s WHERE s.id = $1 FOR UPDATE`,
        [id],
      );
      if (dto.projectId) await this.checkProject(m, dto.projectId);
      const before: Record<string, unknown> = {
        name: row.name,
        projectId: row.project_id,
        version: row.version,
        goLiveDate: row.go_live_date,
        status: row.status,
        description: row.description,
      };
      const next: Record<string, unknown> = {
        name: dto.name?.trim() ?? row.name,
        // null unlinks the system from its project; absent keeps the link.
        projectId: dto.projectId === undefined ? row.project_id : dto.projectId,
        version: dto.version?.trim() ?? row.version,
        goLiveDate: dto.goLiveDate ?? row.go_live_date,
        status: dto.status ?? row.status,
        description: dto.description === undefined ? row.description : dto.description.trim() || null,
      };
      const changes = Object.fromEntries(
        Object.keys(next)
          .filter((k) => next[k] !== before[k])
          .map((k) => [k, { from: before[k], to: next[k] }]),
      );
      if (Object.keys(changes).length === 0) {
        throw new AppError('NOTHING_CHANGED', '没有需要保存的变更', HttpStatus.BAD_REQUEST, [{ field: 'name', message: '未修改任何内容' }]);
      }
      try {
        await m.query(
          `UPDATE deployed_systems SET name = $2, project_id = $3, version = $4, go_live_date = $5, status = $6, description = $7, updated_at = now()
            WHERE id = $1`,
          [id, next.name, next.projectId, next.version, next.goLiveDate, next.status, next.description],
        );
      } catch (error) {
        if ((error as { code?: string }).code === '23505')
          throw new ConflictError('SYSTEM_EXISTS', `该单位已登记名为“${String(next.name)}”的系统`);
        throw error;
      }
      await this.recordHistory(m, id, me, 'update', changes, dto.reason.trim());
    });
    return { ok: true };
  }

  /** 信息办's reviewers and 信息中心's data administrators keep this ledger. */
  private async assertKeeper(me: Principal): Promise<void> {
    const units = await ledgerUnits(this.dataSource.manager);
    const keeper =
      (me.unitId === units.office && hasRole(me, 'office-reviewer')) || (me.unitId === units.center && hasRole(me, 'data-admin'));
    if (!keeper) throw new ForbiddenError('只有信息办或信息中心可以维护系统部署台账');
  }

  private async checkUnitLevel(m: EntityManager, unitId: string, level: SystemLevel): Promise<void> {
    const [unit]: { name: string; kind: string }[] = await m.query(`SELECT name, kind FROM units WHERE id = $1`, [unitId]);
    if (!unit)
      throw new AppError('VALIDATION_FAILED', '部署单位不存在', HttpStatus.BAD_REQUEST, [{ field: 'unitId', message: '单位不存在' }]);
    const expected = LEVEL_OF_KIND[unit.kind] ?? '部级';
    if (expected !== level) {
      const message = `部署单位“${unit.name}”对应的部署层级为“${expected}”`;
      throw new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: 'level', message }]);
    }
  }

  private async checkProject(m: EntityManager, projectId: string): Promise<void> {
    const [project]: { status: string }[] = await m.query(`SELECT status FROM projects WHERE id = $1`, [projectId]);
    if (!project || !['已立项', '在建', '已建成'].includes(project.status)) {
      const message = '关联的项目须为已立项（含在建、已建成）的项目';
      throw new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: 'projectId', message }]);
    }
  }

  private async recordHistory(
    m: EntityManager,
    id: string,
    me: Principal,
    action: string,
    changes: unknown,
    reason: string | null,
  ): Promise<void> {
    await m.query(`INSERT INTO deployed_system_history (system_id, action, changes, reason, user_id, unit_id) VALUES ($1,$2,$3,$4,$5,$6)`, [
      id,
      action,
      JSON.stringify(changes),
      reason,
      me.userId,
      me.unitId,
    ]);
  }

  private async loadVisible(m: EntityManager, me: Principal, id: string): Promise<SystemRow> {
    const [row]: SystemRow[] = /^[0-9a-f-]{36}$/i.test(id)
      ? await m.query(`SELECT s.*, u.path AS unit_path FROM deployed_systems s JOIN units u ON u.id = s.unit_id WHERE s.id = $1`, [id])
      : [];
    if (!row) throw new NotFoundError('系统');
    if (!row.unit_path.startsWith(me.unitPath) && !(await seesWholeLedger(m, me))) throw new NotFoundError('系统');
    return row;
  }
}
