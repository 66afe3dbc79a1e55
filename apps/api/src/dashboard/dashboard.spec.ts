import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import type { DashboardFigures, MyDesk } from './dashboard.types';

describe('工作台 figures (GET /api/dashboard)', () => {
  let t: TestApp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const unit = async (code: string): Promise<string> => (await q(`SELECT id FROM units WHERE code = $1`, [code]))[0].id;
  const figures = async (username: string): Promise<DashboardFigures> => {
    const res = await t
      .http()
      .get('/api/dashboard')
      .set('Authorization', `Bearer ${await t.login(username)}`);
    expect(res.status).toBe(200);
    return res.body as DashboardFigures;
  };

  /** A case of a unit, started `startedDaysAgo` and ended `endedDaysAgo` (null: still running). */
  async function seedCase(unitCode: string, startedDaysAgo: number, endedDaysAgo: number | null): Promise<string> {
    const [definition] = await q(`SELECT id, key FROM process_definitions WHERE key = 'three-step-approval' ORDER BY version DESC LIMIT 1`);
    const rows = await q(
      `INSERT INTO process_instances (definition_id, definition_key, status, state, owner_unit_id, started_at, ended_at)
       VALUES ($1, $2, $3, '{}', $4, now() - make_interval(days => $5), CASE WHEN $6::int IS NULL THEN NULL ELSE now() - make_interval(days => $6::int) END)
       RETURNING id`,
      [definition.id, definition.key, endedDaysAgo === null ? 'running' : 'completed', await unit(unitCode), startedDaysAgo, endedDaysAgo],
    );
    return rows[0].id;
  }

  let waits = 0;
  async function seedTask(
    instanceId: string,
    unitCode: string,
    task: { name: string; open?: boolean; overdue?: boolean; hours?: number; assignee?: string; dueInHours?: number | null },
  ) {
    await q(
      `INSERT INTO tasks (instance_id, wait_id, activity_id, name, definition_key, owner_unit_id, status, due_at, created_at, completed_at, assignee)
       VALUES ($1, $2, 'step', $3, 'three-step-approval', $4, $5,
               CASE WHEN $8::boolean THEN now() + make_interval(hours => $9::int) WHEN $8::boolean IS FALSE THEN NULL
                    WHEN $6 THEN now() - interval '1 day' ELSE now() + interval '3 days' END,
               now() - make_interval(hours => $7::int), CASE WHEN $5 = 'completed' THEN now() ELSE NULL END, $10)`,
      [
        instanceId,
        `w${++waits}`,
        task.name,
        await unit(unitCode),
        task.open === false ? 'completed' : 'open',
        !!task.overdue,
        task.hours ?? 1,
        task.dueInHours === undefined ? null : task.dueInHours !== null,
        task.dueInHours ?? null,
        task.assignee ?? null,
      ],
    );
  }

  beforeAll(async () => {
    t = await createTestApp();
    // 江苏: a running case of the province with two open tasks (one overdue), and a finished case of 南京.
    const js = await seedCase('320000', 2, null);
    await seedTask(js, '320000', { name: '省厅审核', overdue: true });
    await seedTask(js, '320000', { name: '省厅审核' });
    await seedTask(js, '320000', { name: '拟稿', open: false, hours: 4 });
    const nj = await seedCase('320100', 3, 1);
    await seedTask(nj, '320100', { name: '拟稿', open: false, hours: 2 });
    await seedTask(nj, '320100', { name: '市局审核', open: false, hours: 10 });
    // 浙江: must never appear in 江苏's figures.
    const zj = await seedCase('330000', 1, null);
    await seedTask(zj, '330000', { name: '省厅审核', overdue: true });
    await seedTask(zj, '330000', { name: '拟稿', open: false, hours: 100 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts a province its own tasks and cases and those of the units below it, never another province', async () => {
    const f = await figures('js.shenpi');
    expect(f.openByUnit).toEqual([{ unit: expect.stringContaining('江苏'), open: 2, overdue: 1 }]);
    expect(f.overdueRate).toBe(0.5);
    const steps = Object.fromEntries(f.avgHandlingHoursByStep.map((s) => [s.step, s]));
    expect(steps['拟稿']).toMatchObject({ hours: 3, count: 2 });
    expect(steps['市局审核']).toMatchObject({ hours: 10, count: 1 });
    expect(f.weekly).toHaveLength(8);
    expect(f.weekly.reduce((n, w) => n + w.started, 0)).toBe(2);
    expect(f.weekly.reduce((n, w) => n + w.finished, 0)).toBe(1);
  });

  it('shows a city only its own tree', async () => {
    const f = await figures('nj.shenhe');
    expect(f.openByUnit).toEqual([]);
    expect(f.overdueRate).toBe(0);
    expect(f.avgHandlingHoursByStep.map((s) => s.step).sort()).toEqual(['市局审核', '拟稿']);
    expect(f.weekly.reduce((n, w) => n + w.started, 0)).toBe(1);
  });

  it('shows the ministry root every unit', async () => {
    const f = await figures('wangjianguo');
    expect(f.openByUnit.reduce((n, u) => n + u.open, 0)).toBe(3);
    expect(f.overdueRate).toBeCloseTo(2 / 3, 3);
    expect(f.weekly.reduce((n, w) => n + w.started, 0)).toBe(3);
  });

  it('counts for 办公厅 the cases it handled, though another unit owns them (近8周 was 0 for such an office)', async () => {
    const before = await figures('zhaolei');
    const started = (f: DashboardFigures) => f.weekly.reduce((n, w) => n + w.started, 0);
    const finished = (f: DashboardFigures) => f.weekly.reduce((n, w) => n + w.finished, 0);
    // A 规划司 公文 that passed 办公厅's 核稿 today and was finished today.
    const doc = await seedCase('MLR-GHS', 0, 0);
    await seedTask(doc, 'MLR-BGT', { name: '办公厅核稿', open: false, hours: 1 });
    const after = await figures('zhaolei');
    expect(started(after)).toBe(started(before) + 1);
    expect(finished(after)).toBe(finished(before) + 1);
    // Bucketed in this week (Beijing time): the last of the eight.
    expect(after.weekly[7].started).toBe(before.weekly[7].started + 1);
    // Not a case of 浙江's tree: 浙江 does not see it.
    expect(started(await figures('zj.shenpi'))).toBe(1);
  });

  it('lists my 待办 overdue first, then by due date, undated last, with the counts', async () => {
    const [me] = await q(`SELECT id FROM users WHERE username = 'guoqiang'`);
    const c = await seedCase('MLR-GHS', 0, null);
    await seedTask(c, 'MLR-GHS', { name: '明日到期', assignee: me.id, dueInHours: 24 });
    await seedTask(c, 'MLR-GHS', { name: '无期限', assignee: me.id, dueInHours: null });
    await seedTask(c, 'MLR-GHS', { name: '超期两日', assignee: me.id, dueInHours: -48 });
    await seedTask(c, 'MLR-GHS', { name: '超期一小时', assignee: me.id, dueInHours: -1 });
    const res = await t
      .http()
      .get('/api/dashboard/mine')
      .set('Authorization', `Bearer ${await t.login('guoqiang')}`);
    expect(res.status).toBe(200);
    const desk = res.body as MyDesk;
    expect(desk.todo.map((x) => x.name)).toEqual(['超期两日', '超期一小时', '明日到期', '无期限']);
    expect(desk.todo.map((x) => x.isOverdue)).toEqual([true, true, false, false]);
    expect(desk.counts).toMatchObject({ todo: 4, overdue: 2 });
  });

  it('shows the 督办 items of my scope, from the supervision ledger, not yet 办结', async () => {
    const c = await seedCase('MLR-GHS', 0, null);
    const token = await t.login('zhaolei');
    const created = await t
      .http()
      .post('/api/supervision')
      .set('Authorization', `Bearer ${token}`)
      .send({ targetKind: 'case', targetId: c, workingDays: 3, opinion: '请抓紧办理' });
    expect(created.status).toBe(201);
    const desk = (await t.http().get('/api/dashboard/mine').set('Authorization', `Bearer ${token}`)).body as MyDesk;
    expect(desk.supervision.map((s) => s.id)).toContain(created.body.id);
    expect(desk.counts.supervision).toBeGreaterThanOrEqual(1);
    // 浙江's clerk sees nothing of it (the ledger's own scope).
    const other = (
      await t
        .http()
        .get('/api/dashboard/mine')
        .set('Authorization', `Bearer ${await t.login('zj.shenpi')}`)
    ).body as MyDesk;
    expect(other.supervision.map((s) => s.id)).not.toContain(created.body.id);
  });
});
