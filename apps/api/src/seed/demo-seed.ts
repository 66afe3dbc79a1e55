import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../identity/auth.service';
import { DEMO_UNITS, DEMO_USERS, type UnitSeed } from './demo-org';

export interface SeedResult {
  seeded: boolean;
  units: number;
  users: number;
}

/** Seeds the demo ministry when the organisation is empty; a second run changes nothing. */
export async function seedDemo(dataSource: DataSource, password: string): Promise<SeedResult> {
  const hash = await hashPassword(password);
  return dataSource.transaction(async (m) => {
    // Two replicas starting on an empty database must not both seed.
    await m.query('SELECT pg_advisory_xact_lock(7242003)');
    const existing: { count: string }[] = await m.query('SELECT count(*) FROM units');
    if (Number(existing[0].count) > 0) return { seeded: false, units: 0, users: 0 };
    const unitIds = new Map<string, string>();
    const units = await insertUnit(m, DEMO_UNITS, null, '/', 0, 0, unitIds);
    for (const user of DEMO_USERS) {
      const unitId = unitIds.get(user.unit);
      if (!unitId) throw new Error(`demo user ${user.username} names unknown unit ${user.unit}`);
      const rows: { id: string }[] = await m.query(
        'INSERT INTO users (username, display_name, unit_id, title, password_hash, email, office_phone) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
        [
          user.username,
          user.displayName,
          unitId,
          user.title,
          hash,
          demoEmail(user.username, user.unit),
          demoPhone(DEMO_USERS.indexOf(user), user.unit),
        ],
      );
      for (const role of user.roles) await m.query('INSERT INTO user_roles (user_id, role) VALUES ($1, $2)', [rows[0].id, role]);
      for (const membership of user.memberOf ?? []) {
        await m.query('INSERT INTO unit_members (unit_id, user_id, position) VALUES ($1, $2, $3)', [
          unitIds.get(membership.unit),
          rows[0].id,
          membership.position,
        ]);
      }
    }
    return { seeded: true, units, users: DEMO_USERS.length };
  });
}

/** DEMO_PASSWORD is the password of every demo account whenever it is set. */
export async function applyDemoPassword(dataSource: DataSource, password: string): Promise<void> {
  const hash = await hashPassword(password);
  await dataSource.query('UPDATE users SET password_hash = $2, failed_attempts = 0, locked_until = NULL WHERE username = ANY($1)', [
    DEMO_USERS.map((u) => u.username),
    hash,
  ]);
}

/** A production start without the demo: ADMIN_PASSWORD creates the first system administrator once. */
export async function ensureAdmin(dataSource: DataSource, password: string): Promise<boolean> {
  const hash = await hashPassword(password);
  return dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock(7242003)');
    const admins: unknown[] = await m.query(`SELECT 1 FROM user_roles WHERE role = 'sysadmin' LIMIT 1`);
    if (admins.length > 0) return false;
    let root: { id: string }[] = await m.query('SELECT id FROM units WHERE parent_id IS NULL ORDER BY sort LIMIT 1');
    if (root.length === 0) {
      const id = randomUUID();
      root = await m.query(
        `INSERT INTO units (id, code, name, kind, path, depth) VALUES ($1, 'ROOT', '本单位', 'ministry', $2, 0) RETURNING id`,
        [id, `/${id}/`],
      );
    }
    const rows: { id: string }[] = await m.query(
      `INSERT INTO users (username, display_name, unit_id, title, password_hash, must_change_password)
       VALUES ('admin', '系统管理员', $1, '系统管理员', $2, true) ON CONFLICT (username) DO UPDATE SET username = EXCLUDED.username RETURNING id`,
      [root[0].id, hash],
    );
    await m.query(`INSERT INTO user_roles (user_id, role) VALUES ($1, 'sysadmin') ON CONFLICT DO NOTHING`, [rows[0].id]);
    return true;
  });
}

/** Demo addresses on reserved example domains: the ministry's people `@mlr…`, a province's `@js…`/`@zj…`. */
/** A made-up office number of the demo (area code by province, then a running number). */
export function demoPhone(index: number, unitCode: string): string {
  const area = unitCode.startsWith('32') ? '025' : unitCode.startsWith('33') ? '0571' : '010';
  return `${area}-6655${String(1000 + index).padStart(4, '0')}`;
}

export function demoEmail(username: string, unitCode: string): string {
  const domain = unitCode.startsWith('32') ? 'js' : unitCode.startsWith('33') ? 'zj' : 'mlr';
  return `${username}@${domain}.example.gov.cn`;
}

async function insertUnit(
  m: EntityManager,
  unit: UnitSeed,
  parentId: string | null,
  parentPath: string,
  depth: number,
  sort: number,
  ids: Map<string, string>,
): Promise<number> {
  const id = randomUUID();
  const path = `${parentPath}${id}/`;
  await m.query(
    `INSERT INTO units (id, code, name, short_name, kind, parent_id, path, depth, division_code, organ_code, sort)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      unit.code,
      unit.name,
      unit.shortName ?? null,
      unit.kind,
      parentId,
      path,
      depth,
      unit.divisionCode ?? null,
      unit.organCode ?? null,
      sort,
    ],
  );
  ids.set(unit.code, id);
  let count = 1;
  for (const [index, child] of (unit.children ?? []).entries()) {
    count += await insertUnit(m, child, id, path, depth + 1, index, ids);
  }
  return count;
}
