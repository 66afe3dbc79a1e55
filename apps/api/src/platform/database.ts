import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../../../migrations';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { SessionEntity } from '../identity/session.entity';
import { UnitEntity } from '../org/unit.entity';
import { UserEntity } from '../org/user.entity';

export const ENTITIES = [UnitEntity, UserEntity, SessionEntity, AuditEntryEntity];

/** `poolSize`: connections this data source may open (the api's is DATABASE_POOL_SIZE; tools keep the default). */
export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 5000, application_name: 'zhengwu' },
  };
}

/** Applies pending migrations; an advisory lock keeps two replicas starting at once from racing. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(7242001)');
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock(7242001)').catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}
