import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { whyNobody } from './unowned-tasks.service';

/**
 * Feature: people in diagrams written for Camunda 7.
 * Such diagrams name people by user name (`camunda:assignee="demo"`, `camunda:candidateUsers="john,mary"`) and
 * groups by id (`camunda:candidateGroups="management"`). A name the platform has reaches that person's 待办; a name
 * it has not is a warning at deployment, and its task waits in the administrators' 无人办理的任务 until assigned.
 */
const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
const FOREIGN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="Definitions_people" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0">
  <bpmn:process id="cam-people" name="外来流程人员" isExecutable="true" camunda:historyTimeToLive="180">
    <bpmn:startEvent id="StartEvent_1" name="开始" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_demo" />
    <bpmn:userTask id="Task_demo" name="演示审阅" camunda:assignee="demo" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_demo" targetRef="Task_pair" />
    <bpmn:userTask id="Task_pair" name="二人之一" camunda:candidateUsers="john,mary, \${extra}" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_pair" targetRef="Task_mgmt" />
    <bpmn:userTask id="Task_mgmt" name="管理层审批" camunda:candidateGroups="management" />
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Task_mgmt" targetRef="Task_review" />
    <bpmn:userTask id="Task_review" name="审核" camunda:candidateGroups="reviewer" />
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Task_review" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" name="结束" />
  </bpmn:process>
</bpmn:definitions>`;
/** BPMN's own people assignment (humanPerformer), naming someone the platform never had. */
const GHOST = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="Definitions_ghost" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="cam-ghost" name="无人流程" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="开始" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_ghost" />
    <bpmn:userTask id="Task_ghost" name="幽灵办理">
      <bpmn:humanPerformer><bpmn:resourceAssignmentExpression><bpmn:formalExpression>ghost</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_ghost" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" name="结束" />
  </bpmn:process>
</bpmn:definitions>`;

const PASSWORDS = { initial: 'Chushi#2026-Mima', changed: 'Xinmima#2026-Zhengwu' };

interface Warning {
  rule: string;
  elementId?: string;
  message: string;
}

describe('Feature: people in diagrams written for Camunda 7, and the administrators’ unowned tasks', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    tokens.admin = await t.login('admin');
    tokens.secadmin = await t.login('secadmin');
    tokens.lina = await t.login('lina');
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${tokens[who]}`),
    post: (path: string, body: object = {}) => t.http().post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    put: (path: string, body: object) => t.http().put(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });
  const deploy = (xml: string) =>
    t
      .http()
      .post('/api/process-definitions')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .set('Content-Type', 'application/xml')
      .send(xml);
  const start = async (key: string, variables: Record<string, unknown> = {}) => {
    const res = await as('admin').post('/api/process-instances', { key, variables });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const openTask = async (instanceId: string): Promise<{ id: string; activity_id: string }> =>
    (await q(`SELECT id, activity_id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [instanceId]))[0];
  const todoIds = async (who: string): Promise<string[]> => {
    const res = await as(who).get('/api/tasks?view=todo&limit=200');
    expect(res.status).toBe(200);
    return (res.body.items as { id: string }[]).map((i) => i.id);
  };
  const unowned = async () => {
    const res = await as('admin').get('/api/admin/unowned-tasks?limit=200');
    expect(res.status).toBe(200);
    return res.body as { items: { id: string; name: string; reason: string; processKey: string }[]; total: number };
  };
  const approve = (who: string, taskId: string) => as(who).post(`/api/tasks/${taskId}/actions`, { action: 'approve', comment: '同意' });

  /** The administrators create a person in the administrator's unit, as they would; they change their first password. */
  async function person(username: string, roles: string[]): Promise<void> {
    const me = await as('admin').get('/api/auth/me');
    const created = await as('admin').post('/api/org/users', {
      username,
      displayName: `外来${username}`,
      unitId: me.body.unitId,
      password: PASSWORDS.initial,
    });
    expect(created.status).toBe(201);
    ids[username] = created.body.id;
    expect((await as('secadmin').put(`/api/org/users/${created.body.id}/roles`, { roles })).status).toBe(200);
    tokens[username] = await t.login(username, PASSWORDS.initial);
    const changed = await as(username).post('/api/auth/password', { currentPassword: PASSWORDS.initial, newPassword: PASSWORDS.changed });
    expect(changed.status).toBe(204);
  }

  it('Scenario: deploying names each literal user and group the platform lacks, by element; expressions are not judged', async () => {
    const res = await deploy(FOREIGN);
    expect(res.status).toBe(201);
    const people = (res.body.warnings as Warning[]).filter((w) => w.rule === 'unknown-user' || w.rule === 'unknown-group');
    expect(people.map((w) => `${w.rule}:${w.elementId}`)).toEqual([
      'unknown-user:Task_demo',
      'unknown-user:Task_pair',
      'unknown-user:Task_pair',
      'unknown-group:Task_mgmt',
    ]);
    expect(people[0].message).toContain('Task_demo（演示审阅）的办理人“demo”不是本平台的用户');
    expect(people[1].message).toContain('候选人“john”');
    expect(people[2].message).toContain('候选人“mary”');
    expect(people[3].message).toContain('候选组“management”不是本平台的角色代码');
    // `reviewer` is a role and `${extra}` is only known when the step runs: neither is warned about.
    expect(people.some((w) => w.elementId === 'Task_review' || w.message.includes('extra'))).toBe(false);
  });

  it('Scenario: a person with the named user name or role gets the step in 待办; an unknown group waits for the administrator', async () => {
    // Given the administrators create demo (a drafter) and mary (a reviewer of the administrator's unit)
    await person('demo', ['drafter']);
    await person('mary', ['reviewer']);
    // When the case starts, "demo" means the user demo
    const instanceId = await start('cam-people', { extra: ids.mary });
    const first = await openTask(instanceId);
    expect(first.activity_id).toBe('Task_demo');
    expect(await todoIds('demo')).toContain(first.id);
    expect(await todoIds('lina')).not.toContain(first.id);
    expect((await unowned()).items.map((i) => i.id)).not.toContain(first.id);
    expect((await approve('demo', first.id)).status).toBe(200);

    // john is nobody, mary is someone: the step is mary's to take
    const pair = await openTask(instanceId);
    expect(pair.activity_id).toBe('Task_pair');
    expect(await todoIds('mary')).toContain(pair.id);
    expect((await unowned()).items.map((i) => i.id)).not.toContain(pair.id);
    expect((await approve('mary', pair.id)).status).toBe(200);

    // "management" is no role: nobody is offered the step, and the administrators see why
    const mgmt = await openTask(instanceId);
    expect(mgmt.activity_id).toBe('Task_mgmt');
    for (const who of ['demo', 'mary', 'lina']) expect(await todoIds(who)).not.toContain(mgmt.id);
    const waiting = await unowned();
    const row = waiting.items.find((i) => i.id === mgmt.id);
    expect(row).toEqual(expect.objectContaining({ name: '管理层审批', processKey: 'cam-people' }));
    expect(row!.reason).toContain('候选组“management”不是本平台的角色');
    expect(waiting.total).toBeGreaterThanOrEqual(1);

    // Assigning to someone the platform does not have is refused and changes nothing
    const before = await q(`SELECT assignee FROM tasks WHERE id = $1`, [mgmt.id]);
    const unknown = await as('admin').post(`/api/admin/unowned-tasks/${mgmt.id}/assign`, { assignee: 'nobody-here' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('ASSIGNEE_UNKNOWN');
    expect(unknown.body.message).toContain('nobody-here');
    expect(await q(`SELECT assignee FROM tasks WHERE id = $1`, [mgmt.id])).toEqual(before);

    // The administrator assigns it to demo by user name: on the record, in demo's 待办, out of the unowned view
    const assigned = await as('admin').post(`/api/admin/unowned-tasks/${mgmt.id}/assign`, {
      assignee: 'demo',
      comment: '原流程的管理层由演示用户办理',
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toEqual({ ok: true, assignee: { id: ids.demo, displayName: '外来demo' } });
    expect(await todoIds('demo')).toContain(mgmt.id);
    expect((await unowned()).items.map((i) => i.id)).not.toContain(mgmt.id);
    const [action] = await q(
      `SELECT a.action, a.target, a.comment, u.username FROM task_actions a JOIN users u ON u.id = a.user_id WHERE a.task_id = $1`,
      [mgmt.id],
    );
    expect(action).toEqual({ action: 'assign', target: ids.demo, comment: '原流程的管理层由演示用户办理', username: 'admin' });
    const audit = await q(`SELECT username, detail FROM audit_log WHERE action = 'task.assign' AND object_id = $1`, [mgmt.id]);
    expect(audit).toEqual([expect.objectContaining({ username: 'admin', detail: expect.objectContaining({ target: ids.demo }) })]);
    const page = await as('demo').get(`/api/tasks/${mgmt.id}`);
    expect(page.body.allowedActions).toContain('approve');
    expect(page.body.history.map((h: { action: string }) => h.action)).toContain('assign');
    // A task someone can act on is not the administrator's to assign
    expect((await as('admin').post(`/api/admin/unowned-tasks/${mgmt.id}/assign`, { assignee: 'mary' })).body.code).toBe('TASK_NOT_UNOWNED');
    expect((await approve('demo', mgmt.id)).status).toBe(200);

    // "reviewer" is a role: mary, a reviewer of the case's unit, has it; then the case ends
    const review = await openTask(instanceId);
    expect(review.activity_id).toBe('Task_review');
    expect(await todoIds('mary')).toContain(review.id);
    expect((await approve('mary', review.id)).status).toBe(200);
    const instance = await as('admin').get(`/api/process-instances/${instanceId}`);
    expect(instance.body.status).toBe('completed');
    // Done steps cannot be assigned
    expect((await as('admin').post(`/api/admin/unowned-tasks/${mgmt.id}/assign`, { assignee: 'mary' })).status).toBe(409);
  });

  it('Scenario: a step assigned to someone unknown waits in the unowned view until assigned by user id, then its assignee completes it', async () => {
    const res = await deploy(GHOST);
    expect(res.status).toBe(201);
    expect((res.body.warnings as Warning[]).filter((w) => w.rule === 'unknown-user').map((w) => w.elementId)).toEqual(['Task_ghost']);
    const instanceId = await start('cam-ghost');
    const ghost = await openTask(instanceId);
    const row = (await unowned()).items.find((i) => i.id === ghost.id);
    expect(row?.reason).toBe('办理人“ghost”不是本平台的用户');
    // Nobody but a system administrator sees or assigns them
    for (const who of ['lina', 'secadmin', 'mary']) {
      expect((await as(who).get('/api/admin/unowned-tasks')).status).toBe(403);
      expect((await as(who).post(`/api/admin/unowned-tasks/${ghost.id}/assign`, { assignee: 'mary' })).status).toBe(403);
    }
    expect((await as('admin').post(`/api/admin/unowned-tasks/${ghost.id}/assign`, { assignee: ids.mary })).status).toBe(200);
    expect(await todoIds('mary')).toContain(ghost.id);
    expect((await approve('mary', ghost.id)).status).toBe(200);
    expect((await as('admin').get(`/api/process-instances/${instanceId}`)).body.status).toBe('completed');
  });

  it('Scenario: a deactivated assignee or candidate, or a role nobody of the unit holds, also leaves a step to nobody', async () => {
    await q(`UPDATE users SET is_active = false WHERE username = 'demo'`);
    const instanceId = await start('cam-people', { extra: ids.mary });
    const first = await openTask(instanceId);
    expect((await unowned()).items.find((i) => i.id === first.id)?.reason).toBe('办理人外来demo已停用');
    await q(`UPDATE users SET is_active = true WHERE username = 'demo'`);
    expect((await unowned()).items.map((i) => i.id)).not.toContain(first.id);
    expect((await approve('demo', first.id)).status).toBe(200);
    // The step offered to john (nobody) and mary (by name and by id): once mary leaves, nobody is left
    const pair = await openTask(instanceId);
    await q(`UPDATE users SET is_active = false WHERE username = 'mary'`);
    expect((await unowned()).items.find((i) => i.id === pair.id)?.reason).toBe('候选人“john”、“外来mary”都不是本平台的在职用户');
    await q(`UPDATE users SET is_active = true WHERE username = 'mary'`);
    expect(
      whyNobody({ assignee: null, assigneeName: null, candidateNames: [], candidateGroups: ['reviewer', 'ops'], unitName: '信息中心' }),
    ).toBe('候选组“ops”不是本平台的角色；信息中心没有“核稿人”角色的在职人员');
  });
});
