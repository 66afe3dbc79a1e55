'use strict';
/**
 * Scenario 5, start-up and memory. `node scripts/start.js` (what `npm start` runs: build check, embedded PostgreSQL,
 * migrations, api, workers) in a DATA_DIR temp dir whose embedded PostgreSQL is already initialised by a first start
 * (not timed), from spawning it to its "ready at" line; BENCH_RUNS starts (default 3), median. Each started platform
 * then serves the engine workload over HTTP (bench/engine.bench.js's HTTP client: 8 clients for BENCH_RSS_SECONDS,
 * default 10) and its resident memory (VmRSS) is read before and after. Baselines in the same run: PostgreSQL started
 * alone on the same data dir (the floor of a start), `node -e 0`, and the RSS at ready.
 */
const { execFileSync, spawn } = require('node:child_process');
const { readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { setTimeout, clearTimeout } = require('node:timers');
const s = require('./support');

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const RSS_SECONDS = Number(process.env.BENCH_RSS_SECONDS ?? 10);
const log = s.logger('startup');

const mb = (kb) => kb / 1024;
function status(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** The embedded PostgreSQL's superuser password, generated once into DATA_DIR/pg-password. */
function pgPassword(dir) {
  return readFileSync(join(dir, 'pg-password'), 'utf8').trim();
}

/** Spawns `node scripts/start.js`; resolves at its "ready at" line with the time it took and the database port. */
function start(dir) {
  const env = { ...s.platformEnv(dir, '', { LOG_LEVEL: process.env.BENCH_LOG ?? 'info', DEMO_PASSWORD: s.PASSWORD }) };
  delete env.DATABASE_URL;
  delete env.SEED_DEMO;
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(s.root, 'scripts/start.js')], { cwd: s.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = s.onCleanup(() => stopChild(child));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready at" within 5 minutes:\n${err}`)), 300_000);
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code} before ready:\n${err}`)));
    child.stdout.on('data', (d) => {
      out = (out + d).slice(-20_000);
      const ready = /ready at (\S+)/.exec(out);
      const db = /embedded PostgreSQL in .* at 127\.0\.0\.1:(\d+)/.exec(out);
      if (ready && db) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({
          child,
          ms: s.ms(t0),
          url: ready[1],
          databaseUrl: `postgres://postgres:${pgPassword(dir)}@127.0.0.1:${db[1]}/zhengwu`,
          stop,
        });
      }
    });
  });
}

/** SIGTERM (the platform stops workers, api and PostgreSQL in order); SIGKILL after 30 s. Resolves with the ms it took. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(0);
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve(s.ms(t0));
    });
    child.kill('SIGTERM');
  });
}

/** The engine workload of scenario 1 over HTTP, from its own client process. */
function engineWorkload(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'engine.bench.js'), '--http-client', JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`client exited ${code}`)),
    );
  });
}

async function pgStartAlone(dir) {
  const { startEmbeddedPostgres } = require(join(s.dist, 'platform/embedded-postgres.js'));
  const t0 = process.hrtime.bigint();
  const pg = await startEmbeddedPostgres(join(dir, 'pg'), 'zhengwu');
  const ms = s.ms(t0);
  await pg.stop();
  return ms;
}

/** `npm start`'s first step alone: `tsc -b` on the up-to-date tree and the web build's staleness check. */
function buildCheck() {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(s.root, 'scripts/build-if-stale.js'))}).buildIfStale()`], {
    cwd: s.root,
    stdio: 'ignore',
  });
  return s.ms(t0);
}

function nodeStart() {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '0']);
  return s.ms(t0);
}

async function main() {
  const dir = s.tempDir('startup');
  s.onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  log(`first start in ${dir}: initialises PostgreSQL, migrates, seeds the demo (not timed)`);
  const first = await start(dir);
  log(`first start ready after ${(first.ms / 1000).toFixed(1)} s`);
  await first.stop();

  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const pgMs = await pgStartAlone(dir);
    const nodeMs = nodeStart();
    const buildMs = buildCheck();
    const run = await start(dir);
    const pid = run.child.pid;
    await s.sleep(1000); // the demo cases' check and the workers' first polls
    const rssReady = status(pid, 'VmRSS');
    const { Client } = require('pg');
    const db = new Client({ connectionString: run.databaseUrl });
    await db.connect();
    const { rows } = await db.query(`SELECT id FROM users WHERE username = 'xutao'`);
    await db.query(`INSERT INTO user_roles (user_id, role) VALUES ($1, 'sysadmin') ON CONFLICT DO NOTHING`, [rows[0].id]);
    await db.end();
    const token = await s.login(run.url, 'xutao');
    const load = await engineWorkload({
      url: run.url,
      token,
      databaseUrl: run.databaseUrl,
      clients: 8,
      seconds: RSS_SECONDS,
      drafter: rows[0].id,
    });
    const rssAfter = status(pid, 'VmRSS');
    const peak = status(pid, 'VmHWM');
    const stopMs = await run.stop();
    runs.push({ startMs: run.ms, pgMs, nodeMs, buildMs, rssReady, rssAfter, peak, stopMs, commandsPerSecond: load.commandsPerSecond });
    log(
      `run ${r + 1}/${RUNS}: ready after ${(run.ms / 1000).toFixed(2)} s (PostgreSQL alone ${(pgMs / 1000).toFixed(2)} s, node -e 0 ${nodeMs.toFixed(0)} ms); ` +
        `RSS ${mb(rssReady).toFixed(0)} MB at ready, ${mb(rssAfter).toFixed(0)} MB after ${load.cases} cases over HTTP (${load.commandsPerSecond.toFixed(0)} commands/s), ` +
        `peak ${mb(peak).toFixed(0)} MB; stopped in ${(stopMs / 1000).toFixed(1)} s`,
    );
  }

  const med = (f) => s.median(runs.map(f));
  const figures = [
    {
      name: 'npm start → "ready at", PostgreSQL already initialised',
      value: s.round(med((r) => r.startMs / 1000)),
      unit: 's',
      baseline: { name: 'embedded PostgreSQL start alone', value: s.round(med((r) => r.pgMs / 1000)), unit: 's' },
      ratio: s.round(
        med((r) => r.startMs / r.pgMs),
        1,
      ),
      target: 'none (issue 7 asks for the figure)',
      runs: runs.map((r) => s.round(r.startMs / 1000)),
    },
    {
      name: `API RSS after the engine workload over HTTP (8 clients, ${RSS_SECONDS} s)`,
      value: Math.round(med((r) => mb(r.rssAfter))),
      unit: 'MB',
      baseline: { name: 'RSS at ready', value: Math.round(med((r) => mb(r.rssReady))), unit: 'MB' },
      ratio: s.round(med((r) => r.rssAfter / r.rssReady)),
      target: 'none (issue 7 asks for the figure)',
      runs: runs.map((r) => Math.round(mb(r.rssAfter))),
    },
  ];
  const notes = [
    `A start runs scripts/start.js as \`npm start\` does: \`tsc -b\` on the up-to-date tree and the web build's staleness check, the embedded PostgreSQL, ` +
      `migrations (none pending), the demo seed check, the Nest application with every module, and the workers in the same process. ` +
      `The first start of the data dir (initdb, migrations, the demo organisation and cases, their PDFs) took ${(first.ms / 1000).toFixed(1)} s and is not counted. ` +
      `Of a start, the build check alone (\`tsc -b\` and the web staleness check, run by itself) takes ${s.round(med((r) => r.buildMs / 1000))} s; ` +
      `\`node -e 0\` starts in ${Math.round(med((r) => r.nodeMs))} ms here. Stopping (SIGTERM: workers, api, PostgreSQL) took ${s.round(
        med((r) => r.stopMs / 1000),
        1,
      )} s.`,
    `RSS is the api process with its in-process workers (LOG_LEVEL ${process.env.BENCH_LOG ?? 'info'}, as npm start); peak (VmHWM) ${Math.round(med((r) => mb(r.peak)))} MB. ` +
      `The workload ran at ${Math.round(med((r) => r.commandsPerSecond))} commands/s.`,
  ].join('\n\n');
  s.emit({ scenario: 'startup', title: 'Start-up and memory (npm start)', figures, notes });
}

s.run(main);
