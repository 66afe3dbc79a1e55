import { MigrationInterface, QueryRunner } from 'typeorm';

/** 规划备案 (seed clause 八): provincial plans and major project schemes filed with 信息办, and the 备案号 counter. */
export class Filings1764288100000 implements MigrationInterface {
  name = 'Filings1764288100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE filings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid REFERENCES process_instances(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        drafter_id uuid NOT NULL REFERENCES users(id),
        kind text NOT NULL CHECK (kind IN ('信息化规划','重大项目方案')),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        period_start int NOT NULL CHECK (period_start BETWEEN 2000 AND 2100),
        period_end int NOT NULL CHECK (period_end BETWEEN 2000 AND 2100),
        summary text NOT NULL,
        content text NOT NULL,
        contact_name text NOT NULL,
        contact_phone text NOT NULL,
        status text NOT NULL DEFAULT '草稿' CHECK (status IN ('草稿','待审核','待登记','需补正','已备案','已终止')),
        -- Units the filing is addressed to (信息办 once the leader has signed it off): they see it too.
        addressed_unit_ids uuid[] NOT NULL DEFAULT '{}',
        last_opinion text,
        submitted_at timestamptz,
        filing_year int,
        filing_seq int,
        filing_no text UNIQUE,
        registered_at timestamptz,
        registered_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (period_end >= period_start),
        CHECK ((filing_no IS NULL) = (filing_seq IS NULL)),
        CHECK (status <> '已备案' OR filing_no IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX filings_unit ON filings (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX filings_addressed ON filings USING gin (addressed_unit_ids)`);
    await q.query(`CREATE INDEX filings_status ON filings (status, created_at DESC)`);
    await q.query(`CREATE INDEX filings_instance ON filings (instance_id)`);
    await q.query(`CREATE UNIQUE INDEX filings_year_seq ON filings (filing_year, filing_seq) WHERE filing_seq IS NOT NULL`);
    // 备案号: one row per year, advanced in the 登记 transaction so a rollback consumes no number.
    await q.query(`CREATE TABLE filing_counters (year int PRIMARY KEY, value int NOT NULL CHECK (value > 0))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE filing_counters`);
    await q.query(`DROP TABLE filings`);
  }
}
