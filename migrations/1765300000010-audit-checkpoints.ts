import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SM2-signed checkpoints of the audit chain: where the chain ended (row id, its hash, how many rows)
 * at a time, signed by the platform's audit key. Append-only like audit_log itself.
 */
export class AuditCheckpoints1765300000010 implements MigrationInterface {
  name = 'AuditCheckpoints1765300000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id bigserial PRIMARY KEY,
        created_at timestamptz NOT NULL,
        kind text NOT NULL CHECK (kind IN ('scheduled','on-demand')),
        last_id bigint NOT NULL CHECK (last_id >= 0),
        last_hash char(64) NOT NULL,
        row_count bigint NOT NULL CHECK (row_count >= 0),
        key_id char(64) NOT NULL,
        public_key text NOT NULL,
        signature text NOT NULL,
        created_by uuid
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_kind_at ON audit_checkpoints (kind, created_at)`);
    await q.query(`
      CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_checkpoints is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
        FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP FUNCTION audit_checkpoints_append_only()`);
  }
}
