import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_PASSWORD } from '../support/test-database';

/**
 * Hostile credentials: forged, re-signed, unsigned and expired access tokens, refresh tokens
 * replayed after logout and after rotation, password guessing against one account (the lock, also
 * under concurrency) and against many accounts from one address (the per-address limit).
 */
describe('tokens, sessions and password guessing', () => {
  let t: TestApp;
  const figures: Record<string, number> = {};
  const count = (name: string, n = 1) => (figures[name] = (figures[name] ?? 0) + n);
  const started = Date.now();

  beforeAll(async () => {
    // The tests stand for clients behind a proxy on this machine: X-Forwarded-For is believed from loopback only.
    t = await createTestApp({ TRUSTED_PROXIES: 'loopback', SESSION_CACHE_SECONDS: '5' }); // revocation with the cache on, as in production
  });
  afterAll(async () => {
    console.log(
      `RELIABILITY: auth-tokens ${Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} duration=${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    await t?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const me = (token: string) => t.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
  const login = (username: string, password: string, ip = '198.51.100.1') =>
    t.http().post('/api/auth/login').set('X-Forwarded-For', ip).send({ username, password });
  const cookieOf = (res: { headers: Record<string, unknown> }): string => {
    const cookie = ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('zw_refresh='));
    if (!cookie) throw new Error('no refresh cookie');
    return cookie.split(';')[0];
  };
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('refuses every forged, re-signed, unsigned or expired access token with 401', async () => {
    const res = await login('lina', TEST_PASSWORD);
    expect(res.status).toBe(200);
    const token = res.body.accessToken as string;
    expect((await me(token)).status).toBe(200);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const [admin] = await q(`SELECT id FROM users WHERE username = 'admin'`);
    const secret = t.config.jwtSecret;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const valid = { sub: claims.sub, sid: claims.sid, username: claims.username };
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

    const forged: [string, string, string][] = [
      [
        'payload changed (sub → admin), old signature',
        `${header}.${b64({ ...claims, sub: admin.id, username: 'admin' })}.${signature}`,
        'TOKEN_INVALID',
      ],
      ['payload changed (exp extended), old signature', `${header}.${b64({ ...claims, exp: now + 86_400 })}.${signature}`, 'TOKEN_INVALID'],
      ['signature changed', `${header}.${payload}.${flip(signature)}`, 'TOKEN_INVALID'],
      ['signature removed', `${header}.${payload}.`, 'TOKEN_INVALID'],
      [
        'signed with another secret',
        jwt.sign(valid, 'x'.repeat(48), { algorithm: 'HS256', issuer: 'zhengwu', expiresIn: 600 }),
        'TOKEN_INVALID',
      ],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, 'TOKEN_INVALID'],
      ['alg None', `${b64({ alg: 'None', typ: 'JWT' })}.${payload}.`, 'TOKEN_INVALID'],
      ['alg NONE with the old signature', `${b64({ alg: 'NONE', typ: 'JWT' })}.${payload}.${signature}`, 'TOKEN_INVALID'],
      ['HS384 with the real secret', jwt.sign(valid, secret, { algorithm: 'HS384', issuer: 'zhengwu', expiresIn: 600 }), 'TOKEN_INVALID'],
      ['HS512 with the real secret', jwt.sign(valid, secret, { algorithm: 'HS512', issuer: 'zhengwu', expiresIn: 600 }), 'TOKEN_INVALID'],
      [
        'RS256 with an attacker’s key',
        jwt.sign(valid, privateKey, { algorithm: 'RS256', issuer: 'zhengwu', expiresIn: 600 }),
        'TOKEN_INVALID',
      ],
      [
        'RS256 header, HMAC body signed with the secret',
        (() => {
          const h = b64({ alg: 'RS256', typ: 'JWT' });
          const p = b64({ ...valid, iss: 'zhengwu', iat: now, exp: now + 600 });
          const sig = jwt.sign(valid, secret, { algorithm: 'HS256' }).split('.')[2];
          return `${h}.${p}.${sig}`;
        })(),
        'TOKEN_INVALID',
      ],
      [
        'real secret, wrong issuer',
        jwt.sign(valid, secret, { algorithm: 'HS256', issuer: 'someone-else', expiresIn: 600 }),
        'TOKEN_INVALID',
      ],
      ['real secret, no issuer', jwt.sign(valid, secret, { algorithm: 'HS256', expiresIn: 600 }), 'TOKEN_INVALID'],
      ['real secret, expired', jwt.sign(valid, secret, { algorithm: 'HS256', issuer: 'zhengwu', expiresIn: -10 }), 'TOKEN_EXPIRED'],
      [
        'real secret, not yet valid',
        jwt.sign(valid, secret, { algorithm: 'HS256', issuer: 'zhengwu', expiresIn: 600, notBefore: 3600 }),
        'TOKEN_INVALID',
      ],
      // Even a correctly signed token is only as good as its session: unknown session, or another user's.
      [
        'real secret, unknown session',
        jwt.sign({ ...valid, sid: randomUUID() }, secret, { algorithm: 'HS256', issuer: 'zhengwu', expiresIn: 600 }),
        'TOKEN_INVALID',
      ],
      [
        'real secret, lina’s session as admin',
        jwt.sign({ ...valid, sub: admin.id }, secret, { algorithm: 'HS256', issuer: 'zhengwu', expiresIn: 600 }),
        'TOKEN_INVALID',
      ],
      [
        'real secret, sid not a uuid',
        jwt.sign({ ...valid, sid: "' OR 1=1 --" }, secret, { algorithm: 'HS256', issuer: 'zhengwu', expiresIn: 600 }),
        'TOKEN_INVALID',
      ],
      [
        'jku/kid header injection',
        `${b64({ alg: 'HS256', typ: 'JWT', kid: '../../dev/null', jku: 'http://127.0.0.1:1/jwks' })}.${payload}.${signature}`,
        'TOKEN_INVALID',
      ],
      ['not a JWT', 'a.b.c', 'TOKEN_INVALID'],
      ['huge token', 'x'.repeat(8000), 'TOKEN_INVALID'],
    ];
    for (const [what, bad, code] of forged) {
      const answer = await me(bad);
      expect([what, answer.status, answer.body.code]).toEqual([what, 401, code]);
      count('forgedTokens401');
    }
    // The genuine one still works: the refusals were about the forgeries.
    expect((await me(token)).status).toBe(200);
  });

  it('expires access tokens at ACCESS_TOKEN_TTL and sessions at their end, and refresh then fails', async () => {
    const res = await login('yangfan', TEST_PASSWORD);
    const claims = JSON.parse(Buffer.from((res.body.accessToken as string).split('.')[1], 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    // The token lives exactly ACCESS_TOKEN_TTL; one signed with our own secret but past its exp is refused (above: TOKEN_EXPIRED).
    expect(claims.exp - claims.iat).toBe(t.config.accessTokenTtlSeconds);
    expect(res.body.expiresIn).toBe(t.config.accessTokenTtlSeconds);
    const expired = jwt.sign(
      { sub: (claims as unknown as { sub: string }).sub, sid: (claims as unknown as { sid: string }).sid, username: 'yangfan' },
      t.config.jwtSecret,
      {
        algorithm: 'HS256',
        issuer: 'zhengwu',
        expiresIn: -1,
      },
    );
    const late = await me(expired);
    expect([late.status, late.body.code]).toEqual([401, 'TOKEN_EXPIRED']);
    expect(late.body.message).toContain('过期');
    // The refresh cookie still holds a session: a new access token.
    const renewed = await t.http().post('/api/auth/refresh').set('Cookie', cookieOf(res));
    expect(renewed.status).toBe(200);
    // The session's end passes (REFRESH_TOKEN_TTL): the fresh access token and the cookie die with it.
    await q(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [(claims as unknown as { sid: string }).sid]);
    const after = await me(renewed.body.accessToken);
    expect([after.status, after.body.code]).toEqual([401, 'SESSION_EXPIRED']);
    const refresh = await t.http().post('/api/auth/refresh').set('Cookie', cookieOf(renewed));
    expect([refresh.status, refresh.body.code]).toEqual([401, 'SESSION_EXPIRED']);
    count('expiryChecks', 4);
  });

  it('refuses a refresh token after logout, and a rotated one replayed kills the session', async () => {
    // Logout: the cookie and the access token stop at once.
    const a = await login('zhangwei', TEST_PASSWORD);
    const cookie = cookieOf(a);
    expect((await t.http().post('/api/auth/logout').set('Cookie', cookie)).status).toBe(204);
    const replayed = await t.http().post('/api/auth/refresh').set('Cookie', cookie);
    expect([replayed.status, replayed.body.code]).toEqual([401, 'SESSION_EXPIRED']);
    expect((await me(a.body.accessToken)).status).toBe(401);
    // Logging out again with the same cookie is harmless.
    expect((await t.http().post('/api/auth/logout').set('Cookie', cookie)).status).toBe(204);

    // Rotation: the first token used twice is a theft; the session ends for both holders.
    const b = await login('wufang', TEST_PASSWORD);
    const first = cookieOf(b);
    const rotated = await t.http().post('/api/auth/refresh').set('Cookie', first);
    expect(rotated.status).toBe(200);
    const second = cookieOf(rotated);
    const reuse = await t.http().post('/api/auth/refresh').set('Cookie', first);
    expect([reuse.status, reuse.body.code]).toEqual([401, 'SESSION_REVOKED']);
    expect((await t.http().post('/api/auth/refresh').set('Cookie', second)).status).toBe(401);
    expect((await me(rotated.body.accessToken)).status).toBe(401);
    expect((await me(b.body.accessToken)).status).toBe(401);
    const [sid] = first.replace('zw_refresh=', '').split('.');
    const [session] = await q(`SELECT revoked_at FROM sessions WHERE id = $1`, [sid]);
    expect(session.revoked_at).not.toBeNull();
    expect((await q(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refresh-replay' AND object_id = $1`, [sid]))[0].n).toBe(
      1,
    );

    // Garbage and hostile cookies are a plain 401, never a 500.
    for (const bad of [
      '',
      'x',
      `${sid}`,
      `${sid}.`,
      `${sid}.${'A'.repeat(43)}`,
      "' OR '1'='1",
      `${randomUUID()}.${'B'.repeat(43)}`,
      'a'.repeat(5000),
    ]) {
      const res = await t
        .http()
        .post('/api/auth/refresh')
        .set('Cookie', `zw_refresh=${encodeURIComponent(bad)}`);
      expect([bad.slice(0, 20), res.status]).toEqual([bad.slice(0, 20), 401]);
      count('hostileRefreshCookies401');
    }
    count('refreshReplayChecks', 6);
  });

  it('locks an account after LOGIN_MAX_FAILURES wrong passwords, also when they arrive all at once', async () => {
    // One by one.
    for (let i = 1; i <= 4; i++) expect((await login('hejun', `Wrong#Password${i}`, `198.51.100.${10 + i}`)).status).toBe(401);
    const fifth = await login('hejun', 'Wrong#Password5', '198.51.100.15');
    expect([fifth.status, fifth.body.code]).toEqual([423, 'ACCOUNT_LOCKED']);
    expect(fifth.body.message).toMatch(/锁定.*分钟/);
    const right = await login('hejun', TEST_PASSWORD, '198.51.100.16');
    expect([right.status, right.body.code]).toEqual([423, 'ACCOUNT_LOCKED']);
    const [hejun] = await q(`SELECT locked_until > now() AS locked FROM users WHERE username = 'hejun'`);
    expect(hejun.locked).toBe(true);
    count('lockoutSequential', 6);

    // Thirty guesses at the same moment, each from its own address (so only the account lock applies):
    // no more than LOGIN_MAX_FAILURES passwords may be tried before the lock holds, and the right one among them must not get in.
    const burst = Array.from({ length: 30 }, (_, i) =>
      login('xutao', i === 29 ? TEST_PASSWORD : `Wrong#Burst${i}`, `198.51.100.${100 + i}`),
    );
    const answers = await Promise.all(burst);
    const statuses = answers.map((r) => r.status);
    const tried = (
      await q(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.login' AND username = 'xutao' AND detail->>'reason' = 'wrong-password'`,
      )
    )[0].n;
    count('burstGuesses', burst.length);
    count('burstPasswordsTried', tried);
    count('burstLocked423', statuses.filter((s) => s === 423).length);
    expect(statuses.every((s) => s === 401 || s === 423)).toBe(true);
    expect(tried).toBeLessThanOrEqual(t.config.maxLoginFailures);
    const [xutao] = await q(`SELECT locked_until > now() AS locked FROM users WHERE username = 'xutao'`);
    expect(xutao.locked).toBe(true);
  });

  it('limits failed logins per client address with 429, a Chinese message and Retry-After', async () => {
    const limit = t.config.maxLoginFailures * 4;
    const ip = '203.0.113.7';
    // Spraying: a different (unknown) account each time, so no account lock ever triggers.
    for (let i = 0; i < limit; i++) {
      const res = await login(`spray${i}`, 'Spray#Password2026', ip);
      expect([i, res.status]).toEqual([i, 401]);
    }
    const blocked = await login('spray-next', 'Spray#Password2026', ip);
    expect([blocked.status, blocked.body.code]).toEqual([429, 'TOO_MANY_LOGIN_ATTEMPTS']);
    expect(blocked.body.message).toMatch(/登录失败次数过多，请 \d+ 分钟后再试/);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(t.config.lockMinutes * 60);
    // Even the right password waits: the address is not checked against any password now.
    const rightButBlocked = await login('lina', TEST_PASSWORD, ip);
    expect(rightButBlocked.status).toBe(429);
    // Another address is not affected, and the limit was audited once.
    expect((await login('lina', TEST_PASSWORD, '203.0.113.8')).status).toBe(200);
    const audited = await q(`SELECT detail FROM audit_log WHERE action = 'auth.login-rate-limited'`);
    expect(audited).toHaveLength(1);
    expect(audited[0].detail.ip).toBe(ip);
    count('sprayAttempts', limit);
    count('rateLimited429', 2);
    count('retryAfterSeconds', retryAfter);

    // At the same moment: thirty from one new address, at most `limit` of them are evaluated.
    const burstIp = '203.0.113.9';
    const answers = await Promise.all(Array.from({ length: limit + 10 }, (_, i) => login(`burst${i}`, 'Spray#Password2026', burstIp)));
    const evaluated = answers.filter((r) => r.status === 401).length;
    count('burstFromOneAddress', answers.length);
    count('burstEvaluated', evaluated);
    expect(answers.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    expect(evaluated).toBeLessThanOrEqual(limit);
  });
});
