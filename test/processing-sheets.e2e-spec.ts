import { DataSource } from 'typeorm';
import { extractPdf, linesOf, type Extracted } from '../libs/pdf/src/testing/extract';
import { createTestApp, type TestApp } from './support/test-app';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

/**
 * 处理单 (issue 16, item 6): a 发文 through 核稿, 会签 by two units, 签发, 排版 by the real worker and 分发; one recipient
 * signs for it and handles it (拟办/批办/承办), another refuses it. The 发文稿纸 and the 收文处理笺 are fetched over HTTP
 * and read back with pdfjs (getTextContent): every fact and opinion is there, in the order the case went.
 */
describe('处理单: 发文稿纸 and 收文处理笺 as PDF', () => {
  const TOKEN = 'sheets-e2e-worker-token-0123456789';
  let t: TestApp;
  let workers: WorkerProcess;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const units: Record<string, string> = {};
  const PEOPLE = ['lina', 'yangfan', 'zhangwei', 'wufang', 'gaoyuan', 'js.shouwen', 'js.shenpi', 'js.nigao', 'zhaolei', 'zj.shouwen'];

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN: TOKEN });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    workers = await startWorkerProcess(`http://127.0.0.1:${port}`, TOKEN);
    for (const name of PEOPLE) {
      tokens[name] = await t.login(name);
      users[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const post = (who: string, path: string, body: object = {}) => t.http().post(path).set(auth(who)).send(body);
  const pdf = (who: string, path: string) =>
    t
      .http()
      .get(path)
      .set(auth(who))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
      });
  const act = async (who: string, instanceId: string, activityId: string, body: object) => {
    const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' ORDER BY created_at`, [
      instanceId,
      activityId,
    ]);
    expect(task).toBeDefined();
    const res = await post(who, `/api/tasks/${task.id}/actions`, body);
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };
  /** The countersign task of one unit (会签 runs one task per unit). */
  const countersign = async (who: string, instanceId: string, unit: string, comment: string) => {
    const [task] = await q(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'countersign' AND status = 'open' AND $2::uuid = ANY(candidate_units)`,
      [instanceId, units[unit]],
    );
    const res = await post(who, `/api/tasks/${task.id}/actions`, { action: 'approve', comment });
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };
  const until = async (what: string, probe: () => Promise<boolean>, ms = 30_000) => {
    for (const started = Date.now(); Date.now() - started < ms;) {
      if (await probe()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}\n${workers.output()}`);
  };
  const distributed = (id: string) =>
    until('排版 and 分发', async () => (await q(`SELECT 1 FROM document_receipts WHERE document_id = $1`, [id])).length > 0);
  /** lina drafts, yangfan reviews, zhangwei signs; the worker typesets and the document goes out. */
  const issue = async (title: string, extra: object = {}) => {
    const created = await post('lina', '/api/documents', {
      docType: '通知',
      title,
      body: '各有关单位：现将有关事项通知如下。',
      mainRecipients: [units['320000']],
      ...extra,
    });
    expect(created.status).toBe(201);
    const { id, instanceId } = created.body as { id: string; instanceId: string };
    await act('lina', instanceId, 'draft', { action: 'approve' });
    await act('yangfan', instanceId, 'review', { action: 'approve' });
    await act('zhangwei', instanceId, 'sign', { action: 'approve' });
    await distributed(id);
    return id;
  };
  const compact = (s: string) => s.replace(/\s+/g, '');
  /** Each visual line of the PDF, spaces removed, page by page, without the page footers. */
  const lines = (p: Extracted) =>
    p.pages.flatMap((page) => linesOf(page).map((l) => compact(l.text))).filter((l) => !/^第\d+页共\d+页$/.test(l));
  /** Asserts the parts appear in this order in the text and returns the text. */
  const inOrder = (text: string, parts: string[]) => {
    let from = -1;
    for (const part of parts) {
      const at = text.indexOf(part, from + 1);
      expect([part, at > from]).toEqual([part, true]);
      from = at;
    }
  };

  it('prints every step from 拟稿 to 分发 and each recipient’s 签收, and the 收文处理笺 with its opinions', async () => {
    const title = '关于开展国土资源信息化统计工作的通知';
    const created = await post('lina', '/api/documents', {
      docType: '通知',
      title,
      urgency: '加急',
      disclosure: '依申请公开',
      body: '各有关单位：为掌握信息化建设情况，现将统计工作有关事项通知如下。',
      mainRecipients: [units['320000'], units['MLR-BGT']],
      ccRecipients: [units['MLR-DCJ-BJ']],
      countersignUnits: [units['MLR-GBS'], units['MLR-KJS']],
    });
    expect(created.status).toBe(201);
    const { id, instanceId } = created.body as { id: string; instanceId: string };
    await act('lina', instanceId, 'draft', { action: 'approve', comment: '请核稿' });
    await act('yangfan', instanceId, 'review', { action: 'approve', comment: '文字已核，同意' });
    await countersign('wufang', instanceId, 'MLR-GBS', '耕保司无意见');
    await countersign('gaoyuan', instanceId, 'MLR-KJS', '科技司同意会签');
    await act('zhangwei', instanceId, 'sign', { action: 'approve', comment: '同意印发' });
    await distributed(id);
    const [doc] = await q(`SELECT doc_number, disclosure FROM documents WHERE id = $1`, [id]);
    expect(doc.disclosure).toBe('依申请公开');

    // 江苏 signs for it and handles it; 办公厅 refuses it; 北京督察局 (抄送) has not signed yet.
    const [js] = await q(`SELECT id, instance_id FROM document_receipts WHERE document_id = $1 AND unit_id = $2`, [id, units['320000']]);
    expect((await post('js.shouwen', `/api/documents/receipts/${js.id}/sign`)).status).toBe(200);
    await act('js.shouwen', js.instance_id, 'propose', { action: 'approve', comment: '拟请规划处办理' });
    await act('js.shenpi', js.instance_id, 'instruct', {
      action: 'approve',
      comment: '请规划处抓紧落实',
      variables: { handler: users['js.nigao'] },
    });
    await act('js.nigao', js.instance_id, 'handle', { action: 'approve', comment: '已按要求报送' });
    const [bgt] = await q(`SELECT id FROM document_receipts WHERE document_id = $1 AND unit_id = $2`, [id, units['MLR-BGT']]);
    expect((await post('zhaolei', `/api/documents/receipts/${bgt.id}/refuse`, { reason: '非本厅职责，误送' })).status).toBe(200);

    // 发文稿纸.
    const res = await pdf('lina', `/api/documents/${id}/sheet.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const sheet = extractPdf(res.body as Buffer);
    expect(sheet.info.Title).toBe(`${title}（发文稿纸）`);
    expect(sheet.info.Subject).toBe('发文稿纸');
    expect(sheet.info.Author).toBe('国土资源部规划司');
    expect(sheet.info.Keywords).toContain(doc.doc_number);
    const rows = lines(sheet);
    const text = rows.join('\n');
    for (const row of [
      '国土资源部规划司',
      '发文稿纸',
      `发文字号：${doc.doc_number}`,
      '文种通知紧急程度加急',
      '密级非密公开属性依申请公开',
      `标题${title}`,
      '主送江苏省国土资源厅、办公厅',
      '抄送国家土地督察北京局',
      '会签单位耕地保护司、科技与国际合作司',
      '份数3份（主送2、抄送1）',
      '校对平台未记录',
    ]) {
      expect(rows.some((r) => r.includes(row)) ? row : `${row}\n--- not in ---\n${text}`).toBe(row);
    }
    expect(rows.find((r) => r.startsWith('签发'))).toMatch(/^签发同意印发张伟\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(rows.find((r) => r.startsWith('拟稿单位'))).toMatch(/^拟稿单位规划司拟稿人李娜（\d{4}-\d\d-\d\d\d\d:\d\d）$/);
    // The steps in the case's order: each with its person and opinion on its row.
    const steps = rows.filter((r) => /^\d+(拟稿|核稿|会签|签发|排版|分发)/.test(r));
    inOrder(steps.join('\n'), [
      '1拟稿李娜规划司',
      '送核稿请核稿',
      '2核稿杨帆规划司',
      '同意文字已核，同意',
      '会签吴芳耕地保护司',
      '耕保司无意见',
      '会签高原科技与国际合作司',
      '科技司同意会签',
      '签发张伟规划司',
      '签发同意印发',
      '排版系统规划司',
      '完成GB/T9704PDF',
      '分发系统规划司',
      '3个单位：主送2、抄送1',
    ]);
    // 分发与签收: each recipient in the order of the 主送 and 抄送 lists, with who signed and when, or the 退文 and why.
    inOrder(text, ['分发与签收', '1江苏省国土资源厅主送', '已签收', '2办公厅主送', '退文', '3国家土地督察北京局抄送', '未签收']);
    expect(rows.find((r) => r.startsWith('1江苏省国土资源厅'))).toMatch(/已签收钱雪/);
    // The reason wraps in its narrow cell: its second line follows the row's first.
    const refusedRow = rows.findIndex((r) => r.startsWith('2办公厅'));
    expect(rows[refusedRow] + rows[refusedRow + 1]).toMatch(/退文赵磊.*非本厅职责，.*误送/);

    // 收文处理笺 of 江苏.
    const [receipt] = await q(`SELECT receipt_number, signed_at FROM document_receipts WHERE id = $1`, [js.id]);
    const year = new Date().toLocaleString('en-CA', { timeZone: 'Asia/Shanghai' }).slice(0, 4);
    expect(receipt.receipt_number).toMatch(new RegExp(`^.*收〔${year}〕1号$`));
    const res2 = await pdf('js.shouwen', `/api/documents/receipts/${js.id}/sheet.pdf`);
    expect(res2.status).toBe(200);
    const paper = extractPdf(res2.body as Buffer);
    expect(paper.info.Title).toBe(`${title}（收文处理笺）`);
    expect(paper.info.Author).toBe('江苏省国土资源厅');
    const rows2 = lines(paper);
    const text2 = rows2.join('\n');
    for (const row of [
      '江苏省国土资源厅',
      '收文处理笺',
      `收文编号：${receipt.receipt_number}`,
      `来文单位国土资源部规划司来文字号${doc.doc_number}`,
      `标题${title}`,
      '密级非密紧急程度加急',
      '文种通知主送/抄送主送',
      '承办人沈佳',
    ]) {
      expect(rows2.some((r) => r.includes(row)) ? row : `${row}\n--- not in ---\n${text2}`).toBe(row);
    }
    expect(rows2.find((r) => r.includes('收文日期'))).toContain(
      `收文日期${new Date(receipt.signed_at)
        .toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' })
        .replace(/\//g, '-')
        .replace(/^(\d+)-(\d+)-(\d+)$/, '$1年$2月$3日')}`,
    );
    inOrder(text2, ['办理意见', '签收签收', '拟办拟办拟请规划处办理', '批办批办请规划处抓紧落实承办人：沈佳', '承办办结已按要求报送']);
  });

  it('answers 404 to anyone outside the case, for either sheet', async () => {
    const id = await issue('关于核对信息化项目台账的通知');
    const [js] = await q(`SELECT id FROM document_receipts WHERE document_id = $1`, [id]);
    expect((await post('js.shouwen', `/api/documents/receipts/${js.id}/sign`)).status).toBe(200);
    // The sender's own people and its 签发人 may print the 发文稿纸; the recipient sees the document but not this.
    expect((await pdf('zhangwei', `/api/documents/${id}/sheet.pdf`)).status).toBe(200);
    expect((await t.http().get(`/api/documents/${id}`).set(auth('js.shouwen'))).status).toBe(200);
    for (const who of ['js.shouwen', 'zj.shouwen', 'wufang']) {
      const res = await pdf(who, `/api/documents/${id}/sheet.pdf`);
      expect([who, res.status]).toEqual([who, 404]);
    }
    // The 收文处理笺 is the receiving unit's: not the sender's, not another province's.
    expect((await pdf('js.shenpi', `/api/documents/receipts/${js.id}/sheet.pdf`)).status).toBe(200);
    for (const who of ['lina', 'zj.shouwen', 'zhaolei']) {
      const res = await pdf(who, `/api/documents/receipts/${js.id}/sheet.pdf`);
      expect([who, res.status]).toEqual([who, 404]);
    }
    expect((await pdf('lina', `/api/documents/not-a-uuid/sheet.pdf`)).status).toBe(404);
    expect((await pdf('lina', `/api/documents/00000000-0000-4000-8000-000000000000/sheet.pdf`)).status).toBe(404);
    expect((await t.http().get(`/api/documents/${id}/sheet.pdf`)).status).toBe(401);
  });

  it('numbers two 签收 at the same moment in one unit with distinct consecutive 收文编号', async () => {
    const a = await issue('关于报送第一季度信息化统计数据的通知');
    const b = await issue('关于报送第二季度信息化统计数据的通知');
    const receipts = await q(`SELECT id FROM document_receipts WHERE document_id = ANY($1::uuid[]) ORDER BY document_id`, [[a, b]]);
    expect(receipts).toHaveLength(2);
    const [{ before }] = await q(
      `SELECT COALESCE(max(receipt_seq), 0)::int AS before FROM document_receipts WHERE unit_id = $1 AND receipt_seq IS NOT NULL`,
      [units['320000']],
    );
    const signed = await Promise.all(receipts.map((r: { id: string }) => post('js.shouwen', `/api/documents/receipts/${r.id}/sign`)));
    expect(signed.map((s) => s.status)).toEqual([200, 200]);
    const numbered = await q(`SELECT receipt_seq, receipt_number FROM document_receipts WHERE id = ANY($1::uuid[]) ORDER BY receipt_seq`, [
      receipts.map((r: { id: string }) => r.id),
    ]);
    expect(numbered.map((r: { receipt_seq: number }) => r.receipt_seq)).toEqual([before + 1, before + 2]);
    expect(new Set(numbered.map((r: { receipt_number: string }) => r.receipt_number)).size).toBe(2);
    const [counter] = await q(`SELECT value FROM document_receipt_counters WHERE unit_id = $1`, [units['320000']]);
    expect(counter.value).toBe(before + 2);
    // A refused document gets no 收文编号.
    const c = await issue('关于误送公文的通知');
    const [refused] = await q(`SELECT id FROM document_receipts WHERE document_id = $1`, [c]);
    expect((await post('js.shouwen', `/api/documents/receipts/${refused.id}/refuse`, { reason: '非本厅职责' })).status).toBe(200);
    expect((await q(`SELECT receipt_number FROM document_receipts WHERE id = $1`, [refused.id]))[0].receipt_number).toBeNull();
  });

  it('takes 公开属性 at 拟稿 only, validated, and refuses it afterwards with nothing written', async () => {
    const draft = {
      docType: '通知',
      title: '关于公开属性认定的通知',
      body: '各有关单位：现将有关事项通知如下。',
      mainRecipients: [units['320000']],
    };
    const before = (await q(`SELECT count(*)::int AS n FROM documents`))[0].n;
    const bad = await post('lina', '/api/documents', { ...draft, disclosure: '部分公开' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('公开属性');
    const secret = await post('lina', '/api/documents', { ...draft, secrecy: '秘密', disclosure: '主动公开' });
    expect(secret.status).toBe(400);
    expect(JSON.stringify(secret.body)).toContain('不予公开');
    expect((await q(`SELECT count(*)::int AS n FROM documents`))[0].n).toBe(before);

    const created = await post('lina', '/api/documents', { ...draft, disclosure: '主动公开' });
    expect(created.status).toBe(201);
    const { id, instanceId } = created.body as { id: string; instanceId: string };
    // At 拟稿 the drafter may change it.
    const changed = await t
      .http()
      .put(`/api/documents/${id}`)
      .set(auth('lina'))
      .send({ ...draft, disclosure: '依申请公开' });
    expect(changed.status).toBe(200);
    expect((await t.http().get(`/api/documents/${id}`).set(auth('lina'))).body.disclosure).toBe('依申请公开');
    await act('lina', instanceId, 'draft', { action: 'approve' });
    const row = async () => (await q(`SELECT disclosure, updated_at, title FROM documents WHERE id = $1`, [id]))[0];
    const atReview = await row();
    // After 拟稿: nobody may set it, not the drafter and not the reviewer.
    for (const who of ['lina', 'yangfan']) {
      const late = await t
        .http()
        .put(`/api/documents/${id}`)
        .set(auth(who))
        .send({ ...draft, disclosure: '不予公开' });
      expect([who, late.status >= 400 && late.status < 500]).toEqual([who, true]);
    }
    expect(await row()).toEqual(atReview);
    // Nor through the step's variables: 核稿 takes no such field.
    const [review] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'review' AND status = 'open'`, [instanceId]);
    const smuggled = await post('yangfan', `/api/tasks/${review.id}/actions`, { action: 'approve', variables: { disclosure: '不予公开' } });
    expect(smuggled.status).toBe(400);
    expect(await row()).toEqual(atReview);
    await act('yangfan', instanceId, 'review', { action: 'approve' });
    const sheet = lines(extractPdf((await pdf('lina', `/api/documents/${id}/sheet.pdf`)).body as Buffer));
    expect(sheet.some((r) => r.includes('公开属性依申请公开'))).toBe(true);
  });
});
