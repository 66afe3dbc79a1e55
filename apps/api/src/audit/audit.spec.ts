import { Client } from 'pg';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { AuditSigner } from './audit-signer';
import { AuditService } from './audit.service';

describe('audit chain', () => {
  let t: TestApp;
  let auditor: string;

  const verify = async () =>
    (await t.http().get('/api/audit/verify').set('Authorization', `Bearer ${auditor}`)).body as {
      ok: boolean;
      checked: number;
      firstBrokenId?: string;
    };

  /** Tampering needs the table owner to switch the append-only trigger off: exactly what an attacker with DBA rights would do. */
  async function asOwner(sql: string, params: unknown[] = []): Promise<void> {
    const ds = t.db.dataSource;
    await ds.transaction(async (m) => {
      await m.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
      await m.query(sql, params);
      await m.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
    });
  }

  beforeAll(async () => {
    t = await createTestApp();
    for (const user of ['lina', 'yangfan', 'zhangwei']) await t.login(user);
    await t.http().post('/api/auth/login').send({ username: 'lina', password: 'Wrong#Pass2026' });
    auditor = await t.login('auditor');
  });
  afterAll(async () => {
    await t.close();
  });

  it('records logins with who, unit, action, request id and outcome', async () => {
    const res = await t.http().get('/api/audit?action=auth.login').set('Authorization', `Bearer ${auditor}`);
    expect(res.status).toBe(200);
    const failure = res.body.items.find(
      (row: { outcome: string; username: string }) => row.outcome === 'failure' && row.username === 'lina',
    );
    expect(failure).toMatchObject({ action: 'auth.login', unitId: expect.any(String), requestId: expect.any(String) });
    expect(res.body.items.filter((row: { outcome: string }) => row.outcome === 'success').length).toBeGreaterThanOrEqual(4);
  });

  it('verifies an untouched chain', async () => {
    const result = await verify();
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(5);
  });

  it('stays one chain when appends of two processes interleave and some roll back', async () => {
    const ds = t.db.dataSource;
    // Two services guess the tail each from their own last append, as two api processes would.
    const here = t.app.get(AuditService);
    const there = new AuditService(ds, t.app.get(AuditSigner));
    const count = async () => Number((await ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.interleave'`))[0].n);
    const rolledBack = new Error('rolled back on purpose');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        ds.transaction(async (m) => {
          await (i % 3 === 0 ? there : here).record({ action: 'test.interleave', objectType: 'test', objectId: String(i) }, m);
          if (i % 5 === 4) throw rolledBack;
        }),
      ),
    );
    const committed = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason === rolledBack)).toBe(true);
    expect(committed).toBe(20);
    expect(await count()).toBe(committed);
    // After a rollback both guesses are stale; the next appends must still link to the committed tail.
    await here.record({ action: 'test.interleave', objectType: 'test', objectId: 'after' });
    await there.record({ action: 'test.interleave', objectType: 'test', objectId: 'after' });
    const forks: unknown[] = await ds.query('SELECT prev_hash FROM audit_log GROUP BY prev_hash HAVING count(*) > 1');
    expect(forks).toEqual([]);
    const total = Number((await ds.query('SELECT count(*)::int AS n FROM audit_log'))[0].n);
    const result = await verify();
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(total);
  });

  it('sends the appends of one process in order: under concurrency each takes one statement, and none waits forever', async () => {
    const ds = t.db.dataSource;
    const here = t.app.get(AuditService);
    // The previous test appended last through another service: this one's first guess is stale.
    await here.record({ action: 'test.ordered', objectType: 'test', objectId: 'first' });
    // Appends whose guess of the tail was wrong need a second statement (zw_audit_append) inside the chain's lock.
    let fixUps = 0;
    const query = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      if ((args[0] as { name?: string } | undefined)?.name === 'zw_audit_append') fixUps += 1;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query);
    const concurrently = (round: string, rowsOf: (i: number) => number) =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          ds.transaction(async (m) => {
            for (let n = 0; n < rowsOf(i); n++)
              await here.record({ action: 'test.ordered', objectType: 'test', objectId: `${round}-${i}-${n}` }, m);
          }),
        ),
      );
    try {
      for (let round = 0; round < 3; round++) await concurrently(`single-${round}`, () => 1);
      expect(fixUps).toBe(0);
      // A second row of a transaction that holds the chain's lock must not queue behind the appends waiting for it.
      await concurrently('double', (i) => (i % 2 === 0 ? 2 : 1));
    } finally {
      spy.mockRestore();
    }
    expect(Number((await ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.ordered'`))[0].n)).toBe(1 + 3 * 8 + 12);
    expect((await verify()).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE from the application connection', async () => {
    await expect(t.db.dataSource.query(`UPDATE audit_log SET outcome = 'success' WHERE id = 1`)).rejects.toThrow(/append-only/);
    await expect(t.db.dataSource.query('DELETE FROM audit_log WHERE id = 1')).rejects.toThrow(/append-only/);
    await expect(t.db.dataSource.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });

  it('names the first changed row', async () => {
    const rows: { id: string }[] = await t.db.dataSource.query('SELECT id FROM audit_log ORDER BY id LIMIT 3');
    await asOwner(`UPDATE audit_log SET username = 'someone-else' WHERE id = $1`, [rows[2].id]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.firstBrokenId).toBe(rows[2].id);
    await asOwner(`UPDATE audit_log SET username = (SELECT username FROM users WHERE id = audit_log.user_id) WHERE id = $1`, [rows[2].id]);
  });

  it('detects a deleted row at its successor', async () => {
    const before = await verify();
    expect(before.ok).toBe(true);
    const rows: { id: string }[] = await t.db.dataSource.query('SELECT id FROM audit_log ORDER BY id LIMIT 2');
    await asOwner('DELETE FROM audit_log WHERE id = $1', [rows[0].id]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.firstBrokenId).toBe(rows[1].id);
  });

  it('detects an inserted row', async () => {
    const last: { id: string; hash: string }[] = await t.db.dataSource.query('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    await t.db.dataSource.query(
      `INSERT INTO audit_log (at, action, outcome, prev_hash, hash) VALUES (now(), 'forged', 'success', $1, $1)`,
      [last[0].hash],
    );
    const result = await verify();
    expect(result.ok).toBe(false);
  });
});
