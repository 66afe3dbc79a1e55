import { DataSource } from 'typeorm';
import { renderBodyText, type BodyParagraph } from '@zhengwu/contracts';
import { DocumentsService } from '../apps/api/src/documents/documents.service';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * 正文 with 痕迹保留 over HTTP (issue 16): the drafter's first text, 核稿's changes, a return, the drafter taking
 * some in, two 会签 units saving at the same moment, the 签发 leader accepting and rejecting, and the 清稿 that the
 * typesetting reads; with who may read and who may write at each step.
 */
describe('正文 revisions, changes and 清稿 through HTTP', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const units: Record<string, string> = {};
  const PEOPLE = ['lina', 'yangfan', 'zhangwei', 'guoqiang', 'wufang', 'gaoyuan', 'js.nigao'];

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of PEOPLE) tokens[name] = await t.login(name);
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const as = (who: string) => {
    const auth = { Authorization: `Bearer ${tokens[who]}` };
    return {
      get: (path: string) => t.http().get(path).set(auth),
      post: (path: string, body: object = {}) => t.http().post(path).set(auth).send(body),
      put: (path: string, body: object) => t.http().put(path).set(auth).send(body),
      binary: (path: string) =>
        t
          .http()
          .get(path)
          .set(auth)
          .buffer(true)
          .parse((res, done) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
          }),
      upload: (path: string, file: Buffer) => t.http().post(path).set(auth).attach('file', file, { filename: '正文.docx' }),
    };
  };
  const step = async (who: string, instanceId: string, activityId: string, body: object = { action: 'approve', comment: '同意' }) => {
    const open: { id: string }[] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'`, [
      instanceId,
      activityId,
    ]);
    // 会签 opens one task per unit in one transaction (the same created_at): the one in this person's 待办.
    const todo = await as(who).get('/api/tasks?view=todo&limit=100');
    const task = (todo.body.items as { id: string }[]).find((item) => open.some((o) => o.id === item.id));
    expect(task).toBeDefined();
    if (!task) return;
    const res = await as(who).post(`/api/tasks/${task.id}/actions`, body);
    expect([res.status, res.body.message]).toEqual([200, undefined]);
  };
  const ok = <T extends { status: number; body: unknown }>(res: T, status = 200): T => {
    expect([res.status, (res.body as { message?: string }).message]).toEqual([status, undefined]);
    return res;
  };
  const textOf = (paragraphs: BodyParagraph[]) => paragraphs.map((p) => p.text);

  it('keeps every hand’s changes, settles them, and freezes the signed text for typesetting', async () => {
    const created = ok(
      await as('lina').post('/api/documents', {
        docType: '通知',
        title: '关于报送2027年度信息化建设计划的通知',
        body: '各有关单位：\n一、报送内容\n请于12月31日前报送年度计划。\n二、工作要求\n请指定专人负责。',
        attachmentNote: '年度计划表',
        mainRecipients: [units['MLR-BGT']],
        countersignUnits: [units['MLR-GBS'], units['MLR-KJS']],
      }),
      201,
    );
    const { id, instanceId } = created.body as { id: string; instanceId: string };
    const base = `/api/documents/${id}/revisions`;

    // 起草 is revision 1, with the typed numbers read as levels.
    const first = ok(await as('lina').get(base)).body;
    expect(first.items.map((r: { number: number; step: string }) => [r.number, r.step])).toEqual([[1, '拟稿']]);
    expect(first.permissions).toEqual(expect.objectContaining({ canSave: true, step: '拟稿' }));
    const r1 = ok(await as('lina').get(`${base}/1`)).body;
    expect(r1.paragraphs).toEqual([
      { level: 'text', text: '各有关单位：' },
      { level: 'h1', text: '报送内容' },
      { level: 'text', text: '请于12月31日前报送年度计划。' },
      { level: 'h1', text: '工作要求' },
      { level: 'text', text: '请指定专人负责。' },
      { level: 'attachment', text: '年度计划表' },
    ]);

    // The drafter polishes the first draft: the same open revision, nothing to review yet.
    const polished = [...r1.paragraphs];
    polished[4] = { level: 'text', text: '请各单位指定专人负责。' };
    const saved = ok(await as('lina').post(base, { base: 1, paragraphs: polished }), 201).body;
    expect(saved).toEqual({ number: 1, replaced: true, unchanged: false });
    expect(ok(await as('lina').get(`${base}/1`)).body.changes).toEqual([]);
    await step('lina', instanceId, 'draft');

    // 核稿: only the holder of the step writes. Outside the case: not found; inside but not holding it: refused.
    for (const path of [base, `${base}/1`, `${base}/diff?from=1&to=1`, `${base}/1/docx`]) {
      expect([path, (await as('js.nigao').get(path)).status]).toEqual([path, 404]);
    }
    expect((await as('js.nigao').post(base, { base: 1, paragraphs: polished })).status).toBe(404);
    expect(ok(await as('guoqiang').get(base)).body.permissions).toEqual(expect.objectContaining({ canSave: false, canDecide: false }));
    const notHolder = await as('guoqiang').post(base, { base: 1, paragraphs: polished });
    expect([notHolder.status, notHolder.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await as('lina').post(base, { base: 1, paragraphs: polished })).status).toBe(403);
    expect((await as('zhangwei').post(base, { base: 1, paragraphs: polished })).status).toBe(403);
    // A paragraph may not smuggle a break or a level mark; an unknown level is refused.
    const hostile = await as('yangfan').post(base, { base: 1, paragraphs: [{ level: 'text', text: '甲\n乙' }] });
    expect([hostile.status, hostile.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await as('yangfan').post(base, { base: 1, paragraphs: [{ level: 'h9', text: '甲' }] })).status).toBe(400);

    // 核稿 (杨帆) edits: saving takes the step in hand (认领) and makes revision 2, tracked.
    const reviewed = polished.map((p: BodyParagraph) => ({ ...p, text: p.text.replace('12月31日', '11月30日') }));
    expect(ok(await as('yangfan').post(base, { base: 1, paragraphs: reviewed }), 201).body).toEqual({
      number: 2,
      replaced: false,
      unchanged: false,
    });
    const [review] = await q(`SELECT assignee FROM tasks WHERE instance_id = $1 AND activity_id = 'review' AND status = 'open'`, [
      instanceId,
    ]);
    expect(review.assignee).toBe((await q(`SELECT id FROM users WHERE username = 'yangfan'`))[0].id);
    // Saved again by the same person at the same step: revision 2 is replaced, not piled on.
    reviewed.splice(4, 0, { level: 'h2', text: '明确责任' });
    expect(ok(await as('yangfan').post(base, { base: 2, paragraphs: reviewed }), 201).body).toEqual({
      number: 2,
      replaced: true,
      unchanged: false,
    });
    const r2 = ok(await as('yangfan').get(`${base}/2`)).body;
    expect(
      r2.changes.map((c: { authorName: string; step: string; deleted: string; inserted: string }) => [
        c.authorName,
        c.step,
        c.deleted,
        c.inserted,
      ]),
    ).toEqual([
      ['杨帆', '核稿', '2', '1'],
      ['杨帆', '核稿', '1', '0'],
      ['杨帆', '核稿', '', '明确责任¶'],
    ]);
    expect(r2.marked[4]).toEqual(expect.objectContaining({ level: 'h2', number: '（一）', isInserted: true }));
    // A .docx of revision 1 comes back as the same paragraphs.
    const docx = await as('yangfan').binary(`${base}/1/docx`);
    expect([docx.status, docx.headers['content-type']]).toEqual([
      200,
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ]);
    const imported = ok(await as('yangfan').upload(`${base}/import-docx`, docx.body as Buffer)).body;
    expect(imported.paragraphs).toEqual(polished);
    expect((await as('guoqiang').upload(`${base}/import-docx`, docx.body as Buffer)).status).toBe(403);

    // 退回: the drafter sees 核稿's changes, takes in the first, and edits too — tracked now.
    await step('yangfan', instanceId, 'review', { action: 'return', comment: '请核实时间' });
    const drafterView = ok(await as('lina').get(base)).body;
    expect(drafterView.permissions).toEqual(expect.objectContaining({ canSave: true, canDecide: true, step: '拟稿' }));
    expect(ok(await as('lina').post(`${base}/2/changes/c1/accept`), 200).body).toEqual({ number: 3, decided: 1 });
    // The revision shown is no longer the latest: a decision on it is refused, as is an unknown change.
    expect((await as('lina').post(`${base}/2/changes/c2/accept`)).status).toBe(409);
    expect((await as('lina').post(`${base}/3/changes/c9/accept`)).status).toBe(404);
    const form = {
      docType: '通知',
      title: '关于报送2027年度信息化建设计划的通知',
      body: ok(await as('lina').get(`/api/documents/${id}`)).body.body.replace('报送年度计划', '报送计划'),
      attachmentNote: '年度计划表',
      mainRecipients: [units['MLR-BGT']],
      countersignUnits: [units['MLR-GBS'], units['MLR-KJS']],
    };
    ok(await as('lina').put(`/api/documents/${id}`, form));
    const r4 = ok(await as('lina').get(`${base}/4`)).body;
    expect(r4).toEqual(expect.objectContaining({ step: '拟稿', authorName: '李娜', kind: 'edit' }));
    expect(r4.changes.map((c: { authorName: string; deleted: string }) => [c.authorName, c.deleted])).toEqual([
      ['杨帆', '1'],
      ['李娜', '年度'],
      ['杨帆', ''],
    ]);
    await step('lina', instanceId, 'draft');
    await step('yangfan', instanceId, 'review');

    // 会签: two units save at the same moment on the same revision: one lands, the other is told, nothing is lost.
    const latest = ok(await as('wufang').get(base)).body.latest;
    const current = ok(await as('wufang').get(`${base}/${latest}`)).body.paragraphs as BodyParagraph[];
    const gbs = current.map((p) => (p.text === '请各单位指定专人负责。' ? { ...p, text: '请各单位指定一名专人负责。' } : p));
    const kjs = [...current.slice(0, -1), { level: 'text', text: '特此通知。' }, current[current.length - 1]];
    const raced = await Promise.all([
      as('wufang').post(base, { base: latest, paragraphs: gbs }),
      as('gaoyuan').post(base, { base: latest, paragraphs: kjs }),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = raced[0].status === 409 ? 'wufang' : 'gaoyuan';
    expect(raced.find((r) => r.status === 409)!.body.code).toBe('REVISION_CONFLICT');
    const after = ok(await as(loser).get(base)).body.latest;
    expect(after).toBe(latest + 1);
    // The one told refreshes and makes the same change on the new revision.
    const fresh = ok(await as(loser).get(`${base}/${after}`)).body.paragraphs as BodyParagraph[];
    const retried =
      loser === 'wufang'
        ? fresh.map((p) => (p.text === '请各单位指定专人负责。' ? { ...p, text: '请各单位指定一名专人负责。' } : p))
        : [...fresh.slice(0, -1), { level: 'text', text: '特此通知。' }, fresh[fresh.length - 1]];
    expect(ok(await as(loser).post(base, { base: after, paragraphs: retried }), 201).body.number).toBe(after + 1);
    // 会签 units propose; they do not settle changes.
    expect((await as('wufang').post(`${base}/${after + 1}/changes/c1/accept`)).status).toBe(403);
    await step('wufang', instanceId, 'countersign');
    await step('gaoyuan', instanceId, 'countersign');

    // 签发: 张伟 sees every pending change by person and time, rejects one and accepts one.
    const signView = ok(await as('zhangwei').get(base)).body;
    expect(signView.permissions).toEqual(expect.objectContaining({ canSave: false, canDecide: true, step: '签发' }));
    const before = ok(await as('zhangwei').get(`${base}/${signView.latest}`)).body;
    expect(before.changes.map((c: { authorName: string }) => c.authorName)).toEqual(['杨帆', '李娜', '杨帆', '吴芳', '高原']);
    expect(before.changes.every((c: { at: string }) => !Number.isNaN(Date.parse(c.at)))).toBe(true);
    expect(before.authors.map((a: { authorName: string }) => a.authorName).sort()).toEqual(['吴芳', '李娜', '杨帆', '高原'].sort());
    const drop = before.changes.find((c: { authorName: string }) => c.authorName === '李娜');
    const rejected = ok(await as('zhangwei').post(`${base}/${signView.latest}/changes/${drop.id}/reject`)).body;
    const restored = ok(await as('zhangwei').get(`${base}/${rejected.number}`)).body;
    expect(textOf(restored.paragraphs)).toContain('请于11月30日前报送年度计划。');
    ok(await as('zhangwei').post(`${base}/${rejected.number}/changes/c1/accept`));

    // Compare any two: revision 1 against the latest, character by character.
    const newest = ok(await as('zhangwei').get(base)).body.latest;
    const diff = ok(await as('zhangwei').get(`${base}/diff?from=1&to=${newest}`)).body;
    const runs = diff.marked.flatMap((p: { runs: { kind: string; text: string }[] }) => p.runs);
    expect(runs).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'ins', text: '一名' }), expect.objectContaining({ kind: 'del', text: '2' })]),
    );
    expect(diff.from.number).toBe(1);
    expect((await as('zhangwei').get(`${base}/diff?from=1&to=999`)).status).toBe(404);
    expect((await as('zhangwei').get(`${base}/diff?from=x&to=2`)).status).toBe(400);

    // 签发 with changes still pending: they are accepted with the signature, and the 清稿 is frozen.
    const pending = ok(await as('zhangwei').get(`${base}/${newest}`)).body.changes.length;
    expect(pending).toBeGreaterThan(0);
    await step('zhangwei', instanceId, 'sign', { action: 'approve', comment: '同意印发' });
    const final = ok(await as('lina').get(base)).body;
    expect(final.clean).toBe(final.latest);
    const clean = ok(await as('lina').get(`${base}/${final.clean}`)).body;
    expect(clean).toEqual(expect.objectContaining({ kind: 'clean', step: '签发', authorName: '张伟', changes: [] }));
    expect(clean.note).toContain(`接受全部 ${pending} 处`);
    expect(textOf(clean.paragraphs)).toEqual([
      '各有关单位：',
      '报送内容',
      '请于11月30日前报送年度计划。',
      '工作要求',
      '明确责任',
      '请各单位指定一名专人负责。',
      '特此通知。',
      '年度计划表',
    ]);
    // The typesetting reads the clean copy, numbered.
    const official = await t.app.get(DocumentsService).officialData(id);
    expect(official.body).toBe(renderBodyText(clean.paragraphs).body);
    expect(official.body).toContain('二、工作要求\n（一）明确责任');
    expect(official.attachments).toEqual(['年度计划表']);
    // Nobody writes after 签发; earlier revisions stay readable to the case's people.
    expect((await as('zhangwei').post(base, { base: final.latest, paragraphs: clean.paragraphs })).status).toBe(403);
    expect(ok(await as('guoqiang').get(`${base}/2`)).body.number).toBe(2);
    expect((await as('js.nigao').get(`${base}/${final.clean}`)).status).toBe(404);
  });
});
