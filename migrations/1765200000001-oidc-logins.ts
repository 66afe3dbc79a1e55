import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on attempts in flight: one row per redirect to the OpenID provider, keyed by the hash
 * of its `state`, holding the nonce and PKCE verifier the callback needs and the hash of a cookie
 * that ties it to the browser that started it. The callback deletes the row it uses, so a callback
 * (or a code) replayed finds nothing; rows left by abandoned attempts expire after ten minutes.
 */
export class OidcLogins1765200000001 implements MigrationInterface {
  name = 'OidcLogins1765200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_logins (
        state_hash char(64) PRIMARY KEY,
        browser_hash char(64) NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE oidc_logins');
  }
}
