import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { EngineService } from './engine.service';
import { ExternalTaskService } from './external-task.service';

const NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
/** One stamp task per case; the fan-out case opens three at once (one step, one transaction). */
const DIAGRAMS = [
  `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_handoff_one" targetNamespace="t">
<process id="handoff-one" name="直接交付" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="stamp" />
  <serviceTask id="stamp" name="盖章" camunda:type="external" camunda:topic="zw-handoff" />
  <sequenceFlow id="f1" sourceRef="stamp" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`,
  `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_handoff_fan" targetNamespace="t">
<process id="handoff-fan" name="直接交付并行" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="g0" sourceRef="s" targetRef="fork" />
  <parallelGateway id="fork" name="分" />
  <sequenceFlow id="g1" sourceRef="fork" targetRef="a" /><sequenceFlow id="g2" sourceRef="fork" targetRef="b" />
  <sequenceFlow id="g3" sourceRef="fork" targetRef="c" />
  <serviceTask id="a" name="甲" camunda:type="external" camunda:topic="zw-handoff" />
  <serviceTask id="b" name="乙" camunda:type="external" camunda:topic="zw-handoff" />
  <serviceTask id="c" name="丙" camunda:type="external" camunda:topic="zw-handoff" />
  <sequenceFlow id="g4" sourceRef="a" targetRef="join" /><sequenceFlow id="g5" sourceRef="b" targetRef="join" />
  <sequenceFlow id="g6" sourceRef="c" targetRef="join" />
  <parallelGateway id="join" name="合" /><sequenceFlow id="g7" sourceRef="join" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`,
];

interface Locked {
  id: string;
  processInstanceId: string;
  workerId: string;
  lockExpirationTime: string;
  variables: Record<string, { type: string; value: unknown }>;
}

/**
 * Feature: the direct hand-off. A long poll parked in this process gets a new task of its topic from the transaction
 * that creates it, after that transaction commits, without being woken to fetch it.
 */
describe('Feature: direct hand-off of a new external task to a parked long poll', () => {
  let t: TestApp;
  let base: string;
  let fetches: jest.SpyInstance;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.login('admin');
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}/engine-rest/external-task`;
    for (const diagram of DIAGRAMS) {
      const res = await t
        .http()
        .post('/api/process-definitions')
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'application/xml')
        .send(diagram);
      expect([res.status, res.body]).toEqual([201, expect.anything()]);
    }
    // Each fetch statement the api runs (one call per look at the table).
    fetches = jest.spyOn(t.app.get(ExternalTaskService) as unknown as { tryFetch: () => Promise<unknown> }, 'tryFetch');
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await q(`UPDATE external_tasks SET status = 'cancelled' WHERE status = 'open'`);
    fetches.mockClear();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const engine = () => t.app.get(EngineService);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** A long poll over real HTTP; `answered` is set when its answer arrives. */
  const poll = (workerId: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) => {
    const state = { answered: false };
    const reply = fetch(`${base}/fetchAndLock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.config.workerToken}` },
      body: JSON.stringify({
        workerId,
        maxTasks: 5,
        asyncResponseTimeout: 20_000,
        topics: [{ topicName: 'zw-handoff', lockDuration: 60_000, variables: ['title', 'pages'] }],
        ...extra,
      }),
      signal,
    })
      .then((res) => res.json() as Promise<Locked[]>)
      .finally(() => (state.answered = true));
    return { reply, state };
  };
  /** Until the poll has looked once and parked (its one fetch found nothing). */
  const parked = async (count = 1) => {
    while (fetches.mock.calls.length < count) await sleep(20);
    await Promise.all(fetches.mock.results.map((r) => r.value));
    await sleep(50);
  };
  const start = (key = 'handoff-one', variables: Record<string, unknown> = {}) => engine().startProcess(key, { variables }, undefined);

  it('Scenario: a parked poll gets the new task, typed as a fetch answers it, without fetching again', async () => {
    const waiting = poll('w1');
    await parked();
    const { id } = await start('handoff-one', { title: '关于报送计划的通知', pages: 3, other: 'x' });
    const [task] = await waiting.reply;
    expect(task).toEqual(
      expect.objectContaining({ processInstanceId: id, workerId: 'w1', topicName: 'zw-handoff', retries: null, priority: 0 }),
    );
    expect(task.variables).toEqual({
      title: { type: 'String', value: '关于报送计划的通知', valueInfo: {} },
      pages: { type: 'Integer', value: 3, valueInfo: {} },
    });
    // Only the poll's first look at the table: the task came with its creating transaction.
    expect(fetches).toHaveBeenCalledTimes(1);
    const [row] = await q(`SELECT worker_id, lock_expires_at FROM external_tasks WHERE id = $1`, [task.id]);
    expect(row.worker_id).toBe('w1');
    expect((row.lock_expires_at as Date).toISOString()).toBe(task.lockExpirationTime);
    const done = await fetch(`${base}/${task.id}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.config.workerToken}` },
      body: JSON.stringify({ workerId: 'w1' }),
    });
    expect(done.status).toBe(204);
  });

  it('Scenario: nothing is handed before COMMIT, and a rolled-back task is never handed (the poll keeps waiting)', async () => {
    const waiting = poll('w2');
    await parked();
    const ds = t.app.get(DataSource);
    let created = '';
    await expect(
      ds.transaction(async (m) => {
        created = (await engine().startProcess('handoff-one', {}, m)).id;
        await sleep(300);
        // Inserted and reserved, not committed: the poll has no answer yet.
        expect(waiting.state.answered).toBe(false);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    await sleep(300);
    expect(waiting.state.answered).toBe(false);
    expect(await q(`SELECT 1 FROM process_instances WHERE id = $1`, [created])).toEqual([]);
    // Committed: handed at once.
    let committed = '';
    await ds.transaction(async (m) => {
      committed = (await engine().startProcess('handoff-one', {}, m)).id;
      await sleep(300);
      expect(waiting.state.answered).toBe(false);
    });
    expect((await waiting.reply).map((x) => x.processInstanceId)).toEqual([committed]);
  });

  it('Scenario: a poll gets at most maxTasks of a step that opens more; the rest wait unlocked for any worker', async () => {
    const waiting = poll('w3', { maxTasks: 2 });
    await parked();
    const { id } = await start('handoff-fan');
    const handed = await waiting.reply;
    expect(handed).toHaveLength(2);
    // Both in one answer from the creating transaction, no second look at the table.
    expect(fetches).toHaveBeenCalledTimes(1);
    expect(handed.every((x) => x.processInstanceId === id && x.workerId === 'w3')).toBe(true);
    const rows = await q(`SELECT id, worker_id FROM external_tasks WHERE instance_id = $1 ORDER BY activity_id`, [id]);
    expect(rows).toHaveLength(3);
    const free = rows.filter((r) => r.worker_id === null);
    expect(free).toHaveLength(1);
    expect(handed.map((x) => x.id).sort()).toEqual(
      rows
        .filter((r) => r.worker_id === 'w3')
        .map((r) => r.id)
        .sort(),
    );
    const other = await poll('other', { asyncResponseTimeout: 0 }).reply;
    expect(other.map((x) => x.id)).toEqual([free[0].id]);
  });

  it('Scenario: a poll reserved by one transaction is not given a second transaction’s task', async () => {
    const waiting = poll('w4');
    await parked();
    const ds = t.app.get(DataSource);
    let first = '';
    let second = '';
    await ds.transaction(async (m) => {
      first = (await engine().startProcess('handoff-one', {}, m)).id;
      // Another transaction commits meanwhile: its task cannot join the first one's answer.
      second = (await start()).id;
    });
    expect((await waiting.reply).map((x) => x.processInstanceId)).toEqual([first]);
    const [row] = await q(`SELECT worker_id FROM external_tasks WHERE instance_id = $1`, [second]);
    expect(row.worker_id).toBeNull();
  });

  it('Scenario: a poll whose request is gone is not given the task; it stays free for others', async () => {
    const aborted = new AbortController();
    const gone = poll('gone', {}, aborted.signal);
    await parked();
    aborted.abort();
    await gone.reply.catch(() => undefined);
    // The server sees the connection close a moment later.
    await sleep(300);
    const { id } = await start();
    await sleep(300);
    const [row] = await q(`SELECT worker_id FROM external_tasks WHERE instance_id = $1`, [id]);
    expect(row.worker_id).toBeNull();
    const other = await poll('other', { asyncResponseTimeout: 0 }).reply;
    expect(other.map((x) => x.processInstanceId)).toEqual([id]);
  });
});
