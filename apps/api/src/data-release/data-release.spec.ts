import { DataSource } from 'typeorm';
import { DemoCases } from '../seed/demo-cases';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { startWorkerProcess, type WorkerProcess } from '../../../../test/support/worker-process';

/**
 * 以部名义发布数据 and outside requests answered by 函 (seed （十一）), over real HTTP and PostgreSQL, with the real
 * workers typesetting the 函 before 分发.
 */
describe('data released in the ministry’s name', () => {
  jest.setTimeout(120_000);
  const WORKER_TOKEN = 'data-release-spec-worker-token';
  let t: TestApp;
  let workers: WorkerProcess;
  const tokens: Record<string, string> = {};
  const units: Record<string, string> = {};
  const datasets: Record<string, string> = {};
  const PEOPLE = [
    'lina',
    'zhangwei',
    'wufang',
    'hejun',
    'chenjing',
    'liuhaiyan',
    'zhoumin',
    'songtao',
    'huangli',
    'liuyang',
    'wangbo',
    'zhaoyu',
    'js.nigao',
    'admin',
  ];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const auth = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const get = (who: string, path: string) => t.http().get(path).set(auth(who));
  const post = (who: string, path: string, body: object = {}) => t.http().post(path).set(auth(who)).send(body);
  const openTasks = (instanceId: string, activityId: string): Promise<{ id: string; candidate_units: string[] }[]> =>
    q(`SELECT id, candidate_units FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' ORDER BY created_at`, [
      instanceId,
      activityId,
    ]);
  const taskOf = async (instanceId: string, activityId: string, unitCode?: string) => {
    const tasks = await openTasks(instanceId, activityId);
    const task = unitCode ? tasks.find((x) => x.candidate_units.includes(units[unitCode])) : tasks[0];
    expect([activityId, unitCode, task !== undefined]).toEqual([activityId, unitCode, true]);
    return task!.id;
  };
  const act = (who: string, taskId: string, body: object) => post(who, `/api/tasks/${taskId}/actions`, body);
  const ok = async (who: string, instanceId: string, activityId: string, body: object = { action: 'approve' }, unitCode?: string) => {
    const res = await act(who, await taskOf(instanceId, activityId, unitCode), body);
    expect([activityId, who, res.status, res.body.message]).toEqual([activityId, who, 200, undefined]);
  };
  const waitUntil = async (what: string, check: () => Promise<boolean>, ms = 40_000) => {
    for (const started = Date.now(); Date.now() - started < ms;) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const request = (who: string, code: string, extra: object = {}) =>
    post(who, '/api/data-release/requests', {
      datasetId: datasets[code],
      audienceType: '社会公众',
      audience: '社会公众（部门户网站）',
      purpose: '依法公开年度调查评价成果，便于社会监督和科研利用。',
      scope: '全国，2025 年度成果',
      ...extra,
    });

  beforeAll(async () => {
    // 公文交换 on (the delivery loop left to the test: nothing is sent to the partner's address here).
    t = await createTestApp({ WORKER_TOKEN, EXCHANGE_ORGAN_CODE: 'MLR', EXCHANGE_ORGAN_NAME: '国土资源部', EXCHANGE_POLL_MS: '3600000' });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    workers = await startWorkerProcess(`http://127.0.0.1:${port}`, WORKER_TOKEN);
    for (const name of PEOPLE) tokens[name] = await t.login(name);
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
    for (const row of await q(`SELECT id, code FROM datasets`)) datasets[row.code] = row.id;
    // 生态环境部 runs its own deployment and is a registered exchange partner (its CA: any CA will do for queuing).
    const ca = await t.http().get('/api/seals/ca.crt');
    const partner = await post('admin', '/api/exchange/partners', {
      organCode: 'MEE',
      name: '生态环境部',
      baseUrl: 'http://127.0.0.1:9',
      caCertificate: ca.text,
    });
    expect([partner.status, partner.body.message]).toEqual([201, undefined]);
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  describe('release requests', () => {
    it('is reviewed by the dataset’s owner, approved by 信息办 and released by 信息中心 into the public register', async () => {
      const created = await request('lina', 'YZT-GDZL');
      expect([created.status, created.body.message]).toEqual([201, undefined]);
      const r = created.body;
      expect(r).toMatchObject({
        status: '待审核',
        datasetCode: 'YZT-GDZL',
        ownerUnitName: '耕地保护司',
        releaseUnitName: '国土资源部信息中心',
      });

      // Only the owner unit (耕地保护司) reviews: 规划司's own approver and the requester cannot.
      const review = await taskOf(r.instanceId, 'review');
      expect([403, 404]).toContain((await act('zhangwei', review, { action: 'approve' })).status);
      expect([403, 404]).toContain((await act('lina', review, { action: 'approve' })).status);
      // The reviewer cannot change what is released or to whom: the step's contract declares nothing.
      for (const variables of [{ audience: '全体公众' }, { datasetId: datasets['YZT-DJ'] }, { releaseUnit: units['MLR-CGS'] }]) {
        const hostile = await act('wufang', review, { action: 'approve', variables });
        expect([JSON.stringify(variables), hostile.status]).toEqual([JSON.stringify(variables), 400]);
      }
      expect((await get('lina', `/api/data-release/requests/${r.id}`)).body).toMatchObject({
        status: '待审核',
        audience: '社会公众（部门户网站）',
      });
      await ok('wufang', r.instanceId, 'review', { action: 'approve', comment: '同意' });

      // Nobody releases before the approval: there is no release step yet, and no route writes the register.
      expect((await get('lina', `/api/data-release/requests/${r.id}`)).body.status).toBe('待批准');
      expect(await openTasks(r.instanceId, 'release')).toHaveLength(0);
      expect((await post('huangli', '/api/data-release/releases', { requestId: r.id, channel: '门户网站' })).status).toBe(404);
      const approve = await taskOf(r.instanceId, 'approve');
      expect([403, 404]).toContain((await act('wufang', approve, { action: 'approve' })).status);
      expect((await act('chenjing', approve, { action: 'approve', variables: { scope: '全部年度' } })).status).toBe(400);
      await ok('chenjing', r.instanceId, 'approve', { action: 'approve', comment: '同意以部名义发布' });
      expect((await get('lina', `/api/data-release/requests/${r.id}`)).body.status).toBe('待发布');

      // 信息中心 releases (not 地调局), naming the channel; the contract refuses anything else.
      const release = await taskOf(r.instanceId, 'release');
      expect([403, 404]).toContain((await act('zhaoyu', release, { action: 'approve', variables: { channel: '门户网站' } })).status);
      expect((await act('huangli', release, { action: 'approve' })).status).toBe(400);
      expect((await act('huangli', release, { action: 'approve', variables: { channel: '门户网站', audience: '改写' } })).status).toBe(400);
      await ok('huangli', r.instanceId, 'release', {
        action: 'approve',
        variables: { channel: '门户网站', link: 'https://www.mlr.example/sjkf/gdzl.html' },
      });

      const done = (await get('lina', `/api/data-release/requests/${r.id}`)).body;
      expect(done).toMatchObject({ status: '已发布', reviewedByName: '吴芳', approvedByName: '陈静' });
      expect(done.release).toMatchObject({ channel: '门户网站', releasedByName: '黄丽', releaseUnitName: '国土资源部信息中心' });
      // The register is open to every signed-in person, a province's included.
      const register = await get('js.nigao', `/api/data-release/releases?datasetId=${datasets['YZT-GDZL']}`);
      expect(register.status).toBe(200);
      expect(register.body.items).toEqual([
        expect.objectContaining({
          requestId: r.id,
          datasetName: '耕地质量等别',
          audience: '社会公众（部门户网站）',
          approvedByName: '陈静',
        }),
      ]);
      const [notice] = await q(`SELECT payload FROM outbox WHERE topic = 'data-release.released' AND payload->>'link' = $1`, [
        `/data-release/requests/${r.id}`,
      ]);
      expect(notice.payload.to).toEqual([(await q(`SELECT id FROM users WHERE username = 'lina'`))[0].id]);
    });

    it('has 地质调查 data released by 地调局, not by 信息中心', async () => {
      const created = await request('liuyang', 'DZ-QYDZ');
      expect([created.status, created.body.message]).toEqual([201, undefined]);
      const r = created.body;
      expect(r).toMatchObject({ category: '地质调查', ownerUnitName: '中国地质调查局', releaseUnitName: '中国地质调查局' });
      // The requester may not review their own request, even in the owner unit.
      expect([403, 404]).toContain((await act('liuyang', await taskOf(r.instanceId, 'review'), { action: 'approve' })).status);
      await ok('wangbo', r.instanceId, 'review');
      await ok('liuhaiyan', r.instanceId, 'approve');
      const release = await taskOf(r.instanceId, 'release');
      expect([403, 404]).toContain((await act('huangli', release, { action: 'approve', variables: { channel: '门户网站' } })).status);
      await ok('zhaoyu', r.instanceId, 'release', { action: 'approve', variables: { channel: '数据共享平台' } });
      const done = (await get('liuyang', `/api/data-release/requests/${r.id}`)).body;
      expect(done.release).toMatchObject({ releasedByName: '赵宇', releaseUnitName: '中国地质调查局', link: null });
    });

    it('leaves the register untouched when the owner or 信息办 refuses', async () => {
      const a = (await request('lina', 'YZT-GDZL', { scope: '江苏省' })).body;
      await ok('wufang', a.instanceId, 'review', { action: 'reject', comment: '成果尚未审定' });
      const b = (await request('lina', 'YZT-GDZL', { scope: '浙江省' })).body;
      await ok('wufang', b.instanceId, 'review');
      await ok('liuhaiyan', b.instanceId, 'approve', { action: 'reject', comment: '与已发布成果重复' });
      for (const [id, opinion] of [
        [a.id, '成果尚未审定'],
        [b.id, '与已发布成果重复'],
      ]) {
        const res = (await get('lina', `/api/data-release/requests/${id}`)).body;
        expect(res).toMatchObject({ status: '不予发布', lastOpinion: opinion, release: null });
        expect(await q(`SELECT 1 FROM data_releases WHERE request_id = $1`, [id])).toHaveLength(0);
      }
    });

    it('refuses what may not be released, and people who may not ask', async () => {
      const code = async (res: { status: number; body: { code?: string } }) => [res.status, res.body.code];
      expect(await code(await request('lina', 'YZT-YJJBNT', { audienceType: '政府部门' }))).toEqual([422, 'DATASET_CLASSIFIED']);
      expect(await code(await request('lina', 'YZT-TDLY'))).toEqual([422, 'DATASET_NOT_PUBLIC']);
      expect((await request('lina', 'YZT-TDLY', { audienceType: '政府部门' })).status).toBe(201);
      expect((await request('js.nigao', 'YZT-GDZL')).status).toBe(403);
      expect((await request('chenjing', 'YZT-GDZL')).status).toBe(403);
      expect(
        (
          await post('lina', '/api/data-release/requests', {
            datasetId: '00000000-0000-4000-8000-000000000000',
            audienceType: '社会公众',
            audience: '公众',
            purpose: '公开数据成果',
            scope: '全国',
          })
        ).status,
      ).toBe(400);
      // Routing is the server's: the requester cannot name the reviewer or the release unit.
      expect((await request('lina', 'YZT-GDZL', { releaseUnit: units['MLR-CGS'] })).status).toBe(400);
      expect((await request('lina', 'YZT-GDZL', { ownerUnitId: units['MLR-GHS'] })).status).toBe(400);
      // A release case cannot be started around its request (a feature's process starts only from its record).
      const started = await post('admin', '/api/process-instances', { key: 'data-release', variables: { ownerUnit: units['MLR-GHS'] } });
      expect([started.status, started.body.code]).toEqual([422, 'FEATURE_PROCESS']);
      // 浙江 does not see the ministry's requests.
      const [any] = await q(`SELECT id FROM data_release_requests LIMIT 1`);
      expect((await get('js.nigao', `/api/data-release/requests/${any.id}`)).status).toBe(404);
    });
  });

  describe('requests from outside departments and industries', () => {
    const register = (extra: object = {}) =>
      post('chenjing', '/api/data-release/outside-requests', {
        organName: '生态环境部办公厅',
        organKind: '政府部门',
        contactName: '刘明',
        contactPhone: '010-65645000',
        letterRef: '环办函〔2026〕118号',
        receivedOn: '2026-01-05',
        purpose: '开展全国生态状况遥感调查评估，需土地利用和耕地质量数据。',
        datasetIds: [datasets['YZT-TDLY'], datasets['YZT-GDZL']],
        ...extra,
      });
    /** zhoumin's 函 runs through 公文: 宋涛 核稿, 刘海燕 签发, the worker typesets it and 分发 follows. */
    const issue = async (documentId: string) => {
      const [doc] = await q(`SELECT instance_id FROM documents WHERE id = $1`, [documentId]);
      await ok('zhoumin', doc.instance_id, 'draft');
      await ok('songtao', doc.instance_id, 'review');
      await ok('liuhaiyan', doc.instance_id, 'sign');
      await waitUntil(
        '排版 and 分发',
        async () => (await q(`SELECT 1 FROM document_receipts WHERE document_id = $1`, [documentId])).length > 0,
      );
    };

    it('an outside request is answered with a 函', async () => {
      const created = await register({ partnerOrganCode: 'MEE', partnerUnitCode: 'MEE-BGT' });
      expect([created.status, created.body.message]).toEqual([201, undefined]);
      const r = created.body;
      expect(r).toMatchObject({ status: '征求意见', organName: '生态环境部办公厅', partnerOrganCode: 'MEE', reply: null });

      // One opinion task per producing unit, in parallel; each unit answers only its own.
      const tasks = await openTasks(r.instanceId, 'opinion');
      expect(tasks.map((x) => x.candidate_units[0]).sort()).toEqual([units['MLR-DJS'], units['MLR-GBS']].sort());
      const djs = await taskOf(r.instanceId, 'opinion', 'MLR-DJS');
      expect([403, 404]).toContain((await act('wufang', djs, { action: 'approve', variables: { opinion: '同意提供' } })).status);
      expect((await act('hejun', djs, { action: 'approve' })).status).toBe(400);
      expect((await act('hejun', djs, { action: 'approve', variables: { opinion: '随便' } })).status).toBe(400);
      expect((await act('hejun', djs, { action: 'approve', variables: { opinion: '同意提供', organName: '改写' } })).status).toBe(400);
      // Nobody replies before the opinions are in.
      expect(
        (
          await post('zhoumin', `/api/data-release/outside-requests/${r.id}/reply`, {
            title: '关于提供数据的复函',
            body: '生态环境部办公厅：来函收悉。',
          })
        ).status,
      ).toBe(409);
      await ok(
        'hejun',
        r.instanceId,
        'opinion',
        { action: 'approve', comment: '可提供县级汇总', variables: { opinion: '部分提供' } },
        'MLR-DJS',
      );
      expect((await get('chenjing', `/api/data-release/outside-requests/${r.id}`)).body.status).toBe('征求意见');
      await ok('wufang', r.instanceId, 'opinion', { action: 'approve', comment: '同意', variables: { opinion: '同意提供' } }, 'MLR-GBS');

      const waiting = (await get('chenjing', `/api/data-release/outside-requests/${r.id}`)).body;
      expect(waiting.status).toBe('待拟复函');
      expect(waiting.opinions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ unitName: '地籍管理司', opinion: '部分提供', comment: '可提供县级汇总', userName: '何军' }),
          expect.objectContaining({ unitName: '耕地保护司', opinion: '同意提供', userName: '吴芳' }),
        ]),
      );
      // 信息办's drafters write the 函; a reviewer of 信息办 and a drafter elsewhere cannot.
      const reply = {
        title: '国土资源部信息办关于提供土地利用等数据的复函',
        body: '生态环境部办公厅：\n你厅《环办函〔2026〕118号》收悉。经商有关司局，现函复如下：同意提供县级汇总数据。\n特此函复。',
      };
      // The 拟复函 step closes only with a 函: 同意 in the inbox alone is refused.
      expect((await act('zhoumin', await taskOf(r.instanceId, 'draftReply'), { action: 'approve' })).body.code).toBe(
        'DATA_OUTSIDE_REPLY_MISSING',
      );
      expect((await post('chenjing', `/api/data-release/outside-requests/${r.id}/reply`, reply)).status).toBe(403);
      expect((await post('lina', `/api/data-release/outside-requests/${r.id}/reply`, reply)).status).toBe(403);
      expect((await post('zhoumin', `/api/data-release/outside-requests/${r.id}/reply`, { ...reply, docType: '通知' })).status).toBe(400);
      const replied = await post('zhoumin', `/api/data-release/outside-requests/${r.id}/reply`, reply);
      expect([replied.status, replied.body.message]).toEqual([200, undefined]);
      expect(replied.body).toMatchObject({ status: '复函办理中', reply: { channel: '公文交换', title: reply.title, status: '拟稿' } });
      const documentId = replied.body.reply.documentId;
      expect((await post('zhoumin', `/api/data-release/outside-requests/${r.id}/reply`, reply)).status).toBe(409);

      // The 函 is a 公文 of 信息办 (the ministry's name), 抄送 the producing units, addressed to the partner through 公文交换.
      const [doc] = await q(
        `SELECT d.doc_type, u.code AS unit, d.cc_recipients, d.main_recipients FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.id = $1`,
        [documentId],
      );
      expect(doc).toMatchObject({ doc_type: '函', unit: 'MLR-XXB', main_recipients: [] });
      expect([...doc.cc_recipients].sort()).toEqual([units['MLR-DJS'], units['MLR-GBS']].sort());
      const partners = await get('zhoumin', `/api/exchange/documents/${documentId}/partner-recipients`);
      expect(partners.body).toEqual([
        expect.objectContaining({ organCode: 'MEE', unitCode: 'MEE-BGT', unitName: '生态环境部办公厅', kind: '主送' }),
      ]);

      await issue(documentId);
      const answered = (await get('chenjing', `/api/data-release/outside-requests/${r.id}`)).body;
      expect(answered).toMatchObject({ status: '已答复', reply: { documentId, channel: '公文交换', status: '分发' } });
      expect(answered.reply.docNumber).toMatch(/^国土资信办发〔\d{4}〕\d+号$/);
      expect(answered.closedAt).not.toBeNull();
      // The signed 函 is queued for the partner, and the producing units received their copy.
      const [pkg] = await q(`SELECT o.status FROM exchange_outgoing o WHERE o.document_id = $1`, [documentId]);
      expect(pkg).toBeDefined();
      expect((await get('hejun', `/api/data-release/outside-requests/${r.id}`)).body.reply).toMatchObject({ title: reply.title });
      const [notice] = await q(`SELECT payload FROM outbox WHERE topic = 'data-outside-request.replied' AND payload->>'link' = $1`, [
        `/data-release/outside/${r.id}`,
      ]);
      expect(notice.payload.to).toHaveLength(3);
    });

    it('an organ without exchange is answered by a 函 sent by post, and a refused 函 can be drafted again', async () => {
      const created = await register({ organName: '中国土地学会', organKind: '行业单位', datasetIds: [datasets['YZT-GDZL']] });
      expect(created.status).toBe(201);
      const r = created.body;
      await ok('wufang', r.instanceId, 'opinion', { action: 'approve', variables: { opinion: '不同意提供' } }, 'MLR-GBS');
      const reply = { title: '关于耕地质量等别数据需求的复函', body: '中国土地学会：\n来函收悉。经研究，暂不提供。\n特此函复。' };
      const first = await post('zhoumin', `/api/data-release/outside-requests/${r.id}/reply`, reply);
      expect([first.status, first.body.reply?.channel]).toEqual([200, '邮寄/其他']);
      // 刘海燕 does not sign it: the request stays open and 信息办 drafts a new 函.
      const [doc] = await q(`SELECT instance_id FROM documents WHERE id = $1`, [first.body.reply.documentId]);
      await ok('zhoumin', doc.instance_id, 'draft');
      await ok('songtao', doc.instance_id, 'review');
      await ok('liuhaiyan', doc.instance_id, 'sign', { action: 'reject', comment: '措辞需修改' });
      expect((await get('chenjing', `/api/data-release/outside-requests/${r.id}`)).body).toMatchObject({
        status: '复函办理中',
        reply: { status: '不予签发' },
      });
      const second = await post('zhoumin', `/api/data-release/outside-requests/${r.id}/reply`, {
        ...reply,
        body: `${reply.body}\n（修改稿）`,
      });
      expect(second.status).toBe(200);
      expect(second.body.reply.documentId).not.toBe(first.body.reply.documentId);
      await issue(second.body.reply.documentId);
      expect((await get('chenjing', `/api/data-release/outside-requests/${r.id}`)).body).toMatchObject({
        status: '已答复',
        reply: { channel: '邮寄/其他', status: '分发' },
      });
      expect(await q(`SELECT 1 FROM exchange_outgoing WHERE document_id = $1`, [second.body.reply.documentId])).toHaveLength(0);
    });

    it('is registered only by 信息办, for catalogue data, with a known partner', async () => {
      expect((await post('lina', '/api/data-release/outside-requests', {})).status).toBe(400);
      const asLina = await t
        .http()
        .post('/api/data-release/outside-requests')
        .set(auth('lina'))
        .send({
          organName: '某部',
          organKind: '政府部门',
          contactName: '张三',
          contactPhone: '010-1234567',
          letterRef: '某函〔2026〕1号',
          receivedOn: '2026-01-05',
          purpose: '需要土地数据用于研究',
          datasetIds: [datasets['YZT-GDZL']],
        });
      expect(asLina.status).toBe(403);
      expect((await register({ partnerOrganCode: 'NOPE', partnerUnitCode: 'X' })).body.code).toBe('EXCHANGE_UNKNOWN_PARTNER');
      expect((await register({ partnerOrganCode: 'MEE' })).status).toBe(400);
      expect((await register({ receivedOn: '2099-01-01' })).status).toBe(400);
      expect((await register({ receivedOn: '2026-02-30' })).status).toBe(400);
      expect((await register({ datasetIds: ['00000000-0000-4000-8000-000000000000'] })).status).toBe(400);
      expect((await register({ status: '已答复' })).status).toBe(400);
      expect((await get('js.nigao', '/api/data-release/outside-requests')).body.total).toBe(0);
      expect((await get('hejun', '/api/data-release/outside-requests')).body.total).toBeGreaterThan(0);
    });
  });
  it('seeds its demo cases through the same services', async () => {
    const count = async () =>
      (
        await q(
          `SELECT (SELECT count(*)::int FROM data_releases) AS releases, (SELECT count(*)::int FROM data_outside_requests) AS outside`,
        )
      )[0];
    const before = await count();
    expect(await t.app.get(DemoCases).run(['data-release'])).toEqual(['data-release']);
    expect(await count()).toEqual({ releases: before.releases + 2, outside: before.outside + 2 });
    const [geology] = await q(
      `SELECT u.username FROM data_releases x JOIN users u ON u.id = x.released_by JOIN datasets d ON d.id = x.dataset_id
        WHERE d.code = 'DZ-QYDZ' ORDER BY x.released_at DESC LIMIT 1`,
    );
    expect(geology.username).toBe('zhaoyu');
    const statuses = await q(
      `SELECT status FROM data_outside_requests WHERE organ_name IN ('中国测绘学会') ORDER BY created_at DESC LIMIT 1`,
    );
    expect(statuses).toEqual([{ status: '待拟复函' }]);
  });
});
