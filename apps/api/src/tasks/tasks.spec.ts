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
    for (const name of ['lina', 'yangfan', 'gaoyuan', 'huangli', 'js.nigao', 'zhangwei', 'guoqiang']) {
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
    batch: (body: Record<string, unknown>) =>
      t.http().post(`/api/tasks/batch-actions`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
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

    // 抄送 stays within the case's line (规划司 and the ministry above it); 信息中心 has no part in this case.
    const foreign = await as('lina').act(draft.id, { action: 'cc', targets: [ids.huangli] });
    expect([foreign.status, foreign.body.code]).toEqual([403, 'TARGET_OUT_OF_REACH']);
    expect(foreign.body.message).toContain('黄丽');
    expect((await as('lina').act(draft.id, { action: 'cc', targets: [ids.guoqiang] })).status).toBe(200);
    const cc = await as('guoqiang').list('view=cc');
    expect(cc.body.items).toEqual([expect.objectContaining({ id: draft.id, readAt: null })]);
    expect(cc.body.counts.cc).toBe(1);
    expect((await as('guoqiang').get(draft.id)).status).toBe(200);
    expect((await as('guoqiang').list('view=cc')).body.counts.cc).toBe(0);

    expect((await as('lina').act(draft.id, { action: 'transfer', target: 'nobody' })).status).toBe(400);
    // 转办 only to someone of the case's unit: 科技司's 高原 is refused, 规划司's 郭强 takes it.
    const away = await as('lina').act(draft.id, { action: 'transfer', target: ids.gaoyuan });
    expect([away.status, away.body.code]).toEqual([403, 'TARGET_OUT_OF_REACH']);
    expect((await as('lina').act(draft.id, { action: 'transfer', target: ids.guoqiang })).status).toBe(200);
    expect((await as('lina').act(draft.id, { action: 'approve' })).status).toBe(403);
    expect((await q(`SELECT assignee FROM tasks WHERE id = $1`, [draft.id]))[0].assignee).toBe(ids.guoqiang);
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
  /** A case waiting at 核稿, claimed by yangfan (规划司's reviewer). */
  const atReview = async (title: string) => {
    const instance = await startCase(title);
    await as('lina').act((await openTask(instance)).id, { action: 'approve' });
    const review = await openTask(instance);
    expect((await as('yangfan').act(review.id, { action: 'claim' })).status).toBe(200);
    return { instance, review: review.id };
  };
  const taskRow = async (id: string) =>
    (await q(`SELECT status, assignee, owner, signing, outcome, completed_by FROM tasks WHERE id = $1`, [id]))[0] as {
      status: string;
      assignee: string | null;
      owner: string | null;
      signing: string | null;
      outcome: string | null;
      completed_by: string | null;
    };
  const chain = async (id: string) =>
    (
      await q(
        `SELECT u.username, s.position, s.status, s.comment FROM task_signers s JOIN users u ON u.id = s.user_id WHERE s.task_id = $1 ORDER BY s.position DESC, s.seq`,
        [id],
      )
    ).map((r: { username: string; position: string; status: string; comment: string | null }) => `${r.position}:${r.username}:${r.status}`);
  /** 加签 goes only to people who could hold the step: 规划司's reviewers. These tests give three more of them the role. */
  const grantReviewers = () =>
    q(
      `INSERT INTO user_roles (user_id, role) SELECT id, 'reviewer' FROM users WHERE username IN ('zhangwei', 'guoqiang', 'lina') ON CONFLICT DO NOTHING`,
    );
  const todoIds = async (who: string) => (await as(who).list()).body.items.map((i: { id: string }) => i.id);

  it('前加签: the added signers handle the task one after another, then it comes back to the holder', async () => {
    await grantReviewers();
    const { instance, review } = await atReview('前加签测试');
    expect((await as('yangfan').get(review)).body.allowedActions).toEqual(
      expect.arrayContaining(['approve', 'transfer', 'delegate', 'add-signer', 'cc', 'unclaim']),
    );
    const added = await as('yangfan').act(review, {
      action: 'add-signer',
      position: 'before',
      targets: [ids.zhangwei, ids.guoqiang],
      comment: '请张司长、高处长先行把关',
    });
    expect(added.status).toBe(200);
    expect(await taskRow(review)).toEqual(
      expect.objectContaining({ status: 'open', assignee: ids.zhangwei, owner: ids.yangfan, signing: 'before' }),
    );
    expect(await todoIds('zhangwei')).toContain(review);
    expect(await todoIds('guoqiang')).not.toContain(review);
    expect(await todoIds('yangfan')).not.toContain(review);
    // The signer signs or sends back; the holder waits and may only remove, urge or copy.
    expect((await as('zhangwei').get(review)).body.allowedActions).toEqual(['approve', 'return', 'reject', 'cc']);
    expect((await as('zhangwei').get(review)).body.returnTargets).toEqual([]);
    expect((await as('yangfan').get(review)).body.allowedActions).toEqual(['remove-signer', 'urge', 'cc']);
    expect((await as('yangfan').act(review, { action: 'approve' })).status).toBe(403);
    expect((await as('zhangwei').act(review, { action: 'add-signer', position: 'before', targets: [ids.lina] })).status).toBe(403);

    expect((await as('zhangwei').act(review, { action: 'approve', comment: '同意，注意预算口径' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(expect.objectContaining({ status: 'open', assignee: ids.guoqiang, signing: 'before' }));
    expect(await todoIds('guoqiang')).toContain(review);
    expect(await todoIds('zhangwei')).not.toContain(review);
    expect((await as('zhangwei').get(review)).status).toBe(200); // having acted, he still reads it

    expect((await as('guoqiang').act(review, { action: 'approve', comment: '无意见' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(expect.objectContaining({ status: 'open', assignee: ids.yangfan, signing: null }));
    expect(await chain(review)).toEqual(['before:zhangwei:signed', 'before:guoqiang:signed']);
    expect((await as('yangfan').get(review)).body.allowedActions).toContain('approve');

    expect((await as('yangfan').act(review, { action: 'approve', comment: '同意' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(expect.objectContaining({ status: 'completed', outcome: 'approve', completed_by: ids.yangfan }));
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [instance]))[0].status).toBe('completed');
    const history = (await as('lina').get(review)).body.history;
    expect(history.map((h: { action: string; userName: string }) => `${h.action}:${h.userName}`)).toEqual([
      'approve:李娜',
      'claim:杨帆',
      'add-signer:杨帆',
      'sign:张伟',
      'sign:郭强',
      'approve:杨帆',
    ]);
    expect(history[2]).toEqual(
      expect.objectContaining({ comment: '请张司长、高处长先行把关', target: `before:${ids.zhangwei},${ids.guoqiang}` }),
    );
    expect(history[3]).toEqual(expect.objectContaining({ comment: '同意，注意预算口径', unitName: '规划司' }));
    expect((await as('lina').get(review)).body.signers).toEqual([
      expect.objectContaining({ displayName: '张伟', position: 'before', seq: 1, status: 'signed', addedByName: '杨帆' }),
      expect.objectContaining({ displayName: '郭强', position: 'before', seq: 2, status: 'signed' }),
    ]);
  });

  it('后加签: the holder’s 同意 sends the task to the added signers and only the last signature completes it', async () => {
    const { instance, review } = await atReview('后加签测试');
    expect(
      (await as('yangfan').act(review, { action: 'add-signer', position: 'after', targets: [ids.zhangwei, ids.guoqiang] })).status,
    ).toBe(200);
    // Nothing moves until the holder approves; they may still take a signer off.
    expect(await taskRow(review)).toEqual(expect.objectContaining({ assignee: ids.yangfan, signing: null }));
    expect((await as('yangfan').get(review)).body.allowedActions).toContain('remove-signer');
    expect(await todoIds('zhangwei')).not.toContain(review);

    expect((await as('yangfan').act(review, { action: 'approve', comment: '拟同意，请张司长、高处长会签' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(
      expect.objectContaining({ status: 'open', assignee: ids.zhangwei, owner: ids.yangfan, signing: 'after' }),
    );
    expect((await as('yangfan').get(review)).body.allowedActions).toEqual(['remove-signer', 'urge', 'cc']);
    expect((await as('zhangwei').act(review, { action: 'approve' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(expect.objectContaining({ status: 'open', assignee: ids.guoqiang }));
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [instance]))[0].status).toBe('running');
    expect((await as('guoqiang').act(review, { action: 'approve', comment: '同意' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(
      expect.objectContaining({ status: 'completed', outcome: 'approve', completed_by: ids.guoqiang, signing: null }),
    );
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [instance]))[0].status).toBe('completed');
    expect(await chain(review)).toEqual(['after:zhangwei:signed', 'after:guoqiang:signed']);
  });

  it('an added signer’s 不同意 needs an opinion and sends the task back to the holder, cancelling the rest of the chain', async () => {
    const { instance, review } = await atReview('加签不同意测试');
    await as('yangfan').act(review, { action: 'add-signer', position: 'after', targets: [ids.zhangwei, ids.guoqiang] });
    await as('yangfan').act(review, { action: 'approve' });
    const bare = await as('zhangwei').act(review, { action: 'reject' });
    expect([bare.status, bare.body.code]).toEqual([400, 'COMMENT_REQUIRED']);
    expect((await as('zhangwei').act(review, { action: 'reject', comment: '预算偏高，请核减' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(expect.objectContaining({ status: 'open', assignee: ids.yangfan, signing: null }));
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [instance]))[0].status).toBe('running');
    expect(await chain(review)).toEqual(['after:zhangwei:disagreed', 'after:guoqiang:cancelled']);
    const seen = await as('yangfan').get(review);
    expect(seen.body.history.at(-1)).toEqual(
      expect.objectContaining({ action: 'sign-reject', userName: '张伟', comment: '预算偏高，请核减', target: ids.yangfan }),
    );
    expect(seen.body.allowedActions).toContain('return');
    // The holder decides anew with the opinion in hand: here, back to the drafter.
    expect((await as('yangfan').act(review, { action: 'return', comment: '请按张司长意见核减预算' })).status).toBe(200);
    expect((await openTask(instance)).activity_id).toBe('draft');
  });

  it('减签 removes a signer who has not acted, and refuses one who has', async () => {
    const { review } = await atReview('减签测试');
    await as('yangfan').act(review, { action: 'add-signer', position: 'before', targets: [ids.zhangwei, ids.guoqiang, ids.lina] });
    await as('zhangwei').act(review, { action: 'approve', comment: '同意' });
    const late = await as('yangfan').act(review, { action: 'remove-signer', targets: [ids.zhangwei] });
    expect([late.status, late.body.code]).toEqual([409, 'SIGNER_ALREADY_ACTED']);
    expect(late.body.message).toContain('张伟已经办理');
    const stranger = await as('yangfan').act(review, { action: 'remove-signer', targets: [ids.yangfan] });
    expect([stranger.status, stranger.body.details]).toEqual([400, [{ field: 'targets', message: '不是待办理的加签人' }]]);
    // Only the holder who added them may remove them.
    expect((await as('lina').act(review, { action: 'remove-signer', targets: [ids.lina] })).status).toBe(403);
    expect((await as('guoqiang').act(review, { action: 'remove-signer', targets: [ids.lina] })).status).toBe(403);
    // Taking off a later one leaves the current signer in place …
    expect((await as('yangfan').act(review, { action: 'remove-signer', targets: [ids.lina], comment: '无需信息中心' })).status).toBe(200);
    expect(await taskRow(review)).toEqual(expect.objectContaining({ assignee: ids.guoqiang, signing: 'before' }));
    // … taking off the current (last) one brings the task back to the holder.
    expect((await as('yangfan').act(review, { action: 'remove-signer', targets: [ids.guoqiang] })).status).toBe(200);
    expect(await taskRow(review)).toEqual(expect.objectContaining({ status: 'open', assignee: ids.yangfan, signing: null }));
    expect(await chain(review)).toEqual(['before:zhangwei:signed', 'before:guoqiang:removed', 'before:lina:removed']);
    expect(await todoIds('guoqiang')).not.toContain(review);
    const bad = await as('yangfan').act(review, { action: 'add-signer', targets: [ids.zhangwei] });
    expect([bad.status, bad.body.details]).toEqual([400, [{ field: 'position', message: expect.any(String) }]]);
    expect((await as('yangfan').act(review, { action: 'add-signer', position: 'after', targets: [ids.yangfan] })).status).toBe(400);
    expect((await as('yangfan').act(review, { action: 'add-signer', position: 'middle', targets: [ids.zhangwei] })).status).toBe(400);
    expect((await as('yangfan').act(review, { action: 'add-signer', position: 'after', targets: ['x'] })).status).toBe(400);
  });

  it('批量同意: each task in its own transaction, reporting ok, not visible and already completed apart', async () => {
    const a = await atReview('批量一');
    const b = await atReview('批量二');
    const done = await atReview('批量三');
    await as('yangfan').act(done.review, { action: 'approve' });
    // A draft of 科技司 that 规划司's reviewer may not see.
    const [kjs] = await q(`SELECT unit_id FROM users WHERE username = 'gaoyuan'`);
    const other = await t.app.get(EngineService).startProcess('review-test', {
      variables: { drafter: ids.gaoyuan, title: '科技司拟稿' },
      ownerUnitId: kjs.unit_id,
      startedBy: ids.gaoyuan,
    });
    const hidden = (await openTask(other.id)).id;
    const res = await as('yangfan').batch({ taskIds: [a.review, hidden, done.review, b.review], action: 'approve', comment: '同意' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { taskId: a.review, ok: true },
        { taskId: hidden, ok: false, code: 'NOT_FOUND', message: expect.any(String) },
        { taskId: done.review, ok: false, code: 'TASK_ALREADY_COMPLETED', message: expect.any(String) },
        { taskId: b.review, ok: true },
      ],
      succeeded: 2,
      failed: 2,
    });
    for (const id of [a.review, b.review])
      expect(await taskRow(id)).toEqual(expect.objectContaining({ status: 'completed', outcome: 'approve' }));
    expect(await taskRow(hidden)).toEqual(expect.objectContaining({ status: 'open' }));
    expect((await q(`SELECT comment FROM task_actions WHERE task_id = $1 AND action = 'approve'`, [a.review]))[0].comment).toBe('同意');

    const empty = await as('yangfan').batch({ taskIds: [], action: 'approve' });
    expect([empty.status, empty.body.details[0].field]).toEqual([400, 'taskIds']);
    const many = await as('yangfan').batch({ taskIds: Array.from({ length: 101 }, () => a.review), action: 'approve' });
    expect([many.status, many.body.details[0].field]).toEqual([400, 'taskIds']);
    const wrong = await as('yangfan').batch({ taskIds: [a.review], action: 'reject' });
    expect([wrong.status, wrong.body.details[0].field]).toEqual([400, 'action']);
    expect((await as('yangfan').batch({ taskIds: ['nope'], action: 'approve' })).status).toBe(400);
  });

  it('shows the diagram of a task’s case with completed and current steps and who holds them, to those who may see it', async () => {
    const instance = await startCase('流程图测试');
    await as('lina').act((await openTask(instance)).id, { action: 'approve' });
    const review = await openTask(instance);
    const diagram = await t.http().get(`/api/tasks/${review.id}/diagram`).set('Authorization', `Bearer ${tokens.lina}`);
    expect(diagram.status).toBe(200);
    expect(diagram.body.xml).toContain('<process id="review-test"');
    const status = (id: string) => diagram.body.activities.find((a: { activityId: string }) => a.activityId === id);
    expect(status('draft')).toEqual(expect.objectContaining({ completed: 1, active: 0 }));
    expect(status('review')).toEqual(expect.objectContaining({ active: 1 }));
    // Offered to the unit's reviewers: nobody holds it yet.
    expect(diagram.body.holders).toEqual([{ activityId: 'review', name: expect.stringContaining('核稿人（待认领）') }]);

    await as('yangfan').act(review.id, { action: 'claim' });
    const claimed = await t.http().get(`/api/tasks/${review.id}/diagram`).set('Authorization', `Bearer ${tokens.yangfan}`);
    expect(claimed.body.holders).toEqual([{ activityId: 'review', name: '杨帆' }]);

    expect((await t.http().get(`/api/tasks/${review.id}/diagram`).set('Authorization', `Bearer ${tokens['js.nigao']}`)).status).toBe(404);
    expect((await t.http().get(`/api/tasks/not-a-task/diagram`).set('Authorization', `Bearer ${tokens.lina}`)).status).toBe(404);
  });

  it('tells the diagram what the case waits for: a boundary timer with its due time, then a message by name', async () => {
    await t.app.get(DefinitionsService).deploy(
      `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_waits" targetNamespace="t">
<process id="waits-test" name="等待测试" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="check" />
  <userTask id="check" name="审核" camunda:assignee="\${drafter}" />
  <boundaryEvent id="late" name="超时" attachedToRef="check" cancelActivity="false"><timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></boundaryEvent>
  <sequenceFlow id="f1" sourceRef="late" targetRef="urged" /><endEvent id="urged" />
  <sequenceFlow id="f2" sourceRef="check" targetRef="reply" />
  <intermediateCatchEvent id="reply" name="等待回函"><messageEventDefinition messageRef="m" /></intermediateCatchEvent>
  <sequenceFlow id="f3" sourceRef="reply" targetRef="e" /><endEvent id="e" />
</process><message id="m" name="来函回复" /></definitions>`,
      { source: 'test' },
    );
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id: instance } = await t.app.get(EngineService).startProcess('waits-test', {
      variables: { drafter: ids.lina, title: '等待测试' },
      ownerUnitId: unit.unit_id,
      startedBy: ids.lina,
    });
    const check = await openTask(instance);
    const diagram = () => t.http().get(`/api/tasks/${check.id}/diagram`).set('Authorization', `Bearer ${tokens.lina}`);
    const before = Date.now();
    const armed = (await diagram()).body;
    expect(armed.waits).toEqual([{ activityId: 'late', kind: 'timer', dueAt: expect.any(String), name: null }]);
    const due = Date.parse(armed.waits[0].dueAt) - before;
    expect(due).toBeGreaterThan(3 * 86_400_000 - 60_000);
    expect(due).toBeLessThan(3 * 86_400_000 + 60_000);

    await as('lina').act(check.id, { action: 'approve' });
    const waiting = (await diagram()).body;
    expect(waiting.waits).toEqual([{ activityId: 'reply', kind: 'message', dueAt: null, name: '来函回复' }]);
    expect(waiting.activities).toEqual(expect.arrayContaining([expect.objectContaining({ activityId: 'reply', active: 1 })]));
    expect(waiting.activities).toEqual(expect.arrayContaining([expect.objectContaining({ activityId: 'late', active: 0, completed: 0 })]));

    await t.app.get(EngineService).correlateMessage('来函回复', { businessKey: undefined, variables: {} });
    expect((await diagram()).body.waits).toEqual([]);
  });
});
