import { createHash, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app';
import { HttpBrowser } from './support/oidc-http';
import { freePort, startOidcProvider, type RunningOidcProvider } from './support/oidc-op';

/**
 * Single sign-on against a real OpenID provider (oidc-provider in its own process, with its own
 * keys, login and consent pages), driven over HTTP as a browser would: redirects and cookies.
 */
jest.setTimeout(180_000);

const CLIENT = { client_id: 'zhengwu', client_secret: 'zhengwu-client-secret-0123456789' };
const OTHER = {
  client_id: 'other-app',
  client_secret: 'other-app-client-secret-012345',
  redirect_uris: ['http://127.0.0.1:9/other/callback'],
};
const ACCOUNTS = { lina: '李娜', yangfan: '杨帆', zhaolei: '赵磊', admin: '系统管理员', stranger: '外省人员' };

interface AuditRow {
  action: string;
  outcome: string;
  username: string | null;
  detail: Record<string, unknown> | null;
}

describe('single sign-on with the provincial OpenID provider', () => {
  let op: RunningOidcProvider;
  let t: TestApp;
  let off: TestApp;
  let apiUrl: string;
  let offUrl: string;

  beforeAll(async () => {
    const [port, offPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${port}`;
    offUrl = `http://127.0.0.1:${offPort}`;
    op = await startOidcProvider(
      [{ ...CLIENT, redirect_uris: [`${apiUrl}/api/auth/oidc/callback`, `${offUrl}/api/auth/oidc/callback`] }, OTHER],
      ACCOUNTS,
    );
    const sso = { OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: CLIENT.client_id, OIDC_CLIENT_SECRET: CLIENT.client_secret };
    t = await createTestApp({ PUBLIC_URL: apiUrl, ...sso });
    await t.app.listen(port, '127.0.0.1');
    off = await createTestApp({ PUBLIC_URL: offUrl, ...sso, LOCAL_LOGIN: 'false', OIDC_NAME: '江苏省统一身份认证' });
    await off.app.listen(offPort, '127.0.0.1');
  });

  afterAll(async () => {
    await t?.close();
    await off?.close();
    await op?.stop();
  });

  afterEach(() => op.setIdTokenMode('normal'));

  /** From the login button to the provider's redirect back (returned, not yet visited): login and consent as needed. */
  async function throughProvider(b: HttpBrowser, username: string, base = apiUrl): Promise<string> {
    const atCallback = (location: string): boolean => location.startsWith(`${base}/api/auth/oidc/callback`);
    let step = await b.follow(`${base}/api/auth/oidc/login`, atCallback);
    for (let pages = 0; step.res; pages++) {
      const html = await step.res.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!action || pages > 3) throw new Error(`unexpected page at ${step.url} (${step.res.status}): ${html.slice(0, 400)}`);
      const form: Record<string, string> = action.endsWith('/login') ? { login: username, password: op.password } : {};
      step = await b.follow(new URL(action, step.url).href, atCallback, { form });
    }
    return step.url;
  }

  /** Visits the callback; answers where the api sent the browser. */
  async function callback(b: HttpBrowser, url: string): Promise<string> {
    const res = await b.request(url);
    expect(res.status).toBe(302);
    return res.headers.get('location') ?? '';
  }

  async function accessTokenFromCookie(b: HttpBrowser, base = apiUrl): Promise<{ accessToken: string; user: { username: string } }> {
    const res = await b.request(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(res.status).toBe(200);
    return (await res.json()) as { accessToken: string; user: { username: string } };
  }

  async function auditSince(id: number): Promise<AuditRow[]> {
    return t.db.dataSource.query(
      `SELECT action, outcome, username, detail FROM audit_log WHERE id > $1 AND action LIKE 'auth.%' ORDER BY id`,
      [id],
    );
  }

  async function lastAuditId(): Promise<number> {
    const [row]: { id: string | null }[] = await t.db.dataSource.query('SELECT max(id) AS id FROM audit_log');
    return Number(row.id ?? 0);
  }

  it('tells the login page that single sign-on and password login are on', async () => {
    const res = await t.http().get('/api/auth/providers').expect(200);
    expect(res.body).toEqual({ localLogin: true, sso: { name: '统一身份认证', loginUrl: '/api/auth/oidc/login' } });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce, remembered by a cookie of this browser', async () => {
    const b = new HttpBrowser();
    const res = await b.request(`${apiUrl}/api/auth/oidc/login`);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location') ?? '');
    expect(to.origin).toBe(op.issuer);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: 'zhengwu',
      response_type: 'code',
      redirect_uri: `${apiUrl}/api/auth/oidc/callback`,
      scope: 'openid profile',
      code_challenge_method: 'S256',
    });
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{40,}$/);
    expect(to.searchParams.get('nonce')).toMatch(/^[\w-]{40,}$/);
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(b.cookie(apiUrl, 'zw_oidc')).toBeDefined();
    expect(res.headers.get('set-cookie')).toMatch(/zw_oidc=.*HttpOnly.*SameSite=Lax/i);
  });

  it('signs 李娜 in through the provider: login, consent, callback, and a working session of the mapped account', async () => {
    const before = await lastAuditId();
    const b = new HttpBrowser();
    const landing = await callback(b, await throughProvider(b, 'lina'));
    expect(landing).toBe('/login/sso');
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeDefined();
    expect(b.cookie(apiUrl, 'zw_oidc')).toBeUndefined();
    const session = await accessTokenFromCookie(b);
    expect(session.user.username).toBe('lina');
    const me = await t.http().get('/api/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ username: 'lina', displayName: '李娜', roles: ['drafter'] });
    await t.http().get('/api/tasks?view=todo').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    const audit = await auditSince(before);
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'auth.oidc-verified',
          username: 'lina',
          detail: expect.objectContaining({ issuer: op.issuer, subject: 'lina' }),
        }),
        expect.objectContaining({
          action: 'auth.login',
          outcome: 'success',
          username: 'lina',
          detail: expect.objectContaining({ method: 'oidc' }),
        }),
      ]),
    );
  });

  it('refuses a callback whose state was not issued, and the genuine one still works afterwards', async () => {
    const b = new HttpBrowser();
    const genuine = new URL(await throughProvider(b, 'yangfan'));
    const attemptCookie = b.cookie(apiUrl, 'zw_oidc') as string;
    const forged = new URL(genuine);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    expect(await callback(b, forged.href)).toBe('/login/sso?error=OIDC_STATE_INVALID');
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const missing = new URL(genuine);
    missing.searchParams.delete('state');
    expect(await callback(b, missing.href)).toBe('/login/sso?error=OIDC_STATE_INVALID');
    // Each refusal cleared the browser's attempt cookie; put it back: the genuine callback was not used up by them.
    b.setCookie(apiUrl, 'zw_oidc', attemptCookie);
    expect(await callback(b, genuine.href)).toBe('/login/sso');
    expect((await accessTokenFromCookie(b)).user.username).toBe('yangfan');
  });

  it('refuses a callback carried to another browser (login CSRF): the state belongs to the browser that started it', async () => {
    const victim = new HttpBrowser();
    const attacker = new HttpBrowser();
    const attackersCallback = await throughProvider(attacker, 'yangfan');
    victim.setCookie(apiUrl, 'zw_oidc', randomBytes(32).toString('base64url'));
    expect(await callback(victim, attackersCallback)).toBe('/login/sso?error=OIDC_STATE_INVALID');
    expect(victim.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
  });

  it('refuses a replayed callback, and the provider refuses a replayed code', async () => {
    const b = new HttpBrowser();
    const first = await throughProvider(b, 'lina');
    const attemptCookie = b.cookie(apiUrl, 'zw_oidc') as string;
    expect(await callback(b, first)).toBe('/login/sso');
    // The same callback again, cookie and all: the attempt was used up.
    b.setCookie(apiUrl, 'zw_oidc', attemptCookie);
    expect(await callback(b, first)).toBe('/login/sso?error=OIDC_STATE_INVALID');
    // The used code under a fresh, valid attempt of another browser: it reaches the provider, which refuses it.
    const before = await lastAuditId();
    const other = new HttpBrowser();
    const fresh = new URL(await throughProvider(other, 'lina'));
    fresh.searchParams.set('code', new URL(first).searchParams.get('code') as string);
    expect(await callback(other, fresh.href)).toBe('/login/sso?error=OIDC_TOKEN_INVALID');
    expect(other.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const [refusal] = (await auditSince(before)).filter((r) => r.action === 'auth.login');
    expect(refusal).toMatchObject({
      outcome: 'failure',
      detail: { method: 'oidc', reason: 'OIDC_TOKEN_INVALID', providerError: 'invalid_grant' },
    });
  });

  it('refuses an ID token that expired, signed by the provider itself', async () => {
    await op.setIdTokenMode('expired');
    const before = await lastAuditId();
    const b = new HttpBrowser();
    expect(await callback(b, await throughProvider(b, 'lina'))).toBe('/login/sso?error=OIDC_TOKEN_INVALID');
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const [refusal] = await auditSince(before);
    expect(refusal).toMatchObject({ action: 'auth.login', outcome: 'failure', detail: { reason: 'OIDC_TOKEN_INVALID', claim: 'exp' } });
  });

  it('refuses an ID token the provider issued to another of its clients (wrong audience)', async () => {
    await op.setIdTokenMode(`audience:${OTHER.client_id}`);
    const before = await lastAuditId();
    const b = new HttpBrowser();
    expect(await callback(b, await throughProvider(b, 'lina'))).toBe('/login/sso?error=OIDC_TOKEN_INVALID');
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const [refusal] = await auditSince(before);
    expect(refusal).toMatchObject({ action: 'auth.login', outcome: 'failure', detail: { reason: 'OIDC_TOKEN_INVALID', claim: 'aud' } });
  });

  it.each([
    ['nonce', 'a nonce this login never sent', 'nonce'],
    ['issuer', 'another issuer', 'iss'],
  ])('refuses an ID token with %s altered (%s), even when signed with the provider’s key', async (mode, _what, claim) => {
    await op.setIdTokenMode(mode);
    const before = await lastAuditId();
    const b = new HttpBrowser();
    expect(await callback(b, await throughProvider(b, 'lina'))).toBe('/login/sso?error=OIDC_TOKEN_INVALID');
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const [refusal] = await auditSince(before);
    expect(refusal).toMatchObject({ action: 'auth.login', outcome: 'failure', detail: { reason: 'OIDC_TOKEN_INVALID', claim } });
  });

  it('refuses an ID token signed with a key the provider never published', async () => {
    await op.setIdTokenMode('foreign-key');
    const before = await lastAuditId();
    const b = new HttpBrowser();
    expect(await callback(b, await throughProvider(b, 'lina'))).toBe('/login/sso?error=OIDC_TOKEN_INVALID');
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const [refusal] = await auditSince(before);
    expect(refusal).toMatchObject({ action: 'auth.login', outcome: 'failure', detail: { reason: 'OIDC_TOKEN_INVALID' } });
    expect(String(refusal.detail?.failure)).toMatch(/signature/i);
  });

  it("refuses a code the provider issued to another of its clients, injected into the platform's callback", async () => {
    const b = new HttpBrowser();
    // Signed in at the provider (and consented for the platform) as 李娜.
    expect(await callback(b, await throughProvider(b, 'lina'))).toBe('/login/sso');
    // The other application's login at the same provider, with the same person.
    const verifier = randomBytes(32).toString('base64url');
    const otherAuth = new URL(`${op.issuer}/auth`);
    otherAuth.search = new URLSearchParams({
      client_id: OTHER.client_id,
      response_type: 'code',
      scope: 'openid profile',
      redirect_uri: OTHER.redirect_uris[0],
      state: 'other-state',
      nonce: 'other-nonce',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    let step = await b.follow(otherAuth.href, (l) => l.startsWith(OTHER.redirect_uris[0]));
    if (step.res) {
      const action = /<form method="post" action="([^"]+)"/.exec(await step.res.text())?.[1] as string;
      step = await b.follow(new URL(action, step.url).href, (l) => l.startsWith(OTHER.redirect_uris[0]), { form: {} });
    }
    const otherCode = new URL(step.url).searchParams.get('code') as string;
    expect(otherCode).toBeTruthy();
    const mine = new URL(await throughProvider(b, 'lina'));
    mine.searchParams.set('code', otherCode);
    expect(await callback(b, mine.href)).toBe('/login/sso?error=OIDC_TOKEN_INVALID');
  });

  it('refuses a provider account that maps to no local account, and creates none', async () => {
    const before = await lastAuditId();
    const b = new HttpBrowser();
    expect(await callback(b, await throughProvider(b, 'stranger'))).toBe('/login/sso?error=OIDC_USER_UNKNOWN');
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const users: unknown[] = await t.db.dataSource.query(`SELECT id FROM users WHERE username = 'stranger'`);
    expect(users).toHaveLength(0);
    const [refusal] = await auditSince(before);
    expect(refusal).toMatchObject({
      action: 'auth.login',
      outcome: 'denied',
      detail: { method: 'oidc', reason: 'OIDC_USER_UNKNOWN', username: 'stranger' },
    });
  });

  it('refuses a mapped account that is deactivated', async () => {
    await t.db.dataSource.query(`UPDATE users SET is_active = false WHERE username = 'zhaolei'`);
    try {
      const b = new HttpBrowser();
      expect(await callback(b, await throughProvider(b, 'zhaolei'))).toBe('/login/sso?error=OIDC_USER_INACTIVE');
      expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    } finally {
      await t.db.dataSource.query(`UPDATE users SET is_active = true WHERE username = 'zhaolei'`);
    }
  });

  it('still asks for the second factor when the mapped account needs TOTP (系统管理员): no session before it', async () => {
    const b = new HttpBrowser();
    const landing = await callback(b, await throughProvider(b, 'admin'));
    expect(landing).toMatch(/^\/login\/sso#/);
    expect(b.cookie(apiUrl, 'zw_refresh')).toBeUndefined();
    const step = new URLSearchParams(landing.slice(landing.indexOf('#') + 1));
    expect(step.get('secondFactor')).toBe('totp-enrol');
    const challenge = step.get('challenge') as string;
    const enrol = await t.http().post('/api/auth/totp/enrol').send({ challenge }).expect(200);
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32((enrol.body as { secret: string }).secret) }).generate();
    const confirmed = await t.http().post('/api/auth/totp/confirm').send({ challenge, code }).expect(200);
    const token = (confirmed.body as { session: { accessToken: string } }).session.accessToken;
    const me = await t.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ username: 'admin' });
  });

  describe('with password login switched off (LOCAL_LOGIN=false)', () => {
    it('says so to the login page and refuses a password login with 403', async () => {
      const providers = await request(off.app.getHttpServer()).get('/api/auth/providers').expect(200);
      expect(providers.body).toEqual({ localLogin: false, sso: { name: '江苏省统一身份认证', loginUrl: '/api/auth/oidc/login' } });
      const res = await request(off.app.getHttpServer())
        .post('/api/auth/login')
        .send({ username: 'lina', password: 'Ceshi#2026-Zhengwu' })
        .expect(403);
      expect(res.body).toMatchObject({ code: 'LOCAL_LOGIN_DISABLED' });
      expect(res.body.message).toMatch(/统一身份认证/);
    });

    it('signs people in through the provider', async () => {
      const b = new HttpBrowser();
      expect(await callback(b, await throughProvider(b, 'yangfan', offUrl))).toBe('/login/sso');
      const session = await accessTokenFromCookie(b, offUrl);
      expect(session.user.username).toBe('yangfan');
    });
  });
});
