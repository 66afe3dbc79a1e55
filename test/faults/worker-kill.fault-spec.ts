import { createTestApp, type TestApp } from '../support/test-app';
import { call, deploy, engineDisagreements, login, reliability, startCamundaWorker, waitFor, type CamundaWorker } from './support';

const TOKEN = 'fault-worker-kill-token-0123456789';
const TOPIC = 'zw-fault-work';
const CASES = 6;
const LOCK_MS = 4000;

const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_fault_external" targetNamespace="https://zhengwu.example/bpmn">
<process id="fault-external" name="故障演练·外部任务" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="发起" /><sequenceFlow id="f0" sourceRef="s" targetRef="work" />
  <serviceTask id="work" name="自动处理" camunda:type="external" camunda:topic="${TOPIC}" /><sequenceFlow id="f1" sourceRef="work" targetRef="check" />
  <userTask id="check" name="核对" camunda:assignee="\${assignee}" /><sequenceFlow id="f2" sourceRef="check" targetRef="e" />
  <endEvent id="e" name="办结" />
</process></definitions>`;

/**
 * Fault 3: a worker (unmodified camunda-external-task-client-js, its own process) is killed with -9
 * while it holds locked external tasks. Its locks expire, another worker takes the tasks and
 * finishes them, and the dead worker's completion, replayed late with its workerId, is refused —
 * while another worker holds the task (400) and after it is done (404). Each task runs once.
 */
describe('fault: a worker killed while holding external tasks', () => {
  let t: TestApp | undefined;
  const workers: CamundaWorker[] = [];

  afterAll(async () => {
    for (const w of workers) await w.kill9();
    await t?.close();
  });

  it('lets the locks expire, another worker finish the tasks, and refuses the dead worker’s late completion', async () => {
    t = await createTestApp({ WORKER_TOKEN: TOKEN });
    await t.app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const engineRest = `${base}/engine-rest`;
    const admin = await login(base, 'admin');
    await deploy(base, admin.token, DIAGRAM);
    const cases: string[] = [];
    for (let i = 0; i < CASES; i += 1) {
      const res = await call<{ id: string }>(`${base}/api/process-instances`, {
        token: admin.token,
        body: { key: 'fault-external', variables: { assignee: admin.userId } },
      });
      expect(res.status).toBe(201);
      cases.push(res.body.id);
    }

    const doomed = startCamundaWorker(engineRest, TOKEN, TOPIC, 'doomed', 'hold', LOCK_MS);
    workers.push(doomed);
    await waitFor('the doomed worker to lock every task', async () => doomed.locked().length === CASES, 30_000);
    const held = doomed.locked();
    await doomed.kill9();
    const killedAt = Date.now();
    const q = t.db.dataSource;
    const [{ lockedByDoomed }]: { lockedByDoomed: number }[] = await q.query(
      `SELECT count(*)::int AS "lockedByDoomed" FROM external_tasks WHERE worker_id = 'doomed' AND status = 'open' AND lock_expires_at > now()`,
    );

    // Another worker asks for work until the dead worker's locks have expired.
    const workerHeaders = { token: TOKEN };
    const taken = await waitFor(
      'a task freed by the lock expiry',
      async () => {
        const res = await call<{ id: string }[]>(`${engineRest}/external-task/fetchAndLock`, {
          ...workerHeaders,
          body: { workerId: 'rescuer-http', maxTasks: 1, topics: [{ topicName: TOPIC, lockDuration: 60_000 }] },
        });
        return res.status === 200 && res.body.length === 1 ? res.body[0].id : undefined;
      },
      LOCK_MS + 15_000,
      100,
    );
    const takeoverMs = Date.now() - killedAt;
    expect(held).toContain(taken);
    // The dead worker's completion while another worker holds the task: refused, nothing moves.
    const whileHeld = await call(`${engineRest}/external-task/${taken}/complete`, { ...workerHeaders, body: { workerId: 'doomed' } });

    const rescuer = startCamundaWorker(engineRest, TOKEN, TOPIC, 'rescuer', 'complete', 60_000);
    workers.push(rescuer);
    const own = await call(`${engineRest}/external-task/${taken}/complete`, { ...workerHeaders, body: { workerId: 'rescuer-http' } });
    expect(own.status).toBe(204);
    await waitFor(
      'every task completed by the other workers',
      async () => {
        const [{ open }]: { open: number }[] = await q.query(
          `SELECT count(*)::int AS open FROM external_tasks WHERE instance_id = ANY($1) AND status = 'open'`,
          [cases],
        );
        return open === 0 && rescuer.completed().length === CASES - 1;
      },
      30_000,
    );
    const finishedMs = Date.now() - killedAt;
    await rescuer.stop();

    // The dead worker's completions, replayed late: each refused.
    const replays = await Promise.all(
      held.map((id) =>
        call<{ type?: string }>(`${engineRest}/external-task/${id}/complete`, { ...workerHeaders, body: { workerId: 'doomed' } }),
      ),
    );
    const rows: { id: string; status: string; worker_id: string }[] = await q.query(
      `SELECT id, status, worker_id FROM external_tasks WHERE instance_id = ANY($1)`,
      [cases],
    );
    const ended: { n: number }[] = await q.query(
      `SELECT count(*)::int AS n FROM engine_history WHERE instance_id = ANY($1) AND activity_id = 'work' AND event = 'end' GROUP BY instance_id`,
      [cases],
    );
    const checks: { n: number }[] = await q.query(
      `SELECT count(*)::int AS n FROM tasks WHERE instance_id = ANY($1) AND activity_id = 'check' AND status = 'open' GROUP BY instance_id`,
      [cases],
    );
    const agreement = await engineDisagreements(q, ['fault-external']);

    reliability('worker-kill-9', {
      tasksHeldByKilledWorker: held.length,
      stillLockedAtKill: lockedByDoomed,
      lockMs: LOCK_MS,
      takeoverMs,
      allFinishedMs: finishedMs,
      finishedByOthers: rows.filter((r) => r.status === 'completed' && r.worker_id !== 'doomed').length,
      lateCompleteWhileHeldStatus: whileHeld.status,
      lateCompletesRefused: replays.filter((r) => r.status >= 400 && r.status < 500).length,
      lateCompletesAccepted: replays.filter((r) => r.status < 300).length,
      stepRanTwice: ended.filter((e) => e.n !== 1).length,
      engineRowMismatches: agreement.problems.length,
    });
    expect(held).toHaveLength(CASES);
    expect(lockedByDoomed).toBe(CASES);
    expect(whileHeld.status).toBe(400);
    expect(replays.map((r) => r.status)).toEqual(held.map(() => 404));
    expect(rows.map((r) => [r.status, r.worker_id === 'doomed'])).toEqual(cases.map(() => ['completed', false]));
    expect(rescuer.completed().length + 1).toBe(CASES);
    expect(ended.map((e) => e.n)).toEqual(cases.map(() => 1));
    expect(checks.map((c) => c.n)).toEqual(cases.map(() => 1));
    expect(agreement.problems).toEqual([]);
  });
});
