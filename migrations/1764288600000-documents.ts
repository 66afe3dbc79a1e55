import { MigrationInterface, QueryRunner } from 'typeorm';

/** 公文交换: official documents, their 发文字号 counters and one receipt (收文) per recipient unit. */
export class Documents1764288600000 implements MigrationInterface {
  name = 'Documents1764288600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid REFERENCES process_instances(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        drafter_id uuid NOT NULL REFERENCES users(id),
        doc_type text NOT NULL CHECK (doc_type IN ('通知','请示','报告','函','纪要')),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        secrecy text NOT NULL DEFAULT '非密' CHECK (secrecy IN ('非密','秘密','机密')),
        secrecy_term text,
        urgency text NOT NULL DEFAULT '平急' CHECK (urgency IN ('平急','加急','特急')),
        main_recipients uuid[] NOT NULL,
        cc_recipients uuid[] NOT NULL DEFAULT '{}',
        countersign_units uuid[] NOT NULL DEFAULT '{}',
        body text NOT NULL,
        attachment_note text,
        status text NOT NULL DEFAULT '拟稿' CHECK (status IN ('拟稿','核稿','会签','签发','分发','办结','不予签发','已撤销')),
        signer_id uuid REFERENCES users(id),
        signed_at timestamptz,
        organ_code text,
        doc_year int,
        doc_seq int,
        doc_number text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        CHECK ((doc_number IS NULL) = (doc_seq IS NULL))
      )`);
    // The sender's list ("my unit's documents") and the lookup from a case.
    await q.query(`CREATE INDEX documents_unit ON documents (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX documents_instance ON documents (instance_id)`);
    await q.query(`CREATE UNIQUE INDEX documents_number_seq ON documents (organ_code, doc_year, doc_seq) WHERE doc_seq IS NOT NULL`);
    // 发文字号: one counter per issuing unit and year, advanced inside the 签发 transaction so a rollback consumes nothing.
    await q.query(`
      CREATE TABLE document_number_counters (
        unit_id uuid NOT NULL REFERENCES units(id),
        year int NOT NULL,
        value int NOT NULL,
        PRIMARY KEY (unit_id, year)
      )`);
    await q.query(`
      CREATE TABLE document_receipts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id),
        unit_id uuid NOT NULL REFERENCES units(id),
        kind text NOT NULL CHECK (kind IN ('主送','抄送')),
        instance_id uuid REFERENCES process_instances(id),
        status text NOT NULL DEFAULT '已送达' CHECK (status IN ('已送达','已签收','退文','办理中','办结')),
        delivered_at timestamptz NOT NULL DEFAULT now(),
        due_at timestamptz,
        signed_at timestamptz,
        signed_by uuid REFERENCES users(id),
        refused_at timestamptz,
        refused_by uuid REFERENCES users(id),
        refuse_reason text,
        handler_id uuid REFERENCES users(id),
        completed_at timestamptz,
        urge_count int NOT NULL DEFAULT 0,
        is_overdue boolean NOT NULL DEFAULT false,
        UNIQUE (document_id, unit_id)
      )`);
    // The recipient's 收文 list.
    await q.query(`CREATE INDEX document_receipts_unit ON document_receipts (unit_id, delivered_at DESC)`);
    await q.query(`CREATE INDEX document_receipts_instance ON document_receipts (instance_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_receipts`);
    await q.query(`DROP TABLE document_number_counters`);
    await q.query(`DROP TABLE documents`);
  }
}
