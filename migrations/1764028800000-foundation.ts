import { MigrationInterface, QueryRunner } from 'typeorm';

/** Organisation tree, people and roles, sessions, and the append-only audit chain. */
export class Foundation1764028800000 implements MigrationInterface {
  name = 'Foundation1764028800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE units (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        short_name text,
        kind text NOT NULL CHECK (kind IN
          ('ministry','office','department','center','affiliated','inspection','body','province','city','county')),
        parent_id uuid REFERENCES units(id),
        path text NOT NULL UNIQUE,
        depth int NOT NULL,
        division_code char(6) CHECK (division_code ~ '^[1-8][0-9]{5}$'),
        organ_code text,
        sort int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX units_path_prefix ON units (path text_pattern_ops)`);
    await q.query(`CREATE INDEX units_parent ON units (parent_id)`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
        display_name text NOT NULL,
        unit_id uuid NOT NULL REFERENCES units(id),
        title text,
        email text,
        password_hash text NOT NULL,
        must_change_password boolean NOT NULL DEFAULT false,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        failed_attempts int NOT NULL DEFAULT 0,
        locked_until timestamptz,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX users_unit ON users (unit_id)`);
    await q.query(`
      CREATE TABLE user_roles (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('drafter','reviewer','signer','clerk','office-reviewer',
          'group-member','group-secretary','data-admin','dept-approver','archivist','sysadmin','secadmin','auditor')),
        PRIMARY KEY (user_id, role)
      )`);
    await q.query(`CREATE INDEX user_roles_role ON user_roles (role)`);
    // 三员分立: one person never holds two of the three administrator roles.
    await q.query(`
      CREATE UNIQUE INDEX user_roles_one_admin_role ON user_roles (user_id)
        WHERE role IN ('sysadmin','secadmin','auditor')`);
    await q.query(`
      CREATE TABLE unit_members (
        unit_id uuid NOT NULL REFERENCES units(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        position text NOT NULL,
        PRIMARY KEY (unit_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL UNIQUE,
        previous_token_hash char(64),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        user_agent text,
        ip text
      )`);
    await q.query(`CREATE INDEX sessions_user ON sessions (user_id)`);
    await q.query(`CREATE INDEX sessions_previous ON sessions (previous_token_hash) WHERE previous_token_hash IS NOT NULL`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        user_id uuid,
        username text,
        unit_id uuid,
        action text NOT NULL,
        object_type text,
        object_id text,
        request_id text,
        ip text,
        outcome text NOT NULL CHECK (outcome IN ('success','failure','denied')),
        detail jsonb,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_log_at ON audit_log (at)`);
    await q.query(`CREATE INDEX audit_log_user ON audit_log (user_id, at)`);
    // Append-only for everyone who cannot disable triggers (i.e. everyone but the table owner or a superuser acting deliberately).
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE unit_members`);
    await q.query(`DROP TABLE user_roles`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE units`);
  }
}
