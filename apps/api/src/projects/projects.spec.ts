import * as pdfLib from '@zhengwu/pdf';
import { DataSource } from 'typeorm';
import { extractPdf, linesOf } from '../../../../libs/pdf/src/testing/extract';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { attach } from '../../../../test/support/attach';
import { DemoCases } from '../seed/demo-cases';
import { similarity } from './similarity';

// The real layouts, with the notice's observable so one test can make it fail.
jest.mock('@zhengwu/pdf', () => {
  const actual = jest.requireActual<typeof pdfLib>('@zhengwu/pdf');
  return { ...actual, renderProjectApprovalNotice: jest.fn(actual.renderProjectApprovalNotice) };
});

const PEOPLE = [
  'lina',
  'yangfan',
  'zhangwei',
  'chenjing',
  'liuhaiyan',
  'zhoumin',
  'wangjianguo',
  'sunzhiqiang',
  'hejun',
  'wufang',
  'luoping',
  'js.shenpi',
  'xutao',
  'wangbo',
  'huangli',
  'zj.shenpi',
];
const MEMBERS = ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei', 'hejun'];
const YEAR = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date()));

describe('信息化项目立项 and the ledgers', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const units: Record<string, string> = {};
  let counter = 0;

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of PEOPLE) {
      tokens[name] = await t.login(name);
      ids[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const as = (who: string) => ({
    get: (path: string) => t.http().get(`/api${path}`).set(auth(who)),
    post: (path: string, body: object) => t.http().post(`/api${path}`).set(auth(who)).send(body),
    put: (path: string, body: object) => t.http().put(`/api${path}`).set(auth(who)).send(body),
    act: (taskId: string, body: object) => t.http().post(`/api/tasks/${taskId}/actions`).set(auth(who)).send(body),
  });
  const proposal = (overrides: Record<string, unknown> = {}) => ({
    name: `测试项目${++counter}号业务系统建设`,
    category: '系统开发和运行维护',
    budget: 120.5,
    startYear: YEAR,
    endYear: YEAR + 1,
    content: `第${counter}号测试项目：建设业务协同系统，实现审批事项在线办理与数据汇交。`,
    isGovernmentAffairs: false,
    ...overrides,
  });
  const submit = async (who: string, overrides: Record<string, unknown> = {}) => {
    const res = await as(who).post('/projects', proposal(overrides));
    expect(res.status).toBe(201);
    return res.body as { id: string; instanceId: string };
  };
  const task = async (instanceId: string, activity: string, assignee?: string) => {
    const rows = await q(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' ${assignee ? 'AND assignee = $3' : ''}`,
      assignee ? [instanceId, activity, ids[assignee]] : [instanceId, activity],
    );
    expect(rows).toHaveLength(1);
    return rows[0].id as string;
  };
  const project = async (id: string) => (await q(`SELECT * FROM projects WHERE id = $1`, [id]))[0];
  /** Submitted by lina, approved by 规划司's leader and reviewed by 信息办: the group votes next. */
  const toVote = async (overrides: Record<string, unknown> = {}, submitter = 'lina', leader = 'zhangwei') => {
    const p = await submit(submitter, overrides);
    expect((await as(leader).act(await task(p.instanceId, 'leaderApproval'), { action: 'approve', comment: '同意申报' })).status).toBe(200);
    expect((await as('chenjing').act(await task(p.instanceId, 'officeReview'), { action: 'approve', comment: '建议立项' })).status).toBe(
      200,
    );
    return p;
  };
  const vote = (p: { instanceId: string }, who: string, action: 'approve' | 'reject', extra: object = {}) =>
    task(p.instanceId, 'vote', who).then((id) => as(who).act(id, { action, comment: action === 'reject' ? '不同意' : '同意', ...extra }));
  const download = (who: string, attachmentId: string) =>
    t
      .http()
      .get(`/api/attachments/${attachmentId}/content`)
      .set(auth(who))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
      });
  /** All text of a PDF, whitespace removed (long values wrap inside their table cell). */
  const pdfText = (pdf: ReturnType<typeof extractPdf>) =>
    pdf.pages
      .flatMap((pg) => linesOf(pg).map((l) => l.text))
      .join('')
      .replace(/\s+/g, '');
  const outbox = (topic: string, projectId: string) =>
    q(`SELECT payload FROM outbox WHERE topic = $1 AND payload->>'projectId' = $2`, [topic, projectId]);

  it('takes a 政务管理 proposal through leader, 信息办 and a majority vote to 已立项 with 信息中心 implementing, then 在建 and 已建成', async () => {
    const p = await submit('lina', { isGovernmentAffairs: true, name: '部机关政务办公平台移动端建设' });
    expect((await project(p.id)).status).toBe('申报中');
    expect((await as('lina').get(`/projects/${p.id}`)).body).toEqual(
      expect.objectContaining({ status: '申报中', stage: '待单位领导审批', unitName: '规划司', submitterName: '李娜' }),
    );
    // The leader of 规划司 holds the first step; 信息办 does not yet.
    const leaderTask = await task(p.instanceId, 'leaderApproval');
    expect((await as('zhangwei').get('/tasks?view=todo')).body.items.map((i: { id: string }) => i.id)).toContain(leaderTask);
    expect((await as('chenjing').act(leaderTask, { action: 'approve' })).status).toBe(404);
    expect((await as('zhangwei').act(leaderTask, { action: 'approve', comment: '同意申报' })).status).toBe(200);

    // 信息办 must give an opinion.
    const review = await task(p.instanceId, 'officeReview');
    expect((await as('liuhaiyan').get('/tasks?view=todo')).body.items.map((i: { id: string }) => i.id)).toContain(review);
    const bare = await as('chenjing').act(review, { action: 'approve' });
    expect([bare.status, bare.body.code]).toEqual([400, 'OPINION_REQUIRED']);
    expect((await as('chenjing').act(review, { action: 'approve', comment: '政务管理类，建议立项' })).status).toBe(200);
    expect((await project(p.id)).stage).toBe('领导小组表决中');

    // One vote task per member; 4 of 5 approve.
    const voteTasks = await q(`SELECT assignee FROM tasks WHERE instance_id = $1 AND activity_id = 'vote' AND status = 'open'`, [
      p.instanceId,
    ]);
    expect(voteTasks.map((r) => r.assignee).sort()).toEqual(MEMBERS.map((m) => ids[m]).sort());
    for (const who of ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei']) expect((await vote(p, who, 'approve')).status).toBe(200);
    expect((await project(p.id)).status).toBe('申报中');
    expect((await vote(p, 'hejun', 'reject')).status).toBe(200);

    const done = await project(p.id);
    expect(done.status).toBe('已立项');
    expect(done.project_no).toMatch(new RegExp(`^XXH-${YEAR}-\\d{3}$`));
    expect(done.implementing_unit_id).toBe(units['MLR-XXZX']);
    expect(done.decision).toContain('同意 4 票，不同意 1 票');
    expect((await outbox('project.approved', p.id))[0].payload).toEqual(
      expect.objectContaining({ to: [ids.lina], subject: expect.stringContaining(done.project_no) }),
    );
    const view = (await as('lina').get(`/projects/${p.id}`)).body;
    expect(view.tally).toEqual({ approve: 4, reject: 1 });
    expect(view.opinions.map((o: { step: string }) => o.step)).toEqual(['leader', 'office']);
    expect(view.implementingUnitName).toBe('国土资源部信息中心');

    // The 立项通知 PDF is stored with the project: made by the platform, issued in 信息办's name.
    expect(view.noticeAttachmentId).toEqual(expect.any(String));
    const [row] = await q(`SELECT owner_kind, owner_id, name, mime, is_generated, uploaded_by, unit_id FROM attachments WHERE id = $1`, [
      view.noticeAttachmentId,
    ]);
    expect(row).toEqual({
      owner_kind: 'project',
      owner_id: p.id,
      name: `立项通知-${done.project_no}.pdf`,
      mime: 'application/pdf',
      is_generated: true,
      uploaded_by: ids.hejun, // whose vote decided the case
      unit_id: units['MLR-XXB'],
    });
    const file = await download('lina', view.noticeAttachmentId);
    expect([file.status, file.headers['content-type']]).toEqual([200, 'application/pdf']);
    for (const who of ['chenjing', 'sunzhiqiang', 'hejun']) expect((await download(who, view.noticeAttachmentId)).status).toBe(200);
    for (const who of ['wufang', 'luoping', 'js.shenpi', 'zj.shenpi'])
      expect((await download(who, view.noticeAttachmentId)).status).toBe(404);
    const pdf = extractPdf(file.body as Buffer);
    expect(pdf.info.Title).toBe(`信息化项目立项通知（${done.project_no}）`);
    expect(pdf.info.Author).toBe('信息化工作领导小组办公室');
    const text = pdfText(pdf);
    for (const fact of [
      `项目编号：${done.project_no}`,
      '部机关政务办公平台移动端建设',
      '规划司',
      '国土资源部信息中心',
      '120.5万元',
      '同意4票',
    ])
      expect(text).toContain(fact);

    // The lifecycle: only 信息办 or the implementing unit, only in order, each change with who and why.
    expect((await as('lina').post(`/projects/${p.id}/status`, { status: '在建', reason: '开工' })).status).toBe(403);
    const skip = await as('chenjing').post(`/projects/${p.id}/status`, { status: '已建成', reason: '完工' });
    expect([skip.status, skip.body.code]).toEqual([409, 'PROJECT_STATUS_INVALID']);
    expect((await as('chenjing').post(`/projects/${p.id}/status`, { status: '在建', reason: '合同已签订' })).status).toBe(200);
    expect((await as('sunzhiqiang').post(`/projects/${p.id}/status`, { status: '已建成', reason: '已通过验收' })).status).toBe(200);
    const history = (await as('lina').get(`/projects/${p.id}`)).body.history;
    expect(history.map((h: { action: string; toStatus: string }) => `${h.action}:${h.toStatus}`)).toEqual([
      'submit:申报中',
      'decide:已立项',
      'status:在建',
      'status:已建成',
    ]);
    expect(history[3]).toEqual(expect.objectContaining({ userName: '孙志强', reason: '已通过验收', fromStatus: '在建' }));
  });

  it('never lets a proposal that was not 立项 become 在建, not even in the database', async () => {
    const p = await submit('lina');
    const res = await as('chenjing').post(`/projects/${p.id}/status`, { status: '在建', reason: '开工' });
    expect([res.status, res.body.code]).toEqual([409, 'PROJECT_STATUS_INVALID']);
    await expect(q(`UPDATE projects SET status = '在建' WHERE id = $1`, [p.id])).rejects.toThrow();
    expect((await project(p.id)).status).toBe('申报中');
  });

  it('sends a tie to the group secretary, whose recorded collective decision settles it', async () => {
    // A group of four (何军 has left) can split 2:2; the voters are the members when 信息办 forwards it.
    await q(`DELETE FROM unit_members WHERE unit_id = $1 AND user_id = $2`, [units['MLR-LDXZ'], ids.hejun]);
    let p: { id: string; instanceId: string };
    try {
      p = await toVote();
    } finally {
      await q(`INSERT INTO unit_members (unit_id, user_id, position) VALUES ($1, $2, '成员')`, [units['MLR-LDXZ'], ids.hejun]);
    }
    await vote(p, 'wangjianguo', 'approve');
    await vote(p, 'liuhaiyan', 'reject');
    await vote(p, 'sunzhiqiang', 'approve');
    await vote(p, 'zhangwei', 'reject');
    const secretaryTask = await task(p.instanceId, 'secretaryDecision');
    expect((await project(p.id)).stage).toBe('待记录集体决定');
    expect((await as('zhoumin').get('/tasks?view=todo')).body.items.map((i: { id: string }) => i.id)).toContain(secretaryTask);
    // 信息办's reviewer took part in the case but holds no 集体决定 to record.
    expect((await as('chenjing').act(secretaryTask, { action: 'approve', comment: 'x' })).status).toBe(403);
    const bare = await as('zhoumin').act(secretaryTask, { action: 'approve' });
    expect(bare.body.code).toBe('OPINION_REQUIRED');
    expect((await as('zhoumin').act(secretaryTask, { action: 'approve', comment: '经领导小组会议集体研究，同意立项' })).status).toBe(200);
    const done = await project(p.id);
    expect(done.status).toBe('已立项');
    expect(done.implementing_unit_id).toBe(units['MLR-GHS']);
    expect(done.decision).toContain('集体决定立项');
  });

  it('lets only the chair refer the decision to the secretary; a collective 不予立项 notifies the submitter', async () => {
    const p = await toVote();
    // The task page learns who the chair is from the case (it shows the referral to the chair only).
    const memberTask = await as('liuhaiyan').get(`/tasks/${await task(p.instanceId, 'vote', 'liuhaiyan')}`);
    expect(memberTask.body.form.groupChair).toBe(ids.wangjianguo);
    const refused = await vote(p, 'liuhaiyan', 'approve', { variables: { referToSecretary: true } });
    expect([refused.status, refused.body.code]).toEqual([403, 'REFER_NOT_ALLOWED']);
    expect(refused.body.message).toBe('只有领导小组组长可以提请以集体决定方式议定');
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'variables.referToSecretary' })]);
    expect((await q(`SELECT count(*)::int AS n FROM project_votes WHERE project_id = $1`, [p.id]))[0].n).toBe(0);
    expect((await vote(p, 'wangjianguo', 'approve', { variables: { referToSecretary: true } })).status).toBe(200);
    for (const who of ['liuhaiyan', 'sunzhiqiang', 'zhangwei', 'hejun']) await vote(p, who, 'approve');
    // A unanimous vote still goes to the secretary, because the chair asked.
    const secretaryTask = await task(p.instanceId, 'secretaryDecision');
    expect((await as('zhoumin').act(secretaryTask, { action: 'reject', comment: '集体研究：纳入下年度统筹，暂不立项' })).status).toBe(200);
    const done = await project(p.id);
    expect([done.status, done.project_no]).toEqual(['不予立项', null]);
    expect((await outbox('project.rejected', p.id))[0].payload).toEqual(
      expect.objectContaining({ to: [ids.lina], reason: expect.stringContaining('暂不立项') }),
    );
  });

  it('rolls the decision back, 项目编号 included, when the notice cannot be rendered', async () => {
    const p = await toVote();
    for (const who of MEMBERS.slice(0, 4)) await vote(p, who, 'approve');
    const counter = async () => (await q(`SELECT value FROM project_counters WHERE year = $1`, [YEAR]))[0]?.value ?? 0;
    const before = await counter();
    jest.mocked(pdfLib.renderProjectApprovalNotice).mockRejectedValueOnce(new Error('font file missing'));
    const failed = await vote(p, 'hejun', 'approve');
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ code: 'PDF_RENDER_FAILED', message: expect.stringContaining('立项通知') });
    const after = await project(p.id);
    expect([after.status, after.project_no, after.stage]).toEqual(['申报中', null, '领导小组表决中']);
    expect(await counter()).toBe(before);
    expect((await q(`SELECT count(*)::int AS n FROM project_votes WHERE project_id = $1`, [p.id]))[0].n).toBe(4);
    expect((await q(`SELECT count(*)::int AS n FROM attachments WHERE owner_id = $1`, [p.id]))[0].n).toBe(0);
    expect(await outbox('project.approved', p.id)).toHaveLength(0);
    // The same member votes again once rendering works: 已立项 with the next number and its notice.
    expect((await vote(p, 'hejun', 'approve')).status).toBe(200);
    const done = await project(p.id);
    expect([done.status, done.project_no]).toEqual(['已立项', `XXH-${YEAR}-${String(before + 1).padStart(3, '0')}`]);
    expect((await as('lina').get(`/projects/${p.id}`)).body.noticeAttachmentId).toEqual(expect.any(String));
  });

  it('ends in 不予立项 when the majority votes against', async () => {
    const p = await toVote();
    for (const who of ['wangjianguo', 'liuhaiyan', 'sunzhiqiang']) await vote(p, who, 'reject');
    for (const who of ['zhangwei', 'hejun']) await vote(p, who, 'approve');
    expect((await project(p.id)).status).toBe('不予立项');
    expect(await outbox('project.rejected', p.id)).toHaveLength(1);
    expect((await as('lina').get(`/projects/${p.id}`)).body.noticeAttachmentId).toBeNull();
  });

  it('returns a proposal for correction (leader and 信息办), notifies the submitter, and ends on the leader’s rejection', async () => {
    const p = await submit('lina');
    const leaderTask = await task(p.instanceId, 'leaderApproval');
    expect((await as('zhangwei').act(leaderTask, { action: 'return', comment: '请补充预算测算依据' })).status).toBe(200);
    expect((await outbox('project.returned', p.id))[0].payload).toEqual(
      expect.objectContaining({ to: [ids.lina], reason: '请补充预算测算依据', subject: expect.stringContaining('退回修改') }),
    );
    expect((await project(p.id)).stage).toBe('已退回修改');

    // Only the submitter corrects, with valid data; nothing changes otherwise.
    expect((await as('yangfan').put(`/projects/${p.id}`, { budget: 99 })).status).toBe(403);
    const bad = await as('lina').put(`/projects/${p.id}`, { endYear: YEAR - 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'endYear' })]);
    expect(Number((await project(p.id)).budget)).toBe(120.5);
    expect((await as('lina').put(`/projects/${p.id}`, { budget: 98.5, comment: '已补充测算依据' })).status).toBe(200);
    expect(Number((await project(p.id)).budget)).toBe(98.5);
    expect((await as('lina').put(`/projects/${p.id}`, { budget: 90 })).body.code).toBe('PROJECT_NOT_RETURNED');

    // 信息办 returns too; the submitter corrects again.
    await as('zhangwei').act(await task(p.instanceId, 'leaderApproval'), { action: 'approve', comment: '同意' });
    expect(
      (await as('chenjing').act(await task(p.instanceId, 'officeReview'), { action: 'return', comment: '请说明与现有系统的关系' })).status,
    ).toBe(200);
    expect(await outbox('project.returned', p.id)).toHaveLength(2);
    expect((await as('lina').put(`/projects/${p.id}`, { content: '已说明：本系统与现有审批系统数据互通，不重复建设。' })).status).toBe(200);

    expect(
      (await as('zhangwei').act(await task(p.instanceId, 'leaderApproval'), { action: 'reject', comment: '本年度不再申报' })).status,
    ).toBe(200);
    const done = await project(p.id);
    expect(done.status).toBe('不予立项');
    expect(done.decision).toContain('本年度不再申报');
    expect((await outbox('project.rejected', p.id))[0].payload.to).toEqual([ids.lina]);
    const history = (await as('lina').get(`/projects/${p.id}`)).body.history.map((h: { action: string }) => h.action);
    expect(history).toEqual(['submit', 'correct', 'correct', 'decide']);
  });

  it('keeps a department’s proposal from other departments, 督察局 and provinces; 信息办, 信息中心 and group members see the ledger', async () => {
    const p = await submit('lina', { name: '规划司内部保密测试项目' });
    for (const who of ['wufang', 'luoping', 'js.shenpi']) {
      expect((await as(who).get(`/projects/${p.id}`)).status).toBe(404);
      const list = await as(who).get('/projects?limit=200');
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(p.id);
      expect((await as(who).put(`/projects/${p.id}`, { budget: 1 })).status).toBe(404);
    }
    for (const who of ['yangfan', 'chenjing', 'sunzhiqiang', 'hejun', 'zhoumin', 'wangjianguo']) {
      expect((await as(who).get(`/projects/${p.id}`)).status).toBe(200);
      const list = await as(who).get(`/projects?keyword=${encodeURIComponent('保密测试')}`);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([p.id]);
    }
    // Filters and paging.
    const filtered = await as('chenjing').get(
      `/projects?status=${encodeURIComponent('申报中')}&unitId=${units['MLR-GHS']}&year=${YEAR + 1}&limit=1`,
    );
    expect(filtered.body.items).toHaveLength(1);
    expect(filtered.body.total).toBeGreaterThan(1);
    expect((await as('chenjing').get(`/projects?year=${YEAR + 5}`)).body.total).toBe(0);
  });

  it('refuses bad proposals with a field message and writes nothing', async () => {
    const before = (await q(`SELECT count(*)::int AS n FROM projects`))[0].n;
    const cases: [Record<string, unknown>, string][] = [
      [{ budget: -5 }, 'budget'],
      [{ budget: 100001 }, 'budget'],
      [{ category: '办公用品' }, 'category'],
      [{ startYear: YEAR, endYear: YEAR - 1 }, 'endYear'],
      [{ startYear: 1990 }, 'startYear'],
      [{ name: '' }, 'name'],
      [{ content: '短' }, 'content'],
      [{ isGovernmentAffairs: 'yes' }, 'isGovernmentAffairs'],
    ];
    for (const [overrides, field] of cases) {
      const res = await as('lina').post('/projects', proposal(overrides));
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    // A province cannot propose a ministry project; a person without a drafting role cannot either.
    expect((await as('js.shenpi').post('/projects', proposal())).status).toBe(403);
    expect((await as('huangli').post('/projects', proposal())).status).toBe(403);
    expect((await q(`SELECT count(*)::int AS n FROM projects`))[0].n).toBe(before);
    expect((await as('lina').get('/projects/not-a-uuid')).status).toBe(404);
  });

  it('shows 信息办 likely duplicates (same category, similar name or content) and records them with the opinion', async () => {
    expect(similarity('地质资料数据共享服务系统', '地质资料数据共享服务平台建设')).toBeGreaterThan(0.5);
    expect(similarity('地质资料数据共享服务系统', '耕地保护监测监管系统')).toBeLessThan(0.2);
    const original = await toVote(
      { name: '地质资料数据共享服务系统', category: '数据共享服务', content: '建设地质资料目录与数据共享服务，按照事权提供数据服务。' },
      'xutao',
      'wangbo',
    );
    for (const who of MEMBERS) await vote(original, who, 'approve');
    const other = await submit('xutao', { name: '耕地保护数据共享服务', category: '数据共享服务' });
    const sameNameOtherCategory = await submit('xutao', { name: '地质资料数据共享服务系统', category: '网络建设' });

    const p = await submit('lina', {
      name: '地质资料数据共享服务平台建设',
      category: '数据共享服务',
      content: '建设地质资料数据共享服务平台，提供目录查询与数据下载服务。',
    });
    const seen = (await as('chenjing').get(`/projects/${p.id}`)).body.possibleDuplicates;
    expect(seen.map((d: { id: string }) => d.id)).toEqual([original.id]);
    expect(seen[0]).toEqual(expect.objectContaining({ status: '已立项', projectNo: expect.any(String), unitName: '中国地质调查局' }));
    expect(seen.map((d: { id: string }) => d.id)).not.toContain(other.id);
    expect(seen.map((d: { id: string }) => d.id)).not.toContain(sameNameOtherCategory.id);
    // 规划司 may not learn of 地调局's project through the duplicate list.
    expect((await as('lina').get(`/projects/${p.id}`)).body.possibleDuplicates).toEqual([]);

    await as('zhangwei').act(await task(p.instanceId, 'leaderApproval'), { action: 'approve', comment: '同意' });
    await as('chenjing').act(await task(p.instanceId, 'officeReview'), {
      action: 'reject',
      comment: '与已立项的地质资料共享系统重复，建议不予立项',
    });
    const [opinion] = await q(`SELECT outcome, duplicates FROM project_opinions WHERE project_id = $1 AND step = 'office'`, [p.id]);
    expect(opinion.outcome).toBe('reject');
    expect(opinion.duplicates.map((d: { id: string }) => d.id)).toEqual([original.id]);
    // 信息办's 建议不予立项 still goes to the group, which decides.
    expect((await q(`SELECT variables->>'officeRecommendation' AS r FROM process_instances WHERE id = $1`, [p.instanceId]))[0].r).toBe(
      '建议不予立项',
    );
    expect(await q(`SELECT 1 FROM tasks WHERE instance_id = $1 AND activity_id = 'vote' AND status = 'open'`, [p.instanceId])).toHaveLength(
      5,
    );
  });

  it('numbers projects gap-free per year when many are approved at the same moment', async () => {
    const cases: { id: string; instanceId: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const p = await toVote();
      for (const who of MEMBERS.slice(0, 4)) await vote(p, who, 'approve');
      cases.push(p);
    }
    const results = await Promise.all(cases.map((p) => vote(p, 'hejun', 'approve')));
    expect(results.map((r) => r.status)).toEqual(cases.map(() => 200));
    const numbers = (await q(`SELECT project_no FROM projects WHERE project_no LIKE $1 ORDER BY project_no`, [`XXH-${YEAR}-%`])).map(
      (r) => r.project_no as string,
    );
    expect(numbers.length).toBeGreaterThanOrEqual(6);
    expect(numbers).toEqual(numbers.map((_, i) => `XXH-${YEAR}-${String(i + 1).padStart(3, '0')}`));
    for (const p of cases) expect((await project(p.id)).status).toBe('已立项');
  });

  it('counts two members voting at the same moment exactly once each', async () => {
    const p = await toVote();
    // A vote is the member's own: it cannot be passed on by 转办, 委派 or 加签.
    const own = await as('hejun').get(`/tasks/${await task(p.instanceId, 'vote', 'hejun')}`);
    expect(own.body).toEqual(expect.objectContaining({ activityId: 'vote', assigneeName: '何军' }));
    expect(own.body.allowedActions).toEqual(expect.arrayContaining(['approve', 'reject', 'cc']));
    for (const action of ['transfer', 'delegate', 'add-signer']) expect(own.body.allowedActions).not.toContain(action);
    const passOn = await as('hejun').act(await task(p.instanceId, 'vote', 'hejun'), { action: 'transfer', target: ids.zhangwei });
    expect([passOn.status, passOn.body.code]).toEqual([403, 'ACTION_NOT_ALLOWED']);
    const [a, b] = await Promise.all([vote(p, 'sunzhiqiang', 'approve'), vote(p, 'hejun', 'reject')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const votes = await q(`SELECT voter_id, vote FROM project_votes WHERE project_id = $1 ORDER BY vote`, [p.id]);
    expect(votes).toEqual([
      { voter_id: ids.sunzhiqiang, vote: 'approve' },
      { voter_id: ids.hejun, vote: 'reject' },
    ]);
    const [vars] = await q(
      `SELECT variables->'votesCast' AS cast, variables->>'voteResult' AS result FROM process_instances WHERE id = $1`,
      [p.instanceId],
    );
    expect(vars).toEqual({ cast: 2, result: 'pending' });
    // The same member twice at once: one wins, the other is told the task is done.
    const again = await task(p.instanceId, 'vote', 'zhangwei');
    const twice = await Promise.all([as('zhangwei').act(again, { action: 'approve' }), as('zhangwei').act(again, { action: 'approve' })]);
    expect(twice.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await q(`SELECT count(*)::int AS n FROM project_votes WHERE project_id = $1`, [p.id]))[0].n).toBe(3);
  });

  it('keeps the deployed-systems ledger: 信息办/信息中心 maintain it with history; units see their own', async () => {
    const body = { name: '江苏省一张图监管平台', unitId: units['320000'], level: '省级', version: 'V1.0', goLiveDate: '2025-06-01' };
    expect((await as('lina').post('/deployed-systems', body)).status).toBe(403);
    const wrongLevel = await as('huangli').post('/deployed-systems', { ...body, level: '部级' });
    expect([wrongLevel.status, wrongLevel.body.details[0].field]).toEqual([400, 'level']);
    const notApproved = await submit('lina');
    const badProject = await as('huangli').post('/deployed-systems', { ...body, projectId: notApproved.id });
    expect([badProject.status, badProject.body.details[0].field]).toEqual([400, 'projectId']);
    const badDate = await as('huangli').post('/deployed-systems', { ...body, goLiveDate: '2025-13-45' });
    expect([badDate.status, badDate.body.details[0].field]).toEqual([400, 'goLiveDate']);

    const created = await as('huangli').post('/deployed-systems', body);
    expect(created.status).toBe(201);
    expect((await as('chenjing').post('/deployed-systems', body)).body.code).toBe('SYSTEM_EXISTS');
    const id = created.body.id as string;
    expect((await as('chenjing').put(`/deployed-systems/${id}`, { version: 'V1.1', reason: '升级' })).status).toBe(200);
    expect((await as('huangli').put(`/deployed-systems/${id}`, { status: '停用', reason: '由新平台替代' })).status).toBe(200);

    const view = await as('js.shenpi').get(`/deployed-systems/${id}`);
    expect(view.body).toEqual(expect.objectContaining({ version: 'V1.1', status: '停用', level: '省级', goLiveDate: '2025-06-01' }));
    expect(
      view.body.history.map((h: { action: string; changes: Record<string, unknown> }) => [h.action, Object.keys(h.changes).sort().join()]),
    ).toEqual([
      ['create', 'goLiveDate,level,name,status,unitId,version'],
      ['update', 'version'],
      ['update', 'status'],
    ]);
    expect((await as('zj.shenpi').get(`/deployed-systems/${id}`)).status).toBe(404);
    expect((await as('zj.shenpi').get('/deployed-systems')).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await as('wufang').get('/deployed-systems')).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(
      (await as('sunzhiqiang').get(`/deployed-systems?level=${encodeURIComponent('省级')}`)).body.items.map((i: { id: string }) => i.id),
    ).toContain(id);
  });

  it('seeds demo proposals in every state and some deployed systems', async () => {
    const ran = await t.app.get(DemoCases).run(['projects']);
    expect(ran).toContain('projects');
    const rows = await q(`SELECT name, status, stage, implementing_unit_id FROM projects WHERE name IN (
      '部机关电子公文交换系统运行维护', '地质资料数据共享服务系统', '科技成果展示网站改版', '耕地保护监测监管系统建设',
      '地质资料数据共享服务平台建设', '北京局土地督察业务网络改造', '国土空间规划数据库升级改造') ORDER BY created_at`);
    // The newest of a name is the demo's (an earlier test submitted one of these names); without ORDER BY the rows came
    // in heap order, where an updated older row can stand last.
    const byName = (name: string) => rows.filter((r) => r.name === name).at(-1);
    expect(byName('部机关电子公文交换系统运行维护')).toEqual(
      expect.objectContaining({ status: '已立项', implementing_unit_id: units['MLR-XXZX'] }),
    );
    expect(byName('地质资料数据共享服务系统').status).toBe('在建');
    const notices = await q(
      `SELECT p.name, a.name AS file FROM projects p JOIN attachments a ON a.owner_kind = 'project' AND a.owner_id = p.id AND a.is_generated
        WHERE p.name IN ('部机关电子公文交换系统运行维护', '科技成果展示网站改版')`,
    );
    expect(notices).toEqual([{ name: '部机关电子公文交换系统运行维护', file: expect.stringMatching(/^立项通知-XXH-\d{4}-\d{3}\.pdf$/) }]);
    expect(byName('科技成果展示网站改版').status).toBe('不予立项');
    expect(byName('耕地保护监测监管系统建设')).toEqual(expect.objectContaining({ status: '申报中', stage: '领导小组表决中' }));
    expect(byName('地质资料数据共享服务平台建设')).toEqual(expect.objectContaining({ status: '申报中', stage: '待信息办审查' }));
    expect(byName('北京局土地督察业务网络改造')).toEqual(expect.objectContaining({ status: '申报中', stage: '已退回修改' }));
    expect(byName('国土空间规划数据库升级改造')).toEqual(expect.objectContaining({ status: '申报中', stage: '待单位领导审批' }));
    const [dup] = await q(`SELECT id FROM projects WHERE name = '地质资料数据共享服务平台建设' ORDER BY created_at DESC LIMIT 1`);
    const seen = (await as('chenjing').get(`/projects/${dup.id}`)).body.possibleDuplicates.map((d: { name: string }) => d.name);
    expect(seen).toContain('地质资料数据共享服务系统');
    // A system is linked to an approved project and unlinked again with null.
    const [approved] = await q(`SELECT id FROM projects WHERE name = '部机关电子公文交换系统运行维护' AND status = '已立项' LIMIT 1`);
    const linked = await as('huangli').post('/deployed-systems', {
      name: '公文交换测试系统',
      unitId: units['MLR-XXZX'],
      level: '部级',
      version: 'V2.0',
      goLiveDate: '2026-01-15',
      projectId: approved.id,
    });
    expect([linked.status, linked.body.message]).toEqual([201, undefined]);
    expect((await as('huangli').put(`/deployed-systems/${linked.body.id}`, { projectId: null, reason: '关联有误' })).status).toBe(200);
    expect((await as('huangli').get(`/deployed-systems/${linked.body.id}`)).body.projectId).toBeNull();
    // The ledger's unit filter takes the unit's sub-units as well.
    const [ministry] = await q(`SELECT id FROM units WHERE parent_id IS NULL AND code LIKE 'MLR%' LIMIT 1`);
    const underMinistry = await as('chenjing').get(`/projects?unitId=${ministry.id}&limit=100`);
    expect(underMinistry.body.items.map((i: { name: string }) => i.name)).toContain('科技成果展示网站改版');
    const onlyKjs = await as('chenjing').get(`/projects?unitId=${units['MLR-KJS']}&limit=100`);
    expect(onlyKjs.body.items.map((i: { name: string }) => i.name)).not.toContain('部机关电子公文交换系统运行维护');
    const systems = await q(
      `SELECT level, status FROM deployed_systems WHERE name IN ('电子公文交换系统', '建设用地审批系统（旧版）') ORDER BY level`,
    );
    expect(systems).toEqual([
      { level: '县级', status: '停用' },
      { level: '部级', status: '运行' },
    ]);
  });

  it('lets the submitter attach the construction plan until the leader acts; other departments cannot see it', async () => {
    const p = await submit('lina');
    expect((await attach(t, tokens.lina, 'project', p.id, '建设方案.pdf')).status).toBe(201);
    expect((await attach(t, tokens.wufang, 'project', p.id)).status).toBe(404);
    expect((await attach(t, tokens.zhangwei, 'project', p.id)).body.code).toBe('ATTACHMENTS_LOCKED');
    expect((await as('zhangwei').act(await task(p.instanceId, 'leaderApproval'), { action: 'approve', comment: '同意' })).status).toBe(200);
    expect((await attach(t, tokens.lina, 'project', p.id)).body.code).toBe('ATTACHMENTS_LOCKED');
  });
});
