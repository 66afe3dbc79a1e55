'use strict';
/**
 * Engine commands per second: a three-step approval (start + 3 task completions = 4 commands, each
 * one PostgreSQL transaction) with 1 and 8 concurrent clients, in-process through the engine port.
 * Baseline in the same run, on the same PostgreSQL: pgbench's TPC-B-like transactions per second
 * (5 statements per transaction), the physical limit of small write transactions on this machine.
 * Uses the embedded PostgreSQL unless DATABASE_URL is set. Needs `pgbench` on PATH (or PGBENCH=)
 * for the baseline; without it the engine figures are printed alone.
 */
require('reflect-metadata');
const { mkdtempSync, chmodSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const dist = join(__dirname, '../apps/api/dist/apps/api/src');
const { loadConfig } = require(join(dist, 'platform/config.js'));
const { startPlatform } = require(join(dist, 'platform/boot.js'));
const { EngineService } = require(join(dist, 'engine/engine.service.js'));
const { DataSource } = require('typeorm');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function findPgbench() {
  if (process.env.PGBENCH) return process.env.PGBENCH;
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  return undefined;
}

/** libpq's environment for the pgbench database on the server of databaseUrl. */
function pgbenchEnv(databaseUrl) {
  const url = new URL(databaseUrl);
  return {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: 'zw_pgbench',
  };
}

/** pgbench TPC-B in its own database of the same server; returns tps or undefined. */
async function pgbenchTps(pgbench, databaseUrl, clients) {
  const env = pgbenchEnv(databaseUrl);
  const out = execFileSync(pgbench, ['-n', '-c', String(clients), '-j', String(clients), '-T', String(SECONDS)], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const match = /tps = ([\d.]+)/.exec(out);
  return match ? Number(match[1]) : undefined;
}

async function preparePgbench(pgbench, ds, databaseUrl) {
  await ds.query('DROP DATABASE IF EXISTS zw_pgbench');
  await ds.query('CREATE DATABASE zw_pgbench');
  const env = pgbenchEnv(databaseUrl);
  execFileSync(pgbench, ['-i', '-s', '8', '-q'], { env, stdio: 'ignore' });
}

/** Runs cases for SECONDS with `clients` concurrent loops; returns commands/s and case latency. */
async function engineRun(engine, ds, clients, userId) {
  const until = Date.now() + SECONDS * 1000;
  let cases = 0;
  const latencies = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t0 = process.hrtime.bigint();
        const { id } = await engine.startProcess('three-step-approval', { variables: { drafter: 'bench' }, startedBy: userId });
        for (let step = 0; step < 3; step++) {
          const [task] = await ds.query(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [id]);
          await engine.completeTask(task.id, { userId, outcome: 'approve' });
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        cases += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const [done] = await ds.query(
    `SELECT count(*)::int AS n FROM process_instances WHERE definition_key = 'three-step-approval' AND status = 'completed'`,
  );
  return { commandsPerSecond: (cases * 4) / SECONDS, cases, p50: latencies[Math.floor(latencies.length / 2)], completed: done.n };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'zhengwu-bench-'));
  chmodSync(dir, 0o755);
  const config = loadConfig({ ...process.env, DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent', DEMO_PASSWORD: 'Bench#2026-Zhengwu' });
  const platform = await startPlatform(config, require('pino')({ level: 'silent' }));
  const ds = platform.app.get(DataSource);
  try {
    const engine = platform.app.get(EngineService);
    const [admin] = await ds.query(`SELECT id FROM users WHERE username = 'admin'`);
    const pgbench = findPgbench();
    if (pgbench) await preparePgbench(pgbench, ds, platform.databaseUrl);
    else console.log('pgbench not found (install postgresql-client or set PGBENCH=): no baseline');
    await engineRun(engine, ds, 1, admin.id).catch((e) => Promise.reject(e)); // warm-up: caches, JIT
    const rows = [];
    for (const clients of [1, 8]) {
      const before = (await ds.query(`SELECT count(*)::int AS n FROM process_instances WHERE status = 'completed'`))[0].n;
      const run = await engineRun(engine, ds, clients, admin.id);
      if (run.completed - before !== run.cases) throw new Error(`expected ${run.cases} completed cases, found ${run.completed - before}`);
      const tps = pgbench ? await pgbenchTps(pgbench, platform.databaseUrl, clients) : undefined;
      rows.push({
        clients,
        'engine commands/s': run.commandsPerSecond.toFixed(0),
        'cases/s': (run.cases / SECONDS).toFixed(1),
        'case p50 ms': run.p50.toFixed(1),
        'pgbench TPC-B tps': tps ? tps.toFixed(0) : '-',
        'ratio commands/tps': tps ? (run.commandsPerSecond / tps).toFixed(2) : '-',
      });
    }
    console.log(
      `PostgreSQL: ${(await ds.query('SHOW server_version'))[0].server_version} (${config.databaseUrl ? 'DATABASE_URL' : 'embedded'}), ${SECONDS} s per run`,
    );
    console.table(rows);
    if (pgbench) await ds.query('DROP DATABASE IF EXISTS zw_pgbench');
  } finally {
    await platform.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
