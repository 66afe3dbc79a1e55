'use strict';
/**
 * Authenticated request latency: every request verifies the JWT and reads the session row. GET /api/auth/me against
 * the baseline GET /api/health (one `SELECT 1`) in the same run, 1000 requests each, 1 and 8 concurrent clients;
 * BENCH_RUNS runs (default 3), medians.
 */
const s = require('./support');

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const REQUESTS = Number(process.env.BENCH_AUTH_REQUESTS ?? 500);
const log = s.logger('auth');

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
        latencies.push(s.ms(t0));
      }
    }),
  );
  const seconds = s.ms(started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: total / seconds, p50: s.percentile(latencies, 50), p95: s.percentile(latencies, 95) };
}

async function main() {
  log('booting the platform on a fresh embedded PostgreSQL');
  const stack = await s.bootPlatform('auth');
  const auth = { authorization: `Bearer ${await s.login(stack.url, 'lina')}` };
  const figures = [];
  for (const concurrency of [1, 8]) {
    await measure(`${stack.url}/api/auth/me`, auth, 200, concurrency); // warm-up
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const base = await measure(`${stack.url}/api/health`, {}, REQUESTS, concurrency);
      const me = await measure(`${stack.url}/api/auth/me`, auth, REQUESTS, concurrency);
      runs.push({ base, me });
      log(
        `${concurrency} client(s), run ${i + 1}/${RUNS}: health ${base.rps.toFixed(0)} req/s, me ${me.rps.toFixed(0)} req/s, me p95 ${me.p95.toFixed(2)} ms`,
      );
    }
    const med = (f) => s.median(runs.map(f));
    const clients = `${concurrency} client${concurrency > 1 ? 's' : ''}`;
    figures.push(
      {
        name: `GET /api/auth/me req/s, ${clients}`,
        value: s.round(
          med((r) => r.me.rps),
          0,
        ),
        unit: 'req/s',
        baseline: {
          name: 'GET /api/health',
          value: s.round(
            med((r) => r.base.rps),
            0,
          ),
          unit: 'req/s',
        },
        ratio: s.round(med((r) => r.me.rps / r.base.rps)),
        target: 'none (not in issue 7)',
        runs: runs.map((r) => s.round(r.me.rps, 0)),
      },
      {
        name: `GET /api/auth/me p95, ${clients}`,
        value: s.round(med((r) => r.me.p95)),
        unit: 'ms',
        baseline: { name: 'GET /api/health p95', value: s.round(med((r) => r.base.p95)), unit: 'ms' },
        ratio: s.round(med((r) => r.me.p95 / r.base.p95)),
        target: 'none (not in issue 7)',
        runs: runs.map((r) => s.round(r.me.p95)),
      },
    );
  }
  await stack.stop();
  s.emit({
    scenario: 'auth',
    title: 'Authenticated requests',
    figures,
    notes: `${REQUESTS} requests per measurement from this process (it also hosts the api). /api/auth/me verifies the access token and reads the session and user rows.`,
  });
}

s.run(main);
