import { MigrationInterface, QueryRunner } from 'typeorm';

/** What the approver's operations need beside the engine's task rows: delegation, urging, the action log, copies. */
export class TaskOperations1764201600000 implements MigrationInterface {
  name = 'TaskOperations1764201600000';

  async up(q: QueryRunner): Promise<void> {
    // 委派: the owner keeps the task while the delegate works on it, then gets it back.
    await q.query(
      `ALTER TABLE tasks ADD COLUMN owner text, ADD COLUMN delegation_state text CHECK (delegation_state IN ('pending','resolved'))`,
    );
    await q.query(`ALTER TABLE tasks ADD COLUMN urged_at timestamptz, ADD COLUMN urge_count int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE tasks ADD COLUMN created_by uuid`);
    await q.query(`
      CREATE TABLE task_actions (
        id bigserial PRIMARY KEY,
        task_id uuid REFERENCES tasks(id),
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        action text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id),
        unit_id uuid REFERENCES units(id),
        comment text,
        target text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX task_actions_instance ON task_actions (instance_id, id)`);
    await q.query(`CREATE INDEX task_actions_user ON task_actions (user_id, at DESC)`);
    // 抄送: a copy to read (待阅), with a read mark.
    await q.query(`
      CREATE TABLE task_copies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        task_id uuid REFERENCES tasks(id),
        user_id uuid NOT NULL REFERENCES users(id),
        from_user_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        UNIQUE (instance_id, user_id, task_id)
      )`);
    await q.query(`CREATE INDEX task_copies_user ON task_copies (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX tasks_instance_open ON tasks (instance_id) WHERE status = 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_instance_open`);
    await q.query(`DROP TABLE task_copies`);
    await q.query(`DROP TABLE task_actions`);
    await q.query(
      `ALTER TABLE tasks DROP COLUMN created_by, DROP COLUMN urge_count, DROP COLUMN urged_at, DROP COLUMN delegation_state, DROP COLUMN owner`,
    );
  }
}
