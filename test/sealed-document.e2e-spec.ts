import { DataSource } from 'typeorm';
import { pdfText } from '../libs/ofd/src/testing/pdf-text';
import { readOfd } from '../libs/ofd/src/testing/read-ofd';
import { createTestApp, type TestApp } from './support/test-app';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

const PT_TO_MM = 25.4 / 72;

/**
 * A real 公文 sealed end to end: 规划司 has a seal; the document is drafted, reviewed and signed over HTTP; the
 * worker (its own process) lays it out once and writes the PDF and the OFD of that layout; the case waits at 用印
 * for the seal keeper, whose 同意 seals the OFD and stamps the PDF; 验章 says valid; the OFD read back by the
 * test's own reader has the PDF's pages and text, each character within 0.5 mm of where pdfjs reads it.
 */
describe('a 公文 typeset as PDF and OFD by the worker and sealed at 用印', () => {
  const TOKEN = 'e2e-worker-token-sealed-0123456789';
  let t: TestApp;
  let workers: WorkerProcess;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN: TOKEN });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    workers = await startWorkerProcess(`http://127.0.0.1:${port}`, TOKEN);
    for (const name of ['lina', 'yangfan', 'zhangwei', 'sunli']) tokens[name] = await t.login(name);
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${tokens[who]}`),
    post: (path: string, body: object = {}) => t.http().post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });
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
  const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> => {
    for (const started = Date.now(); Date.now() - started < ms;) {
      const value = await probe();
      if (value) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}\n${workers.output()}`);
  };
  const act = async (who: string, instanceId: string, activityId: string, comment: string) => {
    const [task] = await until(`${activityId} open`, async () => {
      const rows = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'`, [
        instanceId,
        activityId,
      ]);
      return rows.length > 0 ? rows : undefined;
    });
    const res = await as(who).post(`/api/tasks/${task.id}/actions`, { action: 'approve', comment });
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };

  it('seals the OFD the worker wrote from the same layout as the PDF, and 验章 finds it valid', async () => {
    const existing = await q(`SELECT 1 FROM seals s JOIN units u ON u.id = s.unit_id WHERE u.code = 'MLR-GHS' AND s.status = 'active'`);
    if (existing.length === 0) expect((await as('sunli').post('/api/seals', { label: '公文专用章' })).status).toBe(201);
    const [bgt] = await q(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const created = await as('lina').post('/api/documents', {
      docType: '通知',
      title: '关于做好2027年度电子公文用印工作的通知',
      body: '一、用印范围\n以部规划司名义印发的公文均加盖电子印章。\n二、工作要求\n请各单位按时办理。',
      mainRecipients: [bgt.id],
    });
    expect(created.status).toBe(201);
    const { id, instanceId } = created.body as { id: string; instanceId: string };
    await act('lina', instanceId, 'draft', '请审核');
    await act('yangfan', instanceId, 'review', '同意');
    await act('zhangwei', instanceId, 'sign', '同意印发');

    // 排版 by the worker: the case waits at 用印 with the typeset OFD.
    await act('sunli', instanceId, 'seal', '已核对，用印');
    const sealed = await until('用印 done', async () => {
      const [row] = await q(
        `SELECT o.sealed_ofd_attachment_id, o.sealed_pdf_attachment_id FROM document_ofd o WHERE o.document_id = $1 AND o.sealed_at IS NOT NULL`,
        [id],
      );
      return row;
    });
    const verification = await as('lina').get(`/api/documents/${id}/seal-verification`);
    expect(verification.status).toBe(200);
    expect(verification.body.status).toBe('valid');

    const ofd = await readOfd((await binary(`/api/attachments/${sealed.sealed_ofd_attachment_id}/content`, 'lina')).body as Buffer);
    const pdf = pdfText((await binary(`/api/attachments/${sealed.sealed_pdf_attachment_id}/content`, 'lina')).body as Buffer);
    expect(ofd.pages).toHaveLength(pdf.pages.length);
    const ofdText = ofd.pages.flatMap((p) => p.chars.map((c) => c.char)).join('');
    for (const part of ['国土资源部规划司文件', '关于做好2027年度电子公文用印工作的通知', '以部规划司名义印发的公文均加盖电子印章。'])
      expect(ofdText).toContain(part);
    // Character by character, the OFD puts the text where the PDF has it (pdfjs gives each item's first character).
    let compared = 0;
    for (const [i, page] of pdf.pages.entries()) {
      const chars = ofd.pages[i].chars;
      let k = 0;
      for (const item of page.items) {
        const first = Array.from(item.str).find((ch) => ch.trim() !== '');
        if (!first || Array.from(item.str)[0] !== first) continue;
        while (k < chars.length && chars[k].char !== first) k++;
        if (k >= chars.length) break;
        expect(Math.abs(chars[k].x - item.x * PT_TO_MM)).toBeLessThan(0.5);
        expect(Math.abs(chars[k].y - item.baseline * PT_TO_MM)).toBeLessThan(0.5);
        compared++;
        k++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  }, 180_000);
});
