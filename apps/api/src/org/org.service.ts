import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ADMIN_ROLES, ROLE_LABELS, type Role, type UnitDto, type UnitTreeNode, type UserDto } from '@zhengwu/contracts';
import { SessionCache } from '../identity/session-cache';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../identity/auth.service';
import { isVisible } from '../identity/data-scope';
import { checkPassword } from '../identity/password-policy';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { returning } from '../platform/sql';
import { UnitEntity } from './unit.entity';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  title: string | null;
  is_active: boolean;
  locked_until: Date | null;
  roles: string[] | null;
  totp_enrolled: boolean;
}

const USER_SELECT = `
  SELECT u.id, u.username, u.display_name, u.unit_id, un.name AS unit_name, un.path AS unit_path, u.title,
         u.is_active, u.locked_until,
         EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) AS totp_enrolled,
         COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id), '{}') AS roles
    FROM users u JOIN units un ON un.id = u.unit_id`;

export interface PersonCard {
  id: string;
  username: string;
  displayName: string;
  unitId: string;
  unitName: string;
  title: string | null;
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  unitId: string;
  title?: string;
  password: string;
}

@Injectable()
export class OrgService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly sessions: SessionCache,
  ) {}

  async unitTree(): Promise<UnitTreeNode[]> {
    const units = await this.dataSource.getRepository(UnitEntity).find({ order: { depth: 'ASC', sort: 'ASC', name: 'ASC' } });
    const nodes = new Map<string, UnitTreeNode>();
    const roots: UnitTreeNode[] = [];
    for (const unit of units) {
      const node: UnitTreeNode = { ...toUnitDto(unit), children: [] };
      nodes.set(unit.id, node);
      const parent = unit.parentId ? nodes.get(unit.parentId) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    return roots;
  }

  async unit(id: string): Promise<UnitDto & { members?: { userId: string; displayName: string; position: string }[] }> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOne({ where: { id } });
    if (!unit) throw new NotFoundError('单位');
    if (unit.kind !== 'body') return toUnitDto(unit);
    const members: { user_id: string; display_name: string; position: string }[] = await this.dataSource.query(
      `SELECT m.user_id, u.display_name, m.position FROM unit_members m JOIN users u ON u.id = m.user_id WHERE m.unit_id = $1 ORDER BY m.position, u.display_name`,
      [id],
    );
    return { ...toUnitDto(unit), members: members.map((m) => ({ userId: m.user_id, displayName: m.display_name, position: m.position })) };
  }

  async listUsers(filter: {
    role?: Role;
    unitId?: string;
    q?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: UserDto[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.role) {
      params.push(filter.role);
      where.push(`EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = $${params.length})`);
    }
    if (filter.unitId) {
      params.push(filter.unitId);
      where.push(`u.unit_id = $${params.length}`);
    }
    if (filter.q) {
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(u.username ILIKE $${params.length} OR u.display_name ILIKE $${params.length})`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total: { count: string }[] = await this.dataSource.query(`SELECT count(*) FROM users u ${clause}`, params);
    params.push(filter.limit, filter.offset);
    const rows: UserRow[] = await this.dataSource.query(
      `${USER_SELECT} ${clause} ORDER BY un.path, u.username LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { items: rows.map(toUserDto), total: Number(total[0].count) };
  }

  /** The pickers' lookup: active people only, and nothing beyond what a name card shows. */
  async people(filter: { q?: string; unitId?: string; limit?: number }): Promise<PersonCard[]> {
    const where = ['u.is_active'];
    const params: unknown[] = [];
    if (filter.unitId) {
      params.push(filter.unitId);
      where.push(`u.unit_id = $${params.length}`);
    }
    const term = filter.q?.trim();
    if (term) {
      params.push(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(u.username ILIKE $${params.length} OR u.display_name ILIKE $${params.length})`);
    }
    params.push(Math.min(Math.max(filter.limit ?? 20, 1), 50));
    return this.dataSource.query(
      `SELECT u.id, u.username, u.display_name AS "displayName", u.unit_id AS "unitId", un.name AS "unitName", u.title
         FROM users u JOIN units un ON un.id = u.unit_id
        WHERE ${where.join(' AND ')}
        ORDER BY un.path, u.display_name LIMIT $${params.length}`,
      params,
    );
  }

  /** Administrators see everyone; anyone else only people within their data scope (else 404). */
  async user(principal: Principal, id: string): Promise<UserDto> {
    const rows: UserRow[] = await this.dataSource.query(`${USER_SELECT} WHERE u.id = $1`, [id]);
    const row = rows[0];
    if (!row) throw new NotFoundError('人员');
    const isAdmin = hasRole(principal, 'sysadmin', 'secadmin');
    if (!isAdmin && !isVisible(principal, { unitPath: row.unit_path })) throw new NotFoundError('人员');
    return toUserDto(row);
  }

  async createUser(input: CreateUserInput): Promise<UserDto> {
    const username = input.username.trim().toLowerCase();
    const problem = checkPassword(input.password, { minLength: 10 }, username);
    if (problem) throw new AppError('PASSWORD_POLICY', problem, HttpStatus.BAD_REQUEST, [{ field: 'password', message: problem }]);
    const unit = await this.dataSource.getRepository(UnitEntity).findOne({ where: { id: input.unitId } });
    if (!unit)
      throw new AppError('UNIT_NOT_FOUND', '所选单位不存在', HttpStatus.BAD_REQUEST, [{ field: 'unitId', message: '所选单位不存在' }]);
    const hash = await hashPassword(input.password);
    const id = await this.dataSource.transaction(async (m) => {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO users (username, display_name, unit_id, title, password_hash, must_change_password)
         VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (username) DO NOTHING RETURNING id`,
        [username, input.displayName, input.unitId, input.title ?? null, hash],
      );
      if (!rows[0]) throw new ConflictError('USERNAME_TAKEN', `用户名 ${username} 已被使用，请换一个`);
      await this.audit.record(
        { action: 'org.user.create', objectType: 'user', objectId: rows[0].id, detail: { username, unitId: input.unitId } },
        m,
      );
      return rows[0].id;
    });
    const rows: UserRow[] = await this.dataSource.query(`${USER_SELECT} WHERE u.id = $1`, [id]);
    return toUserDto(rows[0]);
  }

  /** Only the security administrator grants roles; 三员分立 forbids mixing the three administrator roles. */
  async setRoles(principal: Principal, userId: string, roles: Role[]): Promise<UserDto> {
    const unique = [...new Set(roles)];
    const admin = unique.filter((role) => ADMIN_ROLES.includes(role));
    if (admin.length > 1) {
      throw new AppError(
        'SEPARATION_OF_DUTIES',
        `三员分立：${admin.map((r) => ROLE_LABELS[r]).join('、')}不能由同一人担任`,
        HttpStatus.BAD_REQUEST,
        [{ field: 'roles', message: '系统管理员、安全管理员、审计员只能选一个' }],
      );
    }
    // 安全管理员 and 审计员 watch the business; they must not also take part in it (the database refuses it too).
    const watcher = unique.find((role) => role === 'secadmin' || role === 'auditor');
    const business = unique.filter((role) => !ADMIN_ROLES.includes(role));
    if (watcher && business.length > 0) {
      throw new AppError(
        'SEPARATION_OF_DUTIES',
        `三员分立：${ROLE_LABELS[watcher]}不能兼任业务角色（${business.map((r) => ROLE_LABELS[r]).join('、')}）`,
        HttpStatus.BAD_REQUEST,
        [{ field: 'roles', message: '安全管理员、审计员不能兼任业务角色' }],
      );
    }
    if (userId === principal.userId)
      throw new AppError('SELF_GRANT', '不能修改自己的角色，请由另一位安全管理员操作', HttpStatus.BAD_REQUEST);
    await this.dataSource.transaction(async (m) => {
      const exists: unknown[] = await m.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
      if (exists.length === 0) throw new NotFoundError('人员');
      await m.query('DELETE FROM user_roles WHERE user_id = $1', [userId]);
      for (const role of unique) await m.query('INSERT INTO user_roles (user_id, role) VALUES ($1, $2)', [userId, role]);
      await this.audit.record({ action: 'org.user.set-roles', objectType: 'user', objectId: userId, detail: { roles: unique } }, m);
    });
    // Committed: this process stops answering from the person's checked session now, the others on the notification.
    this.sessions.forgetUser(userId);
    return this.user(principal, userId);
  }

  /**
   * The 安全管理员 resets a person's second factor (lost phone): secret and recovery codes go, the
   * person's sessions end, and the next login starts a new enrolment (when TOTP is required).
   */
  async resetTotp(principal: Principal, userId: string): Promise<void> {
    if (userId === principal.userId)
      throw new AppError('SELF_RESET', '不能重置自己的双因素认证，请由另一位安全管理员操作', HttpStatus.BAD_REQUEST);
    await this.dataSource.transaction(async (m) => {
      const exists: unknown[] = await m.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
      if (exists.length === 0) throw new NotFoundError('人员');
      const removed = await returning<{ user_id: string }>(m, 'DELETE FROM user_totp WHERE user_id = $1 RETURNING user_id', [userId]);
      await m.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [userId]);
      await m.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
      await this.audit.record(
        { action: 'org.user.reset-totp', objectType: 'user', objectId: userId, detail: { hadTotp: removed.length > 0 } },
        m,
      );
    });
    this.sessions.forgetUser(userId);
  }

  async unlock(userId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const rows = await returning<{ id: string }>(
        m,
        'UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1 RETURNING id',
        [userId],
      );
      if (rows.length === 0) throw new NotFoundError('人员');
      await this.audit.record({ action: 'org.user.unlock', objectType: 'user', objectId: userId }, m);
    });
  }
}

function toUnitDto(unit: UnitEntity): UnitDto {
  return {
    id: unit.id,
    code: unit.code,
    name: unit.name,
    shortName: unit.shortName,
    kind: unit.kind,
    parentId: unit.parentId,
    divisionCode: unit.divisionCode,
    organCode: unit.organCode,
  };
}

function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    unitId: row.unit_id,
    unitName: row.unit_name,
    title: row.title,
    roles: row.roles ?? [],
    isActive: row.is_active,
    lockedUntil: row.locked_until && row.locked_until.getTime() > Date.now() ? row.locked_until.toISOString() : null,
    totpEnrolled: row.totp_enrolled,
  };
}
