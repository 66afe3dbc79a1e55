import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Archive certificates and DA/T 48 transfers (issue 17): packages of format 3 carry the archive key's
 * X.509 certificate; every transfer package (EEP) exported or received is recorded with its digest and
 * the outcome of its verification.
 */
export class ArchiveTransfer1765600000500 implements MigrationInterface {
  name = 'ArchiveTransfer1765600000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archive_packages DROP CONSTRAINT IF EXISTS archive_packages_format_version_check`);
    await q.query(`ALTER TABLE archive_packages ADD CONSTRAINT archive_packages_format_version_check CHECK (format_version IN (1, 2, 3))`);
    await q.query(`
      CREATE TABLE archive_transfers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        direction text NOT NULL CHECK (direction IN ('export', 'import')),
        -- 移交批次 named in the EEP (for an import: as the file says, unverified when refused).
        batch text NOT NULL,
        creator text NOT NULL,
        year int,
        package_count int NOT NULL,
        archive_numbers text[] NOT NULL,
        size bigint NOT NULL,
        sha256 char(64) NOT NULL,
        sm3 char(64) NOT NULL,
        ok boolean NOT NULL,
        report jsonb NOT NULL,
        user_id uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX archive_transfers_created ON archive_transfers (created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE archive_transfers`);
    await q.query(`ALTER TABLE archive_packages DROP CONSTRAINT IF EXISTS archive_packages_format_version_check`);
    await q.query(`ALTER TABLE archive_packages ADD CONSTRAINT archive_packages_format_version_check CHECK (format_version IN (1, 2))`);
  }
}
