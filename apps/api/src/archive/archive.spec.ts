import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { DataSource } from 'typeorm';
import { renderProcessingSheet } from '@zhengwu/pdf';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { EngineService } from '../engine/engine.service';
import { X509Certificate, randomUUID } from 'node:crypto';
import { extractPdf } from '../../../../libs/pdf/src/testing/extract';
import { AttachmentsService } from '../files/attachments.service';
import { sha256Of, sm3Of, SM2_USER_ID, type Manifest } from './archive-format';
import { ArchiveService } from './archive.service';
import { validateMetadata } from './dat46-schema';
import { readMetadata } from './metadata-reader';

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

  /** The body of a response as text, whatever its media type. */
  const text = (req: ReturnType<ReturnType<TestApp['http']>['get']>) =>
    req.buffer(true).parse((res, cb) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => cb(null, data));
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
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['metadata.xml', 'sm2-certificate.pem', 'sm2-public-key.txt', '办理单.pdf']);
    expect(readdirSync(dir).sort()).toEqual([
      'manifest.json',
      'manifest.sig',
      'metadata.xml',
      'sm2-certificate.pem',
      'sm2-public-key.txt',
      '办理单.pdf',
      '检测报告',
    ]);
    for (const f of manifest.files) {
      const body = readFileSync(join(dir, f.name));
      expect([f.size, f.sha256, f.sm3]).toEqual([body.length, sha256Of(body), sm3Of(body)]);
    }
    const items = await q(
      `SELECT name, sha256, sm3 FROM archive_items i JOIN archive_packages p ON p.id = i.package_id WHERE p.instance_id = $1`,
      [instanceId],
    );
    expect(items).toHaveLength(4);
    const publicKey = readFileSync(join(dir, 'sm2-public-key.txt'), 'utf8').trim();
    const signature = readFileSync(join(dir, 'manifest.sig'), 'utf8').trim();
    expect(sm2.doVerifySignature(manifestText, signature, publicKey, { hash: true, userId: SM2_USER_ID })).toBe(true);
    expect(sm2.doVerifySignature(manifestText.replace('Z001', 'Z002'), signature, publicKey, { hash: true, userId: SM2_USER_ID })).toBe(
      false,
    );
    const keyFile = JSON.parse(readFileSync(join(t.config.dataDir, 'archive-sm2.json'), 'utf8'));
    expect(keyFile.publicKey).toBe(publicKey);
    // Format 3: the manifest names the archive certificate, issued by the deployment CA the seals use.
    expect(manifest.formatVersion).toBe(3);
    const certPem = readFileSync(join(dir, 'sm2-certificate.pem'), 'utf8');
    const cert = new X509Certificate(certPem);
    expect(cert.serialNumber.toLowerCase()).toBe(manifest.signer!.serialNumber);
    const caRes = await text(t.http().get('/api/seals/ca.crt'));
    expect(cert.checkIssued(new X509Certificate(caRes.body as string))).toBe(true);
    const certRes = await text(t.http().get('/api/archive/certificate.pem').set('Authorization', `Bearer ${tokens.linfang}`));
    expect(certRes.status).toBe(200);
    expect(certRes.body).toBe(certPem);

    const xmlText = readFileSync(join(dir, 'metadata.xml'), 'utf8');
    expect((await validateMetadata(xmlText)).errors).toEqual([]);
    const meta = readMetadata(xmlText);
    expect(meta).toEqual(
      expect.objectContaining({
        version: 2,
        title: '关于开展2026年土地利用规划评估的通知',
        archiveNumber: res.body.archiveNumber,
        responsible: '规划司',
        // 立档单位 is the organ whose 全宗 this is, not the drafting department.
        organName: '国土资源部',
        fondsName: '国土资源部',
        urgency: '加急',
        pieces: 1,
      }),
    );
    expect(xmlText).toContain('<立档单位名称 编号="M6">国土资源部</立档单位名称>');
    expect(meta.events.map((e) => e.step)).toEqual(['发起', '拟稿', '处室审核', '领导签发', '办结']);
    const sheetDoc = meta.documents.find((d) => d.fileName === '办理单.pdf')!;
    expect([sheetDoc.sm3, sheetDoc.sha256]).toEqual([
      manifest.files.find((f) => f.name === '办理单.pdf')!.sm3,
      manifest.files.find((f) => f.name === '办理单.pdf')!.sha256,
    ]);
    const sheet = readFileSync(join(dir, '办理单.pdf'));
    expect(sheet.subarray(0, 5).toString()).toBe('%PDF-');

    const ingest = await q(
      `SELECT kind, ok, stage, report_file FROM archive_checks c JOIN archive_packages p ON p.id = c.package_id WHERE p.instance_id = $1`,
      [instanceId],
    );
    expect(ingest).toEqual([{ kind: 'ingest', ok: true, stage: 'GD', report_file: '检测报告/归档.pdf' }]);
    // The 归档 report is kept beside the package, printable, with every DA/T 70 item.
    const kept = await extractPdf(readFileSync(join(dir, '检测报告', '归档.pdf')));
    const keptText = kept.pages.flatMap((pg) => pg.items.map((i) => i.str)).join('');
    expect(keptText).toContain('电子档案四性检测报告（归档）');
    expect(keptText).toContain(res.body.archiveNumber);
    for (const code of ['GD-1-1', 'GD-1-14', 'GD-2-5', 'GD-3-8', 'GD-4-7']) expect(keptText).toContain(code);
    expect(keptText).toContain('不适用');

    // Idempotent: the second call answers the same package and builds nothing.
    const again = await worker(instanceId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(expect.objectContaining({ id: res.body.id, archiveNumber: res.body.archiveNumber, created: false }));
    expect(await q(`SELECT count(*)::int AS n FROM archive_packages`)).toEqual([{ n: 1 }]);

    const check = await as('linfang').check(res.body.id);
    expect(check.status).toBe(200);
    expect(check.body.ok).toBe(true);
    expect(check.body).toEqual(
      expect.objectContaining({ stage: 'BC', stageLabel: '长期保存', standard: 'DA/T 70-2018', formatVersion: 3 }),
    );
    expect(check.body.checks.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining([
        '真实性：BC-1-1 固化信息有效性检测',
        '完整性：BC-2-7 内容数据完整性检测',
        '可用性：BC-3-4 内容数据的可读性检测',
        '安全性：BC-4-2 病毒感染（恶意代码）检测',
      ]),
    );
    expect(check.body.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    const transfer = await t.http().post(`/api/archive/${res.body.id}/check?stage=YJ`).set('Authorization', `Bearer ${tokens.linfang}`);
    expect(transfer.status).toBe(200);
    expect(transfer.body.checks[0].code).toBe('YJ-1-1');
    expect(transfer.body.ok).toBe(true);
    const badStage = await t.http().post(`/api/archive/${res.body.id}/check?stage=XX`).set('Authorization', `Bearer ${tokens.linfang}`);
    expect(badStage.status).toBe(400);
    const printed = await t
      .http()
      .get(`/api/archive/${res.body.id}/report.pdf`)
      .set('Authorization', `Bearer ${tokens.linfang}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(printed.status).toBe(200);
    expect(printed.headers['content-type']).toBe('application/pdf');
    const printedText = (await extractPdf(printed.body as Buffer)).pages.flatMap((pg) => pg.items.map((i) => i.str)).join('');
    expect(printedText).toContain('电子档案四性检测报告（移交与接收）');
    expect(printedText).toContain('林芳');
    const xsd = await t.http().get('/api/archive/schema/metadata.xsd').set('Authorization', `Bearer ${tokens.linfang}`);
    expect(xsd.status).toBe(200);
    expect(xsd.text).toContain('<xs:element name="文件实体">');

    const list = await as('linfang').list(`?year=${year}&retention=Y&unit=GHS&keyword=规划评估`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { archiveNumber: string }) => p.archiveNumber)).toEqual([res.body.archiveNumber]);
    expect((await as('linfang').list('?keyword=没有这个题名')).body.items).toEqual([]);
    const detail = await as('linfang').get(res.body.id);
    expect(detail.status).toBe(200);
    expect(detail.body.files).toHaveLength(4);
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
    const digest = report.checks.find((c: { code: string }) => c.code === 'BC-1-1');
    expect(digest).toEqual(expect.objectContaining({ ok: false, status: 'fail', detail: expect.stringContaining('办理单.pdf') }));
    writeFileSync(sheetPath, original);
    expect((await as('linfang').check(altered.id)).body.ok).toBe(true);

    const deleted = (await worker(await endCase('删除测试通知'))).body;
    unlinkSync(join(archiveDir, deleted.archiveNumber, 'metadata.xml'));
    writeFileSync(join(archiveDir, deleted.archiveNumber, 'run.sh'), '#!/bin/sh\necho hi\n');
    const broken = (await as('linfang').check(deleted.id)).body;
    expect(broken.ok).toBe(false);
    const byCode = (code: string) => broken.checks.find((c: { code: string }) => c.code === code);
    expect(byCode('BC-2-7')).toEqual(expect.objectContaining({ ok: false, detail: expect.stringContaining('缺少文件 metadata.xml') }));
    expect(byCode('BC-4-3')).toEqual(expect.objectContaining({ ok: false, detail: expect.stringContaining('清单之外的文件 run.sh') }));
    expect(byCode('BC-4-2')).toEqual(expect.objectContaining({ ok: false, detail: expect.stringContaining('run.sh') }));

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

  it('archives a 收文 with the document it received, the issuing organ as 责任者 and its own organ as 立档单位', async () => {
    const engine = t.app.get(EngineService);
    const units: Record<string, string> = {};
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
    const [clerk] = await q(`SELECT id FROM users WHERE username = 'js.shouwen'`);
    // A document of 规划司, signed and distributed: its official PDF and one attachment.
    const documentId = randomUUID();
    const official = await renderSheetLike('关于报送耕地保护情况的通知');
    const ds = t.app.get(DataSource);
    const files = t.app.get(AttachmentsService);
    const year = new Date().getFullYear();
    const docNumber = `国土资规〔${year}〕901号`;
    const { pdfId, annexId } = await ds.transaction(async (m) => {
      const pdf = await files.storeGenerated(m, {
        ownerKind: 'document',
        ownerId: documentId,
        name: `${docNumber}.pdf`,
        content: official,
        uploadedBy: ids.zhangwei,
        unitId: units['MLR-GHS'],
      });
      const annex = await files.storeGenerated(m, {
        ownerKind: 'document',
        ownerId: documentId,
        name: '附件1 统计表.csv',
        content: Buffer.from('地区,面积\n江苏,100\n'),
        uploadedBy: ids.lina,
        unitId: units['MLR-GHS'],
      });
      await m.query(
        `INSERT INTO documents (id, unit_id, drafter_id, doc_type, title, urgency, main_recipients, cc_recipients, body, status, signer_id, signed_at,
           organ_code, doc_year, doc_seq, doc_number, pdf_attachment_id, disclosure)
         VALUES ($1,$2,$3,'通知','关于报送耕地保护情况的通知','平急',$4,$5,'正文','分发',$6,now(),'国土资规',$7,901,$8,$9,'主动公开')`,
        [documentId, units['MLR-GHS'], ids.lina, [units['MLR-BGT']], [units['320000']], ids.zhangwei, year, docNumber, pdf.id],
      );
      return { pdfId: pdf.id, annexId: annex.id };
    });
    // Two recipients; 江苏省厅 (抄送) signs for it and its case ends, 办公厅's stays open.
    await q(`INSERT INTO document_receipts (document_id, unit_id, kind) VALUES ($1, $2, '主送')`, [documentId, units['MLR-BGT']]);
    const [receipt] = await q(`INSERT INTO document_receipts (document_id, unit_id, kind) VALUES ($1, $2, '抄送') RETURNING id`, [
      documentId,
      units['320000'],
    ]);
    const { id: caseId } = await engine.startProcess('document-receipt', {
      businessKey: receipt.id,
      ownerUnitId: units['320000'],
      startedBy: ids.zhangwei,
      variables: {
        documentId,
        receiptId: receipt.id,
        kind: '抄送',
        title: '关于报送耕地保护情况的通知',
        urgency: '平急',
        docNumber,
        docType: '通知',
        senderUnit: '规划司',
        receiptDays: 3,
        handleDays: 10,
      },
    });
    await q(`UPDATE document_receipts SET instance_id = $2 WHERE id = $1`, [receipt.id, caseId]);
    const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'receive' AND status = 'open'`, [caseId]);
    await engine.completeTask(task.id, { userId: clerk.id, outcome: 'approve', comment: '已签收，知悉' });
    expect((await q(`SELECT status FROM process_instances WHERE id = $1`, [caseId]))[0].status).toBe('completed');

    const res = await worker(caseId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ responsible: '国土资源部规划司', docNumber, unitCode: '320000' }));
    const dir = join(archiveDir, res.body.archiveNumber);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    // The received document itself (the official PDF, first, as 正文) and its attachment, beside the 收文处理单.
    expect(manifest.files.map((f) => [f.name, f.role])).toEqual([
      [`01-${docNumber}.pdf`, 'document'],
      ['02-附件1 统计表.csv', 'attachment'],
      ['办理单.pdf', 'sheet'],
      ['sm2-public-key.txt', 'key'],
      ['sm2-certificate.pem', 'key'],
      ['metadata.xml', 'metadata'],
    ]);
    expect(sha256Of(readFileSync(join(dir, `01-${docNumber}.pdf`)))).toBe(sha256Of(official));
    const items = await q(
      `SELECT i.attachment_id FROM archive_items i JOIN archive_packages p ON p.id = i.package_id WHERE p.instance_id = $1 AND i.attachment_id IS NOT NULL ORDER BY i.name`,
      [caseId],
    );
    expect(items.map((i) => i.attachment_id)).toEqual([pdfId, annexId]);
    const xmlText = readFileSync(join(dir, 'metadata.xml'), 'utf8');
    expect((await validateMetadata(xmlText)).errors).toEqual([]);
    const meta = readMetadata(xmlText);
    expect(meta).toEqual(
      expect.objectContaining({ responsible: '国土资源部规划司', organName: '江苏省国土资源厅', docNumber, docType: '通知', pieces: 3 }),
    );
    expect(meta.documents[0]).toEqual(expect.objectContaining({ primary: true, role: '正文', formatName: 'PDF' }));
    // 公开属性 主动公开 opens the record (控制标识); the 收文编号 given at 签收 is kept in 附注.
    const [numbered] = await q(`SELECT receipt_number FROM document_receipts WHERE id = $1`, [receipt.id]);
    expect(numbered.receipt_number).toBeTruthy();
    expect(xmlText).toContain('<控制标识 编号="M74">开放</控制标识>');
    expect(xmlText).toContain(`<附注>收文编号：${numbered.receipt_number}；公开属性：主动公开</附注>`);
    const sheetText = (await extractPdf(readFileSync(join(dir, '办理单.pdf')))).pages.flatMap((pg) => pg.items.map((i) => i.str)).join('');
    expect(sheetText).toContain('收文处理单');
    expect(sheetText).toContain('国土资源部规划司');
    expect(sheetText).toContain('已签收，知悉');
    const ingest = await q(`SELECT ok, report FROM archive_checks WHERE package_id = $1`, [res.body.id]);
    expect(ingest[0].report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(ingest[0].ok).toBe(true);
  });

  /** A small PDF standing in for an official document (the 排版 worker is not part of this test). */
  const renderSheetLike = async (title: string): Promise<Buffer> =>
    Buffer.from(
      await renderProcessingSheet({
        heading: title,
        fields: [['发文字号', '国土资规']],
        steps: [],
        metadata: { title, author: '国土资源部规划司' },
      }),
    );

  it('exports a year as a signed DA/T 48 EEP for archivists, records it, and verifies an upload of it (and refuses it altered)', async () => {
    const year = new Date().getFullYear();
    const auth = { Authorization: `Bearer ${tokens.linfang}` };
    expect((await t.http().post('/api/archive/transfers').set('Authorization', `Bearer ${tokens.lina}`).send({ year })).status).toBe(403);
    expect((await t.http().post('/api/archive/transfers').set(auth).send({})).status).toBe(400);
    expect(
      (
        await t
          .http()
          .post('/api/archive/transfers')
          .set(auth)
          .send({ packageIds: [randomUUID()] })
      ).status,
    ).toBe(404);

    // A package altered in the store (an earlier test) fails 移交与接收: the year is refused, naming it.
    const refused = await t.http().post('/api/archive/transfers').set(auth).send({ year });
    expect(refused.status).toBe(409);
    const [altered] = await q(
      `SELECT archive_number AS n FROM archive_packages WHERE last_check_ok = false ORDER BY archive_number LIMIT 1`,
    );
    expect(refused.body.message).toMatch(new RegExp(`^以下档案未通过移交检测，不能移交：.*${altered.n}：真实性：YJ-`));

    const good: { id: string }[] = await q(
      `SELECT id FROM archive_packages WHERE year = $1 AND last_check_ok ORDER BY archive_number LIMIT 4`,
      [year],
    );
    expect(good.length).toBeGreaterThan(2);
    const res = await text(
      t
        .http()
        .post('/api/archive/transfers')
        .set(auth)
        .send({ packageIds: good.map((g) => g.id) }),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    const xml = res.body as string;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><电子文件封装包>/);
    const packages: { archiveNumber: string }[] = await q(
      `SELECT archive_number AS "archiveNumber" FROM archive_packages WHERE id = ANY($1::uuid[])`,
      [good.map((g) => g.id)],
    );
    for (const p of packages) expect(xml).toContain(`档号="${p.archiveNumber}"`);
    expect(xml.match(/<文件实体 /g)).toHaveLength(packages.length);
    // With each package's printable 移交与接收 report, as kept beside the package.
    for (const p of packages) {
      const pdf = new RegExp(`<文件实体 档号="${p.archiveNumber}">.*?<报告文件 [^>]*>([^<]+)</报告文件>`).exec(xml);
      expect(Buffer.from(pdf![1], 'base64').equals(readFileSync(join(archiveDir, p.archiveNumber, '检测报告', '移交与接收.pdf')))).toBe(
        true,
      );
    }
    // Each package was checked with the 移交与接收 set first, and that check recorded.
    const yj = await q(
      `SELECT count(DISTINCT package_id)::int AS n FROM archive_checks WHERE stage = 'YJ' AND ok AND package_id = ANY($1::uuid[])`,
      [good.map((g) => g.id)],
    );
    expect(yj[0].n).toBe(packages.length);

    const verify = (body: string) =>
      t
        .http()
        .post('/api/archive/transfers/verify')
        .set(auth)
        .attach('file', Buffer.from(body), { filename: 'eep.xml', contentType: 'application/xml' });
    const ok = await verify(xml);
    expect(ok.status).toBe(200);
    expect(ok.body.reasons).toEqual([]);
    expect(ok.body).toEqual(expect.objectContaining({ ok: true, creator: '国土资源部' }));
    expect(ok.body.packages).toHaveLength(packages.length);

    const bad = await verify(xml.replace(/(<条目 [^>]*题名=")/, '$1改'));
    expect(bad.body.ok).toBe(false);
    expect(bad.body.reasons[0]).toBe('电子签名验证失败：签名对象或签名结果已被改动');

    const list = await t.http().get('/api/archive/transfers').set(auth);
    expect(list.body.map((x: { direction: string; ok: boolean }) => [x.direction, x.ok])).toEqual([
      ['import', false],
      ['import', true],
      ['export', true],
    ]);
  });
});
