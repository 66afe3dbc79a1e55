import type { EntityManager } from 'typeorm';

/** The part of node-postgres' client the engine's hot statements use. */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs one of the engine's hot statements as a named prepared statement (parsed and planned once per
 * connection) inside the transaction of `m`. Outside a transaction it falls back to a plain query.
 */
export async function prepared<T>(m: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = m.queryRunner as (EntityManager['queryRunner'] & { connect(): Promise<PgClient> }) | undefined;
  if (!runner || runner.isReleased || !runner.isTransactionActive) return m.query(text, values) as Promise<T[]>;
  const client = await runner.connect();
  const result = await client.query({ name: `zw_engine_${name}`, text, values });
  return result.rows as T[];
}
