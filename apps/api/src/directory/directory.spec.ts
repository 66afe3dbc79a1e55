import { createTestApp, type TestApp } from '../../../../test/support/test-app';

/** 通讯录: the person's organ only, searchable; contact details kept by the person or the administrator, validated. */
describe('通讯录', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.db.dataSource.query(sql, params);

  beforeAll(async () => {
    t = await createTestApp();
    for (const who of ['lina', 'js.shouwen', 'admin']) tokens[who] = await t.login(who);
  });
  afterAll(() => t?.close());

  it('shows a ministry person the ministry and the bureaus under it, with phone and mail', async () => {
    const res = await t.http().get('/api/directory').set(as('lina'));
    expect(res.status).toBe(200);
    const names = res.body.people.map((p: { displayName: string }) => p.displayName);
    expect(res.body.people).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ displayName: '李娜', officePhone: expect.stringMatching(/^010-/), email: expect.any(String) }),
      ]),
    );
    const [jsClerk] = await q(`SELECT display_name FROM users WHERE username = 'js.shouwen'`);
    // Data scope runs downward: the provinces under the ministry are in its organ's tree.
    expect(names).toContain(jsClerk.display_name);
    expect(res.body.units.every((u: { path: string }) => u.path.startsWith(res.body.units[0].path))).toBe(true);
  });

  it('shows a province person their province only; another organ’s unit answers 404', async () => {
    const res = await t.http().get('/api/directory').set(as('js.shouwen'));
    expect(res.body.people.length).toBeGreaterThan(0);
    expect(res.body.people.every((p: { officePhone: string }) => p.officePhone.startsWith('025-'))).toBe(true);
    expect(res.body.people.map((p: { displayName: string }) => p.displayName)).not.toContain('李娜');
    const [mlrUnit] = await q(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    expect((await t.http().get(`/api/directory?unitId=${mlrUnit.id}`).set(as('js.shouwen'))).status).toBe(404);
  });

  it('finds people by name, title or phone, within one unit', async () => {
    const [bgt] = await q(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const within = await t.http().get(`/api/directory?unitId=${bgt.id}`).set(as('lina'));
    expect(within.body.people.length).toBeGreaterThan(0);
    expect(within.body.people.every((p: { unitId: string }) => p.unitId === bgt.id)).toBe(true);
    const byTitle = await t
      .http()
      .get(`/api/directory?q=${encodeURIComponent('档案员')}`)
      .set(as('lina'));
    expect(byTitle.body.people.map((p: { displayName: string }) => p.displayName)).toContain('林芳');
  });

  it('lets a person keep their own phone and mail but not their title; the administrator keeps anyone’s', async () => {
    await t
      .http()
      .put('/api/directory/me')
      .set(as('lina'))
      .send({ officePhone: '010-66558888', email: 'lina@mlr.example.gov.cn' })
      .expect(200);
    const [me] = await q(`SELECT office_phone, email, title FROM users WHERE username = 'lina'`);
    expect(me).toEqual(expect.objectContaining({ office_phone: '010-66558888', email: 'lina@mlr.example.gov.cn' }));
    const title = await t.http().put('/api/directory/me').set(as('lina')).send({ title: '司长' });
    expect(title.status).toBe(403);
    const bad = await t.http().put('/api/directory/me').set(as('lina')).send({ officePhone: 'call me', email: 'not-mail' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'officePhone']);
    expect((await q(`SELECT office_phone FROM users WHERE username = 'lina'`))[0].office_phone).toBe('010-66558888');

    const [lina] = await q(`SELECT id FROM users WHERE username = 'lina'`);
    await t.http().put(`/api/directory/people/${lina.id}`).set(as('admin')).send({ title: '规划司处长', officePhone: '' }).expect(200);
    expect((await q(`SELECT office_phone, title FROM users WHERE id = $1`, [lina.id]))[0]).toEqual({
      office_phone: null,
      title: '规划司处长',
    });
    expect((await t.http().put(`/api/directory/people/${lina.id}`).set(as('lina')).send({ title: 'x' })).status).toBe(403);
    expect((await t.http().put('/api/directory/people/not-a-uuid').set(as('admin')).send({})).status).toBe(404);
  });
});
