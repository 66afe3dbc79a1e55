import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { TEST_PASSWORD } from '../../../../test/support/test-database';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
type Rows = any[];

/** Account rules the server enforces whatever the browser does (issue 14, item 6), and /api/docs (item 9). */
describe('account rules through HTTP (real PostgreSQL)', () => {
  let t: TestApp;
  const q = (sql: string, params: unknown[] = []): Promise<Rows> => t.app.get(DataSource).query(sql, params);
  const login = (username: string, password: string, ip?: string) => {
    const req = t.http().post('/api/auth/login');
    if (ip) req.set('X-Forwarded-For', ip);
    return req.send({ username, password });
  };

  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(() => t?.close());

  describe('while the password must be changed', () => {
    it('answers 403 PASSWORD_CHANGE_REQUIRED everywhere but the password change, the own profile, refresh and logout', async () => {
      await q(`UPDATE users SET must_change_password = true WHERE username = 'hejun'`);
      const res = await login('hejun', TEST_PASSWORD);
      expect(res.status).toBe(200);
      expect(res.body.user.mustChangePassword).toBe(true);
      const auth = { Authorization: `Bearer ${res.body.accessToken as string}` };
      const refused = [
        t.http().get('/api/tasks?view=todo'),
        t.http().get('/api/org/units'),
        t.http().get('/api/org/people?q=li'),
        t.http().get('/api/documents'),
        t.http().get('/api/approvals'),
        t.http().post('/api/documents').send({ title: '未改密码时拟稿' }),
        t.http().get('/api/auth/totp'),
      ];
      for (const req of refused) {
        const answer = await req.set(auth);
        // supertest's answer carries the request it answers (not in its types).
        const path = (answer as unknown as { req: { path: string } }).req.path;
        expect([path, answer.status, answer.body.code]).toEqual([path, 403, 'PASSWORD_CHANGE_REQUIRED']);
      }
      expect((await t.http().get('/api/auth/me').set(auth)).status).toBe(200);
      const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('zw_refresh='))?.split(';')[0] ?? '';
      const refreshed = await t.http().post('/api/auth/refresh').set('Cookie', cookie);
      expect(refreshed.status).toBe(200);
      const fresh = { Authorization: `Bearer ${refreshed.body.accessToken as string}` };
      expect((await t.http().get('/api/tasks?view=todo').set(fresh)).status).toBe(403);
      const changed = await t
        .http()
        .post('/api/auth/password')
        .set(fresh)
        .send({ currentPassword: TEST_PASSWORD, newPassword: 'Xinmima#2026ab' });
      expect(changed.status).toBe(204);
      expect((await t.http().get('/api/tasks?view=todo').set(fresh)).status).toBe(200);
      const cookie2 =
        (refreshed.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('zw_refresh='))?.split(';')[0] ?? '';
      expect((await t.http().post('/api/auth/logout').set('Cookie', cookie2)).status).toBe(204);
    });

    it('holds for the bootstrap administrator too, after the second factor', async () => {
      await q(`UPDATE users SET must_change_password = true WHERE username = 'admin'`);
      const token = await t.login('admin');
      const auth = { Authorization: `Bearer ${token}` };
      for (const path of ['/api/org/users', '/api/process-definitions', '/api/incidents']) {
        const res = await t.http().get(path).set(auth);
        expect([path, res.status, res.body.code]).toEqual([path, 403, 'PASSWORD_CHANGE_REQUIRED']);
      }
      const me = await t.http().get('/api/auth/me').set(auth);
      expect(me.body.username).toBe('admin');
      await q(`UPDATE users SET must_change_password = false WHERE username = 'admin'`);
      expect((await t.http().get('/api/org/users').set(auth)).status).toBe(200);
    });
  });

  describe('enumeration', () => {
    it('answers an unknown name and a wrong password alike, in comparable time; the lock shows only once locked', async () => {
      const unknown = await login('no.such.person', 'Wrong#Password1');
      const wrong = await login('luoping', 'Wrong#Password1');
      expect([wrong.status, wrong.body]).toEqual([unknown.status, unknown.body]);
      expect(unknown.body).toEqual({ code: 'INVALID_CREDENTIALS', message: '用户名或密码错误' });

      // Timing: both verify an argon2id hash (a dummy one for unknown names); medians within a factor of three.
      const time = async (username: string): Promise<number> => {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const began = process.hrtime.bigint();
          await login(username, `Wrong#Timing${i}`, '198.51.100.77');
          times.push(Number(process.hrtime.bigint() - began) / 1e6);
        }
        return times.sort((a, b) => a - b)[1];
      };
      const unknownMs = await time('nobody.at.all');
      const knownMs = await time('zhaolei');
      expect(Math.max(unknownMs, knownMs) / Math.min(unknownMs, knownMs)).toBeLessThan(3);

      // luoping: one failure above, then three more answer exactly like an unknown name; the fifth locks.
      for (let i = 0; i < 3; i++) expect((await login('luoping', `Wrong#Again${i}`)).body).toEqual(unknown.body);
      const fifth = await login('luoping', 'Wrong#Again9');
      expect(fifth.status).toBe(423);
      expect(fifth.body.code).toBe('ACCOUNT_LOCKED');
      // An unknown name never gets the lock message, however often it is tried.
      for (let i = 0; i < 6; i++) expect((await login('no.such.person', `Wrong#Again${i}`)).status).toBe(401);
    });
  });

  describe('三员分立: the 安全管理员 and the 审计员 hold no business role', () => {
    it('is refused by the org service with 400 naming the rule', async () => {
      const secadmin = await t.login('secadmin');
      const [person] = await q(`SELECT id FROM users WHERE username = 'zhaolei'`);
      for (const roles of [
        ['secadmin', 'clerk'],
        ['auditor', 'drafter'],
        ['auditor', 'archivist'],
      ]) {
        const res = await t.http().put(`/api/org/users/${person.id}/roles`).set('Authorization', `Bearer ${secadmin}`).send({ roles });
        expect([roles, res.status, res.body.code]).toEqual([roles, 400, 'SEPARATION_OF_DUTIES']);
        expect(res.body.message).toContain('不能兼任业务角色');
      }
      const [still] = await q(`SELECT array_agg(role ORDER BY role) AS roles FROM user_roles WHERE user_id = $1`, [person.id]);
      expect(still.roles).toEqual(['clerk']);
      // The system administrator may still hold a business role.
      const ok = await t
        .http()
        .put(`/api/org/users/${person.id}/roles`)
        .set('Authorization', `Bearer ${secadmin}`)
        .send({ roles: ['clerk'] });
      expect(ok.status).toBe(200);
    });

    it('is refused by the database for any other writer', async () => {
      await expect(q(`INSERT INTO user_roles (user_id, role) SELECT id, 'drafter' FROM users WHERE username = 'secadmin'`)).rejects.toThrow(
        /三员分立/,
      );
      await expect(q(`INSERT INTO user_roles (user_id, role) SELECT id, 'auditor' FROM users WHERE username = 'zhaolei'`)).rejects.toThrow(
        /三员分立/,
      );
      // A second business role for 赵磊, then turning it into 审计员 next to the first one.
      await q(`INSERT INTO user_roles (user_id, role) SELECT id, 'archivist' FROM users WHERE username = 'zhaolei'`);
      await expect(
        q(
          `UPDATE user_roles SET role = 'auditor' WHERE role = 'archivist' AND user_id = (SELECT id FROM users WHERE username = 'zhaolei')`,
        ),
      ).rejects.toThrow(/三员分立/);
      await q(`DELETE FROM user_roles WHERE role = 'archivist' AND user_id = (SELECT id FROM users WHERE username = 'zhaolei')`);
    });
  });

  describe('/api/docs without the demo', () => {
    it('is served to signed-in people only', async () => {
      expect(t.config.seedDemo).toBe(false);
      for (const path of ['/api/docs', '/api/docs/', '/api/docs-json', '/api/docs-yaml', '/api/docs/swagger-ui-init.js']) {
        const res = await t.http().get(path);
        expect([path, res.status]).toEqual([path, 401]);
      }
      const token = await t.login('lina');
      const json = await t.http().get('/api/docs-json').set('Authorization', `Bearer ${token}`);
      expect(json.status).toBe(200);
      expect(json.body.paths['/api/auth/login']).toBeDefined();
      expect((await t.http().get('/api/docs').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      expect((await t.http().get('/api/docs-json').set('Authorization', 'Bearer forged.token.here')).status).toBe(401);
      // Routes that merely start with the same letters are unaffected.
      expect((await t.http().get('/api/documents').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    });
  });
});

describe('X-Forwarded-For and the per-address login limit', () => {
  const spray = async (t: TestApp): Promise<number[]> => {
    const statuses: number[] = [];
    // LOGIN_MAX_FAILURES=1: one address may fail 4 logins; each try comes "from" another address.
    for (let i = 0; i < 6; i++) {
      const res = await t
        .http()
        .post('/api/auth/login')
        .set('X-Forwarded-For', `203.0.113.${i + 1}`)
        .send({ username: `sprayed${i}`, password: 'Wrong#Spray2026' });
      statuses.push(res.status);
    }
    return statuses;
  };

  it('ignores X-Forwarded-For by default: forged addresses do not escape the limit', async () => {
    const t = await createTestApp({ LOGIN_MAX_FAILURES: '1' });
    try {
      expect(await spray(t)).toEqual([401, 401, 401, 401, 429, 429]);
      const ok = await t
        .http()
        .post('/api/auth/login')
        .set('X-Forwarded-For', '203.0.113.99')
        .send({ username: 'lina', password: TEST_PASSWORD });
      expect(ok.status).toBe(429);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('believes it from a proxy named in TRUSTED_PROXIES, and counts per forwarded address', async () => {
    const t = await createTestApp({ LOGIN_MAX_FAILURES: '1', TRUSTED_PROXIES: '127.0.0.1/8,::1' });
    try {
      expect(await spray(t)).toEqual([401, 401, 401, 401, 401, 401]);
      const ok = await t
        .http()
        .post('/api/auth/login')
        .set('X-Forwarded-For', '203.0.113.99')
        .send({ username: 'lina', password: TEST_PASSWORD });
      expect(ok.status).toBe(200);
      const [session] = await t.app.get(DataSource).query(`SELECT ip FROM sessions ORDER BY created_at DESC LIMIT 1`);
      expect(session.ip).toBe('203.0.113.99');
    } finally {
      await t.close();
    }
  }, 120_000);
});
