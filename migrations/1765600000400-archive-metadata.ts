import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DA/T 46 metadata and DA/T 70 stages (issue 17): packages know their format version (1: English
 * metadata, 2: the standard's Chinese element names with numbers), and each 四性检测 records its stage
 * (GD 归档, YJ 移交与接收, BC 长期保存) and where its printable report is kept in the package.
 */
export class ArchiveMetadata1765600000400 implements MigrationInterface {
  name = 'ArchiveMetadata1765600000400';

  async up(q: QueryRunner): Promise<void> {
    // Every package written before this migration is of format 1.
    await q.query(`ALTER TABLE archive_packages ADD COLUMN format_version int NOT NULL DEFAULT 1 CHECK (format_version IN (1, 2))`);
    // Earlier checks ran the combined set at ingest and on demand: recorded as 归档 (GD), audits as 长期保存 (BC).
    await q.query(`ALTER TABLE archive_checks ADD COLUMN stage text CHECK (stage IN ('GD','YJ','BC')), ADD COLUMN report_file text`);
    await q.query(`UPDATE archive_checks SET stage = CASE WHEN kind = 'audit' THEN 'BC' ELSE 'GD' END`);
    await q.query(`ALTER TABLE archive_checks ALTER COLUMN stage SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archive_checks DROP COLUMN report_file, DROP COLUMN stage`);
    await q.query(`ALTER TABLE archive_packages DROP COLUMN format_version`);
  }
}
