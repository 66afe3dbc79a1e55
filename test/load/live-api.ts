import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/test-app';

/** One answer over real HTTP, as the client saw it. */
export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
  body: any;
  text: string;
}

export interface LiveApi {
  t: TestApp;
  base: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  q(sql: string, params?: unknown[]): Promise<any[]>;
  /** A request over a real socket to 127.0.0.1, bounded in time. */
  send(
    method: string,
    path: string,
    /** timeoutMs: how long the answer may take (30 s unless said). */
    options?: { token?: string; body?: unknown; raw?: string; contentType?: string; timeoutMs?: number },
  ): Promise<Answer>;
  close(): Promise<void>;
}

/** The api in-process on its own database, listening on 127.0.0.1 on a free port. */
export async function startLiveApi(env: Record<string, string> = {}): Promise<LiveApi> {
  const t = await createTestApp(env);
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const dataSource = t.app.get(DataSource);
  return {
    t,
    base,
    q: (sql, params = []) => dataSource.query(sql, params),
    async send(method, path, options = {}) {
      const headers: Record<string, string> = {};
      if (options.token) headers.Authorization = `Bearer ${options.token}`;
      let payload: string | undefined;
      if (options.raw !== undefined) {
        payload = options.raw;
        headers['Content-Type'] = options.contentType ?? 'application/json';
      } else if (options.body !== undefined) {
        payload = JSON.stringify(options.body);
        headers['Content-Type'] = 'application/json';
      }
      const res = await fetch(`${base}${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text };
    },
    async close() {
      await t.close();
      // createTestApp leaves its DATA_DIR behind; the load tests take theirs away.
      rmSync(t.config.dataDir, { recursive: true, force: true });
    },
  };
}

/** `{200: 1, 409: 49}` */
export function histogram(statuses: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of [...statuses].sort((a, b) => a - b)) out[s] = (out[s] ?? 0) + 1;
  return out;
}

export const CHINESE = /[\u4e00-\u9fff]/;
