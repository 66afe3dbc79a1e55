import { DataSource } from 'typeorm';
import type { UnitTreeNode } from '@zhengwu/contracts';
import { applyDataScope } from '../identity/data-scope';
import type { Principal } from '../identity/principal';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';

function find(nodes: UnitTreeNode[], code: string): UnitTreeNode | undefined {
  for (const node of nodes) {
    if (node.code === code) return node;
    const hit = find(node.children, code);
    if (hit) return hit;
  }
  return undefined;
}

describe('organisation and the data scope', () => {
  let t: TestApp;
  let admin: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
    const users = await t.http().get('/api/org/users?limit=500').set('Authorization', `Bearer ${admin}`);
    for (const user of users.body.items as { id: string; username: string }[]) ids[user.username] = user.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('holds the ministry, its offices and bodies, and two provinces of two cities of two counties with division codes', async () => {
    const token = await t.login('lina');
    const res = await t.http().get('/api/org/units').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const [ministry] = res.body as UnitTreeNode[];
    expect(ministry.name).toBe('国土资源部');
    const names = ministry.children.map((c) => c.shortName ?? c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '办公厅',
        '信息办',
        '信息中心',
        '规划司',
        '耕地保护司',
        '地籍管理司',
        '科技司',
        '地调局',
        '北京局',
        '信息化领导小组',
      ]),
    );
    const provinces = ministry.children.filter((c) => c.kind === 'province');
    expect(provinces.map((p) => p.divisionCode)).toEqual(['320000', '330000']);
    for (const province of provinces) {
      expect(province.children).toHaveLength(2);
      for (const city of province.children) {
        expect(city.kind).toBe('city');
        expect(city.divisionCode?.slice(0, 2)).toBe(province.divisionCode?.slice(0, 2));
        expect(city.children.map((c) => c.kind)).toEqual(['county', 'county']);
      }
    }
    const group = find(res.body, 'MLR-LDXZ');
    const detail = await t.http().get(`/api/org/units/${group?.id}`).set('Authorization', `Bearer ${token}`);
    expect(detail.body.members.length).toBeGreaterThanOrEqual(4);
    const memberUnits = new Set(
      (
        await Promise.all(
          detail.body.members.map((m: { userId: string }) =>
            t.http().get(`/api/org/users/${m.userId}`).set('Authorization', `Bearer ${admin}`),
          ),
        )
      ).map((r) => r.body.unitId),
    );
    expect(memberUnits.size).toBeGreaterThanOrEqual(3);
  });

  it('gives every role code a demo account', async () => {
    const res = await t.http().get('/api/org/users?limit=500').set('Authorization', `Bearer ${admin}`);
    const roles = new Set((res.body.items as { roles: string[] }[]).flatMap((u) => u.roles));
    for (const role of [
      'drafter',
      'reviewer',
      'signer',
      'clerk',
      'office-reviewer',
      'group-member',
      'group-secretary',
      'data-admin',
      'dept-approver',
      'archivist',
      'sysadmin',
      'secadmin',
      'auditor',
    ]) {
      expect(roles).toContain(role);
    }
    const filtered = await t.http().get('/api/org/users?role=clerk').set('Authorization', `Bearer ${admin}`);
    expect((filtered.body.items as { roles: string[] }[]).every((u) => u.roles.includes('clerk'))).toBe(true);
  });

  it('lets a county user of Jiangsu read nothing of Zhejiang: 404, as if it did not exist', async () => {
    const county = await t.login('xw.shouli');
    for (const username of ['zj.shouwen', 'hz.shenhe', 'xh.shouli', 'jn.shouli', 'nj.shenhe', 'js.shenpi']) {
      const res = await t.http().get(`/api/org/users/${ids[username]}`).set('Authorization', `Bearer ${county}`);
      expect({ username, status: res.status }).toEqual({ username, status: 404 });
    }
    const self = await t.http().get(`/api/org/users/${ids['xw.shouli']}`).set('Authorization', `Bearer ${county}`);
    expect(self.status).toBe(200);
  });

  it('lets a city see its counties but never the sibling province, and a province its whole subtree', async () => {
    const city = await t.login('nj.shenhe');
    expect((await t.http().get(`/api/org/users/${ids['xw.shouli']}`).set('Authorization', `Bearer ${city}`)).status).toBe(200);
    expect((await t.http().get(`/api/org/users/${ids['jn.shouli']}`).set('Authorization', `Bearer ${city}`)).status).toBe(200);
    expect((await t.http().get(`/api/org/users/${ids['hz.shenhe']}`).set('Authorization', `Bearer ${city}`)).status).toBe(404);
    const province = await t.login('js.shenpi');
    expect((await t.http().get(`/api/org/users/${ids['jn.shouli']}`).set('Authorization', `Bearer ${province}`)).status).toBe(200);
    expect((await t.http().get(`/api/org/users/${ids['xh.shouli']}`).set('Authorization', `Bearer ${province}`)).status).toBe(404);
  });

  it('applies the same rule in SQL: subtree plus records addressed to the unit', async () => {
    const ds = t.db.dataSource;
    const units: { code: string; id: string; path: string }[] = await ds.query('SELECT code, id, path FROM units');
    const unit = (code: string) => units.find((u) => u.code === code)!;
    const principal = (code: string): Principal => ({
      userId: 'u',
      username: 'u',
      displayName: 'u',
      unitId: unit(code).id,
      unitPath: unit(code).path,
      roles: [],
      sessionId: 's',
    });
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`CREATE TEMP TABLE scoped_case (id serial, owner uuid, addressed uuid[])`);
      await runner.query(`INSERT INTO scoped_case (owner, addressed) VALUES ($1, '{}'), ($2, '{}'), ($3, ARRAY[$1]::uuid[]), ($4, '{}')`, [
        unit('320102').id,
        unit('330106').id,
        unit('MLR-GHS').id,
        unit('320100').id,
      ]);
      const visible = async (code: string) =>
        (
          await applyDataScope(ds.createQueryBuilder(runner).select('c.id', 'id').from('scoped_case', 'c'), principal(code), {
            unitColumn: 'c.owner',
            addressedColumn: 'c.addressed',
          })
            .orderBy('c.id')
            .getRawMany()
        ).map((r: { id: number }) => r.id);
      expect(await visible('320102')).toEqual([1, 3]);
      expect(await visible('320100')).toEqual([1, 4]);
      expect(await visible('330000')).toEqual([2]);
      expect(await visible('MLR')).toEqual([1, 2, 3, 4]);
    } finally {
      await runner.release();
    }
  });

  it('keeps the three administrators apart (三员分立)', async () => {
    const secadmin = await t.login('secadmin');
    const both = await t
      .http()
      .put(`/api/org/users/${ids['lina']}/roles`)
      .set('Authorization', `Bearer ${secadmin}`)
      .send({ roles: ['sysadmin', 'auditor'] });
    expect(both.status).toBe(400);
    expect(both.body.code).toBe('SEPARATION_OF_DUTIES');
    const bySysadmin = await t
      .http()
      .put(`/api/org/users/${ids['lina']}/roles`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ roles: ['drafter', 'reviewer'] });
    expect(bySysadmin.status).toBe(403);
    const ok = await t
      .http()
      .put(`/api/org/users/${ids['lina']}/roles`)
      .set('Authorization', `Bearer ${secadmin}`)
      .send({ roles: ['drafter', 'reviewer'] });
    expect(ok.status).toBe(200);
    expect(ok.body.roles).toEqual(['drafter', 'reviewer']);
    const unknown = await t
      .http()
      .put(`/api/org/users/${ids['lina']}/roles`)
      .set('Authorization', `Bearer ${secadmin}`)
      .send({ roles: ['emperor'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].field).toBe('roles');
  });

  it('creates a person who must change the password, and refuses a taken username with 409', async () => {
    const units = await t.http().get('/api/org/units').set('Authorization', `Bearer ${admin}`);
    const ghs = find(units.body, 'MLR-GHS')!;
    const body = { username: 'xinren', displayName: '辛仁', unitId: ghs.id, password: 'Chushi#2026xr' };
    const created = await t.http().post('/api/org/users').set('Authorization', `Bearer ${admin}`).send(body);
    expect(created.status).toBe(201);
    const login = await t.http().post('/api/auth/login').send({ username: 'xinren', password: 'Chushi#2026xr' });
    expect(login.body.user.mustChangePassword).toBe(true);
    const again = await t.http().post('/api/org/users').set('Authorization', `Bearer ${admin}`).send(body);
    expect(again.status).toBe(409);
    const badUnit = await t
      .http()
      .post('/api/org/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ ...body, username: 'xinren2', unitId: 'not-a-uuid' });
    expect(badUnit.status).toBe(400);
    expect(badUnit.body.details[0].field).toBe('unitId');
  });

  it('lets anyone signed in look people up by name or username, active people only, at most 50', async () => {
    const token = await t.login('lina');
    const get = (query: string) => t.http().get(`/api/org/people?${query}`).set('Authorization', `Bearer ${token}`);
    const byName = await get(`q=${encodeURIComponent('杨')}`);
    expect(byName.status).toBe(200);
    expect(byName.body).toEqual(
      expect.arrayContaining([
        {
          id: ids['yangfan'],
          username: 'yangfan',
          displayName: '杨帆',
          unitId: expect.any(String),
          unitName: expect.any(String),
          title: '综合处处长',
        },
      ]),
    );
    expect(Object.keys(byName.body[0]).sort()).toEqual(['displayName', 'id', 'title', 'unitId', 'unitName', 'username']);
    expect((await get('q=yangf')).body.map((p: { id: string }) => p.id)).toEqual([ids['yangfan']]);

    const unitId = byName.body.find((p: { id: string }) => p.id === ids['yangfan']).unitId;
    const ofUnit = await get(`unitId=${unitId}`);
    expect(ofUnit.body.length).toBeGreaterThan(1);
    expect(ofUnit.body.every((p: { unitId: string }) => p.unitId === unitId)).toBe(true);

    const dataSource = t.app.get(DataSource);
    await dataSource.query(`UPDATE users SET is_active = false WHERE username = 'guoqiang'`);
    try {
      expect((await get('q=guoqiang')).body).toEqual([]);
    } finally {
      await dataSource.query(`UPDATE users SET is_active = true WHERE username = 'guoqiang'`);
    }
    expect((await get('limit=5')).body).toHaveLength(5);
    expect((await get('')).body.length).toBeLessThanOrEqual(20);
    const tooMany = await get('limit=51');
    expect([tooMany.status, tooMany.body.details[0].field]).toEqual([400, 'limit']);
    expect((await get('unitId=nope')).status).toBe(400);
    expect((await t.http().get('/api/org/people')).status).toBe(401);
  });
});
