import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 基础数据汇交 (seed clause （五）): the ministry's yearly 汇交清单 (datasets, formats, due dates, which units submit),
 * one submission per unit and dataset with its resumable upload, its automatic check and 信息中心's review, the
 * reminders and escalations of late submissions, and the 通报 drafted at the year's end. 通报 becomes a 文种.
 */
export class DataCollection1765600001800 implements MigrationInterface {
  name = 'DataCollection1765600001800';

  async up(q: QueryRunner): Promise<void> {
    // The same statements as any other feature that needs 通报 (idempotent: whichever runs first adds it).
    await q.query(`ALTER TABLE documents DROP CONSTRAINT IF EXISTS documents_doc_type_check`);
    await q.query(
      `ALTER TABLE documents ADD CONSTRAINT documents_doc_type_check CHECK (doc_type IN ('通知','通报','请示','报告','函','纪要'))`,
    );
    await q.query(`INSERT INTO archive_retention_rules (doc_type, retention) VALUES ('通报', 'D30') ON CONFLICT (doc_type) DO NOTHING`);
    await q.query(`
      CREATE TABLE collection_lists (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        title text NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
        unit_id uuid NOT NULL REFERENCES units(id),
        drafter_id uuid NOT NULL REFERENCES users(id),
        instance_id uuid REFERENCES process_instances(id),
        status text NOT NULL DEFAULT '待审批' CHECK (status IN ('待审批','退回修改','已批准','已下发','已通报')),
        last_opinion text,
        notice_document_id uuid REFERENCES documents(id),
        bulletin_document_id uuid REFERENCES documents(id),
        issued_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE collection_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        list_id uuid NOT NULL REFERENCES collection_lists(id) ON DELETE CASCADE,
        code text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9-]{1,31}$'),
        name text NOT NULL,
        kind text NOT NULL,
        format text NOT NULL CHECK (format IN ('Shapefile','FileGDB','GeoJSON','CSV')),
        coordinate_system text NOT NULL,
        max_size_mb int NOT NULL CHECK (max_size_mb BETWEEN 1 AND 102400),
        due_working_days int NOT NULL CHECK (due_working_days BETWEEN 1 AND 250),
        levels text[] NOT NULL,
        regions text[] NOT NULL,
        secrecy text NOT NULL DEFAULT '内部' CHECK (secrecy IN ('公开','内部')),
        sort int NOT NULL DEFAULT 0,
        UNIQUE (list_id, code)
      )`);
    await q.query(`
      CREATE TABLE collection_submissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        list_id uuid NOT NULL REFERENCES collection_lists(id),
        item_id uuid NOT NULL REFERENCES collection_items(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        addressed_unit_ids uuid[] NOT NULL DEFAULT '{}',
        instance_id uuid REFERENCES process_instances(id),
        status text NOT NULL DEFAULT '待提交' CHECK (status IN ('待提交','待检查','检查未通过','待审核','已退回','已通过')),
        due_at timestamptz NOT NULL,
        responsible_unit text,
        contact_name text,
        contact_phone text,
        version text,
        area_code text,
        area_name text,
        file_name text,
        file_size bigint,
        sha256 text,
        check_reason text,
        checked_at timestamptz,
        review_opinion text,
        submitted_at timestamptz,
        first_submitted_at timestamptz,
        accepted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (item_id, unit_id)
      )`);
    await q.query(`CREATE INDEX collection_submissions_list ON collection_submissions (list_id, status)`);
    await q.query(`
      CREATE TABLE collection_uploads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        submission_id uuid NOT NULL REFERENCES collection_submissions(id),
        created_by uuid NOT NULL REFERENCES users(id),
        name text NOT NULL,
        length bigint NOT NULL CHECK (length > 0),
        received bigint NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= length),
        sha256 text,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One reminder and one escalation per submission: several api processes may scan at once.
    await q.query(`
      CREATE TABLE collection_events (
        id bigserial PRIMARY KEY,
        submission_id uuid NOT NULL REFERENCES collection_submissions(id),
        kind text NOT NULL CHECK (kind IN ('urged','escalated')),
        at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (submission_id, kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE collection_events`);
    await q.query(`DROP TABLE collection_uploads`);
    await q.query(`DROP TABLE collection_submissions`);
    await q.query(`DROP TABLE collection_items`);
    await q.query(`DROP TABLE collection_lists`);
    await q.query(`DELETE FROM archive_retention_rules WHERE doc_type = '通报'`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_doc_type_check`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_doc_type_check CHECK (doc_type IN ('通知','请示','报告','函','纪要'))`);
  }
}
