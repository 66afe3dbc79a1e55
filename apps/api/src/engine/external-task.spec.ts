import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';

const NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_lock" targetNamespace="t">
<process id="lock-test" name="锁测试" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="stamp" />
  <serviceTask id="stamp" name="盖章" camunda:type="external" camunda:topic="zw-stamp" />
  <sequenceFlow id="f1" sourceRef="stamp" targetRef="check" /><userTask id="check" name="核对" />
  <sequenceFlow id="f2" sourceRef="check" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;

interface Locked {
  id: string;
  processInstanceId: string;
  variables: Record<string, { type: string; value: unknown }>;
}

/** The Camunda 7 external-task contract spoken over real HTTP, request by request. */
describe('/engine-rest/external-task', () => {
  let t: TestApp;
  let admin: string;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}/engine-rest/external-task`;
    const res = await t
      .http()
      .post('/api/process-definitions')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/xml')
      .send(DIAGRAM);
    expect(res.status).toBe(201);
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const rest = async (path: string, body: unknown, auth = `Bearer ${t.config.workerToken}`) => {
    const res = await fetch(`${base}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const fetchLock = (workerId: string, lockDuration: number, extra: Record<string, unknown> = {}) =>
    rest('fetchAndLock', { workerId, maxTasks: 5, topics: [{ topicName: 'zw-stamp', lockDuration }], ...extra });
  const start = async (variables: Record<string, unknown> = {}) => {
    const res = await t.http().post('/api/process-instances').set('Authorization', `Bearer ${admin}`).send({ key: 'lock-test', variables });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** Takes every open stamp task so each test starts from an empty topic. */
  const drain = () => q(`UPDATE external_tasks SET status = 'cancelled' WHERE topic = 'zw-stamp' AND status = 'open'`);

  beforeEach(drain);

  it('accepts the worker token as basic-auth password and refuses a wrong one', async () => {
    const basic = `Basic ${Buffer.from(`worker:${t.config.workerToken}`).toString('base64')}`;
    expect((await rest('fetchAndLock', { workerId: 'w', maxTasks: 1, topics: [] }, basic)).status).toBe(200);
    const wrong = await rest('fetchAndLock', { workerId: 'w', maxTasks: 1, topics: [] }, 'Bearer nope');
    expect(wrong).toEqual({ status: 401, type: 'application/json', body: expect.objectContaining({ type: 'AuthenticationException' }) });
  });

  it('answers a malformed request with 400 InvalidRequestException', async () => {
    const res = await rest('fetchAndLock', { maxTasks: 1, topics: [] });
    expect(res).toEqual({
      status: 400,
      type: 'application/json',
      body: { type: 'InvalidRequestException', message: 'workerId is required' },
    });
    const id = await start();
    const [task] = (await fetchLock('w', 60_000)).body as Locked[];
    expect(task.processInstanceId).toBe(id);
    const res2 = await rest(`${task.id}/complete`, { workerId: 'w', variables: { n: { type: 'Integer', value: 'x' } } });
    expect(res2.status).toBe(400);
    expect(res2.body).toEqual(expect.objectContaining({ type: 'InvalidRequestException', message: expect.stringContaining("'n'") }));
    expect((await q(`SELECT status FROM external_tasks WHERE id = $1`, [task.id]))[0].status).toBe('open');
  });

  it('hands out typed variables, only the names asked for', async () => {
    await start({ title: '关于报送计划的通知', pages: 3, amount: 12.5, big: 2 ** 40, urgent: true, meta: { by: '信息中心' }, none: null });
    const res = await rest('fetchAndLock', {
      workerId: 'w',
      maxTasks: 1,
      topics: [{ topicName: 'zw-stamp', lockDuration: 60_000, variables: ['title', 'pages', 'amount', 'big', 'urgent', 'meta', 'none'] }],
    });
    const [task] = res.body as Locked[];
    expect(res.type).toBe('application/json');
    expect(task.variables).toEqual({
      title: { type: 'String', value: '关于报送计划的通知', valueInfo: {} },
      pages: { type: 'Integer', value: 3, valueInfo: {} },
      amount: { type: 'Double', value: 12.5, valueInfo: {} },
      big: { type: 'Long', value: 2 ** 40, valueInfo: {} },
      urgent: { type: 'Boolean', value: true, valueInfo: {} },
      meta: { type: 'Json', value: '{"by":"信息中心"}', valueInfo: {} },
      none: { type: 'Null', value: null, valueInfo: {} },
    });
    const complete = await rest(`${task.id}/complete`, {
      workerId: 'w',
      variables: {
        when: { type: 'Date', value: '2026-11-24T08:00:00.000+0800' },
        file: {
          type: 'File',
          value: Buffer.from('盖章件').toString('base64'),
          valueInfo: { filename: '盖章.pdf', mimetype: 'application/pdf' },
        },
      },
    });
    expect(complete.status).toBe(204);
    const vars = (await q('SELECT variables FROM process_instances WHERE id = $1', [task.processInstanceId]))[0].variables;
    expect(vars.when).toBe('2026-11-24T00:00:00.000Z');
    expect(vars.file).toEqual({
      $type: 'File',
      filename: '盖章.pdf',
      mimetype: 'application/pdf',
      encoding: null,
      base64: Buffer.from('盖章件').toString('base64'),
    });
  });

  it('lets only the lock holder complete; an expired lock goes to another worker and the late completion is refused', async () => {
    await start();
    const [mine] = (await fetchLock('worker-a', 200)).body as Locked[];
    expect((await fetchLock('worker-b', 60_000)).body).toEqual([]);
    const stolen = await rest(`${mine.id}/complete`, { workerId: 'worker-b' });
    expect(stolen).toEqual({
      status: 400,
      type: 'application/json',
      body: expect.objectContaining({ type: 'BadUserRequestException', message: expect.stringContaining("locked by worker 'worker-a'") }),
    });
    await new Promise((r) => setTimeout(r, 300));
    const [again] = (await fetchLock('worker-b', 60_000)).body as Locked[];
    expect(again.id).toBe(mine.id);
    expect((await rest(`${mine.id}/complete`, { workerId: 'worker-a' })).status).toBe(400);
    expect((await rest(`${mine.id}/complete`, { workerId: 'worker-b' })).status).toBe(204);
    expect((await rest(`${mine.id}/complete`, { workerId: 'worker-b' })).status).toBe(404);
  });

  it('extends, unlocks and locks a task as Camunda does', async () => {
    await start();
    const [task] = (await fetchLock('worker-a', 60_000)).body as Locked[];
    expect((await rest(`${task.id}/extendLock`, { workerId: 'worker-b', newDuration: 1000 })).status).toBe(400);
    expect((await rest(`${task.id}/extendLock`, { workerId: 'worker-a', newDuration: 120_000 })).status).toBe(204);
    const expires = (await q('SELECT lock_expires_at FROM external_tasks WHERE id = $1', [task.id]))[0].lock_expires_at as Date;
    expect(expires.getTime() - Date.now()).toBeGreaterThan(100_000);
    expect((await rest(`${task.id}/lock`, { workerId: 'worker-b', lockDuration: 1000 })).status).toBe(400);
    expect((await rest(`${task.id}/unlock`, {})).status).toBe(204);
    expect((await rest(`${task.id}/lock`, { workerId: 'worker-b', lockDuration: 60_000 })).status).toBe(204);
    expect((await rest(`${task.id}/complete`, { workerId: 'worker-b' })).status).toBe(204);
    expect((await rest('00000000-0000-0000-0000-000000000000/unlock', {})).status).toBe(404);
  });

  it('retries a failure after retryTimeout; at 0 retries raises an incident an administrator can clear', async () => {
    await start();
    const [task] = (await fetchLock('w', 60_000)).body as Locked[];
    expect((await rest(`${task.id}/failure`, { workerId: 'w', errorMessage: '签章服务超时', retries: 1, retryTimeout: 300 })).status).toBe(
      204,
    );
    expect((await fetchLock('w', 60_000)).body).toEqual([]);
    await new Promise((r) => setTimeout(r, 400));
    const [retry] = (await fetchLock('w', 60_000)).body as (Locked & { retries: number; errorMessage: string })[];
    expect(retry).toEqual(expect.objectContaining({ id: task.id, retries: 1, errorMessage: '签章服务超时' }));
    expect((await rest(`${task.id}/failure`, { workerId: 'w', errorMessage: '签章服务不可用', retries: 0 })).status).toBe(204);
    expect((await fetchLock('w', 60_000)).body).toEqual([]);
    const incidents = await t.http().get('/api/incidents').set('Authorization', `Bearer ${admin}`);
    expect(incidents.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ externalTaskId: task.id, incidentMessage: '签章服务不可用' })]),
    );
    const bad = await t
      .http()
      .put(`/api/external-tasks/${task.id}/retries`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ retries: 'many' });
    expect(bad.status).toBe(400);
    expect(
      (await t.http().put(`/api/external-tasks/${task.id}/retries`).set('Authorization', `Bearer ${admin}`).send({ retries: 2 })).status,
    ).toBe(204);
    const after = await t.http().get('/api/incidents').set('Authorization', `Bearer ${admin}`);
    expect(after.body.some((i: { externalTaskId: string }) => i.externalTaskId === task.id)).toBe(false);
    expect(((await fetchLock('w', 60_000)).body as Locked[]).map((x) => x.id)).toEqual([task.id]);
  });

  it('wakes a long-polling fetch within milliseconds of a new task (LISTEN/NOTIFY)', async () => {
    const asked = Date.now();
    const waiting = rest('fetchAndLock', {
      workerId: 'w',
      maxTasks: 1,
      asyncResponseTimeout: 10_000,
      topics: [{ topicName: 'zw-stamp', lockDuration: 60_000 }],
    });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const id = await start();
    const res = await waiting;
    const answered = Date.now();
    expect((res.body as Locked[]).map((x) => x.processInstanceId)).toEqual([id]);
    // Well inside the 5 s fallback re-check and the 10 s timeout: the notification woke it.
    expect(answered - started).toBeLessThan(2_000);
    // The fetch was waiting before the task existed (a timer may fire a millisecond early by Date.now's clock).
    expect(started - asked).toBeGreaterThanOrEqual(290);
  });

  it('wakes one plain waiter per new task, the next task the next waiter; a filtered waiter does not swallow a wake', async () => {
    const poll = (workerId: string, topic: Record<string, unknown> = {}) => {
      const at = { answered: 0 };
      const reply = rest('fetchAndLock', {
        workerId,
        maxTasks: 1,
        asyncResponseTimeout: 8_000,
        topics: [{ topicName: 'zw-stamp', lockDuration: 60_000, ...topic }],
      }).then((res) => ((at.answered = Date.now()), res));
      return { reply, at };
    };
    // Oldest: a waiter whose filter refuses these tasks; it must not take the one wake a task sends.
    const filtered = poll('filtered', { processDefinitionKey: 'no-such-process' });
    await new Promise((r) => setTimeout(r, 150));
    const a = poll('a');
    await new Promise((r) => setTimeout(r, 150));
    const b = poll('b');
    await new Promise((r) => setTimeout(r, 300));
    const first = await start();
    const t1 = Date.now();
    const answeredFirst = await Promise.race([a.reply.then(() => 'a'), b.reply.then(() => 'b')]);
    expect(Date.now() - t1).toBeLessThan(2_000);
    // The other plain waiter still waits: no task for it yet.
    await new Promise((r) => setTimeout(r, 300));
    const other = answeredFirst === 'a' ? b : a;
    expect(other.at.answered).toBe(0);
    const second = await start();
    const t2 = Date.now();
    const replies = await Promise.all([a.reply, b.reply]);
    expect(other.at.answered - t2).toBeLessThan(2_000);
    expect(replies.flatMap((r) => (r.body as Locked[]).map((x) => x.processInstanceId)).sort()).toEqual([first, second].sort());
    expect((await filtered.reply).body).toEqual([]);
  }, 20_000);

  it('hands each task to exactly one of many concurrent workers', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => start()));
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => fetchLock(`w${i}`, 60_000)));
    const handed = replies.flatMap((r) => (r.body as Locked[]).map((x) => x.processInstanceId));
    expect(handed.sort()).toEqual([...ids].sort());
  });
});
