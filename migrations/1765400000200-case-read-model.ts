import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine port's read model of cases (docs/adr/0005-engine-read-model.md): features join `cases` in their list
 * queries instead of the engine's own tables, so the adapter may change how it stores a case without a feature
 * noticing. A plain view: the planner inlines it, and drops the definition join where `process_name` is not read.
 */
export class CaseReadModel1765400000200 implements MigrationInterface {
  name = 'CaseReadModel1765400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW cases AS
      SELECT i.id, i.definition_id, i.definition_key, d.version AS definition_version, d.name AS process_name,
             i.business_key, i.status, i.variables, i.owner_unit_id, i.started_by, i.started_at, i.ended_at,
             i.parent_instance_id
        FROM process_instances i LEFT JOIN process_definitions d ON d.id = i.definition_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW cases`);
  }
}
