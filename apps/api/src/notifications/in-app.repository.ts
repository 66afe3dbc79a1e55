import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { USER_NOTIFICATIONS_CHANNEL } from './notification-hub';
import type { InAppNotification, NotificationKind, NotificationPreferences } from '@zhengwu/contracts';

const COLUMNS = `id::text, kind, title, link, created_at AS "createdAt", read_at AS "readAt"`;

/** The bell's SQL: every statement names the person, so nobody reads or marks another's notices. */
@Injectable()
export class InAppRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(userId: string, order: 'unread' | 'newest', limit: number, offset: number): Promise<InAppNotification[]> {
    const sort = order === 'unread' ? '(read_at IS NULL) DESC, created_at DESC, id DESC' : 'created_at DESC, id DESC';
    return this.dataSource.query(`SELECT ${COLUMNS} FROM user_notifications WHERE user_id = $1 ORDER BY ${sort} LIMIT $2 OFFSET $3`, [
      userId,
      limit,
      offset,
    ]);
  }

  async counts(userId: string): Promise<{ total: number; unread: number }> {
    const [row]: { total: number; unread: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total, (count(*) FILTER (WHERE read_at IS NULL))::int AS unread FROM user_notifications WHERE user_id = $1`,
      [userId],
    );
    return row;
  }

  async unread(userId: string): Promise<number> {
    const [row]: { unread: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS unread FROM user_notifications WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return row.unread;
  }

  async one(userId: string, id: string): Promise<InAppNotification | undefined> {
    const rows: InAppNotification[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM user_notifications WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0];
  }

  /** Marks one read (a second time keeps the first read time); undefined when it is not the person's. */
  async markRead(userId: string, id: string): Promise<InAppNotification | undefined> {
    // TypeORM answers an UPDATE … RETURNING with [rows, rowCount].
    const [rows]: [InAppNotification[], number] = await this.dataSource.query(
      `UPDATE user_notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [id, userId],
    );
    return rows[0];
  }

  async markAllRead(userId: string): Promise<number> {
    const [, updated]: [unknown[], number] = await this.dataSource.query(
      `UPDATE user_notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return updated;
  }

  /** Tells the person's other open pages (on any api process) that their count changed. */
  async announceCount(userId: string): Promise<void> {
    await this.dataSource.query(`SELECT pg_notify($1, $2)`, [USER_NOTIFICATIONS_CHANNEL, JSON.stringify({ userId })]);
  }

  async preferences(userId: string): Promise<NotificationPreferences> {
    const rows: NotificationPreferences[] = await this.dataSource.query(
      `SELECT mail_enabled AS "mailEnabled", mail_off_kinds AS "mailOffKinds" FROM notification_preferences WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ?? { mailEnabled: true, mailOffKinds: [] };
  }

  async savePreferences(userId: string, mailEnabled: boolean, mailOffKinds: NotificationKind[]): Promise<NotificationPreferences> {
    const [row]: NotificationPreferences[] = await this.dataSource.query(
      `INSERT INTO notification_preferences (user_id, mail_enabled, mail_off_kinds) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET mail_enabled = EXCLUDED.mail_enabled, mail_off_kinds = EXCLUDED.mail_off_kinds, updated_at = now()
       RETURNING mail_enabled AS "mailEnabled", mail_off_kinds AS "mailOffKinds"`,
      [userId, mailEnabled, mailOffKinds],
    );
    return row;
  }

  async storeTicket(hash: string, userId: string, sessionId: string, ttlMs: number): Promise<Date> {
    // Old tickets go on the way: nobody redeems them any more.
    await this.dataSource.query(`DELETE FROM notification_stream_tickets WHERE expires_at < now() - interval '1 minute'`);
    const [row]: { expires_at: Date }[] = await this.dataSource.query(
      `INSERT INTO notification_stream_tickets (ticket_hash, user_id, session_id, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000)) RETURNING expires_at`,
      [hash, userId, sessionId, ttlMs],
    );
    return row.expires_at;
  }

  /** Redeems a ticket once: the row is gone after the first use, whichever replica it reaches. */
  async redeemTicket(hash: string): Promise<{ userId: string; sessionId: string } | undefined> {
    const [rows]: [{ userId: string; sessionId: string }[], number] = await this.dataSource.query(
      `DELETE FROM notification_stream_tickets WHERE ticket_hash = $1 AND expires_at > now()
       RETURNING user_id AS "userId", session_id AS "sessionId"`,
      [hash],
    );
    return rows[0];
  }

  /** Whether the session behind a stream is still open (a logout or revocation ends the stream). */
  async sessionOpen(userId: string, sessionId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.is_active`,
      [sessionId, userId],
    );
    return rows.length > 0;
  }
}
