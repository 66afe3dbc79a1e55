import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { DefinitionsService } from '../engine/definitions.service';
import { EngineService } from '../engine/engine.service';

/** 拟稿 for the drafter, 阅签 offered by name to a reader, 核稿 offered to the unit's reviewers. */
const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_subst" targetNamespace="t">
<process id="substitute-test" name="代理测试" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="发起" /><sequenceFlow id="f0" sourceRef="s" targetRef="draft" />
  <userTask id="draft" name="拟稿" camunda:assignee="\${drafter}" /><sequenceFlow id="f1" sourceRef="draft" targetRef="read" />
  <userTask id="read" name="阅签" camunda:candidateUsers="\${reader}" /><sequenceFlow id="f2" sourceRef="read" targetRef="review" />
  <userTask id="review" name="核稿" camunda:candidateGroups="reviewer" /><sequenceFlow id="f3" sourceRef="review" targetRef="e" />
  <endEvent id="e" name="办结" />
</process></definitions>`;

describe('代理 (out-of-office substitutes)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DefinitionsService).deploy(DIAGRAM, { source: 'test' });
    for (const name of ['lina', 'yangfan', 'zhangwei', 'guoqiang', 'gaoyuan']) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const as = (who: string) => ({
    todo: () => t.http().get(`/api/tasks?view=todo`).set(auth(who)),
    get: (id: string) => t.http().get(`/api/tasks/${id}`).set(auth(who)),
    act: (id: string, body: Record<string, unknown>) => t.http().post(`/api/tasks/${id}/actions`).set(auth(who)).send(body),
    appoint: (body: Record<string, unknown>) => t.http().post(`/api/substitutes`).set(auth(who)).send(body),
    mine: () => t.http().get(`/api/substitutes`).set(auth(who)),
    revoke: (id: string) => t.http().delete(`/api/substitutes/${id}`).set(auth(who)),
  });
  /** A day relative to today in Beijing, as YYYY-MM-DD. */
  const day = async (offset: number): Promise<string> =>
    (await q(`SELECT to_char((now() AT TIME ZONE 'Asia/Shanghai')::date + $1::int, 'YYYY-MM-DD') AS d`, [offset]))[0].d;
  /** lina drafts, zhangwei reads, 规划司's reviewers review. */
  const startCase = async (title: string) => {
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id } = await t.app.get(EngineService).startProcess('substitute-test', {
      variables: { drafter: ids.lina, reader: ids.zhangwei, title },
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
  const todoIds = async (who: string) => (await as(who).todo()).body.items.map((i: { id: string }) => i.id);

  it('shows the absent person’s tasks to the substitute only inside the date range, marked on whose behalf', async () => {
    const instance = await startCase('代理期间的拟稿');
    const draft = await openTask(instance);
    expect(await todoIds('guoqiang')).toEqual([]);

    // A range that starts tomorrow changes nothing today.
    const later = await as('lina').appoint({ substituteId: ids.guoqiang, startsOn: await day(1), endsOn: await day(5), reason: '出差' });
    expect(later.status).toBe(201);
    expect(later.body).toEqual(expect.objectContaining({ userName: '李娜', substituteName: '郭强', isActive: false, status: 'active' }));
    expect(await todoIds('guoqiang')).toEqual([]);
    // A colleague of the same unit may read the case (data scope) but not act on it.
    expect((await as('guoqiang').get(draft.id)).body).toEqual(expect.objectContaining({ onBehalfOf: null, allowedActions: [] }));
    expect((await as('lina').revoke(later.body.id)).status).toBe(200);

    const now = await as('lina').appoint({ substituteId: ids.guoqiang, startsOn: await day(0), endsOn: await day(2), reason: '休假' });
    expect(now.status).toBe(201);
    expect(now.body.isActive).toBe(true);
    const todo = await as('guoqiang').todo();
    expect(todo.body.items).toEqual([
      expect.objectContaining({ id: draft.id, name: '拟稿', onBehalfOf: { userId: ids.lina, displayName: '李娜' } }),
    ]);
    expect(todo.body.counts.todo).toBe(1);
    // lina's own inbox still has it, unmarked.
    expect((await as('lina').todo()).body.items).toEqual([expect.objectContaining({ id: draft.id, onBehalfOf: null })]);
    const seen = await as('guoqiang').get(draft.id);
    expect(seen.body.onBehalfOf).toEqual({ userId: ids.lina, displayName: '李娜' });
    expect(seen.body.allowedActions).toEqual(expect.arrayContaining(['approve', 'transfer']));
    expect((await as('yangfan').get(draft.id)).body.assigneeSubstitutes).toEqual([
      { userId: ids.guoqiang, displayName: '郭强', endsOn: await day(2) },
    ]);

    // The substitute acts; the record names both.
    expect((await as('guoqiang').act(draft.id, { action: 'approve', comment: '代李娜提交' })).status).toBe(200);
    const [row] = await q(`SELECT user_id, on_behalf_of, unit_id FROM task_actions WHERE task_id = $1 AND action = 'approve'`, [draft.id]);
    expect(row).toEqual({ user_id: ids.guoqiang, on_behalf_of: ids.lina, unit_id: expect.any(String) });
    expect((await q(`SELECT completed_by FROM tasks WHERE id = $1`, [draft.id]))[0].completed_by).toBe(ids.guoqiang);
    const history = (await as('lina').get(draft.id)).body.history;
    expect(history).toEqual([
      expect.objectContaining({ action: 'approve', userName: '郭强', onBehalfOf: ids.lina, onBehalfOfName: '李娜' }),
    ]);

    // When the range is over the tasks leave the substitute's inbox.
    const second = await openTask(await startCase('代理结束后的拟稿'));
    expect(await todoIds('guoqiang')).toEqual([second.id]);
    await q(`UPDATE substitutes SET starts_on = starts_on - 10, ends_on = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1 WHERE id = $1`, [
      now.body.id,
    ]);
    const after = await as('guoqiang').todo();
    expect(after.body.items).toEqual([]);
    expect(after.body.counts.todo).toBe(0);
    expect((await as('guoqiang').get(second.id)).body).toEqual(expect.objectContaining({ onBehalfOf: null, allowedActions: [] }));
    expect((await as('guoqiang').act(second.id, { action: 'approve' })).body.code).toBe('ACTION_NOT_ALLOWED');
    expect((await q(`SELECT status FROM tasks WHERE id = $1`, [second.id]))[0].status).toBe('open');
  });

  it('covers tasks offered to the absent person by name, but leaves role-based tasks with their colleagues', async () => {
    const instance = await startCase('阅签代理');
    await t
      .http()
      .post(`/api/tasks/${(await openTask(instance)).id}/actions`)
      .set(auth('lina'))
      .send({ action: 'approve' });
    const read = await openTask(instance);
    expect(read.activity_id).toBe('read');
    // 科技司's gaoyuan has no business with a 规划司 case until he stands in for zhangwei.
    expect((await as('gaoyuan').get(read.id)).status).toBe(404);
    const appointed = await as('zhangwei').appoint({
      substituteId: ids.gaoyuan,
      startsOn: await day(-1),
      endsOn: await day(1),
      reason: '出差',
    });
    expect(appointed.status).toBe(201);
    expect(await todoIds('gaoyuan')).toContain(read.id);
    expect((await as('gaoyuan').act(read.id, { action: 'approve', comment: '已阅' })).status).toBe(200);
    expect((await q(`SELECT assignee, completed_by FROM tasks WHERE id = $1`, [read.id]))[0]).toEqual({
      assignee: ids.zhangwei,
      completed_by: ids.gaoyuan,
    });
    // 核稿 goes to 规划司's reviewers; yangfan's substitute does not get it.
    const review = await openTask(instance);
    expect((await as('yangfan').appoint({ substituteId: ids.guoqiang, startsOn: await day(0), endsOn: await day(0) })).status).toBe(201);
    expect(await todoIds('yangfan')).toContain(review.id);
    expect(await todoIds('guoqiang')).not.toContain(review.id);
    expect((await as('guoqiang').act(review.id, { action: 'approve' })).status).toBe(403);
  });

  it('refuses overlapping ranges and bad input, and lets only the owner revoke', async () => {
    const first = await as('zhangwei').appoint({
      substituteId: ids.yangfan,
      startsOn: await day(10),
      endsOn: await day(14),
      reason: '培训',
    });
    expect(first.status).toBe(201);
    const overlap = await as('zhangwei').appoint({ substituteId: ids.lina, startsOn: await day(14), endsOn: await day(20) });
    expect([overlap.status, overlap.body.code]).toEqual([409, 'SUBSTITUTE_OVERLAP']);
    expect(overlap.body.message).toContain(await day(10));
    expect((await as('zhangwei').appoint({ substituteId: ids.lina, startsOn: await day(15), endsOn: await day(20) })).status).toBe(201);

    const before = (await q(`SELECT count(*)::int AS n FROM substitutes WHERE user_id = $1`, [ids.lina]))[0].n;
    const field = async (body: Record<string, unknown>) => {
      const res = await as('lina').appoint(body);
      expect(res.status).toBe(400);
      return res.body.details.map((d: { field: string }) => d.field);
    };
    const ok = { substituteId: ids.yangfan, startsOn: await day(30), endsOn: await day(31) };
    expect(await field({ ...ok, endsOn: await day(29) })).toEqual(['endsOn']);
    expect(await field({ ...ok, startsOn: '2026-02-30' })).toEqual(['startsOn']);
    expect(await field({ ...ok, endsOn: '明天' })).toContain('endsOn');
    expect(await field({ ...ok, substituteId: ids.lina })).toEqual(['substituteId']);
    expect(await field({ ...ok, substituteId: '00000000-0000-4000-8000-000000000000' })).toEqual(['substituteId']);
    expect(await field({ ...ok, startsOn: await day(-9), endsOn: await day(-2) })).toEqual(['endsOn']);
    expect(await field({ startsOn: ok.startsOn, endsOn: ok.endsOn })).toContain('substituteId');
    expect(await field({ ...ok, extra: 1 })).toContain('extra');
    expect((await q(`SELECT count(*)::int AS n FROM substitutes WHERE user_id = $1`, [ids.lina]))[0].n).toBe(before);

    const mine = await as('zhangwei').mine();
    expect(mine.body.given.map((s: { substituteName: string }) => s.substituteName).sort()).toEqual(['杨帆', '李娜', '高原'].sort());
    expect((await as('yangfan').mine()).body.received).toEqual([expect.objectContaining({ userName: '张伟', reason: '培训' })]);
    expect((await as('yangfan').revoke(first.body.id)).status).toBe(403);
    expect((await as('guoqiang').revoke(first.body.id)).status).toBe(404);
    expect((await as('zhangwei').revoke(first.body.id)).status).toBe(200);
    expect((await as('zhangwei').revoke(first.body.id)).body.code).toBe('SUBSTITUTE_ALREADY_REVOKED');
    // Revoked, the range no longer blocks a new one.
    expect((await as('zhangwei').appoint({ substituteId: ids.yangfan, startsOn: await day(11), endsOn: await day(12) })).status).toBe(201);
  });
});
