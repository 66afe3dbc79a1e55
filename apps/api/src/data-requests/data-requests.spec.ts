import * as pdfLib from '@zhengwu/pdf';
import { DataSource } from 'typeorm';
import { extractPdf, linesOf } from '../../../../libs/pdf/src/testing/extract';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { attach } from '../../../../test/support/attach';
import { DemoCases } from '../seed/demo-cases';

// The real layouts, with the handover sheet's observable so one test can make it fail.
jest.mock('@zhengwu/pdf', () => {
  const actual = jest.requireActual<typeof pdfLib>('@zhengwu/pdf');
  return { ...actual, renderDataHandoverSheet: jest.fn(actual.renderDataHandoverSheet) };
});

describe('数据使用申请 (data-request)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ds: Record<string, string> = {};
  let year: number;
  const people = [
    'js.nigao',
    'js.shenpi',
    'chenjing',
    'liuhaiyan',
    'hejun',
    'wufang',
    'zhangwei',
    'huangli',
    'zj.shenpi',
    'nj.shenhe',
    'lina',
    'gaoyuan',
  ];

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of people) tokens[name] = await t.login(name);
    for (const row of await q(`SELECT id, code FROM datasets`)) ds[row.code] = row.id;
    year = (await q(`SELECT EXTRACT(YEAR FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS y`))[0].y;
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => `Bearer ${tokens[who]}`;
  const as = (who: string) => ({
    datasets: () => t.http().get('/api/datasets').set('Authorization', auth(who)),
    create: (body: Record<string, unknown>) => t.http().post('/api/data-requests').set('Authorization', auth(who)).send(body),
    list: (query = '') => t.http().get(`/api/data-requests?${query}`).set('Authorization', auth(who)),
    get: (id: string) => t.http().get(`/api/data-requests/${id}`).set('Authorization', auth(who)),
    update: (id: string, body: Record<string, unknown>) =>
      t.http().put(`/api/data-requests/${id}`).set('Authorization', auth(who)).send(body),
    submit: (id: string) => t.http().post(`/api/data-requests/${id}/submit`).set('Authorization', auth(who)).send({}),
    confirm: (id: string) => t.http().post(`/api/data-requests/${id}/confirm`).set('Authorization', auth(who)).send({}),
    todo: () => t.http().get('/api/tasks?view=todo&process=data-request&limit=200').set('Authorization', auth(who)),
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
  const request = (title: string, datasetCodes: string[], extra: Record<string, unknown> = {}) => ({
    title,
    datasetIds: datasetCodes.map((c) => ds[c]),
    regionCode: '320000',
    regionName: '江苏省',
    purpose: '开展江苏省国土空间规划编制前期研究，分析耕地保护与建设用地布局。',
    periodFrom: `${year}-01-01`,
    periodTo: `${year + 1}-12-31`,
    format: 'FileGDB',
    contactName: '沈佳',
    contactPhone: '025-86658123',
    ...extra,
  });
  const openTasks = async (id: string) =>
    (await q(
      `SELECT t.id, t.activity_id, t.candidate_units FROM tasks t JOIN data_requests r ON r.instance_id = t.instance_id
        WHERE r.id = $1 AND t.status = 'open' ORDER BY t.created_at`,
      [id],
    )) as { id: string; activity_id: string; candidate_units: string[] }[];
  const unitOf = async (code: string) => (await q(`SELECT id FROM units WHERE code = $1`, [code]))[0].id as string;
  /** The open task of the step offered to `who` (their own unit's instance of a 会签). */
  const taskFor = async (id: string, who: string) => {
    const todo = await as(who).todo();
    const open = await openTasks(id);
    const mine = open.find((o) => todo.body.items.some((i: { id: string }) => i.id === o.id));
    if (!mine) throw new Error(`${who} has no task on ${id}: ${JSON.stringify(open)}`);
    return mine;
  };
  const statusOf = async (id: string) => (await q(`SELECT status FROM data_requests WHERE id = $1`, [id]))[0].status as string;
  const upToConsult = async (title: string, codes: string[]) => {
    const created = await as('js.nigao').create(request(title, codes));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await as('js.shenpi').act((await taskFor(id, 'js.shenpi')).id, { action: 'approve', comment: '同意' })).status).toBe(200);
    expect((await as('chenjing').act((await taskFor(id, 'chenjing')).id, { action: 'approve', comment: '请主管司局审核' })).status).toBe(
      200,
    );
    expect(await statusOf(id)).toBe('待会商');
    return id;
  };

  it('lists the catalogue with owners', async () => {
    const res = await as('gaoyuan').datasets();
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(8);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'YZT-TDLY', name: '土地利用现状（一张图）', ownerUnitName: '地籍管理司', secrecy: '内部' }),
        expect.objectContaining({ code: 'YZT-YJJBNT', ownerUnitName: '耕地保护司' }),
        expect.objectContaining({ code: 'YZT-YGYX', ownerUnitName: '国土资源部信息中心' }),
        expect.objectContaining({ code: 'JG-DCJG', ownerUnitName: '国家土地督察北京局' }),
      ]),
    );
  });

  it('runs a request through leader, 信息办, every owner department, 信息中心 and the applicant’s receipt', async () => {
    const created = await as('js.nigao').create(request('关于申请使用土地利用现状及永久基本农田数据的函', ['YZT-TDLY', 'YZT-YJJBNT']));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toEqual(expect.objectContaining({ status: '待签批', periodFrom: `${year}-01-01`, provision: null }));
    expect(created.body.datasets.map((d: { ownerUnitName: string }) => d.ownerUnitName)).toEqual(['地籍管理司', '耕地保护司']);
    expect(created.body.history).toEqual([expect.objectContaining({ action: 'approve', comment: '提交申请', userName: '沈佳' })]);

    await as('js.shenpi').act((await taskFor(id, 'js.shenpi')).id, { action: 'approve', comment: '同意' });
    expect(await statusOf(id)).toBe('待审核');
    await as('chenjing').act((await taskFor(id, 'chenjing')).id, { action: 'approve', comment: '请主管司局审核' });
    expect(await statusOf(id)).toBe('待会商');

    // One 会签 task per owner department, each offered to that department only.
    const consult = await openTasks(id);
    expect(consult.map((c) => c.activity_id)).toEqual(['consult', 'consult']);
    expect(consult.map((c) => c.candidate_units[0]).sort()).toEqual([await unitOf('MLR-DJS'), await unitOf('MLR-GBS')].sort());
    expect((await as('zhangwei').todo()).body.items.map((i: { id: string }) => i.id)).not.toEqual(expect.arrayContaining([consult[0].id]));
    await as('hejun').act((await taskFor(id, 'hejun')).id, { action: 'approve', comment: '同意提供' });
    expect(await statusOf(id)).toBe('待会商');
    await as('wufang').act((await taskFor(id, 'wufang')).id, { action: 'approve', comment: '同意提供' });
    expect(await statusOf(id)).toBe('待提供');

    const provide = await taskFor(id, 'huangli');
    // 信息中心 may attach the data package itself while providing.
    const data = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]);
    expect((await attach(t, tokens.huangli, 'data-request', id, '土地利用现状数据.zip', data)).status).toBe(201);
    const missing = await as('huangli').act(provide.id, { action: 'approve', variables: { link: 'https://x.example/a.zip' } });
    expect(missing.status).toBe(400);
    // The step's contract names every required field that is missing.
    expect(missing.body.details).toEqual([
      expect.objectContaining({ field: 'variables.fileName' }),
      expect.objectContaining({ field: 'variables.expiresAt' }),
    ]);
    const tooLate = await as('huangli').act(provide.id, {
      action: 'approve',
      variables: { fileName: 'a.gdb.zip', expiresAt: `${year + 3}-01-01` },
    });
    expect(tooLate.body.details).toEqual([expect.objectContaining({ field: 'variables.expiresAt' })]);
    const badLink = await as('huangli').act(provide.id, {
      action: 'approve',
      variables: { fileName: 'a.gdb.zip', expiresAt: `${year + 1}-06-30`, link: 'javascript:alert(1)' },
    });
    expect(badLink.body.details).toEqual([expect.objectContaining({ field: 'variables.link' })]);
    // Refusals roll back: still waiting at 信息中心, nothing recorded.
    expect((await q(`SELECT status FROM tasks WHERE id = $1`, [provide.id]))[0].status).toBe('open');
    expect((await q(`SELECT provided_at FROM data_requests WHERE id = $1`, [id]))[0].provided_at).toBeNull();
    expect((await as('js.nigao').confirm(id)).body.code).toBe('DATA_REQUEST_NOT_PROVIDED');

    const ok = await as('huangli').act(provide.id, {
      action: 'approve',
      comment: '已提供',
      variables: { fileName: '320000_一张图.gdb.zip', link: 'https://data.mlr.example/x/320000.zip', expiresAt: `${year + 1}-06-30` },
    });
    expect(ok.status).toBe(200);
    const provided = await as('js.nigao').get(id);
    expect(provided.body.status).toBe('待确认');
    expect(provided.body.provision).toEqual(
      expect.objectContaining({ fileName: '320000_一张图.gdb.zip', expiresAt: `${year + 1}-06-30`, receivedAt: null }),
    );
    expect((await as('js.shenpi').confirm(id)).status).toBe(403);
    const confirmed = await as('js.nigao').confirm(id);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual(expect.objectContaining({ status: '已完成', closedAt: expect.any(String) }));
    expect(confirmed.body.provision.receivedAt).toEqual(expect.any(String));
    const topics = (await q(`SELECT topic FROM outbox WHERE payload->>'requestId' = $1 ORDER BY id`, [id])).map((r) => r.topic);
    expect(topics).toEqual(['data-request.provided', 'data-request.completed']);

    // The 数据提供交接单 is stored with the request, made by the platform on the applicant's confirmation.
    const sheetId = confirmed.body.handoverAttachmentId as string;
    expect(sheetId).toEqual(expect.any(String));
    const [row] = await q(
      `SELECT a.owner_kind, a.owner_id, a.name, a.mime, a.is_generated, us.username, un.code AS unit_code
         FROM attachments a JOIN users us ON us.id = a.uploaded_by JOIN units un ON un.id = a.unit_id WHERE a.id = $1`,
      [sheetId],
    );
    expect(row).toEqual({
      owner_kind: 'data-request',
      owner_id: id,
      name: '数据提供交接单.pdf',
      mime: 'application/pdf',
      is_generated: true,
      username: 'js.nigao',
      unit_code: '320000',
    });
    const file = await download('js.nigao', sheetId);
    expect([file.status, file.headers['content-type']]).toEqual([200, 'application/pdf']);
    for (const who of ['huangli', 'chenjing', 'hejun']) expect((await download(who, sheetId)).status).toBe(200);
    for (const who of ['zj.shenpi', 'nj.shenhe', 'gaoyuan', 'lina']) expect((await download(who, sheetId)).status).toBe(404);
    const pdf = extractPdf(file.body as Buffer);
    expect(pdf.info.Title).toBe('数据提供交接单（关于申请使用土地利用现状及永久基本农田数据的函）');
    expect(pdf.info.Author).toBe('国土资源部信息中心');
    const text = pdfText(pdf);
    const names = (await q(`SELECT name FROM datasets WHERE code IN ('YZT-TDLY', 'YZT-YJJBNT') ORDER BY code`)).map(
      (r) => r.name as string,
    );
    for (const fact of [
      ...names,
      'YZT-TDLY',
      'YZT-YJJBNT',
      '地籍管理司',
      '耕地保护司',
      '江苏省（320000）',
      `${year}-01-01至${year + 1}-12-31`,
      '320000_一张图.gdb.zip',
      'https://data.mlr.example/x/320000.zip',
      `${year + 1}年6月30日`,
      '黄丽',
      '江苏省国土资源厅沈佳',
    ])
      expect(text).toContain(fact);
  });

  it('rolls the confirmation back when the handover sheet cannot be rendered', async () => {
    const id = await upToConsult('关于申请使用土地利用现状数据的函（交接单失败）', ['YZT-TDLY']);
    await as('hejun').act((await taskFor(id, 'hejun')).id, { action: 'approve', comment: '同意提供' });
    const provided = await as('huangli').act((await taskFor(id, 'huangli')).id, {
      action: 'approve',
      variables: { fileName: '320000_土地利用现状.gdb.zip', expiresAt: `${year + 1}-06-30` },
    });
    expect(provided.status).toBe(200);
    jest.mocked(pdfLib.renderDataHandoverSheet).mockRejectedValueOnce(new Error('font file missing'));
    const failed = await as('js.nigao').confirm(id);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ code: 'PDF_RENDER_FAILED', message: expect.stringContaining('数据提供交接单') });
    expect((await q(`SELECT status, received_at, closed_at FROM data_requests WHERE id = $1`, [id]))[0]).toEqual({
      status: '待确认',
      received_at: null,
      closed_at: null,
    });
    expect((await openTasks(id)).map((o) => o.activity_id)).toEqual(['confirm']);
    expect((await q(`SELECT count(*)::int AS n FROM attachments WHERE owner_id = $1`, [id]))[0].n).toBe(0);
    expect(
      (await q(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'data-request.completed' AND payload->>'requestId' = $1`, [id]))[0].n,
    ).toBe(0);
    // Confirming again once rendering works finishes the request with its sheet.
    const confirmed = await as('js.nigao').confirm(id);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual(expect.objectContaining({ status: '已完成', handoverAttachmentId: expect.any(String) }));
    expect((await as('js.nigao').get(id)).body.handoverAttachmentId).toBe(confirmed.body.handoverAttachmentId);
  });

  it('shows a request to the applicant’s unit and the units acting on it only', async () => {
    const id = await upToConsult('关于申请使用土地利用现状数据的函（可见性）', ['YZT-TDLY']);
    for (const who of ['js.nigao', 'js.shenpi', 'chenjing', 'hejun', 'huangli']) {
      expect((await as(who).get(id)).status).toBe(200);
      expect((await as(who).list('limit=200')).body.items.map((i: { id: string }) => i.id)).toContain(id);
    }
    // Another province, 江苏's own city, a department owning none of the data.
    for (const who of ['zj.shenpi', 'nj.shenhe', 'wufang', 'lina', 'gaoyuan']) {
      expect((await as(who).get(id)).status).toBe(404);
      expect((await as(who).list('limit=200')).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    }
    const consult = (await openTasks(id))[0];
    expect((await as('wufang').act(consult.id, { action: 'approve' })).status).toBe(404);
    expect((await as('zj.shenpi').update(id, { title: '浙江改的标题' })).status).toBe(404);
  });

  it('returns to the applicant from an owner department, cancels the other owner’s task, and takes the corrected request again', async () => {
    const id = await upToConsult('关于申请使用土地利用现状及耕地数据的函（退回）', ['YZT-TDLY', 'YZT-YJJBNT']);
    const gbs = await taskFor(id, 'wufang');
    const djs = await taskFor(id, 'hejun');
    expect((await as('wufang').act(gbs.id, { action: 'return', comment: '请缩小数据范围到设区市' })).status).toBe(200);
    const returned = await as('js.nigao').get(id);
    expect(returned.body).toEqual(expect.objectContaining({ status: '退回修改', lastOpinion: '请缩小数据范围到设区市' }));
    expect(returned.body.currentTasks).toEqual([expect.objectContaining({ activityId: 'apply' })]);
    expect((await q(`SELECT status FROM tasks WHERE id = $1`, [djs.id]))[0].status).toBe('cancelled');
    expect(
      (await q(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'data-request.returned' AND payload->>'requestId' = $1`, [id]))[0].n,
    ).toBe(1);

    expect((await as('js.shenpi').update(id, { regionName: '南京市' })).status).toBe(403);
    const bad = await as('js.nigao').update(id, { periodFrom: `${year + 1}-01-01`, periodTo: `${year}-12-31` });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'periodTo', message: '不能早于使用期限起' }]);
    // Now only 土地利用现状: 耕保司 is no longer asked.
    const fixed = await as('js.nigao').update(id, { regionCode: '320100', regionName: '南京市', datasetIds: [ds['YZT-TDLY']] });
    expect(fixed.status).toBe(200);
    expect(fixed.body.datasets.map((d: { code: string }) => d.code)).toEqual(['YZT-TDLY']);
    expect((await as('js.nigao').submit(id)).body.status).toBe('待签批');
    await as('js.shenpi').act((await taskFor(id, 'js.shenpi')).id, { action: 'approve', comment: '同意' });
    await as('chenjing').act((await taskFor(id, 'chenjing')).id, { action: 'approve', comment: '请地籍司审核' });
    const consult = await openTasks(id);
    expect(consult.map((c) => c.candidate_units)).toEqual([[await unitOf('MLR-DJS')]]);
    await as('hejun').act(consult[0].id, { action: 'approve', comment: '同意' });
    expect(await statusOf(id)).toBe('待提供');
  });

  it('returns from the leader and from 信息办 to the applicant', async () => {
    const created = await as('js.nigao').create(request('关于申请使用耕地质量等别数据的函（退回）', ['YZT-GDZL']));
    const id = created.body.id as string;
    await as('js.shenpi').act((await taskFor(id, 'js.shenpi')).id, { action: 'return', comment: '用途写具体些' });
    expect(await statusOf(id)).toBe('退回修改');
    await as('js.nigao').update(id, { purpose: '开展江苏省耕地质量等别年度更新成果核查，需部级成果比对。' });
    await as('js.nigao').submit(id);
    await as('js.shenpi').act((await taskFor(id, 'js.shenpi')).id, { action: 'approve', comment: '同意' });
    await as('liuhaiyan').act((await taskFor(id, 'liuhaiyan')).id, { action: 'return', comment: '请补充数据安全保障措施' });
    expect((await as('js.nigao').get(id)).body).toEqual(
      expect.objectContaining({ status: '退回修改', lastOpinion: '请补充数据安全保障措施' }),
    );
    expect((await as('js.nigao').submit(id)).body.status).toBe('待签批');
  });

  it('refuses at the leader, at 信息办 or at an owner department as 不予提供, with a notification', async () => {
    const bySigner = (await as('js.nigao').create(request('关于申请使用遥感影像的函（领导不同意）', ['YZT-YGYX']))).body.id as string;
    await as('js.shenpi').act((await taskFor(bySigner, 'js.shenpi')).id, { action: 'reject', comment: '暂不需要' });
    const byOffice = (await as('js.nigao').create(request('关于申请使用遥感影像的函（信息办不同意）', ['YZT-YGYX']))).body.id as string;
    await as('js.shenpi').act((await taskFor(byOffice, 'js.shenpi')).id, { action: 'approve', comment: '同意' });
    await as('chenjing').act((await taskFor(byOffice, 'chenjing')).id, { action: 'reject', comment: '用途与申请数据不符' });
    const byOwner = await upToConsult('关于申请使用不动产登记数据的函（司局不同意）', ['YZT-DJ', 'YZT-YJJBNT']);
    await as('hejun').act((await taskFor(byOwner, 'hejun')).id, { action: 'reject', comment: '登记数据涉及个人信息，不予提供' });
    for (const id of [bySigner, byOffice, byOwner]) {
      const res = await as('js.nigao').get(id);
      expect(res.body).toEqual(expect.objectContaining({ status: '不予提供', closedAt: expect.any(String), currentTasks: [] }));
      expect(
        (await q(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'data-request.refused' AND payload->>'requestId' = $1`, [id]))[0].n,
      ).toBe(1);
    }
    expect((await as('js.nigao').get(byOwner)).body.lastOpinion).toBe('登记数据涉及个人信息，不予提供');

    // The case's view tells the route taken from the routes not taken: nothing after 信息办 ran.
    const [{ instance_id: instanceId }] = await q(`SELECT instance_id FROM data_requests WHERE id = $1`, [byOffice]);
    const view = await t.http().get(`/api/process-instances/${instanceId}`).set('Authorization', auth('js.nigao'));
    expect(view.status).toBe(200);
    const state = (id: string) => view.body.activities.find((a: { activityId: string }) => a.activityId === id);
    // A discard travels round the diagram's 退回 loops too, so a step that ran can also count skips.
    expect(state('review')).toEqual(expect.objectContaining({ active: 0, completed: 1 }));
    expect(state('refusedByOffice')).toEqual(expect.objectContaining({ active: 0, completed: 1 }));
    for (const untaken of ['provide', 'confirm', 'done', 'refusedBySigner', 'refusedByOwner'])
      expect([untaken, state(untaken)]).toEqual([
        untaken,
        expect.objectContaining({ active: 0, completed: 0, skipped: expect.any(Number) }),
      ]);
    expect(state('provide').skipped).toBeGreaterThan(0);
    expect(view.body.activities.filter((a: { active: number }) => a.active > 0)).toEqual([]);
  });

  it('refuses bad input with the field at fault, and writes nothing', async () => {
    const count = async () =>
      (await q(`SELECT (SELECT count(*) FROM data_requests)::int AS r, (SELECT count(*) FROM process_instances)::int AS i`))[0];
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [request('关于申请数据的函（坏）', ['YZT-TDLY'], { periodFrom: `${year + 1}-05-01`, periodTo: `${year + 1}-01-01` }), 'periodTo'],
      [request('关于申请数据的函（坏）', ['YZT-TDLY'], { periodFrom: `${year}-02-30` }), 'periodFrom'],
      [request('关于申请数据的函（坏）', ['YZT-TDLY'], { periodFrom: `${year - 3}-01-01`, periodTo: `${year - 2}-01-01` }), 'periodTo'],
      [request('关于申请数据的函（坏）', ['YZT-TDLY'], { periodTo: `${year + 5}-01-01` }), 'periodTo'],
      [request('关于申请数据的函（坏）', []), 'datasetIds'],
      [{ ...request('关于申请数据的函（坏）', ['YZT-TDLY']), datasetIds: ['00000000-0000-4000-8000-000000000000'] }, 'datasetIds'],
      [request('关于申请数据的函（坏）', ['YZT-TDLY'], { format: 'DWG' }), 'format'],
      [request('关于申请数据的函（坏）', ['YZT-TDLY'], { regionCode: '32' }), 'regionCode'],
      [request('关于申请数据的函（坏）', ['YZT-TDLY'], { purpose: '要' }), 'purpose'],
    ];
    for (const [body, fieldName] of cases) {
      const res = await as('js.nigao').create(body);
      expect([res.status, res.body.details?.[0]?.field]).toEqual([400, fieldName]);
    }
    expect((await as('js.shenpi').create(request('领导自己的申请', ['YZT-TDLY']))).status).toBe(403);
    expect(await count()).toEqual(before);
    expect((await as('js.nigao').get('nope')).status).toBe(404);
  });

  it('lets two owner departments approve at the same moment and moves on exactly once', async () => {
    const id = await upToConsult('关于申请使用土地利用现状及永久基本农田数据的函（并发）', ['YZT-TDLY', 'YZT-YJJBNT']);
    const [djs, gbs] = [await taskFor(id, 'hejun'), await taskFor(id, 'wufang')];
    const results = await Promise.all([
      as('hejun').act(djs.id, { action: 'approve', comment: '同意' }),
      as('wufang').act(gbs.id, { action: 'approve', comment: '同意' }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect((await openTasks(id)).map((o) => o.activity_id)).toEqual(['provide']);
    expect(await statusOf(id)).toBe('待提供');
  });

  it('filters the list by status, dataset and keyword', async () => {
    const provided = await as('huangli').list(`status=${encodeURIComponent('待提供')}&limit=200`);
    expect(provided.body.items.length).toBeGreaterThan(0);
    expect(provided.body.items.every((i: { status: string }) => i.status === '待提供')).toBe(true);
    const byDataset = await as('js.nigao').list(`datasetId=${ds['YZT-DJ']}`);
    expect(byDataset.body.items.map((i: { title: string }) => i.title)).toEqual(['关于申请使用不动产登记数据的函（司局不同意）']);
    const byKeyword = await as('chenjing').list(`keyword=${encodeURIComponent('并发')}&limit=1`);
    expect(byKeyword.body.total).toBe(1);
    expect((await as('zj.shenpi').list()).body).toEqual({ items: [], total: 0 });
  });

  it('seeds demo requests in different states', async () => {
    await q(`DELETE FROM demo_seeds`);
    expect(await t.app.get(DemoCases).run(['data-request'])).toContain('data-request');
    const rows = await q(`SELECT title, status FROM data_requests WHERE title IN
      ('关于申请使用江苏省土地利用现状及永久基本农田数据的函', '关于申请使用国家土地督察北京局监管数据的函', '关于申请使用土地利用总体规划数据库的函',
       '关于申请使用全国遥感影像的函', '关于申请使用耕地质量等别数据的函') ORDER BY created_at`);
    expect(rows.map((r) => r.status)).toEqual(['已完成', '待提供', '退回修改', '不予提供', '待签批']);
    const sheets = await q(
      `SELECT r.status FROM data_requests r JOIN attachments a ON a.owner_kind = 'data-request' AND a.owner_id = r.id AND a.is_generated
        WHERE r.title IN ('关于申请使用江苏省土地利用现状及永久基本农田数据的函', '关于申请使用国家土地督察北京局监管数据的函')`,
    );
    expect(sheets).toEqual([{ status: '已完成' }]);
  });

  it('lets the applicant attach the signed application until the leader acts, and nobody outside see it', async () => {
    const created = await as('js.nigao').create(request('附件测试申请', [Object.keys(ds)[0]]));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await attach(t, tokens['js.nigao'], 'data-request', id, '数据使用申请函（盖章）.pdf')).status).toBe(201);
    expect((await attach(t, tokens['zj.shenpi'], 'data-request', id)).status).toBe(404);
    // 信息中心 sees the request from the start but attaches data only while providing it.
    expect((await attach(t, tokens.huangli, 'data-request', id)).body.code).toBe('ATTACHMENTS_LOCKED');
    const leader = await taskFor(id, 'js.shenpi');
    expect((await as('js.shenpi').act(leader.id, { action: 'approve', comment: '同意' })).status).toBe(200);
    expect((await attach(t, tokens['js.nigao'], 'data-request', id)).body.code).toBe('ATTACHMENTS_LOCKED');
  });
});
