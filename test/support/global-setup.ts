import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../apps/api/src/platform/embedded-postgres';

declare global {
  // jest hands globalSetup's values to globalTeardown only through globalThis
  var __ZW_STOP_PG__: (() => Promise<void>) | undefined;
}

/**
 * One PostgreSQL for the whole run: DATABASE_URL when set (a distribution's server), else an
 * embedded one in a temporary directory. Each test file then makes its own database in it.
 */
export default async function globalSetup(): Promise<void> {
  buildApps();
  if (process.env.DATABASE_URL) {
    process.env.ZW_TEST_SERVER_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'zhengwu-test-pg-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as a separate user that must reach the directory
  const db = await startEmbeddedPostgres(join(dir, 'pg'), 'postgres');
  process.env.ZW_TEST_SERVER_URL = db.url;
  globalThis.__ZW_STOP_PG__ = async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * Tests that run the workers or the whole platform (and its web pages) as separate processes need
 * the build; doing it once here keeps parallel test files from building at the same time.
 */
function buildApps(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script shared with npm start
  const { buildIfStale } = require('../../scripts/build-if-stale.js') as { buildIfStale: () => void };
  buildIfStale();
}
