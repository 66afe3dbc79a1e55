import { findFreePort } from '../../apps/api/src/platform/embedded-postgres';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import {
  call,
  deploy,
  duplicateCompletions,
  engineDisagreements,
  FLOW_XML,
  login,
  reliability,
  removeDir,
  sleep,
  spawnPlatform,
  tempDir,
  TIMER_XML,
  waitFor,
  type RealProcess,
  stopTail,
} from './support';

const TOKEN = 'fault-kill-worker-token-0123456789';
const KEYS = ['fault-flow', 'fault-timer'];

/**
 * Fault 1: `kill -9` of the api process while clients start cases and approve tasks over HTTP, then
 * a restart on the same port. Every acknowledged (2xx) action must be in PostgreSQL, none twice, the
 * engine's state must agree with the task rows, and timers due while the api was dead still fire.
 */
describe('fault: kill -9 of the api under load', () => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  const running: RealProcess[] = [];

  afterAll(async () => {
    for (const p of running) await p.kill9();
    await db?.drop();
    removeDir(dataDir);
  });

  it('keeps every acknowledged action exactly once, the engine in step with its tasks, and fires timers after the restart', async () => {
    db = await createTestDatabase();
    dataDir = tempDir('zhengwu-fault-kill-');
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: db.url,
      SEED_DEMO: 'false',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_TOKEN: TOKEN,
      // The clients are the load here; the platform's own workers would only compete for the 2 cores.
      RUN_WORKERS: 'false',
    };
    const first = await spawnPlatform(env);
    running.push(first);

    const admin = await login(base, 'admin');
    await deploy(base, admin.token, FLOW_XML);
    await deploy(base, admin.token, TIMER_XML);
    const people = await Promise.all(['lina', 'yangfan', 'zhangwei'].map((u) => login(base, u)));

    const startsAcked: string[] = [];
    const approvalsAcked: string[] = [];
    const statuses = new Map<string, number>();
    const count = (kind: string): void => void statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
    let stop = false;
    let killedAt = 0;
    let firstAckAfterRestart = 0;
    const acked = (): void => {
      if (killedAt && !firstAckAfterRestart) firstAckAfterRestart = Date.now();
    };

    const starter = async (n: number): Promise<void> => {
      for (let i = 0; !stop; i += 1) {
        const who = people[(n + i) % people.length];
        const res = await call<{ id: string }>(`${base}/api/process-instances`, {
          token: admin.token,
          body: { key: 'fault-flow', businessKey: `kill-${n}-${i}`, variables: { assignee: who.userId } },
        });
        count(`start:${res.status || res.error}`);
        if (res.status === 201) {
          startsAcked.push(res.body.id);
          acked();
        } else await sleep(res.status === 0 ? 100 : 20);
      }
    };
    // Two clients per person pick the same first task of their inbox: they race, and only one may win.
    const approver = async (who: { token: string }): Promise<void> => {
      while (!stop) {
        const list = await call<{ items: { id: string }[] }>(`${base}/api/tasks?view=todo&process=fault-flow&limit=3`, {
          token: who.token,
        });
        count(`list:${list.status || list.error}`);
        const task = list.status === 200 ? list.body.items[0] : undefined;
        if (!task) {
          await sleep(list.status === 0 ? 100 : 30);
          continue;
        }
        const res = await call(`${base}/api/tasks/${task.id}/actions`, { token: who.token, body: { action: 'approve', comment: '同意' } });
        count(`approve:${res.status || res.error}`);
        if (res.status === 200) {
          approvalsAcked.push(task.id);
          acked();
        }
      }
    };
    const loops = [starter(0), starter(1), ...people.flatMap((p) => [approver(p), approver(p)])];

    // Kill in the middle of real traffic: once enough is acknowledged (a loaded machine is slower), or after 25 s.
    for (const begun = Date.now(); Date.now() - begun < 25_000; await sleep(100)) {
      if (startsAcked.length >= 30 && approvalsAcked.length >= 30) break;
    }
    // Timer cases due 5 s from now: the api will be dead when they fall due.
    const timerCases: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await call<{ id: string }>(`${base}/api/process-instances`, {
        token: admin.token,
        body: { key: 'fault-timer', variables: { assignee: people[i % people.length].userId } },
      });
      expect(res.status).toBe(201);
      timerCases.push(res.body.id);
    }
    const before = { starts: startsAcked.length, approvals: approvalsAcked.length };
    await first.kill9();
    killedAt = Date.now();
    const q = db.dataSource;
    const [{ pending }]: { pending: number }[] = await q.query(
      `SELECT count(*)::int AS pending FROM timers WHERE status = 'pending' AND instance_id = ANY($1)`,
      [timerCases],
    );

    await sleep(1000); // the clients meet a dead port for a moment
    const second = await spawnPlatform(env);
    running.push(second);
    const readyMs = Date.now() - killedAt;
    // The same clients, with the tokens they had, carry on against the restarted api.
    await waitFor('an acknowledged action after the restart', async () => firstAckAfterRestart > 0, 30_000);
    const after0 = startsAcked.length + approvalsAcked.length;
    await waitFor('more traffic after the restart', async () => startsAcked.length + approvalsAcked.length >= after0 + 20, 30_000).catch(
      () => undefined,
    );
    // Timers that fell due while nothing ran fire after the restart.
    const fired: { n: number; lateMs: number }[] = await waitFor(
      'the timers of the timer cases',
      async () => {
        const rows: { n: number; lateMs: number }[] = await q.query(
          `SELECT count(*)::int AS n, coalesce(max(extract(epoch FROM fired_at - due_at) * 1000), 0)::int AS "lateMs"
             FROM timers WHERE status = 'fired' AND instance_id = ANY($1)`,
          [timerCases],
        );
        return rows[0].n === timerCases.length ? rows : undefined;
      },
      30_000,
    );
    stop = true;
    await Promise.all(loops);
    const stopCode = await second.stop();

    // Every acknowledged start is there.
    const found: { id: string }[] = await q.query(`SELECT id FROM process_instances WHERE id = ANY($1)`, [startsAcked]);
    const missingStarts = startsAcked.length - found.length;
    // Every acknowledged approval is there: the task completed, with its one 同意 row.
    const done: { id: string; actions: number }[] = await q.query(
      `SELECT t.id, (SELECT count(*) FROM task_actions a WHERE a.task_id = t.id AND a.action = 'approve')::int AS actions
         FROM tasks t WHERE t.id = ANY($1) AND t.status = 'completed'`,
      [approvalsAcked],
    );
    const uniqueApprovals = new Set(approvalsAcked);
    const missingApprovals = [...uniqueApprovals].filter((id) => !done.some((d) => d.id === id)).length;
    // Nothing acknowledged twice: no task won by both racing clients, no second 同意 row, no step run twice.
    const ackedTwice = approvalsAcked.length - uniqueApprovals.size;
    const duplicates = await duplicateCompletions(q, KEYS);
    // The engine's recovered state and the task rows tell the same story for every case.
    const agreement = await engineDisagreements(q, KEYS);
    const timerTasks: { n: number }[] = await q.query(
      `SELECT count(*)::int AS n FROM tasks WHERE instance_id = ANY($1) AND activity_id = 'after' AND status = 'open'`,
      [timerCases],
    );
    const [states]: { running: number; completed: number }[] = await q.query(
      `SELECT count(*) FILTER (WHERE status = 'running')::int AS running, count(*) FILTER (WHERE status = 'completed')::int AS completed
         FROM process_instances WHERE definition_key = 'fault-flow'`,
    );

    reliability('api-kill-9', {
      startsAcked: startsAcked.length,
      approvalsAcked: approvalsAcked.length,
      ackedBeforeKill: before.starts + before.approvals,
      foundAfterRestart: found.length + done.length,
      missing: missingStarts + missingApprovals,
      ackedTwice,
      duplicateActions: duplicates.doubleActions,
      duplicateSteps: duplicates.doubleSteps,
      conflicts409: [...statuses].filter(([k]) => k === 'approve:409').reduce((n, [, v]) => n + v, 0),
      refusedWhileDown: [...statuses]
        .filter(([k]) => /:(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|TimeoutError|0)$/.test(k))
        .reduce((n, [, v]) => n + v, 0),
      http5xx: [...statuses].filter(([k]) => /:5\d\d$/.test(k)).reduce((n, [, v]) => n + v, 0),
      casesChecked: agreement.checked,
      engineRowMismatches: agreement.problems.length,
      casesCompleted: states.completed,
      casesRunning: states.running,
      timersPendingAtKill: pending,
      timersFiredAfterRestart: fired[0].n,
      timerMaxLateMs: fired[0].lateMs,
      restartReadyMs: readyMs,
      recoveryMs: firstAckAfterRestart - killedAt,
    });
    expect({ stopCode, tail: stopCode === 0 ? '' : stopTail(second.output()) }).toEqual({ stopCode: 0, tail: '' });
    expect(startsAcked.length).toBeGreaterThan(5);
    expect(approvalsAcked.length).toBeGreaterThan(5);
    expect(missingStarts).toBe(0);
    expect(missingApprovals).toBe(0);
    expect(done.filter((d) => d.actions !== 1)).toEqual([]);
    expect(ackedTwice).toBe(0);
    expect(duplicates).toEqual({ doubleActions: 0, doubleSteps: 0 });
    expect(agreement.problems).toEqual([]);
    expect(pending).toBeGreaterThan(0); // at least one fell due while the api was dead
    expect(timerTasks[0].n).toBe(timerCases.length);
    expect([...statuses].filter(([k]) => /:5\d\d$/.test(k))).toEqual([]);
  });
});
