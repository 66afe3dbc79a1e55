import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A 公告 as the pages show it, with the reader's own read mark. */
export interface AnnouncementView {
  id: string;
  title: string;
  body: string;
  pinned: boolean;
  expiresOn: string | null;
  publishedAt: Date;
  updatedAt: Date;
  withdrawnAt: Date | null;
  unitName: string;
  publishedByName: string;
  expired: boolean;
  readAt: Date | null;
}

export interface NewAnnouncement {
  title: string;
  body: string;
  pinned: boolean;
  expiresOn: string | null;
}

/** Today in Beijing: an expiry date is the last day the 公告 shows, wherever the server runs. */
const TODAY = `(now() AT TIME ZONE 'Asia/Shanghai')::date`;
/** Shown to everyone: not withdrawn and not past its last day. */
const CURRENT = `a.withdrawn_at IS NULL AND (a.expires_on IS NULL OR a.expires_on >= ${TODAY})`;
const COLUMNS = `a.id, a.title, a.body, a.pinned, to_char(a.expires_on, 'YYYY-MM-DD') AS "expiresOn",
  a.published_at AS "publishedAt", a.updated_at AS "updatedAt", a.withdrawn_at AS "withdrawnAt",
  COALESCE(un.short_name, un.name) AS "unitName", u.display_name AS "publishedByName",
  (a.expires_on IS NOT NULL AND a.expires_on < ${TODAY}) AS expired, r.read_at AS "readAt"`;
const FROM = `FROM announcements a JOIN units un ON un.id = a.unit_id JOIN users u ON u.id = a.published_by
  LEFT JOIN announcement_reads r ON r.announcement_id = a.id AND r.user_id = $1::uuid`;

@Injectable()
export class AnnouncementsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Pinned first, then newest; `all` also lists expired and withdrawn ones (办公厅's own view). */
  async list(
    userId: string,
    all: boolean,
    page: { offset: number; limit: number },
  ): Promise<{ items: AnnouncementView[]; total: number; unread: number }> {
    const where = all ? 'TRUE' : CURRENT;
    const [items, counts] = await Promise.all([
      this.dataSource.query(
        `SELECT ${COLUMNS} ${FROM} WHERE ${where}
          ORDER BY (a.withdrawn_at IS NULL) DESC, a.pinned DESC, a.published_at DESC, a.id
          LIMIT ${Number(page.limit)} OFFSET ${Number(page.offset)}`,
        [userId],
      ) as Promise<AnnouncementView[]>,
      this.dataSource.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE r.read_at IS NULL AND ${CURRENT})::int AS unread ${FROM} WHERE ${where}`,
        [userId],
      ) as Promise<{ total: number; unread: number }[]>,
    ]);
    return { items, total: counts[0].total, unread: counts[0].unread };
  }

  async get(userId: string, id: string): Promise<AnnouncementView | undefined> {
    const rows: AnnouncementView[] = await this.dataSource.query(`SELECT ${COLUMNS} ${FROM} WHERE a.id = $2`, [userId, id]);
    return rows[0];
  }

  async insert(unitId: string, userId: string, a: NewAnnouncement): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO announcements (title, body, pinned, expires_on, unit_id, published_by)
       VALUES ($1, $2, $3, $4::date, $5, $6) RETURNING id`,
      [a.title, a.body, a.pinned, a.expiresOn, unitId, userId],
    );
    return rows[0].id;
  }

  /** Only a 公告 not yet withdrawn changes; false when there is none such. */
  async update(id: string, a: NewAnnouncement): Promise<boolean> {
    const [, n]: [unknown, number] = await this.dataSource.query(
      `UPDATE announcements SET title = $2, body = $3, pinned = $4, expires_on = $5::date, updated_at = now()
        WHERE id = $1 AND withdrawn_at IS NULL`,
      [id, a.title, a.body, a.pinned, a.expiresOn],
    );
    return n > 0;
  }

  async withdraw(id: string, userId: string): Promise<boolean> {
    const [, n]: [unknown, number] = await this.dataSource.query(
      `UPDATE announcements SET withdrawn_at = now(), withdrawn_by = $2 WHERE id = $1 AND withdrawn_at IS NULL`,
      [id, userId],
    );
    return n > 0;
  }

  async markRead(id: string, userId: string): Promise<void> {
    await this.dataSource.query(`INSERT INTO announcement_reads (announcement_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      id,
      userId,
    ]);
  }
}
