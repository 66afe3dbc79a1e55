import { createTestApp, type TestApp } from '../../../../test/support/test-app';

/** 数据共享目录清单: kept by the owner unit, published without classified or 不予共享 entries, and driving the picker. */
describe('数据共享目录清单', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.db.dataSource.query(sql, params);
  let keeper: string;
  let entry: { code: string; owner: string };

  beforeAll(async () => {
    t = await createTestApp();
    // An entry of a unit that has a drafter in the demo, and that drafter.
    [entry] = await q(
      `SELECT d.code, u.code AS owner FROM datasets d JOIN units u ON u.code = d.owner_unit_code
        WHERE d.secrecy IN ('公开','内部') AND EXISTS (SELECT 1 FROM users x JOIN user_roles r ON r.user_id = x.id AND r.role = 'drafter' WHERE x.unit_id = u.id)
        ORDER BY d.sort LIMIT 1`,
    );
    [{ username: keeper }] = await q(
      `SELECT x.username FROM users x JOIN units u ON u.id = x.unit_id JOIN user_roles r ON r.user_id = x.id AND r.role = 'drafter'
        WHERE u.code = $1 ORDER BY x.username LIMIT 1`,
      [entry.owner],
    );
    for (const who of [keeper, 'lina', 'js.nigao']) tokens[who] ??= await t.login(who);
  });
  afterAll(() => t?.close());

  it('publishes JSON and CSV at stable public addresses, without classified entries', async () => {
    const json = await t.http().get('/api/catalogue/published.json');
    expect([json.status, json.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8']);
    const codes = json.body.items.map((i: { code: string }) => i.code);
    const secret = await q(`SELECT code FROM datasets WHERE secrecy IN ('秘密','机密')`);
    expect(secret.length).toBeGreaterThan(0);
    for (const s of secret) expect(codes).not.toContain(s.code);
    expect(json.body.items[0]).toEqual(
      expect.objectContaining({
        code: expect.any(String),
        updateCycle: expect.any(String),
        shareLevel: expect.any(String),
        ownerUnitName: expect.any(String),
      }),
    );
    const csv = await t.http().get('/api/catalogue/published.csv').buffer(true);
    expect(csv.status).toBe(200);
    const text = csv.text.replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toBe('编码,名称,类别,主管单位,更新周期,提供格式,共享属性,说明,更新时间');
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(json.body.items.length + 1);
  });

  it('lets the owner unit keep its entry; others get 403; bad values are refused at the field', async () => {
    const list = await t.http().get('/api/catalogue').set(as(keeper));
    expect(list.body.find((e: { code: string }) => e.code === entry.code).canEdit).toBe(true);
    expect((await t.http().get('/api/catalogue').set(as('js.nigao'))).body.every((e: { canEdit: boolean }) => !e.canEdit)).toBe(true);

    const ok = await t
      .http()
      .put(`/api/catalogue/${entry.code}`)
      .set(as(keeper))
      .send({ updateCycle: '每季度', formats: ['GeoPackage', 'Shapefile'] });
    expect([ok.status, ok.body.message]).toEqual([200, undefined]);
    const [row] = await q(`SELECT update_cycle, formats FROM datasets WHERE code = $1`, [entry.code]);
    expect(row).toEqual({ update_cycle: '每季度', formats: ['GeoPackage', 'Shapefile'] });

    expect((await t.http().put(`/api/catalogue/${entry.code}`).set(as('js.nigao')).send({ updateCycle: '每年' })).status).toBe(403);
    const bad = await t
      .http()
      .put(`/api/catalogue/${entry.code}`)
      .set(as(keeper))
      .send({ updateCycle: '偶尔', shareLevel: '随便', formats: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['formats', 'shareLevel', 'updateCycle']);
    expect((await t.http().put('/api/catalogue/NO-SUCH').set(as(keeper)).send({ updateCycle: '每年' })).status).toBe(404);
  });

  it('takes a 不予共享 entry out of the published catalogue and out of the 数据使用申请 picker', async () => {
    await t.http().put(`/api/catalogue/${entry.code}`).set(as(keeper)).send({ shareLevel: '不予共享' }).expect(200);
    const published = (await t.http().get('/api/catalogue/published.json')).body.items.map((i: { code: string }) => i.code);
    expect(published).not.toContain(entry.code);
    const picker = (await t.http().get('/api/datasets').set(as('lina'))).body.items.map((i: { code: string }) => i.code);
    expect(picker).not.toContain(entry.code);
    // And a request naming it directly is refused as not in the catalogue.
    const [ds] = await q(`SELECT id FROM datasets WHERE code = $1`, [entry.code]);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const res = await t
      .http()
      .post('/api/data-requests')
      .set(as('js.nigao'))
      .send({
        title: '申请不予共享的数据',
        datasetIds: [ds.id],
        regionCode: '320000',
        regionName: '江苏省',
        purpose: '用于测试不予共享的数据不能申请。',
        periodFrom: today,
        periodTo: today,
        format: 'Shapefile',
        contactName: '沈佳',
        contactPhone: '025-66551234',
      });
    expect([res.status, res.body.details?.[0]?.field]).toEqual([400, 'datasetIds']);
    await t.http().put(`/api/catalogue/${entry.code}`).set(as(keeper)).send({ shareLevel: '有条件共享' }).expect(200);
  });
});
