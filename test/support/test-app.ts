import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../apps/api/src/platform/config';
import { createHttpApp } from '../../apps/api/src/platform/http-app';
import { createTestDatabase, TEST_PASSWORD, type TestDatabase } from './test-database';

export interface TestApp {
  app: INestApplication;
  db: TestDatabase;
  config: AppConfig;
  http(): ReturnType<typeof request>;
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** The real HTTP application over its own freshly migrated and seeded database. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'zhengwu-test-data-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: db.url, ...env });
  const app = await createHttpApp(config, db.url);
  await app.init();
  const http = (): ReturnType<typeof request> => request(app.getHttpServer());
  return {
    app,
    db,
    config,
    http,
    async login(username, password = TEST_PASSWORD) {
      const res = await http().post('/api/auth/login').send({ username, password });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { accessToken: string }).accessToken;
    },
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
