'use strict';
/**
 * Scenario 3, external tasks: BENCH_EXTERNAL_TASKS (default 10,000) external tasks drained by 4 unmodified
 * camunda-external-task-client-js workers, each its own process, over the real HTTP endpoints /engine-rest (long
 * polling: woken by LISTEN/NOTIFY, or handed a task made in the api's process directly). The backlog is made by one case started through the engine and cloned in SQL
 * with next_fetch_at = infinity, then released in one transaction with a NOTIFY: tasks/s is from that commit to the
 * last completion (every case verified completed). Hand-off latency: with the workers idle in their long poll, cases
 * are started one at a time through the engine service; from the commit of the start to the worker's handler being
 * called (clocks of one machine, sub-millisecond), p50/p95/p99. Baselines in the same run: a pg NOTIFY round trip
 * (NOTIFY on one connection to the notification on a LISTEN connection) for the latency, and plain HTTP round trips
 * (GET /api/health, 4 concurrent from a worker process) for the throughput. BENCH_RUNS runs (default 3), medians.
 */
const { fork } = require('node:child_process');
const { join } = require('node:path');
const { setTimeout } = require('node:timers');
const s = require('./support');

const SELF = join(__dirname, 'external-tasks.bench.js');

const TASKS = Math.max(100, Number(process.env.BENCH_EXTERNAL_TASKS ?? 10_000));
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const SAMPLES = Math.max(20, Number(process.env.BENCH_HANDOFF_SAMPLES ?? 200));
/** Longest a drain is timed; on a busy machine the rest of the backlog is withdrawn and the rate is of what was done. */
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 60);
const WORKERS = 4;
const TOPIC = 'zw-bench';
const KEY = 'bench-external';
/** Issue 15: hand-off p95 < 2 ms; external tasks/s with 4 real clients ≥ 0.15 × pgbench TPC-B in the same run. */
const TARGET_P95_MS = 2;
const TARGET_RATIO = 0.15;
/** Seconds of each pgbench baseline run. */
const PGBENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/**
 * The client's options. maxTasks 4 as apps/worker; at most 4 handlers at once per worker, so 4 workers' completions and
 * fetches stay within the api's 20 pooled connections (unbounded, 40 completions at once waited > 5 s for a connection
 * under load and were answered 500, leaving their tasks locked for lockDuration). interval 5 ms, not apps/worker's 300:
 * the client waits `interval` after every fetch, and the fetch long-polls anyway.
 */
const CLIENT = { maxTasks: 4, maxParallelExecutions: 4, lockDuration: 120_000, asyncResponseTimeout: 10_000, interval: 5 };
const log = s.logger('external-tasks');

const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_bench_ext" targetNamespace="https://zhengwu.example/bench">
<process id="${KEY}" name="外部任务基准" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="work" />
  <serviceTask id="work" name="外部处理" camunda:type="external" camunda:topic="${TOPIC}" />
  <sequenceFlow id="f1" sourceRef="work" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;

/** `--worker`: one camunda-external-task-client-js worker (ESM-only, hence the dynamic import) reporting over IPC. */
async function worker() {
  const { baseUrl, token, workerId } = JSON.parse(process.argv[3]);
  const { Client } = await import('camunda-external-task-client-js');
  const client = new Client({
    baseUrl: `${baseUrl}/engine-rest`,
    workerId,
    ...CLIENT,
    autoPoll: false,
    interceptors: (config) => ({ ...config, headers: { ...config.headers, Authorization: `Bearer ${token}` } }),
  });
  client.on('poll:error', (error) => process.stderr.write(`${workerId}: fetch failed: ${error.message}\n`));
  client.on('complete:error', (task, error) => {
    process.stderr.write(`${workerId}: complete failed: ${error.message}\n`);
    process.send({ type: 'failed', instanceId: task.processInstanceId });
  });
  client.on('complete:success', (task) => process.send({ type: 'completed', instanceId: task.processInstanceId }));
  client.subscribe(TOPIC, async ({ task, taskService }) => {
    process.send({ type: 'received', instanceId: task.processInstanceId, at: s.nowMs() });
    await taskService.complete(task);
  });
  process.on('message', async (message) => {
    if (message.type === 'start') {
      client.start();
      process.send({ type: 'started' });
    } else if (message.type === 'http-baseline') {
      process.send({ type: 'http-baseline', ...(await httpBaseline(baseUrl, message.seconds)) });
    } else if (message.type === 'stop') {
      client.stop();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}

/** Plain HTTP round trips: GET /api/health (one SELECT 1) from 4 concurrent loops. */
async function httpBaseline(baseUrl, seconds) {
  const until = Date.now() + seconds * 1000;
  let n = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (Date.now() < until) {
        const res = await fetch(`${baseUrl}/api/health`);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`health answered ${res.status}`);
        n += 1;
      }
    }),
  );
  return { rps: n / (s.ms(t0) / 1000) };
}

function startWorkers(stack) {
  const workers = [];
  const listeners = new Set();
  for (let i = 0; i < WORKERS; i++) {
    const child = fork(
      SELF,
      ['--worker', JSON.stringify({ baseUrl: stack.url, token: stack.config.workerToken, workerId: `bench-worker-${i + 1}` })],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    child.on('message', (m) => {
      for (const l of listeners) l(m, i);
    });
    workers.push(child);
  }
  const stop = s.onCleanup(async () => {
    for (const w of workers) {
      if (w.exitCode !== null) continue;
      w.send({ type: 'stop' }, () => undefined);
      setTimeout(() => w.exitCode === null && w.kill('SIGKILL'), 2000).unref();
    }
    await Promise.all(workers.map((w) => (w.exitCode !== null ? undefined : new Promise((r) => w.once('exit', r)))));
  });
  const waitFor = (type, count) =>
    new Promise((resolve) => {
      let n = 0;
      const l = (m) => {
        if (m.type === type && ++n === count) {
          listeners.delete(l);
          resolve();
        }
      };
      listeners.add(l);
    });
  return { workers, listeners, waitFor, stop };
}

/** A NOTIFY on one connection to its notification on a LISTEN connection, one at a time. */
async function notifyRoundTrip(databaseUrl, samples) {
  const { Client } = require('pg');
  const listener = new Client({ connectionString: databaseUrl });
  const sender = new Client({ connectionString: databaseUrl });
  await listener.connect();
  await sender.connect();
  try {
    await listener.query('LISTEN zw_bench_rtt');
    const latencies = [];
    for (let i = 0; i < samples; i++) {
      const got = new Promise((resolve) => listener.once('notification', () => resolve(s.nowMs())));
      const t0 = s.nowMs();
      await sender.query(`NOTIFY zw_bench_rtt, '${i}'`);
      latencies.push((await got) - t0);
    }
    return latencies.sort((a, b) => a - b);
  } finally {
    await listener.end();
    await sender.end();
  }
}

async function main() {
  const { EngineService } = require(join(s.dist, 'engine/engine.service.js'));
  const { DefinitionsService } = require(join(s.dist, 'engine/definitions.service.js'));
  log('booting the platform on a fresh embedded PostgreSQL');
  const stack = await s.bootPlatform('external', process.env.BENCH_LOG ? { LOG_LEVEL: process.env.BENCH_LOG } : {});
  const { ds } = stack;
  const engine = stack.platform.app.get(EngineService);
  await stack.platform.app.get(DefinitionsService).deploy(DIAGRAM, { source: 'bench' });
  const pgbench = await s.preparePgbench(ds, stack.pg.url, log);
  const pool = startWorkers(stack);
  await pool.waitFor('ready', WORKERS);

  // Per run: received/completed per instance, as the workers report them.
  let onReceived = () => undefined;
  let completedCount = 0;
  let onCompleted = () => undefined;
  let failures = 0;
  pool.listeners.add((m) => {
    if (m.type === 'received') onReceived(m);
    if (m.type === 'failed') failures += 1;
    if (m.type === 'completed') {
      completedCount += 1;
      onCompleted(m);
    }
  });
  const started = pool.waitFor('started', WORKERS);
  for (const w of pool.workers) w.send({ type: 'start' });
  await started;
  await s.sleep(500);

  const runs = [];
  const perRun = Math.ceil(TASKS / RUNS);
  for (let r = 0; r < RUNS; r++) {
    // Hand-off latency: one case at a time, the workers idle in their long poll.
    const handoffs = [];
    const fromCall = [];
    // Statements the api sends per hand-off case: its start, the hand-off (a fetch, or none when handed directly), its completion.
    const PgClient = require('pg').Client;
    const plainQuery = PgClient.prototype.query;
    let handoffStatements = 0;
    PgClient.prototype.query = function (...args) {
      handoffStatements += 1;
      return plainQuery.apply(this, args);
    };
    for (let i = 0; i < SAMPLES; i++) {
      let committedAt = 0;
      const received = new Promise((resolve) => (onReceived = (m) => resolve(m)));
      const completed = new Promise((resolve) => (onCompleted = () => resolve()));
      const callAt = s.nowMs();
      const { id } = await engine.startProcess(KEY, { variables: { n: i } });
      committedAt = s.nowMs();
      const m = await received;
      if (m.instanceId !== id) throw new Error(`worker received ${m.instanceId}, expected ${id}`);
      handoffs.push(m.at - committedAt);
      fromCall.push(m.at - callAt);
      await completed;
      await s.sleep(15); // every worker back in its long poll
    }
    onReceived = () => undefined;
    onCompleted = () => undefined;
    PgClient.prototype.query = plainQuery;
    handoffs.sort((a, b) => a - b);
    fromCall.sort((a, b) => a - b);
    const notify = await notifyRoundTrip(stack.pg.url, SAMPLES);

    // Throughput: a backlog released at once.
    const { id: template } = await engine.startProcess(KEY, { variables: { n: 'backlog' } });
    // The template's task may already be taken by a worker; the clones are made from its state as started.
    const [tpl] = await ds.query(`SELECT state, variables, definition_id FROM process_instances WHERE id = $1`, [template]);
    const [wait] = await ds.query(`SELECT wait_id, activity_id FROM external_tasks WHERE instance_id = $1`, [template]);
    await waitUntil(
      async () => (await ds.query(`SELECT status FROM process_instances WHERE id = $1`, [template]))[0].status === 'completed',
    );
    const t0seed = process.hrtime.bigint();
    const batch = `bench-run-${r}`;
    await ds.query(
      `WITH ins AS (
         INSERT INTO process_instances (definition_id, definition_key, business_key, status, state, variables)
         SELECT $1, $2, $3, 'running', $4::jsonb, $5::jsonb FROM generate_series(1, $6) RETURNING id)
       INSERT INTO external_tasks (instance_id, wait_id, activity_id, topic, definition_key, business_key, next_fetch_at)
       SELECT ins.id, $7, $8, $9, $2, $3, 'infinity' FROM ins`,
      [
        tpl.definition_id,
        KEY,
        batch,
        JSON.stringify(tpl.state),
        JSON.stringify(tpl.variables),
        perRun,
        wait.wait_id,
        wait.activity_id,
        TOPIC,
      ],
    );
    await ds.query('ANALYZE external_tasks');
    await ds.query('ANALYZE process_instances');
    log(`run ${r + 1}/${RUNS}: ${perRun} tasks seeded in ${(s.ms(t0seed) / 1000).toFixed(1)} s; releasing`);
    completedCount = 0;
    const done = new Promise((resolve) => (onCompleted = () => completedCount >= perRun && resolve()));
    const meter = s.cpuMeter(stack.pg.postmasterPid);
    // Statements the api sends while draining (fetches, completions, the archiving cases they start), per task.
    const { Client } = require('pg');
    const query = Client.prototype.query;
    let statements = 0;
    Client.prototype.query = function (...args) {
      statements += 1;
      return query.apply(this, args);
    };
    const t0 = process.hrtime.bigint();
    await ds.transaction(async (m) => {
      await m.query(`UPDATE external_tasks SET next_fetch_at = now() WHERE business_key = $1 AND status = 'open'`, [batch]);
      await m.query(`SELECT pg_notify('zw_external_task', '')`);
    });
    const capped = await Promise.race([done.then(() => false), s.sleep(DRAIN_SECONDS * 1000).then(() => true)]);
    const seconds = s.ms(t0) / 1000;
    const drained = Math.min(completedCount, perRun);
    const cpu = meter();
    Client.prototype.query = query;
    if (capped) {
      // Withdraw what is left; wait for the completions in flight.
      await ds.query(
        `UPDATE external_tasks SET next_fetch_at = 'infinity' WHERE business_key = $1 AND status = 'open' AND worker_id IS NULL`,
        [batch],
      );
      await waitUntil(
        async () =>
          (
            await ds.query(
              `SELECT count(*)::int AS n FROM external_tasks WHERE business_key = $1 AND status = 'open' AND worker_id IS NOT NULL`,
              [batch],
            )
          )[0].n === 0,
      );
      await s.sleep(200);
    }
    const completedCases = async () =>
      (await ds.query(`SELECT count(*)::int AS n FROM process_instances WHERE business_key = $1 AND status = 'completed'`, [batch]))[0].n;
    await waitUntil(async () => completedCount >= (await completedCases()), 10_000).catch(() => undefined); // the workers' last messages
    onCompleted = () => undefined;
    const [check] = await ds.query(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*)::int AS total FROM process_instances WHERE business_key = $1`,
      [batch],
    );
    if (check.completed !== completedCount)
      throw new Error(`run ${r + 1}: workers completed ${completedCount}, ${check.completed} cases are completed`);
    if (!capped && check.completed !== perRun) throw new Error(`run ${r + 1}: ${check.completed} of ${check.total} cases completed`);
    const http = await new Promise((resolve) => {
      const l = (m) => {
        if (m.type === 'http-baseline') {
          pool.listeners.delete(l);
          resolve(m);
        }
      };
      pool.listeners.add(l);
      pool.workers[0].send({ type: 'http-baseline', seconds: 2 });
    });
    // The baseline of this run, with the workers idle in their long poll.
    const tps = pgbench ? s.pgbenchTps(pgbench, stack.pg.url, PGBENCH_SECONDS) : undefined;
    const run = {
      tps,
      statementsPerTask: statements / Math.max(1, drained),
      statementsPerHandoffCase: handoffStatements / SAMPLES,
      tasksPerSecond: drained / seconds,
      seconds,
      drained,
      cpu,
      handoff: { p50: s.percentile(handoffs, 50), p95: s.percentile(handoffs, 95), p99: s.percentile(handoffs, 99) },
      fromCall: { p50: s.percentile(fromCall, 50), p95: s.percentile(fromCall, 95), p99: s.percentile(fromCall, 99) },
      notify: { p50: s.percentile(notify, 50), p95: s.percentile(notify, 95), p99: s.percentile(notify, 99) },
      httpRps: http.rps,
    };
    runs.push(run);
    log(
      `run ${r + 1}/${RUNS}: ${drained} of ${perRun} tasks drained in ${seconds.toFixed(1)} s${capped ? ' (time cap: the rest withdrawn)' : ''} = ${run.tasksPerSecond.toFixed(0)} tasks/s; ` +
        `hand-off p50/p95/p99 ${run.handoff.p50.toFixed(1)}/${run.handoff.p95.toFixed(1)}/${run.handoff.p99.toFixed(1)} ms ` +
        `(NOTIFY round trip p95 ${run.notify.p95.toFixed(2)} ms; ${run.statementsPerHandoffCase.toFixed(1)} statements per hand-off case); GET /api/health ${http.rps.toFixed(0)} req/s; pgbench ${tps ? tps.toFixed(0) : '-'} tps`,
    );
  }
  await pool.stop();
  await ds.query('DROP DATABASE IF EXISTS zw_pgbench').catch(() => undefined);
  const pgVersion = (await ds.query('SHOW server_version'))[0].server_version;
  await stack.stop();

  const med = (f) => s.median(runs.map(f));
  const latencyFigure = (p) => {
    const figure = {
      name: `hand-off latency p${p}, task created → long-polling worker has it`,
      value: s.round(med((r) => r.handoff[`p${p}`])),
      unit: 'ms',
      baseline: { name: `pg NOTIFY round trip p${p}`, value: s.round(med((r) => r.notify[`p${p}`])), unit: 'ms' },
      ratio: s.round(
        med((r) => r.handoff[`p${p}`] / r.notify[`p${p}`]),
        1,
      ),
      runs: runs.map((r) => s.round(r.handoff[`p${p}`])),
    };
    if (p === 95) {
      figure.target = `p95 < ${TARGET_P95_MS} ms`;
      figure.met = figure.value < TARGET_P95_MS;
    } else figure.target = 'none (the target is set for p95)';
    return figure;
  };
  const figures = [
    {
      name: `tasks/s, ${runs.length} × ${perRun} tasks released to ${WORKERS} workers`,
      value: s.round(
        med((r) => r.tasksPerSecond),
        1,
      ),
      unit: 'tasks/s',
      ...(pgbench
        ? {
            baseline: {
              name: 'pgbench TPC-B -c 8 -j 2',
              value: s.round(
                med((r) => r.tps),
                1,
              ),
              unit: 'tps',
            },
            ratio: s.round(med((r) => r.tasksPerSecond / r.tps)),
            target: `ratio >= ${TARGET_RATIO}`,
            // Judged on the unrounded median ratio.
            met: med((r) => r.tasksPerSecond / r.tps) >= TARGET_RATIO,
          }
        : { target: `ratio >= ${TARGET_RATIO} (no pgbench: not judged)` }),
      runs: runs.map((r) => s.round(r.tasksPerSecond, 1)),
    },
    latencyFigure(50),
    latencyFigure(95),
    latencyFigure(99),
  ];
  const notes = [
    `PostgreSQL ${pgVersion} (embedded). ${WORKERS} worker processes, each an unmodified camunda-external-task-client-js Client ` +
      `(maxTasks ${CLIENT.maxTasks}, asyncResponseTimeout ${CLIENT.asyncResponseTimeout} ms, interval ${CLIENT.interval} ms) on one topic, at most 4 handlers at once per worker (maxParallelExecutions), each completing its task at once.`,
    `Drained per run: ${runs.map((r) => r.drained).join(', ')} of ${perRun} (a drain is timed for at most ${DRAIN_SECONDS} s, BENCH_DRAIN_SECONDS; ` +
      `on a busy machine the rest is withdrawn and the rate is of the tasks done). ` +
      `Each drained task costs a share of a fetchAndLock transaction (UPDATE … FOR UPDATE SKIP LOCKED of up to ${CLIENT.maxTasks}) and one complete transaction, ` +
      `in which the engine recovers the case, steps it to its end and writes state, history and wait rows. ` +
      `SQL statements the api sent per drained task (its share of the fetches, the completion's transaction, BEGIN and COMMIT included): ` +
      `${s.round(
        med((r) => r.statementsPerTask),
        1,
      )}. ` +
      `Plain HTTP round trips for comparison (GET /api/health, ${WORKERS} concurrent from a worker process): ${s.round(
        med((r) => r.httpRps),
        0,
      )} req/s. ` +
      `CPU while draining (median, % of one core): API process ${med((r) => r.cpu.node)} %, PostgreSQL ${med((r) => r.cpu.postgres)} %, machine ${med((r) => r.cpu.machine)} % (workers included). ` +
      `Completions answered with an error: ${failures}.`,
    `Hand-off measured from the start call returning (its transaction committed) to the worker's handler running; ` +
      `from the start call being made it is p50/p95/p99 ${s.round(med((r) => r.fromCall.p50))}/${s.round(med((r) => r.fromCall.p95))}/${s.round(med((r) => r.fromCall.p99))} ms. ` +
      `${SAMPLES} cases per run, one at a time; SQL statements the api sent per such case (its start, its hand-off, its completion, BEGIN and ` +
      `COMMIT included): ${s.round(
        med((r) => r.statementsPerHandoffCase),
        1,
      )}. The path (direct hand-off, the cases start in the api's process where the workers' long polls ` +
      `are parked): the new task's INSERT already locks it to the oldest parked poll of its topic → at COMMIT that poll is answered with the task ` +
      `and the case's variables as the starting transaction wrote them (no NOTIFY, no fetch statement) → HTTP answer → the client calls the handler. ` +
      `A task made in another process, or when no poll is parked, goes as before: its INSERT's NOTIFY wakes the oldest poll of the topic, which ` +
      `runs its one-statement UPDATE … SKIP LOCKED … RETURNING.`,
    `apps/worker runs its client with interval 300 ms: after every fetch that returns tasks it waits 300 ms before fetching again, so a burst of tasks drains ` +
      `at most maxTasks (4) per 300 ms per worker process, and a task created during that pause waits for it. With long polling the interval buys nothing.`,
    `A completion is one transaction of 8 statements: BEGIN; the case locked by task id and the task closed in one statement (an UPDATE that waits ` +
      `for the case's lock and is also the check that this worker holds the task); the case's state with its history in one; the question whether ` +
      `the ended case is being archived already; the latest case-archiving version; that case's row with its history in one; its external task with ` +
      `its NOTIFY; COMMIT. All of them named prepared statements whose generic plan is kept; the worker's token is checked without the database.`,
    figures[2].met
      ? `The p95 target is met; what is left is mostly scheduling on a shared 2-core machine (the path is a few round trips).`
      : `**Why the p95 target is missed.** The path is short (NOTIFY, one statement, one HTTP answer, the client's parse) but every step needs a ` +
        `core: on two cores shared with PostgreSQL, the api, four worker processes and the bench itself, a step that waits for a core waits a ` +
        `scheduler slice (milliseconds). The p95 follows the machine's load (load average before this scenario is in its header); the p50 is the ` +
        `path's own cost.`,
    `Throughput is the engine's: each completion recovers and finishes the case and, as every ended case is archived, starts a case-archiving case ` +
      `in the same transaction; see the engine scenario for what limits a command.`,
  ].join('\n\n');
  s.emit({ scenario: 'external-tasks', title: 'External tasks (camunda-external-task-client-js over /engine-rest)', figures, notes });
}

async function waitUntil(check, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await s.sleep(20);
  }
}

if (process.argv[2] === '--worker') worker().catch((error) => (console.error(error), process.exit(1)));
else s.run(main);
