import { DataSource } from 'typeorm';
import { DemoCases } from '../seed/demo-cases';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { SupervisionScanner } from '../supervision/supervision.scanner';
import { todayCst } from '../supervision/supervision-rules';
import { periodEnd, periodOf } from './work-plan-rules';
import { WorkPlansScanner } from './work-plans.scanner';

/**
 * 年度信息化工作要点 over HTTP against a real database: 信息办 drafts, the leading group votes (returned once, then
 * approved), every item becomes a 督办 item of its unit, units report progress (reminded when a report is due), a late
 * item is escalated by supervision's scanner and shows in the 年度评估, which goes to the group's 组长 and out as a
 * draft 通报.
 */
describe('年度信息化工作要点 work plans', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const units: Record<string, string> = {};
  const PEOPLE = [
    'zhoumin',
    'chenjing',
    'lina',
    'zhangwei',
    'wufang',
    'zhouqi',
    'wangjianguo',
    'liuhaiyan',
    'sunzhiqiang',
    'hejun',
    'js.shenpi',
  ];
  const VOTERS = ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei', 'hejun'];
  const YEAR = Number(todayCst().slice(0, 4));

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const as = (who: string) => ({
    get: (path: string) => t.http().get(`/api${path}`).set(auth(who)),
    post: (path: string, body: object = {}) => t.http().post(`/api${path}`).set(auth(who)).send(body),
    put: (path: string, body: object) => t.http().put(`/api${path}`).set(auth(who)).send(body),
    act: (taskId: string, body: object) => t.http().post(`/api/tasks/${taskId}/actions`).set(auth(who)).send(body),
  });
  const openTask = async (instanceId: string, activity: string, who?: string): Promise<string> => {
    const rows = await q(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' ${who ? 'AND assignee = $3' : ''}`,
      who ? [instanceId, activity, ids[who]] : [instanceId, activity],
    );
    expect([activity, who, rows.length]).toEqual([activity, who, 1]);
    return rows[0].id;
  };
  const items = () => [
    { title: '一张图数据季度更新', measures: '按季度更新规划数据并提供在线查询。', unitId: units['MLR-GHS'], deadline: `${YEAR}-12-31` },
    { title: '耕地保护数据共享', measures: '制定共享目录和接口规范。', unitId: units['MLR-GBS'], deadline: `${YEAR}-12-31` },
    { title: '国产密码应用改造', measures: '完成在用系统的密评和改造。', unitId: units['MLR-KJS'], deadline: `${YEAR}-12-31` },
  ];

  let planId: string;
  let instanceId: string;
  let itemIds: string[];
  let supervisionIds: string[];

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of PEOPLE) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(() => t.close());

  it('lets only 信息办 draft, refuses every bad field with a Chinese message naming it, and writes nothing', async () => {
    expect((await as('zhoumin').get('/work-plans/capabilities')).body).toMatchObject({ canDraft: true, seesWhole: true });
    expect((await as('lina').get('/work-plans/capabilities')).body).toEqual({ canDraft: false, seesWhole: false, units: [] });
    const base = { year: YEAR, title: `${YEAR}年信息化工作要点`, items: items() };
    const denied = await as('lina').post('/work-plans', base);
    expect([denied.status, denied.body.code]).toEqual([403, 'FORBIDDEN']);
    const bad: [object, string, RegExp][] = [
      [{ ...base, year: YEAR + 5 }, 'year', /年度须为/],
      [{ ...base, title: ' ' }, 'title', /标题/],
      [{ ...base, items: [] }, 'items', /至少填写一项/],
      [{ ...base, items: [{ ...items()[0], deadline: `${YEAR + 1}-01-31` }] }, 'items.0.deadline', /年内/],
      [{ ...base, items: [{ ...items()[0], deadline: `${YEAR}-02-30` }] }, 'items.0.deadline', /有效的日期/],
      [{ ...base, items: [{ ...items()[0], unitId: units['MLR-LDXZ'] }] }, 'items.0.unitId', /领导小组/],
      [{ ...base, items: [{ ...items()[0], unitId: '00000000-0000-4000-8000-000000000000' }] }, 'items.0.unitId', /不存在/],
      [{ ...base, items: [{ ...items()[0], cadence: 'weekly' }] }, 'items.0.cadence', /报送周期/],
      [{ ...base, extra: 1 }, 'extra', /.+/],
    ];
    for (const [body, name, message] of bad) {
      const res = await as('zhoumin').post('/work-plans', body);
      const detail = (res.body.details as { field: string; message: string }[] | undefined)?.find((d) => d.field === name);
      expect([name, res.status, res.body.code, detail?.message]).toEqual([name, 400, 'VALIDATION_FAILED', expect.stringMatching(message)]);
    }
    expect(await q(`SELECT count(*)::int AS n FROM work_plans`)).toEqual([{ n: 0 }]);
  });

  it('drafts the year’s plan once, hides the draft from the units, and submits it to the group’s vote', async () => {
    const created = await as('zhoumin').post('/work-plans', { year: YEAR, title: `${YEAR}年信息化工作要点`, items: items() });
    expect(created.status).toBe(201);
    planId = created.body.id;
    const again = await as('chenjing').post('/work-plans', { year: YEAR, title: '重复', items: items() });
    expect([again.status, again.body.code]).toEqual([409, 'WORK_PLAN_EXISTS']);
    expect((await as('lina').get(`/work-plans/${planId}`)).status).toBe(404);
    const submitted = await as('zhoumin').post(`/work-plans/${planId}/submit`);
    expect(submitted.status).toBe(200);
    instanceId = submitted.body.instanceId;
    const plan = (await as('zhoumin').get(`/work-plans/${planId}`)).body;
    expect(plan.status).toBe('审议中');
    expect(plan.openTasks.map((task: { activityId: string }) => task.activityId)).toEqual(Array(5).fill('vote'));
    const edit = await as('zhoumin').put(`/work-plans/${planId}`, { title: '修改稿', items: items() });
    expect([edit.status, edit.body.code]).toEqual([409, 'WORK_PLAN_LOCKED']);
  });

  it('returns the plan when most members vote against it; 信息办 revises and resubmits, and the second round approves it', async () => {
    // Only the 组长 may refer a vote to 集体决定.
    const referred = await as('zhangwei').act(await openTask(instanceId, 'vote', 'zhangwei'), {
      action: 'approve',
      variables: { referToSecretary: true },
    });
    expect([referred.status, referred.body.code]).toEqual([403, 'REFER_NOT_ALLOWED']);
    const first: Record<string, string> = {
      wangjianguo: 'reject',
      liuhaiyan: 'reject',
      sunzhiqiang: 'reject',
      zhangwei: 'approve',
      hejun: 'approve',
    };
    for (const who of VOTERS) {
      const res = await as(who).act(await openTask(instanceId, 'vote', who), { action: first[who], comment: '措施不够具体' });
      expect([who, res.status]).toEqual([who, 200]);
    }
    let plan = (await as('zhoumin').get(`/work-plans/${planId}`)).body;
    expect(plan.status).toBe('退回修改');
    expect(plan.allowedActions).toEqual(expect.arrayContaining(['edit', 'resubmit']));
    const revised = items().map((item) => ({ ...item, measures: `${item.measures}每月报送进展。` }));
    expect((await as('zhoumin').put(`/work-plans/${planId}`, { title: `${YEAR}年信息化工作要点（修改稿）`, items: revised })).status).toBe(
      200,
    );
    expect((await as('chenjing').post(`/work-plans/${planId}/resubmit`, {})).status).toBe(403);
    expect((await as('zhoumin').post(`/work-plans/${planId}/resubmit`, { comment: '已细化措施' })).status).toBe(200);
    expect((await as('zhoumin').get(`/work-plans/${planId}`)).body.status).toBe('审议中');
    for (const who of VOTERS) {
      const res = await as(who).act(await openTask(instanceId, 'vote', who), { action: 'approve', comment: '同意' });
      expect([who, res.status]).toEqual([who, 200]);
    }
    plan = (await as('zhoumin').get(`/work-plans/${planId}`)).body;
    expect(plan.status).toBe('执行中');
    expect(plan.decision).toBe('领导小组审议通过：同意 5 票，不同意 0 票');
    expect(plan.votes).toHaveLength(10);
    itemIds = plan.items.map((i: { id: string }) => i.id);
    supervisionIds = plan.items.map((i: { supervisionItemId: string }) => i.supervisionItemId);
    expect(plan.items.map((i: { status: string }) => i.status)).toEqual(['进行中', '进行中', '进行中']);
    // Each item is a 督办 item of its unit, kept by the plan's drafter, with supervision's own notice.
    const rows = await q(
      `SELECT target_kind, source_kind, source_id, unit_id, created_by, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM supervision_items
        WHERE id = ANY($1) ORDER BY title`,
      [supervisionIds],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({
        target_kind: 'work-plan',
        source_kind: 'work-plan-item',
        created_by: ids.zhoumin,
        deadline: `${YEAR}-12-31`,
      });
      expect(itemIds).toContain(row.source_id);
    }
    expect(await q(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'supervision.created'`)).toEqual([{ n: 3 }]);
    // The unit sees the approved plan with its own item only, in the 督办 ledger too.
    const seen = (await as('wufang').get(`/work-plans/${planId}`)).body;
    expect(seen.items.map((i: { unitName: string }) => i.unitName)).toEqual(['耕地保护司']);
    expect((await as('wufang').get(`/supervision/${supervisionIds[1]}`)).body).toMatchObject({
      targetKind: 'work-plan',
      sourceId: itemIds[1],
    });
  });

  it('takes progress reports from the responsible unit only, and reminds a unit whose report of the period is missing, once', async () => {
    expect((await as('wufang').post(`/work-plans/items/${itemIds[1]}/progress`, { percent: 50, note: '共享目录已印发' })).status).toBe(200);
    expect((await as('lina').post(`/work-plans/items/${itemIds[0]}/progress`, { percent: 30, note: '一季度数据已更新' })).status).toBe(200);
    const other = await as('zhangwei').post(`/work-plans/items/${itemIds[1]}/progress`, { percent: 60, note: '越权报送' });
    expect([other.status, other.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await as('js.shenpi').post(`/work-plans/items/${itemIds[1]}/progress`, { percent: 60, note: '越权报送' })).status).toBe(404);
    const bad = await as('wufang').post(`/work-plans/items/${itemIds[1]}/progress`, { percent: 101, note: '进度' });
    expect([bad.status, bad.body.details?.[0]?.field]).toEqual([400, 'percent']);
    const item = (await as('wufang').get(`/work-plans/items/${itemIds[1]}`)).body;
    expect(item.latestProgress).toMatchObject({ percent: 50, note: '共享目录已印发', period: periodOf(todayCst(), 'monthly') });
    expect(item.allowedActions).toEqual(['progress', 'summary']);

    // Two days before the month's end: 科技司 has not reported this month, the others have.
    const end = periodEnd(periodOf(todayCst(), 'monthly'));
    const nearEnd = new Date(`${end}T02:00:00+08:00`);
    nearEnd.setUTCDate(nearEnd.getUTCDate() - 2);
    const scanner = t.app.get(WorkPlansScanner);
    const runs = await Promise.all([scanner.scan(nearEnd), scanner.scan(nearEnd)]);
    expect(runs[0].reminded + runs[1].reminded).toBe(1);
    expect((await scanner.scan(nearEnd)).reminded).toBe(0);
    const [notice] = await q(`SELECT payload FROM outbox WHERE topic = 'work-plan.progress-due'`);
    expect(notice.payload).toMatchObject({ itemId: itemIds[2], link: `/work-plans/items/${itemIds[2]}` });
    expect(notice.payload.to).toContain(ids.zhouqi);
    // Early in the month nothing is due yet.
    const early = new Date(`${end.slice(0, 8)}01T02:00:00+08:00`);
    expect((await scanner.scan(early)).reminded).toBe(0);
  });

  it('escalates an item late on its deadline through supervision, and the 年度评估 shows it', async () => {
    // 科技司's item passes its deadline without 办结: supervision's scanner escalates it to the unit's leader and 信息办.
    await q(
      `UPDATE supervision_items SET deadline = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1, due_at = now() - interval '1 minute',
              remind_at = now() - interval '2 minutes' WHERE id = $1`,
      [supervisionIds[2]],
    );
    const { escalated } = await t.app.get(SupervisionScanner).scan();
    expect(escalated).toBe(1);
    const [overdue] = await q(`SELECT payload FROM outbox WHERE topic = 'supervision.overdue'`);
    expect(overdue.payload.to).toEqual(expect.arrayContaining([ids.zhouqi, ids.zhoumin]));
    let plan = (await as('zhoumin').get(`/work-plans/${planId}`)).body;
    expect(plan.items[2]).toMatchObject({ status: '逾期', escalated: true });
    expect(plan.rollup.find((r: { unitName: string }) => r.unitName === '科技与国际合作司')).toMatchObject({ total: 1, overdue: 1 });

    // 耕保司 reports 办结 in time and 信息办 confirms; 科技司 reports after its deadline; 规划司 does not finish.
    expect((await as('wufang').post(`/supervision/${supervisionIds[1]}/report`, { note: '数据共享已完成' })).status).toBe(200);
    expect((await as('zhoumin').post(`/supervision/${supervisionIds[1]}/close`)).status).toBe(200);
    expect((await as('zhouqi').post(`/supervision/${supervisionIds[2]}/report`, { note: '改造已完成，较计划晚' })).status).toBe(200);
    expect((await as('zhoumin').post(`/supervision/${supervisionIds[2]}/close`)).status).toBe(200);
    expect((await as('wufang').post(`/work-plans/items/${itemIds[1]}/summary`, { summary: '全年完成共享目录和接口建设。' })).status).toBe(
      200,
    );
    expect(
      (await as('zhouqi').post(`/work-plans/items/${itemIds[2]}/summary`, { summary: '密评改造完成，因设备采购延误逾期。' })).status,
    ).toBe(200);
    plan = (await as('zhoumin').get(`/work-plans/${planId}`)).body;
    expect(plan.items.map((i: { status: string }) => i.status)).toEqual(['进行中', '已完成', '已完成']);

    const evaluation = (await as('zhoumin').get(`/work-plans/${planId}/evaluation`)).body;
    expect(evaluation.counts).toEqual({ total: 3, onTime: 1, late: 1, notDone: 1, escalated: 1 });
    expect(evaluation.items.map((i: { resultLabel: string }) => i.resultLabel)).toEqual(['未完成', '按期完成', '逾期完成']);
    expect(evaluation.items[2]).toMatchObject({
      escalated: true,
      summary: '密评改造完成，因设备采购延误逾期。',
      unitName: '科技与国际合作司',
    });
    // The units see their items, not the assembled 评估.
    expect((await as('wufang').get(`/work-plans/${planId}/evaluation`)).status).toBe(403);
  });

  it('reports the 年度评估 to the group’s 组长, freezes the items, and circulates it as a draft 通报', async () => {
    const early = await as('zhoumin').post(`/work-plans/${planId}/bulletin`);
    expect([early.status, early.body.code]).toEqual([409, 'WORK_PLAN_NOT_EVALUATED']);
    expect((await as('zhoumin').post(`/work-plans/${planId}/evaluation`, { conclusion: '' })).status).toBe(400);
    expect((await as('lina').post(`/work-plans/${planId}/evaluation`, { conclusion: '越权' })).status).toBe(403);
    expect((await as('zhoumin').post(`/work-plans/${planId}/evaluation`, { conclusion: '总体完成较好。' })).status).toBe(200);
    expect((await as('zhoumin').get(`/work-plans/${planId}`)).body.status).toBe('评估中');
    const frozen = await as('lina').post(`/work-plans/items/${itemIds[0]}/progress`, { percent: 80, note: '年末进展' });
    expect([frozen.status, frozen.body.code]).toEqual([409, 'WORK_PLAN_ITEM_CLOSED']);
    const review = await openTask(instanceId, 'groupReview', 'wangjianguo');
    expect((await as('wangjianguo').act(review, { action: 'approve', comment: '同意评估意见，予以通报。' })).status).toBe(200);
    const plan = (await as('zhoumin').get(`/work-plans/${planId}`)).body;
    expect(plan).toMatchObject({ status: '已评估', acknowledgement: '同意评估意见，予以通报。' });
    expect(plan.allowedActions).toContain('bulletin');
    // chenjing of 信息办 is no drafter: the 通报 is drafted by one.
    expect((await as('chenjing').post(`/work-plans/${planId}/bulletin`)).status).toBe(403);
    const drafted = await as('zhoumin').post(`/work-plans/${planId}/bulletin`);
    expect(drafted.status).toBe(201);
    const [doc] = await q(`SELECT doc_type, status, title, body, main_recipients FROM documents WHERE id = $1`, [drafted.body.documentId]);
    expect(doc).toMatchObject({ doc_type: '通报', status: '拟稿', title: `关于${YEAR}年度信息化工作要点落实情况的通报` });
    expect(doc.body).toContain('按期完成1项，逾期完成1项，未完成1项');
    expect(doc.body).toContain('单位自评：密评改造完成，因设备采购延误逾期。');
    expect([...doc.main_recipients].sort()).toEqual([units['MLR-GHS'], units['MLR-GBS'], units['MLR-KJS']].sort());
    // The 通报 is an ordinary 公文 at its drafter's 拟稿 step.
    expect((await as('zhoumin').get(`/documents/${drafted.body.documentId}`)).body).toMatchObject({ docType: '通报', status: '拟稿' });
    const twice = await as('zhoumin').post(`/work-plans/${planId}/bulletin`);
    expect([twice.status, twice.body.code]).toEqual([409, 'BULLETIN_EXISTS']);
    expect(await q(`SELECT count(*)::int AS n FROM documents WHERE doc_type = '通报'`)).toEqual([{ n: 1 }]);
  });
});

describe('工作要点 demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('seeds this year’s approved plan with items in several states, and next year’s draft', async () => {
    expect(await t.app.get(DemoCases).run(['work-plans'])).toEqual(['work-plans']);
    const token = await t.login('zhoumin');
    const list = (
      await t
        .http()
        .get('/api/work-plans')
        .set({ Authorization: `Bearer ${token}` })
    ).body;
    expect(list.items.map((p: { status: string }) => p.status)).toEqual(['草拟', '执行中']);
    const plan = (
      await t
        .http()
        .get(`/api/work-plans/${list.items[1].id}`)
        .set({ Authorization: `Bearer ${token}` })
    ).body;
    expect(plan.items).toHaveLength(5);
    expect(plan.items.map((i: { status: string }) => i.status)).toEqual(expect.arrayContaining(['已完成', '已报办结', '进行中']));
    expect(plan.items.every((i: { latestProgress: unknown }) => i.latestProgress !== null)).toBe(true);
  });
});
