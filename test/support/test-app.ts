import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../apps/api/src/platform/config';
import { createHttpApp } from '../../apps/api/src/platform/http-app';
import { SecondFactorKeeper } from './second-factor';
import { createTestDatabase, TEST_PASSWORD, type TestDatabase } from './test-database';

export interface TestApp {
  app: INestApplication;
  db: TestDatabase;
  config: AppConfig;
  http(): ReturnType<typeof request>;
  /** Logs in through HTTP; enrols TOTP and answers the second factor when the account needs it. */
  login(username: string, password?: string): Promise<string>;
  /** The accounts' TOTP secrets as enrolled by `login` (this database's authenticator app). */
  secondFactor: SecondFactorKeeper;
  close(): Promise<void>;
}

/** The real HTTP application over its own freshly migrated and seeded database. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'zhengwu-test-data-'));
  // Without the session cache unless a test asks for it: many tests change people, roles or sessions with SQL of their
  // own and expect the next request to see it, where the cache would see it when the notification arrives (a few
  // milliseconds later; identity/session-cache.spec.ts tests that). ZW_TEST_SESSION_CACHE_SECONDS runs a suite with it.
  const sessionCache = process.env.ZW_TEST_SESSION_CACHE_SECONDS ?? '0';
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: db.url, SESSION_CACHE_SECONDS: sessionCache, ...env });
  const app = await createHttpApp(config, db.url);
  await app.init();
  const http = (): ReturnType<typeof request> => request(app.getHttpServer());
  const secondFactor = new SecondFactorKeeper();
  const post = async (path: string, body: object) => {
    const res = await http().post(path).send(body);
    return { status: res.status, body: res.body as unknown };
  };
  return {
    app,
    db,
    config,
    http,
    secondFactor,
    async login(username, password = TEST_PASSWORD) {
      const res = await http().post('/api/auth/login').send({ username, password });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      const session = await secondFactor.finish(username, res.body, post);
      return session.accessToken;
    },
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A diagram deployed through the API by the administrator and one case of it started with `variables`, as an
 * operator would. Returns the admin's token and the case id; fails the test on any refusal.
 */
export async function deployAndStart(
  t: TestApp,
  xml: string,
  key: string,
  variables: Record<string, unknown>,
): Promise<{ admin: string; instanceId: string }> {
  const admin = await t.login('admin');
  const auth = `Bearer ${admin}`;
  const deployed = await t
    .http()
    .post('/api/process-definitions')
    .set('Authorization', auth)
    .set('Content-Type', 'application/xml')
    .send(xml);
  if (deployed.status !== 201) throw new Error(`deploy ${key}: ${deployed.status} ${JSON.stringify(deployed.body)}`);
  const started = await t.http().post('/api/process-instances').set('Authorization', auth).send({ key, variables });
  if (started.status !== 201) throw new Error(`start ${key}: ${started.status} ${JSON.stringify(started.body)}`);
  return { admin, instanceId: (started.body as { id: string }).id };
}
