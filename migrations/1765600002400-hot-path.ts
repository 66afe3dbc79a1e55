import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two round trips fewer for a command through HTTP.
 *
 * 1. An audit row in one round trip when the appender guessed the chain's tail right: the function takes the chain's
 * transaction lock, reads the tail as committed by then (a VOLATILE PL/pgSQL function takes a fresh snapshot for each
 * statement inside it, see migration 1765600000010), and inserts the row only if the row links to that tail. It
 * answers NULL when it inserted; otherwise the tail itself (the genesis hash for an empty chain), and the caller, still
 * holding the lock, links its row to that tail and inserts it. The hash is SM3 over the previous hash and the row's
 * content, computed by the api (PostgreSQL has no SM3), so the guess has to be made before the statement is sent.
 *
 * 2. Each api process keeps the sessions it checked for a few seconds (identity/session-cache.ts) and forgets them all
 * when anything a request's principal is made of changes: the sessions, the people, their roles, their units. These
 * statement-level triggers tell every listening process on commit (one notification per transaction and channel).
 */
/** What a request's principal is read from (SESSION_SELECT in identity/auth.service.ts); a new session changes no other. */
const PRINCIPAL_TABLES: [string, string][] = [
  ['sessions', 'UPDATE OR DELETE OR TRUNCATE'],
  ['users', 'UPDATE OR DELETE OR TRUNCATE'],
  ['user_roles', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'],
  ['units', 'UPDATE OR DELETE OR TRUNCATE'],
];

export class HotPath1765600002400 implements MigrationInterface {
  name = 'HotPath1765600002400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_chain_append(
        lock_key bigint, p_at timestamptz, p_user_id uuid, p_username text, p_unit_id uuid, p_action text,
        p_object_type text, p_object_id text, p_request_id text, p_ip text, p_outcome text, p_detail jsonb,
        p_prev_hash text, p_hash text
      ) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        tail text;
      BEGIN
        PERFORM pg_advisory_xact_lock(lock_key);
        tail := coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), repeat('0', 64));
        IF tail IS DISTINCT FROM p_prev_hash THEN
          RETURN tail;
        END IF;
        INSERT INTO audit_log (at, user_id, username, unit_id, action, object_type, object_id, request_id, ip, outcome, detail, prev_hash, hash)
        VALUES (p_at, p_user_id, p_username, p_unit_id, p_action, p_object_type, p_object_id, p_request_id, p_ip, p_outcome, p_detail,
                p_prev_hash, p_hash);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION principals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('zw_principals_changed', '');
        RETURN NULL;
      END $$`);
    for (const [table, events] of PRINCIPAL_TABLES)
      await q.query(
        `CREATE TRIGGER ${table}_principals_changed AFTER ${events} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION principals_changed()`,
      );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of PRINCIPAL_TABLES) await q.query(`DROP TRIGGER ${table}_principals_changed ON ${table}`);
    await q.query(`DROP FUNCTION principals_changed()`);
    await q.query(
      `DROP FUNCTION audit_chain_append(bigint, timestamptz, uuid, text, uuid, text, text, text, text, text, text, jsonb, text, text)`,
    );
  }
}
