import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { attach } from '../../../../test/support/attach';
import { TimerScheduler } from '../engine/timer.scheduler';
import { DemoCases } from '../seed/demo-cases';

describe('三级联网审批 (three-level-approval)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);

  /** A person created for the test in a unit given by code, with the demo password. */
  const addPerson = async (username: string, unitCode: string, roles: string[]) => {
    await q(
      `INSERT INTO users (username, display_name, unit_id, password_hash)
       SELECT $1, $1, (SELECT id FROM units WHERE code = $2), password_hash FROM users WHERE username = 'xw.shouli'`,
      [username, unitCode],
    );
    for (const role of roles)
      await q(`INSERT INTO user_roles (user_id, role) SELECT id, $2 FROM users WHERE username = $1`, [username, role]);
  };
  const addUnit = async (code: string, name: string, kind: string, parentCode: string, divisionCode: string | null) => {
    const [parent] = await q(`SELECT id, path, depth FROM units WHERE code = $1`, [parentCode]);
    const id = randomUUID();
    await q(`INSERT INTO units (id, code, name, kind, parent_id, path, depth, division_code) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [
      id,
      code,
      name,
      kind,
      parent.id,
      `${parent.path}${id}/`,
      parent.depth + 1,
      divisionCode,
    ]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    await addPerson('gs.shouli', '320508', ['clerk', 'drafter', 'reviewer']);
    await addPerson('nj.shenhe2', '320100', ['reviewer']);
    // A county hung directly under the province: its chain has no city.
    await addUnit('320199', '省直属试验区分局', 'county', '320000', '320199');
    await addPerson('zs.shouli', '320199', ['clerk']);
    for (const name of [
      'xw.shouli',
      'xw.shencha',
      'jn.shouli',
      'jn.shencha',
      'xh.shouli',
      'nj.shenhe',
      'nj.shenhe2',
      'js.shenpi',
      'js.nigao',
      'js.shouwen',
      'hz.shenhe',
      'zj.shenpi',
      'gs.shouli',
      'zs.shouli',
      'lina',
    ]) {
      tokens[name] = await t.login(name);
    }
  });
  afterAll(() => t.close());

  const as = (who: string) => {
    const auth = { Authorization: `Bearer ${tokens[who]}` };
    return {
      accept: (body: Record<string, unknown>) => t.http().post('/api/approvals').set(auth).send(body),
      list: (query = '') => t.http().get(`/api/approvals?${query}`).set(auth),
      get: (id: string) => t.http().get(`/api/approvals/${id}`).set(auth),
      resubmit: (id: string, body: Record<string, unknown>) => t.http().post(`/api/approvals/${id}/resubmit`).set(auth).send(body),
      todo: () => t.http().get('/api/tasks?view=todo&limit=200').set(auth),
      act: (taskId: string, body: Record<string, unknown>) => t.http().post(`/api/tasks/${taskId}/actions`).set(auth).send(body),
    };
  };
  const application = (extra: Record<string, unknown> = {}) => ({
    matterType: '建设用地报批',
    title: '玄武区2025年度第1批次城市建设用地报批',
    applicant: '南京市玄武区人民政府',
    location: '玄武区玄武大道以北',
    landArea: 3.5,
    description: '申请农用地转用及土地征收，材料齐全。',
    ...extra,
  });
  const openTask = async (instanceId: string) =>
    (await q(`SELECT id, activity_id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [instanceId]))[0] as {
      id: string;
      activity_id: string;
    };
  const accepted = async (who = 'xw.shouli', extra: Record<string, unknown> = {}) => {
    const res = await as(who).accept(application(extra));
    expect(res.status).toBe(201);
    return res.body as { id: string; caseNo: string; instanceId: string };
  };
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);
  const outbox = (topic: string, approvalId: string) =>
    q(`SELECT payload FROM outbox WHERE topic = $1 AND payload->>'approvalId' = $2 ORDER BY id`, [topic, approvalId]);
  const unitId = async (code: string) => (await q(`SELECT id FROM units WHERE code = $1`, [code]))[0].id as string;
  const waitUntil = async (check: () => Promise<boolean>, ms = 10_000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await check()) return;
      await t.app.get(TimerScheduler).tick();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('condition not reached in time');
  };

  it('climbs county → city → province as the demo users and the approval flows back down to all three levels', async () => {
    const created = await accepted();
    expect(created.caseNo).toMatch(/^320102-\d{4}-\d{4}$/);
    const [row] = await q(`SELECT unit_id, city_unit_id, province_unit_id, status FROM approvals WHERE id = $1`, [created.id]);
    expect(row).toEqual({
      unit_id: await unitId('320102'),
      city_unit_id: await unitId('320100'),
      province_unit_id: await unitId('320000'),
      status: '县级审查',
    });
    const [instance] = await q(`SELECT variables FROM process_instances WHERE id = $1`, [created.instanceId]);
    expect(instance.variables).toEqual(
      expect.objectContaining({
        cityUnit: row.city_unit_id,
        provinceUnit: row.province_unit_id,
        countyDays: 5,
        cityDays: 10,
        provinceDays: 15,
      }),
    );

    const atCounty = await as('xw.shouli').get(created.id);
    expect(atCounty.status).toBe(200);
    expect(atCounty.body.currentStep).toEqual(
      expect.objectContaining({ level: 'county', name: '县级审查', remainingWorkingDays: 5, isOverdue: false, dueAt: expect.any(String) }),
    );
    expect(atCounty.body.levels.map((l: { level: string; decision: string | null }) => [l.level, l.decision])).toEqual([
      ['accept', 'approve'],
      ['county', null],
    ]);

    const county = await openTask(created.instanceId);
    expect(county.activity_id).toBe('countyReview');
    expect((await as('xw.shencha').act(county.id, { action: 'approve', comment: '材料齐全，同意报市' })).status).toBe(200);

    const city = await openTask(created.instanceId);
    expect(city.activity_id).toBe('cityReview');
    expect(ids(await as('nj.shenhe').todo())).toContain(city.id);
    expect(ids(await as('xw.shouli').todo())).not.toContain(city.id);
    const cityView = await as('nj.shenhe').get(created.id);
    expect(cityView.body.status).toBe('市级审核');
    expect(cityView.body.currentStep).toEqual(
      expect.objectContaining({ level: 'city', remainingWorkingDays: 10, unitName: '南京市国土资源局' }),
    );
    expect((await as('nj.shenhe').act(city.id, { action: 'approve', comment: '同意报省' })).status).toBe(200);

    const province = await openTask(created.instanceId);
    expect(province.activity_id).toBe('provinceDecision');
    expect(ids(await as('js.shenpi').todo())).toContain(province.id);
    expect(ids(await as('nj.shenhe').todo())).not.toContain(province.id);
    // The diagram names the province as holder of the open step, not the county that accepted the case.
    const diagram = await t.http().get(`/api/tasks/${province.id}/diagram`).set('Authorization', `Bearer ${tokens['js.shenpi']}`);
    expect(diagram.body.holders).toEqual([
      { activityId: 'provinceDecision', name: expect.stringMatching(/^江苏省国土资源厅.*（待认领）$/) },
    ]);
    expect((await as('js.shenpi').act(province.id, { action: 'approve', comment: '同意批准' })).status).toBe(200);

    const done = await as('xw.shouli').get(created.id);
    expect(done.body).toEqual(
      expect.objectContaining({
        status: '批准',
        result: '批准',
        resultOpinion: '同意批准',
        currentStep: null,
        decidedAt: expect.any(String),
      }),
    );
    expect(
      done.body.levels.map((l: Record<string, unknown>) => [
        l.level,
        l.unitName,
        l.handlerName,
        l.decision,
        l.workingDaysUsed,
        l.warned,
        l.overdue,
      ]),
    ).toEqual([
      ['accept', '玄武区国土资源分局', '韩冬', 'approve', 0, false, false],
      ['county', '玄武区国土资源分局', '孔亮', 'approve', 0, false, false],
      ['city', '南京市国土资源局', '陆明', 'approve', 0, false, false],
      ['province', '江苏省国土资源厅', '蒋文华', 'approve', 0, false, false],
    ]);
    expect(done.body.history.map((h: { action: string }) => h.action)).toEqual(['approve', 'approve', 'approve', 'approve']);
    const results = await outbox('approval.result', created.id);
    expect(results.map((r) => [r.payload.unitId, r.payload.result])).toEqual([
      [row.province_unit_id, '批准'],
      [row.city_unit_id, '批准'],
      [row.unit_id, '批准'],
    ]);
    expect(results[2].payload.subject).toContain(created.caseNo);
    // The province and the city see the finished case in their lists.
    expect(ids(await as('js.nigao').list('status=批准'))).toContain(created.id);
    expect(ids(await as('nj.shenhe').list())).toContain(created.id);
  });

  it('loops on returns: the city returns to county review, the county returns to acceptance, the corrected case climbs again', async () => {
    const created = await accepted('jn.shouli', { title: '江宁区集体土地征收', location: '江宁区秣陵街道', landArea: 10 });
    await as('jn.shencha').act((await openTask(created.instanceId)).id, { action: 'approve', comment: '同意报市' });
    const city = await openTask(created.instanceId);
    const noComment = await as('nj.shenhe').act(city.id, { action: 'return' });
    expect(noComment.status).toBe(400);
    expect((await as('nj.shenhe').act(city.id, { action: 'return', comment: '缺少听证记录' })).status).toBe(200);

    const back = await openTask(created.instanceId);
    expect(back.activity_id).toBe('countyReview');
    expect((await as('jn.shouli').get(created.id)).body.status).toBe('县级审查');
    // The county sends it further back to the window for the applicant's materials.
    expect((await as('jn.shencha').act(back.id, { action: 'return', comment: '请申请人补充听证记录' })).status).toBe(200);
    const atWindow = await as('jn.shouli').get(created.id);
    expect(atWindow.body).toEqual(expect.objectContaining({ status: '补正材料', currentLevel: 'accept' }));
    expect((await openTask(created.instanceId)).activity_id).toBe('accept');

    // Others may not resubmit, bad corrections are refused, and the window resubmits the corrected materials.
    expect((await as('xw.shouli').resubmit(created.id, { comment: '补正' })).status).toBe(404);
    const bad = await as('jn.shouli').resubmit(created.id, { landArea: 0, comment: '补正' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'landArea' })]));
    const ok = await as('jn.shouli').resubmit(created.id, { landArea: 10.25, comment: '已补充听证记录' });
    expect(ok.status).toBe(200);
    expect((await as('jn.shouli').resubmit(created.id, { comment: '再次提交' })).status).toBe(409);

    const again = await as('jn.shouli').get(created.id);
    expect(again.body).toEqual(expect.objectContaining({ status: '县级审查', landArea: 10.25 }));
    await as('jn.shencha').act((await openTask(created.instanceId)).id, { action: 'approve', comment: '已补正，同意报市' });
    const cityAgain = await as('nj.shenhe').get(created.id);
    expect(cityAgain.body.status).toBe('市级审核');
    expect(
      cityAgain.body.levels.map((l: { level: string; round: number; decision: string | null }) => [l.level, l.round, l.decision]),
    ).toEqual([
      ['accept', 1, 'approve'],
      ['county', 1, 'approve'],
      ['city', 1, 'return'],
      ['county', 2, 'return'],
      ['accept', 2, 'approve'],
      ['county', 3, 'approve'],
      ['city', 2, null],
    ]);
    expect(cityAgain.body.levels[2].opinion).toBe('缺少听证记录');
  });

  it('ends as 不予批准 when the province refuses, and tells every level', async () => {
    const created = await accepted('xw.shouli', { matterType: '采矿权登记', title: '紫金山采矿权登记' });
    await as('xw.shencha').act((await openTask(created.instanceId)).id, { action: 'approve', comment: '同意' });
    await as('nj.shenhe').act((await openTask(created.instanceId)).id, { action: 'approve', comment: '同意' });
    const province = await openTask(created.instanceId);
    expect((await as('js.shenpi').act(province.id, { action: 'reject' })).status).toBe(400);
    expect((await as('js.shenpi').act(province.id, { action: 'reject', comment: '位于生态保护红线内，不予批准' })).status).toBe(200);
    const [row] = await q(`SELECT status, result, result_opinion, current_level FROM approvals WHERE id = $1`, [created.id]);
    expect(row).toEqual({ status: '不予批准', result: '不予批准', result_opinion: '位于生态保护红线内，不予批准', current_level: null });
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [created.instanceId]))[0].status).toBe('completed');
    expect((await outbox('approval.result', created.id)).map((r) => r.payload.result)).toEqual(['不予批准', '不予批准', '不予批准']);
    expect(ids(await as('xw.shouli').list('status=不予批准&matterType=采矿权登记'))).toEqual([created.id]);
  });

  it('warns a working day before the limit and flags the level overdue at the limit, telling the level above', async () => {
    const created = await accepted('xw.shouli', { title: '超期测试用地' });
    const timers = await q(`SELECT id, activity_id, due_at FROM timers WHERE instance_id = $1 AND status = 'pending' ORDER BY due_at`, [
      created.instanceId,
    ]);
    expect(timers.map((r) => r.activity_id)).toEqual(['countyWarn', 'countyOverdue']);
    const [task] = await q(`SELECT id, due_at FROM tasks WHERE instance_id = $1 AND status = 'open'`, [created.instanceId]);
    // The overdue timer fires at the task's due date (the limit), the warning one working day earlier.
    expect(Math.abs(new Date(timers[1].due_at).getTime() - new Date(task.due_at).getTime())).toBeLessThan(1000);
    expect(new Date(timers[0].due_at).getTime()).toBeLessThan(new Date(timers[1].due_at).getTime() - 20 * 3600_000);

    await q(`UPDATE timers SET due_at = now() - interval '1 second' WHERE id = $1`, [timers[0].id]);
    await waitUntil(async () => (await q(`SELECT warned_at FROM approval_levels WHERE task_id = $1`, [task.id]))[0].warned_at !== null);
    const warned = await as('xw.shouli').get(created.id);
    expect(warned.body.warnedLevels).toEqual(['county']);
    expect(warned.body.overdueLevels).toEqual([]);
    expect(warned.body.currentStep.taskId).toBe(task.id);
    const warning = await outbox('approval.warning', created.id);
    expect(warning.map((r) => [r.payload.unitId, r.payload.level])).toEqual([[await unitId('320102'), 'county']]);
    expect(warning[0].payload.subject).toContain('临期预警');

    await q(`UPDATE timers SET due_at = now() - interval '1 second' WHERE id = $1`, [timers[1].id]);
    await waitUntil(async () => (await q(`SELECT overdue_at FROM approval_levels WHERE task_id = $1`, [task.id]))[0].overdue_at !== null);
    const overdue = await as('xw.shouli').get(created.id);
    expect(overdue.body.overdueLevels).toEqual(['county']);
    expect(overdue.body.levels[1]).toEqual(expect.objectContaining({ level: 'county', warned: true, overdue: true, decidedAt: null }));
    // The task stays with the county (non-interrupting); the city is told.
    expect((await openTask(created.instanceId)).id).toBe(task.id);
    expect((await outbox('approval.overdue', created.id)).map((r) => r.payload.unitId)).toEqual([await unitId('320100')]);
    expect(ids(await as('nj.shenhe').list('overdue=true'))).toContain(created.id);
    expect(ids(await as('nj.shenhe').list('overdue=false'))).not.toContain(created.id);

    // Once the county acts, the city gets a fresh limit with its own timers.
    await as('xw.shencha').act(task.id, { action: 'approve', comment: '同意（已超期）' });
    const next = await q(`SELECT activity_id FROM timers WHERE instance_id = $1 AND status = 'pending' ORDER BY due_at`, [
      created.instanceId,
    ]);
    expect(next.map((r) => r.activity_id)).toEqual(['cityWarn', 'cityOverdue']);
    const atCity = await as('nj.shenhe').get(created.id);
    expect(atCity.body.levels[1]).toEqual(expect.objectContaining({ decision: 'approve', overdue: true }));
    expect(atCity.body.currentStep).toEqual(expect.objectContaining({ level: 'city', remainingWorkingDays: 10 }));
  });

  it('keeps cases within their jurisdiction: other provinces, sibling cities and counties and ministry departments get 404', async () => {
    const created = await accepted('xw.shouli', { title: '保密范围测试用地' });
    const county = await openTask(created.instanceId);
    for (const who of ['hz.shenhe', 'zj.shenpi', 'xh.shouli', 'gs.shouli', 'jn.shouli', 'lina']) {
      expect([who, (await as(who).get(created.id)).status]).toEqual([who, 404]);
      const list = await as(who).list();
      expect(list.status).toBe(200);
      expect(ids(list)).not.toContain(created.id);
    }
    for (const who of ['xw.shouli', 'nj.shenhe', 'js.shenpi', 'js.nigao']) {
      expect([who, (await as(who).get(created.id)).status]).toEqual([who, 200]);
      expect(ids(await as(who).list('q=保密范围'))).toContain(created.id);
    }
    expect((await as('hz.shenhe').act(county.id, { action: 'approve' })).status).toBe(404);
    await as('xw.shencha').act(county.id, { action: 'approve', comment: '同意' });
    const city = await openTask(created.instanceId);
    // 杭州's reviewer has the right role but not the right unit.
    expect((await as('hz.shenhe').act(city.id, { action: 'approve' })).status).toBe(404);
    expect(ids(await as('hz.shenhe').todo())).not.toContain(city.id);
    // 浙江's own case is equally invisible to 江苏.
    const zj = await accepted('xh.shouli', { title: '西湖区用地报批', applicant: '杭州市西湖区人民政府', location: '西湖区转塘' });
    expect((await q(`SELECT province_unit_id FROM approvals WHERE id = $1`, [zj.id]))[0].province_unit_id).toBe(await unitId('330000'));
    expect((await as('js.shenpi').get(zj.id)).status).toBe(404);
    expect(ids(await as('js.shenpi').list())).not.toContain(zj.id);
    expect(ids(await as('zj.shenpi').list())).toEqual([zj.id]);
    expect((await as('js.shenpi').get('not-a-uuid')).status).toBe(404);
  });

  it('refuses bad input and units that cannot accept, writing nothing', async () => {
    const before = await q(`SELECT (SELECT count(*)::int FROM approvals) AS a, (SELECT count(*)::int FROM process_instances) AS p`);
    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await as('xw.shouli').accept(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
    };
    await bad(application({ landArea: -1 }), 'landArea');
    await bad(application({ landArea: 0 }), 'landArea');
    await bad(application({ landArea: '3.5' }), 'landArea');
    await bad(application({ landArea: 1.123456 }), 'landArea');
    await bad(application({ landArea: 200000 }), 'landArea');
    await bad(application({ matterType: '房屋买卖' }), 'matterType');
    await bad(application({ applicant: ' ' }), 'applicant');
    await bad(application({ location: undefined }), 'location');
    await bad(application({ unitId: await unitId('320100') }), 'unitId');
    expect((await as('xw.shouli').list('level=town')).status).toBe(400);

    const notCounty = await as('js.shouwen').accept(application());
    expect(notCounty.status).toBe(400);
    expect(notCounty.body.code).toBe('APPROVAL_UNIT_NOT_COUNTY');
    expect(notCounty.body.message).toContain('县级');
    expect((await as('lina').accept(application())).body.code).toBe('APPROVAL_UNIT_NOT_COUNTY');
    const noCity = await as('zs.shouli').accept(application());
    expect(noCity.status).toBe(400);
    expect(noCity.body.code).toBe('APPROVAL_CHAIN_INCOMPLETE');
    // A reviewer-only role may not accept.
    expect((await as('js.shenpi').accept(application())).status).toBe(403);

    const after = await q(`SELECT (SELECT count(*)::int FROM approvals) AS a, (SELECT count(*)::int FROM process_instances) AS p`);
    expect(after).toEqual(before);
  });

  it('lets exactly one of two city reviewers acting at once decide, and numbers parallel acceptances without gaps', async () => {
    const created = await accepted('xw.shouli', { title: '并发审核测试' });
    await as('xw.shencha').act((await openTask(created.instanceId)).id, { action: 'approve', comment: '同意' });
    const city = await openTask(created.instanceId);
    expect(ids(await as('nj.shenhe2').todo())).toContain(city.id);
    const answers = await Promise.all([
      as('nj.shenhe').act(city.id, { action: 'approve', comment: '同意报省' }),
      as('nj.shenhe2').act(city.id, { action: 'return', comment: '退回补正' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const levels = await q(`SELECT level, decision, handler_id FROM approval_levels WHERE approval_id = $1 AND level = 'city'`, [
      created.id,
    ]);
    expect(levels).toHaveLength(1);
    expect(levels[0].handler_id).not.toBeNull();
    const open = await q(`SELECT activity_id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [created.instanceId]);
    expect(open).toHaveLength(1);
    expect(open[0].activity_id).toBe(levels[0].decision === 'approve' ? 'provinceDecision' : 'countyReview');

    const parallel = await Promise.all(Array.from({ length: 6 }, (_, i) => as('jn.shouli').accept(application({ title: `并发受理${i}` }))));
    expect(parallel.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const seqs: number[] = (await q(`SELECT case_seq FROM approvals WHERE unit_id = $1 ORDER BY case_seq`, [await unitId('320115')])).map(
      (r) => r.case_seq,
    );
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('seeds demo cases at county, at city after a return, overdue at the province, approved and refused', async () => {
    await t.app.get(DemoCases).run(['three-level-approval']);
    const seeded = async (title: string) =>
      (await q(`SELECT id, status, current_level, result, overdue_levels, warned_levels FROM approvals WHERE title = $1`, [title]))[0];
    expect(await seeded('玄武区2025年度第3批次城市建设用地报批')).toEqual(expect.objectContaining({ status: '县级审查' }));
    const returned = await seeded('江宁区秣陵街道集体土地征收');
    expect(returned.status).toBe('市级审核');
    expect(
      (await q(`SELECT decision FROM approval_levels WHERE approval_id = $1 AND level = 'city' ORDER BY round`, [returned.id])).map(
        (r) => r.decision,
      ),
    ).toEqual(['return', null]);
    expect(await seeded('玄武区原钟山化工厂地块土地复垦方案')).toEqual(expect.objectContaining({ status: '批准', result: '批准' }));
    expect(await seeded('西湖区转塘单元建设用地报批')).toEqual(expect.objectContaining({ status: '不予批准' }));
    const late = await seeded('南京紫金山建筑石料矿采矿权延续登记');
    expect(late.status).toBe('省级审批');
    await waitUntil(async () => (await seeded('南京紫金山建筑石料矿采矿权延续登记')).overdue_levels.includes('province'));
    const lateView = await as('js.shenpi').get(late.id);
    expect(lateView.body.currentStep).toEqual(expect.objectContaining({ level: 'province', isOverdue: true }));
    expect(lateView.body.currentStep.remainingWorkingDays).toBeLessThanOrEqual(0);
    expect(ids(await as('js.shenpi').list('overdue=true&level=province'))).toContain(late.id);
  });

  it('lets the county attach the application materials while the case is at the county', async () => {
    const created = await accepted();
    expect((await attach(t, tokens['xw.shouli'], 'approval', created.id, '建设用地报批材料.pdf')).status).toBe(201);
    expect((await attach(t, tokens['hz.shenhe'], 'approval', created.id)).status).toBe(404);
    expect((await attach(t, tokens['nj.shenhe'], 'approval', created.id)).body.code).toBe('ATTACHMENTS_LOCKED');
  });
});
