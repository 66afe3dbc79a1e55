import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox at a million tasks (bench/inbox.bench.js). 待办 offered to a role in a unit had no index on the unit, so
 * every call read all open group tasks of the person's roles (tens of thousands of rows) to keep a handful; 已办 had
 * only tasks_done, partial on status = 'completed', which the view's condition does not imply, so it scanned the table.
 */
export class InboxIndexes1764460800000 implements MigrationInterface {
  name = 'InboxIndexes1764460800000';

  async up(q: QueryRunner): Promise<void> {
    // 待办 offered to a role in named units: candidate_units @> ARRAY[my unit].
    await q.query(`CREATE INDEX tasks_todo_units ON tasks USING gin (candidate_units) WHERE status = 'open' AND assignee IS NULL`);
    // 待办 offered to a role in the case's own unit (no candidate units named).
    await q.query(
      `CREATE INDEX tasks_todo_own_unit ON tasks (owner_unit_id) WHERE status = 'open' AND assignee IS NULL AND cardinality(candidate_units) = 0`,
    );
    // 已办 by the person who completed it, in the view's order (newest first), and its count.
    await q.query(`CREATE INDEX tasks_done_by ON tasks (completed_by, created_at DESC) WHERE completed_by IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_done_by`);
    await q.query(`DROP INDEX tasks_todo_own_unit`);
    await q.query(`DROP INDEX tasks_todo_units`);
  }
}
