import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 年度信息化工作要点 (seed clause 八): 信息办 drafts the year's key points, the leading group approves them by vote, each
 * item becomes a 督办 item of its responsible unit with periodic progress reports, and the year ends with a 年度评估
 * reported to the group and circulated as a 通报. Supervision items learn to point at their source (a plan item);
 * 通报 joins the 文种 a 公文 may have.
 */
export class WorkPlans1765600001900 implements MigrationInterface {
  name = 'WorkPlans1765600001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE work_plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        title text NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
        intro text NOT NULL DEFAULT '' CHECK (length(intro) <= 5000),
        status text NOT NULL DEFAULT '草拟' CHECK (status IN ('草拟', '审议中', '退回修改', '执行中', '评估中', '已评估', '已撤回')),
        drafted_by uuid NOT NULL REFERENCES users(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        -- The approval case (work-plan.bpmn); the engine's read model names it, no foreign key.
        instance_id uuid,
        decision text,
        decided_at timestamptz,
        evaluation jsonb,
        evaluation_submitted_by uuid REFERENCES users(id),
        evaluation_submitted_at timestamptz,
        acknowledged_by uuid REFERENCES users(id),
        acknowledged_at timestamptz,
        acknowledgement text,
        bulletin_document_id uuid REFERENCES documents(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One live plan per year: a second draft for 2026 while the first lives is refused (409), also when two race.
    await q.query(`CREATE UNIQUE INDEX work_plans_one_per_year ON work_plans (year) WHERE status <> '已撤回'`);
    await q.query(`
      CREATE TABLE work_plan_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL REFERENCES work_plans(id) ON DELETE CASCADE,
        seq int NOT NULL CHECK (seq BETWEEN 1 AND 200),
        title text NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
        measures text NOT NULL CHECK (length(measures) BETWEEN 2 AND 2000),
        unit_id uuid NOT NULL REFERENCES units(id),
        deadline date NOT NULL,
        cadence text NOT NULL DEFAULT 'monthly' CHECK (cadence IN ('monthly', 'quarterly')),
        supervision_item_id uuid UNIQUE,
        summary text CHECK (length(summary) <= 5000),
        summary_by uuid REFERENCES users(id),
        summary_at timestamptz,
        UNIQUE (plan_id, seq)
      )`);
    await q.query(`CREATE INDEX work_plan_items_unit ON work_plan_items (unit_id)`);
    await q.query(`
      CREATE TABLE work_plan_progress (
        id bigserial PRIMARY KEY,
        item_id uuid NOT NULL REFERENCES work_plan_items(id) ON DELETE CASCADE,
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$'),
        percent int NOT NULL CHECK (percent BETWEEN 0 AND 100),
        note text NOT NULL CHECK (length(note) BETWEEN 2 AND 2000),
        user_id uuid NOT NULL REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX work_plan_progress_item ON work_plan_progress (item_id, id)`);
    // A progress report's reminder is queued once per item and period, however many api processes scan.
    await q.query(`
      CREATE TABLE work_plan_reminders (
        item_id uuid NOT NULL REFERENCES work_plan_items(id) ON DELETE CASCADE,
        period text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (item_id, period)
      )`);
    await q.query(`
      CREATE TABLE work_plan_votes (
        id bigserial PRIMARY KEY,
        plan_id uuid NOT NULL REFERENCES work_plans(id) ON DELETE CASCADE,
        instance_id uuid NOT NULL,
        round int NOT NULL,
        task_id uuid NOT NULL,
        voter_id uuid NOT NULL REFERENCES users(id),
        vote text NOT NULL CHECK (vote IN ('approve', 'reject')),
        opinion text,
        refer_to_secretary boolean NOT NULL DEFAULT false,
        voted_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (instance_id, round, voter_id)
      )`);
    await q.query(`
      CREATE TABLE work_plan_history (
        id bigserial PRIMARY KEY,
        plan_id uuid NOT NULL REFERENCES work_plans(id) ON DELETE CASCADE,
        action text NOT NULL,
        note text,
        user_id uuid REFERENCES users(id),
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX work_plan_history_plan ON work_plan_history (plan_id, id)`);

    // A 督办 item may stand for a plan item: no case or 公文 behind it, its source named instead.
    await q.query(`ALTER TABLE supervision_items ADD COLUMN source_kind text CHECK (source_kind IN ('work-plan-item'))`);
    await q.query(`ALTER TABLE supervision_items ADD COLUMN source_id uuid`);
    await q.query(
      `ALTER TABLE supervision_items ADD CONSTRAINT supervision_items_source_pair CHECK ((source_kind IS NULL) = (source_id IS NULL))`,
    );
    await q.query(`ALTER TABLE supervision_items DROP CONSTRAINT supervision_items_target_kind_check`);
    await q.query(
      `ALTER TABLE supervision_items ADD CONSTRAINT supervision_items_target_kind_check CHECK (target_kind IN ('case', 'document', 'work-plan'))`,
    );
    await q.query(`ALTER TABLE supervision_items DROP CONSTRAINT supervision_items_check2`);
    await q.query(
      `ALTER TABLE supervision_items ADD CONSTRAINT supervision_items_target_present CHECK (
         (target_kind = 'case' AND instance_id IS NOT NULL) OR target_kind = 'document'
         OR (target_kind = 'work-plan' AND source_id IS NOT NULL AND instance_id IS NULL))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX supervision_items_one_per_source ON supervision_items (source_kind, source_id) WHERE source_id IS NOT NULL`,
    );
    await q.query(
      `ALTER TABLE work_plan_items ADD CONSTRAINT work_plan_items_supervision FOREIGN KEY (supervision_item_id) REFERENCES supervision_items(id)`,
    );

    // 通报 (the 年度评估 is circulated as one; GB/T 9704 lays it out as a 文件格式 下行文).
    await q.query(`ALTER TABLE documents DROP CONSTRAINT IF EXISTS documents_doc_type_check`);
    await q.query(
      `ALTER TABLE documents ADD CONSTRAINT documents_doc_type_check CHECK (doc_type IN ('通知','通报','请示','报告','函','纪要'))`,
    );
    await q.query(`INSERT INTO archive_retention_rules (doc_type, retention) VALUES ('通报', 'D30') ON CONFLICT (doc_type) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_doc_type_check`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_doc_type_check CHECK (doc_type IN ('通知','请示','报告','函','纪要'))`);
    await q.query(`DROP TABLE work_plan_history, work_plan_votes, work_plan_reminders, work_plan_progress, work_plan_items, work_plans`);
    await q.query(`DELETE FROM supervision_events WHERE item_id IN (SELECT id FROM supervision_items WHERE target_kind = 'work-plan')`);
    await q.query(`DELETE FROM supervision_items WHERE target_kind = 'work-plan'`);
    await q.query(`DROP INDEX supervision_items_one_per_source`);
    await q.query(`ALTER TABLE supervision_items DROP CONSTRAINT supervision_items_target_present`);
    await q.query(
      `ALTER TABLE supervision_items ADD CONSTRAINT supervision_items_check2 CHECK (target_kind = 'document' OR instance_id IS NOT NULL)`,
    );
    await q.query(`ALTER TABLE supervision_items DROP CONSTRAINT supervision_items_target_kind_check`);
    await q.query(
      `ALTER TABLE supervision_items ADD CONSTRAINT supervision_items_target_kind_check CHECK (target_kind IN ('case', 'document'))`,
    );
    await q.query(`ALTER TABLE supervision_items DROP COLUMN source_id, DROP COLUMN source_kind`);
  }
}
