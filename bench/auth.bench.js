'use strict';
/**
 * Authenticated request latency: every request verifies the JWT and reads the session row.
 * Baseline in the same run: GET /api/health (one `SELECT 1`). Prints p50/p95 and req/s.
 */
require('reflect-metadata');
const { mkdtempSync, chmodSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const dist = join(__dirname, '../apps/api/dist/apps/api/src');
const { loadConfig } = require(join(dist, 'platform/config.js'));
const { startPlatform } = require(join(dist, 'platform/boot.js'));

async function measure(url, headers, total, concurrency) {
  const latencies = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        const t0 = process.hrtime.bigint();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { rps: total / seconds, p50: pct(50), p95: pct(95) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'zhengwu-bench-'));
  chmodSync(dir, 0o755);
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: '',
    DEMO_PASSWORD: 'Bench#2026-Zhengwu',
  });
  const platform = await startPlatform(config, require('pino')({ level: 'silent' }));
  try {
    const login = await fetch(`${platform.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lina', password: 'Bench#2026-Zhengwu' }),
    });
    const { accessToken } = await login.json();
    const auth = { authorization: `Bearer ${accessToken}` };
    const rows = [];
    for (const concurrency of [1, 8]) {
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const base = await measure(`${platform.url}/api/health`, {}, 1000, concurrency);
        const me = await measure(`${platform.url}/api/auth/me`, auth, 1000, concurrency);
        runs.push({ base, me });
      }
      runs.sort((a, b) => a.me.rps - b.me.rps);
      const median = runs[1];
      rows.push({
        clients: concurrency,
        'health req/s': median.base.rps.toFixed(0),
        'me req/s': median.me.rps.toFixed(0),
        'ratio me/health': (median.me.rps / median.base.rps).toFixed(2),
        'me p50 ms': median.me.p50.toFixed(2),
        'me p95 ms': median.me.p95.toFixed(2),
      });
    }
    console.table(rows);
  } finally {
    await platform.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
