import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { DEFAULT_PHRASES } from './personal.service';

/** 常用语 and 暂存 belong to one person: kept on the server, validated, and never reachable by anyone else. */
describe('personal 常用语 and 暂存', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    t = await createTestApp();
    for (const who of ['lina', 'yangfan']) tokens[who] = await t.login(who);
  });
  afterAll(() => t?.close());

  it('starts with the defaults, keeps a person’s own list in order, and resets', async () => {
    expect((await t.http().get('/api/personal/phrases').set(as('lina'))).body).toEqual({ phrases: DEFAULT_PHRASES, custom: false });
    const own = ['同意，按程序报批。', ' 请规划司研提意见。 ', '已阅，请办公厅存档。'];
    const saved = await t.http().put('/api/personal/phrases').set(as('lina')).send({ phrases: own });
    expect([saved.status, saved.body]).toEqual([200, { phrases: own.map((p) => p.trim()), custom: true }]);
    expect((await t.http().get('/api/personal/phrases').set(as('lina'))).body.phrases).toEqual(own.map((p) => p.trim()));
    // Another person still has the defaults.
    expect((await t.http().get('/api/personal/phrases').set(as('yangfan'))).body.custom).toBe(false);
    expect((await t.http().delete('/api/personal/phrases').set(as('lina'))).body).toEqual({ phrases: DEFAULT_PHRASES, custom: false });
  });

  it('refuses bad phrase lists at the field and keeps the old list', async () => {
    await t
      .http()
      .put('/api/personal/phrases')
      .set(as('lina'))
      .send({ phrases: ['已阅。'] })
      .expect(200);
    const cases: [unknown, number, string][] = [
      [{ phrases: ['同意', '同意'] }, 400, '重复'],
      [{ phrases: ['  '] }, 400, '空'],
      [{ phrases: Array.from({ length: 31 }, (_, i) => `第${i}条`) }, 400, '最多 30 条'],
      [{ phrases: ['长'.repeat(101)] }, 400, '100 个字'],
      [{ phrases: [1] }, 400, '文字'],
      [{ phrases: '同意' }, 400, '列表'],
    ];
    for (const [body, status, word] of cases) {
      const res = await t.http().put('/api/personal/phrases').set(as('lina')).send(body);
      expect([res.status, res.body.message]).toEqual([status, expect.stringContaining(word)]);
    }
    expect((await t.http().get('/api/personal/phrases').set(as('lina'))).body.phrases).toEqual(['已阅。']);
  });

  it('keeps a half-filled start form per person and form, replaces it, and removes it', async () => {
    expect((await t.http().get('/api/personal/drafts/project').set(as('lina'))).status).toBe(404);
    const first = await t
      .http()
      .put('/api/personal/drafts/project')
      .set(as('lina'))
      .send({ payload: { name: '国土空间规划一张图实施监督系统', budget: 120 } });
    expect(first.status).toBe(200);
    await t
      .http()
      .put('/api/personal/drafts/project')
      .set(as('lina'))
      .send({ payload: { name: '国土空间规划一张图实施监督系统（二期）' } })
      .expect(200);
    const read = await t.http().get('/api/personal/drafts/project').set(as('lina'));
    expect(read.body).toEqual({ payload: { name: '国土空间规划一张图实施监督系统（二期）' }, updatedAt: expect.any(String) });
    // Nobody else reads it: the same route answers for the caller only.
    expect((await t.http().get('/api/personal/drafts/project').set(as('yangfan'))).status).toBe(404);
    await t.http().delete('/api/personal/drafts/project').set(as('lina')).expect(200);
    expect((await t.http().get('/api/personal/drafts/project').set(as('lina'))).status).toBe(404);
  });

  it('refuses an unknown form, a non-object and an oversized draft, writing nothing', async () => {
    expect((await t.http().put('/api/personal/drafts/salary').set(as('lina')).send({ payload: {} })).status).toBe(404);
    const array = await t
      .http()
      .put('/api/personal/drafts/filing')
      .set(as('lina'))
      .send({ payload: [1, 2] });
    expect([array.status, array.body.message]).toEqual([400, expect.stringContaining('JSON 对象')]);
    const big = await t
      .http()
      .put('/api/personal/drafts/filing')
      .set(as('lina'))
      .send({ payload: { body: '字'.repeat(30_000) } });
    expect([big.status, big.body.code]).toEqual([413, 'DRAFT_TOO_LARGE']);
    expect((await t.http().get('/api/personal/drafts/filing').set(as('lina'))).status).toBe(404);
  });
});
