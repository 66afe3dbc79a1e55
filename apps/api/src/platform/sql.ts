import type { DataSource, EntityManager } from 'typeorm';

/**
 * TypeORM's postgres driver answers UPDATE/DELETE … RETURNING as `[rows, rowCount]` but INSERT and
 * SELECT as plain rows; this returns the rows either way.
 */
export async function returning<T>(runner: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await runner.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
