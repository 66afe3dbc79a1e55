import { MigrationInterface, QueryRunner } from 'typeorm';

/** The official PDF of a signed document (排版 by a worker), kept as one of its attachments. */
export class DocumentPdf1764374300000 implements MigrationInterface {
  name = 'DocumentPdf1764374300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents ADD COLUMN pdf_attachment_id uuid REFERENCES attachments(id), ADD COLUMN rendered_at timestamptz`);
    // Generated files (the official PDF, a 办理单) are told apart from what people uploaded.
    await q.query(`ALTER TABLE attachments ADD COLUMN is_generated boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attachments DROP COLUMN is_generated`);
    await q.query(`ALTER TABLE documents DROP COLUMN rendered_at, DROP COLUMN pdf_attachment_id`);
  }
}
