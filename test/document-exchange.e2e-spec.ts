import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { extractPdf } from '../libs/pdf/src/testing/extract';
import { SAMPLE_PDF } from './support/attach';
import { TestSmtp } from './support/smtp';
import { createTestApp, type TestApp } from './support/test-app';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

/**
 * Issue 5's whole path, with every part real: a document drafted, signed and sent over HTTP by the
 * demo people; the workers as their own process render it per GB/T 9704, mail over SMTP, and
 * archive the finished case; the package passes 四性检测 and fails it after tampering.
 */
describe('a document from draft to archive, through the real workers', () => {
  const TOKEN = 'e2e-worker-token-0123456789';
  let t: TestApp;
  let smtp: TestSmtp;
  let workers: WorkerProcess;
  const tokens: Record<string, string> = {};
  const units: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN: TOKEN });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    smtp = new TestSmtp();
    await smtp.start();
    workers = await startWorkerProcess(`http://127.0.0.1:${port}`, TOKEN, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    for (const name of ['lina', 'yangfan', 'zhangwei', 'js.shouwen', 'js.shenpi', 'js.nigao', 'zhaolei', 'linfang']) {
      tokens[name] = await t.login(name);
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(async () => {
    await workers?.stop();
    await smtp?.stop();
    await t?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const http = (who: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${tokens[who]}`),
    post: (path: string, body: object = {}) => t.http().post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });
  const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> => {
    for (const started = Date.now(); Date.now() - started < ms;) {
      const value = await probe();
      if (value) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}\n${workers.output()}`);
  };
  const act = async (who: string, instanceId: string, activityId: string, body: object) => {
    const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'`, [
      instanceId,
      activityId,
    ]);
    const res = await http(who).post(`/api/tasks/${task.id}/actions`, body);
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };
  const mailTo = (address: string, subjectPart: string) =>
    until(`mail to ${address} about ${subjectPart}`, async () =>
      smtp.received.find((r) => r.envelope.includes(address) && (r.mail.subject ?? '').includes(subjectPart)),
    );
  const binary = (path: string, who: string) =>
    t
      .http()
      .get(path)
      .set('Authorization', `Bearer ${tokens[who]}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
      });

  it('renders, mails and archives the case, and the archive detects tampering', async () => {
    const created = await http('lina').post('/api/documents', {
      docType: '通知',
      title: '关于报送2027年度信息化建设计划的通知',
      urgency: '加急',
      body: '各省、自治区、直辖市国土资源主管部门：\n为做好2027年度信息化建设统筹工作，现将有关事项通知如下。\n一、报送内容\n各单位于2027年1月31日前报送年度信息化建设计划。\n二、工作要求\n（一）高度重视。\n请各单位指定专人负责。',
      mainRecipients: [units['320000']],
      ccRecipients: [units['MLR-BGT']],
    });
    expect(created.status).toBe(201);
    const { id, instanceId } = created.body as { id: string; instanceId: string };
    const upload = await t
      .http()
      .post(`/api/attachments?ownerKind=document&ownerId=${id}`)
      .set('Authorization', `Bearer ${tokens.lina}`)
      .attach('file', SAMPLE_PDF, { filename: '2027年度信息化建设计划表.pdf' });
    expect(upload.status).toBe(201);
    await act('lina', instanceId, 'draft', { action: 'approve', comment: '请审核' });
    // The reviewers of 规划司 are told by mail, with a link to the task.
    const reviewMail = await mailTo('yangfan@mlr.example.gov.cn', '核稿');
    expect(reviewMail.mail.text).toContain('关于报送2027年度信息化建设计划的通知');
    expect(reviewMail.mail.messageId).toMatch(/^<outbox-\d+@zhengwu\.local>$/);
    await act('yangfan', instanceId, 'review', { action: 'approve', comment: '同意' });
    await act('zhangwei', instanceId, 'sign', { action: 'approve', comment: '同意印发' });

    // 排版: the worker's GB/T 9704 PDF comes back and the document goes out.
    const doc = await until('排版 and 分发', async () => {
      const [row] = await q(`SELECT doc_number, pdf_attachment_id FROM documents WHERE id = $1`, [id]);
      const sent = await q(`SELECT 1 FROM document_receipts WHERE document_id = $1`, [id]);
      return row.pdf_attachment_id && sent.length > 0 ? row : undefined;
    });
    const pdf = (await binary(`/api/attachments/${doc.pdf_attachment_id}/content`, 'lina')).body as Buffer;
    writeFileSync(join(t.config.dataDir, 'official.pdf'), pdf);
    const extracted = extractPdf(pdf);
    const text = extracted.pages.flatMap((p) => p.items.map((i) => i.str)).join('');
    for (const part of [
      '国土资源部规划司文件',
      doc.doc_number,
      '关于报送2027年度信息化建设计划的通知',
      '江苏省国土资源厅：',
      '附件：',
      '抄送：办公厅。',
    ]) {
      expect(text).toContain(part);
    }
    expect(extracted.info.Title).toBe('关于报送2027年度信息化建设计划的通知');

    // The recipient's clerk is mailed, signs for it, and the unit handles it; the copy is noted.
    const [js] = await q(`SELECT id, instance_id FROM document_receipts WHERE document_id = $1 AND unit_id = $2`, [id, units['320000']]);
    await mailTo('js.shouwen@js.example.gov.cn', '签收');
    expect((await http('js.shouwen').post(`/api/documents/receipts/${js.id}/sign`)).status).toBe(200);
    await act('js.shouwen', js.instance_id, 'propose', { action: 'approve', comment: '建议规划处办理' });
    const [nigao] = await q(`SELECT id FROM users WHERE username = 'js.nigao'`);
    await act('js.shenpi', js.instance_id, 'instruct', { action: 'approve', comment: '请沈佳承办', variables: { handler: nigao.id } });
    await act('js.nigao', js.instance_id, 'handle', { action: 'approve', comment: '已报送' });
    const [bgt] = await q(`SELECT id FROM document_receipts WHERE document_id = $1 AND unit_id = $2`, [id, units['MLR-BGT']]);
    expect((await http('zhaolei').post(`/api/documents/receipts/${bgt.id}/sign`)).status).toBe(200);

    // 归档: the worker archives the finished case; the package passes 四性检测 at ingest.
    await until(
      'archiving',
      async () => (await q(`SELECT status FROM process_instances WHERE id = $1`, [instanceId]))[0].status === 'completed',
    );
    const list = await http('linfang').get('/api/archive?unit=GHS&keyword=' + encodeURIComponent('信息化建设计划'));
    expect(list.status).toBe(200);
    // 规划司's 发文 case; each recipient's 收文 case is archived as its own package as well.
    expect(list.body.items).toHaveLength(1);
    const pkg = list.body.items[0] as { id: string; archiveNumber: string };
    await until('the recipients’ 收文 archived', async () => (await q(`SELECT count(*)::int AS n FROM archive_packages`))[0].n >= 3);
    expect(pkg.archiveNumber).toMatch(/^Z001-\d{4}-Y-GHS-\d{4}$/);
    const check = await http('linfang').post(`/api/archive/${pkg.id}/check`);
    expect(check.status).toBe(200);
    expect(check.body.ok).toBe(true);
    const families = new Set(check.body.checks.map((c: { name: string }) => c.name.split('：')[0]));
    expect([...families]).toEqual(['真实性', '完整性', '可用性', '安全性']);
    const dir = join(t.config.archiveDir, pkg.archiveNumber);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['办理单.pdf', 'metadata.xml', 'manifest.json', 'manifest.sig']));
    const official = files.find((f) => f.endsWith(`${doc.doc_number}.pdf`));
    expect(official).toBeDefined();

    // Someone changes the official PDF on disk: the check fails and names the file.
    writeFileSync(join(dir, official!), Buffer.concat([pdf, Buffer.from('\n% altered\n')]));
    const tampered = await http('linfang').post(`/api/archive/${pkg.id}/check`);
    expect(tampered.body.ok).toBe(false);
    const failed = tampered.body.checks.filter((c: { ok: boolean }) => !c.ok);
    expect(failed.map((c: { name: string }) => c.name)).toContain('真实性：BC-1-1 固化信息有效性检测');
    expect(failed.map((c: { detail: string }) => c.detail).join('\n')).toContain(official);
  });
});
