import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The session cache's notifications name what changed, so an api process forgets only the sessions concerned: a
 * session's row ('s:<session id>'), a person ('u:<user id>': their account or roles). Every refresh of an access
 * token updates its session row; with the statement-level triggers of 1765600002400 each one emptied the cache of
 * every process. A unit's change (its name and path are in every cached row of its people) and a TRUNCATE still
 * notify '' (forget everything). An UPDATE that changes nothing (every login resets failed_attempts, mostly to the 0
 * it was) notifies nothing.
 */
/** Each table, the row events notified besides UPDATE, and the events of its statement-level trigger of 1765600002400. */
const ROW_TABLES: [string, string, string][] = [
  ['sessions', 'DELETE', 'UPDATE OR DELETE'],
  ['users', 'DELETE', 'UPDATE OR DELETE'],
  ['user_roles', 'INSERT OR DELETE', 'INSERT OR UPDATE OR DELETE'],
];

export class PrincipalNotices1765600002600 implements MigrationInterface {
  name = 'PrincipalNotices1765600002600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION principals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_LEVEL = 'STATEMENT' THEN
          PERFORM pg_notify('zw_principals_changed', '');
        ELSIF TG_TABLE_NAME = 'sessions' THEN
          PERFORM pg_notify('zw_principals_changed', 's:' || OLD.id);
        ELSIF TG_TABLE_NAME = 'users' THEN
          PERFORM pg_notify('zw_principals_changed', 'u:' || OLD.id);
          IF TG_OP = 'UPDATE' AND NEW.id IS DISTINCT FROM OLD.id THEN
            PERFORM pg_notify('zw_principals_changed', 'u:' || NEW.id);
          END IF;
        ELSIF TG_TABLE_NAME = 'user_roles' THEN
          IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('zw_principals_changed', 'u:' || OLD.user_id);
          END IF;
          IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('zw_principals_changed', 'u:' || NEW.user_id);
          END IF;
        ELSE
          PERFORM pg_notify('zw_principals_changed', '');
        END IF;
        RETURN NULL;
      END $$`);
    for (const [table, events] of ROW_TABLES) {
      await q.query(`DROP TRIGGER ${table}_principals_changed ON ${table}`);
      await q.query(
        `CREATE TRIGGER ${table}_principals_changed AFTER UPDATE ON ${table} FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION principals_changed()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_principals_added_removed AFTER ${events} ON ${table} FOR EACH ROW EXECUTE FUNCTION principals_changed()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_principals_truncated AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION principals_changed()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, , before] of ROW_TABLES) {
      await q.query(`DROP TRIGGER ${table}_principals_truncated ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_principals_added_removed ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_principals_changed ON ${table}`);
      await q.query(
        `CREATE TRIGGER ${table}_principals_changed AFTER ${before} OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION principals_changed()`,
      );
    }
    await q.query(`
      CREATE OR REPLACE FUNCTION principals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('zw_principals_changed', '');
        RETURN NULL;
      END $$`);
  }
}
