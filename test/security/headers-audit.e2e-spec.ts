import { DataSource } from 'typeorm';
import { chainHash, type AuditContent } from '../../apps/api/src/audit/audit-chain';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_PASSWORD } from '../support/test-database';

/** CSP directives as a map: `script-src` → ["'self'"]. */
function csp(header: string | undefined): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...sources] = d.split(/\s+/);
        return [name, sources];
      }),
  );
}

const refreshCookieOf = (res: { headers: Record<string, unknown> }): string | undefined =>
  ((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('zw_refresh='));

describe('security headers and cookies', () => {
  let http: TestApp;
  let https: TestApp;
  const figures: Record<string, number> = {};
  const count = (name: string, n = 1) => (figures[name] = (figures[name] ?? 0) + n);

  beforeAll(async () => {
    [http, https] = await Promise.all([createTestApp(), createTestApp({ PUBLIC_URL: 'https://zhengwu.example.gov.cn' })]);
  }, 120_000);
  afterAll(async () => {
    console.log(
      `RELIABILITY: security-headers ${Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    await Promise.all([http?.close(), https?.close()]);
  });

  it('sends helmet’s headers and a CSP of self only on API answers, errors, the web page and /engine-rest', async () => {
    const pages = [
      ['GET', '/api/health', 200],
      ['GET', '/api/no-such-route', 404],
      ['GET', '/api/auth/me', 401],
      ['POST', '/engine-rest/external-task/fetchAndLock', 401],
      ['GET', '/', 200],
    ] as const;
    for (const [method, path, status] of pages) {
      const req = method === 'GET' ? http.http().get(path).set('Accept', 'text/html,application/json') : http.http().post(path).send({});
      const res = await req;
      expect([path, res.status]).toEqual([path, path === '/' && res.status === 404 ? 404 : status]);
      const h = res.headers;
      expect([path, h['x-content-type-options']]).toEqual([path, 'nosniff']);
      expect([path, h['x-frame-options']]).toEqual([path, 'SAMEORIGIN']);
      expect([path, h['referrer-policy']]).toEqual([path, 'no-referrer']);
      expect([path, h['cross-origin-opener-policy']]).toEqual([path, 'same-origin']);
      expect([path, h['cross-origin-resource-policy']]).toEqual([path, 'same-origin']);
      expect([path, h['x-powered-by']]).toEqual([path, undefined]);
      expect([path, h['strict-transport-security']]).toEqual([path, undefined]);
      const policy = csp(h['content-security-policy']);
      expect([path, policy['default-src']]).toEqual([path, ["'self'"]]);
      expect([path, policy['script-src']]).toEqual([path, ["'self'"]]);
      expect([path, policy['object-src']]).toEqual([path, ["'none'"]]);
      expect([path, policy['base-uri']]).toEqual([path, ["'self'"]]);
      expect([path, policy['frame-ancestors']]).toEqual([path, ["'self'"]]);
      expect([path, policy['form-action']]).toEqual([path, ["'self'"]]);
      expect([path, policy['script-src-attr']]).toEqual([path, ["'none'"]]);
      expect([path, policy['upgrade-insecure-requests']]).toEqual([path, undefined]);
      // Only our own origin anywhere: no eval, no inline script, no other host, no scheme wildcard.
      for (const [directive, sources] of Object.entries(policy)) {
        for (const source of sources) {
          expect([path, directive, ["'self'", "'none'", 'data:', 'blob:', "'unsafe-inline'"].includes(source)]).toEqual([
            path,
            directive,
            true,
          ]);
          if (source === "'unsafe-inline'") expect([path, directive]).toEqual([path, 'style-src']);
        }
      }
      count('responsesChecked');
      count('cspDirectives', Object.keys(policy).length);
    }
  });

  it('answers no cross-origin request with CORS headers', async () => {
    const preflight = await http
      .http()
      .options('/api/auth/login')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const simple = await http
      .http()
      .post('/api/auth/login')
      .set('Origin', 'https://evil.example.com')
      .send({ username: 'lina', password: TEST_PASSWORD });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    count('corsChecks', 2);
  });

  it('sets the refresh cookie httpOnly, SameSite=Strict and scoped to /api/auth, Secure only behind https', async () => {
    const plain = await http.http().post('/api/auth/login').send({ username: 'lina', password: TEST_PASSWORD });
    const plainCookie = refreshCookieOf(plain) ?? '';
    expect(plainCookie).toMatch(/; HttpOnly/);
    expect(plainCookie).toMatch(/; SameSite=Strict/);
    expect(plainCookie).toMatch(/; Path=\/api\/auth(;|$)/);
    expect(plainCookie).toMatch(/; Expires=/);
    expect(plainCookie).not.toMatch(/; Secure/);
    expect(plainCookie).not.toMatch(/; Domain=/);
    // The access token travels in the body, never in a cookie a page script or another site could use.
    expect(((plain.headers['set-cookie'] as unknown as string[]) ?? []).filter((c) => !c.startsWith('zw_refresh='))).toEqual([]);

    const secure = await https.http().post('/api/auth/login').send({ username: 'lina', password: TEST_PASSWORD });
    const secureCookie = refreshCookieOf(secure) ?? '';
    expect(secureCookie).toMatch(/; Secure/);
    expect(secureCookie).toMatch(/; HttpOnly/);
    expect(secureCookie).toMatch(/; SameSite=Strict/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(secureCookie)?.[1] ?? '');
    expect(Math.abs(expires - Date.now() - https.config.refreshTokenTtlSeconds * 1000)).toBeLessThan(60_000);
    // Refresh and logout keep (and clear with) the same attributes.
    const refreshed = await https.http().post('/api/auth/refresh').set('Cookie', secureCookie.split(';')[0]);
    expect(refreshCookieOf(refreshed)).toMatch(/; Secure/);
    const out = await https
      .http()
      .post('/api/auth/logout')
      .set('Cookie', (refreshCookieOf(refreshed) ?? '').split(';')[0]);
    const cleared = refreshCookieOf(out) ?? '';
    expect(cleared).toMatch(/^zw_refresh=;/);
    expect(cleared).toMatch(/; Secure/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    // Behind https: HSTS, and plain-http subresources are upgraded.
    const health = await https.http().get('/api/health');
    expect(Number(/max-age=(\d+)/.exec(health.headers['strict-transport-security'] ?? '')?.[1])).toBeGreaterThanOrEqual(15_552_000);
    expect(csp(health.headers['content-security-policy'])['upgrade-insecure-requests']).toEqual([]);
    count('cookieChecks', 6);
  });
});

describe('audit chain under tampering (verify API)', () => {
  let t: TestApp;
  let auditor: string;
  const figures: Record<string, number | string | boolean> = {};
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const verify = async () => {
    const res = await t.http().get('/api/audit/verify').set('Authorization', `Bearer ${auditor}`);
    expect(res.status).toBe(200);
    return res.body as { ok: boolean; checked: number; firstBrokenId?: string; reason?: string };
  };
  /** Tampering as the table owner would: the append-only trigger switched off for one statement. */
  const asOwner = (sql: string, params: unknown[] = []) =>
    t.db.dataSource.transaction(async (m) => {
      await m.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
      await m.query(sql, params);
      await m.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
    });
  const rowAt = async (offset: number) =>
    (
      await q(
        `SELECT id, at, user_id, username, unit_id, action, object_type, object_id, request_id, ip, outcome, detail, prev_hash, hash FROM audit_log ORDER BY id OFFSET $1 LIMIT 1`,
        [offset],
      )
    )[0];
  const contentOf = (row: Record<string, unknown>): AuditContent => ({
    at: (row.at as Date).toISOString(),
    userId: row.user_id as string | null,
    username: row.username as string | null,
    unitId: row.unit_id as string | null,
    action: row.action as string,
    objectType: row.object_type as string | null,
    objectId: row.object_id as string | null,
    requestId: row.request_id as string | null,
    ip: row.ip as string | null,
    outcome: row.outcome as string,
    detail: row.detail as Record<string, unknown> | null,
  });

  beforeAll(async () => {
    // The tests stand for clients behind a proxy on this machine: X-Forwarded-For is believed from loopback only.
    t = await createTestApp({ TRUSTED_PROXIES: 'loopback' });
    auditor = await t.login('auditor');
    // Real traffic writes the chain: logins, failures from many addresses at once, a denied read.
    const people = ['lina', 'yangfan', 'zhangwei', 'wufang', 'hejun', 'chenjing'];
    await Promise.all(people.map((u) => t.login(u)));
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t
          .http()
          .post('/api/auth/login')
          .set('X-Forwarded-For', `192.0.2.${i + 1}`)
          .send({ username: `nobody${i}`, password: 'Wrong#Pass2026' }),
      ),
    );
    const admin = await t.login('admin');
    expect((await t.http().get('/api/audit/verify').set('Authorization', `Bearer ${admin}`)).status).toBe(403);
  }, 120_000);
  afterAll(async () => {
    console.log(
      `RELIABILITY: audit-chain ${Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    await t?.close();
  });

  it('verifies the chain written by concurrent requests', async () => {
    const began = Date.now();
    const result = await verify();
    figures.rows = result.checked;
    figures.verifyMs = Date.now() - began;
    expect(result).toEqual({ ok: true, checked: expect.any(Number), checkpoints: expect.objectContaining({ ok: true, failed: 0 }) });
    expect(result.checked).toBeGreaterThanOrEqual(48);
  });

  it('names a changed row: a failed login turned into a success, a shifted time, an edited detail', async () => {
    const changes: [string, string][] = [
      ['outcome', `UPDATE audit_log SET outcome = 'success' WHERE id = $1`],
      ['time', `UPDATE audit_log SET at = at - interval '1 hour' WHERE id = $1`],
      ['detail', `UPDATE audit_log SET detail = '{"reason":"nothing happened"}' WHERE id = $1`],
      ['actor', `UPDATE audit_log SET username = 'admin', user_id = NULL WHERE id = $1`],
    ];
    for (const [what, sql] of changes) {
      const original = await q(`SELECT * FROM audit_log WHERE outcome = 'failure' ORDER BY id OFFSET 5 LIMIT 1`);
      const row = original[0];
      await asOwner(sql, [row.id]);
      const broken = await verify();
      expect([what, broken.ok, broken.firstBrokenId]).toEqual([what, false, String(row.id)]);
      expect(broken.reason).toMatch(/篡改/);
      // Put back exactly as it was: the chain is whole again, so the next check starts clean.
      await asOwner(`UPDATE audit_log SET outcome = $2, at = $3, detail = $4, username = $5, user_id = $6 WHERE id = $1`, [
        row.id,
        row.outcome,
        row.at,
        row.detail === null ? null : JSON.stringify(row.detail),
        row.username,
        row.user_id,
      ]);
      expect((await verify()).ok).toBe(true);
      figures[`changed_${what}`] = 'detected';
    }
  });

  it('names the successor of a deleted row', async () => {
    const victim = await rowAt(10);
    const next = await rowAt(11);
    await asOwner('DELETE FROM audit_log WHERE id = $1', [victim.id]);
    const broken = await verify();
    expect([broken.ok, broken.firstBrokenId]).toEqual([false, String(next.id)]);
    expect(broken.reason).toMatch(/删除或插入/);
    await t.db.dataSource.query(
      `INSERT INTO audit_log (id, at, user_id, username, unit_id, action, object_type, object_id, request_id, ip, outcome, detail, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      [
        victim.id,
        victim.at,
        victim.user_id,
        victim.username,
        victim.unit_id,
        victim.action,
        victim.object_type,
        victim.object_id,
        victim.request_id,
        victim.ip,
        victim.outcome,
        victim.detail === null ? null : JSON.stringify(victim.detail),
        victim.prev_hash,
        victim.hash,
      ],
    );
    expect((await verify()).ok).toBe(true);
    figures.deleted = 'detected';
  });

  it('names an inserted row, even one whose own hash was computed correctly', async () => {
    // A gap in the ids, as a rolled-back transaction leaves: room to insert between two real rows.
    await t.db.dataSource
      .transaction(async (m) => {
        await m.query(`INSERT INTO audit_log (at, action, outcome, prev_hash, hash) VALUES (now(), 'rolled-back', 'success', $1, $1)`, [
          '0'.repeat(64),
        ]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await t.login('linfang');
    const gap = (
      await q(
        `SELECT a.id + 1 AS id FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM audit_log b WHERE b.id = a.id + 1) AND a.id < (SELECT max(id) FROM audit_log) ORDER BY a.id DESC LIMIT 1`,
      )
    )[0];
    expect(gap).toBeDefined();
    const before = (await q(`SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT 1`, [gap.id]))[0];
    const after = (await q(`SELECT id FROM audit_log WHERE id > $1 ORDER BY id LIMIT 1`, [gap.id]))[0];
    const forged: AuditContent = {
      ...contentOf(before),
      action: 'auth.login',
      outcome: 'success',
      username: 'admin',
      detail: null,
      at: new Date((before.at as Date).getTime() + 1).toISOString(),
    };
    const hash = chainHash(before.hash, forged);
    await t.db.dataSource.query(
      `INSERT INTO audit_log (id, at, user_id, username, unit_id, action, object_type, object_id, request_id, ip, outcome, detail, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,NULL,$12,$13)`,
      [
        gap.id,
        forged.at,
        forged.userId,
        forged.username,
        forged.unitId,
        forged.action,
        forged.objectType,
        forged.objectId,
        forged.requestId,
        forged.ip,
        forged.outcome,
        before.hash,
        hash,
      ],
    );
    const broken = await verify();
    expect([broken.ok, broken.firstBrokenId]).toEqual([false, String(after.id)]);
    figures.insertedMiddle = 'detected';
    // A sloppy forgery is caught at the row itself.
    await asOwner('DELETE FROM audit_log WHERE id = $1', [gap.id]);
    expect((await verify()).ok).toBe(true);
    const last = (await q(`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`))[0];
    const tail = await q(
      `INSERT INTO audit_log (at, action, outcome, prev_hash, hash) VALUES (now(), 'forged', 'success', $1, $2) RETURNING id`,
      [last.hash, 'f'.repeat(64)],
    );
    const sloppy = await verify();
    expect([sloppy.ok, sloppy.firstBrokenId]).toEqual([false, String(tail[0].id)]);
    figures.insertedTailBadHash = 'detected';

    // Known limit, measured not asserted: the chain has no key and no anchor outside the database, so
    // whoever can write the table can append rows hashed correctly, or cut rows off the end.
    await asOwner('DELETE FROM audit_log WHERE id = $1', [tail[0].id]);
    const head = (await q(`SELECT * FROM audit_log ORDER BY id DESC LIMIT 1`))[0];
    const appended: AuditContent = { ...contentOf(head), action: 'forged', at: new Date().toISOString() };
    await q(
      `INSERT INTO audit_log (at, user_id, username, unit_id, action, object_type, object_id, request_id, ip, outcome, detail, prev_hash, hash)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [
        appended.at,
        appended.userId,
        appended.username,
        appended.unitId,
        appended.action,
        appended.objectType,
        appended.objectId,
        appended.requestId,
        appended.ip,
        appended.outcome,
        appended.detail === null ? null : JSON.stringify(appended.detail),
        head.hash,
        chainHash(head.hash, appended),
      ],
    );
    figures.tailAppendWithValidHash = (await verify()).ok ? 'undetected(known-limit)' : 'detected';
  });
});
