import { DataSource } from 'typeorm';
import { SAMPLE_PDF } from '../support/attach';
import type { TestApp } from '../support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
export type Rows = any[];

export const WORKER_TOKEN = 'security-test-worker-token-0123456789';

/** The demo person standing for each role (README: one account per role). */
export const ROLE_PERSONAS: Record<string, string> = {
  drafter: 'lina',
  reviewer: 'yangfan',
  signer: 'js.shenpi',
  clerk: 'zhaolei',
  'office-reviewer': 'chenjing',
  'group-member': 'wangjianguo',
  'group-secretary': 'zhoumin',
  'data-admin': 'huangli',
  'dept-approver': 'wufang',
  archivist: 'linfang',
  'seal-keeper': 'sunli',
  sysadmin: 'admin',
  secadmin: 'secadmin',
  auditor: 'auditor',
};

/** 浙江's people, who must never reach 江苏's records; zj.dangan is an archivist made for this test. */
export const ZHEJIANG = ['zj.shouwen', 'zj.shenpi', 'hz.shenhe', 'xh.shouli', 'zj.dangan'];
export const ZJ_ARCHIVIST_PASSWORD = 'Zhejiang#Dangan2026';

/** Records owned by 江苏 (and one of 规划司 addressed to 江苏), made through the API as their people would. */
export interface JiangsuRecords {
  document: { id: string; instanceId: string; taskId: string; attachmentId: string };
  /** 规划司's document addressed to 江苏省厅: its receipt and the clerk's 签收 task. */
  received: { documentId: string; receiptId: string; taskId: string };
  approval: { id: string; instanceId: string; taskId: string };
  filing: { id: string; attachmentId: string };
  dataRequest: { id: string; attachmentId: string };
  project: { id: string; attachmentId: string };
  system: { id: string };
  archive: { id: string; fileName: string };
  substitute: { id: string };
  /** 规划司's electronic seal, made by its 印章管理员. */
  seal: { id: string };
  /** 江苏省厅's 督办 of its own 公文, by its 签发人. */
  supervision: { id: string };
  jsUserId: string;
  nanjingUnitId: string;
}

export class Actors {
  readonly tokens: Record<string, string> = {};
  constructor(readonly t: TestApp) {}

  async login(...names: string[]): Promise<void> {
    for (const name of names) if (!this.tokens[name]) this.tokens[name] = await this.t.login(name);
  }

  q(sql: string, params: unknown[] = []): Promise<Rows> {
    return this.t.app.get(DataSource).query(sql, params);
  }

  as(who: string) {
    const auth = { Authorization: `Bearer ${this.tokens[who]}` };
    const http = this.t.http();
    return {
      get: (path: string) => this.t.http().get(path).set(auth),
      post: (path: string, body: object = {}) => this.t.http().post(path).set(auth).send(body),
      put: (path: string, body: object = {}) => this.t.http().put(path).set(auth).send(body),
      delete: (path: string) => http.delete(path).set(auth),
    };
  }

  worker() {
    const auth = { Authorization: `Bearer ${WORKER_TOKEN}` };
    return {
      post: (path: string, body: object = {}) => this.t.http().post(path).set(auth).send(body),
      put: (path: string, body: Buffer, type: string) => this.t.http().put(path).set(auth).set('Content-Type', type).send(body),
      get: (path: string) => this.t.http().get(path).set(auth),
    };
  }

  async unit(code: string): Promise<string> {
    return (await this.q(`SELECT id FROM units WHERE code = $1`, [code]))[0].id as string;
  }

  async openTask(instanceId: string, activityId?: string): Promise<string> {
    const rows = await this.q(
      `SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open' AND ($2::text IS NULL OR activity_id = $2) ORDER BY created_at LIMIT 1`,
      [instanceId, activityId ?? null],
    );
    if (!rows[0]) throw new Error(`no open ${activityId ?? ''} task in ${instanceId}`);
    return rows[0].id as string;
  }

  async act(who: string, instanceId: string, activityId: string, body: object): Promise<void> {
    const res = await this.as(who).post(`/api/tasks/${await this.openTask(instanceId, activityId)}/actions`, body);
    expectOk(res, `${who} ${activityId}`);
  }

  async attach(who: string, ownerKind: string, ownerId: string): Promise<string> {
    const res = await this.t
      .http()
      .post(`/api/attachments?ownerKind=${ownerKind}&ownerId=${ownerId}`)
      .set('Authorization', `Bearer ${this.tokens[who]}`)
      .attach('file', SAMPLE_PDF, { filename: '江苏测试附件.pdf' });
    expectOk(res, `attach to ${ownerKind}`);
    return (res.body as { id: string }).id;
  }
}

/** A 江苏 数据使用申请 body as the applicant's form sends it; `periodTo` defaults to the end of the year. */
export function dataRequestBody(datasetIds: string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const year = new Date().getFullYear();
  return {
    title: '江苏省测试数据使用申请',
    datasetIds,
    regionCode: '320000',
    regionName: '江苏省',
    purpose: '开展江苏省国土空间规划编制前期研究。',
    periodFrom: `${year}-01-01`,
    periodTo: `${year}-12-31`,
    format: 'FileGDB',
    contactName: '沈佳',
    contactPhone: '025-86658123',
    ...overrides,
  };
}

/** A 信息化项目立项 proposal body of this year. */
export function projectBody(name: string): Record<string, unknown> {
  const year = new Date().getFullYear();
  return {
    name,
    category: '系统开发和运行维护',
    budget: 100,
    startYear: year,
    endYear: year + 1,
    content: '建设业务协同系统，实现审批事项在线办理。',
    isGovernmentAffairs: false,
  };
}

/** The catalogue's datasets as the applicant sees them. */
export async function datasetIds(a: Actors, who: string): Promise<string[]> {
  const body = (await a.as(who).get('/api/datasets')).body as { items?: { id: string }[] } | { id: string }[];
  return (Array.isArray(body) ? body : (body.items ?? [])).map((d) => d.id);
}

/** 排版 done as the worker does it: lock the case's document-render task, store the PDF, complete. False if none waits. */
export async function renderAsWorker(a: Actors, instanceId: string, workerId = 'security-test'): Promise<boolean> {
  const locked = await a.worker().post('/engine-rest/external-task/fetchAndLock', {
    workerId,
    maxTasks: 10,
    topics: [{ topicName: 'document-render', lockDuration: 60_000 }],
  });
  expectOk(locked, 'fetchAndLock');
  const render = (locked.body as { id: string; processInstanceId: string; businessKey: string }[]).find(
    (x) => x.processInstanceId === instanceId,
  );
  if (!render) return false;
  const pdf = await a.worker().put(`/api/worker/documents/${render.businessKey}/official.pdf`, SAMPLE_PDF, 'application/pdf');
  expectOk(pdf, 'official.pdf');
  expectOk(
    await a.worker().post(`/engine-rest/external-task/${render.id}/complete`, {
      workerId,
      variables: { officialPdf: { value: pdf.body.attachmentId, type: 'String' } },
    }),
    'complete document-render',
  );
  return true;
}

function expectOk(res: { status: number; body: unknown }, what: string): void {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Builds `JiangsuRecords`; the document's 排版 is done by hand over the worker routes (WORKER_TOKEN). */
export async function createJiangsuRecords(a: Actors): Promise<JiangsuRecords> {
  await a.login(
    'js.nigao',
    'js.shenpi',
    'js.shouwen',
    'xw.shouli',
    'xw.shencha',
    'lina',
    'yangfan',
    'zhangwei',
    'huangli',
    'admin',
    'secadmin',
    'sunli',
  );
  const year = new Date().getFullYear();

  // 江苏's own 发文, at 拟稿, with an attachment.
  const doc = await a.as('js.nigao').post('/api/documents', {
    docType: '通知',
    title: '江苏省厅关于测试数据范围的通知',
    mainRecipients: [await a.unit('320100')],
    body: '南京市国土资源局：\n现将有关事项通知如下。',
  });
  expectOk(doc, 'js document');
  const document = {
    ...(doc.body as { id: string; instanceId: string }),
    taskId: await a.openTask(doc.body.instanceId, 'draft'),
    attachmentId: await a.attach('js.nigao', 'document', doc.body.id),
  };

  // 规划司's document to 江苏省厅, signed, rendered (by hand, as the worker would) and distributed.
  const sent = await a.as('lina').post('/api/documents', {
    docType: '通知',
    title: '关于江苏省测试事项的通知',
    mainRecipients: [await a.unit('320000')],
    body: '江苏省国土资源厅：\n现将有关事项通知如下。',
  });
  expectOk(sent, 'lina document');
  await a.act('lina', sent.body.instanceId, 'draft', { action: 'approve', comment: '请审核' });
  await a.act('yangfan', sent.body.instanceId, 'review', { action: 'approve', comment: '同意' });
  await a.act('zhangwei', sent.body.instanceId, 'sign', { action: 'approve', comment: '同意印发' });
  if (!(await renderAsWorker(a, sent.body.instanceId))) throw new Error('no document-render task');
  const [receipt] = await a.q(`SELECT id, instance_id FROM document_receipts WHERE document_id = $1`, [sent.body.id]);
  if (!receipt) throw new Error('the document was not distributed');
  const received = { documentId: sent.body.id as string, receiptId: receipt.id as string, taskId: await a.openTask(receipt.instance_id) };

  // 玄武's 三级联网审批 case at county review.
  const accept = (title: string) =>
    a.as('xw.shouli').post('/api/approvals', {
      matterType: '建设用地报批',
      title,
      applicant: '南京市玄武区人民政府',
      location: '玄武区玄武大道以北',
      landArea: 2.5,
      description: '申请将农用地转为建设用地，用于城市基础设施建设。',
    });
  const ap = await accept('玄武区测试批次建设用地报批');
  expectOk(ap, 'approval');
  const approval = { ...(ap.body as { id: string; instanceId: string }), taskId: await a.openTask(ap.body.instanceId, 'countyReview') };

  // A refused case, archived over the worker route: the archive package.
  const refused = await accept('玄武区测试批次不予批准事项');
  expectOk(refused, 'approval 2');
  // The county's reviewer, not the clerk who accepted it (separation of duties).
  await a.act('xw.shencha', refused.body.instanceId, 'countyReview', { action: 'reject', comment: '不符合土地利用总体规划，不予批准' });
  const archived = await a.worker().post(`/api/worker/archive/${refused.body.instanceId}`);
  expectOk(archived, 'archive');
  const [file] = await a.q(`SELECT name FROM archive_items WHERE package_id = $1 ORDER BY name LIMIT 1`, [archived.body.id]);
  const archive = { id: archived.body.id as string, fileName: file.name as string };

  const fl = await a.as('js.nigao').post('/api/filings', {
    kind: '信息化规划',
    title: '江苏省国土资源信息化测试规划',
    periodStart: year,
    periodEnd: year + 4,
    summary: '统筹全省国土资源信息化建设。',
    content: '一、现状与形势；二、主要任务。',
    contactName: '沈佳',
    contactPhone: '025-86658123',
  });
  expectOk(fl, 'filing');
  const filing = { id: fl.body.id as string, attachmentId: await a.attach('js.nigao', 'filing', fl.body.id) };

  const dr = await a.as('js.nigao').post('/api/data-requests', dataRequestBody([(await datasetIds(a, 'js.nigao'))[0]]));
  expectOk(dr, 'data request');
  const dataRequest = { id: dr.body.id as string, attachmentId: await a.attach('js.nigao', 'data-request', dr.body.id) };

  const pr = await a.as('lina').post('/api/projects', projectBody('规划司测试数据范围项目'));
  expectOk(pr, 'project');
  const project = { id: pr.body.id as string, attachmentId: await a.attach('lina', 'project', pr.body.id) };

  const sys = await a.as('huangli').post('/api/deployed-systems', {
    name: '江苏省测试业务系统',
    unitId: await a.unit('320000'),
    level: '省级',
    version: 'V1.0',
    goLiveDate: `${year - 1}-03-15`,
  });
  expectOk(sys, 'deployed system');

  const [shenpi] = await a.q(`SELECT id FROM users WHERE username = 'js.shenpi'`);
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const sub = await a
    .as('js.nigao')
    .post('/api/substitutes', { substituteId: shenpi.id, startsOn: day(30), endsOn: day(31), reason: '出差' });
  expectOk(sub, 'substitute');

  // 浙江 has no archivist among the demo people: the administrators make one, as they would.
  const created = await a.as('admin').post('/api/org/users', {
    username: 'zj.dangan',
    displayName: '浙江档案员',
    unitId: await a.unit('330000'),
    title: '档案员',
    password: ZJ_ARCHIVIST_PASSWORD,
  });
  expectOk(created, 'zj archivist');
  expectOk(await a.as('secadmin').put(`/api/org/users/${created.body.id}/roles`, { roles: ['archivist'] }), 'grant archivist');
  a.tokens['zj.dangan'] = await a.t.login('zj.dangan', ZJ_ARCHIVIST_PASSWORD);
  // A new account must change its initial password before the API serves it anything else.
  expectOk(
    await a.as('zj.dangan').post('/api/auth/password', { currentPassword: ZJ_ARCHIVIST_PASSWORD, newPassword: 'Zhejiang#Dangan2027' }),
    'zj archivist password change',
  );

  // Made last: 规划司's document above went out before its unit had a seal.
  const seal = await a.as('sunli').post('/api/seals', { label: '公文专用章' });
  expectOk(seal, 'seal');

  const supervision = await a
    .as('js.shenpi')
    .post('/api/supervision', { targetKind: 'document', targetId: document.id, workingDays: 5, opinion: '请按期办结' });
  expectOk(supervision, 'supervision');

  const [nigao] = await a.q(`SELECT id FROM users WHERE username = 'js.nigao'`);
  return {
    document,
    received,
    approval,
    filing,
    dataRequest,
    project,
    system: { id: sys.body.id as string },
    archive,
    substitute: { id: sub.body.id as string },
    seal: { id: seal.body.id as string },
    supervision: { id: supervision.body.id as string },
    jsUserId: nigao.id as string,
    nanjingUnitId: await a.unit('320100'),
  };
}
