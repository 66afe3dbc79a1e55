import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 联合行文 (GB/T 9704-2012 §7.2.3: several organs' 标志 and 署名; here the 主办 unit with its 会签 units) and the
 * 纪要's 出席/请假/列席 lists (§10.3), both decided at 拟稿 like the rest of the document's fields.
 */
export class DocumentJointAttendance1765600000700 implements MigrationInterface {
  name = 'DocumentJointAttendance1765600000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents ADD COLUMN joint_issue boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE documents ADD COLUMN attendance jsonb`);
    await q.query(`ALTER TABLE documents ADD CONSTRAINT documents_attendance_only_minutes CHECK (attendance IS NULL OR doc_type = '纪要')`);
    await q.query(
      `ALTER TABLE documents ADD CONSTRAINT documents_joint_needs_countersign CHECK (NOT joint_issue OR cardinality(countersign_units) > 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_joint_needs_countersign`);
    await q.query(`ALTER TABLE documents DROP CONSTRAINT documents_attendance_only_minutes`);
    await q.query(`ALTER TABLE documents DROP COLUMN attendance`);
    await q.query(`ALTER TABLE documents DROP COLUMN joint_issue`);
  }
}
