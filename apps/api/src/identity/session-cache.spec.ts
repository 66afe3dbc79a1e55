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

  it('a change to one session or person leaves the others kept; a unit change forgets everyone', async () => {
    const a = await login('lina');
    const b = await login('wufang');
    const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const kept = async (token: string) => {
      const before = checks;
      expect((await me(token)).status).toBe(200);
      return checks === before;
    };
    await me(a.token);
    await me(b.token);
    expect([await kept(a.token), await kept(b.token)]).toEqual([true, true]);

    // A's access token refreshed (its session row rotated) on this process: B's check stays kept, A's is read again.
    const refreshed = await t.http().post('/api/auth/refresh').set('Cookie', a.cookie);
    expect(refreshed.status).toBe(200);
    expect([await kept(b.token), await kept(a.token)]).toEqual([true, false]);

    // Elsewhere: A's session revoked → A refused at once from the notification, B still kept.
    await elsewhere('UPDATE sessions SET revoked_at = now() WHERE id = $1', [sidOf(a.token)]);
    expect((await me(a.token)).body.code).toBe('SESSION_EXPIRED');
    expect(await kept(b.token)).toBe(true);

    // Someone else's account changed elsewhere: B still kept. B's own account or roles: B read again.
    const [other] = await ds.query(`SELECT id FROM users WHERE username = 'hejun'`);
    await elsewhere(`UPDATE users SET updated_at = now() WHERE id = $1`, [other.id]);
    expect(await kept(b.token)).toBe(true);
    await elsewhere(`UPDATE users SET updated_at = now() WHERE id = $1`, [b.userId]);
    expect(await kept(b.token)).toBe(false);
    expect(await kept(b.token)).toBe(true);
    const [role] = await ds.query(`SELECT role FROM user_roles WHERE user_id = $1 LIMIT 1`, [b.userId]);
    await elsewhere(`DELETE FROM user_roles WHERE user_id = $1 AND role = $2`, [b.userId, role.role]);
    await elsewhere(`INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, [b.userId, role.role]);
    expect(await kept(b.token)).toBe(false);
    expect(await kept(b.token)).toBe(true);

    // An UPDATE that changes nothing (each login resets failed_attempts, mostly to 0) tells nobody.
    const [, updated] = await ds.query(`UPDATE users SET failed_attempts = failed_attempts WHERE id = $1 RETURNING id`, [b.userId]);
    expect(updated).toBe(1);
    // Notifications arrive in commit order: had the first one been sent, B would be gone by the second.
    await elsewhere(`UPDATE users SET updated_at = now() WHERE id = $1`, [other.id]);
    expect(await kept(b.token)).toBe(true);

    // Any unit's change: everyone's unit name and path are in their kept row, so all are read again.
    await elsewhere(`UPDATE units SET name = name WHERE id = (SELECT unit_id FROM users WHERE username = 'hejun')`, []);
    expect(await kept(b.token)).toBe(false);
  });

  it('keeps nothing while it cannot listen: every request reads its session', async () => {
    const { token } = await login('hejun');
    await ds.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'zw-listener' AND datname = current_database()`,
    );
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
