import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { EngineService } from '../engine/engine.service';
import { parseXml, findElement, sha256Of, sm3Of, SM2_USER_ID, type Manifest } from './archive-format';
import { ArchiveService } from './archive.service';

describe('electronic archive (DA/T 46 package, 四性检测 DA/T 70)', () => {
  let t: TestApp;
  let archiveDir: string;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    archiveDir = mkdtempSync(join(tmpdir(), 'zhengwu-archive-'));
    t = await createTestApp({ ARCHIVE_DIR: archiveDir });
    for (const name of ['lina', 'yangfan', 'zhangwei', 'linfang', 'admin']) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
  });
  afterAll(async () => {
    await t.close();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const worker = (instanceId: string, token = t.config.workerToken) =>
    t.http().post(`/api/worker/archive/${instanceId}`).set('Authorization', `Bearer ${token}`);
  const as = (who: string) => ({
    list: (query = '') => t.http().get(`/api/archive${query}`).set('Authorization', `Bearer ${tokens[who]}`),
    get: (id: string) => t.http().get(`/api/archive/${id}`).set('Authorization', `Bearer ${tokens[who]}`),
    check: (id: string) => t.http().post(`/api/archive/${id}/check`).set('Authorization', `Bearer ${tokens[who]}`),
  });

  /** A three-step-approval case of 规划司 taken to its end through the engine: 拟稿 → 处室审核 → 领导签发. */
  const endCase = async (title: string, docType = '通知') => {
    const engine = t.app.get(EngineService);
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id } = await engine.startProcess('three-step-approval', {
      businessKey: `T-${title}`,
      variables: { drafter: ids.lina, title, docType, urgency: '加急' },
      ownerUnitId: unit.unit_id,
      startedBy: ids.lina,
    });
    for (const who of ['lina', 'yangfan', 'zhangwei']) {
      const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [id]);
      await engine.completeTask(task.id, { userId: ids[who], outcome: 'approve', comment: `${who} 同意` });
    }
    const [row] = await q(`SELECT status FROM process_instances WHERE id = $1`, [id]);
    expect(row.status).toBe('completed');
    return id;
  };

  it('archives an ended case into a signed package with 档号, 办理单, DA/T 46 metadata and digests, and passes 四性检测', async () => {
    const instanceId = await endCase('关于开展2026年土地利用规划评估的通知');
    const res = await worker(instanceId);
    expect(res.status).toBe(200);
    const year = new Date().getFullYear();
    expect(res.body.archiveNumber).toBe(`Z001-${year}-Y-GHS-0001`);
    expect(res.body).toEqual(
      expect.objectContaining({ retention: 'Y', retentionLabel: '永久', itemNo: 1, docType: '通知', created: true }),
    );

    const dir = join(archiveDir, res.body.archiveNumber);
    const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText) as Manifest;
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['metadata.xml', 'sm2-public-key.txt', '办理单.pdf']);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'manifest.sig', 'metadata.xml', 'sm2-public-key.txt', '办理单.pdf']);
    for (const f of manifest.files) {
      const body = readFileSync(join(dir, f.name));
      expect([f.size, f.sha256, f.sm3]).toEqual([body.length, sha256Of(body), sm3Of(body)]);
    }
    const items = await q(
      `SELECT name, sha256, sm3 FROM archive_items i JOIN archive_packages p ON p.id = i.package_id WHERE p.instance_id = $1`,
      [instanceId],
    );
    expect(items).toHaveLength(3);
    const publicKey = readFileSync(join(dir, 'sm2-public-key.txt'), 'utf8').trim();
    const signature = readFileSync(join(dir, 'manifest.sig'), 'utf8').trim();
    expect(sm2.doVerifySignature(manifestText, signature, publicKey, { hash: true, userId: SM2_USER_ID })).toBe(true);
    expect(sm2.doVerifySignature(manifestText.replace('Z001', 'Z002'), signature, publicKey, { hash: true, userId: SM2_USER_ID })).toBe(
      false,
    );
    const keyFile = JSON.parse(readFileSync(join(t.config.dataDir, 'archive-sm2.json'), 'utf8'));
    expect(keyFile.publicKey).toBe(publicKey);

    const xml = parseXml(readFileSync(join(dir, 'metadata.xml'), 'utf8'));
    expect(findElement(xml, 'title')?.text).toBe('关于开展2026年土地利用规划评估的通知');
    expect(findElement(xml, 'archiveNumber')?.text).toBe(res.body.archiveNumber);
    expect(findElement(xml, 'author')?.text).toBe('规划司');
    expect(findElement(xml, 'urgency')?.text).toBe('加急');
    const events = findElement(xml, 'businessEntity')!.children.map((e) => findElement(e, 'step')?.text);
    expect(events).toEqual(['发起', '拟稿', '处室审核', '领导签发', '办结']);
    const sheet = readFileSync(join(dir, '办理单.pdf'));
    expect(sheet.subarray(0, 5).toString()).toBe('%PDF-');

    const ingest = await q(
      `SELECT kind, ok FROM archive_checks c JOIN archive_packages p ON p.id = c.package_id WHERE p.instance_id = $1`,
      [instanceId],
    );
    expect(ingest).toEqual([{ kind: 'ingest', ok: true }]);

    // Idempotent: the second call answers the same package and builds nothing.
    const again = await worker(instanceId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(expect.objectContaining({ id: res.body.id, archiveNumber: res.body.archiveNumber, created: false }));
    expect(await q(`SELECT count(*)::int AS n FROM archive_packages`)).toEqual([{ n: 1 }]);

    const check = await as('linfang').check(res.body.id);
    expect(check.status).toBe(200);
    expect(check.body.ok).toBe(true);
    expect(check.body.checks.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining([
        '真实性：数字摘要（SHA-256、SM3）',
        '真实性：电子签名（SM2）',
        '完整性：文件齐全',
        '可用性：文件可读',
        '安全性：无可执行内容和加密',
      ]),
    );
    expect(check.body.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);

    const list = await as('linfang').list(`?year=${year}&retention=Y&unit=GHS&keyword=规划评估`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { archiveNumber: string }) => p.archiveNumber)).toEqual([res.body.archiveNumber]);
    expect((await as('linfang').list('?keyword=没有这个题名')).body.items).toEqual([]);
    const detail = await as('linfang').get(res.body.id);
    expect(detail.status).toBe(200);
    expect(detail.body.files).toHaveLength(3);
    expect(detail.body.lastCheck).toEqual(expect.objectContaining({ kind: 'manual', ok: true }));
    const download = await t
      .http()
      .get(`/api/archive/${res.body.id}/files/${encodeURIComponent('办理单.pdf')}`)
      .set('Authorization', `Bearer ${tokens.linfang}`);
    expect(download.status).toBe(200);
    expect(sha256Of(download.body as Buffer)).toBe(sha256Of(sheet));
  });

  it('fails the check naming the file when a stored file is altered, and integrity naming it when one is deleted', async () => {
    const altered = (await worker(await endCase('篡改测试通知'))).body;
    const sheetPath = join(archiveDir, altered.archiveNumber, '办理单.pdf');
    const original = readFileSync(sheetPath);
    writeFileSync(sheetPath, Buffer.concat([original, Buffer.from('\n% tampered\n')]));
    const report = (await as('linfang').check(altered.id)).body;
    expect(report.ok).toBe(false);
    const digest = report.checks.find((c: { name: string }) => c.name === '真实性：数字摘要（SHA-256、SM3）');
    expect(digest).toEqual(expect.objectContaining({ ok: false, detail: expect.stringContaining('办理单.pdf') }));
    writeFileSync(sheetPath, original);
    expect((await as('linfang').check(altered.id)).body.ok).toBe(true);

    const deleted = (await worker(await endCase('删除测试通知'))).body;
    unlinkSync(join(archiveDir, deleted.archiveNumber, 'metadata.xml'));
    writeFileSync(join(archiveDir, deleted.archiveNumber, 'run.sh'), '#!/bin/sh\necho hi\n');
    const broken = (await as('linfang').check(deleted.id)).body;
    expect(broken.ok).toBe(false);
    const integrity = broken.checks.find((c: { name: string }) => c.name === '完整性：文件齐全');
    expect(integrity.ok).toBe(false);
    expect(integrity.detail).toContain('缺少文件 metadata.xml');
    expect(integrity.detail).toContain('清单之外的文件 run.sh');
    expect(broken.checks.find((c: { name: string }) => c.name === '安全性：无可执行内容和加密').detail).toContain('run.sh');

    // The periodic fixity audit records an alert and an outbox row for the failing package only.
    const audit = await t.app.get(ArchiveService).audit();
    expect(audit.failed).toBe(1);
    const outbox = await q(`SELECT payload FROM outbox WHERE topic = 'archive.fixity-failed'`);
    expect(outbox.map((o) => o.payload.archiveNumber)).toEqual([deleted.archiveNumber]);
    const alerts = await t.http().get('/api/archive/alerts').set('Authorization', `Bearer ${tokens.admin}`);
    expect(alerts.status).toBe(200);
    expect(alerts.body).toEqual([
      expect.objectContaining({ archiveNumber: deleted.archiveNumber, message: expect.stringContaining('metadata.xml') }),
    ]);
  });

  it('numbers 20 parallel archivings uniquely and without gaps (函 → 30年)', async () => {
    const cases: string[] = [];
    for (let i = 0; i < 20; i += 1) cases.push(await endCase(`关于商请提供资料的函（${i + 1}）`, '函'));
    const results = await Promise.all(cases.map((id) => worker(id)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const numbers = results.map((r) => r.body.archiveNumber as string).sort();
    const year = new Date().getFullYear();
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => `Z001-${year}-D30-GHS-${String(i + 1).padStart(4, '0')}`));
  });

  it('answers 503 when the archive store is unwritable, leaves nothing half-written, and succeeds on retry', async () => {
    const instanceId = await endCase('存储故障测试通知');
    const blocker = join(mkdtempSync(join(tmpdir(), 'zhengwu-archive-bad-')), 'not-a-dir');
    writeFileSync(blocker, 'a regular file: nothing can be created below it');
    const good = t.config.archiveDir;
    const before = await q(`SELECT value FROM archive_counters WHERE retention = 'Y'`);
    t.config.archiveDir = join(blocker, 'archive');
    try {
      const res = await worker(instanceId);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('ARCHIVE_STORE_UNAVAILABLE');
    } finally {
      t.config.archiveDir = good;
    }
    expect(await q(`SELECT id FROM archive_packages WHERE instance_id = $1`, [instanceId])).toEqual([]);
    expect(await q(`SELECT value FROM archive_counters WHERE retention = 'Y'`)).toEqual(before);
    expect(readdirSync(archiveDir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);

    const retry = await worker(instanceId);
    expect(retry.status).toBe(200);
    expect(retry.body.itemNo).toBe(before[0].value + 1);
    expect(existsSync(join(archiveDir, retry.body.archiveNumber, 'manifest.sig'))).toBe(true);
  });

  it('keeps the archive to archivists and the worker route to the worker token', async () => {
    const [pkg] = await q(`SELECT id FROM archive_packages LIMIT 1`);
    expect((await as('lina').list()).status).toBe(403);
    expect((await as('lina').get(pkg.id)).status).toBe(403);
    expect((await as('lina').check(pkg.id)).status).toBe(403);
    expect((await t.http().post(`/api/worker/archive/${pkg.id}`)).status).toBe(401);
    expect((await worker(pkg.id, tokens.linfang)).status).toBe(401);
    expect((await as('linfang').list('?retention=X')).status).toBe(400);
    expect((await as('linfang').get('00000000-0000-4000-8000-000000000000')).status).toBe(404);

    // A case still running (and not waiting at its archiving step) is not archived.
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id } = await t.app.get(EngineService).startProcess('three-step-approval', {
      variables: { drafter: ids.lina, title: '未办结' },
      ownerUnitId: unit.unit_id,
      startedBy: ids.lina,
    });
    const running = await worker(id);
    expect(running.status).toBe(409);
    expect(running.body.code).toBe('CASE_NOT_ENDED');
  });

  it('queues every ended case for archiving, also a terminated one, and archives the case it names', async () => {
    const instanceId = await endCase('关于自动归档的测试通知');
    const [queued] = await q(
      `SELECT i.id, e.topic, i.variables->>'caseInstanceId' AS target FROM process_instances i JOIN external_tasks e ON e.instance_id = i.id
        WHERE i.definition_key = 'case-archiving' AND i.business_key = $1 AND e.status = 'open'`,
      [instanceId],
    );
    expect(queued).toEqual(expect.objectContaining({ topic: 'archive', target: instanceId }));
    // The worker archives the named case, not the archiving case itself.
    const res = await worker(queued.target);
    expect(res.status).toBe(200);
    expect((await q(`SELECT instance_id FROM archive_packages WHERE id = $1`, [res.body.id]))[0].instance_id).toBe(instanceId);

    const engine = t.app.get(EngineService);
    const [unit] = await q(`SELECT unit_id FROM users WHERE username = 'lina'`);
    const { id: stopped } = await engine.startProcess('three-step-approval', {
      variables: { drafter: ids.lina, title: '中途终止的办件' },
      ownerUnitId: unit.unit_id,
      startedBy: ids.lina,
    });
    await engine.terminate(stopped, { userId: ids.lina, reason: '撤销' });
    const queuedAgain = await q(`SELECT 1 FROM process_instances WHERE definition_key = 'case-archiving' AND business_key = $1`, [stopped]);
    expect(queuedAgain).toHaveLength(1);
    // An archiving case never queues itself.
    expect(
      (await q(`SELECT 1 FROM process_instances WHERE definition_key = 'case-archiving' AND business_key = $1`, [queued.id])).length,
    ).toBe(0);
  });

  it('audits each due package once when several api processes look at the same time (the scheduled fixity audit)', async () => {
    const archive = t.app.get(ArchiveService);
    const [{ n }] = await q(`SELECT count(*)::int AS n FROM archive_packages`);
    expect(n).toBeGreaterThan(2);
    const earlier = (await q(`SELECT id FROM archive_checks`)).map((c) => c.id);
    const [{ lastOutbox }] = await q(`SELECT coalesce(max(id), 0)::bigint AS "lastOutbox" FROM outbox`);
    // Nothing is due yet: every package was checked at ingest moments ago.
    expect(await archive.auditDue(24 * 3600)).toEqual({ checked: 0, failed: 0 });
    await q(`UPDATE archive_packages SET last_checked_at = now() - interval '2 days'`);
    // Four looks at once, each in its own transactions, as four api processes would.
    const rounds = await Promise.all([1, 2, 3, 4].map(() => archive.auditDue(24 * 3600)));
    const perPackage = await q(
      `SELECT package_id, count(*)::int AS checks FROM archive_checks WHERE NOT id = ANY($1::uuid[]) AND kind = 'audit' GROUP BY package_id`,
      [earlier],
    );
    const failed = rounds.reduce((sum, r) => sum + r.failed, 0);
    const alerts = await q(`SELECT 1 FROM outbox WHERE id > $1 AND topic = 'archive.fixity-failed'`, [lastOutbox]);
    expect(rounds.reduce((sum, r) => sum + r.checked, 0)).toBe(n);
    expect(perPackage).toHaveLength(n);
    expect(perPackage.filter((p) => p.checks !== 1)).toEqual([]);
    expect(alerts).toHaveLength(failed);
    // Checked now, so due again only after the interval.
    expect(await archive.auditDue(24 * 3600)).toEqual({ checked: 0, failed: 0 });
  });
});
