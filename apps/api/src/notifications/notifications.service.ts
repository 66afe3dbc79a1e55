import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { messageIdOf } from './mail-templates';
import type { FetchAndLockDto, ListMailboxQuery, MessageFailureDto, StoreMailboxMessageDto } from './notifications.dto';
import { OutboxRenderer, type OutboxRow, type RenderedMail } from './outbox-renderer';

/** A message handed to a sending worker. */
export interface OutgoingMessage {
  id: string;
  messageId: string;
  topic: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attempts: number;
}

interface LockedRow extends OutboxRow {
  mail: RenderedMail | null;
  attempts: number;
}

/**
 * The mail side of the transactional outbox. Features write outbox rows in their own transactions;
 * sending workers fetch-and-lock them here (rendered), send, then report complete or failure.
 *
 * Delivery is at-least-once by construction: a worker that dies after the SMTP server accepted a message
 * but before `complete` leaves the lock to expire, and another worker sends it again. Every copy carries
 * the same Message-ID (`<outbox-<id>@zhengwu.local>`) so the receiving side (and our local mailbox) can
 * drop the duplicate; a late `complete` of a lock that another worker took over is refused.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ---- worker protocol ---------------------------------------------------------------------

  /** Locks up to maxMessages due rows for this worker, rendering those not yet rendered. */
  async fetchAndLock(dto: FetchAndLockDto): Promise<OutgoingMessage[]> {
    const out: OutgoingMessage[] = [];
    // Rows nobody is mailed about are closed on the way and do not count; a few rounds fill the batch.
    for (let round = 0; round < 5 && out.length < dto.maxMessages; round += 1) {
      const wanted = dto.maxMessages - out.length;
      const { messages, seen } = await this.dataSource.transaction((m) => this.lockBatch(m, dto, wanted));
      out.push(...messages);
      if (seen < wanted) break; // nothing more is due
    }
    return out;
  }

  private async lockBatch(m: EntityManager, dto: FetchAndLockDto, limit: number): Promise<{ messages: OutgoingMessage[]; seen: number }> {
    const rows: LockedRow[] = await m.query(
      `SELECT id, topic, payload, created_at, mail, attempts FROM outbox
        WHERE status = 'pending' AND next_attempt_at <= now() AND (lock_expires_at IS NULL OR lock_expires_at < now())
        ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    const messages: OutgoingMessage[] = [];
    for (const row of rows) {
      let mail = row.mail;
      if (!mail) {
        const rendered = await this.renderSafely(m, row);
        if ('error' in rendered) {
          await m.query(`UPDATE outbox SET status = 'failed', last_error = $2 WHERE id = $1`, [row.id, rendered.error]);
          continue;
        }
        if (!rendered.mail) {
          await m.query(`UPDATE outbox SET status = 'skipped', processed_at = now(), note = $2 WHERE id = $1`, [row.id, rendered.note]);
          continue;
        }
        mail = rendered.mail;
        await m.query(`UPDATE outbox SET mail = $2, note = $3 WHERE id = $1`, [row.id, JSON.stringify(mail), rendered.note ?? null]);
      }
      await m.query(
        `UPDATE outbox SET locked_by = $2, lock_expires_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1`,
        [row.id, dto.workerId, dto.lockDurationMs],
      );
      messages.push({ id: String(row.id), messageId: messageIdOf(row.id), topic: row.topic, attempts: row.attempts, ...mail });
    }
    return { messages, seen: rows.length };
  }

  /** A payload no renderer understands must not block the queue: it is set aside for an administrator. */
  private async renderSafely(m: EntityManager, row: OutboxRow): Promise<Awaited<ReturnType<OutboxRenderer['render']>> | { error: string }> {
    try {
      await m.query('SAVEPOINT render');
      const result = await new OutboxRenderer(m, this.config.publicUrl).render(row);
      await m.query('RELEASE SAVEPOINT render');
      return result;
    } catch (error) {
      await m.query('ROLLBACK TO SAVEPOINT render');
      this.logger.error({ err: error, outboxId: row.id, topic: row.topic }, 'cannot render outbox message');
      return { error: `无法生成邮件：${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** Marks the message delivered; only the worker holding the lock may (a repeated complete is harmless). */
  async complete(id: string, workerId: string): Promise<{ id: string; status: 'delivered' }> {
    const outboxId = this.outboxId(id);
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [, done]: [unknown[], number] = await this.dataSource.query(
      `UPDATE outbox SET status = 'delivered', processed_at = now(), delivered_by = $2, locked_by = NULL, lock_expires_at = NULL, last_error = NULL
        WHERE id = $1 AND status = 'pending' AND locked_by = $2 RETURNING id`,
      [outboxId, workerId],
    );
    if (done > 0) return { id: outboxId, status: 'delivered' };
    const row = await this.state(outboxId);
    if (row.status === 'delivered' && row.delivered_by === workerId) return { id: outboxId, status: 'delivered' };
    throw this.lockLost(row);
  }

  /** Counts the failed attempt and schedules the next one (exponential backoff), or sets the message aside. */
  async fail(id: string, dto: MessageFailureDto): Promise<{ id: string; status: string; attempts: number; nextAttemptAt: Date | null }> {
    const outboxId = this.outboxId(id);
    const [rows]: [{ status: string; attempts: number; next_attempt_at: Date }[], number] = await this.dataSource.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $3, locked_by = NULL, lock_expires_at = NULL,
              status = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END,
              next_attempt_at = now() + make_interval(secs => least($5::double precision * power(2, attempts), $6::double precision) / 1000)
        WHERE id = $1 AND status = 'pending' AND locked_by = $2 RETURNING status, attempts, next_attempt_at`,
      [
        outboxId,
        dto.workerId,
        dto.errorMessage.slice(0, 2000),
        this.config.mailMaxAttempts,
        this.config.mailRetryBaseMs,
        this.config.mailRetryMaxMs,
      ],
    );
    if (!rows[0]) throw this.lockLost(await this.state(outboxId));
    const row = rows[0];
    if (row.status === 'failed')
      this.logger.warn({ outboxId, attempts: row.attempts, error: dto.errorMessage }, 'mail set aside after repeated failures');
    return {
      id: outboxId,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    };
  }

  // ---- administrators ----------------------------------------------------------------------

  async listFailed(limit = 100): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT id::text, topic, mail->>'subject' AS subject, mail->'to' AS "to", attempts, last_error AS "lastError", note,
              created_at AS "createdAt", next_attempt_at AS "lastAttemptAt"
         FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT $1`,
      [limit],
    );
  }

  /** Gives a set-aside message a fresh round of attempts (the rendered mail is kept). */
  async retry(id: string): Promise<{ id: string; status: 'pending' }> {
    const outboxId = this.outboxId(id);
    const [, retried]: [unknown[], number] = await this.dataSource.query(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_by = NULL, lock_expires_at = NULL,
              note = concat_ws('；', note, '管理员于 ' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') || ' 重新发送')
        WHERE id = $1 AND status = 'failed' RETURNING id`,
      [outboxId],
    );
    if (retried > 0) return { id: outboxId, status: 'pending' };
    await this.state(outboxId);
    throw new ConflictError('MAIL_NOT_FAILED', '只有发送失败的邮件才能重新发送');
  }

  // ---- local mailbox -----------------------------------------------------------------------

  /** Stores a mail delivered locally; the same Message-ID twice is stored once. */
  async storeInMailbox(dto: StoreMailboxMessageDto): Promise<{ id: string; duplicate: boolean }> {
    const outboxId = /^<outbox-(\d{1,18})@zhengwu\.local>$/.exec(dto.messageId)?.[1] ?? null;
    const inserted: { id: string }[] = await this.dataSource.query(
      `INSERT INTO mailbox_messages (message_id, outbox_id, sender, recipients, subject, text_body, html_body)
       SELECT $1, (SELECT id FROM outbox WHERE id = $2::bigint), $3, $4, $5, $6, $7
       ON CONFLICT (message_id) DO NOTHING RETURNING id`,
      [dto.messageId, outboxId, dto.from ?? '政务办公平台 <noreply@zhengwu.local>', dto.to, dto.subject, dto.text, dto.html ?? null],
    );
    if (inserted[0]) return { id: inserted[0].id, duplicate: false };
    const [existing]: { id: string }[] = await this.dataSource.query(`SELECT id FROM mailbox_messages WHERE message_id = $1`, [
      dto.messageId,
    ]);
    return { id: existing.id, duplicate: true };
  }

  async listMailbox(query: ListMailboxQuery): Promise<{ items: unknown[]; total: number; limit: number; offset: number }> {
    const recipient = query.recipient?.trim().toLowerCase() || null;
    const where = `WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM unnest(recipients) r WHERE lower(r) = $1))`;
    const [items, count] = await Promise.all([
      this.dataSource.query(
        `SELECT id, message_id AS "messageId", sender AS "from", recipients AS "to", subject, received_at AS "receivedAt"
           FROM mailbox_messages ${where} ORDER BY received_at DESC, id LIMIT $2 OFFSET $3`,
        [recipient, query.limit, query.offset],
      ) as Promise<unknown[]>,
      this.dataSource.query(`SELECT count(*)::int AS total FROM mailbox_messages ${where}`, [recipient]) as Promise<{ total: number }[]>,
    ]);
    return { items, total: count[0].total, limit: query.limit, offset: query.offset };
  }

  async getMailboxMessage(id: string): Promise<unknown> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new NotFoundError('邮件');
    const rows: unknown[] = await this.dataSource.query(
      `SELECT id, message_id AS "messageId", outbox_id::text AS "outboxId", sender AS "from", recipients AS "to", subject,
              text_body AS text, html_body AS html, received_at AS "receivedAt"
         FROM mailbox_messages WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError('邮件');
    return rows[0];
  }

  // ---- helpers -----------------------------------------------------------------------------

  private outboxId(id: string): string {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('消息');
    return id;
  }

  private async state(id: string): Promise<{ status: string; locked_by: string | null; delivered_by: string | null }> {
    const rows: { status: string; locked_by: string | null; delivered_by: string | null }[] = await this.dataSource.query(
      `SELECT status, locked_by, delivered_by FROM outbox WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError('消息');
    return rows[0];
  }

  private lockLost(row: { status: string; locked_by: string | null }): AppError {
    if (row.status === 'delivered') return new ConflictError('MESSAGE_ALREADY_DELIVERED', '该邮件已由其他发送进程投递，本次结果不予登记');
    if (row.status !== 'pending') return new ConflictError('MESSAGE_NOT_PENDING', '该邮件已不在待发送状态');
    return new AppError('MESSAGE_LOCK_LOST', '该邮件的锁定已过期并被其他发送进程接管，本次结果不予登记', HttpStatus.CONFLICT);
  }
}
