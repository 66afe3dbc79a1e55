import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 公告: notices 办公厅 publishes to everyone signed in (plain text, optional expiry, pinned on top), and who has read
 * which. A withdrawn notice keeps its row (withdrawn_at) so a read mark never points at nothing.
 */
export class Announcements1765600001600 implements MigrationInterface {
  name = 'Announcements1765600001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE announcements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL CHECK (char_length(title) BETWEEN 2 AND 100),
        body text NOT NULL CHECK (char_length(body) BETWEEN 2 AND 5000),
        pinned boolean NOT NULL DEFAULT false,
        expires_on date,
        unit_id uuid NOT NULL REFERENCES units(id),
        published_by uuid NOT NULL REFERENCES users(id),
        published_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_at timestamptz,
        withdrawn_by uuid REFERENCES users(id)
      )`);
    await q.query(`CREATE INDEX announcements_current ON announcements (pinned DESC, published_at DESC) WHERE withdrawn_at IS NULL`);
    await q.query(`
      CREATE TABLE announcement_reads (
        announcement_id uuid NOT NULL REFERENCES announcements(id),
        user_id uuid NOT NULL REFERENCES users(id),
        read_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, announcement_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE announcement_reads`);
    await q.query(`DROP TABLE announcements`);
  }
}
