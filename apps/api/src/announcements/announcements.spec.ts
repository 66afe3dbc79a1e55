import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import type { AnnouncementView } from './announcements.repository';

/** 公告: 办公厅 publishes, edits and withdraws; everyone signed in reads the current ones and keeps their own read marks. */
describe('公告 (announcements)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const list = async (who: string, view = 'current') =>
    (await t.http().get(`/api/announcements?view=${view}`).set(as(who))).body as {
      items: AnnouncementView[];
      total: number;
      unread: number;
    };
  const count = async (): Promise<number> => Number((await t.app.get(DataSource).query(`SELECT count(*) AS n FROM announcements`))[0].n);
  const publish = (who: string, body: object) => t.http().post('/api/announcements').set(as(who)).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    // zhaolei sits in 办公厅 (MLR-BGT); lina in 规划司; js.shenpi in 江苏; admin is a platform administrator in 信息中心.
    for (const who of ['zhaolei', 'lina', 'js.shenpi', 'wangjianguo']) tokens[who] = await t.login(who);
  });
  afterAll(() => t?.close());

  it('lets only 办公厅 publish; a leader elsewhere and an ordinary member are refused and nothing is written', async () => {
    expect((await t.http().get('/api/announcements/capabilities').set(as('zhaolei'))).body).toEqual({ canPublish: true });
    expect((await t.http().get('/api/announcements/capabilities').set(as('lina'))).body).toEqual({ canPublish: false });
    for (const who of ['lina', 'wangjianguo', 'js.shenpi']) {
      const res = await publish(who, { title: '越权公告', body: '不应发布' });
      expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(await count()).toBe(0);
  });

  it('refuses bad fields at the field with a Chinese message and writes nothing', async () => {
    const cases: [object, string, string][] = [
      [{ body: '正文' }, 'title', '标题'],
      [{ title: ' 一 ', body: '正文内容' }, 'title', '至少 2 个字'],
      [{ title: '长'.repeat(101), body: '正文内容' }, 'title', '100 个字'],
      [{ title: '通知', body: '' }, 'body', '正文'],
      [{ title: '通知', body: '长'.repeat(5001) }, 'body', '5000 个字'],
      [{ title: '通知', body: '正文内容', pinned: 'yes' }, 'pinned', '置顶'],
      [{ title: '通知', body: '正文内容', expiresOn: '2026-13-01' }, 'expiresOn', '日期'],
      [{ title: '通知', body: '正文内容', expiresOn: '2027-02-30' }, 'expiresOn', '真实日期'],
      [{ title: '通知', body: '正文内容', expiresOn: '2020-01-01' }, 'expiresOn', '不能早于今天'],
      [{ title: 5, body: '正文内容' }, 'title', '标题'],
    ];
    for (const [body, field, word] of cases) {
      const res = await publish('zhaolei', body);
      expect([res.status, res.body.message]).toEqual([400, expect.stringContaining(word)]);
      expect(JSON.stringify(res.body.details)).toContain(field);
    }
    expect(await count()).toBe(0);
  });

  it('shows a published 公告 to everyone, pinned first, unread until each person opens it', async () => {
    const first = await publish('zhaolei', { title: '关于年终总结的通知', body: '请各单位于月底前报送年终总结。' });
    expect(first.status).toBe(201);
    const pinned = await publish('zhaolei', { title: '关于元旦放假安排的通知', body: '元旦放假一天。\n<b>不是 HTML</b>', pinned: true });
    expect(pinned.body).toMatchObject({ pinned: true, unitName: '办公厅', body: '元旦放假一天。\n<b>不是 HTML</b>' });
    for (const who of ['lina', 'js.shenpi']) {
      const l = await list(who);
      expect(l.items.map((a) => a.title)).toEqual(['关于元旦放假安排的通知', '关于年终总结的通知']);
      expect(l.unread).toBe(2);
      expect(l.items.every((a) => a.readAt === null)).toBe(true);
    }
    expect((await t.http().post(`/api/announcements/${first.body.id}/read`).set(as('lina'))).status).toBe(200);
    // Twice is the same as once.
    expect((await t.http().post(`/api/announcements/${first.body.id}/read`).set(as('lina'))).status).toBe(200);
    const lina = await list('lina');
    expect(lina.unread).toBe(1);
    expect(lina.items.find((a) => a.id === first.body.id)?.readAt).not.toBeNull();
    // Another person's marks are their own.
    expect((await list('js.shenpi')).unread).toBe(2);
  });

  it('edits, then withdraws: a withdrawn 公告 leaves everyone’s list, 404 for readers, kept in 办公厅’s full list', async () => {
    const made = await publish('zhaolei', { title: '关于调整会议时间的通知', body: '会议改至周五。' });
    const id = made.body.id as string;
    const edited = await t
      .http()
      .put(`/api/announcements/${id}`)
      .set(as('zhaolei'))
      .send({ title: '关于调整会议时间的通知（更正）', body: '会议改至周四。' });
    expect([edited.status, edited.body.title]).toEqual([200, '关于调整会议时间的通知（更正）']);
    expect((await t.http().put(`/api/announcements/${id}`).set(as('lina')).send({ title: '越权修改', body: '越权修改' })).status).toBe(403);
    expect((await t.http().post(`/api/announcements/${id}/withdraw`).set(as('lina'))).status).toBe(403);
    expect((await t.http().post(`/api/announcements/${id}/withdraw`).set(as('zhaolei'))).status).toBe(200);
    expect((await t.http().post(`/api/announcements/${id}/withdraw`).set(as('zhaolei'))).status).toBe(409);
    expect(
      (await t.http().put(`/api/announcements/${id}`).set(as('zhaolei')).send({ title: '撤回后修改', body: '撤回后修改' })).status,
    ).toBe(409);
    expect((await list('lina')).items.map((a) => a.id)).not.toContain(id);
    expect((await t.http().get(`/api/announcements/${id}`).set(as('lina'))).status).toBe(404);
    expect((await t.http().post(`/api/announcements/${id}/read`).set(as('lina'))).status).toBe(404);
    const all = await list('zhaolei', 'all');
    expect(all.items.find((a) => a.id === id)?.withdrawnAt).not.toBeNull();
    expect((await t.http().get('/api/announcements?view=all').set(as('lina'))).status).toBe(403);
  });

  it('shows a 公告 through its last day (Beijing time) and hides it after', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const made = await publish('zhaolei', { title: '今日有效的通知', body: '仅今日有效。', expiresOn: today });
    expect([made.status, made.body.expiresOn, made.body.expired]).toEqual([201, today, false]);
    expect((await list('lina')).items.map((a) => a.id)).toContain(made.body.id);
    // A day later (moved back in the database, as time would).
    await t.app.get(DataSource).query(`UPDATE announcements SET expires_on = expires_on - 1 WHERE id = $1`, [made.body.id]);
    expect((await list('lina')).items.map((a) => a.id)).not.toContain(made.body.id);
    expect((await t.http().get(`/api/announcements/${made.body.id}`).set(as('lina'))).status).toBe(404);
    expect((await list('zhaolei', 'all')).items.find((a) => a.id === made.body.id)?.expired).toBe(true);
  });

  it('answers 404 for an id that is not one', async () => {
    expect((await t.http().get('/api/announcements/not-a-uuid').set(as('lina'))).status).toBe(404);
    expect((await t.http().get('/api/announcements/00000000-0000-4000-8000-000000000000').set(as('lina'))).status).toBe(404);
  });
});
