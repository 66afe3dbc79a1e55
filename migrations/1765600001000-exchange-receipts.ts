import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A document received from a partner deployment (公文交换) becomes a 收文 like a local one: a document_receipts row
 * with its own document-receipt case (签收, 拟办, 批办, 承办, 归档). Such a receipt has no local `documents` row; it
 * names the kept exchange package instead. `receipt_documents` gives every receipt the fields of the document it
 * received, from either source, so the 收文 list, the 处理笺 and the archive read one shape.
 */
export class ExchangeReceipts1765600001000 implements MigrationInterface {
  name = 'ExchangeReceipts1765600001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document_receipts ALTER COLUMN document_id DROP NOT NULL`);
    await q.query(
      `ALTER TABLE document_receipts ADD COLUMN exchange_package_id uuid UNIQUE REFERENCES exchange_incoming(package_id),
         ADD CONSTRAINT document_receipts_one_source CHECK ((document_id IS NULL) <> (exchange_package_id IS NULL))`,
    );
    await q.query(`
      CREATE VIEW receipt_documents AS
      SELECT r.id AS receipt_id, r.document_id, r.exchange_package_id,
             coalesce(d.title, x.metadata #>> '{document,title}') AS title,
             coalesce(d.doc_type, x.metadata #>> '{document,docType}') AS doc_type,
             coalesce(d.secrecy, x.metadata #>> '{document,secrecy}') AS secrecy,
             d.secrecy_term,
             coalesce(d.urgency, x.metadata #>> '{document,urgency}') AS urgency,
             coalesce(d.doc_number, x.metadata #>> '{document,docNumber}') AS doc_number,
             coalesce(d.signed_at, (x.metadata #>> '{document,signedAt}')::timestamptz) AS signed_at,
             coalesce(d.doc_year, extract(year FROM coalesce(d.created_at, (x.metadata #>> '{document,signedAt}')::timestamptz) AT TIME ZONE 'Asia/Shanghai')::int) AS doc_year,
             d.status AS document_status,
             -- 责任者 of what was received: the issuing organ (a department is named with its organ).
             CASE WHEN d.id IS NULL THEN
                    CASE WHEN x.metadata #>> '{document,issuingUnit}' LIKE (x.metadata #>> '{sender,organName}') || '%'
                         THEN x.metadata #>> '{document,issuingUnit}'
                         ELSE (x.metadata #>> '{sender,organName}') || coalesce(x.metadata #>> '{document,issuingUnit}', '') END
                  WHEN u.kind IN ('department','office') THEN coalesce((SELECT a.name FROM units a
                         WHERE u.path LIKE a.path || '%' AND a.id <> u.id AND a.kind IN ('ministry','province','city','county')
                         ORDER BY a.depth DESC LIMIT 1), '') || u.name
                  ELSE u.name END AS issuer,
             u.name AS issuing_unit_name,
             x.metadata #>> '{sender,organCode}' AS sender_organ_code
        FROM document_receipts r
        LEFT JOIN documents d ON d.id = r.document_id
        LEFT JOIN units u ON u.id = d.unit_id
        LEFT JOIN exchange_incoming x ON x.package_id = r.exchange_package_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW receipt_documents`);
    await q.query(`DELETE FROM document_receipts WHERE document_id IS NULL`);
    await q.query(`ALTER TABLE document_receipts DROP CONSTRAINT document_receipts_one_source, DROP COLUMN exchange_package_id`);
    await q.query(`ALTER TABLE document_receipts ALTER COLUMN document_id SET NOT NULL`);
  }
}
