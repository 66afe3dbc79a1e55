import type { DataSource, EntityManager } from 'typeorm';

/** The part of node-postgres' client (and pool) the hot statements use. */
interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs one of the hot statements (engine, audit, session check) as a named prepared statement: parsed and planned once
 * per connection, and sent straight to the driver (TypeORM answers an UPDATE … RETURNING with [rows, count]; the driver
 * answers the rows). Inside the transaction of `m`, on its connection; given the DataSource (or a manager outside a
 * transaction), on any connection of the pool. Names are global: one name, one text.
 */
export async function prepared<T>(m: EntityManager | DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const config = { name: `zw_${name}`, text, values };
  const runner =
    'queryRunner' in m ? (m.queryRunner as (EntityManager['queryRunner'] & { connect(): Promise<PgQueryable> }) | undefined) : undefined;
  if (runner && !runner.isReleased && runner.isTransactionActive) {
    const client = await runner.connect();
    return (await client.query(config)).rows as T[];
  }
  const ds = 'connection' in m ? m.connection : m;
  const pool = (ds.driver as unknown as { master?: PgQueryable }).master;
  if (!pool) return m.query(text, values) as Promise<T[]>;
  return (await pool.query(config)).rows as T[];
}
