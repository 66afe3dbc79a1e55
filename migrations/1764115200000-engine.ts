import { MigrationInterface, QueryRunner } from 'typeorm';

/** The embedded engine's state: definitions, instances, wait rows, history, outbox, holidays. */
export class Engine1764115200000 implements MigrationInterface {
  name = 'Engine1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE process_definitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL,
        version int NOT NULL,
        name text,
        xml text NOT NULL,
        sha256 char(64) NOT NULL,
        source text NOT NULL,
        deployed_by uuid,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (key, version)
      )`);
    await q.query(`
      CREATE TABLE process_instances (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        definition_id uuid NOT NULL REFERENCES process_definitions(id),
        definition_key text NOT NULL,
        business_key text,
        status text NOT NULL CHECK (status IN ('running','completed','terminated','failed')),
        revision int NOT NULL DEFAULT 0,
        state jsonb NOT NULL,
        variables jsonb NOT NULL DEFAULT '{}',
        parent_instance_id uuid REFERENCES process_instances(id),
        parent_wait_id text,
        owner_unit_id uuid REFERENCES units(id),
        started_by uuid REFERENCES users(id),
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX process_instances_definition ON process_instances (definition_id, status)`);
    await q.query(`CREATE INDEX process_instances_business_key ON process_instances (business_key) WHERE business_key IS NOT NULL`);
    await q.query(`CREATE INDEX process_instances_parent ON process_instances (parent_instance_id) WHERE parent_instance_id IS NOT NULL`);
    await q.query(`CREATE INDEX process_instances_started_by ON process_instances (started_by, started_at DESC)`);
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        wait_id text NOT NULL,
        activity_id text NOT NULL,
        name text NOT NULL,
        definition_key text NOT NULL,
        business_key text,
        owner_unit_id uuid,
        assignee text,
        candidate_users text[] NOT NULL DEFAULT '{}',
        candidate_groups text[] NOT NULL DEFAULT '{}',
        candidate_units uuid[] NOT NULL DEFAULT '{}',
        form_key text,
        priority int NOT NULL DEFAULT 50,
        due_at timestamptz,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','completed','cancelled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        claimed_at timestamptz,
        completed_at timestamptz,
        completed_by uuid,
        outcome text,
        comment text,
        UNIQUE (instance_id, wait_id)
      )`);
    // The inbox: a person's open tasks by assignee, or by group/user candidacy, newest first.
    await q.query(`CREATE INDEX tasks_todo_assignee ON tasks (assignee, created_at DESC) WHERE status = 'open'`);
    await q.query(`CREATE INDEX tasks_todo_groups ON tasks USING gin (candidate_groups) WHERE status = 'open' AND assignee IS NULL`);
    await q.query(`CREATE INDEX tasks_todo_users ON tasks USING gin (candidate_users) WHERE status = 'open' AND assignee IS NULL`);
    await q.query(`CREATE INDEX tasks_done ON tasks (completed_by, completed_at DESC) WHERE status = 'completed'`);
    await q.query(`CREATE INDEX tasks_instance ON tasks (instance_id)`);
    await q.query(`
      CREATE TABLE external_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        wait_id text NOT NULL,
        activity_id text NOT NULL,
        topic text NOT NULL,
        definition_key text NOT NULL,
        business_key text,
        priority int NOT NULL DEFAULT 0,
        retries int,
        error_message text,
        error_details text,
        worker_id text,
        lock_expires_at timestamptz,
        next_fetch_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','completed','cancelled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (instance_id, wait_id)
      )`);
    await q.query(`CREATE INDEX external_tasks_fetch ON external_tasks (topic, priority DESC, created_at) WHERE status = 'open'`);
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        external_task_id uuid REFERENCES external_tasks(id),
        activity_id text NOT NULL,
        type text NOT NULL,
        message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
    await q.query(`CREATE INDEX incidents_open ON incidents (created_at) WHERE resolved_at IS NULL`);
    await q.query(`
      CREATE TABLE timers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid REFERENCES process_instances(id),
        definition_id uuid REFERENCES process_definitions(id),
        wait_id text NOT NULL,
        activity_id text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','fired','cancelled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        fired_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE UNIQUE INDEX timers_wait ON timers (instance_id, wait_id) WHERE instance_id IS NOT NULL`);
    await q.query(`CREATE INDEX timers_due ON timers (due_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE message_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        wait_id text NOT NULL,
        activity_id text NOT NULL,
        message_name text NOT NULL,
        business_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (instance_id, wait_id)
      )`);
    await q.query(`CREATE INDEX message_subscriptions_name ON message_subscriptions (message_name, business_key)`);
    await q.query(`
      CREATE TABLE engine_history (
        id bigserial PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES process_instances(id),
        activity_id text,
        activity_name text,
        activity_type text,
        execution_id text,
        event text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        user_id uuid,
        detail jsonb
      )`);
    await q.query(`CREATE INDEX engine_history_instance ON engine_history (instance_id, id)`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        attempts int NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (id) WHERE processed_at IS NULL`);
    await q.query(`
      CREATE TABLE holidays (
        day date PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('holiday','workday')),
        name text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'holidays',
      'outbox',
      'engine_history',
      'message_subscriptions',
      'timers',
      'incidents',
      'external_tasks',
      'tasks',
      'process_instances',
      'process_definitions',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
