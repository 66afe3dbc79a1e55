import { MigrationInterface, QueryRunner } from 'typeorm';

/** 加签/减签 (the chain of added signers), 代理 (out-of-office substitutes), and acting on someone's behalf. */
export class Substitutes1764288500000 implements MigrationInterface {
  name = 'Substitutes1764288500000';

  async up(q: QueryRunner): Promise<void> {
    // While added signers hold the task: which phase runs, and the holder's form input kept until the last 'after' signer signs.
    await q.query(`ALTER TABLE tasks ADD COLUMN signing text CHECK (signing IN ('before','after')), ADD COLUMN held_variables jsonb`);
    await q.query(`
      CREATE TABLE task_signers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        task_id uuid NOT NULL REFERENCES tasks(id),
        user_id uuid NOT NULL REFERENCES users(id),
        position text NOT NULL CHECK (position IN ('before','after')),
        seq int NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','signed','returned','disagreed','removed','cancelled')),
        added_by uuid NOT NULL REFERENCES users(id),
        added_at timestamptz NOT NULL DEFAULT now(),
        acted_at timestamptz,
        comment text,
        UNIQUE (task_id, position, seq)
      )`);
    await q.query(`CREATE INDEX task_signers_pending ON task_signers (task_id, position, seq) WHERE status = 'pending'`);
    // 代理: the absent person (user_id) names a substitute for a date range (dates in Asia/Shanghai).
    await q.query(`
      CREATE TABLE substitutes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        substitute_id uuid NOT NULL REFERENCES users(id),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        reason text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK (ends_on >= starts_on),
        CHECK (user_id <> substitute_id)
      )`);
    await q.query(`CREATE INDEX substitutes_substitute ON substitutes (substitute_id, ends_on) WHERE status = 'active'`);
    await q.query(`CREATE INDEX substitutes_user ON substitutes (user_id, starts_on) WHERE status = 'active'`);
    await q.query(`ALTER TABLE task_actions ADD COLUMN on_behalf_of uuid REFERENCES users(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_actions DROP COLUMN on_behalf_of`);
    await q.query(`DROP TABLE substitutes`);
    await q.query(`DROP TABLE task_signers`);
    await q.query(`ALTER TABLE tasks DROP COLUMN held_variables, DROP COLUMN signing`);
  }
}
