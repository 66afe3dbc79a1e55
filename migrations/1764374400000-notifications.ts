import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mail out of the transactional outbox: delivery state and worker locks on outbox rows, the
 * overdue notices already written (one per task), and the local mailbox used without SMTP_URL.
 */
export class Notifications1764374400000 implements MigrationInterface {
  name = 'Notifications1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox
        ADD COLUMN status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','skipped','failed')),
        ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN locked_by text,
        ADD COLUMN lock_expires_at timestamptz,
        ADD COLUMN delivered_by text,
        ADD COLUMN last_error text,
        ADD COLUMN note text,
        ADD COLUMN mail jsonb`);
    await q.query(`UPDATE outbox SET status = 'skipped', note = '迁移前已处理' WHERE processed_at IS NOT NULL`);
    // fetch-and-lock: the due pending rows in order.
    await q.query(`CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX outbox_failed ON outbox (id DESC) WHERE status = 'failed'`);
    await q.query(`
      CREATE TABLE task_overdue_notices (
        task_id uuid PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
        notified_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The overdue scan: open tasks whose deadline has passed.
    await q.query(`CREATE INDEX tasks_open_due ON tasks (due_at) WHERE status = 'open' AND due_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE mailbox_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        message_id text NOT NULL UNIQUE CHECK (length(message_id) BETWEEN 3 AND 255),
        outbox_id bigint REFERENCES outbox(id),
        sender text NOT NULL,
        recipients text[] NOT NULL CHECK (cardinality(recipients) > 0),
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX mailbox_messages_received ON mailbox_messages (received_at DESC, id)`);
    await q.query(`CREATE INDEX mailbox_messages_recipients ON mailbox_messages USING gin (recipients)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mailbox_messages`);
    await q.query(`DROP INDEX tasks_open_due`);
    await q.query(`DROP TABLE task_overdue_notices`);
    await q.query(`DROP INDEX outbox_failed`);
    await q.query(`DROP INDEX outbox_due`);
    await q.query(`
      ALTER TABLE outbox DROP COLUMN mail, DROP COLUMN note, DROP COLUMN last_error, DROP COLUMN delivered_by,
        DROP COLUMN lock_expires_at, DROP COLUMN locked_by, DROP COLUMN next_attempt_at, DROP COLUMN status`);
  }
}
