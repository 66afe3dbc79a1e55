import { MigrationInterface, QueryRunner } from 'typeorm';

/** Files attached to business records, stored by content digest under DATA_DIR/files. */
export class Attachments1764288700000 implements MigrationInterface {
  name = 'Attachments1764288700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_kind text NOT NULL CHECK (owner_kind ~ '^[a-z][a-z-]{1,31}$'),
        owner_id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        mime text NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        uploaded_by uuid NOT NULL REFERENCES users(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        deleted_by uuid REFERENCES users(id)
      )`);
    await q.query(`CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX attachments_sha256 ON attachments (sha256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attachments`);
  }
}
