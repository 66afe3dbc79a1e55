import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import type { DashboardFigures } from './dashboard.types';

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
  async function seedTask(instanceId: string, unitCode: string, task: { name: string; open?: boolean; overdue?: boolean; hours?: number }) {
    await q(
      `INSERT INTO tasks (instance_id, wait_id, activity_id, name, definition_key, owner_unit_id, status, due_at, created_at, completed_at)
       VALUES ($1, $2, 'step', $3, 'three-step-approval', $4, $5,
               CASE WHEN $6 THEN now() - interval '1 day' ELSE now() + interval '3 days' END,
               now() - make_interval(hours => $7::int), CASE WHEN $5 = 'completed' THEN now() ELSE NULL END)`,
      [
        instanceId,
        `w${++waits}`,
        task.name,
        await unit(unitCode),
        task.open === false ? 'completed' : 'open',
        !!task.overdue,
        task.hours ?? 1,
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
});
