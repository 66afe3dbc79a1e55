import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { SAMPLE_PDF } from '../support/attach';
import { createTestApp, type TestApp } from '../support/test-app';
import { Actors, createJiangsuRecords, ROLE_PERSONAS, WORKER_TOKEN, ZHEJIANG, type JiangsuRecords } from './fixture';
import { expressRoutes, fillPath, nestRoutes, pathParams, type RouteInfo } from '../support/routes';

/**
 * Access control over the live route table: every route Nest registered (read from the running
 * module graph, cross-checked with what Express serves) against no login, every role, and 浙江's
 * people reaching for 江苏's records. A route added tomorrow is in the table automatically; one that
 * cannot be classified below fails the test.
 */

/** Routes open without a login, with what an anonymous empty request gets. Everything else must answer 401. */
const PUBLIC: Record<string, number> = {
  'GET /api/health': 200,
  'POST /api/auth/login': 400,
  'POST /api/auth/refresh': 401, // no cookie: 请重新登录
  'POST /api/auth/logout': 204,
  // The second step of a login carries its own proof (the password step's challenge), not a session.
  'POST /api/auth/login/second-factor': 400,
  'POST /api/auth/totp/enrol': 401,
  'POST /api/auth/totp/confirm': 400,
  // Single sign-on: what the login page asks, the redirect to the provider, and the provider's way back.
  'GET /api/auth/providers': 200,
  'GET /api/auth/oidc/login': 302,
  'GET /api/auth/oidc/callback': 302,
  // The CA certificate the seals chain to: what an outside verifier needs to check an OFD.
  'GET /api/seals/ca.crt': 200,
  // 公文交换: a partner deployment's packages and receipts prove their sender by SM2 signature, not a session;
  // the identity is what a partner registers. This test app has no EXCHANGE_ORGAN_CODE (exchange off).
  'GET /api/exchange/identity': 409,
  'POST /api/exchange/inbox': 415,
  'POST /api/exchange/receipts': 415,
  // The bell's live stream: EventSource sends no header, a one-use ticket (from the signed-in stream-ticket route) does.
  'GET /api/me/notifications/stream': 401,
  // 数据共享目录清单: published for other departments' systems (shareable, unclassified entries only).
  'GET /api/catalogue/published.json': 200,
  'GET /api/catalogue/published.csv': 200,
};
/** Served by Express but not by a Nest controller: the OpenAPI pages (public by design: the API is documented). */
const API_DOCS = [
  'GET /api/docs',
  'GET /api/docs/',
  'GET /api/docs/index.html',
  'GET /api/docs/LICENSE',
  'GET /api/docs/swagger-ui-init.js',
  'GET /api/docs/docs/swagger-ui-init.js',
  'GET /api/docs-json',
  'GET /api/docs-yaml',
];
/** Nest's middleware (request log) is mounted on these with every method; it always calls next(). */
const MIDDLEWARE_PATHS = ['/api', '/api/{*splat}', '/engine-rest', '/engine-rest/{*path}'];

/** Values for path parameters when the record does not matter (the role gate comes first). */
const DUMMY: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000000',
  receiptId: '00000000-0000-4000-8000-000000000000',
  instanceId: '00000000-0000-4000-8000-000000000000',
  key: 'no-such-process',
  day: '2099-01-02',
  name: 'no-such-file.pdf',
  number: '1',
  changeId: 'c1',
  form: 'project',
  code: 'NO-SUCH',
};

type Send = (who: string, path: string, query: string) => Promise<Response>;

/** How a route that names a record is tried by 浙江: `record` holds 江苏's record, 404 expected (as for a missing one). */
interface RecordScope {
  params: (f: JiangsuRecords) => Record<string, string>;
  query?: (f: JiangsuRecords, id?: string) => string;
  body?: object | ((f: JiangsuRecords) => object);
  send?: Send;
  /** 江苏's person who does see it (GET only), and what they get. */
  owner?: string;
  ownerStatus?: number;
}
type Scope = RecordScope | { none: string };

// SCOPES are read inside the tests, once beforeAll has set these.
let actors: Actors;
let currentRecords: JiangsuRecords;
/** A bell notice of one of 江苏's people about one of 江苏's records (the fixture's cases reached them). */
let jsNotice: { id: string; username: string; link: string };
const sendMultipart: Send = (who, path, query) =>
  actors.t
    .http()
    .post(`${path}?${query}`)
    .set('Authorization', `Bearer ${actors.tokens[who]}`)
    .attach('file', SAMPLE_PDF, { filename: '越权附件.pdf' });
const doc = (f: JiangsuRecords) => ({ id: f.document.id });
const SCOPES: Record<string, Scope> = {
  'POST /api/auth/password': { none: 'acts on the caller’s own account only' },
  'PUT /api/directory/me': { none: 'the caller’s own telephone and mail only' },
  'PUT /api/catalogue/:code': { none: 'the catalogue is ministry-wide; the owner unit’s keepers are checked in the service (403)' },
  'PUT /api/directory/people/:id': { none: 'sysadmin keeps contact details of people in any unit' },
  'PUT /api/personal/phrases': { none: 'the caller’s own 常用语 only: no id names another person' },
  'DELETE /api/personal/phrases': { none: 'the caller’s own 常用语 only' },
  'GET /api/personal/drafts/:form': { none: 'the caller’s own 暂存 only: the path names a form, not a person' },
  'PUT /api/personal/drafts/:form': { none: 'the caller’s own 暂存 only' },
  'DELETE /api/personal/drafts/:form': { none: 'the caller’s own 暂存 only' },
  'GET /api/org/units/:id': { none: 'the unit tree is everyone’s address book (README: documents are addressed to units by name)' },
  'GET /api/org/users/:id': { params: (f) => ({ id: f.jsUserId }), owner: 'js.shenpi' },
  'POST /api/org/users': { none: 'sysadmin creates people in any unit' },
  'PUT /api/org/users/:id/roles': { params: (f) => ({ id: f.jsUserId }), body: { roles: ['signer'] } },
  'POST /api/org/users/:id/unlock': { params: (f) => ({ id: f.jsUserId }) },
  'GET /api/audit/checkpoints/:id/export': { none: 'the audit chain is the whole platform’s, read by the auditor alone' },
  'POST /api/audit/checkpoints': { none: 'the audit chain is the whole platform’s, checkpointed by the auditor alone' },
  'POST /api/audit/verify-checkpoint': { none: 'checks a checkpoint the auditor kept against the whole chain' },
  'POST /api/org/users/:id/reset-totp': { params: (f) => ({ id: f.jsUserId }) },
  'POST /api/process-definitions': { none: 'diagrams are the platform’s, not a unit’s (sysadmin)' },
  'POST /api/process-definitions/validate': { none: 'checks a diagram without storing it; diagrams are the platform’s (sysadmin)' },
  'GET /api/process-definitions/:key/xml': { none: 'diagrams are the platform’s, not a unit’s (sysadmin)' },
  'POST /api/process-instances': { none: 'starts a case in the caller’s own unit (sysadmin)' },
  'GET /api/process-instances/:id': { params: (f) => ({ id: f.approval.instanceId }), owner: 'xw.shouli' },
  'PUT /api/external-tasks/:id/retries': { none: 'engine internals (sysadmin)' },
  'POST /api/messages': { none: 'a message reaches the cases of every unit that wait for it (sysadmin)' },
  'POST /api/signals': { none: 'a signal is broadcast to every case that waits for it (sysadmin)' },
  'POST /api/admin/unowned-tasks/:id/assign': { none: 'steps that reach nobody, in any unit, are the system administrator’s to assign' },
  'PUT /api/holidays/:day': { none: 'the working-day calendar is national (sysadmin)' },
  'DELETE /api/holidays/:day': { none: 'the working-day calendar is national (sysadmin)' },
  'POST /api/tasks/batch-actions': {
    params: () => ({}),
    body: { action: 'approve', comment: '越权批量同意' },
    send: (who, path) =>
      actors
        .as(who)
        .post(path, { taskIds: [currentRecords.approval.taskId, currentRecords.document.taskId], action: 'approve', comment: '越权' }),
  },
  'GET /api/tasks/:id': { params: (f) => ({ id: f.approval.taskId }), owner: 'xw.shouli' },
  'GET /api/tasks/:id/diagram': { params: (f) => ({ id: f.approval.taskId }), owner: 'xw.shouli' },
  'POST /api/tasks/:id/actions': { params: (f) => ({ id: f.approval.taskId }), body: { action: 'approve', comment: '越权同意' } },
  'POST /api/substitutes': { none: 'creates the caller’s own 代理' },
  'DELETE /api/substitutes/:id': { params: (f) => ({ id: f.substitute.id }) },
  'POST /api/attachments': {
    params: () => ({}),
    query: (f, id) => `ownerKind=filing&ownerId=${id ?? f.filing.id}`,
    send: sendMultipart,
  },
  'GET /api/attachments': { params: () => ({}), query: (f, id) => `ownerKind=filing&ownerId=${id ?? f.filing.id}`, owner: 'js.nigao' },
  'GET /api/attachments/:id/content': { params: (f) => ({ id: f.filing.attachmentId }), owner: 'js.nigao' },
  'DELETE /api/attachments/:id': { params: (f) => ({ id: f.document.attachmentId }) },
  'POST /api/documents': { none: 'creates a record of the caller’s own unit' },
  'GET /api/documents/:id': { params: doc, owner: 'js.nigao' },
  'PUT /api/documents/:id': {
    params: doc,
    body: (f) => ({ docType: '通知', title: '越权修改的标题', mainRecipients: [f.nanjingUnitId], body: '越权修改的正文' }),
  },
  'GET /api/documents/:id/revisions': { params: doc, owner: 'js.nigao' },
  'POST /api/documents/:id/revisions': { params: doc, body: { base: 1, paragraphs: [{ level: 'text', text: '越权修改的正文' }] } },
  'GET /api/documents/:id/revisions/diff': { params: doc, query: () => 'from=1&to=1', owner: 'js.nigao' },
  'POST /api/documents/:id/revisions/import-docx': { params: doc, send: sendMultipart },
  'GET /api/documents/:id/revisions/:number': { params: (f) => ({ id: f.document.id, number: '1' }), owner: 'js.nigao' },
  'GET /api/documents/:id/revisions/:number/docx': { params: (f) => ({ id: f.document.id, number: '1' }), owner: 'js.nigao' },
  'POST /api/documents/:id/revisions/:number/changes/:changeId/accept': {
    params: (f) => ({ id: f.document.id, number: '1', changeId: 'c1' }),
  },
  'POST /api/documents/:id/revisions/:number/changes/:changeId/reject': {
    params: (f) => ({ id: f.document.id, number: '1', changeId: 'c1' }),
  },
  'GET /api/documents/receipts/:receiptId': { params: (f) => ({ receiptId: f.received.receiptId }) },
  'POST /api/documents/receipts/:receiptId/sign': { params: (f) => ({ receiptId: f.received.receiptId }) },
  'POST /api/documents/receipts/:receiptId/refuse': { params: (f) => ({ receiptId: f.received.receiptId }), body: { reason: '越权退文' } },
  'POST /api/approvals': { none: 'accepts a case in the caller’s own county' },
  'GET /api/approvals/:id': { params: (f) => ({ id: f.approval.id }), owner: 'xw.shouli' },
  'POST /api/approvals/:id/resubmit': { params: (f) => ({ id: f.approval.id }), body: { comment: '越权重新报送' } },
  'POST /api/projects': { none: 'submits a proposal of the caller’s own unit' },
  'GET /api/projects/:id': { params: (f) => ({ id: f.project.id }), owner: 'lina' },
  'PUT /api/projects/:id': { params: (f) => ({ id: f.project.id }), body: { budget: 1, comment: '越权修改' } },
  'POST /api/projects/:id/status': { params: (f) => ({ id: f.project.id }), body: { status: '在建', reason: '越权变更' } },
  'POST /api/deployed-systems': { none: '信息办 and 信息中心 keep the ledger of every unit' },
  'GET /api/deployed-systems/:id': { params: (f) => ({ id: f.system.id }), owner: 'js.nigao' },
  'PUT /api/deployed-systems/:id': { params: (f) => ({ id: f.system.id }), body: { version: 'V9.9', reason: '越权修改' } },
  'POST /api/filings': { none: 'creates a filing of the caller’s own province' },
  'GET /api/filings/:id': { params: (f) => ({ id: f.filing.id }), owner: 'js.nigao' },
  'PUT /api/filings/:id': { params: (f) => ({ id: f.filing.id }), body: { title: '越权修改的备案标题' } },
  'POST /api/filings/:id/submit': { params: (f) => ({ id: f.filing.id }) },
  'GET /api/filings/:id/receipt': { params: (f) => ({ id: f.filing.id }), owner: 'js.nigao', ownerStatus: 409 },
  'POST /api/data-requests': { none: 'creates a request of the caller’s own unit' },
  'GET /api/data-requests/:id': { params: (f) => ({ id: f.dataRequest.id }), owner: 'js.nigao' },
  'PUT /api/data-requests/:id': { params: (f) => ({ id: f.dataRequest.id }), body: { title: '越权修改的申请标题' } },
  'POST /api/data-requests/:id/submit': { params: (f) => ({ id: f.dataRequest.id }) },
  'POST /api/data-requests/:id/confirm': { params: (f) => ({ id: f.dataRequest.id }) },
  // 以部名义发布数据: records of the ministry's units only (江苏 has none to reach for); the unit scope and the addressed
  // units (owner, 信息办, releasing unit / producing units) answer 404 to anyone else (apps/api/src/data-release/data-release.spec.ts).
  'POST /api/data-release/requests': { none: 'creates a request of the caller’s own unit (ministry units only, 403 otherwise)' },
  'GET /api/data-release/requests/:id': { none: 'ministry units’ records; out of scope answers 404 (data-release.spec)' },
  'POST /api/data-release/outside-requests': { none: '信息办 registers for the ministry (checked in the service, 403)' },
  'GET /api/data-release/outside-requests/:id': { none: '信息办’s records addressed to the producing units; out of scope answers 404' },
  'POST /api/data-release/outside-requests/:id/reply': { none: '信息办’s drafters only (checked in the service, 403)' },
  'POST /api/notifications/:id/retry': { none: 'the mail outbox is the platform’s (sysadmin)' },
  'GET /api/mailbox/:id': { none: 'the local mailbox is the platform’s (sysadmin)' },
  'POST /api/me/notifications/read-all': { none: 'marks the caller’s own notices only' },
  'POST /api/me/notifications/stream-ticket': { none: 'a ticket for the caller’s own stream' },
  'PUT /api/me/notifications/preferences': { none: 'the caller’s own mail choice' },
  'POST /api/me/notifications/:id/read': { params: () => ({ id: jsNotice.id }) },
  'GET /api/archive/:id': { params: (f) => ({ id: f.archive.id }), owner: 'linfang' },
  'GET /api/archive/:id/files/:name': { params: (f) => ({ id: f.archive.id, name: f.archive.fileName }), owner: 'linfang' },
  'POST /api/archive/:id/check': { params: (f) => ({ id: f.archive.id }) },
  'GET /api/archive/:id/report.pdf': { params: (f) => ({ id: f.archive.id }), owner: 'linfang' },
  // A selection of another organ's packages is not found, like packages that do not exist.
  'POST /api/archive/transfers': { params: () => ({}), body: (f) => ({ packageIds: [f.archive.id] }) },
  'POST /api/archive/transfers/verify': { none: 'checks the uploaded transfer package only; reads no record of any unit' },
  'GET /api/documents/:id/sheet.pdf': { params: doc, owner: 'js.nigao' },
  'GET /api/documents/receipts/:receiptId/sheet.pdf': { params: (f) => ({ receiptId: f.received.receiptId }) },
  'GET /api/documents/:id/seal': { params: doc, owner: 'js.nigao' },
  'GET /api/documents/:id/seal-verification': { params: doc, owner: 'js.nigao' },
  'POST /api/seals': { none: 'makes the seal of the 印章管理员’s own unit' },
  'POST /api/seals/preview': { none: 'draws a picture from the name it is given; reads and stores nothing' },
  'GET /api/seals/:id/image': { params: (f) => ({ id: f.seal.id }), owner: 'sunli' },
  'POST /api/seals/:id/revoke': { params: (f) => ({ id: f.seal.id }), body: { reason: '越权停用' } },
  'POST /api/exchange/partners': { none: 'partner deployments are the platform’s (sysadmin)' },
  'POST /api/exchange/outgoing/:id/retry': { none: 'the exchange queue is the platform’s (sysadmin)' },
  'DELETE /api/exchange/partners/:id': { none: 'partner deployments are the platform’s (sysadmin)' },
  'PUT /api/exchange/documents/:id/partner-recipients': { params: doc, body: { recipients: [] } },
  'GET /api/exchange/documents/:id/partner-recipients': { params: doc, owner: 'js.nigao' },
  // No 江苏 package in this fixture (one deployment); exchange.spec has 浙江's clerk get 404 on 江苏's package.
  'POST /api/supervision': {
    params: () => ({}),
    body: (f) => ({ targetKind: 'document', targetId: f.document.id, workingDays: 3, opinion: '越权督办' }),
  },
  'GET /api/supervision/:id': { params: (f) => ({ id: f.supervision.id }), owner: 'js.nigao' },
  'POST /api/supervision/:id/report': { params: (f) => ({ id: f.supervision.id }), body: { note: '越权报告办结' } },
  'POST /api/supervision/:id/close': { params: (f) => ({ id: f.supervision.id }) },
  'POST /api/supervision/:id/return': { params: (f) => ({ id: f.supervision.id }), body: { reason: '越权退回' } },
  // 公告 are for everyone signed in (no data scope to cross); publishing, editing and withdrawing are 办公厅's (403 elsewhere).
  // 基础数据汇交: 江苏's fixture holds no 汇交 records; data-collection.spec covers 浙江 reaching 江苏's submissions (404 on
  // read, statement, upload, HEAD/PATCH, file; lists and the board show only the caller's province).
  'POST /api/data-collection/lists': { none: 'a list of 信息中心 only (403 for anyone else, checked in the service)' },
  'GET /api/data-collection/lists/:id': { none: 'an issued list is national; drafts only 信息中心 and 信息办 see (data-collection.spec)' },
  'PUT /api/data-collection/lists/:id': { none: 'only the list’s own drafter corrects it (403)' },
  'POST /api/data-collection/lists/:id/decide': { none: 'the approval step is 信息办’s alone (candidate unit MLR-XXB)' },
  'POST /api/data-collection/lists/:id/issue': { none: 'only the list’s own drafter issues it (403)' },
  'GET /api/data-collection/lists/:id/board': { none: 'rows are limited to the caller’s data scope (data-collection.spec)' },
  'GET /api/data-collection/lists/:id/board.csv': { none: 'rows are limited to the caller’s data scope, as the board' },
  'POST /api/data-collection/lists/:id/bulletin': { none: 'only the list’s own drafter drafts the 通报 (403)' },
  'GET /api/data-collection/submissions/:id': { none: 'another province’s submission answers 404 (data-collection.spec)' },
  'PUT /api/data-collection/submissions/:id': { none: 'another province’s submission answers 404 (data-collection.spec)' },
  'POST /api/data-collection/submissions/:id/uploads': { none: 'another province’s submission answers 404 (data-collection.spec)' },
  'GET /api/data-collection/uploads/:id': { none: 'another person’s upload answers 404 (GET and HEAD, data-collection.spec)' },
  'PATCH /api/data-collection/uploads/:id': { none: 'another person’s upload answers 404, as GET' },
  'POST /api/data-collection/submissions/:id/submit': { none: 'the submit step is offered to the submitting unit only' },
  'POST /api/data-collection/submissions/:id/review': { none: 'the review step is 信息中心’s alone (candidate unit MLR-XXZX)' },
  'GET /api/data-collection/submissions/:id/file': { none: 'another province’s submission answers 404 (data-collection.spec)' },
  'POST /api/announcements': { none: 'publishes a new 公告 as 办公厅 (403 for anyone else); names no record' },
  'GET /api/announcements/:id': { none: '公告 are read by everyone signed in; withdrawn or expired ones only by 办公厅' },
  'PUT /api/announcements/:id': { none: 'only 办公厅 edits 公告 (403 for anyone else, announcements.spec)' },
  'POST /api/announcements/:id/withdraw': { none: 'only 办公厅 withdraws 公告 (403 for anyone else)' },
  'POST /api/announcements/:id/read': { none: 'marks the caller’s own read mark only' },
  // 工作要点 are the ministry's, kept by 信息办 (no 江苏 record to reach for); units see approved plans with an item of
  // their subtree and act on their own items only — work-plans.spec checks each (404 outside, 403 for another unit's item).
  'POST /api/work-plans': { none: 'drafted by 信息办 alone (403 for anyone else); names no record' },
  'GET /api/work-plans/:id': { none: 'ministry plans: 信息办 and the group see all, a unit only approved plans with its items' },
  'PUT /api/work-plans/:id': { none: 'only 信息办 edits a plan (403 for anyone else, work-plans.spec)' },
  'POST /api/work-plans/:id/submit': { none: 'only 信息办 submits a plan to the group (403 for anyone else)' },
  'POST /api/work-plans/:id/resubmit': { none: 'only the person the revise step is assigned to (403 for anyone else)' },
  'GET /api/work-plans/:id/evaluation': { none: 'the assembled 年度评估 is for 信息办 and the group (403 for units)' },
  'POST /api/work-plans/:id/evaluation': { none: 'only 信息办 submits the 年度评估 (403 for anyone else)' },
  'POST /api/work-plans/:id/bulletin': { none: 'only 信息办’s drafters draft the 通报 (403 for anyone else)' },
  'GET /api/work-plans/items/:id': { none: 'an item is seen by 信息办, the group and the responsible unit’s subtree (404 elsewhere)' },
  'POST /api/work-plans/items/:id/progress': { none: 'only the responsible unit reports (403 for another unit, 404 outside)' },
  'POST /api/work-plans/items/:id/summary': { none: 'only the responsible unit summarises (403 for another unit, 404 outside)' },
  'GET /api/exchange/incoming/:id/files/:name': { none: 'serves only packages addressed to the caller’s own unit' },
  'POST /api/exchange/incoming/:id/sign': { none: 'answers only packages addressed to the caller’s own unit' },
  'POST /api/exchange/incoming/:id/refuse': { none: 'answers only packages addressed to the caller’s own unit' },
};

const isNone = (s: Scope): s is { none: string } => 'none' in s;

describe('authorization matrix over the live route table', () => {
  let t: TestApp;
  let f: JiangsuRecords;
  let routes: RouteInfo[];
  const personaRoles: Record<string, string[]> = {};
  const figures: Record<string, number> = {};
  const count = (name: string, n = 1) => (figures[name] = (figures[name] ?? 0) + n);
  const started = Date.now();

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN, SESSION_CACHE_SECONDS: '5' }); // as in production: checked sessions kept
    actors = new Actors(t);
    await actors.login(...Object.values(ROLE_PERSONAS), ...ZHEJIANG.filter((n) => n !== 'zj.dangan'));
    f = currentRecords = await createJiangsuRecords(actors);
    for (const row of await actors.q(
      `SELECT u.username, array_agg(r.role) AS roles FROM users u JOIN user_roles r ON r.user_id = u.id GROUP BY u.username`,
    )) {
      personaRoles[row.username] = row.roles;
    }
    routes = nestRoutes(t.app);
    [jsNotice] = await actors.q(
      `SELECT n.id::text, u.username, n.link FROM user_notifications n JOIN users u ON u.id = n.user_id
        WHERE NOT (u.username = ANY($1)) AND n.link ~ $2 ORDER BY n.id LIMIT 1`,
      [ZHEJIANG, [f.approval.taskId, f.document.taskId, f.received.taskId, f.approval.id, f.document.id].join('|')],
    );
    await actors.login(jsNotice.username);
  }, 120_000);
  afterAll(async () => {
    console.log(
      `RELIABILITY: access-matrix ${Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} duration=${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    await t?.close();
  });

  const send = (method: string, path: string, token: string | undefined, body: object = {}) => {
    const req = t.http()[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](path);
    if (token) req.set('Authorization', token);
    return method === 'GET' || method === 'DELETE' ? req : req.send(body);
  };
  const gateDenies = (route: RouteInfo, who: string) =>
    route.roles !== undefined && !route.roles.some((role) => personaRoles[who]?.includes(role));
  const dummyPath = (route: RouteInfo) => fillPath(route.path, DUMMY);

  it('reads the same route table from Nest as Express serves, and every extra Express route is known', () => {
    const nest = new Set(routes.map((r) => r.key));
    const express = expressRoutes(t.app);
    // Nest mounts its middleware (the request log) with every method on the global prefix and on each
    // path excluded from it; every other route layer is one endpoint with one method.
    const nestPaths = new Set(routes.map((r) => r.path));
    const expressKeys = new Set<string>();
    for (const layer of express) {
      if (layer.methods.length > 10) {
        expect([layer.path, MIDDLEWARE_PATHS.includes(layer.path) || nestPaths.has(layer.path)]).toEqual([layer.path, true]);
        count('middlewareMounts');
        continue;
      }
      for (const method of layer.methods) expressKeys.add(`${method} ${layer.path}`);
    }
    const notInNest = [...expressKeys].filter((k) => !nest.has(k) && !API_DOCS.includes(k));
    const notInExpress = [...nest].filter((k) => !expressKeys.has(k));
    expect({ notInNest, notInExpress }).toEqual({ notInNest: [], notInExpress: [] });
    expect(routes.length).toBeGreaterThan(80);
    count('routes', routes.length);
    count('apiDocsRoutes', API_DOCS.filter((k) => expressKeys.has(k)).length);

    // The public routes are exactly the list above; worker routes are public to the person guard but token-guarded.
    const publicPersonRoutes = routes.filter((r) => r.isPublic && !r.worker).map((r) => r.key);
    expect(publicPersonRoutes.sort()).toEqual(Object.keys(PUBLIC).sort());
    for (const r of routes.filter((route) => route.worker)) {
      expect(r.isPublic).toBe(true);
      // Camunda's REST for workers and integrations: external tasks, messages, signals, binary variables.
      expect(r.path).toMatch(/^\/(engine-rest\/(external-task\/|message$|signal$|execution\/|process-instance\/)|api\/worker\/)/);
    }
    // A route nobody can classify fails here: every one either lists (GET without a record), or is in SCOPES.
    const unclassified = routes
      .filter((r) => !r.isPublic && !r.worker)
      .filter((r) => !SCOPES[r.key] && !(r.method === 'GET' && pathParams(r.path).length === 0))
      .map((r) => r.key);
    expect(unclassified).toEqual([]);
    const stale = Object.keys(SCOPES).filter((k) => !nest.has(k));
    expect(stale).toEqual([]);
  });

  it('answers 401 without a login everywhere but the public routes, and the worker routes want the worker token', async () => {
    const anyPerson = `Bearer ${actors.tokens.admin}`;
    for (const route of routes) {
      const path = dummyPath(route);
      const res = await send(route.method, path, undefined);
      if (route.isPublic && !route.worker) {
        expect([route.key, res.status]).toEqual([route.key, PUBLIC[route.key]]);
        count('publicChecked');
        continue;
      }
      expect([route.key, res.status]).toEqual([route.key, 401]);
      count('unauthenticated401');
      if (!route.worker) {
        expect([route.key, res.body.code]).toEqual([route.key, 'UNAUTHENTICATED']);
        // A garbage token is no better than none.
        const forged = await send(route.method, path, 'Bearer not-a-token');
        expect([route.key, forged.status, forged.body.code]).toEqual([route.key, 401, 'TOKEN_INVALID']);
        count('garbageToken401');
        continue;
      }
      // Worker routes: a person's valid login, a wrong token, then the right one as Bearer and as basic auth.
      for (const token of [anyPerson, 'Bearer wrong-worker-token-0123456789', `Basic ${Buffer.from('w:wrong').toString('base64')}`]) {
        const denied = await send(route.method, path, token);
        expect([route.key, token.slice(0, 12), denied.status]).toEqual([route.key, token.slice(0, 12), 401]);
        count('workerDenied401');
      }
      for (const token of [`Bearer ${WORKER_TOKEN}`, `Basic ${Buffer.from(`worker:${WORKER_TOKEN}`).toString('base64')}`]) {
        const ok = await send(route.method, path, token);
        expect([route.key, ok.status < 500 && ok.status !== 401 && ok.status !== 403]).toEqual([route.key, true]);
        count('workerAdmitted');
      }
    }
    // Without the demo, the API's documentation is for people who are signed in.
    for (const key of API_DOCS.slice(0, 1).concat('GET /api/docs-json')) {
      const res = await send('GET', key.split(' ')[1], undefined);
      expect([key, res.status]).toEqual([key, 401]);
      const signedIn = await send('GET', key.split(' ')[1], anyPerson);
      expect([key, signedIn.status]).toEqual([key, 200]);
    }
  });

  it('answers 403 to every role the route’s @Roles leave out, lets the others past the gate, and 401 on worker routes', async () => {
    const personas = Object.entries(ROLE_PERSONAS);
    for (const route of routes.filter((r) => !r.isPublic || r.worker)) {
      const path = dummyPath(route);
      const results = await Promise.all(
        personas.map(async ([role, who]) => ({ role, who, res: await send(route.method, path, `Bearer ${actors.tokens[who]}`) })),
      );
      for (const { role, who, res } of results) {
        count('routeRoleChecks');
        const where = `${route.key} as ${who} (${role})`;
        expect([where, res.status >= 500]).toEqual([where, false]);
        if (route.worker) {
          // No person's login opens a worker route, whatever the role.
          expect([where, res.status]).toEqual([where, 401]);
          count('workerRouteDeniedToRole401');
        } else if (gateDenies(route, who)) {
          expect([where, res.status, res.body.code]).toEqual([where, 403, 'FORBIDDEN']);
          count('roleDenied403');
        } else {
          expect([where, res.status === 401]).toEqual([where, false]);
          count(route.roles ? 'roleAdmitted' : 'anyRoleAdmitted');
          if (res.status === 403) count('serviceLevel403');
        }
      }
    }
  });

  it('answers 浙江 on 江苏’s records exactly as on records that do not exist, and changes nothing', async () => {
    const before = await snapshot();
    const scoped = routes.filter((r) => SCOPES[r.key] && !isNone(SCOPES[r.key]));
    for (const route of scoped) {
      const scope = SCOPES[route.key] as RecordScope;
      const params = scope.params(f);
      const path = fillPath(route.path, params);
      const missingParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === 'name' ? v : randomUUID()]));
      const missingPath = fillPath(route.path, missingParams);
      const query = scope.query?.(f) ?? '';
      const missingQuery = scope.query?.(f, randomUUID()) ?? '';
      const call = (who: string, p: string, qs: string) =>
        scope.send
          ? scope.send(who, p, qs)
          : send(
              route.method,
              qs ? `${p}?${qs}` : p,
              `Bearer ${actors.tokens[who]}`,
              typeof scope.body === 'function' ? scope.body(f) : scope.body,
            );
      for (const who of ZHEJIANG) {
        const where = `${route.key} as ${who}`;
        const res = await call(who, path, query);
        count('scopeChecks');
        if (gateDenies(route, who)) {
          expect([where, res.status]).toEqual([where, 403]);
          count('scopeRoleDenied403');
        } else if (route.key === 'POST /api/tasks/batch-actions') {
          expect([where, res.status, res.body.succeeded]).toEqual([where, 200, 0]);
          for (const r of res.body.results) expect([where, r.code]).toEqual([where, 'NOT_FOUND']);
          count('scopeNotFound404');
        } else {
          expect([where, res.status, res.body.code]).toEqual([where, 404, 'NOT_FOUND']);
          count('scopeNotFound404');
        }
        // Same answer as for a record that does not exist: existence does not leak.
        const missing = await call(who, missingPath, missingQuery);
        expect([where, missing.status, missing.body.code]).toEqual([where, res.status, res.body.code]);
        count('sameAsMissing');
      }
      if (scope.owner && route.method === 'GET') {
        const own = await call(scope.owner, path, query);
        expect([`${route.key} as owner ${scope.owner}`, own.status]).toEqual([
          `${route.key} as owner ${scope.owner}`,
          scope.ownerStatus ?? 200,
        ]);
        count('ownerSees');
      }
    }
    count('scopedRoutes', scoped.length);
    expect(await snapshot()).toEqual(before);
  });

  it('lists nothing of 江苏’s to 浙江 on any list route', async () => {
    const secrets = [
      f.document.id,
      f.document.taskId,
      f.document.attachmentId,
      f.received.documentId,
      f.received.receiptId,
      f.received.taskId,
      f.approval.id,
      f.approval.instanceId,
      f.approval.taskId,
      f.filing.id,
      f.filing.attachmentId,
      f.dataRequest.id,
      f.dataRequest.attachmentId,
      f.project.id,
      f.project.attachmentId,
      f.system.id,
      f.archive.id,
      f.substitute.id,
      f.supervision.id,
    ];
    const lists = routes.filter((r) => r.method === 'GET' && !r.isPublic && !r.worker && pathParams(r.path).length === 0 && !SCOPES[r.key]);
    count('listRoutes', lists.length);
    const variants = (route: RouteInfo): string[] => {
      if (route.path === '/api/tasks') return ['view=todo', 'view=done', 'view=started', 'view=cc'];
      if (route.path === '/api/documents') return ['box=sent', 'box=received'];
      // 全局搜索 is a list over every kind: words from the titles of 江苏's records (each kind's own scope applies).
      if (route.path === '/api/search') return ['q=江苏省', 'q=测试', `q=${encodeURIComponent('测试 江苏')}&limit=50`];
      return [''];
    };
    for (const route of lists) {
      for (const who of ZHEJIANG) {
        for (const qs of variants(route)) {
          const res = await send('GET', qs ? `${route.path}?${qs}` : route.path, `Bearer ${actors.tokens[who]}`);
          count('listChecks');
          expect([route.key, who, res.status >= 500]).toEqual([route.key, who, false]);
          const leaked = secrets.filter((id) => JSON.stringify(res.body ?? {}).includes(id));
          expect([route.key, who, qs, leaked]).toEqual([route.key, who, qs, []]);
        }
      }
    }
    // The check can fail: 江苏's people do find their records in the same lists.
    const own = async (who: string, path: string, id: string) => {
      const res = await send('GET', path, `Bearer ${actors.tokens[who]}`);
      expect([path, JSON.stringify(res.body).includes(id)]).toEqual([path, true]);
      count('ownListsSeen');
    };
    await own('js.nigao', '/api/documents?box=sent', f.document.id);
    await own('js.shouwen', '/api/documents?box=received', f.received.documentId);
    await own('xw.shouli', '/api/approvals', f.approval.id);
    await own('xw.shouli', '/api/tasks?view=todo', f.approval.taskId);
    await own('js.nigao', '/api/filings', f.filing.id);
    await own('js.nigao', '/api/data-requests', f.dataRequest.id);
    await own('js.nigao', '/api/deployed-systems', f.system.id);
    await own('lina', '/api/projects', f.project.id);
    await own('linfang', '/api/archive', f.archive.id);
    await own('js.nigao', '/api/substitutes', f.substitute.id);
    await own('js.nigao', '/api/supervision', f.supervision.id);
    await own(jsNotice.username, '/api/me/notifications?order=newest&limit=100', jsNotice.link);
    await own('js.nigao', `/api/search?q=${encodeURIComponent('测试数据范围')}`, f.document.id);
    await own('js.nigao', `/api/search?q=${encodeURIComponent('测试规划')}`, f.filing.id);
  });

  it('holds the body contract: a field no contract names is refused on every JSON write, and a step takes only its declared variables', async () => {
    const before = await snapshot();
    // Bodies that are not JSON objects of a DTO: XML, files, or a Camunda REST body checked by its own rules.
    const notJson = new Set([
      'POST /api/process-definitions',
      'POST /api/process-definitions/validate',
      'POST /api/attachments',
      'POST /api/documents/:id/revisions/import-docx',
      'PUT /api/holidays/:day',
    ]);
    const writes = routes.filter((r) => !r.isPublic && !r.worker && ['POST', 'PUT'].includes(r.method) && !notJson.has(r.key));
    const failures: string[] = [];
    for (const route of writes) {
      const who = Object.values(ROLE_PERSONAS).find((p) => !gateDenies(route, p))!;
      const where = `${route.key} as ${who}`;
      const res = await send(route.method, dummyPath(route), `Bearer ${actors.tokens[who]}`, { zwNotInAnyContract: true });
      count('bodyContractChecks');
      if (res.status !== 400 || !JSON.stringify(res.body).includes('zwNotInAnyContract')) failures.push(`${where} ${res.status}`);
    }
    expect(failures).toEqual([]);
    // The task action's variables, by 江苏's own holder of the step: only what the step declares (here, nothing).
    const holder = 'xw.shencha';
    await actors.login(holder);
    for (const variables of [
      { cityUnit: f.nanjingUnitId },
      { approvalId: f.approval.id },
      { title: '改写' },
      { outcome: 'approve', returnTo: 'accept' },
    ]) {
      const res = await send('POST', `/api/tasks/${f.approval.taskId}/actions`, `Bearer ${actors.tokens[holder]}`, {
        action: 'approve',
        comment: '夹带变量',
        variables,
      });
      expect([Object.keys(variables)[0], res.status, res.body.code]).toEqual([Object.keys(variables)[0], 400, 'VARIABLE_NOT_ALLOWED']);
      count('stepContractChecks');
    }
    expect(await snapshot()).toEqual(before);
  });

  /** Every row the scoped calls could have changed, to prove the refused attempts changed nothing. */
  async function snapshot() {
    const ids = (...values: string[]) => values;
    const tables: [string, string[]][] = [
      ['documents', ids(f.document.id, f.received.documentId)],
      ['document_receipts', ids(f.received.receiptId)],
      ['approvals', ids(f.approval.id)],
      ['filings', ids(f.filing.id)],
      ['data_requests', ids(f.dataRequest.id)],
      ['projects', ids(f.project.id)],
      ['deployed_systems', ids(f.system.id)],
      ['tasks', ids(f.approval.taskId, f.document.taskId, f.received.taskId)],
      ['attachments', ids(f.document.attachmentId, f.filing.attachmentId, f.dataRequest.attachmentId, f.project.attachmentId)],
      ['substitutes', ids(f.substitute.id)],
      ['archive_packages', ids(f.archive.id)],
      ['supervision_items', ids(f.supervision.id)],
    ];
    const out: Record<string, unknown> = {};
    for (const [table, values] of tables) {
      out[table] = await actors.q(`SELECT to_jsonb(x) AS row FROM ${table} x WHERE id = ANY($1::uuid[]) ORDER BY id`, [values]);
    }
    // Nothing new attached to 江苏's records either (the refused uploads).
    out.attachedTo = await actors.q(
      `SELECT owner_id, count(*)::int AS n FROM attachments WHERE owner_id = ANY($1::uuid[]) GROUP BY owner_id ORDER BY owner_id`,
      [[f.document.id, f.filing.id, f.dataRequest.id, f.project.id]],
    );
    // Nor a revision of 江苏's 正文 (the refused saves, accepts and rejects).
    out.revisions = await actors.q(`SELECT to_jsonb(x) AS row FROM document_revisions x WHERE document_id = ANY($1::uuid[]) ORDER BY id`, [
      [f.document.id, f.received.documentId],
    ]);
    out.roles = await actors.q(`SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role`, [f.jsUserId]);
    out.actions = await actors.q(`SELECT count(*)::int AS n FROM task_actions`);
    out.checks = await actors.q(`SELECT count(*)::int AS n FROM archive_checks`);
    return out;
  }
});
