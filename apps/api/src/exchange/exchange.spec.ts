import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { createCertificateAuthority, generateSm2KeyPair, issueCertificate } from '@zhengwu/seal';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../platform/http-app';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { attach } from '../../../../test/support/attach';
import { startWorkerProcess, type WorkerProcess } from '../../../../test/support/worker-process';
import { EXCHANGE_FORMAT, fileEntry, signEnvelope, type DocumentEnvelope, type SignedEnvelope } from './envelope';
import { ArchiveService } from '../archive/archive.service';
import { EXCHANGE_MEDIA_TYPE, ExchangeService } from './exchange.service';
import { ExchangeIdentity } from './exchange-identity';

/**
 * Two deployments in one test, each with its own database, DATA_DIR (CA and exchange key) and port: the ministry
 * (MLR, with the workers that render its documents) sends a 发文 to 江苏省厅 on the provincial deployment (JSZRT).
 */
describe('公文交换 between two deployments', () => {
  jest.setTimeout(120_000);
  const WORKER_TOKEN = 'exchange-spec-worker-token';
  let mlr: TestApp;
  let js: TestApp;
  let jsApp: INestApplication; // the provincial api currently running (restarted in one test)
  let jsPort: number;
  let workers: WorkerProcess;
  const tokens: Record<string, string> = {};

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  type Row = any;
  const qm = (sql: string, params: unknown[] = []): Promise<Row[]> => mlr.app.get(DataSource).query(sql, params);
  const qj = (sql: string, params: unknown[] = []): Promise<Row[]> => js.db.dataSource.query(sql, params);
  const httpJs = () => request(jsApp.getHttpServer());
  const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const deliverFromMlr = () => mlr.app.get(ExchangeService).deliverDue();
  const deliverFromJs = () => jsApp.get(ExchangeService).deliverDue();

  const listen = async (app: INestApplication, port = 0): Promise<number> => {
    await app.listen(port, '127.0.0.1');
    return (app.getHttpServer().address() as { port: number }).port;
  };

  /** The administrator of `from` registers `to` from what `to` publishes at /api/exchange/identity. */
  const pair = async (from: TestApp, admin: string, to: TestApp, baseUrl: string) => {
    const identity = await to.http().get('/api/exchange/identity');
    expect(identity.status).toBe(200);
    const res = await from
      .http()
      .post('/api/exchange/partners')
      .set({ Authorization: `Bearer ${admin}` })
      .send({ organCode: identity.body.organCode, name: identity.body.organName, baseUrl, caCertificate: identity.body.caCertificate });
    expect([res.status, res.body.message]).toEqual([201, undefined]);
  };

  beforeAll(async () => {
    // The delivery loop is driven by the test (deliverDue); the interval would only race it.
    mlr = await createTestApp({ WORKER_TOKEN, EXCHANGE_ORGAN_CODE: 'MLR', EXCHANGE_ORGAN_NAME: '自然资源部', EXCHANGE_POLL_MS: '3600000' });
    js = await createTestApp({ EXCHANGE_ORGAN_CODE: 'JSZRT', EXCHANGE_ORGAN_NAME: '江苏省自然资源厅', EXCHANGE_POLL_MS: '3600000' });
    jsApp = js.app;
    const mlrPort = await listen(mlr.app);
    jsPort = await listen(js.app);
    workers = await startWorkerProcess(`http://127.0.0.1:${mlrPort}`, WORKER_TOKEN);
    for (const name of ['lina', 'yangfan', 'zhangwei', 'admin']) tokens[name] = await mlr.login(name);
    tokens['js.shouwen'] = await js.login('js.shouwen');
    tokens['js.admin'] = await js.login('admin');
    await pair(mlr, tokens.admin, js, `http://127.0.0.1:${jsPort}`);
    await pair(js, tokens['js.admin'], mlr, `http://127.0.0.1:${mlrPort}`);
  });
  afterAll(async () => {
    await workers?.stop();
    await mlr?.close();
    if (jsApp !== js?.app) await jsApp?.close();
    await js?.close();
  });

  const step = async (who: string, instanceId: string, activityId: string) => {
    const [task] = await qm(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open' AND activity_id = $2`, [
      instanceId,
      activityId,
    ]);
    expect(task).toBeDefined();
    const res = await mlr.http().post(`/api/tasks/${task.id}/actions`).set(auth(who)).send({ action: 'approve' });
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };
  const waitUntil = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
    for (const started = Date.now(); Date.now() - started < ms;) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  /** lina drafts a 通知 to a local unit and to 江苏省厅 on the partner deployment; it is signed and rendered. */
  const sendDocument = async (title: string, unitCode = '320000'): Promise<string> => {
    const [local] = await qm(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const created = await mlr
      .http()
      .post('/api/documents')
      .set(auth('lina'))
      .send({ docType: '通知', title, urgency: '加急', body: '江苏省自然资源厅：现将有关事项通知如下。', mainRecipients: [local.id] });
    expect(created.status).toBe(201);
    const partnerRecipients = await mlr
      .http()
      .put(`/api/exchange/documents/${created.body.id}/partner-recipients`)
      .set(auth('lina'))
      .send({ recipients: [{ organCode: 'JSZRT', unitCode, unitName: '江苏省自然资源厅', kind: '主送' }] });
    expect([partnerRecipients.status, partnerRecipients.body.message]).toEqual([200, undefined]);
    await step('lina', created.body.instanceId, 'draft');
    await step('yangfan', created.body.instanceId, 'review');
    await step('zhangwei', created.body.instanceId, 'sign');
    await waitUntil(
      '排版 and 分发',
      async () => (await qm(`SELECT 1 FROM exchange_outgoing WHERE document_id = $1`, [created.body.id])).length > 0,
    );
    return created.body.id as string;
  };
  const outgoingOf = async (documentId: string) => (await qm(`SELECT * FROM exchange_outgoing WHERE document_id = $1`, [documentId]))[0];
  const partnerStatus = async (documentId: string) =>
    (await mlr.http().get(`/api/exchange/documents/${documentId}/partner-recipients`).set(auth('lina'))).body as Row[];

  let firstPackage: { id: string; body: Buffer };

  it('publishes an exchange certificate issued by the deployment CA that names the organ (read by OpenSSL)', async () => {
    const identity = (await mlr.http().get('/api/exchange/identity')).body;
    const cert = new X509Certificate(identity.certificate);
    const ca = new X509Certificate((await mlr.http().get('/api/seals/ca.crt')).text);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subject).toContain('OU=MLR');
    expect(new X509Certificate(identity.caCertificate).fingerprint256).toBe(ca.fingerprint256);
    const partners = (await js.http().get('/api/exchange/partners').set(auth('js.admin'))).body;
    expect(partners).toEqual([
      expect.objectContaining({ organCode: 'MLR', caFingerprint: ca.fingerprint256.replaceAll(':', '').toLowerCase() }),
    ]);
  });

  it('delivers a signed package that becomes a 收文 of 江苏省厅, and its signed 签收 updates the sender', async () => {
    const documentId = await sendDocument('关于开展跨系统公文交换试点的通知');
    expect((await partnerStatus(documentId))[0]).toEqual(
      expect.objectContaining({ unitCode: '320000', status: '待送达', delivery: 'pending' }),
    );
    expect(await deliverFromMlr()).toBe(1);
    const out = await outgoingOf(documentId);
    expect(out).toEqual(expect.objectContaining({ delivery: 'delivered', status: '已送达', attempts: 0 }));
    firstPackage = { id: out.id, body: out.body };

    const [doc] = await qm(`SELECT doc_number FROM documents WHERE id = $1`, [documentId]);
    const inbox = await httpJs().get('/api/exchange/incoming').set(auth('js.shouwen'));
    expect(inbox.status).toBe(200);
    expect(inbox.body).toEqual([
      expect.objectContaining({
        packageId: out.id,
        fromOrgan: 'MLR',
        status: '已送达',
        kind: '主送',
        document: expect.objectContaining({ docNumber: doc.doc_number, title: '关于开展跨系统公文交换试点的通知', issuingUnit: '规划司' }),
      }),
    ]);
    // The PDF arrived as sent: the stored package carries the same bytes the sender's attachment store holds.
    const [received] = await qj(`SELECT body FROM exchange_incoming WHERE package_id = $1`, [out.id]);
    const pkg = JSON.parse(received.body.toString('utf8')) as SignedEnvelope & DocumentEnvelope;
    const [pdf] = await qm(`SELECT a.size FROM documents d JOIN attachments a ON a.id = d.pdf_attachment_id WHERE d.id = $1`, [documentId]);
    expect(Buffer.from(pkg.files[0].content, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(pkg.files[0].size).toBe(Number(pdf.size));

    // Only the addressed unit sees and answers it: 浙江's clerk on the same deployment gets 404, as for no package.
    const zj = await js.login('zj.shouwen');
    expect(
      (
        await httpJs()
          .get('/api/exchange/incoming')
          .set({ Authorization: `Bearer ${zj}` })
      ).body,
    ).toEqual([]);
    const foreign = await httpJs()
      .post(`/api/exchange/incoming/${out.id}/sign`)
      .set({ Authorization: `Bearer ${zj}` });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'NOT_FOUND']);
    const pdfName = encodeURIComponent(pkg.files[0].name);
    const download = await httpJs()
      .get(`/api/exchange/incoming/${out.id}/files/${pdfName}`)
      .set(auth('js.shouwen'))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect([download.status, download.headers['content-type']]).toEqual([200, 'application/pdf']);
    const [sent] = await qm(`SELECT a.sha256 FROM documents d JOIN attachments a ON a.id = d.pdf_attachment_id WHERE d.id = $1`, [
      documentId,
    ]);
    expect(
      createHash('sha256')
        .update(download.body as Buffer)
        .digest('hex'),
    ).toBe(sent.sha256);
    expect(
      (
        await httpJs()
          .get(`/api/exchange/incoming/${out.id}/files/${pdfName}`)
          .set({ Authorization: `Bearer ${zj}` })
      ).status,
    ).toBe(404);
    const signed = await httpJs().post(`/api/exchange/incoming/${out.id}/sign`).set(auth('js.shouwen'));
    expect([signed.status, signed.body.message]).toEqual([200, undefined]);
    expect(await deliverFromJs()).toBe(1);
    expect((await partnerStatus(documentId))[0]).toEqual(expect.objectContaining({ status: '已签收', statusAt: expect.any(String) }));
    const [audit] = await qm(`SELECT detail FROM audit_log WHERE action = 'exchange.receipt' AND object_id = $1`, [out.id]);
    expect(audit.detail).toEqual(expect.objectContaining({ from: 'JSZRT', result: '签收' }));
  });

  it('makes the received package a 收文 with its own case: 收文编号, 拟办, 批办, 承办, 处理笺 and an archive package of the document as signed', async () => {
    const [receipt] = await qj(`SELECT * FROM document_receipts WHERE exchange_package_id = $1`, [firstPackage.id]);
    expect(receipt).toEqual(expect.objectContaining({ document_id: null, status: '已签收', kind: '主送' }));
    expect(receipt.receipt_number).toEqual(expect.any(String));
    // In the unit's 收文 list beside local ones, named by the issuing organ, with nothing to open locally.
    const list = await httpJs().get('/api/documents?box=received').set(auth('js.shouwen'));
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: null,
          receiptId: receipt.id,
          exchangePackageId: firstPackage.id,
          fromOrgan: 'MLR',
          unitName: '自然资源部规划司',
          title: '关于开展跨系统公文交换试点的通知',
          receiptStatus: '已签收',
        }),
      ]),
    );
    const filtered = await httpJs().get('/api/documents?box=received&q=跨系统&docType=通知').set(auth('js.shouwen'));
    expect(filtered.body.items.map((i: Row) => i.receiptId)).toContain(receipt.id);
    const detail = await httpJs().get(`/api/documents/receipts/${receipt.id}`).set(auth('js.shouwen'));
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual(
      expect.objectContaining({
        fromOrgan: 'MLR',
        issuer: '自然资源部规划司',
        sealStatus: expect.any(String),
        files: expect.arrayContaining([expect.objectContaining({ role: 'pdf' })]),
        openTasks: [expect.objectContaining({ activityId: 'propose', name: '拟办' })],
      }),
    );
    const zj = await js.login('zj.shouwen');
    expect(
      (
        await httpJs()
          .get(`/api/documents/receipts/${receipt.id}`)
          .set({ Authorization: `Bearer ${zj}` })
      ).status,
    ).toBe(404);

    // 拟办 by the clerk, 批办 by the deputy director naming the 承办人, 承办: the case ends 办结.
    const act = async (who: string, activityId: string, variables?: Record<string, unknown>) => {
      const [task] = await qj(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open' AND activity_id = $2`, [
        receipt.instance_id,
        activityId,
      ]);
      expect(task).toBeDefined();
      tokens[who] ??= await js.login(who);
      const res = await httpJs()
        .post(`/api/tasks/${task.id}/actions`)
        .set(auth(who))
        .send({ action: 'approve', comment: `${activityId} 意见`, variables });
      expect([res.status, res.body.message]).toEqual([200, undefined]);
    };
    const [handler] = await qj(`SELECT id FROM users WHERE username = 'js.nigao'`);
    // The clerk's 拟办 note hangs on the receipt (a partner's document has no local record); another unit cannot add one.
    const note = await attach(js, tokens['js.shouwen'], 'document-receipt', receipt.id, '拟办意见.pdf');
    expect([note.status, note.body.message]).toEqual([201, undefined]);
    expect((await attach(js, zj, 'document-receipt', receipt.id)).status).toBe(404);
    await act('js.shouwen', 'propose');
    await act('js.shenpi', 'instruct', { handler: handler.id });
    await act('js.nigao', 'handle');
    const [done] = await qj(`SELECT status, handler_id FROM document_receipts WHERE id = $1`, [receipt.id]);
    expect(done).toEqual({ status: '办结', handler_id: handler.id });

    // The 收文处理笺 prints the sender's data.
    const sheet = await httpJs().get(`/api/documents/receipts/${receipt.id}/sheet.pdf`).set(auth('js.shouwen'));
    expect([sheet.status, sheet.headers['content-type']]).toEqual([200, 'application/pdf']);

    // The archive package holds the PDF exactly as the ministry signed it, with the issuing organ as 责任者.
    const archived = await js.app.get(ArchiveService).archiveCase(receipt.instance_id);
    const [pkg] = await qj(`SELECT responsible FROM archive_packages WHERE id = $1`, [archived.id]);
    expect(pkg.responsible).toBe('自然资源部规划司');
    const files = await qj(`SELECT name, role, sha256 FROM archive_items WHERE package_id = $1 ORDER BY name`, [archived.id]);
    const [sent] = await qm(
      `SELECT a.sha256 FROM documents d JOIN attachments a ON a.id = d.pdf_attachment_id JOIN exchange_outgoing o ON o.document_id = d.id WHERE o.id = $1`,
      [firstPackage.id],
    );
    expect(files).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: 'document', sha256: sent.sha256 }),
        expect.objectContaining({ role: 'attachment', name: expect.stringContaining('拟办意见') }),
      ]),
    );
    const check = await js.app.get(ArchiveService).runCheck(archived.id, 'manual');
    expect(check.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('accepts a replayed package once, also when the sender repeats after losing the answer', async () => {
    const replay = await httpJs()
      .post('/api/exchange/inbox')
      .set('Content-Type', EXCHANGE_MEDIA_TYPE)
      .send(firstPackage.body.toString('utf8'));
    expect([replay.status, replay.body]).toEqual([200, { packageId: firstPackage.id, duplicate: true }]);
    await qm(`UPDATE exchange_outgoing SET delivery = 'pending', next_attempt_at = now() WHERE id = $1`, [firstPackage.id]);
    expect(await deliverFromMlr()).toBe(1);
    expect(await qj(`SELECT status FROM exchange_incoming WHERE package_id = $1`, [firstPackage.id])).toEqual([{ status: '已签收' }]);
  });

  it('delivers a package once when two api processes of the sender run their delivery at the same moment', async () => {
    const second = await createHttpApp(mlr.config, mlr.db.url); // another api process on the same database and DATA_DIR
    await second.init();
    try {
      const documentId = await sendDocument('关于开展耕地保护督察的通知');
      const counts = await Promise.all([deliverFromMlr(), second.get(ExchangeService).deliverDue()]);
      expect(counts.sort()).toEqual([0, 1]);
      const out = await outgoingOf(documentId);
      expect(out).toEqual(expect.objectContaining({ delivery: 'delivered', attempts: 0 }));
      expect(await qj(`SELECT count(*)::int AS n FROM exchange_incoming WHERE package_id = $1`, [out.id])).toEqual([{ n: 1 }]);
      const [received] = await qj(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'exchange.received' AND object_id = $1`, [
        out.id,
      ]);
      expect(received.n).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('retries while the receiver is down and delivers once after it restarts', async () => {
    const documentId = await sendDocument('关于报送年度统计数据的通知');
    await jsApp.close();
    expect(await deliverFromMlr()).toBe(0);
    const failed = await outgoingOf(documentId);
    expect(failed).toEqual(
      expect.objectContaining({
        delivery: 'pending',
        status: '待送达',
        attempts: 1,
        last_error: expect.stringMatching(/ECONNREFUSED|fetch failed/),
      }),
    );
    expect(new Date(failed.next_attempt_at).getTime()).toBeGreaterThan(Date.now());
    // Not due yet: nothing is sent before the backoff has passed.
    expect(await deliverFromMlr()).toBe(0);

    // The same deployment comes back: its database and DATA_DIR, its port.
    jsApp = await createHttpApp(js.config, js.db.url);
    await jsApp.init();
    await listen(jsApp, jsPort);
    await waitUntil('the retry', async () => (await deliverFromMlr()) === 1, 10_000);
    expect(await outgoingOf(documentId)).toEqual(expect.objectContaining({ delivery: 'delivered', status: '已送达', attempts: 1 }));
    const out = await outgoingOf(documentId);
    expect(await qj(`SELECT count(*)::int AS n FROM exchange_incoming WHERE package_id = $1`, [out.id])).toEqual([{ n: 1 }]);

    // 退文 with a reason reaches the sender too.
    const refused = await httpJs()
      .post(`/api/exchange/incoming/${out.id}/refuse`)
      .set(auth('js.shouwen'))
      .send({ reason: '非本厅职责，请改送省统计局' });
    expect([refused.status, refused.body.message]).toEqual([200, undefined]);
    expect(await deliverFromJs()).toBe(1);
    expect((await partnerStatus(documentId))[0]).toEqual(
      expect.objectContaining({ status: '退文', refuseReason: '非本厅职责，请改送省统计局' }),
    );
  });

  it('does not send again what the partner refused, and shows the sender why', async () => {
    const documentId = await sendDocument('关于核实单位代码的通知', 'NO-SUCH-UNIT');
    expect(await deliverFromMlr()).toBe(0);
    expect(await outgoingOf(documentId)).toEqual(
      expect.objectContaining({
        delivery: 'failed',
        status: '被拒收',
        attempts: 1,
        last_error: expect.stringContaining('EXCHANGE_UNKNOWN_UNIT'),
      }),
    );
    expect((await partnerStatus(documentId))[0]).toEqual(
      expect.objectContaining({ status: '被拒收', lastError: expect.stringContaining('NO-SUCH-UNIT') }),
    );
    await qm(`UPDATE exchange_outgoing SET next_attempt_at = now() - interval '1 hour' WHERE document_id = $1`, [documentId]);
    expect(await deliverFromMlr()).toBe(0);
    expect((await outgoingOf(documentId)).attempts).toBe(1);

    // The administrator sees it set aside and may send it again (here it is refused again: the unit still does not exist).
    const out = await outgoingOf(documentId);
    const failed = await mlr.http().get('/api/exchange/outgoing/failed').set(auth('admin'));
    expect(failed.body).toEqual([expect.objectContaining({ id: out.id, organCode: 'JSZRT', unitCode: 'NO-SUCH-UNIT', status: '被拒收' })]);
    expect((await mlr.http().post(`/api/exchange/outgoing/${out.id}/retry`).set(auth('admin'))).status).toBe(200);
    expect(await outgoingOf(documentId)).toEqual(expect.objectContaining({ delivery: 'pending', status: '待送达', attempts: 0 }));
    expect(await deliverFromMlr()).toBe(0);
    expect(await outgoingOf(documentId)).toEqual(expect.objectContaining({ delivery: 'failed', status: '被拒收', attempts: 1 }));
    expect((await mlr.http().post(`/api/exchange/outgoing/${out.id}/retry`).set(auth('lina'))).status).toBe(403);
  });

  it('refuses a tampered package and one from an unknown sender, with the reason, and records both', async () => {
    const tampered = JSON.parse(firstPackage.body.toString('utf8')) as SignedEnvelope & DocumentEnvelope;
    tampered.packageId = '0b5c7d55-1d3e-4a7c-8f00-1a2b3c4d5e6f'; // a new package, so it cannot pass as a replay
    tampered.document.title = '关于暂停跨系统公文交换试点的通知';
    const bad = await httpJs().post('/api/exchange/inbox').set('Content-Type', EXCHANGE_MEDIA_TYPE).send(JSON.stringify(tampered));
    expect([bad.status, bad.body.code]).toEqual([422, 'EXCHANGE_BAD_SIGNATURE']);
    expect(bad.body.message).toContain('签名验证失败');

    const ca = createCertificateAuthority({ C: 'CN', O: '冒名机构', CN: '冒名根证书' });
    const key = generateSm2KeyPair();
    const certificate = issueCertificate(ca, {
      subject: { C: 'CN', O: '冒名机构', OU: 'EVIL', CN: '公文交换' },
      publicKey: key.publicKey,
      usage: 'signing',
      validYears: 1,
    });
    const forged: DocumentEnvelope = {
      format: EXCHANGE_FORMAT,
      type: 'document',
      packageId: '9d3a1c0e-6f7b-4c2d-8e9f-0a1b2c3d4e5f',
      createdAt: new Date().toISOString(),
      sender: { organCode: 'EVIL', organName: '冒名机构' },
      recipient: { organCode: 'JSZRT', unitCode: '320000', unitName: '江苏省自然资源厅', kind: '主送' },
      document: {
        docNumber: '伪〔2026〕1号',
        docType: '通知',
        title: '伪造的通知',
        urgency: '特急',
        secrecy: '非密',
        issuingUnit: '冒名机构',
        signedAt: new Date().toISOString(),
      },
      files: [fileEntry('pdf', '伪造.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n%%EOF\n'))],
    };
    const unknown = await httpJs()
      .post('/api/exchange/inbox')
      .set('Content-Type', EXCHANGE_MEDIA_TYPE)
      .send(JSON.stringify(signEnvelope(forged, { key, certificate, caCertificate: ca.certificate })));
    expect([unknown.status, unknown.body.code]).toEqual([403, 'EXCHANGE_UNKNOWN_SENDER']);

    // The refused package was refused twice (sent, then retried by the administrator), then the two forgeries.
    const refusals = await qj(`SELECT object_id, outcome, detail FROM audit_log WHERE action = 'exchange.refused' ORDER BY id`);
    expect(refusals).toEqual([
      expect.objectContaining({ outcome: 'failure', detail: expect.objectContaining({ code: 'EXCHANGE_UNKNOWN_UNIT' }) }),
      expect.objectContaining({ outcome: 'failure', detail: expect.objectContaining({ code: 'EXCHANGE_UNKNOWN_UNIT' }) }),
      expect.objectContaining({
        object_id: tampered.packageId,
        outcome: 'failure',
        detail: expect.objectContaining({ code: 'EXCHANGE_BAD_SIGNATURE' }),
      }),
      expect.objectContaining({
        object_id: forged.packageId,
        outcome: 'failure',
        detail: expect.objectContaining({ code: 'EXCHANGE_UNKNOWN_SENDER' }),
      }),
    ]);
    expect(await qj(`SELECT count(*)::int AS n FROM exchange_incoming`)).toEqual([{ n: 3 }]);
  });

  it('refuses a package its partner signed whose document data cannot be a 收文 here (文种, 密级, 签发时间), keeping nothing', async () => {
    const signer = mlr.app.get(ExchangeIdentity).current();
    const original = JSON.parse(firstPackage.body.toString('utf8')) as SignedEnvelope & DocumentEnvelope;
    const { signature: _s, ...unsigned } = original;
    const cases: [Partial<DocumentEnvelope['document']>, string][] = [
      [{ docType: '密电' }, '文种'],
      [{ secrecy: '绝密' }, '密级'],
      [{ signedAt: 'yesterday' }, '签发时间'],
      [{ title: '' }, '标题'],
    ];
    for (const [change, word] of cases) {
      const envelope: DocumentEnvelope = { ...unsigned, packageId: randomUUID(), document: { ...unsigned.document, ...change } };
      const res = await httpJs()
        .post('/api/exchange/inbox')
        .set('Content-Type', EXCHANGE_MEDIA_TYPE)
        .send(JSON.stringify(signEnvelope(envelope, signer)));
      expect([res.status, res.body.code]).toEqual([422, 'EXCHANGE_MALFORMED']);
      expect(res.body.message).toContain(word);
      expect(await qj(`SELECT 1 FROM exchange_incoming WHERE package_id = $1`, [envelope.packageId])).toEqual([]);
    }
  });
});
