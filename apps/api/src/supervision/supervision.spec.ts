import { DataSource } from 'typeorm';
import { SAMPLE_PDF } from '../../../../test/support/attach';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { OutboxRenderer } from '../notifications/outbox-renderer';
import { SupervisionScanner } from './supervision.scanner';

/**
 * 督办 over HTTP against a real database: who may mark a case or a 公文, what the ledger shows to whom, the 办结 report
 * and its confirmation or return, and the scanner's 临期 reminder and overdue escalation — each exactly once, also with
 * two scanners racing.
 */
describe('督办 supervision', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const units: Record<string, string> = {};
  const PEOPLE = ['lina', 'yangfan', 'zhangwei', 'zhaolei', 'hejun', 'js.nigao', 'js.shenpi', 'zj.shenpi', 'auditor'];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => {
    const auth = { Authorization: `Bearer ${tokens[who]}` };
    return {
      create: (body: Record<string, unknown>) => t.http().post('/api/supervision').set(auth).send(body),
      list: (query = '') => t.http().get(`/api/supervision?${query}`).set(auth),
      csv: (query = '') => t.http().get(`/api/supervision/export.csv?${query}`).set(auth),
      get: (id: string) => t.http().get(`/api/supervision/${id}`).set(auth),
      report: (id: string, body: Record<string, unknown>) => t.http().post(`/api/supervision/${id}/report`).set(auth).send(body),
      close: (id: string) => t.http().post(`/api/supervision/${id}/close`).set(auth).send({}),
      sendBack: (id: string, body: Record<string, unknown>) => t.http().post(`/api/supervision/${id}/return`).set(auth).send(body),
      capabilities: () => t.http().get('/api/supervision/capabilities').set(auth),
      attach: (id: string) =>
        t
          .http()
          .post(`/api/attachments?ownerKind=supervision&ownerId=${id}`)
          .set(auth)
          .attach('file', SAMPLE_PDF, { filename: '办结报告.pdf' }),
    };
  };
  const inDays = (days: number) => new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

  /** lina drafts a 公文 of 规划司: the case waits at her own 拟稿 step. */
  const draft = async (who: string, title: string, to: string): Promise<{ id: string; instanceId: string }> => {
    const res = await t
      .http()
      .post('/api/documents')
      .set({ Authorization: `Bearer ${tokens[who]}` })
      .send({ docType: '通知', title, mainRecipients: [units[to]], body: '各有关单位：\n现将有关事项通知如下。' });
    expect([res.status, res.body.message]).toEqual([201, undefined]);
    return res.body;
  };

  let doc: { id: string; instanceId: string };

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of PEOPLE) {
      tokens[name] = await t.login(name);
      users[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
    doc = await draft('lina', '关于开展2026年度规划督查的通知', '320000');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('Given lina’s 公文 at 拟稿', () => {
    it('only leaders and 办公厅 may mark items 督办 (a drafter and an administrator in 办公厅 may not)', async () => {
      const leader = (await as('zhangwei').capabilities()).body;
      expect(leader).toMatchObject({ canCreate: true, isOffice: false });
      // A leader names units of their own subtree; 办公厅 any unit.
      expect(leader.units.map((u: { name: string }) => u.name)).toEqual(['规划司']);
      const office = (await as('zhaolei').capabilities()).body;
      expect(office).toMatchObject({ canCreate: true, isOffice: true });
      expect(office.units.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(['规划司', '玄武区国土资源分局']));
      expect((await as('lina').capabilities()).body).toEqual({ canCreate: false, isOffice: false, units: [] });
      expect((await as('auditor').capabilities()).body).toEqual({ canCreate: false, isOffice: false, units: [] });
      const body = { targetKind: 'document', targetId: doc.id, workingDays: 3, opinion: '请抓紧办理' };
      const res = await as('lina').create(body);
      expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
      // The auditor does not even see 规划司's 公文: 404, as for one that does not exist.
      expect((await as('auditor').create(body)).status).toBe(404);
    });

    it('refuses every bad field with a Chinese message naming it, and writes nothing', async () => {
      const base = { targetKind: 'document', targetId: doc.id, deadline: inDays(5), opinion: '请抓紧办理' };
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ ...base, opinion: undefined }, 'opinion', /督办意见/],
        [{ ...base, opinion: '   ' }, 'opinion', /督办意见/],
        [{ ...base, opinion: '意'.repeat(2001) }, 'opinion', /2000/],
        [{ ...base, deadline: undefined }, 'deadline', /办结期限/],
        [{ ...base, workingDays: 3 }, 'deadline', /二选一|之一/],
        [{ ...base, deadline: inDays(-1) }, 'deadline', /早于今天/],
        [{ ...base, deadline: '2027-02-30' }, 'deadline', /有效的日期/],
        [{ ...base, deadline: '明天' }, 'deadline', /YYYY-MM-DD/],
        [{ ...base, deadline: inDays(800) }, 'deadline', /两年/],
        [{ ...base, deadline: undefined, workingDays: 0 }, 'workingDays', /至少/],
        [{ ...base, deadline: undefined, workingDays: 1.5 }, 'workingDays', /整数/],
        [{ ...base, targetKind: 'project' }, 'targetKind', /督办对象类型/],
        [{ ...base, targetId: 'x' }, 'targetId', /编号/],
        [{ ...base, unitId: 'not-a-unit' }, 'unitId', /承办单位/],
        [{ ...base, unitId: units['320000'] }, 'unitId', /数据范围/],
        [{ ...base, unitId: '00000000-0000-4000-8000-000000000000' }, 'unitId', /不存在/],
        [{ ...base, extra: 1 }, 'extra', /.+/],
      ];
      for (const [body, fieldName, message] of cases) {
        const res = await as('zhangwei').create(body);
        const detail = (res.body.details as { field: string; message: string }[] | undefined)?.find((d) => d.field === fieldName);
        expect([fieldName, res.status, res.body.code]).toEqual([fieldName, 400, 'VALIDATION_FAILED']);
        expect([fieldName, detail?.message]).toEqual([fieldName, expect.stringMatching(message)]);
      }
      expect(await q(`SELECT count(*)::int AS n FROM supervision_items`)).toEqual([{ n: 0 }]);
      expect(await q(`SELECT count(*)::int AS n FROM outbox WHERE topic LIKE 'supervision.%'`)).toEqual([{ n: 0 }]);
    });

    it('answers 404 for a 公文 or case outside the creator’s scope, as for one that does not exist', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      for (const [kind, id] of [
        ['document', doc.id],
        ['case', doc.instanceId],
        ['document', missing],
        ['case', missing],
      ]) {
        const res = await as('js.shenpi').create({ targetKind: kind, targetId: id, workingDays: 2, opinion: '越权督办' });
        expect([kind, res.status, res.body.code]).toEqual([kind, 404, 'NOT_FOUND']);
      }
      // 地籍司's leader does not see 规划司's draft either.
      expect((await as('hejun').create({ targetKind: 'case', targetId: doc.instanceId, workingDays: 2, opinion: '越权督办' })).status).toBe(
        404,
      );
    });
  });

  describe('Given 张伟 supervises the 公文 within 3 working days', () => {
    let id: string;

    it('records it for 规划司 by default, refuses a second live item on the same 公文, and notifies the unit', async () => {
      const res = await as('zhangwei').create({
        targetKind: 'document',
        targetId: doc.id,
        workingDays: 3,
        opinion: '请于三个工作日内办结',
      });
      expect([res.status, res.body.message]).toEqual([201, undefined]);
      id = res.body.id;
      const again = await as('zhaolei').create({ targetKind: 'document', targetId: doc.id, deadline: inDays(10), opinion: '重复督办' });
      expect([again.status, again.body.code]).toEqual([409, 'SUPERVISION_EXISTS']);
      const item = (await as('zhangwei').get(id)).body;
      expect(item).toMatchObject({ status: '督办中', stage: 'open', unitId: units['MLR-GHS'], title: '关于开展2026年度规划督查的通知' });
      expect(item.document).toMatchObject({ id: doc.id, status: '拟稿' });
      // The case's current step and its holder, from the port's read model.
      expect(item.case.steps).toEqual([expect.objectContaining({ name: expect.any(String), holders: '李娜' })]);
      expect(item.timeline.map((e: { kind: string }) => e.kind)).toEqual(['created']);
      expect(await q(`SELECT topic FROM outbox WHERE payload->>'itemId' = $1`, [id])).toEqual([{ topic: 'supervision.created' }]);
    });

    it('shows it to the creator’s and the unit’s subtrees, the step’s holder and 办公厅; others get 404', async () => {
      for (const who of ['zhangwei', 'lina', 'yangfan', 'zhaolei']) {
        expect([who, (await as(who).get(id)).status]).toEqual([who, 200]);
        expect([who, (await as(who).list()).body.items.map((i: { id: string }) => i.id)]).toEqual([who, [id]]);
      }
      for (const who of ['hejun', 'js.shenpi', 'zj.shenpi']) {
        const res = await as(who).get(id);
        expect([who, res.status, res.body.code]).toEqual([who, 404, 'NOT_FOUND']);
        expect([who, (await as(who).list()).body]).toEqual([who, { items: [], total: 0 }]);
        expect([who, (await as(who).report(id, { note: '越权报结' })).status]).toEqual([who, 404]);
      }
      const csv = await as('zhangwei').csv(`year=${new Date().getFullYear()}`);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text).toContain('督办事项,类型,承办单位');
      expect(csv.text).toContain('关于开展2026年度规划督查的通知,公文,规划司');
      expect((await as('zj.shenpi').csv()).text.trim().split('\r\n')).toHaveLength(1);
      // Filters: status and unit narrow the ledger.
      expect((await as('zhangwei').list(`status=${encodeURIComponent('已逾期')}`)).body.total).toBe(0);
      expect((await as('zhangwei').list(`unitId=${units['MLR-DJS']}`)).body.total).toBe(0);
      expect((await as('zhangwei').list(`status=${encodeURIComponent('督办中')}&unitId=${units['MLR-GHS']}`)).body.total).toBe(1);
      expect((await as('zhangwei').list('status=done')).status).toBe(400);
    });

    it('lets only the unit’s leader or the step’s holder report 办结; of two at once one wins and the other gets 409', async () => {
      const refused = await as('yangfan').report(id, { note: '已办结' });
      expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
      const upload = await as('lina').attach(id);
      expect([upload.status, upload.body.message]).toEqual([201, undefined]);
      expect((await as('lina').report(id, { note: '已办', attachmentIds: ['00000000-0000-4000-8000-000000000000'] })).body.details).toEqual(
        [{ field: 'attachmentIds', message: '附件须先上传到本督办事项' }],
      );
      expect((await as('lina').report(id, { note: ' ' })).status).toBe(400);
      const [a, b] = await Promise.all([
        as('lina').report(id, { note: '已按要求完成拟稿', attachmentIds: [upload.body.id] }),
        as('zhangwei').report(id, { note: '规划司已办结' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect([a, b].find((r) => r.status === 409)!.body.code).toBe('SUPERVISION_NOT_OPEN');
      expect(await q(`SELECT count(*)::int AS n FROM supervision_events WHERE item_id = $1 AND kind = 'reported'`, [id])).toEqual([
        { n: 1 },
      ]);
      expect((await as('zhangwei').get(id)).body).toMatchObject({ status: '已报办结', stage: 'reported' });
    });

    it('lets only the creator send it back (督办中 again, with the reason) and then close it (已办结)', async () => {
      expect((await as('lina').sendBack(id, { reason: '不充分' })).status).toBe(403);
      expect((await as('zhangwei').sendBack(id, {})).body.details[0].field).toBe('reason');
      expect((await as('zhangwei').sendBack(id, { reason: '请补充落实情况' })).status).toBe(200);
      expect((await as('zhangwei').close(id)).body.code).toBe('SUPERVISION_NOT_REPORTED');
      let item = (await as('lina').get(id)).body;
      expect(item).toMatchObject({ status: '督办中', stage: 'open' });
      expect(item.allowedActions).toEqual(['report']);
      expect((await as('lina').report(id, { note: '已补充落实情况' })).status).toBe(200);
      expect((await as('lina').close(id)).status).toBe(403);
      const [x, y] = await Promise.all([as('zhangwei').close(id), as('zhangwei').close(id)]);
      expect([x.status, y.status].sort()).toEqual([200, 409]);
      item = (await as('zhangwei').get(id)).body;
      expect(item).toMatchObject({ status: '已办结', stage: 'closed', allowedActions: [] });
      expect(item.timeline.map((e: { kind: string; note: string | null }) => [e.kind, e.note])).toEqual([
        ['created', '请于三个工作日内办结'],
        ['reported', expect.any(String)],
        ['returned', '请补充落实情况'],
        ['reported', '已补充落实情况'],
        ['closed', null],
      ]);
      expect((await q(`SELECT topic FROM outbox WHERE payload->>'itemId' = $1 ORDER BY id`, [id])).map((r) => r.topic)).toEqual([
        'supervision.created',
        'supervision.reported',
        'supervision.returned',
        'supervision.reported',
        'supervision.closed',
      ]);
      // Closed, the 公文 may be supervised again.
      const next = await as('zhaolei').create({ targetKind: 'case', targetId: doc.instanceId, deadline: inDays(0), opinion: '办公厅督办' });
      expect([next.status, next.body.message]).toEqual([201, undefined]);
    });
  });

  describe('Given items whose deadlines come and pass', () => {
    const scanner = () => t.app.get(SupervisionScanner);
    let ghs: string;
    let xuanwu: string;

    beforeAll(async () => {
      const own = await draft('lina', '关于报送规划实施情况的通知', '320000');
      ghs = (await as('zhangwei').create({ targetKind: 'case', targetId: own.instanceId, deadline: inDays(20), opinion: '按期报送' })).body
        .id;
      // 江苏省厅's 公文 supervised onto 玄武分局, which has no 签发人: its leader is the nearest ancestor's.
      const js = await draft('js.nigao', '关于核查玄武区用地的通知', '320100');
      const res = await as('js.shenpi').create({
        targetKind: 'document',
        targetId: js.id,
        deadline: inDays(20),
        opinion: '请玄武分局核查',
        unitId: units['320102'],
      });
      expect([res.status, res.body.message]).toEqual([201, undefined]);
      xuanwu = res.body.id;
    });

    it('reminds the responsible unit once when 临期, even with two scanners at once', async () => {
      await q(`UPDATE supervision_items SET remind_at = now() - interval '1 minute' WHERE id = ANY($1)`, [[ghs, xuanwu]]);
      await Promise.all([scanner().scan(), scanner().scan()]);
      await scanner().scan();
      const reminded = `SELECT item_id, count(*)::int AS n FROM supervision_events WHERE kind = 'reminded' AND item_id = ANY($1) GROUP BY item_id ORDER BY item_id`;
      expect(await q(reminded, [[ghs, xuanwu]])).toEqual([ghs, xuanwu].sort().map((item_id) => ({ item_id, n: 1 })));
      const [notice] = await q(`SELECT payload FROM outbox WHERE topic = 'supervision.due-soon' AND payload->>'itemId' = $1`, [ghs]);
      expect(notice.payload).toMatchObject({ unitId: units['MLR-GHS'], roles: expect.arrayContaining(['drafter', 'signer']) });
      expect((await as('zhangwei').get(ghs)).body.status).toBe('临期');
      const mail = await new OutboxRenderer(t.app.get(DataSource).manager, 'http://zw.test').render({
        id: '0',
        topic: 'supervision.due-soon',
        payload: notice.payload,
        created_at: new Date(),
      });
      expect(mail.mail?.subject).toBe('【督办临期】关于报送规划实施情况的通知');
      expect(mail.mail?.text).toContain('http://zw.test/supervision/' + ghs);
    });

    it('escalates an overdue item once to the unit’s leader (or the nearest ancestor’s) and the creator', async () => {
      await q(
        `UPDATE supervision_items SET due_at = now() - interval '1 minute', remind_at = now() - interval '2 minutes' WHERE id = ANY($1)`,
        [[ghs, xuanwu]],
      );
      const runs = await Promise.all([scanner().scan(), scanner().scan(), scanner().scan()]);
      expect(runs.reduce((n, r) => n + r.escalated, 0)).toBeLessThanOrEqual(2);
      await scanner().scan();
      const events = await q(
        `SELECT item_id, detail FROM supervision_events WHERE kind = 'escalated' AND item_id = ANY($1) ORDER BY item_id`,
        [[ghs, xuanwu]],
      );
      expect(events).toHaveLength(2);
      const byItem = Object.fromEntries(events.map((e) => [e.item_id, e.detail]));
      expect(byItem[ghs]).toMatchObject({ leaderUnitId: units['MLR-GHS'], leaderIds: [users.zhangwei], creatorId: users.zhangwei });
      expect(byItem[xuanwu]).toMatchObject({ leaderUnitId: units['320000'], leaderIds: [users['js.shenpi']] });
      const [overdue] = await q(`SELECT payload FROM outbox WHERE topic = 'supervision.overdue' AND payload->>'itemId' = $1`, [xuanwu]);
      expect(overdue.payload.to).toEqual([users['js.shenpi'], users['js.shenpi']]);
      const item = (await as('js.shenpi').get(xuanwu)).body;
      expect(item.status).toBe('已逾期');
      expect(item.timeline.find((e: { kind: string }) => e.kind === 'escalated').recipients).toBe('蒋文华');
      expect((await as('zhangwei').list(`status=${encodeURIComponent('已逾期')}`)).body.items.map((i: { id: string }) => i.id)).toEqual([
        ghs,
      ]);
      // A reported item is no longer reminded: the unit has answered.
      expect(await q(`SELECT count(*)::int AS n FROM outbox WHERE topic LIKE 'supervision.%' AND payload->>'itemId' = $1`, [ghs])).toEqual([
        { n: 3 },
      ]);
    });
  });

  it('rings the bell for 督办 notices for the same people the mail addresses, with the mail’s subject and the item’s page', async () => {
    const target = await draft('lina', '关于督办提醒一致性的通知', '320000');
    const created = await as('zhangwei').create({ targetKind: 'document', targetId: target.id, workingDays: 3, opinion: '请按期办结' });
    expect(created.status).toBe(201);
    // The holder of the case's step reports 办结: the creator is told (the creation notice named nobody but him).
    expect((await as('lina').report(created.body.id, { note: '已按要求办结' })).status).toBe(200);
    const [row] = await q(
      `SELECT id::text, topic, payload, created_at FROM outbox WHERE topic = 'supervision.reported' AND payload->>'itemId' = $1`,
      [created.body.id],
    );
    const rendered = await new OutboxRenderer(t.app.get(DataSource).manager, 'https://zw.example').render(row);
    const bell = await q(
      `SELECT u.email, n.title, n.link, n.kind FROM user_notifications n JOIN users u ON u.id = n.user_id WHERE n.outbox_id = $1`,
      [row.id],
    );
    expect([rendered.note, rendered.mail?.to]).toEqual([undefined, expect.any(Array)]);
    expect(bell.length).toBeGreaterThan(0);
    expect([...new Set(bell.map((b) => b.email as string))].sort()).toEqual([...(rendered.mail?.to ?? [])].sort());
    for (const b of bell)
      expect(b).toMatchObject({ title: rendered.mail?.subject, link: `/supervision/${created.body.id}`, kind: 'result' });
  });
});
