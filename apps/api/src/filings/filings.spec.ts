import * as pdfLib from '@zhengwu/pdf';
import { DataSource } from 'typeorm';
import { extractPdf, linesOf } from '../../../../libs/pdf/src/testing/extract';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { attach } from '../../../../test/support/attach';
import { DemoCases } from '../seed/demo-cases';

// The real layouts, with the receipt's observable so one test can make it fail.
jest.mock('@zhengwu/pdf', () => {
  const actual = jest.requireActual<typeof pdfLib>('@zhengwu/pdf');
  return { ...actual, renderFilingReceipt: jest.fn(actual.renderFilingReceipt) };
});

describe('规划备案 (plan-filing)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let year: number;

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of ['js.nigao', 'js.shenpi', 'chenjing', 'liuhaiyan', 'zj.shenpi', 'nj.shenhe', 'lina', 'wangjianguo']) {
      tokens[name] = await t.login(name);
    }
    year = (await q(`SELECT EXTRACT(YEAR FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS y`))[0].y;
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => `Bearer ${tokens[who]}`;
  const as = (who: string) => ({
    create: (body: Record<string, unknown>) => t.http().post('/api/filings').set('Authorization', auth(who)).send(body),
    list: (query = '') => t.http().get(`/api/filings?${query}`).set('Authorization', auth(who)),
    get: (id: string) => t.http().get(`/api/filings/${id}`).set('Authorization', auth(who)),
    update: (id: string, body: Record<string, unknown>) => t.http().put(`/api/filings/${id}`).set('Authorization', auth(who)).send(body),
    submit: (id: string, comment?: string) =>
      t
        .http()
        .post(`/api/filings/${id}/submit`)
        .set('Authorization', auth(who))
        .send(comment ? { comment } : {}),
    receipt: (id: string) => t.http().get(`/api/filings/${id}/receipt`).set('Authorization', auth(who)),
    act: (taskId: string, body: Record<string, unknown>) =>
      t.http().post(`/api/tasks/${taskId}/actions`).set('Authorization', auth(who)).send(body),
  });
  const download = (who: string, attachmentId: string) =>
    t
      .http()
      .get(`/api/attachments/${attachmentId}/content`)
      .set('Authorization', auth(who))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
      });
  /** All text of a PDF, whitespace removed (long values wrap inside their table cell). */
  const pdfText = (pdf: ReturnType<typeof extractPdf>) =>
    pdf.pages
      .flatMap((p) => linesOf(p).map((l) => l.text))
      .join('')
      .replace(/\s+/g, '');
  const filing = (title: string, extra: Record<string, unknown> = {}) => ({
    kind: '信息化规划',
    title,
    periodStart: 2026,
    periodEnd: 2030,
    summary: '统筹全省国土资源信息化建设，建设省级国土资源云。',
    content: '一、现状与形势；二、总体要求；三、主要任务；四、保障措施。',
    contactName: '沈佳',
    contactPhone: '025-86658123',
    ...extra,
  });
  const openTask = async (filingId: string) =>
    (
      await q(
        `SELECT t.id, t.activity_id FROM tasks t JOIN filings f ON f.instance_id = t.instance_id WHERE f.id = $1 AND t.status = 'open'`,
        [filingId],
      )
    )[0] as { id: string; activity_id: string };
  const statusOf = async (id: string) => (await q(`SELECT status FROM filings WHERE id = $1`, [id]))[0].status as string;
  /** A filing of 江苏 signed off by its leader, waiting at 信息办. */
  const atRegister = async (title: string) => {
    const created = await as('js.nigao').create(filing(title));
    expect(created.status).toBe(201);
    expect((await as('js.nigao').submit(created.body.id)).status).toBe(200);
    expect((await as('js.shenpi').act((await openTask(created.body.id)).id, { action: 'approve', comment: '同意' })).status).toBe(200);
    expect(await statusOf(created.body.id)).toBe('待登记');
    return created.body.id as string;
  };

  it('files 江苏’s plan through leader sign-off and 信息办 registration, with a 备案号 and a receipt', async () => {
    const created = await as('js.nigao').create(filing('江苏省国土资源“十五五”信息化发展规划'));
    expect(created.status).toBe(201);
    expect(created.body).toEqual(expect.objectContaining({ status: '草稿', filingNo: null, unitName: '江苏省国土资源厅' }));
    expect(created.body.currentTasks).toEqual([expect.objectContaining({ activityId: 'draft', assigneeName: '沈佳' })]);
    const id = created.body.id as string;
    // Before the leader signs, 信息办 does not see the draft.
    expect((await as('chenjing').get(id)).status).toBe(404);
    expect((await as('js.nigao').receipt(id)).body.code).toBe('FILING_NOT_REGISTERED');

    expect((await as('js.nigao').submit(id, '请审定')).body.status).toBe('待审核');
    const sign = await openTask(id);
    expect(sign.activity_id).toBe('sign');
    expect((await as('js.shenpi').act(sign.id, { action: 'approve', comment: '同意报部备案' })).status).toBe(200);
    expect(await statusOf(id)).toBe('待登记');

    const listed = await as('chenjing').list(`status=${encodeURIComponent('待登记')}`);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(id);
    const register = await openTask(id);
    expect(register.activity_id).toBe('register');
    expect((await as('chenjing').act(register.id, { action: 'approve', comment: '予以备案' })).status).toBe(200);

    const done = await as('js.nigao').get(id);
    expect(done.body).toEqual(expect.objectContaining({ status: '已备案', filingNo: `国土资信备〔${year}〕1号` }));
    expect(done.body.history.map((h: { action: string }) => h.action)).toEqual(['approve', 'approve', 'approve']);
    expect(done.body.currentTasks).toEqual([]);
    const receipt = await as('js.nigao').receipt(id);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toEqual(
      expect.objectContaining({
        title: '备案回执',
        filingNo: `国土资信备〔${year}〕1号`,
        filingUnit: expect.objectContaining({ name: '江苏省国土资源厅' }),
        registrarUnit: expect.objectContaining({ name: '信息化工作领导小组办公室' }),
        registrar: expect.objectContaining({ name: '陈静' }),
      }),
    );
    expect((await as('chenjing').receipt(id)).status).toBe(200);

    // The 备案回执 PDF is stored with the filing, attributed to the registrar and 信息办.
    const attachmentId = receipt.body.pdfAttachmentId as string;
    expect(attachmentId).toEqual(expect.any(String));
    const [row] = await q(
      `SELECT a.owner_kind, a.owner_id, a.name, a.mime, a.is_generated, us.username, un.code AS unit_code
         FROM attachments a JOIN users us ON us.id = a.uploaded_by JOIN units un ON un.id = a.unit_id WHERE a.id = $1`,
      [attachmentId],
    );
    expect(row).toEqual({
      owner_kind: 'filing',
      owner_id: id,
      name: `备案回执-国土资信备〔${year}〕1号.pdf`,
      mime: 'application/pdf',
      is_generated: true,
      username: 'chenjing',
      unit_code: 'MLR-XXB',
    });
    const file = await download('js.nigao', attachmentId);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect((await download('chenjing', attachmentId)).status).toBe(200);
    for (const who of ['zj.shenpi', 'nj.shenhe', 'lina']) expect((await download(who, attachmentId)).status).toBe(404);
    const pdf = extractPdf(file.body as Buffer);
    expect(pdf.info.Title).toBe(`备案回执（国土资信备〔${year}〕1号）`);
    expect(pdf.info.Author).toBe('信息化工作领导小组办公室');
    const text = pdfText(pdf);
    for (const fact of [
      `备案号：国土资信备〔${year}〕1号`,
      '江苏省国土资源“十五五”信息化发展规划',
      '信息化规划',
      '江苏省国土资源厅',
      '陈静',
    ])
      expect(text).toContain(fact);
    // Dates are Beijing dates.
    const registered = new Date(done.body.registeredAt as string);
    const [y, mo, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(registered).split('-');
    expect(text).toContain(`${y}年${Number(mo)}月${Number(d)}日`);
    const [outbox] = await q(`SELECT payload FROM outbox WHERE topic = 'filing.registered' AND payload->>'filingId' = $1`, [id]);
    expect(outbox.payload.subject).toContain(`国土资信备〔${year}〕1号`);
    expect(outbox.payload.unitId).toBe((await q(`SELECT id FROM units WHERE code = '320000'`))[0].id);
  });

  it('hides 江苏’s filing from 浙江, from 江苏’s cities and from other departments; the ministry sees it', async () => {
    const id = await atRegister('江苏省不动产登记信息平台建设方案');
    for (const who of ['zj.shenpi', 'nj.shenhe', 'lina']) {
      expect((await as(who).get(id)).status).toBe(404);
      expect((await as(who).receipt(id)).status).toBe(404);
      expect((await as(who).list()).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
      expect((await as(who).update(id, { title: '篡改的标题内容' })).status).toBe(who === 'lina' ? 404 : 403);
    }
    expect((await as('zj.shenpi').act((await openTask(id)).id, { action: 'approve' })).status).toBe(404);
    expect((await as('wangjianguo').get(id)).status).toBe(200);
    expect((await as('js.shenpi').get(id)).status).toBe(200);
  });

  it('returns from the leader to 草稿, and from 信息办 for 补正, corrected via PUT and resubmitted', async () => {
    const created = await as('js.nigao').create(filing('江苏省遥感监测更新工程实施方案', { kind: '重大项目方案' }));
    const id = created.body.id as string;
    await as('js.nigao').submit(id);
    const sign = await openTask(id);
    expect((await as('js.shenpi').act(sign.id, { action: 'return' })).body.code).toBe('COMMENT_REQUIRED');
    expect((await as('js.shenpi').act(sign.id, { action: 'return', comment: '请补充投资估算' })).status).toBe(200);
    expect((await as('js.nigao').get(id)).body).toEqual(expect.objectContaining({ status: '草稿', lastOpinion: '请补充投资估算' }));
    expect((await as('js.nigao').submit(id)).body.status).toBe('待审核');
    await as('js.shenpi').act((await openTask(id)).id, { action: 'approve', comment: '同意' });
    // While 待登记 nobody may change the filing.
    expect((await as('js.nigao').update(id, { title: '江苏省遥感监测更新工程实施方案（修订）' })).body.code).toBe('FILING_NOT_EDITABLE');
    expect((await as('js.nigao').submit(id)).body.code).toBe('FILING_NOT_SUBMITTABLE');

    const register = await openTask(id);
    expect((await as('chenjing').act(register.id, { action: 'return', comment: '请补充与部数据标准的衔接说明' })).status).toBe(200);
    const returned = await as('js.nigao').get(id);
    expect(returned.body).toEqual(
      expect.objectContaining({ status: '需补正', lastOpinion: '请补充与部数据标准的衔接说明', filingNo: null }),
    );
    expect(returned.body.currentTasks).toEqual([expect.objectContaining({ activityId: 'draft' })]);
    const [note] = await q(`SELECT payload FROM outbox WHERE topic = 'filing.correction-requested' AND payload->>'filingId' = $1`, [id]);
    expect(note.payload.subject).toContain('补正');
    // 信息办 keeps seeing it but cannot correct it; the province corrects.
    expect((await as('chenjing').get(id)).status).toBe(200);
    expect((await as('chenjing').update(id, { title: '信息办改的标题' })).status).toBe(403);
    const fixed = await as('js.nigao').update(id, {
      kind: '信息化规划',
      content: '补充：与部“一张图”数据标准的衔接说明；投资估算 2600 万元。',
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.content).toContain('衔接说明');
    expect((await as('js.nigao').submit(id, '已补正')).body.status).toBe('待审核');
    // The next steps show the record as resubmitted: the case's 类别 follows the corrected one.
    const [variables] = await q(
      `SELECT c.variables->>'title' AS title, c.variables->>'kind' AS kind FROM cases c JOIN filings f ON f.instance_id = c.id WHERE f.id = $1`,
      [id],
    );
    expect(variables).toEqual({ title: '江苏省遥感监测更新工程实施方案', kind: '信息化规划' });
    await as('js.shenpi').act((await openTask(id)).id, { action: 'approve', comment: '同意' });
    await as('liuhaiyan').act((await openTask(id)).id, { action: 'approve', comment: '予以备案' });
    expect((await as('js.nigao').get(id)).body).toEqual(
      expect.objectContaining({ status: '已备案', filingNo: expect.stringMatching(/^国土资信备〔\d{4}〕\d+号$/) }),
    );
  });

  it('rolls the registration back, 备案号 included, when the receipt cannot be rendered', async () => {
    const id = await atRegister('江苏省回执生成失败测试方案');
    const counter = async () => (await q(`SELECT value FROM filing_counters WHERE year = $1`, [year]))[0]?.value ?? 0;
    const before = await counter();
    const task = await openTask(id);
    jest.mocked(pdfLib.renderFilingReceipt).mockRejectedValueOnce(new Error('font file missing'));
    const res = await as('chenjing').act(task.id, { action: 'approve', comment: '予以备案' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 'PDF_RENDER_FAILED', message: expect.stringContaining('备案回执') });
    expect((await q(`SELECT status, filing_no FROM filings WHERE id = $1`, [id]))[0]).toEqual({ status: '待登记', filing_no: null });
    expect(await counter()).toBe(before);
    expect((await q(`SELECT status FROM tasks WHERE id = $1`, [task.id]))[0].status).toBe('open');
    expect((await q(`SELECT count(*)::int AS n FROM attachments WHERE owner_id = $1`, [id]))[0].n).toBe(0);
    expect(
      (await q(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'filingId' = $1 AND topic = 'filing.registered'`, [id]))[0].n,
    ).toBe(0);
    // Once rendering works again the same task registers normally, with the next number.
    expect((await as('chenjing').act(task.id, { action: 'approve', comment: '予以备案' })).status).toBe(200);
    const receipt = await as('js.nigao').receipt(id);
    expect(receipt.body.filingNo).toBe(`国土资信备〔${year}〕${before + 1}号`);
    expect(receipt.body.pdfAttachmentId).toEqual(expect.any(String));
  });

  it('ends a filing 信息办 rejects as 已终止 with a notification', async () => {
    const id = await atRegister('江苏省某重复建设项目方案');
    expect((await as('chenjing').act((await openTask(id)).id, { action: 'reject', comment: '与部级系统重复建设' })).status).toBe(200);
    expect(await statusOf(id)).toBe('已终止');
    expect(
      (await q(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'filing.terminated' AND payload->>'filingId' = $1`, [id]))[0].n,
    ).toBe(1);
    expect((await as('js.nigao').receipt(id)).status).toBe(409);
  });

  it('refuses bad input with the field at fault, and writes nothing', async () => {
    const before = (await q(`SELECT (SELECT count(*) FROM filings)::int AS f, (SELECT count(*) FROM process_instances)::int AS i`))[0];
    const noKind = await as('js.nigao').create(filing('江苏省测试规划名称', { kind: '年度计划' }));
    expect(noKind.status).toBe(400);
    expect(noKind.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'kind' })]));
    const backwards = await as('js.nigao').create(filing('江苏省测试规划名称', { periodStart: 2030, periodEnd: 2026 }));
    expect(backwards.status).toBe(400);
    expect(backwards.body.details).toEqual([{ field: 'periodEnd', message: '不能早于起始年' }]);
    const phone = await as('js.nigao').create(filing('江苏省测试规划名称', { contactPhone: 'abc' }));
    expect(phone.body.details[0].field).toBe('contactPhone');
    expect((await as('js.nigao').create({ ...filing('江苏省测试规划名称'), extra: 1 })).status).toBe(400);
    // Only provinces file; a signer without the drafter role may not.
    expect((await as('lina').create(filing('规划司自己的规划'))).status).toBe(403);
    expect((await as('js.shenpi').create(filing('领导自己填报的规划'))).status).toBe(403);
    const after = (await q(`SELECT (SELECT count(*) FROM filings)::int AS f, (SELECT count(*) FROM process_instances)::int AS i`))[0];
    expect(after).toEqual(before);
    expect((await as('js.nigao').get('not-a-uuid')).status).toBe(404);
    expect((await as('js.nigao').list('limit=0')).status).toBe(400);
  });

  it('numbers filings registered at the same time without gaps or duplicates, and a lost race consumes no number', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await atRegister(`江苏省并发备案测试方案第${i + 1}号`));
    const tasks = await Promise.all(ids.map((id) => openTask(id)));
    const results = await Promise.all(
      tasks.map((task, i) => as(i % 2 ? 'chenjing' : 'liuhaiyan').act(task.id, { action: 'approve', comment: '予以备案' })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    // Two registrars on the same filing: one wins, one 409, one number.
    const last = await atRegister('江苏省并发备案测试方案第7号');
    const task = await openTask(last);
    const race = await Promise.all([
      as('chenjing').act(task.id, { action: 'approve', comment: '予以备案' }),
      as('liuhaiyan').act(task.id, { action: 'approve', comment: '予以备案' }),
    ]);
    // The loser finds the task closed (409) or, no longer a candidate of a closed task, not visible (404).
    expect(race.filter((r) => r.status === 200)).toHaveLength(1);
    expect(race.map((r) => r.status).sort()[1]).toBeGreaterThanOrEqual(404);
    const rows = await q(`SELECT filing_seq, filing_no FROM filings WHERE filing_year = $1 ORDER BY filing_seq`, [year]);
    expect(rows.map((r) => r.filing_seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.map((r) => r.filing_no)).toContain(`国土资信备〔${year}〕${rows.length}号`);
    expect((await q(`SELECT value FROM filing_counters WHERE year = $1`, [year]))[0].value).toBe(rows.length);
  });

  it('lists with filters and paging within the data scope', async () => {
    const mine = await as('js.nigao').list(`kind=${encodeURIComponent('信息化规划')}&limit=2`);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(2);
    expect(mine.body.total).toBeGreaterThan(2);
    expect(mine.body.items.every((i: { kind: string }) => i.kind === '信息化规划')).toBe(true);
    const page2 = await as('js.nigao').list(`kind=${encodeURIComponent('信息化规划')}&limit=2&offset=2`);
    expect(page2.body.items[0].id).not.toEqual(mine.body.items[0].id);
    const search = await as('chenjing').list(`keyword=${encodeURIComponent('遥感监测')}&year=${year}`);
    expect(search.body.items.map((i: { title: string }) => i.title)).toEqual(['江苏省遥感监测更新工程实施方案']);
    const registered = await as('chenjing').list(`status=${encodeURIComponent('已备案')}&limit=200`);
    expect(registered.body.items.every((i: { filingNo: string }) => /^国土资信备/.test(i.filingNo))).toBe(true);
    expect((await as('zj.shenpi').list()).body).toEqual({ items: [], total: 0 });
    expect((await as('js.nigao').list(`keyword=${encodeURIComponent("%' OR 1=1 --")}`)).body.items).toEqual([]);
  });

  it('seeds demo filings in different states', async () => {
    await q(`DELETE FROM demo_seeds`);
    const ran = await t.app.get(DemoCases).run(['plan-filing']);
    expect(ran).toContain('plan-filing');
    const rows = await q(
      `SELECT f.title, f.status, f.filing_no FROM filings f WHERE f.title IN
        ('江苏省国土资源“十五五”信息化发展规划', '江苏省不动产登记信息管理基础平台建设方案', '江苏省国土资源遥感监测“一张图”更新工程实施方案',
         '江苏省自然资源和不动产数据共享三年行动计划（2026—2028年）') AND f.filing_no IS DISTINCT FROM $1 ORDER BY f.created_at`,
      [`国土资信备〔${year}〕1号`],
    );
    expect(rows.map((r) => r.status)).toEqual(['已备案', '待登记', '需补正', '草稿']);
    expect(rows[0].filing_no).toMatch(/^国土资信备〔\d{4}〕\d+号$/);
    const [pdf] = await q(
      `SELECT a.name FROM attachments a JOIN filings f ON f.id = a.owner_id WHERE a.owner_kind = 'filing' AND a.is_generated AND f.filing_no = $1`,
      [rows[0].filing_no],
    );
    expect(pdf.name).toBe(`备案回执-${rows[0].filing_no}.pdf`);
  });

  it('lets the filing unit’s drafter attach the plan text while drafting, and nobody else', async () => {
    const created = await as('js.nigao').create(filing('附件测试规划'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await attach(t, tokens['js.nigao'], 'filing', id, '江苏省国土资源信息化规划（2026-2030年）.pdf')).status).toBe(201);
    expect((await attach(t, tokens['zj.shenpi'], 'filing', id)).status).toBe(404);
    expect((await attach(t, tokens.lina, 'filing', id)).status).toBe(404);
    expect((await attach(t, tokens['js.shenpi'], 'filing', id)).body.code).toBe('ATTACHMENTS_LOCKED');
    expect((await as('js.nigao').submit(id)).status).toBe(200);
    expect((await attach(t, tokens['js.nigao'], 'filing', id)).body.code).toBe('ATTACHMENTS_LOCKED');
    const listed = await t
      .http()
      .get(`/api/attachments?ownerKind=filing&ownerId=${id}`)
      .set('Authorization', `Bearer ${tokens['js.shenpi']}`);
    expect(listed.body.map((a: { name: string }) => a.name)).toEqual(['江苏省国土资源信息化规划（2026-2030年）.pdf']);
  });
});
