import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../apps/api/src/platform/database';
import { seedDemo } from '../../apps/api/src/seed/demo-seed';

export const TEST_PASSWORD = 'Ceshi#2026-Zhengwu';

export interface TestDatabase {
  url: string;
  /** A connection with the rights of the table owner, for tests that poke rows directly. */
  dataSource: DataSource;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.ZW_TEST_SERVER_URL;
  if (!url) throw new Error('ZW_TEST_SERVER_URL is unset: run the tests through jest (its globalSetup starts PostgreSQL)');
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh database per test file: migrated, optionally seeded, dropped afterwards. Parallel-safe. */
export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const name = `zw_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl(), name);
  await runMigrations(url);
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  if (options.seed !== false) await seedDemo(dataSource, TEST_PASSWORD);
  return {
    url,
    dataSource,
    async drop() {
      await dataSource.destroy();
      const client = new Client({ connectionString: serverUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
