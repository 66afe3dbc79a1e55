import type { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { sm2Verify } from '../../../../test/support/sm2-verify';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { loadConfig } from '../platform/config';
import { createHttpApp } from '../platform/http-app';
import { checkpointText, keyIdOf } from './audit-checkpoint';
import type { VerifyResult } from './audit.service';
import { CheckpointService, type CheckpointExport, type CheckpointView } from './checkpoint.service';

/** Another api process on the same database: its own Nest application, as a replica would be. */
async function replica(url: string, env: Record<string, string>): Promise<{ app: INestApplication; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhengwu-test-data-'));
  const app = await createHttpApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: url, ...env }), url);
  await app.init();
  return {
    app,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('signed checkpoints of the audit chain', () => {
  let t: TestApp;
  let auditor: string;
  const key = sm2.generateKeyPairHex();

  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => t.http().post(path).set('Authorization', `Bearer ${token}`).send(body),
  });
  const verify = async (): Promise<VerifyResult> => (await as(auditor).get('/api/audit/verify').expect(200)).body as VerifyResult;
  const checkpoint = async (): Promise<CheckpointView> =>
    (await as(auditor).post('/api/audit/checkpoints').expect(201)).body as CheckpointView;
  const exported = async (id: string): Promise<CheckpointExport> =>
    (await as(auditor).get(`/api/audit/checkpoints/${id}/export`).expect(200)).body as CheckpointExport;

  /** As the database superuser, the way an attacker with DBA rights would: switch the append-only triggers off. */
  async function asSuperuser(sql: string, params: unknown[] = []): Promise<void> {
    await t.db.dataSource.transaction(async (m) => {
      await m.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
      await m.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update_delete');
      await m.query(sql, params);
      await m.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update_delete');
      await m.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
    });
  }

  beforeAll(async () => {
    t = await createTestApp({ AUDIT_SM2_PRIVATE_KEY: key.privateKey });
    for (const user of ['lina', 'yangfan']) await t.login(user);
    auditor = await t.login('auditor');
  });
  afterAll(async () => {
    await t.close();
  });

  it('makes a checkpoint on demand that covers the chain up to the request for it', async () => {
    const made = await checkpoint();
    const [row] = await t.db.dataSource.query(
      `SELECT hash, action, (SELECT count(*)::text FROM audit_log WHERE id <= $1) AS n FROM audit_log WHERE id = $1`,
      [made.lastId],
    );
    expect(row.action).toBe('audit.checkpoint');
    expect(made).toMatchObject({ kind: 'on-demand', lastHash: row.hash, rowCount: row.n, keyId: keyIdOf(key.publicKey) });

    const list = await as(auditor).get('/api/audit/checkpoints').expect(200);
    expect(list.body.items[0]).toEqual(made);
    const result = await verify();
    expect(result).toMatchObject({ ok: true, checkpoints: { ok: true, failed: 0, latest: { id: made.id, lastId: made.lastId } } });
    expect(result.checkpoints.checked).toBeGreaterThanOrEqual(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of checkpoints from the application connection', async () => {
    await expect(t.db.dataSource.query(`UPDATE audit_checkpoints SET row_count = 0`)).rejects.toThrow(/append-only/);
    await expect(t.db.dataSource.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only/);
    await expect(t.db.dataSource.query('TRUNCATE audit_checkpoints')).rejects.toThrow(/append-only/);
  });

  it('lets only the auditor make, list, export and verify checkpoints', async () => {
    const [{ id }] = await t.db.dataSource.query(`SELECT id::text FROM audit_checkpoints ORDER BY id LIMIT 1`);
    const good = await exported(id);
    for (const who of ['admin', 'secadmin', 'lina']) {
      const token = await t.login(who);
      await as(token).post('/api/audit/checkpoints').expect(403);
      await as(token).get('/api/audit/checkpoints').expect(403);
      await as(token).get(`/api/audit/checkpoints/${id}/export`).expect(403);
      await as(token).post('/api/audit/verify-checkpoint', good).expect(403);
      await as(token).get('/api/audit/verify').expect(403);
    }
    await t.http().post('/api/audit/checkpoints').expect(401);
  });

  it('exports a self-contained checkpoint that an independent SM2 implementation verifies', async () => {
    const made = await checkpoint();
    const file = await exported(made.id);
    expect(file.signedText).toBe(
      checkpointText({ lastId: made.lastId, lastHash: made.lastHash, rowCount: made.rowCount, at: made.at, keyId: made.keyId }),
    );
    expect(file.signer).toMatchObject({ publicKey: key.publicKey, keyId: keyIdOf(key.publicKey) });
    expect(file.signer.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(file.signature).toMatchObject({ algorithm: 'SM2withSM3', userId: '1234567812345678' });

    // GB/T 32918 from the standard (BigInt + Node's SM3), no sm-crypto.
    const text = Buffer.from(file.signedText, 'utf8');
    const der = Buffer.from(file.signature.value, 'hex');
    expect(sm2Verify(text, der, file.signer.publicKey, file.signature.userId)).toBe(true);
    expect(
      sm2Verify(Buffer.from(file.signedText.replace(/row-count: \d+/, 'row-count: 1')), der, file.signer.publicKey, '1234567812345678'),
    ).toBe(false);

    // OpenSSL, where installed (Debian has it): reads the PEM key as exported.
    if (hasOpenssl()) {
      const dir = mkdtempSync(join(tmpdir(), 'zhengwu-checkpoint-'));
      try {
        writeFileSync(join(dir, 'signer.pem'), file.signer.publicKeyPem);
        writeFileSync(join(dir, 'signed.txt'), text);
        writeFileSync(join(dir, 'signature.der'), der);
        const out = execFileSync(
          'openssl',
          [
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            'signer.pem',
            '-rawin',
            '-in',
            'signed.txt',
            '-sigfile',
            'signature.der',
            '-digest',
            'sm3',
            '-pkeyopt',
            'distid:1234567812345678',
          ],
          { cwd: dir, encoding: 'utf8' },
        );
        expect(out).toMatch(/Signature Verified Successfully/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    const check = await as(auditor).post('/api/audit/verify-checkpoint', file).expect(200);
    expect(check.body).toMatchObject({ ok: true, signatureValid: true, keyTrusted: true, chain: { ok: true } });
  });

  it('refuses an export whose text or signature was edited', async () => {
    const [{ id }] = await t.db.dataSource.query(`SELECT id::text FROM audit_checkpoints ORDER BY id DESC LIMIT 1`);
    const file = await exported(id);
    const edited = { ...file, signedText: file.signedText.replace(/row-count: (\d+)/, (_, n: string) => `row-count: ${Number(n) - 1}`) };
    const res = await as(auditor).post('/api/audit/verify-checkpoint', edited).expect(200);
    expect(res.body).toMatchObject({ ok: false, signatureValid: false });
    const garbage = await as(auditor)
      .post('/api/audit/verify-checkpoint', { ...file, signedText: 'hello' })
      .expect(400);
    expect(garbage.body.code).toBe('CHECKPOINT_TEXT_INVALID');
    const noKey = await as(auditor)
      .post('/api/audit/verify-checkpoint', { ...file, signer: { publicKey: 'x' } })
      .expect(400);
    expect(noKey.body.message).toContain('signer.publicKey');
  });

  it('detects a cut tail by the stored checkpoints, and by the exported one when those were cut too', async () => {
    const made = await checkpoint();
    const kept = await exported(made.id); // the auditor keeps this outside the platform
    expect((await verify()).ok).toBe(true);

    // The last three rows of the checkpoint and everything after them go; the chain that is left still links.
    await asSuperuser(`DELETE FROM audit_log WHERE id >= $1::bigint - 2`, [made.lastId]);
    const cut = await verify();
    expect(cut.ok).toBe(false);
    expect(cut.firstBrokenId).toBeUndefined();
    expect(cut.truncated).toBe(true);
    expect(cut.checkpoints.problems).toContainEqual(expect.objectContaining({ checkpointId: made.id, code: 'TAIL_CUT' }));
    expect(cut.reason).toMatch(/截断/);

    // The attacker removes the stored checkpoints as well: the platform alone now sees a whole chain…
    await asSuperuser(`DELETE FROM audit_checkpoints`);
    expect(await verify()).toMatchObject({ ok: true });
    // …but the auditor's export does not match it.
    const res = await as(auditor).post('/api/audit/verify-checkpoint', kept).expect(200);
    expect(res.body).toMatchObject({ ok: false, signatureValid: true, keyTrusted: true, chain: { ok: false, code: 'TAIL_CUT' } });
    expect(res.body.reason).toMatch(/截断/);
  });

  it('detects a forged checkpoint row: edited fields, or signed by another key', async () => {
    const made = await checkpoint();
    const [row] = await t.db.dataSource.query(`SELECT * FROM audit_checkpoints WHERE id = $1`, [made.id]);
    // A smaller row count with the genuine signature.
    await t.db.dataSource.query(
      `INSERT INTO audit_checkpoints (created_at, kind, last_id, last_hash, row_count, key_id, public_key, signature)
       VALUES ($1, 'scheduled', $2, $3, $4, $5, $6, $7) RETURNING id`,
      [row.created_at, row.last_id, row.last_hash, Number(row.row_count) - 1, row.key_id, row.public_key, row.signature],
    );
    // Correct fields, signed with the attacker's own key.
    const attacker = sm2.generateKeyPairHex();
    const claim = {
      lastId: made.lastId,
      lastHash: made.lastHash,
      rowCount: made.rowCount,
      at: made.at,
      keyId: keyIdOf(attacker.publicKey),
    };
    const signature = sm2.doSignature(checkpointText(claim), attacker.privateKey, {
      hash: true,
      der: true,
      publicKey: attacker.publicKey,
      userId: '1234567812345678',
    });
    await t.db.dataSource.query(
      `INSERT INTO audit_checkpoints (created_at, kind, last_id, last_hash, row_count, key_id, public_key, signature)
       VALUES ($1, 'scheduled', $2, $3, $4, $5, $6, $7)`,
      [made.at, made.lastId, made.lastHash, made.rowCount, claim.keyId, attacker.publicKey, signature],
    );
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.checkpoints.problems.map((p) => p.code).sort()).toEqual(['BAD_SIGNATURE', 'UNTRUSTED_KEY']);
    await asSuperuser(`DELETE FROM audit_checkpoints WHERE id > $1`, [made.id]);
  });

  it('makes checkpoints on the schedule, exactly once per interval across processes', async () => {
    const db: TestDatabase = await createTestDatabase();
    const env = { AUDIT_SM2_PRIVATE_KEY: key.privateKey, AUDIT_CHECKPOINT_INTERVAL: '1h' };
    const [a, b] = [await replica(db.url, env), await replica(db.url, env)];
    try {
      const services = [a, b].map((r) => r.app.get(CheckpointService));
      // Both processes find it due at the same moment, several times over: one checkpoint.
      const made = (await Promise.all([...services, ...services, ...services].map((s) => s.createIfDue()))).filter(Boolean);
      expect(made).toHaveLength(1);
      // Within the interval nothing more, however the chain grows.
      await a.app
        .get(CheckpointService)
        .createOnDemand((await db.dataSource.query(`SELECT id FROM users WHERE username = 'auditor'`))[0].id);
      expect((await Promise.all(services.map((s) => s.createIfDue()))).filter(Boolean)).toHaveLength(0);
      const rows = await db.dataSource.query(`SELECT kind, count(*)::int AS n FROM audit_checkpoints GROUP BY kind ORDER BY kind`);
      expect(rows).toEqual([
        { kind: 'on-demand', n: 1 },
        { kind: 'scheduled', n: 1 },
      ]);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }

    // The scheduler itself, with a short interval: a scheduled checkpoint appears without anyone asking.
    const fast = await replica(t.db.url, { AUDIT_SM2_PRIVATE_KEY: key.privateKey, AUDIT_CHECKPOINT_INTERVAL: '1s' });
    try {
      await t.login('lina'); // the chain grows, so there is something new to sign
      const deadline = Date.now() + 45_000;
      let scheduled: { id: string }[] = [];
      while (scheduled.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        scheduled = await t.db.dataSource.query(`SELECT id::text FROM audit_checkpoints WHERE kind = 'scheduled'`);
      }
      expect(scheduled.length).toBeGreaterThanOrEqual(1);
      expect(await verify()).toMatchObject({ ok: true, checkpoints: { ok: true } });
    } finally {
      await fast.close();
    }
  }, 120_000);
});
