'use strict';
/**
 * What the scenarios share (not a scenario itself: bench/run.js only runs *.bench.js): a platform booted in-process on a
 * fresh embedded PostgreSQL in a temp dir with the demo organisation but no demo cases, statistics, CPU accounting from
 * /proc, and the BENCH_RESULT line of the harness contract (see bench/run.js).
 */
require('reflect-metadata');
const { execFileSync } = require('node:child_process');
const { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { loginOverHttp, sharedKeeper } = require('../test/support/second-factor');
const { setTimeout } = require('node:timers');

const root = join(__dirname, '..');
const dist = join(root, 'apps/api/dist/apps/api/src');
const PASSWORD = 'Bench#2026-Zhengwu';

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
/** Epoch milliseconds with sub-millisecond resolution, comparable between processes of this machine. */
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

function logger(scenario) {
  return (line) => process.stdout.write(`[${scenario}] ${line}\n`);
}

/** The last stdout line of a scenario (the harness reads it). */
function emit(result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/** Clock ticks (utime + stime) a process has used, from /proc; 0 once it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU ticks of a PostgreSQL server: the postmaster's own and those of its children that ended (cutime + cstime, added
 * when it reaps them), plus every live backend and helper. Never decreases, whatever connections come and go.
 */
function pgTicks(postmasterPid) {
  if (!postmasterPid) return 0;
  let reaped = 0;
  try {
    const stat = readFileSync(`/proc/${postmasterPid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    reaped = Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
  return [postmasterPid, ...childrenOf(postmasterPid)].reduce((sum, pid) => sum + cpuTicks(pid), reaped);
}

/** Machine-wide busy and total jiffies from /proc/stat. */
function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3] - cpu[4], total };
}

/**
 * CPU use over a window: this process, PostgreSQL and the whole machine, in % of one core
 * (100 % = one core busy; the machine has os.cpus().length cores).
 */
function cpuMeter(postmasterPid) {
  const hz = 100;
  const t0 = process.hrtime.bigint();
  const self0 = process.cpuUsage();
  const pg0 = pgTicks(postmasterPid);
  const m0 = machineTicks();
  return () => {
    const seconds = ms(t0) / 1000;
    const self = process.cpuUsage(self0);
    const m1 = machineTicks();
    const cores = require('node:os').cpus().length;
    return {
      node: round(((self.user + self.system) / 1e6 / seconds) * 100, 0),
      postgres: round(((pgTicks(postmasterPid) - pg0) / hz / seconds) * 100, 0),
      machine: round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * cores * 100, 0),
    };
  };
}

function postmasterPidOf(pgDir) {
  const file = join(pgDir, 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

function tempDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `zhengwu-bench-${name}-`));
  chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user when we are root
  return dir;
}

/** A fresh embedded PostgreSQL in dir/pg with every migration and the demo organisation (users, units, roles). */
async function prepareDatabase(dir) {
  const { startEmbeddedPostgres } = require(join(dist, 'platform/embedded-postgres.js'));
  const { runMigrations, dataSourceOptions } = require(join(dist, 'platform/database.js'));
  const { seedDemo } = require(join(dist, 'seed/demo-seed.js'));
  const { DataSource } = require('typeorm');
  const pgDir = join(dir, 'pg');
  const pg = await startEmbeddedPostgres(pgDir, 'zhengwu');
  try {
    await runMigrations(pg.url);
    const ds = new DataSource(dataSourceOptions(pg.url));
    await ds.initialize();
    try {
      await seedDemo(ds, PASSWORD);
    } finally {
      await ds.destroy();
    }
  } catch (error) {
    await pg.stop().catch(() => undefined);
    throw error;
  }
  return { ...pg, dir: pgDir, postmasterPid: postmasterPidOf(pgDir) };
}

/** Environment of loadConfig for a platform on the bench's own database. */
function platformEnv(dir, databaseUrl, extra = {}) {
  return {
    ...process.env,
    DATA_DIR: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'false',
    ACCESS_TOKEN_TTL: '2h',
    WORKER_TOKEN: 'bench-worker-token-0123456789',
    ...extra,
  };
}

const cleanups = [];
let exiting = false;
async function runCleanups() {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch(() => undefined);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    runCleanups().finally(() => process.exit(130));
  });
}
/** Runs fn on the way out, also when the harness stops us (SIGTERM). Returns a function that runs it now. */
function onCleanup(fn) {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    const i = cleanups.indexOf(once);
    if (i >= 0) cleanups.splice(i, 1);
    return fn();
  };
  cleanups.push(once);
  return once;
}

/**
 * The platform of `npm start`, in this process, on its own embedded PostgreSQL, listening on 127.0.0.1 with a random
 * port; the demo organisation is there (password PASSWORD) but no demo cases (their documents would wait a minute for
 * workers). stop() stops it all and removes the temp dir.
 */
async function bootPlatform(name, extraEnv = {}) {
  const { loadConfig } = require(join(dist, 'platform/config.js'));
  const { startPlatform } = require(join(dist, 'platform/boot.js'));
  const { DataSource } = require('typeorm');
  const dir = tempDir(name);
  const removeDir = onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const pg = await prepareDatabase(dir);
  const stopPg = onCleanup(() => pg.stop());
  const config = loadConfig(platformEnv(dir, pg.url, extraEnv));
  const platform = await startPlatform(config, require('pino')({ level: 'silent' }));
  const stopPlatform = onCleanup(() => platform.stop());
  await sleep(150); // the ready banner is printed 100 ms after start; let it pass before our own lines
  return {
    platform,
    config,
    pg,
    dir,
    url: platform.internalUrl,
    ds: platform.app.get(DataSource),
    async stop() {
      await stopPlatform();
      await stopPg();
      await removeDir();
    },
  };
}

/** Logs in through HTTP (enrolling TOTP and answering it for the accounts that need it); returns the access token. */
async function login(url, username, password = PASSWORD) {
  const { status, body } = await loginOverHttp(url, username, password, sharedKeeper);
  if (status !== 200 || !body?.accessToken) throw new Error(`login ${username}: ${status} ${JSON.stringify(body)}`);
  return body.accessToken;
}

/** Runs main, then the cleanups; a failure prints its stack and exits 1 after cleaning up. */
function run(main) {
  main()
    .then(runCleanups)
    .then(() => process.exit(0))
    .catch(async (error) => {
      console.error(error);
      await runCleanups();
      process.exit(1);
    });
}

/**
 * pgbench, the baseline of the throughput targets (TPC-B: 5 statements per transaction, the ceiling for small write
 * transactions on this machine): PGBENCH=, else on PATH or in Debian's versioned directories.
 */
function findPgbench() {
  if (process.env.PGBENCH) return process.env.PGBENCH;
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')])
    if (existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  const lib = '/usr/lib/postgresql';
  if (existsSync(lib))
    for (const v of readdirSync(lib).sort().reverse()) if (existsSync(join(lib, v, 'bin/pgbench'))) return join(lib, v, 'bin/pgbench');
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

/** Creates and fills database zw_pgbench (scale 8) on the bench's server; returns pgbench's path, or undefined. */
async function preparePgbench(ds, databaseUrl, log) {
  const pgbench = findPgbench();
  if (!pgbench) {
    log('pgbench not found (install postgresql-client or set PGBENCH=): no baseline');
    return undefined;
  }
  log(`pgbench: ${pgbench}; initialising scale 8 in database zw_pgbench`);
  await ds.query('DROP DATABASE IF EXISTS zw_pgbench');
  await ds.query('CREATE DATABASE zw_pgbench');
  execFileSync(pgbench, ['-i', '-s', '8', '-q'], { env: pgbenchEnv(databaseUrl), stdio: 'ignore' });
  return pgbench;
}

/** TPC-B transactions per second with 8 clients for `seconds`. */
function pgbenchTps(pgbench, databaseUrl, seconds) {
  const out = execFileSync(pgbench, ['-n', '-c', '8', '-j', '2', '-T', String(seconds)], {
    env: pgbenchEnv(databaseUrl),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const match = /tps = ([\d.]+)/.exec(out);
  if (!match) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(match[1]);
}

module.exports = {
  root,
  findPgbench,
  pgbenchEnv,
  preparePgbench,
  pgbenchTps,
  dist,
  PASSWORD,
  ms,
  nowMs,
  sleep,
  median,
  percentile,
  round,
  logger,
  emit,
  cpuMeter,
  cpuTicks,
  postmasterPidOf,
  tempDir,
  prepareDatabase,
  platformEnv,
  bootPlatform,
  login,
  onCleanup,
  run,
};
