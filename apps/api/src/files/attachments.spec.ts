import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';

describe('attachments of a document', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let documentId: string;
  let instanceId: string;

  beforeAll(async () => {
    t = await createTestApp({ ATTACHMENT_MAX_MB: '1' });
    for (const name of ['lina', 'yangfan', 'js.shouwen']) tokens[name] = await t.login(name);
    const [js] = await q(`SELECT id FROM units WHERE code = '320000'`);
    const created = await t
      .http()
      .post('/api/documents')
      .set('Authorization', `Bearer ${tokens.lina}`)
      .send({ docType: '通知', title: '附件测试', body: '正文', mainRecipients: [js.id] });
    expect(created.status).toBe(201);
    ({ id: documentId, instanceId } = created.body);
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const upload = (who: string, name: string, content: Buffer, owner = documentId) =>
    t
      .http()
      .post(`/api/attachments?ownerKind=document&ownerId=${owner}`)
      .set('Authorization', `Bearer ${tokens[who]}`)
      .attach('file', content, { filename: name });
  const pdf = Buffer.from('%PDF-1.7\n% 2027年度信息化建设计划\n%%EOF\n');

  it('stores an upload by its digest, lists it with the document and gives it back as a download', async () => {
    const res = await upload('lina', '附件1：2027年度信息化建设计划表.pdf', pdf);
    expect(res.status).toBe(201);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(res.body).toEqual(
      expect.objectContaining({
        name: '附件1：2027年度信息化建设计划表.pdf',
        mime: 'application/pdf',
        size: pdf.length,
        sha256,
        uploadedBy: '李娜',
      }),
    );
    expect(existsSync(join(t.config.dataDir, 'files', sha256.slice(0, 2), sha256))).toBe(true);
    const doc = await t.http().get(`/api/documents/${documentId}`).set('Authorization', `Bearer ${tokens.lina}`);
    expect(doc.body.attachments.map((a: { id: string }) => a.id)).toEqual([res.body.id]);
    const download = await t
      .http()
      .get(`/api/attachments/${res.body.id}/content`)
      .set('Authorization', `Bearer ${tokens.yangfan}`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(download.status).toBe(200);
    expect(Buffer.compare(download.body as Buffer, pdf)).toBe(0);
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('附件1：2027年度信息化建设计划表.pdf')}`,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');
  });

  it('hides attachments from people who cannot see the document and refuses changes outside drafting', async () => {
    const [row] = await q(`SELECT id FROM attachments WHERE owner_id = $1 LIMIT 1`, [documentId]);
    expect((await t.http().get(`/api/attachments/${row.id}/content`).set('Authorization', `Bearer ${tokens['js.shouwen']}`)).status).toBe(
      404,
    );
    expect((await upload('js.shouwen', 'x.pdf', pdf)).status).toBe(404);
    // yangfan sees the document but is not drafting it.
    const locked = await upload('yangfan', 'x.pdf', pdf);
    expect([locked.status, locked.body.code]).toEqual([409, 'ATTACHMENTS_LOCKED']);
    // Once submitted, even the drafter cannot change attachments.
    const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [instanceId]);
    await t.http().post(`/api/tasks/${task.id}/actions`).set('Authorization', `Bearer ${tokens.lina}`).send({ action: 'approve' });
    expect((await upload('lina', 'late.pdf', pdf)).body.code).toBe('ATTACHMENTS_LOCKED');
    expect((await t.http().delete(`/api/attachments/${row.id}`).set('Authorization', `Bearer ${tokens.lina}`)).status).toBe(409);
  });

  it('refuses executables, lying names, oversized and empty files, with nothing stored', async () => {
    const other = await t
      .http()
      .post('/api/documents')
      .set('Authorization', `Bearer ${tokens.lina}`)
      .send({
        docType: '函',
        title: '拒收测试',
        body: '正文',
        mainRecipients: [(await q(`SELECT id FROM units WHERE code = '330000'`))[0].id],
      });
    const before = (await q(`SELECT count(*)::int AS n FROM attachments`))[0].n;
    const exe = await upload('lina', '说明.pdf', Buffer.from('MZ\x90\x00\x03\x00'), other.body.id);
    expect([exe.status, exe.body.code]).toEqual([415, 'FILE_TYPE_REFUSED']);
    const lying = await upload('lina', '正文.docx', pdf, other.body.id);
    expect([lying.status, lying.body.code]).toEqual([415, 'FILE_TYPE_MISMATCH']);
    expect((await upload('lina', 'big.pdf', Buffer.concat([pdf, Buffer.alloc(1024 * 1024 + 1, 0x20)]), other.body.id)).status).toBe(413);
    const empty = await upload('lina', 'empty.pdf', Buffer.alloc(0), other.body.id);
    expect(empty.status).toBe(400);
    const traversal = await upload('lina', '../../../etc/passwd.txt', Buffer.from('root:x:0:0\n'), other.body.id);
    expect([traversal.status, traversal.body.name]).toEqual([201, 'passwd.txt']);
    expect((await q(`SELECT count(*)::int AS n FROM attachments`))[0].n).toBe(before + 1);
    const noFile = await t
      .http()
      .post(`/api/attachments?ownerKind=document&ownerId=${other.body.id}`)
      .set('Authorization', `Bearer ${tokens.lina}`)
      .send({});
    expect([noFile.status, noFile.body.details?.[0]?.field]).toEqual([400, 'file']);
    expect((await upload('lina', 'a.pdf', pdf, 'not-a-uuid')).status).toBe(404);
    const kind = await t
      .http()
      .get(`/api/attachments?ownerKind=secret&ownerId=${documentId}`)
      .set('Authorization', `Bearer ${tokens.lina}`);
    expect(kind.status).toBe(400);
  });
});
