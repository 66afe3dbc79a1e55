import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { DataSource } from 'typeorm';
import { renderOfficialDocument, type OfficialDocument } from '@zhengwu/pdf';
import { packOfd, unpackOfd, writeOfd } from '@zhengwu/ofd';
import { createCertificateAuthority, drawSealPng, generateSm2KeyPair, issueCertificate, makeSeal, sealOfd } from '@zhengwu/seal';
import { sampleLayout, testFonts } from '../../../../libs/ofd/src/testing/fixture';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { DemoCases } from '../seed/demo-cases';

/**
 * 用印 and 验章 over HTTP: the 印章管理员 makes the unit's seal, the 排版 worker (played here over its
 * routes, as the security fixture does) stores the PDF and the OFD, the case waits at 用印, and the seal
 * ends up in the OFD (GB/T 38540 signature) and on the PDF; 验章 tells valid, tampered and unknown.
 * The OFD is the libs/ofd test layout until libs/pdf lays the 公文 out as a Layout (issue 16).
 */
describe('电子印章: 用印 and 验章', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const WORKER_TOKEN = 'seals-spec-worker-token';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const worker = { Authorization: `Bearer ${WORKER_TOKEN}` };

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN });
    for (const who of ['lina', 'yangfan', 'zhangwei', 'sunli', 'xutao']) tokens[who] = await t.login(who);
  });
  afterAll(async () => {
    await t.close();
  });

  const step = async (who: string, instanceId: string, activityId: string) => {
    const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'`, [
      instanceId,
      activityId,
    ]);
    expect(task).toBeDefined();
    const res = await t.http().post(`/api/tasks/${task.id}/actions`).set(auth(who)).send({ action: 'approve', comment: '同意' });
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };

  /** lina drafts, yangfan reviews, zhangwei signs. */
  const issue = async (title: string): Promise<{ id: string; instanceId: string }> => {
    const [unit] = await q(`SELECT id FROM units WHERE code = '320000'`);
    const created = await t
      .http()
      .post('/api/documents')
      .set(auth('lina'))
      .send({
        docType: '通知',
        title,
        urgency: '平急',
        secrecy: '非密',
        body: '各有关单位：\n现将有关事项通知如下。',
        mainRecipients: [unit.id],
      });
    expect(created.status).toBe(201);
    await step('lina', created.body.instanceId, 'draft');
    await step('yangfan', created.body.instanceId, 'review');
    await step('zhangwei', created.body.instanceId, 'sign');
    return created.body;
  };

  /** 排版 as the worker does it, with the OFD beside the PDF. */
  const render = async (instanceId: string): Promise<void> => {
    const locked = await t
      .http()
      .post('/engine-rest/external-task/fetchAndLock')
      .set(worker)
      .send({ workerId: 'seals-spec', maxTasks: 10, topics: [{ topicName: 'document-render', lockDuration: 60_000 }] });
    const task = (locked.body as { id: string; processInstanceId: string; businessKey: string }[]).find(
      (x) => x.processInstanceId === instanceId,
    );
    expect(task).toBeDefined();
    const id = task!.businessKey;
    const data = (await t.http().get(`/api/worker/documents/${id}/official`).set(worker)).body as OfficialDocument;
    const pdf = await renderOfficialDocument(data);
    const ofd = await writeOfd(sampleLayout(drawSealPng({ name: '示范', pixels: 200 })), { fonts: testFonts });
    const storedPdf = await t
      .http()
      .put(`/api/worker/documents/${id}/official.pdf`)
      .set(worker)
      .set('Content-Type', 'application/pdf')
      .send(pdf);
    expect(storedPdf.status).toBe(200);
    const storedOfd = await t
      .http()
      .put(`/api/worker/documents/${id}/official.ofd`)
      .set(worker)
      .set('Content-Type', 'application/ofd')
      .send(ofd);
    expect([storedOfd.status, storedOfd.body.message]).toEqual([200, undefined]);
    const done = await t
      .http()
      .post(`/engine-rest/external-task/${task!.id}/complete`)
      .set(worker)
      .send({
        workerId: 'seals-spec',
        variables: {
          officialPdf: { value: storedPdf.body.attachmentId, type: 'String' },
          officialOfd: { value: storedOfd.body.attachmentId, type: 'String' },
        },
      });
    expect(done.status).toBe(204);
  };

  const storedFile = async (attachmentId: string): Promise<string> => {
    const [row] = await q(`SELECT sha256 FROM attachments WHERE id = $1`, [attachmentId]);
    return join(t.config.dataDir, 'files', row.sha256.slice(0, 2), row.sha256);
  };

  let sealId: string;
  let doc: { id: string; instanceId: string };

  it('only a 印章管理员 makes seals; the seal gets an SM2 key (encrypted at rest) and a certificate from the deployment CA', async () => {
    expect((await t.http().post('/api/seals').set(auth('lina')).send({})).status).toBe(403);
    const made = await t.http().post('/api/seals').set(auth('sunli')).send({ label: '公文专用章' });
    expect([made.status, made.body.message]).toEqual([201, undefined]);
    sealId = made.body.id;
    expect(made.body).toMatchObject({ name: '国土资源部规划司', status: 'active', imageSource: 'drawn' });
    expect((await t.http().post('/api/seals').set(auth('sunli')).send({})).status).toBe(409); // one active seal per unit

    const ca = await t.http().get('/api/seals/ca.crt'); // public: what outside verifiers trust
    expect(ca.status).toBe(200);
    const caCert = new X509Certificate(ca.text);
    expect(caCert.ca).toBe(true);
    const [row] = await q(`SELECT certificate, private_key_enc, public_key, image FROM seals WHERE id = $1`, [sealId]);
    const cert = new X509Certificate(row.certificate);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.subject).toContain('CN=国土资源部规划司');
    expect(row.private_key_enc).toMatch(/^v1:/);
    expect(row.private_key_enc).not.toMatch(/[0-9a-f]{64}/);
    const caFile = join(t.config.dataDir, 'seal-ca.json');
    expect(statSync(caFile).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(caFile, 'utf8')).privateKeyEnc).toMatch(/^v1:/);

    const image = await t.http().get(`/api/seals/${sealId}/image`).set(auth('sunli'));
    expect([image.status, image.headers['content-type']]).toEqual([200, 'image/png']);
    expect(Buffer.from(image.body as Buffer).equals(row.image)).toBe(true);
    expect((await t.http().get(`/api/seals/${sealId}/image`).set(auth('lina'))).status).toBe(403);
    expect((await t.http().get('/api/seals').set(auth('sunli'))).body).toHaveLength(1);
  });

  it('after 签发 and 排版 the case waits at 用印 for the unit’s 印章管理员, then distributes the sealed document', async () => {
    doc = await issue('关于开展电子印章试点工作的通知');
    await render(doc.instanceId);
    const [waiting] = await q(`SELECT status FROM documents WHERE id = $1`, [doc.id]);
    expect(waiting.status).toBe('用印');
    expect(await q(`SELECT 1 FROM document_receipts WHERE document_id = $1`, [doc.id])).toHaveLength(0);
    const todo = await t.http().get('/api/tasks?view=todo&limit=200').set(auth('sunli'));
    expect((todo.body.items as { activityId?: string; activity_id?: string; name: string }[]).some((x) => x.name === '用印')).toBe(true);
    const before = await t.http().get(`/api/documents/${doc.id}/seal`).set(auth('lina'));
    expect(before.body).toMatchObject({ sealed: false });
    expect(before.body.ofdAttachmentId).toBeTruthy();

    await step('sunli', doc.instanceId, 'seal');

    const [after] = await q(`SELECT status, pdf_attachment_id FROM documents WHERE id = $1`, [doc.id]);
    expect(after.status).toBe('分发');
    expect(await q(`SELECT 1 FROM document_receipts WHERE document_id = $1`, [doc.id])).toHaveLength(1);
    const seal = await t.http().get(`/api/documents/${doc.id}/seal`).set(auth('lina'));
    expect(seal.body).toMatchObject({ sealed: true, sealName: '国土资源部规划司', sealedByName: '孙丽' });
    // The OFD and PDF in the list are the sealed ones; the unsealed renderings were withdrawn.
    const files = (await t.http().get(`/api/attachments?ownerKind=document&ownerId=${doc.id}`).set(auth('lina'))).body as {
      id: string;
      name: string;
    }[];
    expect(files.map((f) => f.id).sort()).toEqual([seal.body.ofdAttachmentId, after.pdf_attachment_id].sort());
    const late = await t
      .http()
      .put(`/api/worker/documents/${doc.id}/official.ofd`)
      .set(worker)
      .set('Content-Type', 'application/ofd')
      .send(await writeOfd(sampleLayout(drawSealPng({ name: '示范', pixels: 200 })), { fonts: testFonts }));
    expect([late.status, late.body.code]).toEqual([409, 'ALREADY_SEALED']);
    const [audit] = await q(`SELECT detail FROM audit_log WHERE action = 'document.seal' AND object_id = $1`, [doc.id]);
    expect(audit.detail).toMatchObject({ sealName: '国土资源部规划司', pages: [1] });

    // The seal image sits on the PDF at the seal place (the test layout's: 120, 200, 42 × 42 mm on page 1).
    const pdf = readFileSync(await storedFile(after.pdf_attachment_id));
    const dir = mkdtempSync(join(tmpdir(), 'zw-seals-'));
    try {
      writeFileSync(join(dir, 'in.pdf'), pdf);
      const out = execFileSync(process.execPath, [
        join(__dirname, '../../../../libs/seal/src/testing/pdf-images.mjs'),
        join(dir, 'in.pdf'),
      ]);
      const [page1] = JSON.parse(out.toString('utf8')) as number[][][];
      expect(page1).toHaveLength(1);
      page1[0].map((v) => (v * 25.4) / 72).forEach((v, i) => expect(Math.abs(v - [120, 200, 42, 42][i])).toBeLessThan(0.05));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('验章 answers valid, names the seal, and is for those who may see the document', async () => {
    const v = await t.http().get(`/api/documents/${doc.id}/seal-verification`).set(auth('yangfan'));
    expect([v.status, v.body.status]).toEqual([200, 'valid']);
    expect(v.body.signatures[0]).toMatchObject({ status: 'valid', sealName: '国土资源部规划司', signer: '国土资源部规划司', pages: [1] });
    const ca = new X509Certificate((await t.http().get('/api/seals/ca.crt')).text);
    expect(v.body.caFingerprint).toBe(ca.fingerprint256.replace(/:/g, '').toLowerCase());
    expect((await t.http().get(`/api/documents/${doc.id}/seal-verification`).set(auth('xutao'))).status).toBe(404);
  });

  it('one changed byte of the stored OFD makes 验章 answer tampered, naming the page', async () => {
    const seal = (await t.http().get(`/api/documents/${doc.id}/seal`).set(auth('lina'))).body as { ofdAttachmentId: string };
    const file = await storedFile(seal.ofdAttachmentId);
    const original = readFileSync(file);
    const files = unpackOfd(original);
    const page = Buffer.from(files.get('Doc_0/Pages/Page_0/Content.xml') as Uint8Array);
    page[page.indexOf(Buffer.from('2026'))] = '3'.charCodeAt(0);
    files.set('Doc_0/Pages/Page_0/Content.xml', page);
    try {
      writeFileSync(file, packOfd(files));
      const v = await t.http().get(`/api/documents/${doc.id}/seal-verification`).set(auth('lina'));
      expect(v.body.status).toBe('tampered');
      expect(v.body.signatures[0].changed).toEqual([{ file: 'Doc_0/Pages/Page_0/Content.xml', change: 'modified' }]);
      // A byte flipped anywhere in the package is caught too.
      const flipped = Buffer.from(original);
      flipped[Math.floor(flipped.length / 2)] ^= 0x01;
      writeFileSync(file, flipped);
      expect((await t.http().get(`/api/documents/${doc.id}/seal-verification`).set(auth('lina'))).body.status).toBe('tampered');
    } finally {
      writeFileSync(file, original);
    }
    expect((await t.http().get(`/api/documents/${doc.id}/seal-verification`).set(auth('lina'))).body.status).toBe('valid');
  });

  it('an OFD sealed under another CA is an unknown seal', async () => {
    const seal = (await t.http().get(`/api/documents/${doc.id}/seal`).set(auth('lina'))).body as { ofdAttachmentId: string };
    const file = await storedFile(seal.ofdAttachmentId);
    const original = readFileSync(file);
    const [typeset] = await q(
      `SELECT a.sha256 FROM document_ofd o JOIN attachments a ON a.id = o.ofd_attachment_id WHERE o.document_id = $1`,
      [doc.id],
    );
    const unsealed = readFileSync(join(t.config.dataDir, 'files', typeset.sha256.slice(0, 2), typeset.sha256));
    const other = createCertificateAuthority({ C: 'CN', O: '政务办公平台', CN: '电子印章制章根证书（别处）' });
    const key = generateSm2KeyPair();
    const certificate = issueCertificate(other, {
      subject: { CN: '国土资源部规划司' },
      publicKey: key.publicKey,
      usage: 'signing',
      validYears: 1,
    });
    const forged = makeSeal({
      esId: 'FORGED1',
      name: '国土资源部规划司',
      signerCertificates: [certificate],
      picture: { png: drawSealPng({ name: '国土资源部规划司', pixels: 200 }), widthMm: 42, heightMm: 42 },
      validStart: new Date(Date.now() - 60_000),
      validEnd: new Date(Date.now() + 86_400_000),
      maker: other,
    });
    try {
      writeFileSync(file, sealOfd(unsealed, { seal: forged, certificate, key }, [{ page: 0, boundary: [120, 200, 42, 42] }]));
      const v = await t.http().get(`/api/documents/${doc.id}/seal-verification`).set(auth('lina'));
      expect(v.body.status).toBe('unknown');
      expect(v.body.signatures[0].problems.join('；')).toContain('不受信任');
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a unit without an active seal distributes right after 排版, and 验章 says unsigned', async () => {
    const revoked = await t.http().post(`/api/seals/${sealId}/revoke`).set(auth('sunli')).send({ reason: '印章更换' });
    expect([revoked.status, revoked.body.status]).toEqual([200, 'revoked']);
    // Once: a second 停用 is refused and leaves the first reason and a single audit entry.
    const again = await t.http().post(`/api/seals/${sealId}/revoke`).set(auth('sunli')).send({ reason: '再次停用' });
    expect([again.status, again.body.code]).toEqual([409, 'SEAL_REVOKED']);
    expect(await q(`SELECT revoke_reason FROM seals WHERE id = $1`, [sealId])).toEqual([{ revoke_reason: '印章更换' }]);
    expect(await q(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'seal.revoke' AND object_id = $1`, [sealId])).toEqual([
      { n: 1 },
    ]);
    const plain = await issue('关于报送年度统计数据的通知');
    await render(plain.instanceId);
    const [row] = await q(`SELECT status FROM documents WHERE id = $1`, [plain.id]);
    expect(row.status).toBe('分发');
    expect(await q(`SELECT 1 FROM tasks WHERE instance_id = $1 AND activity_id = 'seal'`, [plain.instanceId])).toHaveLength(0);
    const v = await t.http().get(`/api/documents/${plain.id}/seal-verification`).set(auth('lina'));
    expect(v.body.status).toBe('unsigned');

    // A new seal from an uploaded image: a transparent PNG only.
    const white = new PNG({ width: 300, height: 300 });
    white.data.fill(255);
    const opaque = await t
      .http()
      .post('/api/seals')
      .set(auth('sunli'))
      .send({ imagePng: PNG.sync.write(white).toString('base64') });
    expect(opaque.status).toBe(422);
    const uploaded = await t
      .http()
      .post('/api/seals')
      .set(auth('sunli'))
      .send({ name: '国土资源部规划司', imagePng: drawSealPng({ name: '规划司', pixels: 300 }).toString('base64') });
    expect([uploaded.status, uploaded.body.imageSource]).toEqual([201, 'uploaded']);

    // The demo seeder makes 规划司's seal the way 孙丽 would, once.
    await t.http().post(`/api/seals/${uploaded.body.id}/revoke`).set(auth('sunli')).send({ reason: '演示数据' }).expect(200);
    expect(await t.app.get(DemoCases).run(['seals'])).toEqual(['seals']);
    expect(await t.app.get(DemoCases).run(['seals'])).toEqual([]);
    const seals = (await t.http().get('/api/seals').set(auth('sunli'))).body as {
      status: string;
      label: string | null;
      imageSource: string;
    }[];
    expect(seals.filter((s) => s.status === 'active')).toEqual([expect.objectContaining({ label: '公文专用章', imageSource: 'drawn' })]);
  });
});
