import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TOTP second factor (RFC 6238): one secret per person (encrypted by the api, never returned after
 * enrolment), the last accepted time step (a code is never accepted twice), one-time recovery codes
 * (SHA-256 of high-entropy codes), and whether a session passed the second factor.
 */
export class Totp1765100000000 implements MigrationInterface {
  name = 'Totp1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_totp (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        secret_enc text NOT NULL,
        confirmed_at timestamptz,
        last_step bigint,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE user_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code_hash char(64) NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, code_hash)
      )`);
    await q.query(`ALTER TABLE sessions ADD COLUMN second_factor boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN second_factor`);
    await q.query(`DROP TABLE user_recovery_codes`);
    await q.query(`DROP TABLE user_totp`);
  }
}
