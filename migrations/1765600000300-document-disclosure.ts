import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 处理单 for real (issue 16): the 公开属性 a document gets at 拟稿 (政府信息公开条例: decided when drafting, printed on
 * the 发文稿纸), and the 收文编号 each receiving unit gives a document at 签收 — a running number per unit and year
 * from a counter row, so two 签收 at once in one unit queue on that row and get consecutive numbers.
 */
export class DocumentDisclosure1765600000300 implements MigrationInterface {
  name = 'DocumentDisclosure1765600000300';

  async up(q: QueryRunner): Promise<void> {
    // NULL: not decided (documents drafted before the field existed).
    await q.query(`ALTER TABLE documents ADD COLUMN disclosure text CHECK (disclosure IN ('主动公开','依申请公开','不予公开'))`);
    // A classified document is never published.
    await q.query(
      `ALTER TABLE documents ADD CONSTRAINT documents_secret_not_public CHECK (secrecy = '非密' OR disclosure IS NULL OR disclosure = '不予公开')`,
    );
    await q.query(`
      CREATE TABLE document_receipt_counters (
        unit_id uuid NOT NULL REFERENCES units(id),
        year int NOT NULL,
        value int NOT NULL CHECK (value > 0),
        PRIMARY KEY (unit_id, year)
      )`);
    await q.query(
      `ALTER TABLE document_receipts ADD COLUMN receipt_year int, ADD COLUMN receipt_seq int CHECK (receipt_seq > 0), ADD COLUMN receipt_number text,
         ADD CONSTRAINT document_receipts_number_parts CHECK ((receipt_seq IS NULL) = (receipt_year IS NULL) AND (receipt_seq IS NULL) = (receipt_number IS NULL))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX document_receipts_unit_number ON document_receipts (unit_id, receipt_year, receipt_seq) WHERE receipt_seq IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX document_receipts_unit_number`);
    await q.query(
      `ALTER TABLE document_receipts DROP CONSTRAINT document_receipts_number_parts, DROP COLUMN receipt_number, DROP COLUMN receipt_seq, DROP COLUMN receipt_year`,
    );
    await q.query(`DROP TABLE document_receipt_counters`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_secret_not_public, DROP COLUMN disclosure`);
  }
}
