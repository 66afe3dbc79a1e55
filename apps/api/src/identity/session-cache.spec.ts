import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { TEST_PASSWORD } from '../../../../test/support/test-database';
import { SessionCache } from './session-cache';

/**
 * The session cache (SESSION_CACHE_SECONDS): a burst of one person's requests costs one session check, and every
 * change to what a principal is made of still takes effect — at once for this process's own identity writes, at the
 * notification for changes made anywhere else (another api process, psql).
 */
describe('identity: the session cache keeps revocation immediate (real PostgreSQL)', () => {
  let t: TestApp;
  let cache: SessionCache;
  let ds: DataSource;
  /** Session checks sent to PostgreSQL (the prepared statement zw_session_check) since the test began. */
  let checks = 0;

  const me = (token: string) => t.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
  const login = async (username: string) => {
    const res = await t.http().post('/api/auth/login').send({ username, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    const cookie = ((res.headers['set-cookie'] as unknown as string[]) ?? []).find((c) => c.startsWith('zw_refresh='));
    return { token: res.body.accessToken as string, cookie: cookie!.split(';')[0], userId: res.body.user.id as string };
  };
  /** Runs a change on a connection of its own, as another api process or an operator would, and waits for its notification. */
  const elsewhere = async (sql: string, params: unknown[]) => {
    const changed = cache.nextChange();
    await t.db.dataSource.query(sql, params);
    await changed;
  };

  beforeAll(async () => {
    t = await createTestApp({ SESSION_CACHE_SECONDS: '30' });
    cache = t.app.get(SessionCache);
    ds = t.app.get(DataSource);
    expect(await cache.start()).toBe(true);
    const pool = (ds.driver as unknown as { master: { query: (config: unknown) => unknown } }).master;
    const query = pool.query.bind(pool);
    pool.query = (config: unknown) => {
      if ((config as { name?: string }).name === 'zw_session_check') checks += 1;
      return query(config);
    };
  });
  afterAll(async () => {
    await t.close();
  });

  it('checks a session once for a burst of requests', async () => {
    const { token } = await login('lina');
    const before = checks;
    for (let i = 0; i < 5; i++) expect((await me(token)).status).toBe(200);
    expect(checks - before).toBe(1);
  });

  it('a logout on this process ends the session for the very next request', async () => {
    const { token, cookie } = await login('wufang');
    expect((await me(token)).status).toBe(200);
    expect((await t.http().post('/api/auth/logout').set('Cookie', cookie)).status).toBe(204);
    const after = await me(token);
    expect([after.status, after.body.code]).toEqual([401, 'SESSION_EXPIRED']);
  });

  it('a session revoked elsewhere ends when its notification arrives', async () => {
    const { token } = await login('yangfan');
    expect((await me(token)).status).toBe(200);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string };
    await elsewhere('UPDATE sessions SET revoked_at = now() WHERE id = $1', [claims.sid]);
    const after = await me(token);
    expect([after.status, after.body.code]).toEqual([401, 'SESSION_EXPIRED']);
  });

  it('a person disabled elsewhere is refused, and a role taken away is gone, when the notification arrives', async () => {
    const { token, userId } = await login('zhangwei');
    const roles = (await me(token)).body.roles as string[];
    expect(roles.length).toBeGreaterThan(0);
    await elsewhere('DELETE FROM user_roles WHERE user_id = $1 AND role = $2', [userId, roles[0]]);
    expect((await me(token)).body.roles).toEqual(roles.slice(1));
    await elsewhere('UPDATE users SET is_active = false WHERE id = $1', [userId]);
    try {
      const after = await me(token);
      expect([after.status, after.body.code]).toEqual([401, 'TOKEN_INVALID']);
    } finally {
      await t.db.dataSource.query('UPDATE users SET is_active = true WHERE id = $1', [userId]);
      await t.db.dataSource.query('INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, roles[0]]);
    }
  });

  it('keeps nothing while it cannot listen: every request reads its session', async () => {
    const { token } = await login('hejun');
    await ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'zw-session-cache'`);
    // The connection's end reaches the cache asynchronously; until then the notification rules still hold.
    while (cache.active) await new Promise((resolve) => setImmediate(resolve));
    expect(cache.size).toBe(0);
    // It listens again a second later; a request that finds it deaf reads its session, and keeps nothing.
    for (let i = 0; i < 3; i++) {
      const deaf = !cache.active;
      const before = checks;
      expect((await me(token)).status).toBe(200);
      if (i === 0) expect(deaf).toBe(true);
      if (deaf) expect(checks - before).toBe(1);
    }
  });
});
