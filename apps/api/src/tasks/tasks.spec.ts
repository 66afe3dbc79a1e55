import { HttpStatus } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../platform/errors';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { DefinitionsService } from '../engine/definitions.service';
import { EngineService } from '../engine/engine.service';

const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_review" targetNamespace="t">
<process id="review-test" name="核稿测试" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="发起" /><sequenceFlow id="f0" sourceRef="s" targetRef="draft" />
  <userTask id="draft" name="拟稿" camunda:assignee="\${drafter}" /><sequenceFlow id="f1" sourceRef="draft" targetRef="review" />
  <userTask id="review" name="核稿" camunda:candidateGroups="reviewer" camunda:dueDate="\${workingDays(2)}" /><sequenceFlow id="f2" sourceRef="review" targetRef="gw" />
  <exclusiveGateway id="gw" name="核稿意见" />
  <sequenceFlow id="ok" name="同意" sourceRef="gw" targetRef="done"><conditionExpression>\${outcome == 'approve'}</conditionExpression></sequenceFlow>
  <sequenceFlow id="back" name="退回" sourceRef="gw" targetRef="draft"><conditionExpression>\${outcome == 'return'}</conditionExpression></sequenceFlow>
  <sequenceFlow id="no" name="驳回" sourceRef="gw" targetRef="rejected"><conditionExpression>\${outcome == 'reject'}</conditionExpression></sequenceFlow>
  <endEvent id="done" name="通过" /><endEvent id="rejected" name="驳回" />
</process></definitions>`;

describe('inbox and task operations', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DefinitionsService).deploy(DIAGRAM, { source: 'test' });
    for (const name of ['lina', 'yangfan', 'gaoyuan', 'huangli', 'js.nigao']) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => ({
    list: (query = 'view=todo') => t.http().get(`/api/tasks?${query}`).set('Authorization', `Bearer ${tokens[who]}`),
    get: (id: string) => t.http().get(`/api/tasks/${id}`).set('Authorization', `Bearer ${tokens[who]}`),
    act: (id: string, body: Record<string, unknown>) =>
      t.http().post(`/api/tasks/${id}/actions`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });
  /** lina of 规划司 starts a case in her unit; its first step is her own 拟稿. */
  const startCase = async (title: string) => {
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id } = await t.app.get(EngineService).startProcess('review-test', {
      variables: { drafter: ids.lina, title, urgency: '加急' },
      ownerUnitId: unit.unit_id,
      startedBy: ids.lina,
    });
    return id;
  };
  const openTask = async (instanceId: string) =>
    (await q(`SELECT id, activity_id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [instanceId]))[0] as {
      id: string;
      activity_id: string;
    };

  it('offers a group task to the reviewers of the case’s unit only, with the operations each may use', async () => {
    const instance = await startCase('关于报送2027年信息化计划的通知');
    const draft = await openTask(instance);
    const todo = await as('lina').list();
    expect(todo.status).toBe(200);
    expect(todo.body.items).toEqual([
      expect.objectContaining({
        id: draft.id,
        name: '拟稿',
        title: '关于报送2027年信息化计划的通知',
        urgency: '加急',
        processName: '核稿测试',
      }),
    ]);
    expect(todo.body.counts).toEqual(expect.objectContaining({ todo: 1 }));
    expect((await as('lina').act(draft.id, { action: 'approve', comment: '请审核' })).status).toBe(200);

    const review = await openTask(instance);
    expect(review.activity_id).toBe('review');
    expect((await as('yangfan').list()).body.items.map((i: { id: string }) => i.id)).toContain(review.id);
    // A reviewer of another department, and one of a province, neither see nor touch it.
    expect((await as('gaoyuan').list()).body.items.map((i: { id: string }) => i.id)).not.toContain(review.id);
    expect((await as('gaoyuan').get(review.id)).status).toBe(404);
    expect((await as('js.nigao').get(review.id)).status).toBe(404);
    expect((await as('js.nigao').act(review.id, { action: 'approve' })).status).toBe(404);

    const seen = await as('yangfan').get(review.id);
    expect(seen.body.allowedActions).toEqual(['approve', 'return', 'reject', 'transfer', 'delegate', 'cc', 'claim']);
    expect(seen.body.returnTargets).toEqual([{ activityId: 'draft', name: '拟稿' }]);
    expect(seen.body.form).toEqual(expect.objectContaining({ title: '关于报送2027年信息化计划的通知' }));
    expect(seen.body.history).toEqual([
      expect.objectContaining({ action: 'approve', comment: '请审核', userName: '李娜', unitName: expect.any(String) }),
    ]);
    expect(seen.body.dueAt).toEqual(expect.any(String));
    expect((await as('lina').get(review.id)).body.allowedActions).toEqual(['urge', 'withdraw']);
    expect((await as('lina').list('view=started')).body.items.map((i: { id: string }) => i.id)).toContain(review.id);
    expect((await as('lina').list('view=done')).body.items.map((i: { id: string }) => i.id)).toContain(draft.id);
  });

  it('lets the sender withdraw until the next person acts, and urge', async () => {
    const instance = await startCase('撤回测试');
    await as('lina').act((await openTask(instance)).id, { action: 'approve' });
    const review = await openTask(instance);
    expect((await as('lina').act(review.id, { action: 'urge' })).status).toBe(200);
    expect((await q(`SELECT urge_count FROM tasks WHERE id = $1`, [review.id]))[0].urge_count).toBe(1);
    expect((await as('lina').act(review.id, { action: 'withdraw', comment: '补充附件' })).status).toBe(200);
    const back = await openTask(instance);
    expect(back.activity_id).toBe('draft');
    // Once the reviewer has claimed, withdrawing is no longer possible.
    await as('lina').act(back.id, { action: 'approve' });
    const again = await openTask(instance);
    expect((await as('yangfan').act(again.id, { action: 'claim' })).status).toBe(200);
    const refused = await as('lina').act(again.id, { action: 'withdraw' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ACTION_NOT_ALLOWED');
  });

  it('requires an opinion to return or reject; a return goes back to 拟稿 and a reject ends the case', async () => {
    const instance = await startCase('退回驳回测试');
    await as('lina').act((await openTask(instance)).id, { action: 'approve' });
    const review = await openTask(instance);
    const bare = await as('yangfan').act(review.id, { action: 'return' });
    expect([bare.status, bare.body.code]).toEqual([400, 'COMMENT_REQUIRED']);
    expect((await as('yangfan').act(review.id, { action: 'return', target: 'review', comment: '改' })).body.code).toBe(
      'RETURN_TARGET_INVALID',
    );
    expect((await as('yangfan').act(review.id, { action: 'return', comment: '请补充预算依据' })).status).toBe(200);
    const draft = await openTask(instance);
    expect(draft.activity_id).toBe('draft');
    await as('lina').act(draft.id, { action: 'approve', comment: '已补充' });
    const review2 = await openTask(instance);
    expect((await as('yangfan').act(review2.id, { action: 'reject', comment: '不符合立项条件' })).status).toBe(200);
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [instance]))[0].status).toBe('completed');
    const history = (await as('lina').get(review2.id)).body.history.map((h: { action: string }) => h.action);
    expect(history).toEqual(['approve', 'return', 'approve', 'reject']);
  });

  it('lets exactly one of two simultaneous 同意 win; the other gets 409', async () => {
    const instance = await startCase('并发测试');
    await as('lina').act((await openTask(instance)).id, { action: 'approve' });
    const review = await openTask(instance);
    const results = await Promise.all([
      as('yangfan').act(review.id, { action: 'approve' }),
      as('yangfan').act(review.id, { action: 'approve' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('TASK_ALREADY_COMPLETED');
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [instance]))[0].status).toBe('completed');
  });

  it('delegates and gets the task back, transfers, and copies for reading', async () => {
    const instance = await startCase('委派测试');
    const draft = await openTask(instance);
    expect((await as('lina').act(draft.id, { action: 'delegate', target: ids.yangfan })).status).toBe(200);
    expect((await as('yangfan').get(draft.id)).body.allowedActions).toEqual(['resolve', 'cc']);
    expect((await as('lina').get(draft.id)).body.allowedActions).not.toContain('approve');
    expect((await as('yangfan').act(draft.id, { action: 'resolve', comment: '已修改措辞' })).status).toBe(200);
    expect((await as('lina').get(draft.id)).body.allowedActions).toContain('approve');

    expect((await as('lina').act(draft.id, { action: 'cc', targets: [ids.huangli] })).status).toBe(200);
    const cc = await as('huangli').list('view=cc');
    expect(cc.body.items).toEqual([expect.objectContaining({ id: draft.id, readAt: null })]);
    expect(cc.body.counts.cc).toBe(1);
    expect((await as('huangli').get(draft.id)).status).toBe(200);
    expect((await as('huangli').list('view=cc')).body.counts.cc).toBe(0);

    expect((await as('lina').act(draft.id, { action: 'transfer', target: 'nobody' })).status).toBe(400);
    expect((await as('lina').act(draft.id, { action: 'transfer', target: ids.gaoyuan })).status).toBe(200);
    expect((await as('lina').act(draft.id, { action: 'approve' })).status).toBe(403);
    expect((await q(`SELECT assignee FROM tasks WHERE id = $1`, [draft.id]))[0].assignee).toBe(ids.gaoyuan);
  });

  it('offers a task to the named unit’s group, and lets the process’s listener add variables or refuse', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_units" targetNamespace="t">
<process id="units-test" name="跨单位测试" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="申请" /><sequenceFlow id="f0" sourceRef="s" targetRef="opinion" />
  <userTask id="opinion" name="信息办审查" camunda:candidateGroups="office-reviewer">
    <extensionElements><camunda:properties><camunda:property name="candidateUnits" value="MLR-XXB" /></camunda:properties></extensionElements>
  </userTask><sequenceFlow id="f1" sourceRef="opinion" targetRef="provide" />
  <userTask id="provide" name="提供数据" camunda:candidateGroups="data-admin">
    <extensionElements><camunda:properties><camunda:property name="candidateUnits" value="\${provider}" /></camunda:properties></extensionElements>
  </userTask><sequenceFlow id="f2" sourceRef="provide" targetRef="e" /><endEvent id="e" name="办结" />
</process></definitions>`;
    await t.app.get(DefinitionsService).deploy(xml, { source: 'test' });
    const engine = t.app.get(EngineService);
    const seen: string[] = [];
    engine.listen('units-test', {
      taskCompleting: async (e) => {
        if (e.activityId === 'opinion' && !e.comment) throw new AppError('OPINION_REQUIRED', '请填写审查意见', HttpStatus.BAD_REQUEST);
        const [{ n }] = await e.tx.query(`SELECT count(*)::int AS n FROM task_actions WHERE instance_id = $1`, [e.instanceId]);
        return { actionsBefore: n };
      },
      caseStepped: async (e) => {
        seen.push(`${e.status}:${e.createdTasks.map((c) => c.activityId).join(',')}:${e.endedActivities.join(',')}`);
      },
    });
    const [xxzx] = await q(`SELECT id FROM units WHERE code = 'MLR-XXZX'`);
    const [ghs] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id } = await engine.startProcess('units-test', {
      variables: { provider: xxzx.id },
      ownerUnitId: ghs.unit_id,
      startedBy: ids.lina,
    });
    const opinion = await openTask(id);
    for (const name of ['chenjing', 'zhoumin']) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    // 信息办's reviewer sees a 规划司 case's review; 规划司's own reviewer and 信息办's secretary do not.
    expect((await as('chenjing').list()).body.items.map((i: { id: string }) => i.id)).toEqual([opinion.id]);
    expect((await as('yangfan').list()).body.items.map((i: { id: string }) => i.id)).not.toContain(opinion.id);
    expect((await as('zhoumin').list()).body.items).toEqual([]);
    // The listener's refusal rolls the whole action back.
    expect((await as('chenjing').act(opinion.id, { action: 'approve' })).body.code).toBe('OPINION_REQUIRED');
    expect((await q(`SELECT status, assignee FROM tasks WHERE id = $1`, [opinion.id]))[0]).toEqual({ status: 'open', assignee: null });
    expect((await q(`SELECT count(*)::int AS n FROM task_actions WHERE task_id = $1`, [opinion.id]))[0].n).toBe(0);
    expect((await as('chenjing').act(opinion.id, { action: 'approve', comment: '同意提供' })).status).toBe(200);
    const provide = await openTask(id);
    expect((await as('huangli').list()).body.items.map((i: { id: string }) => i.id)).toEqual([provide.id]);
    expect((await q(`SELECT variables->'actionsBefore' AS n FROM process_instances WHERE id = $1`, [id]))[0].n).toBe(1);
    await as('huangli').act(provide.id, { action: 'approve' });
    expect(seen).toEqual(['running:opinion:s', 'running:provide:opinion', 'completed::provide,e']);
  });

  it('answers bad requests with a reason', async () => {
    expect((await as('lina').list('view=everything')).status).toBe(400);
    expect((await as('lina').list('limit=1000')).status).toBe(400);
    expect((await as('lina').get('not-a-uuid')).status).toBe(404);
    const instance = await startCase('参数测试');
    const draft = await openTask(instance);
    const bad = await as('lina').act(draft.id, { action: 'explode' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(expect.stringContaining('action'));
    const filtered = await as('lina').list(`view=todo&q=${encodeURIComponent('参数')}&urgency=${encodeURIComponent('加急')}&sort=due`);
    expect(filtered.body.items.map((i: { id: string }) => i.id)).toEqual([draft.id]);
    expect((await as('lina').list(`view=todo&q=${encodeURIComponent("%' OR 1=1 --")}`)).body.items).toEqual([]);
  });
});
