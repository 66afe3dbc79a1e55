import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the 公文 scope's arms that had none (documentScopeIndexedSql in documents/document-scope.ts): search reads
 * the documents a narrow scope may see through them instead of walking every document. The drafting unit
 * (documents_unit) and the receipts (document_receipts_unit) were indexed already.
 */
export class SearchDocumentScope1765600002500 implements MigrationInterface {
  name = 'SearchDocumentScope1765600002500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX documents_countersign ON documents USING gin (countersign_units)`);
    await q.query(`CREATE INDEX documents_informatization ON documents (id) WHERE informatization`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX documents_informatization`);
    await q.query(`DROP INDEX documents_countersign`);
  }
}
