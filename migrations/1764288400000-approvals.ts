import { MigrationInterface, QueryRunner } from 'typeorm';

/** 三级联网审批 (seed clause 四): cases accepted by a county bureau, one row per level visit, and the 受理编号 counter. */
export class Approvals1764288400000 implements MigrationInterface {
  name = 'Approvals1764288400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE approvals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid REFERENCES process_instances(id),
        -- 受理编号, e.g. 320102-2025-0001: gap-free per county and year.
        case_no text NOT NULL UNIQUE,
        case_year int NOT NULL,
        case_seq int NOT NULL CHECK (case_seq > 0),
        matter_type text NOT NULL CHECK (matter_type IN ('建设用地报批','土地征收','农用地转用','采矿权登记','探矿权登记','土地复垦方案','土地整治项目')),
        title text NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
        applicant text NOT NULL CHECK (length(applicant) BETWEEN 2 AND 100),
        applicant_contact text,
        location text NOT NULL CHECK (length(location) BETWEEN 2 AND 200),
        land_area numeric(12,4) NOT NULL CHECK (land_area > 0 AND land_area <= 100000),
        description text NOT NULL,
        -- The county that accepted the case owns it; its city and province are resolved at acceptance.
        unit_id uuid NOT NULL REFERENCES units(id),
        city_unit_id uuid NOT NULL REFERENCES units(id),
        province_unit_id uuid NOT NULL REFERENCES units(id),
        addressed_unit_ids uuid[] NOT NULL DEFAULT '{}',
        accepted_by uuid NOT NULL REFERENCES users(id),
        accepted_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT '县级审查' CHECK (status IN ('补正材料','县级审查','市级审核','省级审批','批准','不予批准','已终止')),
        current_level text CHECK (current_level IN ('accept','county','city','province')),
        result text CHECK (result IN ('批准','不予批准')),
        result_opinion text,
        decided_at timestamptz,
        warned_levels text[] NOT NULL DEFAULT '{}',
        overdue_levels text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (unit_id, case_year, case_seq),
        CHECK ((result IS NULL) = (decided_at IS NULL))
      )`);
    await q.query(`CREATE INDEX approvals_unit ON approvals (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX approvals_city ON approvals (city_unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX approvals_province ON approvals (province_unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX approvals_status ON approvals (status, created_at DESC)`);
    await q.query(`CREATE INDEX approvals_overdue ON approvals (created_at DESC) WHERE cardinality(overdue_levels) > 0`);
    await q.query(`CREATE INDEX approvals_addressed ON approvals USING gin (addressed_unit_ids)`);
    await q.query(`CREATE UNIQUE INDEX approvals_instance ON approvals (instance_id)`);
    await q.query(`
      CREATE TABLE approval_levels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        approval_id uuid NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
        -- Order of arrival: several levels can be reached in one transaction (same now()).
        seq bigint GENERATED ALWAYS AS IDENTITY,
        level text NOT NULL CHECK (level IN ('accept','county','city','province')),
        -- How many times the case has reached this level (a return brings it back).
        round int NOT NULL CHECK (round > 0),
        unit_id uuid NOT NULL REFERENCES units(id),
        task_id uuid UNIQUE REFERENCES tasks(id),
        limit_days int,
        received_at timestamptz NOT NULL DEFAULT now(),
        due_at timestamptz,
        handler_id uuid REFERENCES users(id),
        decided_at timestamptz,
        decision text CHECK (decision IN ('approve','return','reject','cancelled')),
        opinion text,
        working_days_used int,
        warned_at timestamptz,
        overdue_at timestamptz,
        UNIQUE (approval_id, level, round),
        CHECK ((decision IS NULL) = (decided_at IS NULL))
      )`);
    await q.query(`CREATE INDEX approval_levels_case ON approval_levels (approval_id, seq)`);
    await q.query(`CREATE INDEX approval_levels_open ON approval_levels (approval_id, level) WHERE decided_at IS NULL`);
    // 受理编号: one row per county and year, advanced in the acceptance transaction so a rollback consumes no number.
    await q.query(`
      CREATE TABLE approval_counters (
        unit_id uuid NOT NULL REFERENCES units(id),
        year int NOT NULL,
        value int NOT NULL CHECK (value > 0),
        PRIMARY KEY (unit_id, year)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE approval_counters`);
    await q.query(`DROP TABLE approval_levels`);
    await q.query(`DROP TABLE approvals`);
  }
}
