import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { createHttpApp } from '../platform/http-app';
import { DataSource } from 'typeorm';
import { LegacyRuntime, STATE_VERSION } from '@zhengwu/engine';
import { DefinitionsService } from './definitions.service';
import { EngineService } from './engine.service';

const NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
const EXTERNAL = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_ext" targetNamespace="t"><error id="E1" name="无模板" errorCode="NO_TEMPLATE" />
<process id="ext-test" name="外部任务" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="render" />
  <serviceTask id="render" name="生成" camunda:type="external" camunda:topic="zw-render" />
  <boundaryEvent id="bad" name="无模板" attachedToRef="render"><errorEventDefinition errorRef="E1" /></boundaryEvent>
  <sequenceFlow id="f1" sourceRef="render" targetRef="done" /><sequenceFlow id="f2" sourceRef="bad" targetRef="fix" />
  <userTask id="done" name="确认" /><userTask id="fix" name="补模板" />
  <sequenceFlow id="f3" sourceRef="done" targetRef="e1" /><sequenceFlow id="f4" sourceRef="fix" targetRef="e2" />
  <endEvent id="e1" name="完成" /><endEvent id="e2" name="已补" />
</process></definitions>`;

interface TaskRow {
  id: string;
  activity_id: string;
  status: string;
}

describe('embedded engine over PostgreSQL', () => {
  let t: TestApp;
  let admin: string;
  let engine: EngineService;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
    engine = t.app.get(EngineService);
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const deploy = (xml: string) =>
    t.http().post('/api/process-definitions').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'application/xml').send(xml);
  const start = (key: string, variables: Record<string, unknown> = {}) =>
    t.http().post('/api/process-instances').set('Authorization', `Bearer ${admin}`).send({ key, variables });
  const openTasks = async (instanceId: string): Promise<TaskRow[]> =>
    q(`SELECT id, activity_id, status FROM tasks WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`, [instanceId]);

  it('deploys bpmn/ at start and versions an upload only when its content changed', async () => {
    const list = await t.http().get('/api/process-definitions').set('Authorization', `Bearer ${admin}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'three-step-approval', version: 1 })]));
    const first = await deploy(EXTERNAL);
    expect(first.status).toBe(201);
    expect(first.body).toEqual(expect.objectContaining({ key: 'ext-test', version: 1, created: true }));
    expect((await deploy(EXTERNAL)).body).toEqual(expect.objectContaining({ version: 1, created: false }));
    expect((await deploy(EXTERNAL.replace('name="补模板"', 'name="修改模板"'))).body).toEqual(expect.objectContaining({ version: 2 }));
  });

  it.each([
    ['a DTD', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><definitions ${NS}/>`, 'DEFINITION_DTD_REFUSED'],
    ['broken XML', `<definitions ${NS}>\n<process id="p">\n<startEvent id="s"\n</process></definitions>`, 'DEFINITION_PARSE_ERROR'],
    [
      'a script task',
      EXTERNAL.replace('<userTask id="fix" name="补模板" />', '<scriptTask id="fix" scriptFormat="js"><script>1</script></scriptTask>'),
      'DEFINITION_ELEMENT_REFUSED',
    ],
    // Style findings (an implicit end, a missing label) are deployment warnings; two none starts cannot run.
    [
      'a lint failure',
      EXTERNAL.replace('<userTask id="fix" name="补模板" />', '<userTask id="fix" name="补模板" /><startEvent id="s2" name="另一开始" />'),
      'DEFINITION_LINT_FAILED',
    ],
  ])('refuses %s with 400 and a reason', async (_what, xml, code) => {
    const res = await deploy(xml);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(res.body.message).toEqual(expect.any(String));
  });

  it('runs a case task by task, records history and shows per-activity state', async () => {
    const started = await start('three-step-approval', { drafter: 'zhang' });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    for (const step of ['draft', 'review', 'sign']) {
      const [task] = await openTasks(id);
      expect(task.activity_id).toBe(step);
      await engine.completeTask(task.id, { userId: (await q(`SELECT id FROM users WHERE username = 'admin'`))[0].id, outcome: 'approve' });
    }
    const view = await t.http().get(`/api/process-instances/${id}`).set('Authorization', `Bearer ${admin}`);
    expect(view.body.status).toBe('completed');
    expect(view.body.activities).toEqual(expect.arrayContaining([{ activityId: 'review', active: 0, completed: 1, skipped: 0 }]));
    expect(view.body.history.some((h: { event: string }) => h.event === 'variable')).toBe(true);
  });

  it('lets exactly one of two simultaneous completions win; the other gets 409', async () => {
    const { body } = await start('three-step-approval', { drafter: 'zhang' });
    const [task] = await openTasks(body.id);
    const results = await Promise.allSettled([
      engine.completeTask(task.id, { userId: 'x'.replace('x', '00000000-0000-0000-0000-000000000000') }),
      engine.completeTask(task.id, { userId: '00000000-0000-0000-0000-000000000000' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toEqual(expect.objectContaining({ status: 409, code: 'TASK_ALREADY_COMPLETED' }));
    expect((await openTasks(body.id)).map((r) => r.activity_id)).toEqual(['review']);
  });

  it('counts each 会签 completion’s outcome, so a 一票否决 condition ends the loop at the first 不同意', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_veto" targetNamespace="t">
<process id="veto-test" name="一票否决" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="sign" />
  <userTask id="sign" name="会签" camunda:assignee="\${signer}">
    <multiInstanceLoopCharacteristics camunda:collection="\${signers}" camunda:elementVariable="signer">
      <completionCondition>\${nrOfRejected &gt; 0 || nrOfApproved == nrOfInstances}</completionCondition>
    </multiInstanceLoopCharacteristics>
  </userTask><sequenceFlow id="f1" sourceRef="sign" targetRef="after" />
  <userTask id="after" name="汇总" /><sequenceFlow id="f2" sourceRef="after" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;
    expect((await deploy(xml)).status).toBe(201);
    const started = await start('veto-test', { signers: ['a', 'b', 'c'] });
    const user = (await q(`SELECT id FROM users WHERE username = 'admin'`))[0].id;
    const [first, second] = await openTasks(started.body.id);
    await engine.completeTask(first.id, { userId: user, outcome: 'approve' });
    expect((await openTasks(started.body.id)).map((t) => t.activity_id)).toEqual(['sign', 'sign']);
    await engine.completeTask(second.id, { userId: user, outcome: 'reject' });
    expect((await openTasks(started.body.id)).map((t) => t.activity_id)).toEqual(['after']);
  });

  it('continues a case in a new application instance after a restart', async () => {
    const { body } = await start('three-step-approval', { drafter: 'li' });
    const [draft] = await openTasks(body.id);
    const second = await createHttpApp(t.config, t.db.url);
    await second.init();
    try {
      await second.get(EngineService).completeTask(draft.id, { userId: '00000000-0000-0000-0000-000000000000' });
      expect((await openTasks(body.id)).map((r) => r.activity_id)).toEqual(['review']);
    } finally {
      await second.close();
    }
  });

  const TIMERS = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_timer" targetNamespace="t">
<process id="daily-report" name="每日报送" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="tick" name="每日"><timerEventDefinition><timeCycle>R/P1D</timeCycle></timerEventDefinition></startEvent>
  <sequenceFlow id="f0" sourceRef="tick" targetRef="report" /><userTask id="report" name="报送" />
  <boundaryEvent id="late" name="超时" attachedToRef="report"><timerEventDefinition><timeDuration>\${workingDays(2)}</timeDuration></timerEventDefinition></boundaryEvent>
  <sequenceFlow id="f1" sourceRef="report" targetRef="e1" /><sequenceFlow id="f2" sourceRef="late" targetRef="urge" />
  <userTask id="urge" name="催办" /><sequenceFlow id="f3" sourceRef="urge" targetRef="e2" />
  <endEvent id="e1" name="已报" /><endEvent id="e2" name="已催" />
</process></definitions>`;

  const waitUntil = async (check: () => Promise<boolean>, ms = 10_000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('condition not reached in time');
  };

  it('schedules timer starts at deployment, starts cases when due (also after a restart) and replaces them with a new version', async () => {
    // Deployed by an application instance that then stops: the timers live in the database.
    const first = await createHttpApp(t.config, t.db.url);
    await first.init();
    let definitionId: string;
    try {
      const res = await first.get(DefinitionsService).deploy(TIMERS, { source: 'test' });
      definitionId = res.id;
    } finally {
      await first.close();
    }
    const pending = await q(`SELECT id, activity_id, due_at FROM timers WHERE definition_id = $1 AND status = 'pending'`, [definitionId]);
    expect(pending).toEqual([expect.objectContaining({ activity_id: 'tick' })]);
    expect(new Date(pending[0].due_at).getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);

    await q(`UPDATE timers SET due_at = now() - interval '1 second' WHERE id = $1`, [pending[0].id]);
    await waitUntil(async () => (await q(`SELECT 1 FROM process_instances WHERE definition_id = $1`, [definitionId])).length === 1);
    const [instance] = await q(`SELECT id FROM process_instances WHERE definition_id = $1`, [definitionId]);
    expect((await openTasks(instance.id)).map((r) => r.activity_id)).toEqual(['report']);
    // The cycle is scheduled again; the fired one is kept as fired.
    const after = await q(`SELECT status FROM timers WHERE definition_id = $1 ORDER BY created_at`, [definitionId]);
    expect(after.map((r) => r.status)).toEqual(['fired', 'pending']);

    // The boundary timer (two working days) lives in the database too and fires when due.
    const [boundary] = await q(`SELECT id, due_at FROM timers WHERE instance_id = $1 AND status = 'pending'`, [instance.id]);
    expect(new Date(boundary.due_at).getTime()).toBeGreaterThan(Date.now() + 24 * 3600_000);
    await q(`UPDATE timers SET due_at = now() - interval '1 second' WHERE id = $1`, [boundary.id]);
    await waitUntil(async () => (await openTasks(instance.id)).some((r) => r.activity_id === 'urge'));
    expect((await openTasks(instance.id)).map((r) => r.activity_id)).toEqual(['urge']);
    // The fired timer ended and the history goes on after it, to a completed case with nothing left active.
    await engine.completeTask((await openTasks(instance.id))[0].id, {
      userId: (await q(`SELECT id FROM users WHERE username = 'admin'`))[0].id,
    });
    const view = await t.http().get(`/api/process-instances/${instance.id}`).set('Authorization', `Bearer ${admin}`);
    expect(view.body.status).toBe('completed');
    expect(view.body.activities).toEqual(
      expect.arrayContaining([
        { activityId: 'late', active: 0, completed: 1, skipped: 0 },
        { activityId: 'report', active: 0, completed: 0, skipped: 1 },
        { activityId: 'urge', active: 0, completed: 1, skipped: 0 },
        { activityId: 'e2', active: 0, completed: 1, skipped: 0 },
        { activityId: 'e1', active: 0, completed: 0, skipped: 1 },
      ]),
    );

    const v2 = await deploy(TIMERS.replace('name="每日报送"', 'name="每日报送（新）"'));
    expect(v2.body.version).toBe(2);
    const byVersion = await q(
      `SELECT d.version, t.status FROM timers t JOIN process_definitions d ON d.id = t.definition_id WHERE d.key = 'daily-report' AND t.status <> 'fired' ORDER BY d.version`,
    );
    expect(byVersion).toEqual([
      { version: 1, status: 'cancelled' },
      { version: 2, status: 'pending' },
    ]);
  });

  it('tells completed, current, cancelled and never reached elements apart: an untaken branch and a boundary timer withdrawn with its task', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_states" targetNamespace="t">
<process id="states-test" name="状态" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="check" />
  <userTask id="check" name="审核" />
  <boundaryEvent id="late" name="超时" attachedToRef="check"><timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></boundaryEvent>
  <sequenceFlow id="f1" sourceRef="late" targetRef="urged" /><endEvent id="urged" name="已催" />
  <sequenceFlow id="f2" sourceRef="check" targetRef="gw" /><exclusiveGateway id="gw" name="是否同意" />
  <sequenceFlow id="yes" name="同意" sourceRef="gw" targetRef="provide"><conditionExpression>\${approved}</conditionExpression></sequenceFlow>
  <sequenceFlow id="no" name="不同意" sourceRef="gw" targetRef="refused"><conditionExpression>\${!approved}</conditionExpression></sequenceFlow>
  <userTask id="provide" name="提供" /><sequenceFlow id="f3" sourceRef="provide" targetRef="provided" />
  <endEvent id="provided" name="已提供" /><endEvent id="refused" name="不予提供" />
</process></definitions>`;
    expect((await deploy(xml)).status).toBe(201);
    const { body } = await start('states-test');
    const view = async () => (await t.http().get(`/api/process-instances/${body.id}`).set('Authorization', `Bearer ${admin}`)).body;
    expect((await view()).activities).toEqual(expect.arrayContaining([{ activityId: 'check', active: 1, completed: 0, skipped: 0 }]));
    expect(await q(`SELECT activity_id, status FROM timers WHERE instance_id = $1`, [body.id])).toEqual([
      { activity_id: 'late', status: 'pending' },
    ]);
    const [task] = await openTasks(body.id);
    const adminId = (await q(`SELECT id FROM users WHERE username = 'admin'`))[0].id;
    await engine.completeTask(task.id, { userId: adminId, variables: { approved: false } });
    const done = await view();
    expect(done.status).toBe('completed');
    expect(done.activities).toEqual(
      expect.arrayContaining([
        { activityId: 'check', active: 0, completed: 1, skipped: 0 },
        { activityId: 'gw', active: 0, completed: 1, skipped: 0 },
        { activityId: 'refused', active: 0, completed: 1, skipped: 0 },
        // The case has ended: what it never reached was passed over (未经过).
        { activityId: 'late', active: 0, completed: 0, skipped: 1 },
        { activityId: 'urged', active: 0, completed: 0, skipped: 1 },
        { activityId: 'provide', active: 0, completed: 0, skipped: 1 },
        { activityId: 'provided', active: 0, completed: 0, skipped: 1 },
      ]),
    );
    expect(done.activities.filter((a: { active: number }) => a.active > 0)).toEqual([]);
    expect(await q(`SELECT status FROM timers WHERE instance_id = $1`, [body.id])).toEqual([{ status: 'cancelled' }]);
  });

  it('runs a case stored by the first runtime (bpmn-engine, state version 1) on bpmn-engine until it ends', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_legacy" targetNamespace="t">
<process id="legacy-case" name="旧状态" isExecutable="true">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="first" />
  <userTask id="first" name="第一步" /><sequenceFlow id="f1" sourceRef="first" targetRef="second" />
  <userTask id="second" name="第二步" /><sequenceFlow id="f2" sourceRef="second" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;
    expect((await deploy(xml)).status).toBe(201);
    const { body } = await start('legacy-case', { note: 'x' });
    // Put the case back as the first runtime would have stored it: its state and its wait ids.
    const [row] = await q(`SELECT definition_id FROM process_instances WHERE id = $1`, [body.id]);
    const compiled = await t.app.get(DefinitionsService).compiledById(row.definition_id);
    const legacy = await new LegacyRuntime().start(compiled, { variables: { note: 'x' } });
    expect((legacy.state as { version: number }).version).toBe(1);
    const [wait] = legacy.waits;
    const [task] = await openTasks(body.id);
    await q(`UPDATE process_instances SET state = $2 WHERE id = $1`, [body.id, JSON.stringify(legacy.state)]);
    await q(`UPDATE tasks SET wait_id = $2 WHERE id = $1`, [task.id, wait.waitId]);

    const adminId = (await q(`SELECT id FROM users WHERE username = 'admin'`))[0].id;
    await engine.completeTask(task.id, { userId: adminId });
    const [stored] = await q(`SELECT state FROM process_instances WHERE id = $1`, [body.id]);
    expect(stored.state.version).toBe(1);
    const [next] = await openTasks(body.id);
    expect(next.activity_id).toBe('second');
    await engine.completeTask(next.id, { userId: adminId });
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [body.id]))[0].status).toBe('completed');
    // A new case of the same definition runs on the stepping runtime.
    const fresh = await start('legacy-case', {});
    expect((await q(`SELECT state FROM process_instances WHERE id = $1`, [fresh.body.id]))[0].state.version).toBe(STATE_VERSION);
  });

  it('lets administrators edit the holiday calendar and refuses bad days', async () => {
    const put = (day: string, body: string | object, token = admin) =>
      t.http().put(`/api/holidays/${day}`).set('Authorization', `Bearer ${token}`).send(body);
    expect((await put('2027-02-09', { kind: 'holiday', name: '春节' })).status).toBe(204);
    const list = await t.http().get('/api/holidays?year=2027').set('Authorization', `Bearer ${admin}`);
    expect(list.body).toEqual(expect.arrayContaining([{ day: '2027-02-09', kind: 'holiday', name: '春节' }]));
    for (const year of ["'", '2027; --', '0', '20270']) {
      const bad = await t.http().get('/api/holidays').query({ year }).set('Authorization', `Bearer ${admin}`);
      expect([year, bad.status, bad.body.code]).toEqual([year, 400, 'VALIDATION_FAILED']);
    }
    expect((await put('2027-02-30', { kind: 'holiday', name: '错' })).status).toBe(400);
    expect((await put('2027-02-10', { kind: 'vacation', name: '错' })).status).toBe(400);
    const clerk = await t.login('luoping');
    expect((await put('2027-02-11', { kind: 'holiday', name: '春节' }, clerk)).status).toBe(403);
    expect((await t.http().delete('/api/holidays/2027-02-09').set('Authorization', `Bearer ${admin}`)).status).toBe(204);
    expect((await t.http().delete('/api/holidays/2027-02-09').set('Authorization', `Bearer ${admin}`)).status).toBe(404);
  });

  describe('with the real camunda-external-task-client-js over HTTP', () => {
    let baseUrl: string;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      const address = t.app.getHttpServer().address() as { port: number };
      baseUrl = `http://127.0.0.1:${address.port}/engine-rest`;
    });

    const worker = () =>
      spawn(
        process.execPath,
        [join(__dirname, '../../../../test/support/camunda-worker.mjs'), baseUrl, t.config.workerToken, 'zw-render'],
        { stdio: 'ignore' },
      );

    it('refuses a worker without the token in Camunda’s error shape', async () => {
      const res = await fetch(`${baseUrl}/external-task/fetchAndLock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"workerId":"w","maxTasks":1,"topics":[]}',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual(expect.objectContaining({ type: 'AuthenticationException' }));
    });

    it('fetches, completes with typed variables, reports failures as incidents and routes a bpmnError', async () => {
      const ok = (await start('ext-test', { mode: 'ok' })).body.id as string;
      const fail = (await start('ext-test', { mode: 'fail' })).body.id as string;
      const error = (await start('ext-test', { mode: 'error' })).body.id as string;
      const client = worker();
      try {
        await waitUntil(async () => (await openTasks(ok)).length === 1 && (await openTasks(error)).length === 1);
        await waitUntil(async () => (await q('SELECT 1 FROM incidents WHERE instance_id = $1', [fail])).length === 1);
      } finally {
        client.kill('SIGTERM');
      }
      expect((await openTasks(ok)).map((r) => r.activity_id)).toEqual(['done']);
      expect((await openTasks(error)).map((r) => r.activity_id)).toEqual(['fix']);
      const vars = (await q('SELECT variables FROM process_instances WHERE id = $1', [ok]))[0].variables;
      expect(vars).toEqual(expect.objectContaining({ pages: 3, signed: true, meta: { by: '信息中心' } }));
      const incidents = await t.http().get('/api/incidents').set('Authorization', `Bearer ${admin}`);
      expect(incidents.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ incidentMessage: '模板服务不可用', incidentType: 'failedExternalTask' })]),
      );
    });
  });
});
