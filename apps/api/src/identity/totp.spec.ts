import { DataSource } from 'typeorm';
import { loadConfig, ConfigError } from '../platform/config';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { currentStep, totpCode } from '../../../../test/support/second-factor';
import { TEST_PASSWORD } from '../../../../test/support/test-database';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
type Rows = any[];

/** A six-digit code that is none of the window's codes for this secret. */
function wrongCode(secret: string): string {
  const now = currentStep();
  const valid = new Set([now - 1, now, now + 1, now + 2].map((step) => totpCode(secret, step)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

/** The TOTP second factor through HTTP, as the demo people meet it (MFA_REQUIRED_ROLES at its default). */
describe('TOTP second factor (real PostgreSQL)', () => {
  let t: TestApp;
  const q = (sql: string, params: unknown[] = []): Promise<Rows> => t.app.get(DataSource).query(sql, params);
  const login = (username: string, password = TEST_PASSWORD) => t.http().post('/api/auth/login').send({ username, password });
  const second = (body: object) => t.http().post('/api/auth/login/second-factor').send(body);
  const get = (path: string, token: string) => t.http().get(path).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(() => t?.close());

  it('gives the administrator only an enrolment challenge after the password, then a session once a first code confirms the QR code', async () => {
    const first = await login('auditor');
    expect(first.status).toBe(200);
    expect(first.body.accessToken).toBeUndefined();
    expect(first.body).toMatchObject({ secondFactor: 'totp-enrol', expiresIn: 300 });
    const challenge = first.body.challenge as string;
    // The challenge is no access token and opens no other route.
    expect((await get('/api/auth/me', challenge)).status).toBe(401);
    expect((await second({ challenge, code: '123456' })).status).toBe(401);

    const enrol = await t.http().post('/api/auth/totp/enrol').send({ challenge });
    expect(enrol.status).toBe(200);
    expect(enrol.body.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    const secret = enrol.body.secret as string;
    // Stored encrypted: the base32 secret is nowhere in the row.
    const [row] = await q(`SELECT t.secret_enc FROM user_totp t JOIN users u ON u.id = t.user_id WHERE u.username = 'auditor'`);
    expect(row.secret_enc).not.toContain(secret);

    const wrong = await t
      .http()
      .post('/api/auth/totp/confirm')
      .send({ challenge, code: wrongCode(secret) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_SECOND_FACTOR');

    const step = currentStep();
    const confirmed = await t
      .http()
      .post('/api/auth/totp/confirm')
      .send({ challenge, code: totpCode(secret, step) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    expect(confirmed.body.session.user.username).toBe('auditor');
    const token = confirmed.body.session.accessToken as string;
    expect((await get('/api/audit/verify', token)).status).toBe(200);
    const status = await get('/api/auth/totp', token);
    expect(status.body).toEqual({ enrolled: true, required: true, recoveryCodesLeft: 10 });
    // Never shown again: a second enrolment is refused, and the recovery codes are stored as hashes only.
    expect((await t.http().post('/api/auth/totp/enrol').set('Authorization', `Bearer ${token}`).send({})).status).toBe(409);
    const stored: Rows = await q(
      `SELECT code_hash FROM user_recovery_codes c JOIN users u ON u.id = c.user_id WHERE u.username = 'auditor'`,
    );
    expect(stored.map((r) => r.code_hash)).not.toContain(confirmed.body.recoveryCodes[0]);
    t.secondFactor.remember('auditor', secret, step, []);
  });

  it('asks an enrolled account for the code; a right code signs in, a wrong or replayed one does not', async () => {
    await t.login('secadmin'); // enrols through the helper
    const keeper = t.secondFactor;
    const first = await login('secadmin');
    expect(first.body).toMatchObject({ secondFactor: 'totp' });
    const challenge = first.body.challenge as string;

    const wrong = await second({ challenge, code: wrongCode(keeper.secretOf('secadmin') as string) });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'INVALID_SECOND_FACTOR', message: '动态口令或恢复码不正确' });

    const code = await keeper.nextCode('secadmin');
    const right = await second({ challenge, code });
    expect(right.status).toBe(200);
    expect(right.body.user.username).toBe('secadmin');
    expect((await get('/api/org/users?role=secadmin', right.body.accessToken)).status).toBe(200);

    // The same code again — with the same or a fresh challenge — is a replay.
    expect((await second({ challenge, code })).status).toBe(401);
    const again = await login('secadmin');
    const replay = await second({ challenge: again.body.challenge, code });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('INVALID_SECOND_FACTOR');
    // An earlier step than the last accepted one is refused too, though inside the ±1 window.
    const [row] = await q(`SELECT last_step FROM user_totp t JOIN users u ON u.id = t.user_id WHERE u.username = 'secadmin'`);
    const secret = keeper.secretOf('secadmin') as string;
    const older = await second({ challenge: again.body.challenge, code: totpCode(secret, Number(row.last_step) - 1) });
    expect(older.status).toBe(401);
    // Failed second steps are in the audit.
    const failures: Rows = await q(
      `SELECT detail FROM audit_log WHERE action = 'auth.login' AND outcome = 'failure' AND username = 'secadmin' ORDER BY id`,
    );
    expect(failures.map((f) => f.detail.reason)).toEqual(expect.arrayContaining(['wrong-totp']));
    await q(`UPDATE users SET failed_attempts = 0 WHERE username = 'secadmin'`);
  });

  it('takes each recovery code once', async () => {
    const first = await login('lina');
    const token = first.body.accessToken as string;
    // lina needs no second factor, but may enrol from her 双因素认证 page.
    const enrol = await t.http().post('/api/auth/totp/enrol').set('Authorization', `Bearer ${token}`).send({});
    expect(enrol.status).toBe(200);
    t.secondFactor.remember('lina', enrol.body.secret, -1);
    const confirm = await t
      .http()
      .post('/api/auth/totp/confirm')
      .set('Authorization', `Bearer ${token}`)
      .send({ code: await t.secondFactor.nextCode('lina') });
    expect(confirm.status).toBe(200);
    const [recovery] = confirm.body.recoveryCodes as string[];

    const challenged = await login('lina');
    expect(challenged.body.secondFactor).toBe('totp');
    const used = await second({ challenge: challenged.body.challenge, recoveryCode: recovery.toLowerCase() });
    expect(used.status).toBe(200);
    expect((await get('/api/auth/totp', used.body.accessToken)).body.recoveryCodesLeft).toBe(9);

    const twice = await second({ challenge: (await login('lina')).body.challenge, recoveryCode: recovery });
    expect(twice.status).toBe(401);
    expect(twice.body.code).toBe('INVALID_SECOND_FACTOR');
    await q(`UPDATE users SET failed_attempts = 0 WHERE username = 'lina'`);
  });

  it('counts wrong codes towards the account lock', async () => {
    await t.login('yangfan'); // no TOTP yet: a plain session
    const token = await t.login('yangfan');
    const enrol = await t.http().post('/api/auth/totp/enrol').set('Authorization', `Bearer ${token}`).send({});
    t.secondFactor.remember('yangfan', enrol.body.secret, -1);
    await t
      .http()
      .post('/api/auth/totp/confirm')
      .set('Authorization', `Bearer ${token}`)
      .send({ code: await t.secondFactor.nextCode('yangfan') });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const first = await login('yangfan');
      expect(first.status).toBe(200); // the right password does not forgive the wrong codes
      statuses.push((await second({ challenge: first.body.challenge, code: wrongCode(enrol.body.secret) })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    const locked = await login('yangfan');
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('lets the 安全管理员 reset a person’s TOTP (audited); the person enrols again at the next login', async () => {
    const secadmin = await t.login('secadmin');
    const auditorToken = await t.login('auditor');
    const [auditor] = await q(`SELECT id FROM users WHERE username = 'auditor'`);
    const list = await get('/api/org/users?role=auditor', secadmin);
    expect(list.body.items[0]).toMatchObject({ username: 'auditor', totpEnrolled: true });

    // Only the 安全管理员 resets; the system administrator cannot.
    const admin = await t.login('admin');
    expect((await t.http().post(`/api/org/users/${auditor.id}/reset-totp`).set('Authorization', `Bearer ${admin}`)).status).toBe(403);
    const reset = await t.http().post(`/api/org/users/${auditor.id}/reset-totp`).set('Authorization', `Bearer ${secadmin}`);
    expect(reset.status).toBe(204);
    const audit: Rows = await q(`SELECT username, object_id FROM audit_log WHERE action = 'org.user.reset-totp'`);
    expect(audit).toEqual([expect.objectContaining({ username: 'secadmin', object_id: auditor.id })]);
    // The person's sessions end with it.
    expect((await get('/api/audit/verify', auditorToken)).status).toBe(401);
    t.secondFactor.forget('auditor');
    const next = await login('auditor');
    expect(next.body.secondFactor).toBe('totp-enrol');
  });

  it('requires TOTP of the three administrators only by default, and of everyone with MFA_REQUIRED_ROLES=*', async () => {
    expect((await login('zhangwei')).body.accessToken).toEqual(expect.any(String));
    expect((await login('admin')).body.secondFactor).toBe('totp');
    const everyone = await createTestApp({ MFA_REQUIRED_ROLES: '*' });
    try {
      const res = await everyone.http().post('/api/auth/login').send({ username: 'zhangwei', password: TEST_PASSWORD });
      expect(res.body).toMatchObject({ secondFactor: 'totp-enrol' });
      expect(await everyone.login('zhangwei')).toEqual(expect.any(String));
    } finally {
      await everyone.close();
    }
  }, 120_000);

  it('ends a session that began without TOTP when its person is given a role that needs it', async () => {
    const secadmin = await t.login('secadmin');
    const token = await t.login('wufang');
    expect((await get('/api/auth/me', token)).status).toBe(200);
    const [wufang] = await q(`SELECT id FROM users WHERE username = 'wufang'`);
    const granted = await t
      .http()
      .put(`/api/org/users/${wufang.id}/roles`)
      .set('Authorization', `Bearer ${secadmin}`)
      .send({ roles: ['sysadmin'] });
    expect(granted.status).toBe(200);
    const me = await get('/api/auth/me', token);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('SECOND_FACTOR_REQUIRED');
  });

  it('validates MFA_REQUIRED_ROLES and TRUSTED_PROXIES at start', () => {
    const base = {
      DATA_DIR: '/tmp/zw-config-check',
      JWT_SECRET: 'x'.repeat(40),
      WORKER_TOKEN: 'w'.repeat(20),
      MFA_ENCRYPTION_KEY: 'k'.repeat(40),
    };
    expect(loadConfig(base).mfaRequiredRoles).toEqual(['sysadmin', 'secadmin', 'auditor']);
    expect(loadConfig({ ...base, MFA_REQUIRED_ROLES: '*' }).mfaRequiredRoles).toBe('*');
    expect(loadConfig({ ...base, MFA_REQUIRED_ROLES: '' }).mfaRequiredRoles).toEqual([]);
    expect(() => loadConfig({ ...base, MFA_REQUIRED_ROLES: 'sysadmin,root' })).toThrow(ConfigError);
    expect(loadConfig(base).trustedProxies).toEqual([]);
    expect(loadConfig({ ...base, TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,::1' }).trustedProxies).toEqual(['loopback', '10.0.0.0/8', '::1']);
    expect(() => loadConfig({ ...base, TRUSTED_PROXIES: 'proxy.example' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => loadConfig({ ...base, TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, MFA_ENCRYPTION_KEY: 'short' })).toThrow(/MFA_ENCRYPTION_KEY/);
  });
});
