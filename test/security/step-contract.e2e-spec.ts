import { SAMPLE_PDF } from '../support/attach';
import { createTestApp, type TestApp } from '../support/test-app';
import { Actors, WORKER_TOKEN, dataRequestBody, datasetIds, projectBody, type Rows } from './fixture';

/**
 * What a request body may change (DESIGN.md §7), tried as the attackers of issue 14 did, through HTTP as the demo
 * people: each abuse is refused with a 4xx naming the rule, and the case, its tasks and its record stay as they were.
 */
describe('decisions that cannot be forged', () => {
  let t: TestApp;
  let a: Actors;
  const uid: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN });
    a = new Actors(t);
    await a.login(
      'xw.shouli',
      'xw.shencha',
      'xh.shouli',
      'xh.shencha',
      'jn.shencha',
      'nj.shenhe',
      'js.shenpi',
      'js.nigao',
      'js.shouwen',
      'zj.shouwen',
      'lina',
      'yangfan',
      'zhangwei',
      'wufang',
      'chenjing',
      'admin',
      'auditor',
    );
    for (const row of await a.q(`SELECT id, username FROM users`)) uid[row.username] = row.id;
  });
  afterAll(() => t.close());

  const act = (who: string, taskId: string, body: object) => a.as(who).post(`/api/tasks/${taskId}/actions`, body);
  const accept = async (who: string, title: string) => {
    const res = await a.as(who).post('/api/approvals', {
      matterType: '建设用地报批',
      title,
      applicant: '区人民政府',
      location: '城区',
      landArea: 2.5,
      description: '申请将农用地转为建设用地。',
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; instanceId: string };
  };
  /** Everything a refused request could have touched: the case, its tasks, its history and its record. */
  const snapshot = async (instanceId: string): Promise<string> => {
    const parts: Rows = await a.q(
      `SELECT (SELECT to_jsonb(i) FROM process_instances i WHERE i.id = $1) AS instance,
              (SELECT jsonb_agg(to_jsonb(x) ORDER BY x.id) FROM tasks x WHERE x.instance_id = $1) AS tasks,
              (SELECT count(*) FROM task_actions x WHERE x.instance_id = $1) AS actions,
              (SELECT jsonb_agg(to_jsonb(x)) FROM approvals x WHERE x.instance_id = $1) AS approvals,
              (SELECT jsonb_agg(to_jsonb(l) ORDER BY l.seq) FROM approval_levels l JOIN approvals x ON x.id = l.approval_id WHERE x.instance_id = $1) AS levels,
              (SELECT jsonb_agg(to_jsonb(x)) FROM documents x WHERE x.instance_id = $1) AS documents,
              (SELECT jsonb_agg(to_jsonb(x)) FROM data_requests x WHERE x.instance_id = $1) AS requests,
              (SELECT jsonb_agg(to_jsonb(x)) FROM projects x WHERE x.instance_id = $1) AS projects`,
      [instanceId],
    );
    return JSON.stringify(parts[0]);
  };
  const variablesOf = async (instanceId: string) =>
    (await a.q(`SELECT variables FROM process_instances WHERE id = $1`, [instanceId]))[0].variables;

  it('refuses rerouting a 三级联网审批 case, writing another case and spoofing its title, and changes nothing', async () => {
    const js = await accept('xw.shouli', '玄武区改道测试用地');
    const zj = await accept('xh.shouli', '西湖区被写测试用地');
    const review = await a.openTask(js.instanceId, 'countyReview');
    const [hz] = await a.q(`SELECT id FROM units WHERE code = '330100'`);
    const [zjProvince] = await a.q(`SELECT id FROM units WHERE code = '330000'`);
    const before = await snapshot(js.instanceId);
    const zjBefore = await snapshot(zj.instanceId);

    const reroute = await act('xw.shencha', review, {
      action: 'approve',
      comment: '同意报市',
      variables: { cityUnit: hz.id, provinceUnit: zjProvince.id },
    });
    expect([reroute.status, reroute.body.code]).toEqual([400, 'VARIABLE_NOT_ALLOWED']);
    expect(reroute.body.details.map((d: { field: string }) => d.field)).toEqual(['variables.cityUnit', 'variables.provinceUnit']);
    const crossCase = await act('xw.shencha', review, { action: 'approve', variables: { approvalId: zj.id } });
    expect([crossCase.status, crossCase.body.details]).toEqual([
      400,
      [{ field: 'variables.approvalId', message: '该环节不接受任何表单变量' }],
    ]);
    const spoof = await act('xw.shencha', review, {
      action: 'return',
      comment: '退回',
      variables: { title: '伪造的标题', matterType: '采矿权登记' },
    });
    expect(spoof.status).toBe(400);
    // Smuggled through the other operations too.
    expect((await act('xw.shencha', review, { action: 'claim', variables: { cityUnit: hz.id } })).status).toBe(400);
    expect(await snapshot(js.instanceId)).toBe(before);
    expect(await snapshot(zj.instanceId)).toBe(zjBefore);

    // The plain decision climbs to the case's own city, which the server fixed at 受理.
    expect((await act('xw.shencha', review, { action: 'approve', comment: '同意报市' })).status).toBe(200);
    const [city] = await a.q(`SELECT candidate_units FROM tasks WHERE instance_id = $1 AND status = 'open'`, [js.instanceId]);
    const [nanjing] = await a.q(`SELECT id FROM units WHERE code = '320100'`);
    expect(city.candidate_units).toEqual([nanjing.id]);
    expect((await variablesOf(js.instanceId)).title).toBe('玄武区改道测试用地');
    expect((await a.q(`SELECT status, current_level FROM approvals WHERE id = $1`, [zj.id]))[0]).toEqual({
      status: '县级审查',
      current_level: 'county',
    });
  });

  it('refuses skipping a mandatory 会签 at 核稿 and the data owners’ review at 信息办', async () => {
    const [gbs] = await a.q(`SELECT id FROM units WHERE code = 'MLR-GBS'`);
    const [bgt] = await a.q(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const doc = await a.as('lina').post('/api/documents', {
      docType: '通知',
      title: '会签不可跳过的测试通知',
      mainRecipients: [bgt.id],
      countersignUnits: [gbs.id],
      body: '办公厅：\n现将有关事项通知如下。',
    });
    expect(doc.status).toBe(201);
    await a.act('lina', doc.body.instanceId, 'draft', { action: 'approve', comment: '请审核' });
    const review = await a.openTask(doc.body.instanceId, 'review');
    const before = await snapshot(doc.body.instanceId);
    const skip = await act('yangfan', review, { action: 'approve', variables: { needsCountersign: false, countersignUnits: [] } });
    expect([skip.status, skip.body.code]).toEqual([400, 'VARIABLE_NOT_ALLOWED']);
    expect(await snapshot(doc.body.instanceId)).toBe(before);
    expect((await act('yangfan', review, { action: 'approve', comment: '同意，请耕保司会签' })).status).toBe(200);
    const open = await a.q(`SELECT activity_id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [doc.body.instanceId]);
    expect(open.map((r) => r.activity_id)).toEqual(['countersign']);

    const request = await a
      .as('js.nigao')
      .post('/api/data-requests', dataRequestBody([(await datasetIds(a, 'js.nigao'))[0]], { title: '主管司局审核不可跳过的测试申请' }));
    expect(request.status).toBe(201);
    const [{ instance_id: instanceId }] = await a.q(`SELECT instance_id FROM data_requests WHERE id = $1`, [request.body.id]);
    await a.act('js.shenpi', instanceId, 'sign', { action: 'approve', comment: '同意申请' });
    const office = await a.openTask(instanceId, 'review');
    const before2 = await snapshot(instanceId);
    const noOwners = await act('chenjing', office, { action: 'approve', comment: '同意', variables: { ownerUnits: [] } });
    expect([noOwners.status, noOwners.body.details]).toEqual([
      400,
      [{ field: 'variables.ownerUnits', message: '该环节不接受任何表单变量' }],
    ]);
    expect(await snapshot(instanceId)).toBe(before2);
    expect((await act('chenjing', office, { action: 'approve', comment: '请主管司局审核' })).status).toBe(200);
    const consult = await a.q(`SELECT activity_id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [instanceId]);
    expect(consult.map((r) => r.activity_id)).toEqual(['consult']);
  });

  it('keeps 拟稿 ≠ 核稿 ≠ 签发 and 申报人 ≠ 单位领导审批 for a person who holds every role', async () => {
    // 李娜 is given the reviewer, signer and approver roles as well: she still may not decide her own case.
    await a.q(
      `INSERT INTO user_roles (user_id, role) SELECT $1, r FROM unnest(ARRAY['reviewer','signer','dept-approver']) r ON CONFLICT DO NOTHING`,
      [uid.lina],
    );
    const [bgt] = await a.q(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const doc = await a.as('lina').post('/api/documents', {
      docType: '通知',
      title: '职责分离测试通知',
      mainRecipients: [bgt.id],
      body: '办公厅：\n现将有关事项通知如下。',
    });
    await a.act('lina', doc.body.instanceId, 'draft', { action: 'approve', comment: '请审核' });
    const review = await a.openTask(doc.body.instanceId, 'review');
    const seen = await a.as('lina').get(`/api/tasks/${review}`);
    expect(seen.body.allowedActions).not.toContain('approve');
    expect(seen.body.allowedActions).not.toContain('claim');
    expect(seen.body.separationOfDuties).toContain('拟稿');
    const before = await snapshot(doc.body.instanceId);
    for (const action of ['approve', 'claim', 'return', 'reject']) {
      const res = await act('lina', review, { action, comment: '自己核自己' });
      expect([action, res.status, res.body.code]).toEqual([action, 403, 'SEPARATION_OF_DUTIES']);
    }
    expect(await snapshot(doc.body.instanceId)).toBe(before);
    // A colleague cannot hand it to her either.
    const handBack = await act('yangfan', review, { action: 'claim' });
    expect(handBack.status).toBe(200);
    const toSelf = await act('yangfan', review, { action: 'transfer', target: uid.lina });
    expect([toSelf.status, toSelf.body.code]).toEqual([403, 'SEPARATION_OF_DUTIES']);
    expect((await act('yangfan', review, { action: 'approve', comment: '同意' })).status).toBe(200);
    const sign = await a.openTask(doc.body.instanceId, 'sign');
    expect((await act('lina', sign, { action: 'approve', comment: '签发' })).body.code).toBe('SEPARATION_OF_DUTIES');
    expect((await act('yangfan', sign, { action: 'approve' })).status).toBe(403);
    expect((await act('zhangwei', sign, { action: 'approve', comment: '同意印发' })).status).toBe(200);

    const project = await a.as('lina').post('/api/projects', projectBody('职责分离测试项目'));
    expect(project.status).toBe(201);
    const leader = await a.openTask(project.body.instanceId, 'leaderApproval');
    const self = await act('lina', leader, { action: 'approve', comment: '同意申报' });
    expect([self.status, self.body.code]).toEqual([403, 'SEPARATION_OF_DUTIES']);
    expect(self.body.message).toContain('发起');
    expect((await act('zhangwei', leader, { action: 'approve', comment: '同意申报' })).status).toBe(200);
  });

  it('hands a step over only to people who could hold it, and copies only within the case’s line', async () => {
    const js = await accept('xw.shouli', '玄武区转办测试用地');
    const review = await a.openTask(js.instanceId, 'countyReview');
    await act('xw.shencha', review, { action: 'claim' });
    const before = await snapshot(js.instanceId);
    for (const [action, body] of [
      ['transfer', { target: uid['xh.shencha'] }],
      ['delegate', { target: uid['xh.shencha'] }],
      ['add-signer', { position: 'before', targets: [uid['xh.shencha']] }],
      // Another county of the same province is not this case's county either.
      ['transfer', { target: uid['jn.shencha'] }],
      ['cc', { targets: [uid['zj.shouwen']] }],
    ] as const) {
      const res = await act('xw.shencha', review, { action, ...body });
      expect([action, res.status, res.body.code]).toEqual([action, 403, 'TARGET_OUT_OF_REACH']);
    }
    // The clerk who accepted it may not review it: separation of duties follows a hand-over too.
    const toAcceptor = await act('xw.shencha', review, { action: 'transfer', target: uid['xw.shouli'] });
    expect([toAcceptor.status, toAcceptor.body.code]).toEqual([403, 'SEPARATION_OF_DUTIES']);
    expect(await snapshot(js.instanceId)).toBe(before);
    // The zj clerk never got the case: still 404 for him.
    expect((await a.as('zj.shouwen').get(`/api/tasks/${review}`)).status).toBe(404);
    // Within the line: the city above may read it, and it reaches the city once approved.
    expect((await act('xw.shencha', review, { action: 'cc', targets: [uid['nj.shenhe']] })).status).toBe(200);
    expect((await act('xw.shencha', review, { action: 'approve', comment: '同意报市' })).status).toBe(200);
  });

  it('lets a worker set only its step’s declared outputs', async () => {
    const [bgt] = await a.q(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const doc = await a.as('lina').post('/api/documents', {
      docType: '通知',
      title: '排版输出测试通知',
      mainRecipients: [bgt.id],
      body: '办公厅：\n现将有关事项通知如下。',
    });
    await a.act('lina', doc.body.instanceId, 'draft', { action: 'approve', comment: '请审核' });
    await a.act('yangfan', doc.body.instanceId, 'review', { action: 'approve', comment: '同意' });
    await a.act('zhangwei', doc.body.instanceId, 'sign', { action: 'approve', comment: '同意印发' });
    const locked = await a.worker().post('/engine-rest/external-task/fetchAndLock', {
      workerId: 'contract-test',
      maxTasks: 10,
      topics: [{ topicName: 'document-render', lockDuration: 60_000 }],
    });
    const render = (locked.body as { id: string; processInstanceId: string }[]).find((x) => x.processInstanceId === doc.body.instanceId)!;
    const pdf = await a.worker().put(`/api/worker/documents/${doc.body.id}/official.pdf`, SAMPLE_PDF, 'application/pdf');
    const before = await snapshot(doc.body.instanceId);
    const forged = await a.worker().post(`/engine-rest/external-task/${render.id}/complete`, {
      workerId: 'contract-test',
      variables: { officialPdf: { value: pdf.body.attachmentId, type: 'String' }, title: { value: '被改写的标题', type: 'String' } },
    });
    expect([forged.status, forged.body.type]).toEqual([400, 'InvalidRequestException']);
    expect(forged.body.message).toContain('title');
    expect(await snapshot(doc.body.instanceId)).toBe(before);
    const ok = await a.worker().post(`/engine-rest/external-task/${render.id}/complete`, {
      workerId: 'contract-test',
      variables: { officialPdf: { value: pdf.body.attachmentId, type: 'String' } },
    });
    expect(ok.status).toBe(204);
  });

  it('runs a deployed Camunda diagram: undeclared steps take no variables from holders, declared ones exactly theirs, administrators on the record', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="contract-demo" isExecutable="true">
    <startEvent id="s" name="开始" />
    <sequenceFlow id="f1" sourceRef="s" targetRef="plain" />
    <userTask id="plain" name="普通环节" camunda:assignee="\${holder}" />
    <sequenceFlow id="f2" sourceRef="plain" targetRef="declared" />
    <userTask id="declared" name="填报环节" camunda:assignee="\${holder}">
      <extensionElements><camunda:formData>
        <camunda:formField id="copies" label="份数" type="long"><camunda:validation><camunda:constraint name="min" config="1" /><camunda:constraint name="required" /></camunda:validation></camunda:formField>
      </camunda:formData></extensionElements>
    </userTask>
    <sequenceFlow id="f3" sourceRef="declared" targetRef="byAdmin" />
    <userTask id="byAdmin" name="管理员环节" camunda:assignee="\${admin}" />
    <sequenceFlow id="f4" sourceRef="byAdmin" targetRef="e" />
    <endEvent id="e" name="结束" />
  </process>
</definitions>`;
    const deployed = await t
      .http()
      .post('/api/process-definitions')
      .set('Authorization', `Bearer ${a.tokens.admin}`)
      .set('Content-Type', 'application/xml')
      .send(xml);
    expect([deployed.status, deployed.body.message]).toEqual([201, undefined]);
    const started = await a.as('admin').post('/api/process-instances', {
      key: 'contract-demo',
      variables: { holder: uid.lina, admin: uid.admin },
    });
    expect(started.status).toBe(201);
    const instanceId = started.body.id as string;
    const plain = await a.openTask(instanceId, 'plain');
    expect((await a.as('lina').get(`/api/tasks/${plain}`)).body.fields).toEqual([]);
    const sneaky = await act('lina', plain, { action: 'approve', variables: { admin: uid.lina } });
    expect([sneaky.status, sneaky.body.code]).toEqual([400, 'VARIABLE_NOT_ALLOWED']);
    expect((await act('lina', plain, { action: 'approve' })).status).toBe(200);

    const declared = await a.openTask(instanceId, 'declared');
    expect((await a.as('lina').get(`/api/tasks/${declared}`)).body.fields).toEqual([
      expect.objectContaining({ id: 'copies', type: 'long', required: true, min: 1 }),
    ]);
    expect((await act('lina', declared, { action: 'approve' })).body.details).toEqual([
      { field: 'variables.copies', message: '请填写“份数”' },
    ]);
    expect((await act('lina', declared, { action: 'approve', variables: { copies: '3' } })).status).toBe(400);
    expect((await act('lina', declared, { action: 'approve', variables: { copies: 0 } })).status).toBe(400);
    expect((await act('lina', declared, { action: 'approve', variables: { copies: 3, admin: uid.lina } })).status).toBe(400);
    expect((await act('lina', declared, { action: 'approve', variables: { copies: 3 } })).status).toBe(200);
    expect((await variablesOf(instanceId)).copies).toBe(3);

    // The administrator may supply variables at an undeclared step of such a diagram, on the audit record.
    const byAdmin = await a.openTask(instanceId, 'byAdmin');
    expect((await act('admin', byAdmin, { action: 'approve', variables: { note: '人工补录' } })).status).toBe(200);
    expect((await variablesOf(instanceId)).note).toBe('人工补录');
    const audit = await a.q(`SELECT action, detail FROM audit_log WHERE object_id = $1 OR detail->>'instanceId' = $1 ORDER BY id`, [
      instanceId,
    ]);
    expect(audit.map((r) => r.action)).toEqual(['process.start', 'task.approve', 'task.approve', 'task.approve']);
    expect(audit[0].detail.variables).toEqual({ holder: uid.lina, admin: uid.admin });
    expect(audit[2].detail.variables).toEqual({ copies: 3 });
    expect(audit[3].detail).toEqual(expect.objectContaining({ variables: { note: '人工补录' }, variablesByAdministrator: true }));
  });

  it('puts every decision in the tamper-evident chain, which still verifies', async () => {
    const js = await accept('xw.shouli', '玄武区审计链测试用地');
    await a.act('xw.shencha', js.instanceId, 'countyReview', { action: 'return', comment: '请补充勘测定界图' });
    const rows = await a.q(
      `SELECT action, user_id, unit_id, object_id, detail FROM audit_log WHERE detail->>'instanceId' = $1 ORDER BY id`,
      [js.instanceId],
    );
    expect(rows.map((r) => `${r.action}:${r.detail.step}`)).toEqual(['task.approve:accept', 'task.return:countyReview']);
    expect(rows[1]).toEqual(
      expect.objectContaining({
        user_id: uid['xw.shencha'],
        detail: expect.objectContaining({ opinion: '请补充勘测定界图', target: 'accept', stepName: '县级审查', onBehalfOf: null }),
      }),
    );
    // Append-only: the database refuses to rewrite a decision.
    await expect(a.q(`UPDATE audit_log SET detail = '{}' WHERE detail->>'instanceId' = $1`, [js.instanceId])).rejects.toThrow();
    const verified = await a.as('auditor').get('/api/audit/verify');
    expect(verified.body).toEqual(expect.objectContaining({ ok: true }));
  });
});
