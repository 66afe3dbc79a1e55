import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { startWorkerProcess, type WorkerProcess } from '../../../../test/support/worker-process';
import { EngineService } from '../engine/engine.service';
import { DocumentsService } from './documents.service';
import { renderOfficialDocument } from '@zhengwu/pdf';
import { extractPdf, linesOf } from '../../../../libs/pdf/src/testing/extract';
import { DemoCases } from '../seed/demo-cases';

describe('公文交换 document-exchange', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const units: Record<string, string> = {};
  const PEOPLE = [
    'lina',
    'yangfan',
    'zhangwei',
    'gaoyuan',
    'wufang',
    'maqiang',
    'zhaolei',
    'luoping',
    'js.shouwen',
    'js.shenpi',
    'js.nigao',
    'zj.shouwen',
    'nj.shenhe',
  ];

  let workers: WorkerProcess;
  const WORKER_TOKEN = 'documents-spec-worker-token';

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN });
    // The real workers over HTTP: 排版 comes before 分发, and archiving ends the case.
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    workers = await startWorkerProcess(`http://127.0.0.1:${port}`, WORKER_TOKEN);
    for (const name of PEOPLE) {
      tokens[name] = await t.login(name);
      users[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(async () => {
    await workers.stop();
    await t.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => {
    const auth = { Authorization: `Bearer ${tokens[who]}` };
    return {
      create: (body: Record<string, unknown>) => t.http().post('/api/documents').set(auth).send(body),
      update: (id: string, body: Record<string, unknown>) => t.http().put(`/api/documents/${id}`).set(auth).send(body),
      get: (id: string) => t.http().get(`/api/documents/${id}`).set(auth),
      list: (query = 'box=sent') => t.http().get(`/api/documents?${query}`).set(auth),
      todo: () => t.http().get('/api/tasks?view=todo&limit=200').set(auth),
      act: (taskId: string, body: Record<string, unknown>) => t.http().post(`/api/tasks/${taskId}/actions`).set(auth).send(body),
      sign: (receiptId: string) => t.http().post(`/api/documents/receipts/${receiptId}/sign`).set(auth),
      refuse: (receiptId: string, reason?: string) =>
        t
          .http()
          .post(`/api/documents/receipts/${receiptId}/refuse`)
          .set(auth)
          .send(reason === undefined ? {} : { reason }),
    };
  };
  const openTask = async (instanceId: string, activityId?: string): Promise<{ id: string; activity_id: string }> =>
    (
      await q(
        `SELECT id, activity_id FROM tasks WHERE instance_id = $1 AND status = 'open' ${activityId ? 'AND activity_id = $2' : ''} ORDER BY created_at`,
        activityId ? [instanceId, activityId] : [instanceId],
      )
    )[0];
  const step = async (who: string, instanceId: string, activityId: string, body: Record<string, unknown> = { action: 'approve' }) => {
    const task = await openTask(instanceId, activityId);
    expect(task).toBeDefined();
    const res = await as(who).act(task.id, body);
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };
  const draftOf = (title: string, extra: Record<string, unknown> = {}) => ({
    docType: '通知',
    title,
    urgency: '加急',
    body: '各有关单位：现将有关事项通知如下。',
    mainRecipients: [units['320000']],
    ...extra,
  });
  /** lina drafts; yangfan reviews; the document then waits at 签发 (or 会签). */
  const toSign = async (title: string, extra: Record<string, unknown> = {}) => {
    const res = await as('lina').create(draftOf(title, extra));
    expect(res.status).toBe(201);
    await step('lina', res.body.instanceId, 'draft');
    await step('yangfan', res.body.instanceId, 'review');
    return res.body as { id: string; instanceId: string };
  };
  const receiptOf = async (documentId: string, code: string) =>
    (await q(`SELECT * FROM document_receipts WHERE document_id = $1 AND unit_id = $2`, [documentId, units[code]]))[0];
  const docRow = async (id: string) => (await q(`SELECT * FROM documents WHERE id = $1`, [id]))[0];
  const waitUntil = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    for (const started = Date.now(); Date.now() - started < ms;) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  /** The worker renders the signed document; 分发 follows in the same transaction as its completion. */
  const distributed = (id: string) =>
    waitUntil('排版 and 分发', async () => (await q(`SELECT 1 FROM document_receipts WHERE document_id = $1`, [id])).length > 0);

  it('carries a document from 拟稿 through 签发 to every recipient, who signs for, refuses or handles it', async () => {
    const created = await as('lina').create(
      draftOf('关于报送2027年度信息化建设计划的通知', {
        mainRecipients: [units['320000'], units['MLR-DCJ-BJ']],
        ccRecipients: [units['MLR-BGT']],
      }),
    );
    expect(created.status).toBe(201);
    const { id, instanceId } = created.body;
    expect((await docRow(id)).status).toBe('拟稿');
    await step('lina', instanceId, 'draft', { action: 'approve', comment: '请审核' });
    expect((await docRow(id)).status).toBe('核稿');
    // Nobody outside 规划司 sees a draft.
    expect((await as('js.shouwen').get(id)).status).toBe(404);
    expect((await as('gaoyuan').get(id)).status).toBe(404);
    await step('yangfan', instanceId, 'review', { action: 'approve', comment: '同意' });
    expect((await docRow(id)).status).toBe('签发');
    await step('zhangwei', instanceId, 'sign', { action: 'approve', comment: '同意印发' });
    await distributed(id);

    const doc = await docRow(id);
    const year = new Date().toLocaleString('en-CA', { timeZone: 'Asia/Shanghai' }).slice(0, 4);
    expect(doc).toEqual(expect.objectContaining({ status: '分发', doc_number: `国土资规〔${year}〕1号`, signer_id: users.zhangwei }));
    // The official PDF is kept with the document, made by the platform, and cannot be deleted.
    const [pdf] = await q(`SELECT name, mime, is_generated, size FROM attachments WHERE id = $1`, [doc.pdf_attachment_id]);
    expect(pdf).toEqual(expect.objectContaining({ name: `国土资规〔${year}〕1号.pdf`, mime: 'application/pdf', is_generated: true }));
    expect(Number(pdf.size)).toBeGreaterThan(1000);
    const removed = await t.http().delete(`/api/attachments/${doc.pdf_attachment_id}`).set('Authorization', `Bearer ${tokens.lina}`);
    expect(removed.body.code).toBe('ATTACHMENT_GENERATED');
    const view = await as('lina').get(id);
    expect(view.body.receipts.map((r: { unitName: string; kind: string; status: string }) => [r.unitName, r.kind, r.status])).toEqual([
      ['江苏省国土资源厅', '主送', '已送达'],
      ['国家土地督察北京局', '主送', '已送达'],
      ['办公厅', '抄送', '已送达'],
    ]);
    expect(view.body.mainRecipients.map((u: { name: string }) => u.name)).toEqual(['江苏省国土资源厅', '国家土地督察北京局']);

    // Each recipient unit's clerk has a 签收 task; 浙江 and 南京 neither see the document nor the task.
    const js = await receiptOf(id, '320000');
    const jsTask = await openTask(js.instance_id, 'receive');
    expect((await as('js.shouwen').todo()).body.items.map((i: { id: string }) => i.id)).toContain(jsTask.id);
    expect((await as('zj.shouwen').todo()).body.items.map((i: { id: string }) => i.id)).not.toContain(jsTask.id);
    expect((await as('nj.shenhe').todo()).body.items.map((i: { id: string }) => i.id)).not.toContain(jsTask.id);
    expect((await as('zj.shouwen').get(id)).status).toBe(404);
    expect((await as('nj.shenhe').get(id)).status).toBe(404);
    const received = await as('js.shouwen').list('box=received');
    expect(received.body.items).toEqual([
      expect.objectContaining({ id, receiptId: js.id, receiptStatus: '已送达', docNumber: doc.doc_number }),
    ]);
    // A recipient sees its own receipt only, not the other recipients' or the sender's history.
    const recipientView = await as('js.shouwen').get(id);
    expect(recipientView.body.receipts.map((r: { unitName: string }) => r.unitName)).toEqual(['江苏省国土资源厅']);
    expect(recipientView.body.history).toEqual([]);
    // 浙江's clerk cannot sign 江苏's receipt.
    expect((await as('zj.shouwen').sign(js.id)).status).toBe(404);

    expect((await as('js.shouwen').sign(js.id)).status).toBe(200);
    expect((await receiptOf(id, '320000')).status).toBe('已签收');
    expect((await as('js.shouwen').sign(js.id)).body.code).toBe('RECEIPT_ALREADY_HANDLED');
    await step('js.shouwen', js.instance_id, 'propose', { action: 'approve', comment: '建议规划处办理' });
    const instruct = await openTask(js.instance_id, 'instruct');
    const noHandler = await as('js.shenpi').act(instruct.id, { action: 'approve', comment: '同意' });
    // 批办's contract requires the 承办人; the listener then checks it is a person of the receiving unit.
    expect([noHandler.status, noHandler.body.code, noHandler.body.details]).toEqual([
      400,
      'VALIDATION_FAILED',
      [{ field: 'variables.handler', message: '请填写“承办人”' }],
    ]);
    const outsider = await as('js.shenpi').act(instruct.id, { action: 'approve', variables: { handler: users.lina } });
    expect(outsider.body.code).toBe('HANDLER_REQUIRED');
    await step('js.shenpi', js.instance_id, 'instruct', {
      action: 'approve',
      comment: '请沈佳承办',
      variables: { handler: users['js.nigao'] },
    });
    expect((await receiptOf(id, '320000')).status).toBe('办理中');
    await step('js.nigao', js.instance_id, 'handle', { action: 'approve', comment: '已按要求报送' });
    expect((await receiptOf(id, '320000')).status).toBe('办结');

    const bj = await receiptOf(id, 'MLR-DCJ-BJ');
    const bare = await as('luoping').refuse(bj.id);
    expect([bare.status, bare.body.details?.[0]?.field]).toEqual([400, 'reason']);
    expect((await as('luoping').refuse(bj.id, '非本局职责，误送')).status).toBe(200);
    expect((await docRow(id)).status).toBe('分发');
    await as('zhaolei').sign((await receiptOf(id, 'MLR-BGT')).id);

    const final = await as('lina').get(id);
    expect(final.body.status).toBe('办结');
    expect(
      final.body.receipts.map((r: { unitName: string; status: string; refuseReason: string | null }) => [
        r.unitName,
        r.status,
        r.refuseReason,
      ]),
    ).toEqual([
      ['江苏省国土资源厅', '办结', null],
      ['国家土地督察北京局', '退文', '非本局职责，误送'],
      ['办公厅', '办结', null],
    ]);
    // The last step archives the case: a package with the official PDF that passes 四性检测 at ingest.
    await waitUntil(
      'archiving',
      async () => (await q(`SELECT status FROM process_instances WHERE id = $1`, [instanceId]))[0].status === 'completed',
    );
    const [pkg] = await q(`SELECT archive_number, last_check_ok FROM archive_packages WHERE instance_id = $1`, [instanceId]);
    expect(pkg).toEqual({ archive_number: expect.stringMatching(new RegExp(`^Z001-${year}-Y-GHS-\\d{4}$`)), last_check_ok: true });
    expect((await q(`SELECT topic FROM outbox WHERE payload->>'documentId' = $1 ORDER BY id`, [id])).map((r) => r.topic)).toEqual([
      'document.distributed',
      'document.refused',
    ]);
    expect(final.body.history.map((h: { action: string; taskName: string }) => `${h.taskName}:${h.action}`)).toEqual([
      '拟稿:approve',
      '核稿:approve',
      '签发:approve',
    ]);
  });

  it('needs every countersigning unit to agree; a disagreement goes back to 拟稿 for changes', async () => {
    const doc = await toSign('关于加强耕地保护信息化监管的通知', { countersignUnits: [units['MLR-GBS'], units['MLR-KJS']] });
    expect((await docRow(doc.id)).status).toBe('会签');
    const tasks = await q(`SELECT id, candidate_units FROM tasks WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`, [
      doc.instanceId,
    ]);
    expect(tasks.map((r) => r.candidate_units[0]).sort()).toEqual([units['MLR-GBS'], units['MLR-KJS']].sort());
    const gbs = tasks.find((r) => r.candidate_units[0] === units['MLR-GBS']).id;
    const kjs = tasks.find((r) => r.candidate_units[0] === units['MLR-KJS']).id;
    // Each unit's approver sees only its own 会签 task, and the document.
    expect((await as('wufang').todo()).body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([gbs]));
    expect((await as('wufang').todo()).body.items.map((i: { id: string }) => i.id)).not.toContain(kjs);
    expect((await as('wufang').get(doc.id)).status).toBe(200);
    expect((await as('wufang').act(kjs, { action: 'approve' })).status).toBe(404);

    expect((await as('wufang').act(gbs, { action: 'approve', comment: '同意' })).status).toBe(200);
    expect((await as('gaoyuan').act(kjs, { action: 'reject', comment: '第三条与科技司职责不符，请修改' })).status).toBe(200);
    expect((await openTask(doc.instanceId)).activity_id).toBe('draft');
    expect((await docRow(doc.id)).status).toBe('拟稿');

    // The drafter drops 科技司 and resubmits; this time 会签 is unanimous and the case reaches 签发.
    const edited = await as('lina').update(
      doc.id,
      draftOf('关于加强耕地保护信息化监管的通知（修改稿）', { countersignUnits: [units['MLR-GBS']] }),
    );
    expect(edited.status).toBe(200);
    expect((await as('yangfan').update(doc.id, draftOf('越权修改'))).status).toBe(409);
    await step('lina', doc.instanceId, 'draft');
    await step('yangfan', doc.instanceId, 'review');
    await step('wufang', doc.instanceId, 'countersign', { action: 'approve', comment: '同意' });
    expect((await openTask(doc.instanceId)).activity_id).toBe('sign');
    expect((await docRow(doc.id)).title).toBe('关于加强耕地保护信息化监管的通知（修改稿）');
  });

  it('counts parallel 会签 completions right when they arrive together', async () => {
    const doc = await toSign('并发会签', { countersignUnits: [units['MLR-GBS'], units['MLR-KJS']] });
    const tasks = await q(`SELECT id, candidate_units FROM tasks WHERE instance_id = $1 AND status = 'open'`, [doc.instanceId]);
    const byUnit = (code: string) => tasks.find((r) => r.candidate_units[0] === units[code]).id;
    const results = await Promise.all([
      as('wufang').act(byUnit('MLR-GBS'), { action: 'approve' }),
      as('gaoyuan').act(byUnit('MLR-KJS'), { action: 'approve' }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const open = await q(`SELECT activity_id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [doc.instanceId]);
    expect(open).toEqual([{ activity_id: 'sign' }]);
  });

  it('returns from 签发 to an earlier step, and a refusal to sign consumes no number', async () => {
    const doc = await toSign('关于退回与不予签发的测试');
    const sign = await openTask(doc.instanceId, 'sign');
    const detail = await t.http().get(`/api/tasks/${sign.id}`).set('Authorization', `Bearer ${tokens.zhangwei}`);
    expect(detail.body.returnTargets.map((r: { activityId: string }) => r.activityId).sort()).toEqual(['draft', 'review']);
    await step('zhangwei', doc.instanceId, 'sign', { action: 'return', target: 'review', comment: '请核实数据' });
    expect((await docRow(doc.id)).status).toBe('核稿');
    await step('yangfan', doc.instanceId, 'review');
    const before = (await q(`SELECT coalesce(max(value), 0) AS n FROM document_number_counters WHERE unit_id = $1`, [units['MLR-GHS']]))[0]
      .n;
    await step('zhangwei', doc.instanceId, 'sign', { action: 'reject', comment: '不宜发文' });
    expect(await docRow(doc.id)).toEqual(expect.objectContaining({ status: '不予签发', doc_number: null }));
    const after = (await q(`SELECT coalesce(max(value), 0) AS n FROM document_number_counters WHERE unit_id = $1`, [units['MLR-GHS']]))[0]
      .n;
    expect(after).toBe(before);
    expect((await q(`SELECT count(*)::int AS n FROM document_receipts WHERE document_id = $1`, [doc.id]))[0].n).toBe(0);
  });

  it('numbers twenty documents signed at once without gaps or duplicates', async () => {
    const docs = [];
    for (let i = 0; i < 20; i++) docs.push(await toSign(`并发编号测试 ${i + 1}`));
    const tasks = await Promise.all(docs.map((d) => openTask(d.instanceId, 'sign')));
    const results = await Promise.all(tasks.map((task) => as('zhangwei').act(task.id, { action: 'approve' })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const seqs: number[] = (
      await q(`SELECT doc_seq FROM documents WHERE unit_id = $1 AND doc_seq IS NOT NULL ORDER BY doc_seq`, [units['MLR-GHS']])
    ).map((r) => r.doc_seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBeGreaterThanOrEqual(20);
  });

  it('urges a recipient who has not signed in time and flags the receipt', async () => {
    const doc = await toSign('关于催办测试的通知', { mainRecipients: [units['330000']], urgency: '特急' });
    await step('zhangwei', doc.instanceId, 'sign');
    await distributed(doc.id);
    const receipt = await receiptOf(doc.id, '330000');
    expect(receipt.due_at).not.toBeNull();
    const [timer] = await q(`SELECT id FROM timers WHERE instance_id = $1 AND status = 'pending'`, [receipt.instance_id]);
    await q(`UPDATE timers SET due_at = now() - interval '1 minute' WHERE id = $1`, [timer.id]);
    await t.app.get(EngineService).fireTimer(timer.id);
    const flagged = await receiptOf(doc.id, '330000');
    expect(flagged).toEqual(expect.objectContaining({ is_overdue: true, urge_count: 1, status: '已送达' }));
    const task = await openTask(receipt.instance_id, 'receive');
    expect((await q(`SELECT urge_count FROM tasks WHERE id = $1`, [task.id]))[0].urge_count).toBe(1);
    expect(
      (await q(`SELECT payload FROM outbox WHERE topic = 'document.receipt.overdue' AND payload->>'receiptId' = $1`, [receipt.id]))[0]
        .payload,
    ).toEqual(expect.objectContaining({ toUnit: units['330000'], subject: expect.stringContaining('尚未签收') }));
    // The clerk can still sign for it afterwards.
    expect((await as('zj.shouwen').sign(receipt.id)).status).toBe(200);
  });

  it('refuses bad drafts with a reason at the field and writes nothing', async () => {
    const count = async () => (await q(`SELECT count(*)::int AS n FROM documents`))[0].n;
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...draftOf('x'), title: '' }, 'title'],
      [{ ...draftOf('缺主送'), mainRecipients: [] }, 'mainRecipients'],
      [draftOf('发给自己', { mainRecipients: [units['MLR-GHS']] }), 'mainRecipients'],
      [draftOf('不存在的单位', { mainRecipients: ['00000000-0000-4000-8000-000000000000'] }), 'mainRecipients'],
      [draftOf('既主送又抄送', { ccRecipients: [units['320000']] }), 'ccRecipients'],
      [draftOf('文种不对', { docType: '命令' }), 'docType'],
      [draftOf('绝密', { secrecy: '绝密' }), 'secrecy'],
    ];
    for (const [body, field] of cases) {
      const res = await as('lina').create(body);
      expect([res.status, res.body.details?.map((d: { field: string }) => d.field)]).toEqual([400, expect.arrayContaining([field])]);
    }
    // yangfan is a reviewer, not a drafter.
    expect((await as('yangfan').create(draftOf('无权起草'))).status).toBe(403);
    expect(await count()).toBe(before);
    expect((await as('lina').get('not-a-uuid')).status).toBe(404);
    expect((await as('lina').list('box=everything')).status).toBe(400);
    expect((await as('lina').list(`q=${encodeURIComponent("%' OR 1=1 --")}`)).body.items).toEqual([]);
  });

  it('seeds demo documents in every state once', async () => {
    const demo = t.app.get(DemoCases);
    expect(await demo.run(['documents'])).toEqual(['documents']);
    expect(await demo.run(['documents'])).toEqual([]);
    const statuses = (
      await q(`SELECT d.title, d.status FROM documents d WHERE d.title IN ('关于报送2027年度信息化建设计划的通知','关于商请提供2026年度土地督察信息化需求的函',
        '关于不动产登记信息平台接入事宜的函','关于加强耕地保护信息化监管工作的通知','关于申请建设规划数据共享服务系统的请示','关于2026年规划信息化工作情况的报告')
        AND d.created_at > now() - interval '5 minutes' ORDER BY d.created_at`)
    ).map((r) => `${r.title}:${r.status}`);
    expect(statuses).toEqual(
      expect.arrayContaining([
        '关于商请提供2026年度土地督察信息化需求的函:办结',
        '关于不动产登记信息平台接入事宜的函:办结',
        '关于加强耕地保护信息化监管工作的通知:会签',
        '关于申请建设规划数据共享服务系统的请示:拟稿',
        '关于2026年规划信息化工作情况的报告:核稿',
      ]),
    );
    expect(statuses.filter((s) => s.startsWith('关于报送2027年度信息化建设计划的通知'))).toContain(
      '关于报送2027年度信息化建设计划的通知:分发',
    );
    // The demo 函 is typeset in the 信函格式 (GB/T 9704 §10.1) and its 主送 is printed once.
    const [letter] = await q(
      `SELECT id FROM documents WHERE title = '关于商请提供2026年度土地督察信息化需求的函' AND created_at > now() - interval '5 minutes'`,
    );
    const data = await t.app.get(DocumentsService).officialData(letter.id);
    expect(data).toEqual(expect.objectContaining({ docType: '函', copyNumber: undefined }));
    expect(data.issuerMark).toMatch(/规划司$/); // the organ's name, no "文件" in a 信函
    expect(data.body).not.toMatch(/^[^\n]*：\n/); // no 主送 line in the body
    const pdf = extractPdf(await renderOfficialDocument(data));
    const lines = pdf.pages.flatMap((p) => linesOf(p).map((l) => l.text.replace(/\s/g, '')));
    expect(lines.filter((l) => l.includes(`${data.mainRecipients}：`))).toHaveLength(1);
    expect(linesOf(pdf.pages[0]).some((l) => /^—\s*1\s*—$/.test(l.text))).toBe(false);
  });
});
