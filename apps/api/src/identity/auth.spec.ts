import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { TEST_PASSWORD } from '../../../../test/support/test-database';

function refreshCookie(res: { headers: Record<string, unknown> }): string {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const cookie = cookies.find((c) => c.startsWith('zw_refresh='));
  if (!cookie) throw new Error('no refresh cookie set');
  return cookie.split(';')[0];
}

describe('identity: login, sessions and guards (real PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs a demo user in and answers the DESIGN §8 shape with an httpOnly refresh cookie', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'lina', password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.user).toMatchObject({ username: 'lina', roles: ['drafter'], unitId: expect.any(String), id: expect.any(String) });
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('zw_refresh='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const me = await t.http().get('/api/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('lina');
  });

  it('refuses a wrong password without telling how many tries are left (that would confirm the account exists)', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'yangfan', password: 'Wrong#Password1' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'INVALID_CREDENTIALS', message: '用户名或密码错误' });
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'nobody', password: 'Wrong#Password1' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'INVALID_CREDENTIALS', message: '用户名或密码错误' });
  });

  it('locks the account after five failures, even against the right password, until the security administrator unlocks it', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ username: 'gaoyuan', password: `Wrong#Password${i}` });
      expect(res.status).toBe(401);
    }
    const fifth = await t.http().post('/api/auth/login').send({ username: 'gaoyuan', password: 'Wrong#Password9' });
    expect(fifth.status).toBe(423);
    expect(fifth.body.code).toBe('ACCOUNT_LOCKED');
    expect(fifth.body.message).toContain('15 分钟');
    const right = await t.http().post('/api/auth/login').send({ username: 'gaoyuan', password: TEST_PASSWORD });
    expect(right.status).toBe(423);

    const secadmin = await t.login('secadmin');
    const users = await t.http().get('/api/org/users?q=gaoyuan').set('Authorization', `Bearer ${secadmin}`);
    const gaoyuan = users.body.items[0];
    expect(gaoyuan.lockedUntil).not.toBeNull();
    const unlock = await t.http().post(`/api/org/users/${gaoyuan.id}/unlock`).set('Authorization', `Bearer ${secadmin}`);
    expect(unlock.status).toBe(204);
    expect((await t.http().post('/api/auth/login').send({ username: 'gaoyuan', password: TEST_PASSWORD })).status).toBe(200);
  });

  it('rotates the refresh token, and a replayed old token ends the session', async () => {
    const login = await t.http().post('/api/auth/login').send({ username: 'zhangwei', password: TEST_PASSWORD });
    const first = refreshCookie(login);
    const refreshed = await t.http().post('/api/auth/refresh').set('Cookie', first);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.accessToken).toEqual(expect.any(String));
    const second = refreshCookie(refreshed);
    expect(second).not.toBe(first);

    const replay = await t.http().post('/api/auth/refresh').set('Cookie', first);
    expect(replay.status).toBe(401);
    // The replay killed the session: the legitimate newer token is dead too.
    expect((await t.http().post('/api/auth/refresh').set('Cookie', second)).status).toBe(401);
    const me = await t.http().get('/api/auth/me').set('Authorization', `Bearer ${refreshed.body.accessToken}`);
    expect(me.status).toBe(401);
  });

  it('logout revokes the session: neither the refresh cookie nor the access token works afterwards', async () => {
    const login = await t.http().post('/api/auth/login').send({ username: 'wufang', password: TEST_PASSWORD });
    const cookie = refreshCookie(login);
    const out = await t.http().post('/api/auth/logout').set('Cookie', cookie);
    expect(out.status).toBe(204);
    expect((await t.http().post('/api/auth/refresh').set('Cookie', cookie)).status).toBe(401);
    const me = await t.http().get('/api/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('SESSION_EXPIRED');
  });

  it('rejects missing, tampered and unsigned tokens with 401', async () => {
    expect((await t.http().get('/api/auth/me')).status).toBe(401);
    const token = await t.login('hejun');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, username: 'admin' })).toString('base64url');
    expect((await t.http().get('/api/auth/me').set('Authorization', `Bearer ${header}.${forged}.${signature}`)).status).toBe(401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const res = await t.http().get('/api/auth/me').set('Authorization', `Bearer ${none}.${payload}.`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_INVALID');
  });

  it('enforces roles: the system administrator cannot read the audit log, the auditor can', async () => {
    const admin = await t.login('admin');
    const denied = await t.http().get('/api/audit/verify').set('Authorization', `Bearer ${admin}`);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN');
    expect(denied.body.message).toContain('审计员');
    const auditor = await t.login('auditor');
    const ok = await t.http().get('/api/audit/verify').set('Authorization', `Bearer ${auditor}`);
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);
  });

  it('changes a password under the policy and ends the other sessions', async () => {
    const other = await t.login('luoping');
    const mine = await t.login('luoping');
    const weak = await t
      .http()
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${mine}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.details[0].field).toBe('newPassword');
    const ok = await t
      .http()
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${mine}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'Xinmima#2026ab' });
    expect(ok.status).toBe(204);
    expect((await t.http().get('/api/auth/me').set('Authorization', `Bearer ${other}`)).status).toBe(401);
    expect((await t.http().get('/api/auth/me').set('Authorization', `Bearer ${mine}`)).status).toBe(200);
    expect((await t.http().post('/api/auth/login').send({ username: 'luoping', password: 'Xinmima#2026ab' })).status).toBe(200);
  });

  it('answers unknown routes and malformed bodies with the one error shape', async () => {
    const missing = await t.http().get('/api/no-such-thing');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'NOT_FOUND', message: expect.any(String) });
    const bad = await t.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username":');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.js/);
    const extra = await t.http().post('/api/auth/login').send({ username: 'a', password: 'b', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'admin' })]));
  });

  it('reports health with the database status', async () => {
    const res = await t.http().get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok' });
  });
});
