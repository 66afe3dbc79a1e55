import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { startWorkerProcess, type WorkerProcess } from '../../../../test/support/worker-process';
import { createHttpApp } from '../platform/http-app';
import { DemoCases } from '../seed/demo-cases';
import { DataCollectionScanner } from './data-collection.scanner';
import { CHUNK_TYPE } from './data-collection.controller';

describe('基础数据汇交 (data-collection)', () => {
  let t: TestApp;
  let workers: WorkerProcess;
  let port: number;
  const WORKER_TOKEN = 'data-collection-spec-worker-token';
  const tokens: Record<string, string> = {};
  const people = ['tangning', 'chenjing', 'huangli', 'js.nigao', 'zj.shouwen', 'hz.shenhe', 'lina'];
  let listId: string;
  const sub: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
    workers = await startWorkerProcess(`http://127.0.0.1:${port}`, WORKER_TOKEN);
    for (const name of people) tokens[name] = await t.login(name);
  });
  afterAll(async () => {
    await workers?.stop();
    await t.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => `Bearer ${tokens[who]}`;
  const api = (who: string) => ({
    get: (path: string) => t.http().get(`/api/data-collection${path}`).set('Authorization', auth(who)),
    post: (path: string, body: object = {}) => t.http().post(`/api/data-collection${path}`).set('Authorization', auth(who)).send(body),
    put: (path: string, body: object) => t.http().put(`/api/data-collection${path}`).set('Authorization', auth(who)).send(body),
    head: (path: string) => t.http().head(`/api/data-collection${path}`).set('Authorization', auth(who)),
    patch: (path: string, offset: number, bytes: Buffer) =>
      t
        .http()
        .patch(`/api/data-collection${path}`)
        .set('Authorization', auth(who))
        .set('Content-Type', CHUNK_TYPE)
        .set('Upload-Offset', String(offset))
        .send(bytes),
  });
  const item = (code: string, name: string, format: string, levels: string[]) => ({
    code,
    name,
    kind: name,
    format,
    coordinateSystem: 'CGCS2000',
    maxSizeMb: 20,
    dueWorkingDays: 10,
    levels,
    regions: ['320000', '330000'],
  });
  const statusOf = async (id: string) => (await q(`SELECT status FROM collection_submissions WHERE id = $1`, [id]))[0].status as string;
  /** The worker checks over HTTP: wait until it has answered. */
  const checked = async (id: string) => {
    for (let waited = 0; waited < 30_000; waited += 200) {
      const status = await statusOf(id);
      if (status !== '待检查') return status;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the check of ${id} never finished:\n${workers.output()}`);
  };
  const info = (areaCode: string, areaName: string) => ({
    responsibleUnit: `${areaName}国土资源信息中心`,
    contactName: '联系人',
    contactPhone: '025-86658123',
    version: '2026.1',
    areaCode,
    areaName,
  });
  /** Fills in, uploads in one request and submits. */
  const send = async (who: string, id: string, areaCode: string, areaName: string, name: string, bytes: Buffer) => {
    expect((await api(who).put(`/submissions/${id}`, info(areaCode, areaName))).status).toBe(200);
    const up = await api(who).post(`/submissions/${id}/uploads`, { name, length: bytes.length });
    expect(up.status).toBe(201);
    const put = await api(who).patch(`/uploads/${up.body.id}`, 0, bytes);
    expect([put.status, put.body.sha256]).toEqual([200, createHash('sha256').update(bytes).digest('hex')]);
    const submitted = await api(who).post(`/submissions/${id}/submit`);
    expect([submitted.status, submitted.body.status]).toEqual([200, '待检查']);
  };
  const geojson = (features: number) => {
    const parts = ['{"type":"FeatureCollection","features":['];
    for (let i = 0; i < features; i += 1)
      parts.push(
        `${i ? ',' : ''}{"type":"Feature","properties":{"BSM":${i},"DLBM":"0101"},"geometry":{"type":"Point","coordinates":[${118 + (i % 1000) / 1000},${32 + (i % 777) / 1000}]}}`,
      );
    parts.push(']}');
    return Buffer.from(parts.join(''));
  };

  it('issues a list to two provinces: one submission case per unit and dataset, and a 通知 draft', async () => {
    // Only 信息中心's drafter drafts the list.
    expect(
      (await api('lina').post('/lists', { year: 2026, title: '越权清单', items: [item('HJ-X', '数据', 'CSV', ['province'])] })).status,
    ).toBe(403);
    const bad = await api('tangning').post('/lists', {
      year: 2026,
      title: '清单',
      items: [{ ...item('HJ-X', '数据', 'XLS', ['province']) }],
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const created = await api('tangning').post('/lists', {
      year: 2026,
      title: '2026年度基础数据汇交清单',
      items: [item('HJ-TDLY', '土地利用现状变更数据', 'GeoJSON', ['province', 'city'])],
    });
    expect([created.status, created.body.status]).toEqual([201, '待审批']);
    listId = created.body.id;
    // Not issuable before 信息办 approves; 退回 needs a reason.
    expect((await api('tangning').post(`/lists/${listId}/issue`)).body.code).toBe('LIST_NOT_APPROVED');
    expect((await api('chenjing').post(`/lists/${listId}/decide`, { outcome: 'return' })).status).toBe(400);
    const returned = await api('chenjing').post(`/lists/${listId}/decide`, { outcome: 'return', comment: '请补充矿业权数据' });
    expect([returned.status, returned.body.status, returned.body.lastOpinion]).toEqual([200, '退回修改', '请补充矿业权数据']);
    // Only its drafter corrects it (a draft list is not even visible outside 信息中心 and 信息办); back to 信息办.
    const items = [
      item('HJ-TDLY', '土地利用现状变更数据', 'GeoJSON', ['province', 'city']),
      item('HJ-KYQ', '矿业权设置数据', 'CSV', ['province']),
    ];
    expect((await api('lina').put(`/lists/${listId}`, { year: 2026, title: '越权修改', items })).status).toBe(404);
    const corrected = await api('tangning').put(`/lists/${listId}`, { year: 2026, title: '2026年度基础数据汇交清单', items });
    expect([corrected.status, corrected.body.status, corrected.body.items.length]).toEqual([200, '待审批', 2]);
    const approved = await api('chenjing').post(`/lists/${listId}/decide`, { outcome: 'approve', comment: '同意下发' });
    expect([approved.status, approved.body.status]).toEqual([200, '已批准']);
    const issued = await api('tangning').post(`/lists/${listId}/issue`);
    expect([issued.status, issued.body.status]).toEqual([200, '已下发']);

    const rows = await q(
      `SELECT s.id, u.code AS unit, i.code AS item, s.status, t.activity_id, t.candidate_units, s.unit_id
         FROM collection_submissions s JOIN units u ON u.id = s.unit_id JOIN collection_items i ON i.id = s.item_id
         JOIN tasks t ON t.instance_id = s.instance_id AND t.status = 'open' WHERE s.list_id = $1 ORDER BY u.code, i.code`,
      [listId],
    );
    expect(rows.map((r) => `${r.unit}/${r.item}`)).toEqual([
      '320000/HJ-KYQ',
      '320000/HJ-TDLY',
      '320100/HJ-TDLY',
      '320500/HJ-TDLY',
      '330000/HJ-KYQ',
      '330000/HJ-TDLY',
      '330100/HJ-TDLY',
      '330200/HJ-TDLY',
    ]);
    // The step's own due date is the submission's (the 待办 shows it and marks it overdue).
    const dues = await q(
      `SELECT count(*)::int AS n FROM collection_submissions s JOIN tasks t ON t.instance_id = s.instance_id AND t.status = 'open'
        WHERE s.list_id = $1 AND t.due_at = s.due_at`,
      [listId],
    );
    expect(dues[0].n).toBe(8);
    for (const r of rows) {
      expect([r.status, r.activity_id, r.candidate_units]).toEqual(['待提交', 'submit', [r.unit_id]]);
      sub[`${r.unit}/${r.item}`] = r.id;
    }
    // The 通知: drafted by 信息中心's drafter, addressed to the two provinces, waiting at 拟稿 for the usual 核稿/签发.
    const [notice] = await q(
      `SELECT d.doc_type, d.title, d.body, d.drafter_id, (SELECT array_agg(code ORDER BY code) FROM units WHERE id = ANY(d.main_recipients)) AS recipients
         FROM documents d JOIN collection_lists l ON l.notice_document_id = d.id WHERE l.id = $1`,
      [listId],
    );
    expect(notice.doc_type).toBe('通知');
    expect(notice.recipients).toEqual(['320000', '330000']);
    expect(notice.body).toContain('土地利用现状变更数据（HJ-TDLY');
    // 江苏's 承办人 sees the step in the 待办.
    const todo = await t.http().get('/api/tasks?view=todo&limit=200').set('Authorization', auth('js.nigao'));
    expect(todo.body.items.map((i: { id: string }) => i.id)).toEqual(
      expect.arrayContaining(
        (
          await q(
            `SELECT t.id FROM tasks t JOIN collection_submissions s ON s.instance_id = t.instance_id WHERE s.id = $1 AND t.status = 'open'`,
            [sub['320000/HJ-TDLY']],
          )
        ).map((r) => r.id),
      ),
    );
  });

  it('fails the automatic check of a file in the wrong format, with the reason', async () => {
    const id = sub['330000/HJ-TDLY'];
    // Submitting without the data is refused before the case moves.
    const early = await api('zj.shouwen').post(`/submissions/${id}/submit`);
    expect([early.status, early.body.message]).toEqual([400, expect.stringContaining('数据文件')]);
    await send('zj.shouwen', id, '330000', '浙江省', '330000_土地利用现状.csv', Buffer.from('DLBM,DLMC\n0101,水田\n'));
    expect(await checked(id)).toBe('检查未通过');
    const view = await api('zj.shouwen').get(`/submissions/${id}`);
    expect(view.body.checkReason).toContain('清单要求 GeoJSON 格式，提交的文件扩展名为“.csv”');
    expect(view.body.canEdit).toBe(true);
    // The reopened step is the unit's again, and the bell says why.
    const [notice] = await q(`SELECT payload FROM outbox WHERE topic = 'data-collection.returned' AND payload->>'submissionId' = $1`, [id]);
    expect(notice.payload.subject).toContain('自动检查未通过');
  });

  it('resumes a large upload cut mid-body over real HTTP; the file arrives intact and is checked, reviewed and catalogued', async () => {
    const id = sub['320000/HJ-TDLY'];
    const bytes = geojson(60_000);
    expect(bytes.length).toBeGreaterThan(5_000_000);
    const digest = createHash('sha256').update(bytes).digest('hex');
    expect((await api('js.nigao').put(`/submissions/${id}`, info('320000', '江苏省'))).status).toBe(200);
    const up = await api('js.nigao').post(`/submissions/${id}/uploads`, { name: '320000_土地利用现状.geojson', length: bytes.length });
    expect([up.status, up.headers['upload-offset']]).toEqual([201, '0']);
    const uploadId = up.body.id as string;

    // The first request declares the whole file, sends 3 MB of it and the connection is cut.
    const sent = 3_000_000;
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'PATCH',
        path: `/api/data-collection/uploads/${uploadId}`,
        headers: { Authorization: auth('js.nigao'), 'Content-Type': CHUNK_TYPE, 'Upload-Offset': '0', 'Content-Length': bytes.length },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(bytes.subarray(0, sent), () => setTimeout(() => (req.destroy(), resolve()), 300));
    });
    // HEAD tells how far it got (once the server has recorded the cut); then the rest follows from there.
    let offset = 0;
    for (let waited = 0; waited < 10_000; waited += 100) {
      const head = await api('js.nigao').head(`/uploads/${uploadId}`);
      expect(head.status).toBe(200);
      offset = Number(head.headers['upload-offset']);
      if (offset > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(sent);
    // A wrong offset is refused with the right one named.
    const wrong = await api('js.nigao').patch(`/uploads/${uploadId}`, 0, bytes.subarray(0, 10));
    expect([wrong.status, wrong.body.code]).toEqual([409, 'UPLOAD_OFFSET_MISMATCH']);
    let done = await api('js.nigao').patch(`/uploads/${uploadId}`, offset, bytes.subarray(offset));
    for (let tries = 0; done.status === 409 && done.body.code === 'UPLOAD_BUSY' && tries < 50; tries += 1) {
      await new Promise((r) => setTimeout(r, 100));
      done = await api('js.nigao').patch(`/uploads/${uploadId}`, offset, bytes.subarray(offset));
    }
    expect([done.status, done.body.offset, done.body.sha256]).toEqual([200, bytes.length, digest]);
    // The stored file is byte for byte the one sent.
    const file = await t
      .http()
      .get(`/api/data-collection/submissions/${id}/file`)
      .set('Authorization', auth('js.nigao'))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(
      createHash('sha256')
        .update(file.body as Buffer)
        .digest('hex'),
    ).toBe(digest);
    expect((await q(`SELECT sha256, file_size::int AS size FROM collection_submissions WHERE id = $1`, [id]))[0]).toEqual({
      sha256: digest,
      size: bytes.length,
    });

    expect((await api('js.nigao').post(`/submissions/${id}/submit`)).status).toBe(200);
    expect(await checked(id)).toBe('待审核');
    expect((await api('huangli').get(`/submissions/${id}`)).body.checkReason).toContain('自动检查通过');
    // Not in the catalogue until 信息中心 passes it.
    const before = await t.http().get('/api/catalogue/published.json');
    expect(before.body.items.map((i: { code: string }) => i.code)).not.toContain('HJ-TDLY');
    // A reviewer cannot return without a reason.
    expect((await api('huangli').post(`/submissions/${id}/review`, { outcome: 'return' })).status).toBe(400);
    const passed = await api('huangli').post(`/submissions/${id}/review`, { outcome: 'approve', comment: '数据完整，审核通过' });
    expect([passed.status, passed.body.status]).toEqual([200, '已通过']);
    const published = await t.http().get('/api/catalogue/published.json');
    const entry = published.body.items.find((i: { code: string }) => i.code === 'HJ-TDLY');
    expect(entry).toMatchObject({
      name: '土地利用现状变更数据',
      category: '基础数据汇交',
      formats: ['GeoJSON'],
      ownerUnitCode: 'MLR-XXZX',
    });
  });

  it('lets one connection at a time write an upload, also across two api processes', async () => {
    const replica = await createHttpApp(t.config, t.db.url);
    await replica.listen(0, '127.0.0.1');
    const replicaPort = (replica.getHttpServer().address() as { port: number }).port;
    try {
      const id = sub['320000/HJ-KYQ'];
      const bytes = Buffer.alloc(1_000_000, 'KQBH,KQMC\n');
      const up = await api('js.nigao').post(`/submissions/${id}/uploads`, { name: '320000_矿业权.csv', length: bytes.length });
      expect(up.status).toBe(201);
      const path = `/api/data-collection/uploads/${up.body.id as string}`;
      const headers = { Authorization: auth('js.nigao'), 'Content-Type': CHUNK_TYPE, 'Upload-Offset': '0' };
      // The first writer sends part of the file through this process and holds the connection open.
      const first = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'PATCH',
        path,
        headers: { ...headers, 'Content-Length': bytes.length },
      });
      const firstAnswer = new Promise<{ status: number; body: { offset: number; sha256: string | null } }>((resolve, reject) => {
        first.on('error', reject);
        first.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { offset: number; sha256: string | null } }),
          );
        });
      });
      first.write(bytes.subarray(0, 200_000));
      for (let waited = 0; ; waited += 50) {
        const [held] = await q(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`);
        if (held.n > 0) break;
        if (waited > 10_000) throw new Error('the first writer never took the upload');
        await new Promise((r) => setTimeout(r, 50));
      }
      // A second writer at the same offset through the other process is turned away, not interleaved.
      const second = await rawPatch(`http://127.0.0.1:${replicaPort}${path}`, headers, bytes);
      expect([second.status, second.code]).toEqual([409, 'UPLOAD_BUSY']);
      first.end(bytes.subarray(200_000));
      const done = await firstAnswer;
      expect([done.status, done.body.offset, done.body.sha256]).toEqual([
        200,
        bytes.length,
        createHash('sha256').update(bytes).digest('hex'),
      ]);
      const again = await rawPatch(`http://127.0.0.1:${replicaPort}${path}`, headers, bytes.subarray(0, 10));
      expect([again.status, again.code]).toEqual([409, 'UPLOAD_COMPLETE']);
    } finally {
      await replica.close();
    }
  });

  it('urges a late unit once and escalates to its leader and 信息中心', async () => {
    const id = sub['320100/HJ-TDLY'];
    await q(`UPDATE collection_submissions SET due_at = now() - interval '6 days' WHERE id = $1`, [id]);
    const scanner = t.app.get(DataCollectionScanner);
    const first = await scanner.scan();
    expect(first.urged).toBeGreaterThanOrEqual(1);
    expect(first.escalated).toBe(1);
    expect(await scanner.scan()).toEqual({ urged: 0, escalated: 0 });
    const ids = async (names: string[]) =>
      (await q(`SELECT id FROM users WHERE username = ANY($1) ORDER BY username`, [names])).map((r) => r.id);
    const [urged] = await q(`SELECT payload FROM outbox WHERE topic = 'data-collection.urged' AND payload->>'submissionId' = $1`, [id]);
    expect(urged.payload.subject).toContain('已逾期');
    expect(urged.payload.to).toEqual(await ids(['nj.shenhe']));
    expect(urged.payload.link).toBe(`/data-collection/submissions/${id}`);
    const [escalated] = await q(`SELECT payload FROM outbox WHERE topic = 'data-collection.escalated' AND payload->>'submissionId' = $1`, [
      id,
    ]);
    expect([...escalated.payload.to].sort()).toEqual((await ids(['js.shenpi', 'huangli'])).sort());
    // The bell shows it to 南京's 收发员, opening the submission's page.
    const nj = await t.login('nj.shenhe');
    const bell = await t.http().get('/api/me/notifications').set('Authorization', `Bearer ${nj}`);
    expect(bell.status).toBe(200);
    const [row] = await q(
      `SELECT n.title, n.link FROM user_notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'nj.shenhe' AND n.link = $1`,
      [`/data-collection/submissions/${id}`],
    );
    expect(row.title).toContain('催报');
  });

  it('shows every state on the board and drafts a 通报 with the figures', async () => {
    // 杭州 on time and passed; 江苏 矿业权 late (its due date passed before it came in).
    const hz = sub['330100/HJ-TDLY'];
    await send('hz.shenhe', hz, '330100', '杭州市', '330100.geojson', geojson(10));
    expect(await checked(hz)).toBe('待审核');
    expect((await api('huangli').post(`/submissions/${hz}/review`, { outcome: 'approve' })).status).toBe(200);
    const late = sub['320000/HJ-KYQ'];
    await q(`UPDATE collection_submissions SET due_at = now() - interval '1 day' WHERE id = $1`, [late]);
    await send('js.nigao', late, '320000', '江苏省', '320000_矿业权.csv', Buffer.from('KQBH,KQMC\nC320000,示例矿区\n'));
    expect(await checked(late)).toBe('待审核');
    // 信息中心 returns it with a reason: it counts as 退回 until corrected... then the unit corrects nothing yet.
    const returned = await api('huangli').post(`/submissions/${late}/review`, { outcome: 'return', comment: '缺少矿区范围坐标' });
    expect([returned.status, returned.body.status, returned.body.reviewOpinion]).toEqual([200, '已退回', '缺少矿区范围坐标']);
    // Resubmitted: it keeps its first (late) submission date.
    expect((await api('js.nigao').post(`/submissions/${late}/submit`)).status).toBe(200);
    expect(await checked(late)).toBe('待审核');

    const board = await api('huangli').get(`/lists/${listId}/board`);
    expect(board.status).toBe(200);
    const state = (key: string) => board.body.rows.find((r: { submissionId: string }) => r.submissionId === sub[key]).state;
    expect(['320000/HJ-TDLY', '320000/HJ-KYQ', '330000/HJ-TDLY', '320100/HJ-TDLY'].map(state)).toEqual(['按时', '逾期', '退回', '未报']);
    expect(board.body.figures.counts).toEqual({ 按时: 2, 逾期: 1, 退回: 1, 未报: 4 });
    expect(board.body.figures.provinces).toEqual([
      { provinceName: '江苏省国土资源厅', total: 4, onTime: 1, late: 1, returned: 0, missing: 2, onTimeRate: 25 },
      { provinceName: '浙江省国土资源厅', total: 4, onTime: 1, late: 0, returned: 1, missing: 2, onTimeRate: 25 },
    ]);
    const csv = await api('huangli').get(`/lists/${listId}/board.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(9);
    expect(csv.text).toContain('"江苏省国土资源厅","江苏省国土资源厅","HJ-KYQ","矿业权设置数据","待审核","逾期"');

    expect((await api('js.nigao').post(`/lists/${listId}/bulletin`)).status).toBe(403);
    const bulletin = await api('tangning').post(`/lists/${listId}/bulletin`);
    expect(bulletin.status).toBe(201);
    const [doc] = await q(`SELECT doc_type, title, body FROM documents WHERE id = $1`, [bulletin.body.documentId]);
    expect(doc.doc_type).toBe('通报');
    expect(doc.body).toContain('本年度应汇交数据8项，按时汇交2项，逾期汇交1项，被退回待重报1项，未汇交4项，总体按时汇交率25%。');
    expect(doc.body).toContain('江苏省国土资源厅：应汇交4项，按时1项，逾期1项，退回0项，未汇交2项，按时汇交率25%。');
    expect(doc.body).toContain('杭州市国土资源局按时汇交全部数据且审核通过，予以表扬。');
    expect(doc.body).toContain('浙江省国土资源厅：土地利用现状变更数据退回，矿业权设置数据未报');
    // It is an ordinary draft: its drafter's 拟稿 step is open, and the document follows 核稿/签发 from there.
    const [draft] = await q(
      `SELECT t.activity_id FROM tasks t JOIN documents d ON d.instance_id = t.instance_id WHERE d.id = $1 AND t.status = 'open'`,
      [bulletin.body.documentId],
    );
    expect(draft.activity_id).toBe('draft');
  });

  it('never shows one province another province’s submissions', async () => {
    const js = sub['320000/HJ-TDLY'];
    const mine = await api('zj.shouwen').get(`/submissions?listId=${listId}`);
    expect(mine.status).toBe(200);
    const zjUnits = (await q(`SELECT id FROM units WHERE path LIKE (SELECT path FROM units WHERE code = '330000') || '%'`)).map(
      (r) => r.id,
    );
    expect(mine.body.items.length).toBe(4);
    for (const s of mine.body.items) expect(zjUnits).toContain(s.unitId);
    expect((await api('zj.shouwen').get(`/submissions/${js}`)).status).toBe(404);
    expect((await api('zj.shouwen').put(`/submissions/${js}`, info('330000', '浙江省'))).status).toBe(404);
    expect((await api('zj.shouwen').post(`/submissions/${js}/uploads`, { name: 'x.geojson', length: 10 })).status).toBe(404);
    expect((await t.http().get(`/api/data-collection/submissions/${js}/file`).set('Authorization', auth('zj.shouwen'))).status).toBe(404);
    const [jsUpload] = await q(`SELECT id FROM collection_uploads WHERE submission_id = $1`, [js]);
    expect((await api('zj.shouwen').head(`/uploads/${jsUpload.id}`)).status).toBe(404);
    // Supporting papers follow the submission's visibility.
    const papers = (who: string) =>
      t.http().get(`/api/attachments?ownerKind=data-collection&ownerId=${js}`).set('Authorization', auth(who));
    expect((await papers('js.nigao')).status).toBe(200);
    expect((await papers('zj.shouwen')).status).toBe(404);
    const board = await api('zj.shouwen').get(`/lists/${listId}/board`);
    expect(board.body.rows.map((r: { provinceName: string }) => r.provinceName)).toEqual(Array(4).fill('浙江省国土资源厅'));
    // 信息中心 sees both.
    expect((await api('huangli').get(`/submissions?listId=${listId}`)).body.total).toBe(8);
  });
  it('seeds the 2026 demo: issued to 江苏 and 浙江, one submission checked through, one returned by the check, one late', async () => {
    expect(await t.app.get(DemoCases).run(['data-collection'])).toEqual(['data-collection']);
    const [list] = await q(`SELECT id, status, notice_document_id FROM collection_lists WHERE id <> $1`, [listId]);
    expect(list.status).toBe('已下发');
    expect(list.notice_document_id).toBeTruthy();
    const rows = await q(
      `SELECT s.id, u.code, i.code AS item, s.due_at < now() AS late FROM collection_submissions s JOIN units u ON u.id = s.unit_id
         JOIN collection_items i ON i.id = s.item_id WHERE s.list_id = $1 ORDER BY u.code, i.code`,
      [list.id],
    );
    expect(rows).toHaveLength(8);
    const find = (code: string, item: string) => rows.find((r) => r.code === code && r.item === item);
    expect(await checked(find('320000', 'HJ-TDLY').id)).toBe('待审核');
    expect(await checked(find('330000', 'HJ-TDLY').id)).toBe('检查未通过');
    expect(find('320100', 'HJ-TDLY').late).toBe(true);
  });
});

/** A PATCH with a body over plain HTTP to any process; the answer's status and error code. */
function rawPatch(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'PATCH', headers: { ...headers, 'Content-Length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text || '{}') as { code?: string }).code }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
