import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser } from './browser';
import { startWorkerProcess, type WorkerProcess } from './worker-process';
import { createTestApp, type TestApp } from './test-app';

export interface RunningPlatform {
  t: TestApp;
  baseUrl: string;
  workers: WorkerProcess;
  stop(): Promise<void>;
}

/**
 * The platform as a user meets it, on one port: the api serving the built web application, on its
 * own fresh database with the demo organisation, and the real workers as their own process.
 */
export async function startPlatformForBrowser(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const token = 'browser-test-worker-token-0123';
  const t = await createTestApp({ WORKER_TOKEN: token, ...env });
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  const workers = await startWorkerProcess(baseUrl, token);
  return {
    t,
    baseUrl,
    workers,
    async stop() {
      await workers.stop();
      await t.close();
    },
  };
}

/**
 * The platform (built if stale) and a browser for one describe block: started before its tests, stopped after. Read
 * the fields inside tests (they are set in beforeAll).
 */
export function browserSuite(): { platform: RunningPlatform; browser: Browser } {
  const suite = {} as { platform: RunningPlatform; browser: Browser };
  beforeAll(async () => {
    buildIfStale();
    suite.platform = await startPlatformForBrowser();
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.platform?.stop();
  });
  return suite;
}
