import { findFreePort } from '../../apps/api/src/platform/embedded-postgres';
import { TestSmtp } from '../support/smtp';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import {
  call,
  childPids,
  deploy,
  duplicateCompletions,
  engineDisagreements,
  kill9Pid,
  login,
  reliability,
  removeDir,
  sleep,
  spawnPlatform,
  startCamundaWorker,
  tempDir,
  TIMER_XML,
  waitFor,
  type CamundaWorker,
  type RealProcess,
  stopTail,
} from './support';

const TOKEN = 'fault-replicas-worker-token-0123456789';
const KEY = 'fault-replica';
const TOPIC = 'zw-replica-work';
/** Short, so that an external task whose answer died with an api process is handed out again soon. */
const EXTERNAL_LOCK_MS = 5000;

/** A person's step, an external task, a short timer, a second step: every kind of work the replicas share. */
const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_fault_replica" targetNamespace="https://zhengwu.example/bpmn">
<process id="${KEY}" name="故障演练·多副本" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="发起" /><sequenceFlow id="f0" sourceRef="s" targetRef="t1" />
  <userTask id="t1" name="初审" camunda:assignee="\${assignee}" /><sequenceFlow id="f1" sourceRef="t1" targetRef="work" />
  <serviceTask id="work" name="自动处理" camunda:type="external" camunda:topic="${TOPIC}" /><sequenceFlow id="f2" sourceRef="work" targetRef="wait" />
  <intermediateCatchEvent id="wait" name="等待两秒"><timerEventDefinition><timeDuration>PT2S</timeDuration></timerEventDefinition></intermediateCatchEvent>
  <sequenceFlow id="f3" sourceRef="wait" targetRef="t2" />
  <userTask id="t2" name="复审" camunda:assignee="\${assignee}" /><sequenceFlow id="f4" sourceRef="t2" targetRef="e" />
  <endEvent id="e" name="办结" />
</process></definitions>`;

/**
 * Fault 6: replicas. `npm start` with API_PROCESSES=2 (two complete api processes on one port),
 * two real worker processes (`npm run worker`: mail over a real SMTP server, archiving) and two
 * camunda-external-task-client-js processes on one PostgreSQL. Under load — cases started, steps
 * approved by clients racing for the same task, external tasks, timers, mail — one api process is
 * killed with -9; once the primary has restarted it, the other one is. Afterwards, against the
 * database and what the SMTP server received: every acknowledged command is there once, no task
 * or step is completed twice, each timer fired once, each mail was delivered once, every ended
 * case was archived once, and the cluster served throughout.
 */
describe('fault: kill -9 of one of two api processes under load', () => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let platform: RealProcess | undefined;
  const smtp = new TestSmtp();
  const workers: WorkerProcess[] = [];
  const clients: CamundaWorker[] = [];

  afterAll(async () => {
    for (const c of clients) await c.kill9();
    for (const w of workers) await w.stop();
    await platform?.kill9();
    await smtp.stop();
    await db?.drop();
    removeDir(dataDir);
  });

  it('loses and doubles nothing acknowledged, fires each timer once, mails each message once, and keeps serving', async () => {
    const begun = Date.now();
    db = await createTestDatabase();
    dataDir = tempDir('zhengwu-fault-replicas-');
    await smtp.start();
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    platform = await spawnPlatform(
      {
        DATABASE_URL: db.url,
        SEED_DEMO: 'false',
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        WORKER_TOKEN: TOKEN,
        API_PROCESSES: '2',
        // The workers run as processes of their own below.
        RUN_WORKERS: 'false',
        MAIL_RETRY_BASE_MS: '500',
        MAIL_RETRY_MAX_MS: '2000',
      },
      240_000,
    );
    const primary = platform.child.pid!;
    const original = childPids(primary);
    expect(original).toHaveLength(2);
    expect(platform.output()).toMatch(/api processes: 2 /);

    const q = db.dataSource;
    const admin = await login(base, 'admin');
    await deploy(base, admin.token, DIAGRAM);
    await deploy(base, admin.token, TIMER_XML);
    const people = await Promise.all(['lina', 'yangfan', 'zhangwei'].map((u) => login(base, u)));
    // Mail written before the load (the logins' notices, if any) is not this test's to count.
    const [{ baseline }]: { baseline: string }[] = await q.query(`SELECT coalesce(max(id), 0)::text AS baseline FROM outbox`);

    const smtpUrl = `smtp://127.0.0.1:${smtp.port}`;
    for (const id of ['replica-w1', 'replica-w2'])
      workers.push(await startWorkerProcess(base, TOKEN, { SMTP_URL: smtpUrl, WORKER_ID: id }));
    for (const id of ['ext-1', 'ext-2'])
      clients.push(startCamundaWorker(`${base}/engine-rest`, TOKEN, TOPIC, id, 'complete', EXTERNAL_LOCK_MS));

    // ---- load -------------------------------------------------------------------------------
    const startsAcked: string[] = [];
    const approvalsAcked: string[] = [];
    const acks: number[] = [];
    const statuses = new Map<string, number>();
    const count = (kind: string): void => void statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
    // A 5xx is counted with the error code the api gave (DATABASE_UNAVAILABLE, INTERNAL_ERROR…), to say why.
    const outcome = (res: { status: number; error?: string; body: unknown }): string =>
      res.status >= 500 ? `${res.status}:${(res.body as { code?: string } | undefined)?.code ?? '?'}` : String(res.status || res.error);
    let starting = true;
    let approving = true;

    const starter = async (n: number): Promise<void> => {
      for (let i = 0; starting; i += 1) {
        const who = people[(n + i) % people.length];
        const res = await call<{ id: string }>(`${base}/api/process-instances`, {
          token: admin.token,
          body: { key: KEY, businessKey: `replica-${n}-${i}`, variables: { assignee: who.userId } },
        });
        count(`start:${outcome(res)}`);
        if (res.status === 201) {
          startsAcked.push(res.body.id);
          acks.push(Date.now());
          // A steady stream, not a flood: the two cores also run both apis, four workers and PostgreSQL.
          await sleep(150);
        } else await sleep(res.status === 0 ? 100 : 50);
      }
    };
    // Two clients per person take the first task of the same inbox: they race, and only one may win.
    const approver = async (who: { token: string }): Promise<void> => {
      while (approving) {
        const list = await call<{ items: { id: string }[] }>(`${base}/api/tasks?view=todo&process=${KEY}&limit=3`, { token: who.token });
        count(`list:${outcome(list)}`);
        const task = list.status === 200 ? list.body.items[0] : undefined;
        if (!task) {
          await sleep(list.status === 0 ? 100 : 200);
          continue;
        }
        const res = await call(`${base}/api/tasks/${task.id}/actions`, { token: who.token, body: { action: 'approve', comment: '同意' } });
        count(`approve:${outcome(res)}`);
        if (res.status === 200) {
          approvalsAcked.push(task.id);
          acks.push(Date.now());
        }
      }
    };
    const loops = [starter(0), starter(1), ...people.flatMap((p) => [approver(p), approver(p)])];
    const restarts = (): number => (platform!.output().match(/restarted and serving/g) ?? []).length;
    const acksSince = (t: number): number => acks.filter((a) => a >= t).length;

    // ---- the faults -------------------------------------------------------------------------
    // In the middle of real traffic: once cases are at every stage (a loaded machine is slower), or after 60 s.
    const loadBegun = Date.now();
    await waitFor('load at every stage', async () => approvalsAcked.length >= 25 || Date.now() - loadBegun > 60_000, 70_000);
    // Timers due 5 s from now, started just before each kill: both processes' schedulers race for them
    // while one of them dies and the other is alone.
    const timerCases: string[] = [];
    const timerBurst = async (): Promise<void> => {
      for (let i = 0; i < 4; i += 1) {
        const res = await call<{ id: string }>(`${base}/api/process-instances`, {
          token: admin.token,
          body: { key: 'fault-timer', variables: { assignee: people[i % people.length].userId } },
          timeoutMs: 30_000,
        });
        expect(res.status).toBe(201);
        timerCases.push(res.body.id);
      }
    };
    await timerBurst();
    const pendingTimers = async (): Promise<number> => {
      const [{ n }]: { n: number }[] = await q.query(
        `SELECT count(*)::int AS n FROM timers WHERE status = 'pending' AND instance_id = ANY($1)`,
        [timerCases],
      );
      return n;
    };
    const timersPendingAtKill = await pendingTimers();
    const acksBeforeKill = acks.length;
    const firstKilled = original[0];
    await kill9Pid(primary, firstKilled);
    // From here on every answer came from a live process: the survivor, or the new one once it says so.
    const killedAt = Date.now();
    // The other process serves alone until the primary has started a new one.
    await waitFor('the restarted api process', async () => restarts() >= 1, 180_000, 250);
    const firstBackAt = Date.now();
    const acksWhileOneDown = acks.filter((a) => a >= killedAt && a < firstBackAt).length;
    await waitFor('traffic through the restarted process', async () => acksSince(firstBackAt) >= 10, 60_000);
    // Now the survivor goes: the one that was restarted must carry the load.
    const secondKilled = original[1];
    await timerBurst();
    const timersPendingAtSecondKill = await pendingTimers();
    await kill9Pid(primary, secondKilled);
    const secondKilledAt = Date.now();
    await waitFor('the second restart', async () => restarts() >= 2, 180_000, 250);
    const secondBackAt = Date.now();
    const acksWhileOnlyRestarted = acks.filter((a) => a >= secondKilledAt && a < secondBackAt).length;
    await waitFor('traffic after both restarts', async () => acksSince(secondBackAt) >= 10, 60_000);
    const now = childPids(primary);

    // ---- drain: no new cases; every started case runs to its end ---------------------------
    starting = false;
    await Promise.all(loops.slice(0, 2));
    const drainBegun = Date.now();
    await waitFor(
      'every acknowledged case to end',
      async () => {
        const [{ running }]: { running: number }[] = await q.query(
          `SELECT count(*)::int AS running FROM process_instances WHERE definition_key = $1 AND status = 'running'`,
          [KEY],
        );
        return running === 0;
      },
      // An external task or mail whose answer died with a process waits out its lock (5 s, the platform's 2 min).
      240_000,
      500,
    );
    approving = false;
    await Promise.all(loops);
    const casesEndedMs = Date.now() - drainBegun;
    const ours = async (): Promise<{ id: string; status: string; note: string | null; message_id: string }[]> =>
      q.query(`SELECT id::text, status, note, '<outbox-' || id || '@zhengwu.local>' AS message_id FROM outbox WHERE id > $1`, [baseline]);
    await waitFor('the outbox to drain', async () => (await ours()).every((r) => r.status !== 'pending'), 240_000, 500);
    const archiving = async (): Promise<{ cases: number; packages: number; running: number }> => {
      const [row]: { cases: number; packages: number; running: number }[] = await q.query(
        `SELECT (SELECT count(*)::int FROM process_instances WHERE definition_key = $1) AS cases,
                (SELECT count(*)::int FROM archive_packages p JOIN process_instances i ON i.id = p.instance_id WHERE i.definition_key = $1) AS packages,
                (SELECT count(*)::int FROM process_instances WHERE definition_key = 'case-archiving' AND status = 'running') AS running`,
        [KEY],
      );
      return row;
    };
    await waitFor(
      'every ended case archived',
      async () => {
        const a = await archiving();
        return a.packages === a.cases && a.running === 0;
      },
      240_000,
      500,
    );
    await waitFor('the timer-only cases to fire', async () => (await pendingTimers()) === 0, 60_000, 500);
    await waitFor('the outbox to drain again', async () => (await ours()).every((r) => r.status !== 'pending'), 240_000, 500);
    await sleep(3000); // a late duplicate mail would arrive now
    const stopCode = await platform.stop();

    // ---- the accounts -----------------------------------------------------------------------
    const found: { id: string }[] = await q.query(`SELECT id FROM process_instances WHERE id = ANY($1)`, [startsAcked]);
    const missingStarts = startsAcked.length - found.length;
    const done: { id: string; actions: number }[] = await q.query(
      `SELECT t.id, (SELECT count(*) FROM task_actions a WHERE a.task_id = t.id AND a.action = 'approve')::int AS actions
         FROM tasks t WHERE t.id = ANY($1) AND t.status = 'completed'`,
      [approvalsAcked],
    );
    const uniqueApprovals = new Set(approvalsAcked);
    const missingApprovals = [...uniqueApprovals].filter((id) => !done.some((d) => d.id === id)).length;
    const ackedTwice = approvalsAcked.length - uniqueApprovals.size;
    const duplicates = await duplicateCompletions(q, [KEY, 'fault-timer']);
    const agreement = await engineDisagreements(q, [KEY, 'fault-timer']);
    // The timer-only cases: each timer fired, and the step after it exists once.
    const [timerOnly]: { fired: number; after: number }[] = await q.query(
      `SELECT (SELECT count(*)::int FROM timers WHERE instance_id = ANY($1) AND status = 'fired') AS fired,
              (SELECT count(*)::int FROM tasks WHERE instance_id = ANY($1) AND activity_id = 'after') AS after`,
      [timerCases],
    );
    const [cases]: { total: number; completed: number; tasks: number }[] = await q.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'completed')::int AS completed,
              (SELECT count(*)::int FROM tasks WHERE definition_key = $1) AS tasks
         FROM process_instances WHERE definition_key = $1`,
      [KEY],
    );

    // External tasks: one row per case, completed once; no completion acknowledged to two clients.
    const external: { rows: number; completed: number; doubled: number }[] = await q.query(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE status = 'completed')::int AS completed,
              (SELECT count(*)::int FROM (SELECT 1 FROM external_tasks WHERE topic = $1 GROUP BY instance_id, activity_id HAVING count(*) > 1) d) AS doubled
         FROM external_tasks WHERE topic = $1`,
      [TOPIC],
    );
    const completedByClients = clients.flatMap((c) => c.completed());
    const lockedByClients = clients.flatMap((c) => c.locked());
    const externalAckedTwice = completedByClients.length - new Set(completedByClients).size;

    // Timers: one row per case, fired; each activity of a case entered and left at most once in the history.
    const [timers]: { rows: number; fired: number; cases: number }[] = await q.query(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE t.status = 'fired')::int AS fired, count(DISTINCT t.instance_id)::int AS cases
         FROM timers t JOIN process_instances i ON i.id = t.instance_id WHERE i.definition_key = $1`,
      [KEY],
    );
    const [history]: { doubled: number; secondSteps: number }[] = await q.query(
      `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM engine_history h JOIN process_instances i ON i.id = h.instance_id
                 WHERE i.definition_key IN ($1, 'fault-timer') AND h.activity_id IS NOT NULL
                 GROUP BY h.instance_id, h.activity_id, h.event HAVING count(*) > 1) d) AS doubled,
              (SELECT count(DISTINCT h.instance_id)::int FROM engine_history h JOIN process_instances i ON i.id = h.instance_id
                 WHERE i.definition_key = $1 AND h.activity_id = 't2') AS "secondSteps"`,
      [KEY],
    );

    // Mail: every message of the outbox delivered or closed, each delivered one received exactly once.
    const rows = await ours();
    const received = new Map<string, number>();
    for (const r of smtp.received) received.set(r.mail.messageId ?? '', (received.get(r.mail.messageId ?? '') ?? 0) + 1);
    const delivered = rows.filter((r) => r.status === 'delivered');
    // Closed unsent, with the reason: a 待办 already done when its turn came (the approvers are quick).
    const skipped = rows.filter((r) => r.status === 'skipped');
    const mailMissing = delivered.filter((r) => !received.has(r.message_id)).length;
    const mailDuplicated = [...received.values()].filter((n) => n > 1).length;
    const mailStrangers = [...received.keys()].filter((id) => !delivered.some((r) => r.message_id === id)).length;
    const [{ taskMails }]: { taskMails: number }[] = await q.query(
      `SELECT count(*)::int AS "taskMails" FROM outbox o JOIN tasks t ON t.id::text = o.payload->>'taskId'
        WHERE o.id > $1 AND o.topic = 'task.created' AND t.definition_key = $2`,
      [baseline, KEY],
    );

    // Archive: each ended case once, the numbers of each series without a gap.
    const archive = await archiving();
    const series: { series: string; n: number; max: number }[] = await q.query(
      `SELECT fonds || year || retention || unit_code AS series, count(*)::int AS n, max(item_no)::int AS max FROM archive_packages GROUP BY 1`,
    );

    const http5xx = [...statuses].filter(([k]) => /:5\d\d(?::|$)/.test(k));
    reliability('replicas-kill-9', {
      apiProcesses: 2,
      workerProcesses: workers.length,
      externalTaskClients: clients.length,
      startsAcked: startsAcked.length,
      approvalsAcked: approvalsAcked.length,
      acksBeforeKill,
      acksWhileOneDown,
      acksWhileOnlyRestarted,
      restartMs: firstBackAt - killedAt,
      secondRestartMs: secondBackAt - secondKilledAt,
      missing: missingStarts + missingApprovals,
      ackedTwice,
      duplicateActions: duplicates.doubleActions,
      duplicateSteps: duplicates.doubleSteps,
      conflicts409: statuses.get('approve:409') ?? 0,
      cutOff: [...statuses]
        .filter(([k]) => /:(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|TimeoutError|TypeError|0)$/.test(k))
        .reduce((n, [, v]) => n + v, 0),
      http5xx: http5xx.reduce((n, [, v]) => n + v, 0),
      cases: cases.total,
      casesCompleted: cases.completed,
      engineRowMismatches: agreement.problems.length,
      externalTasks: external[0].rows,
      externalLocks: lockedByClients.length,
      externalCompletedAcked: completedByClients.length,
      externalAckedTwice,
      externalDoubled: external[0].doubled,
      timersPendingAtKill: timersPendingAtKill + timersPendingAtSecondKill,
      timerCases: timerCases.length,
      timerCasesFired: timerOnly.fired,
      timers: timers.rows,
      timersFired: timers.fired,
      historyDoubled: history.doubled,
      mails: delivered.length,
      mailsClosedUnsent: skipped.length,
      taskMails,
      smtpMessages: smtp.received.length,
      mailMissing,
      mailDuplicated,
      archived: archive.packages,
      casesEndedAfterLoadMs: casesEndedMs,
      totalMs: Date.now() - begun,
    });

    expect({ stopCode, tail: stopCode === 0 ? '' : stopTail(platform.output()) }).toEqual({ stopCode: 0, tail: '' });
    expect(now).toHaveLength(2);
    expect(now).not.toContain(firstKilled);
    expect(now).not.toContain(secondKilled);
    // The cluster served throughout: the survivor alone, then the restarted process alone.
    expect(acksWhileOneDown).toBeGreaterThan(0);
    expect(acksWhileOnlyRestarted).toBeGreaterThan(0);
    expect(startsAcked.length).toBeGreaterThan(10);
    expect(approvalsAcked.length).toBeGreaterThan(10);
    // Nothing acknowledged lost or doubled.
    expect(missingStarts).toBe(0);
    expect(missingApprovals).toBe(0);
    expect(done.filter((d) => d.actions !== 1)).toEqual([]);
    expect(ackedTwice).toBe(0);
    expect(duplicates).toEqual({ doubleActions: 0, doubleSteps: 0 });
    expect(agreement.problems).toEqual([]);
    expect(http5xx).toEqual([]);
    // Every case ran its whole course once: two steps each, one external task, one timer.
    expect(cases.completed).toBe(cases.total);
    expect(cases.tasks).toBe(2 * cases.total);
    expect(external[0]).toEqual({ rows: cases.total, completed: cases.total, doubled: 0 });
    expect(externalAckedTwice).toBe(0);
    expect(completedByClients.length).toBeLessThanOrEqual(cases.total);
    expect(timers).toEqual({ rows: cases.total, fired: cases.total, cases: cases.total });
    expect(history.doubled).toBe(0);
    expect(timersPendingAtKill + timersPendingAtSecondKill).toBeGreaterThan(0);
    expect(timerOnly).toEqual({ fired: timerCases.length, after: timerCases.length });
    expect(history.secondSteps).toBe(cases.total);
    // Each mail once: two 待办 per case, every message of the outbox delivered or closed (with its reason), none twice.
    expect(taskMails).toBe(2 * cases.total);
    expect(rows.filter((r) => r.status !== 'delivered' && r.status !== 'skipped')).toEqual([]);
    expect(skipped.filter((r) => !r.note)).toEqual([]);
    expect(mailMissing).toBe(0);
    expect(mailDuplicated).toBe(0);
    expect(mailStrangers).toBe(0);
    expect(smtp.received).toHaveLength(delivered.length);
    // Each ended case archived once, numbered without a gap.
    expect(archive.packages).toBe(cases.total);
    expect(series.filter((s) => s.n !== s.max)).toEqual([]);
  }, 900_000);
});
