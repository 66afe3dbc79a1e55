import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain's tail in one round trip: the function takes the chain's transaction lock, then reads the last hash.
 * A VOLATILE PL/pgSQL function takes a fresh snapshot for each statement inside it (READ COMMITTED), so the read sees
 * every append committed while it waited for the lock — which a single SQL statement, whose snapshot is taken before
 * the lock, would not.
 */
export class AuditChainTail1765600000010 implements MigrationInterface {
  name = 'AuditChainTail1765600000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_chain_tail(lock_key bigint) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        RETURN (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_chain_tail(bigint)`);
  }
}
