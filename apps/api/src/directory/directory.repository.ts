import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface DirectoryUnit {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  path: string;
}

export interface DirectoryPerson {
  id: string;
  displayName: string;
  title: string | null;
  unitId: string;
  unitName: string;
  officePhone: string | null;
  email: string | null;
}

/** The SQL of 通讯录. */
@Injectable()
export class DirectoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The organ (机关) a unit belongs to: the nearest ancestor-or-self that is a ministry, province, city or county. */
  async organPathOf(unitPath: string): Promise<string> {
    const rows: { path: string }[] = await this.dataSource.query(
      `SELECT a.path FROM units a WHERE $1 LIKE a.path || '%' AND a.kind IN ('ministry','province','city','county')
        ORDER BY a.depth DESC LIMIT 1`,
      [unitPath],
    );
    return rows[0]?.path ?? unitPath;
  }

  units(scopePath: string): Promise<DirectoryUnit[]> {
    return this.dataSource.query(
      `SELECT id, parent_id AS "parentId", name, kind, path FROM units WHERE starts_with(path, $1) ORDER BY path, sort, name`,
      [scopePath],
    );
  }

  async unitPath(unitId: string): Promise<string | null> {
    const rows: { path: string }[] = await this.dataSource.query(`SELECT path FROM units WHERE id = $1`, [unitId]);
    return rows[0]?.path ?? null;
  }

  people(scopePath: string, q: string | undefined): Promise<DirectoryPerson[]> {
    const params: unknown[] = [scopePath];
    let filter = '';
    if (q) {
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      filter = `AND (u.display_name ILIKE $2 OR u.title ILIKE $2 OR u.office_phone ILIKE $2 OR un.name ILIKE $2)`;
    }
    return this.dataSource.query(
      `SELECT u.id, u.display_name AS "displayName", u.title, u.unit_id AS "unitId", un.name AS "unitName",
              u.office_phone AS "officePhone", u.email
         FROM users u JOIN units un ON un.id = u.unit_id
        WHERE u.is_active AND starts_with(un.path, $1) ${filter}
        ORDER BY un.path, un.sort, u.display_name LIMIT 500`,
      params,
    );
  }

  async userUnitPath(userId: string): Promise<string | null> {
    const rows: { path: string }[] = await this.dataSource.query(
      `SELECT un.path FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id = $1`,
      [userId],
    );
    return rows[0]?.path ?? null;
  }

  async setContact(userId: string, contact: { officePhone?: string | null; email?: string | null; title?: string | null }): Promise<void> {
    await this.dataSource.query(
      `UPDATE users SET office_phone = CASE WHEN $2 THEN $3 ELSE office_phone END,
                        email = CASE WHEN $4 THEN $5 ELSE email END,
                        title = CASE WHEN $6 THEN $7 ELSE title END,
                        updated_at = now()
        WHERE id = $1`,
      [
        userId,
        contact.officePhone !== undefined,
        contact.officePhone ?? null,
        contact.email !== undefined,
        contact.email ?? null,
        contact.title !== undefined,
        contact.title ?? null,
      ],
    );
  }
}
