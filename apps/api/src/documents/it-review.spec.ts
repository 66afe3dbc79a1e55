import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';

/**
 * Seed （八）: an informatization document issued in the ministry's name cannot be 签发 before 信息办审核 and the
 * 信息化领导小组's approval. Through HTTP: the process routes it, the api refuses shortcuts, the page shows the state.
 */
describe('信息化文件审核 before 签发', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const units: Record<string, string> = {};
  const MEMBERS = ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei', 'hejun'];
  const PEOPLE = ['lina', 'yangfan', 'chenjing', 'zhoumin', 'js.nigao', 'js.shenpi', 'js.shouwen', ...MEMBERS];

  beforeAll(async () => {
    t = await createTestApp();
    // 江苏省厅 has one drafter-reviewer; its deputy director reviews here so that 拟稿 ≠ 核稿.
    await q(`INSERT INTO user_roles (user_id, role) SELECT id, 'reviewer' FROM users WHERE username = 'js.shenpi'`);
    for (const name of PEOPLE) {
      tokens[name] = await t.login(name);
      users[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => {
    const auth = { Authorization: `Bearer ${tokens[who]}` };
    return {
      create: (body: Record<string, unknown>) => t.http().post('/api/documents').set(auth).send(body),
      update: (id: string, body: Record<string, unknown>) => t.http().put(`/api/documents/${id}`).set(auth).send(body),
      get: (id: string) => t.http().get(`/api/documents/${id}`).set(auth),
      act: (taskId: string, body: Record<string, unknown>) => t.http().post(`/api/tasks/${taskId}/actions`).set(auth).send(body),
    };
  };
  const openTasks = (instanceId: string, activityId: string): Promise<{ id: string; assignee: string | null }[]> =>
    q(`SELECT id, assignee FROM tasks WHERE instance_id = $1 AND status = 'open' AND activity_id = $2 ORDER BY created_at`, [
      instanceId,
      activityId,
    ]);
  const step = async (who: string, instanceId: string, activityId: string, body: Record<string, unknown> = { action: 'approve' }) => {
    const [task] = await openTasks(instanceId, activityId);
    expect(task).toBeDefined();
    const res = await as(who).act(task.id, body);
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };
  const voteTask = async (instanceId: string, who: string) =>
    (await openTasks(instanceId, 'itVote')).find((x) => x.assignee === users[who])!.id;
  const draft = (title: string, extra: Record<string, unknown> = {}) => ({
    docType: '通知',
    title,
    body: '各省级国土资源主管部门：为落实国土资源云总体框架，现就有关事项通知如下。',
    mainRecipients: [units['320000'], units['330000']],
    ...extra,
  });
  /** lina (规划司) drafts, yangfan reviews. */
  const reviewed = async (title: string, extra: Record<string, unknown> = {}, review: Record<string, unknown> = { action: 'approve' }) => {
    const res = await as('lina').create(draft(title, extra));
    expect(res.status).toBe(201);
    await step('lina', res.body.instanceId, 'draft');
    await step('yangfan', res.body.instanceId, 'review', review);
    return res.body as { id: string; instanceId: string };
  };
  const stateOf = async (who: string, id: string) => {
    const res = await as(who).get(id);
    expect(res.status).toBe(200);
    return res.body as { status: string; itReview: { stage: string; required: boolean; tally: unknown; entries: { step: string }[] } };
  };

  it('waits at 信息办审核 instead of 签发, and the group’s majority lets it be signed', async () => {
    const doc = await reviewed('关于加快国土资源云建设的通知', { informatization: true });
    expect(await openTasks(doc.instanceId, 'sign')).toEqual([]);
    expect(await openTasks(doc.instanceId, 'itOfficeReview')).toHaveLength(1);
    let state = await stateOf('lina', doc.id);
    expect([state.status, state.itReview.required, state.itReview.stage]).toEqual(['信息办审核', true, '信息办审核中']);

    // 信息办 must say why; nobody may set the routing variables themselves.
    const [office] = await openTasks(doc.instanceId, 'itOfficeReview');
    expect((await as('chenjing').act(office.id, { action: 'approve' })).body.code).toBe('OPINION_REQUIRED');
    const forged = await as('chenjing').act(office.id, { action: 'approve', comment: '同意', variables: { itApproved: true } });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    expect(await openTasks(doc.instanceId, 'itOfficeReview')).toHaveLength(1);
    await step('chenjing', doc.instanceId, 'itOfficeReview', { action: 'approve', comment: '符合国土资源云总体框架要求' });

    // Every member votes in person; only the 组长 may refer the matter to a collective decision.
    const votes = await openTasks(doc.instanceId, 'itVote');
    expect(votes.map((v) => v.assignee).sort()).toEqual(MEMBERS.map((m) => users[m]).sort());
    const refer = await as('sunzhiqiang').act(await voteTask(doc.instanceId, 'sunzhiqiang'), {
      action: 'approve',
      variables: { referToSecretary: true },
    });
    expect([refer.status, refer.body.code]).toEqual([403, 'REFER_NOT_ALLOWED']);
    const notMine = await as('hejun').act(await voteTask(doc.instanceId, 'sunzhiqiang'), { action: 'approve' });
    expect(notMine.status).toBeGreaterThanOrEqual(400);

    // Two presses of 同意 at once count once.
    const task = await voteTask(doc.instanceId, 'wangjianguo');
    const both = await Promise.all([1, 2].map(() => as('wangjianguo').act(task, { action: 'approve', comment: '同意' })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    for (const [who, action] of [
      ['liuhaiyan', 'approve'],
      ['sunzhiqiang', 'reject'],
      ['zhangwei', 'approve'],
    ] as const) {
      expect(
        (await as(who).act(await voteTask(doc.instanceId, who), { action, comment: action === 'approve' ? '同意' : '再研究' })).status,
      ).toBe(200);
    }
    expect(await openTasks(doc.instanceId, 'sign')).toEqual([]);
    expect((await stateOf('chenjing', doc.id)).itReview.stage).toBe('领导小组表决中');
    await step('hejun', doc.instanceId, 'itVote', { action: 'reject', comment: '不同意' });

    // 3 of 5: approved; the case waits at 签发 and the page says so.
    expect(await openTasks(doc.instanceId, 'sign')).toHaveLength(1);
    state = await stateOf('lina', doc.id);
    expect([state.status, state.itReview.stage]).toEqual(['签发', '已批准']);
    expect(state.itReview.tally).toEqual({ voters: 5, approve: 3, reject: 2, cast: 5 });
    expect(state.itReview.entries.map((e) => e.step)).toEqual(['office', 'vote', 'vote', 'vote', 'vote', 'vote']);
    await step('zhangwei', doc.instanceId, 'sign', { action: 'approve', comment: '签发' });
    expect((await q(`SELECT doc_number FROM documents WHERE id = $1`, [doc.id]))[0].doc_number).toMatch(/^国土资规〔\d{4}〕\d+号$/);
  });

  it('goes back to the drafter when the group says no, and the redraft is reviewed again from 信息办', async () => {
    const doc = await reviewed('关于国土资源数据中心整合的通知', { informatization: true });
    await step('chenjing', doc.instanceId, 'itOfficeReview', { action: 'approve', comment: '提请领导小组审定' });
    for (const who of MEMBERS) {
      const res = await as(who).act(await voteTask(doc.instanceId, who), {
        action: who === 'liuhaiyan' ? 'approve' : 'reject',
        comment: '意见',
      });
      expect(res.status).toBe(200);
    }
    expect(await openTasks(doc.instanceId, 'draft')).toHaveLength(1);
    const state = await stateOf('lina', doc.id);
    expect([state.status, state.itReview.stage]).toEqual(['拟稿', '退回修改']);
    await step('lina', doc.instanceId, 'draft');
    await step('yangfan', doc.instanceId, 'review');
    expect(await openTasks(doc.instanceId, 'itOfficeReview')).toHaveLength(1);
    expect(await openTasks(doc.instanceId, 'sign')).toEqual([]);
  });

  it('lets the 组长 refer the vote to a collective decision that the secretary records', async () => {
    const doc = await reviewed('关于印发国土资源信息化标准体系框架的通知', { informatization: true });
    await step('chenjing', doc.instanceId, 'itOfficeReview', { action: 'approve', comment: '请领导小组审定' });
    for (const who of MEMBERS) {
      const body = who === 'wangjianguo' ? { action: 'approve', variables: { referToSecretary: true } } : { action: 'approve' };
      expect((await as(who).act(await voteTask(doc.instanceId, who), body)).status).toBe(200);
    }
    expect(await openTasks(doc.instanceId, 'itDecision')).toHaveLength(1);
    expect((await stateOf('lina', doc.id)).itReview.stage).toBe('待记录集体决定');
    const [decision] = await openTasks(doc.instanceId, 'itDecision');
    expect((await as('zhoumin').act(decision.id, { action: 'approve' })).body.code).toBe('OPINION_REQUIRED');
    await step('zhoumin', doc.instanceId, 'itDecision', { action: 'approve', comment: '领导小组会议集体决定：同意印发' });
    expect(await openTasks(doc.instanceId, 'sign')).toHaveLength(1);
  });

  it('lets 核稿 mark a document 信息化相关, which the drafter then cannot take back', async () => {
    const plain = await reviewed('关于规划数据库更新的通知');
    expect(await openTasks(plain.instanceId, 'sign')).toHaveLength(1);

    const doc = await reviewed('关于规划成果数据汇交的通知', {}, { action: 'approve', variables: { informatization: true } });
    expect(await openTasks(doc.instanceId, 'itOfficeReview')).toHaveLength(1);
    await step('chenjing', doc.instanceId, 'itOfficeReview', { action: 'return', comment: '请补充与国土资源云的衔接' });
    const unmark = await as('lina').update(doc.id, draft('关于规划成果数据汇交的通知', { informatization: false }));
    expect([unmark.status, unmark.body.code]).toEqual([409, 'IT_MARK_LOCKED']);
    expect((await q(`SELECT informatization FROM documents WHERE id = $1`, [doc.id]))[0].informatization).toBe(true);
  });

  it('needs no review for a province’s own document, nor for one that is not 信息化相关', async () => {
    const res = await as('js.nigao').create({
      ...draft('关于全省国土资源信息化建设的通知'),
      mainRecipients: [units['320100']],
      informatization: true,
    });
    expect(res.status).toBe(201);
    await step('js.nigao', res.body.instanceId, 'draft');
    await step('js.shenpi', res.body.instanceId, 'review');
    expect(await openTasks(res.body.instanceId, 'itOfficeReview')).toEqual([]);
    expect((await stateOf('js.nigao', res.body.id)).itReview.stage).toBe('无需审核');
  });

  it('refuses 签发 of a marked document without the group’s approval whatever way the case got there', async () => {
    // A case that reached 签发 before the mark (e.g. on the diagram version before this review existed).
    const doc = await reviewed('关于国土资源信息系统整合的通知');
    await q(`UPDATE documents SET informatization = true, informatization_marked_by = $2 WHERE id = $1`, [doc.id, users.yangfan]);
    const [sign] = await openTasks(doc.instanceId, 'sign');
    const res = await as('zhangwei').act(sign.id, { action: 'approve', comment: '签发' });
    expect([res.status, res.body.code]).toEqual([409, 'IT_REVIEW_REQUIRED']);
    expect((await q(`SELECT doc_number FROM documents WHERE id = $1`, [doc.id]))[0].doc_number).toBeNull();
    expect(await openTasks(doc.instanceId, 'sign')).toHaveLength(1);
  });
});
