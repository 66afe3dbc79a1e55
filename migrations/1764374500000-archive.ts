import { MigrationInterface, QueryRunner } from 'typeorm';

/** 电子档案: retention rules per 文种, 件号 counters, packages with their files and digests, 四性检测 results. */
export class Archive1764374500000 implements MigrationInterface {
  name = 'Archive1764374500000';

  async up(q: QueryRunner): Promise<void> {
    // 保管期限 per 文种: Y 永久, D30 30年, D10 10年. '其他' is the fallback for any other kind of case.
    await q.query(`
      CREATE TABLE archive_retention_rules (
        doc_type text PRIMARY KEY CHECK (length(doc_type) BETWEEN 1 AND 20),
        retention text NOT NULL CHECK (retention IN ('Y','D30','D10')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO archive_retention_rules (doc_type, retention) VALUES
        ('请示','Y'), ('报告','Y'), ('通知','Y'), ('批复','Y'), ('决定','Y'),
        ('函','D30'), ('备案','D30'), ('立项','D30'), ('审批','D30'),
        ('纪要','D10'), ('数据申请','D10'), ('其他','D10')`);
    // 件号: gap-free per (全宗, 年度, 保管期限, 机构), advanced in the archiving transaction.
    await q.query(`
      CREATE TABLE archive_counters (
        fonds text NOT NULL,
        year int NOT NULL,
        retention text NOT NULL,
        unit_code text NOT NULL,
        value int NOT NULL CHECK (value > 0),
        PRIMARY KEY (fonds, year, retention, unit_code)
      )`);
    await q.query(`
      CREATE TABLE archive_packages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL UNIQUE REFERENCES process_instances(id),
        definition_key text NOT NULL,
        archive_number text NOT NULL UNIQUE,
        fonds text NOT NULL,
        year int NOT NULL,
        retention text NOT NULL CHECK (retention IN ('Y','D30','D10')),
        unit_code text NOT NULL,
        item_no int NOT NULL CHECK (item_no > 0),
        unit_id uuid NOT NULL REFERENCES units(id),
        title text NOT NULL,
        doc_number text,
        responsible text NOT NULL,
        doc_date date NOT NULL,
        doc_type text NOT NULL,
        secrecy text NOT NULL,
        secrecy_term text,
        urgency text NOT NULL,
        main_to text,
        cc text,
        metadata jsonb NOT NULL,
        manifest_sha256 char(64) NOT NULL,
        signature text NOT NULL,
        public_key text NOT NULL,
        directory text NOT NULL,
        archived_at timestamptz NOT NULL DEFAULT now(),
        last_check_ok boolean,
        last_checked_at timestamptz,
        UNIQUE (fonds, year, retention, unit_code, item_no)
      )`);
    await q.query(`CREATE INDEX archive_packages_list ON archive_packages (year DESC, retention, unit_code, item_no DESC)`);
    await q.query(`CREATE INDEX archive_packages_unit ON archive_packages (unit_id)`);
    await q.query(`
      CREATE TABLE archive_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        package_id uuid NOT NULL REFERENCES archive_packages(id),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('document','attachment','sheet','metadata','key')),
        mime text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        sha256 char(64) NOT NULL,
        sm3 char(64) NOT NULL,
        attachment_id uuid REFERENCES attachments(id),
        UNIQUE (package_id, name)
      )`);
    await q.query(`
      CREATE TABLE archive_checks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        package_id uuid NOT NULL REFERENCES archive_packages(id),
        kind text NOT NULL CHECK (kind IN ('ingest','manual','audit')),
        ok boolean NOT NULL,
        report jsonb NOT NULL,
        checked_by uuid REFERENCES users(id),
        checked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX archive_checks_package ON archive_checks (package_id, checked_at DESC)`);
    // A failed fixity audit: an incident-like record administrators see until someone resolves it.
    await q.query(`
      CREATE TABLE archive_alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        package_id uuid NOT NULL REFERENCES archive_packages(id),
        check_id uuid NOT NULL REFERENCES archive_checks(id),
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        resolved_by uuid REFERENCES users(id)
      )`);
    await q.query(`CREATE INDEX archive_alerts_open ON archive_alerts (created_at DESC) WHERE resolved_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'archive_alerts',
      'archive_checks',
      'archive_items',
      'archive_packages',
      'archive_counters',
      'archive_retention_rules',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
