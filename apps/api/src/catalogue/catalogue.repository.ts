import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

export interface CatalogueEntry {
  code: string;
  name: string;
  category: string;
  description: string;
  secrecy: string;
  formats: string[];
  updateCycle: string;
  shareLevel: string;
  ownerUnitCode: string;
  ownerUnitName: string | null;
  ownerUnitId: string | null;
  updatedAt: Date;
}

const COLUMNS = `d.code, d.name, d.category, d.description, d.secrecy, d.formats, d.update_cycle AS "updateCycle",
  d.share_level AS "shareLevel", d.owner_unit_code AS "ownerUnitCode", u.name AS "ownerUnitName", u.id AS "ownerUnitId", d.updated_at AS "updatedAt"`;

/** The SQL of 数据共享目录. */
@Injectable()
export class CatalogueRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  entries(): Promise<CatalogueEntry[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM datasets d LEFT JOIN units u ON u.code = d.owner_unit_code WHERE d.is_active ORDER BY d.sort, d.code`,
    );
  }

  /** What may be published: shared at all, and not classified. */
  published(): Promise<CatalogueEntry[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM datasets d LEFT JOIN units u ON u.code = d.owner_unit_code
        WHERE d.is_active AND d.share_level <> '不予共享' AND d.secrecy NOT IN ('秘密','机密') ORDER BY d.sort, d.code`,
    );
  }

  async lockEntry(m: EntityManager, code: string): Promise<{ owner_unit_id: string | null } | undefined> {
    const rows: { owner_unit_id: string | null }[] = await m.query(
      `SELECT u.id AS owner_unit_id FROM datasets d LEFT JOIN units u ON u.code = d.owner_unit_code
        WHERE d.code = $1 AND d.is_active FOR UPDATE OF d`,
      [code],
    );
    return rows[0];
  }

  async update(
    m: EntityManager,
    code: string,
    by: string,
    e: { name?: string; description?: string; formats?: string[]; updateCycle?: string; shareLevel?: string },
  ): Promise<void> {
    await m.query(
      `UPDATE datasets SET name = coalesce($3, name), description = coalesce($4, description), formats = coalesce($5, formats),
              update_cycle = coalesce($6, update_cycle), share_level = coalesce($7, share_level), updated_at = now(), updated_by = $2
        WHERE code = $1`,
      [code, by, e.name ?? null, e.description ?? null, e.formats ?? null, e.updateCycle ?? null, e.shareLevel ?? null],
    );
  }
}
