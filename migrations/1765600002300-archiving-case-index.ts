import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every case that ends asks whether its case-archiving case exists already (archive.service.ts), as a prepared
 * statement. Its generic plan could not rely on business_key's statistics (a batch of cases may share one business
 * key, and the plan then scanned every case): this index holds only the archiving cases, whose business key is the
 * archived case's id, so the question is one index probe whatever the other cases' keys.
 */
export class ArchivingCaseIndex1765600002300 implements MigrationInterface {
  name = 'ArchivingCaseIndex1765600002300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX process_instances_archiving ON process_instances (business_key) WHERE definition_key = 'case-archiving'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX process_instances_archiving`);
  }
}
