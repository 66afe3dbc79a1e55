import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHINESE, histogram, startLiveApi, type Answer, type LiveApi } from './live-api';
import { nestRoutes, type RouteInfo } from '../support/routes';
import { fieldsOf, type FieldInfo } from './routes';

/**
 * Property-based fuzzing of every route that takes a body or a query DTO, found in the running
 * application's own routing metadata (so a new endpoint is fuzzed without touching this file), as a
 * signed-in person holding the route's role. Whatever is thrown at it — any JSON, wrong types, huge
 * and odd Unicode strings, deep nesting, arrays, nulls, prototype-pollution keys, broken JSON — the
 * answer is never a 5xx, a 4xx is `{code, message}` in Chinese, and a rejected request leaves the
 * row counts of every business table exactly as they were.
 *
 * Deterministic: a fixed seed (FUZZ_SEED overrides it) and FUZZ_RUNS runs per route (25).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20260808);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
/** To reproduce one finding: FUZZ_ROUTE='POST /api/tasks/:id/actions' (a substring), FUZZ_LOG_LEVEL=error shows the server's side. */
const ONLY = process.env.FUZZ_ROUTE;

/** The person who acts for a role (first role of the route wins). */
const ACTOR_BY_ROLE: Record<string, string> = {
  drafter: 'lina',
  reviewer: 'yangfan',
  signer: 'zhangwei',
  clerk: 'zhaolei',
  'office-reviewer': 'chenjing',
  'group-member': 'wangjianguo',
  'group-secretary': 'zhoumin',
  'data-admin': 'huangli',
  'dept-approver': 'wufang',
  archivist: 'linfang',
  sysadmin: 'admin',
  secadmin: 'secadmin',
  auditor: 'auditor',
};
/** Routes whose natural actor is someone more specific than their role's first holder. */
const ACTOR_BY_PATH: [RegExp, string][] = [
  [/^\/api\/approvals/, 'xw.shouli'], // 受理 is at a county window
  [/^\/api\/filings/, 'js.nigao'], // provinces file
  // A password change that fails repeatedly locks the account: a person of its own.
  [/^\/api\/auth\/password$/, 'guoqiang'],
];

/**
 * Exceptions, each with its reason:
 * - engine-rest answers errors in Camunda 7's shape `{type, message}` (camunda-external-task-client-js reads it), not `{code, message}`;
 *   its messages are English, as Camunda's are.
 * - POST /api/process-definitions reads raw BPMN XML through @Req (no body DTO): fuzzed below with arbitrary text as application/xml.
 * - POST /api/attachments: its multipart file part is not fuzzed here (only its query); uploads have their own spec.
 * - routes whose only input is the path (GET by id, DELETE, sign, check, …) get only their path parameters fuzzed (half the runs);
 *   routes with no input at all (GET /api/dashboard, POST /api/auth/refresh and logout, which read a cookie, …) are listed, not fuzzed.
 * - the 4xx of engine-rest are not asked to be in Chinese; everything else's are.
 */
const CAMUNDA_SHAPE = /^\/engine-rest\//;
/** Fields of the routes that take an untyped body (no DTO to read them from): Camunda's external-task REST. */
const UNTYPED_FIELDS: [RegExp, FieldInfo[]][] = [
  [
    /^\/engine-rest\//,
    [
      { name: 'workerId', samples: ['fuzz-worker', 'other-worker'] },
      {
        name: 'topics',
        optional: true,
        samples: [[{ topicName: 'document-render', lockDuration: 60_000 }], [{ topicName: 'archive', lockDuration: 1_000 }], []],
      },
      { name: 'maxTasks', optional: true, integer: true, min: 1, max: 10 },
      { name: 'usePriority', optional: true, boolean: true },
      // asyncResponseTimeout left out: a valid long poll would (correctly) hold the request open.
      {
        name: 'variables',
        optional: true,
        samples: [
          {},
          { n: { value: 1, type: 'Integer' } },
          { s: { value: '文', type: 'String' } },
          { j: { value: '{"a":1}', type: 'Json' } },
        ],
      },
      { name: 'localVariables', optional: true, samples: [{}] },
      { name: 'errorMessage', optional: true, maxLength: 200 },
      { name: 'errorDetails', optional: true, maxLength: 200 },
      { name: 'retries', optional: true, integer: true, min: 0, max: 5 },
      { name: 'retryTimeout', optional: true, integer: true, min: 0, max: 1000 },
      { name: 'errorCode', optional: true, samples: ['RENDER_FAILED', 'x'] },
      { name: 'newDuration', optional: true, integer: true, min: 1, max: 60_000 },
      { name: 'lockDuration', optional: true, integer: true, min: 1, max: 60_000 },
      // POST /engine-rest/message and /signal: names nothing waits for, so a fuzzed message never moves the cases above.
      { name: 'messageName', optional: true, samples: ['nobody-listens', 'x'] },
      { name: 'name', optional: true, samples: ['no-such-signal', 'y'] },
      { name: 'businessKey', optional: true, maxLength: 50 },
      { name: 'processInstanceId', optional: true, uuid: true },
      {
        name: 'processVariables',
        optional: true,
        samples: [{}, { d: { value: '2026-11-24T08:00:00.000+0800', type: 'Date' } }, { x: { value: 2, type: 'Double' } }],
      },
      { name: 'correlationKeys', optional: true, samples: [{}, { n: { value: 1, type: 'Integer' } }] },
      { name: 'all', optional: true, boolean: true },
      { name: 'resultEnabled', optional: true, boolean: true },
      { name: 'variablesInResultEnabled', optional: true, boolean: true },
    ],
  ],
];
/** Tables a background job may write at any time, or that record the attempt itself (sessions, the audit trail). */
const NOT_COUNTED = new Set([
  'audit_log',
  'audit_checkpoints',
  'sessions',
  'demo_seeds',
  'task_overdue_notices',
  'archive_checks',
  'archive_alerts',
  'migrations',
]);

/** Where a route's path parameter can find real ids, so a fuzzed body reaches the service behind the validation. */
const ID_SOURCES: [RegExp, string][] = [
  [/^\/api\/tasks\/:id/, `SELECT id::text FROM tasks WHERE status = 'open' ORDER BY created_at DESC, activity_id LIMIT 5`],
  [
    /^\/api\/documents\/receipts\//,
    `SELECT r.id::text FROM document_receipts r JOIN units u ON u.id = r.unit_id ORDER BY r.delivered_at, u.code LIMIT 5`,
  ],
  [/^\/api\/documents\/:id/, `SELECT id::text FROM documents ORDER BY created_at DESC LIMIT 5`],
  [/^\/api\/worker\/documents\//, `SELECT id::text FROM documents ORDER BY created_at DESC LIMIT 5`],
  [/^\/api\/filings\//, `SELECT id::text FROM filings ORDER BY created_at LIMIT 5`],
  [/^\/api\/data-requests\//, `SELECT id::text FROM data_requests ORDER BY created_at LIMIT 5`],
  [/^\/api\/projects\//, `SELECT id::text FROM projects ORDER BY created_at LIMIT 5`],
  [/^\/api\/deployed-systems\//, `SELECT id::text FROM deployed_systems ORDER BY created_at LIMIT 5`],
  [/^\/api\/approvals\//, `SELECT id::text FROM approvals ORDER BY case_no LIMIT 5`],
  // Never the people the fuzzer acts as: a fuzzed role change must not take away their own roles.
  [/^\/api\/org\/users\//, `SELECT id::text FROM users WHERE username IN ('maqiang', 'nj.shenhe', 'hz.shenhe') ORDER BY username`],
  [/^\/api\/external-tasks\//, `SELECT id::text FROM external_tasks ORDER BY created_at, activity_id LIMIT 5`],
  [/^\/engine-rest\/external-task\//, `SELECT id::text FROM external_tasks ORDER BY created_at, activity_id LIMIT 5`],
  [/^\/engine-rest\/(execution|process-instance)\//, `SELECT id::text FROM process_instances ORDER BY started_at, definition_key LIMIT 5`],
  [/^\/api\/worker\/outbox\//, `SELECT id::text FROM outbox ORDER BY id DESC LIMIT 5`],
  [/^\/api\/(worker\/archive|process-instances)\//, `SELECT id::text FROM process_instances ORDER BY started_at, definition_key LIMIT 5`],
  [/^\/api\/archive\/:id/, `SELECT id::text FROM archive_packages ORDER BY archived_at LIMIT 5`],
  [/^\/api\/holidays\//, `SELECT to_char(day, 'YYYY-MM-DD') AS id FROM holidays ORDER BY day LIMIT 5`],
];

/** encodeURIComponent, with lone surrogates (which it cannot encode) sent as U+FFFD. */
const enc = (s: string): string =>
  encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

interface FuzzCase {
  pathValues: string[];
  /** JSON value to send, or raw text with its content type. */
  body?: { json: unknown } | { raw: string; contentType: string };
  query?: string;
}

interface Failure {
  route: string;
  seed: number;
  /** fast-check's replay path of the failing run. */
  path: string;
  counterexample: string;
  error: string;
}

describe('fuzzing every body and query DTO (fast-check)', () => {
  const TOKEN = 'fuzz-worker-token-0123456789';
  let api: LiveApi;
  let archiveDir: string;
  let routes: RouteInfo[];
  const tokens: Record<string, string> = {};
  let knownIds: string[] = [];
  let idPools: Record<string, string[]> = {};
  let tables: string[] = [];
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    archiveDir = mkdtempSync(join(tmpdir(), 'zhengwu-fuzz-archive-'));
    api = await startLiveApi({ WORKER_TOKEN: TOKEN, ARCHIVE_DIR: archiveDir, LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent' });
    // Path, then method: the order the fuzzer has always walked them in.
    routes = nestRoutes(api.t.app).sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    const people = new Set([...Object.values(ACTOR_BY_ROLE), ...ACTOR_BY_PATH.map(([, who]) => who)]);
    for (const who of people) tokens[who] = await api.t.login(who);
    // Something to act on: a document at 核稿 (a task for yangfan), one at 拟稿 (a task for lina), one signed (its 排版 waits).
    const [unit] = await api.q(`SELECT id FROM units WHERE code = '320000'`);
    const plan: [string, string[]][] = [
      ['关于模糊测试的通知', ['lina']],
      ['关于模糊测试的第二份通知', []],
      ['关于模糊测试的第三份通知', ['lina', 'yangfan', 'zhangwei']],
    ];
    for (const [title, steps] of plan) {
      const res = await api.send('POST', '/api/documents', {
        token: tokens.lina,
        body: { docType: '通知', title, body: '正文', mainRecipients: [unit.id] },
      });
      expect(res.status).toBe(201);
      for (const who of steps) {
        const [task] = await api.q(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [res.body.instanceId]);
        const done = await api.send('POST', `/api/tasks/${task.id}/actions`, { token: tokens[who], body: { action: 'approve' } });
        expect(done.status).toBe(200);
      }
    }
    // The engine-rest routes get a real external task to work on.
    expect(await api.q(`SELECT topic FROM external_tasks WHERE status = 'open'`)).toEqual([{ topic: 'document-render' }]);
    const pool = async (sql: string): Promise<string[]> => (await api.q(sql)).map((r: { id: string }) => r.id);
    idPools = {
      unit: await pool(`SELECT id::text AS id FROM units ORDER BY depth, code LIMIT 12`),
      user: await pool(
        `SELECT id::text AS id FROM users WHERE username NOT IN ('admin', 'secadmin', 'auditor') ORDER BY username LIMIT 12`,
      ),
      task: await pool(`SELECT id::text AS id FROM tasks ORDER BY created_at DESC, activity_id LIMIT 6`),
      dataset: await pool(`SELECT id::text AS id FROM datasets ORDER BY code LIMIT 6`),
      project: await pool(`SELECT id::text AS id FROM projects ORDER BY created_at LIMIT 6`),
      key: await pool(`SELECT DISTINCT key AS id FROM process_definitions ORDER BY key`),
    };
    knownIds = [...idPools.unit, ...idPools.user, ...idPools.task, ...idPools.dataset, ...idPools.project];
    tables = (await api.q(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`))
      .map((r: { tablename: string }) => r.tablename)
      .filter((name: string) => !NOT_COUNTED.has(name));
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    if (archiveDir) rmSync(archiveDir, { recursive: true, force: true });
  });

  const counts = async (): Promise<Record<string, number>> => {
    const [row] = await api.q(`SELECT ${tables.map((t) => `(SELECT count(*)::int FROM "${t}") AS "${t}"`).join(', ')}`);
    return row;
  };
  const actorOf = (route: RouteInfo): string | undefined => {
    if (route.worker || route.isPublic) return undefined;
    const byPath = ACTOR_BY_PATH.find(([re]) => re.test(route.path));
    if (byPath) return byPath[1];
    return route.roles?.length ? ACTOR_BY_ROLE[route.roles[0]] : 'lina';
  };

  // ---- generators -----------------------------------------------------------------------------

  const ODD_STRINGS = [
    '',
    ' ',
    '\u0000',
    '\uFEFF\u200B\u202E',
    '\uD800',
    '𠀀𠀁𪚥😀👨‍👩‍👧',
    'ñ\u0301',
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '%_\\',
    '${7*7}',
    '{{7*7}}',
    '#{nrOfApproved}',
    '../../../etc/passwd',
    '<script>alert(1)</script>',
    '2026-02-30',
    '0000-00-00',
    '9999-12-31T23:59:59Z',
    '1e309',
    'NaN',
    '-1',
    '99999999999999999999999',
    'true',
    'null',
    '__proto__',
    'constructor',
    'toString',
  ];
  const HUGE = ['长'.repeat(100_001), 'x'.repeat(300_000), '😀'.repeat(20_000)];
  const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];

  const scalar = (): fc.Arbitrary<unknown> =>
    fc.oneof(
      fc.constantFrom(...ODD_STRINGS),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.integer(),
      fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, 2000, 2100, 1999, 2101),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.uuid(),
      fc.constantFrom(...(knownIds.length ? knownIds : ['00000000-0000-0000-0000-000000000000'])),
    );
  const hostile = (): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 6, arbitrary: scalar() },
      { weight: 2, arbitrary: fc.array(scalar(), { maxLength: 6 }) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...POLLUTION_KEYS, 'a', 'isAdmin'), scalar(), { maxKeys: 3 }) },
      { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...knownIds, 'x'), { minLength: 0, maxLength: 250 }) },
    );
  /** Real ids of the kind a field names (units for recipients, people for substitutes, …), else any known id. */
  const idsFor = (name: string): string[] => {
    const kind = /unit|recipient|countersign/i.test(name)
      ? 'unit'
      : /user|substitute|target|handler/i.test(name)
        ? 'user'
        : /task/i.test(name)
          ? 'task'
          : /dataset/i.test(name)
            ? 'dataset'
            : /project/i.test(name)
              ? 'project'
              : '';
    const ids = idPools[kind] ?? [];
    return ids.length ? ids : knownIds;
  };
  const SAMPLES = ['025-86658000', 'worker-1', '<m1@zhengwu.local>', '320000', '2026-03-02', '2026-12-31', 'a1', 'js.newuser', 'GHS'];
  /** A value that satisfies the field's own constraints as far as they are known, so the request gets past validation. */
  const plausible = (f: FieldInfo): fc.Arbitrary<unknown> => {
    if (f.samples?.length) return fc.constantFrom(...f.samples);
    if (f.enumValues?.length)
      return f.array ? fc.uniqueArray(fc.constantFrom(...f.enumValues), { minLength: 1, maxLength: 3 }) : fc.constantFrom(...f.enumValues);
    if (f.uuid) {
      const ids = idsFor(f.name);
      return f.each || f.array ? fc.uniqueArray(fc.constantFrom(...ids), { minLength: 1, maxLength: 3 }) : fc.constantFrom(...ids);
    }
    if (f.email) {
      const email = fc.constantFrom('a@example.gov.cn', 'lina@mlr.example.gov.cn', '测试@例子.中国');
      return f.each || f.array ? fc.array(email, { minLength: 1, maxLength: 3 }) : email;
    }
    if (f.name === 'key' && idPools.key?.length) return fc.constantFrom(...idPools.key);
    if (f.boolean) return fc.boolean();
    if (f.object)
      return fc.dictionary(fc.constantFrom('title', 'docType', 'handler', 'outcome', 'nrOfApproved', ...POLLUTION_KEYS), scalar(), {
        maxKeys: 4,
      });
    if (f.integer || f.number || f.min !== undefined || f.max !== undefined) {
      const min = f.min ?? 0;
      const max = f.max ?? Math.max(min + 10, 100);
      const whole = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      return f.integer
        ? fc.oneof(whole, fc.constantFrom(Math.ceil(min), Math.floor(max)))
        : fc.oneof(whole, fc.constantFrom(min, max, 1.5, 12.25));
    }
    if (f.date) return fc.constantFrom('2026-01-01', '2026-12-31', '2027-06-30T08:00:00Z');
    if (f.pattern) {
      const matching = SAMPLES.filter((x) => f.pattern!.test(x));
      return matching.length ? fc.oneof(fc.constantFrom(...matching), fc.stringMatching(f.pattern)) : fc.stringMatching(f.pattern);
    }
    const minLength = f.minLength ?? 1;
    const maxLength = Math.max(minLength, f.maxLength ?? 60);
    const phrases = ['关于开展模糊测试的通知', '同意', '𠀀𠀁𪚥😀', '<b>粗体</b>', "O'Brien; --"].filter(
      (x) => x.length >= minLength && x.length <= maxLength,
    );
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, minLength + 40) }),
      fc.constant('测'.repeat(maxLength)),
      ...(phrases.length ? [fc.constantFrom(...phrases)] : []),
    );
    return f.array ? fc.array(text, { maxLength: 3 }) : text;
  };
  /**
   * An object shaped like the DTO, in one of three ways: every required field (and some optional ones) plausible, so the
   * service behind the validation runs; the same with one field made hostile; or a few fields, mostly hostile. Now and
   * then a prototype-pollution key or an unknown field is added.
   */
  const shaped = (fields: string[], infos: FieldInfo[]): fc.Arbitrary<Record<string, unknown>> => {
    const info = (k: string): FieldInfo => infos.find((i) => i.name === k) ?? { name: k };
    const required = fields.filter((k) => !info(k).optional);
    const optional = fields.filter((k) => info(k).optional);
    return fc
      .tuple(
        fc.constantFrom('valid', 'one-off', 'one-off', 'subset'),
        fc.subarray(optional),
        fc.uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: fields.length }),
        fc.nat(),
        fc.oneof(
          { weight: 5, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...POLLUTION_KEYS, 'unknownField', 'roles', 'isAdmin'), hostile()) },
        ),
      )
      .chain(([mode, someOptional, subset, pick, extra]) => {
        const keys = mode === 'subset' ? subset : [...required, ...someOptional];
        const spoiled = mode === 'one-off' && keys.length ? keys[pick % keys.length] : undefined;
        return fc
          .tuple(
            ...keys.map((k) =>
              mode === 'subset'
                ? fc.oneof({ weight: 1, arbitrary: plausible(info(k)) }, { weight: 3, arbitrary: hostile() })
                : k === spoiled
                  ? hostile()
                  : plausible(info(k)),
            ),
          )
          .map((values) => {
            const out: Record<string, unknown> = {};
            // defineProperty: a key named __proto__ becomes an own property that JSON.stringify sends.
            const put = (k: string, v: unknown) =>
              Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
            keys.forEach((k, i) => put(k, values[i]));
            if (extra && mode !== 'valid') put(extra[0], extra[1]);
            return out;
          });
      });
  };
  const RAW_BODIES: fc.Arbitrary<{ raw: string; contentType: string }> = fc.oneof(
    fc.string({ maxLength: 40 }).map((raw) => ({ raw, contentType: 'application/json' })),
    fc
      .constantFrom(
        '{"a":',
        '{"__proto__":{"polluted":"yes","roles":["sysadmin"],"isAdmin":true}}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
        '[{"__proto__":{"polluted":"yes"}}]',
        'null',
        '"text"',
        '12',
        '{"a":1,"a":2}',
        '\uFEFF{}',
        `{"a":"${'\\ud800'}"}`,
      )
      .map((raw) => ({ raw, contentType: 'application/json' })),
    fc
      .constantFrom(3_000, 20_000)
      .map((depth) => ({ raw: `${'{"variables":'.repeat(depth)}{}${'}'.repeat(depth)}`, contentType: 'application/json' })),
    fc.constantFrom(5_000, 50_000).map((depth) => ({ raw: `${'['.repeat(depth)}${']'.repeat(depth)}`, contentType: 'application/json' })),
    // Over the 2 MB limit.
    fc.constant({ raw: JSON.stringify({ body: 'x'.repeat(2_200_000) }), contentType: 'application/json' }),
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
      )
      .map((contentType) => ({ raw: 'a=1&b=2', contentType })),
  );
  const pathValue = (route: RouteInfo, ids: string[]): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: ids.length ? 6 : 0, arbitrary: fc.constantFrom(...(ids.length ? ids : ['x'])).map(encodeURIComponent) },
      { weight: 2, arbitrary: fc.uuid() },
      {
        weight: 2,
        arbitrary: fc
          .oneof(fc.constantFrom(...ODD_STRINGS.filter(Boolean)), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }))
          .map(encodeURIComponent),
      },
      { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2e%2e%2f', '1%2F2') },
    );
  const queryString = (fields: string[], infos: FieldInfo[]): fc.Arbitrary<string> =>
    fc
      .array(
        fc.tuple(
          fc.oneof(
            { weight: 8, arbitrary: fc.constantFrom(...(fields.length ? fields : ['q'])) },
            { weight: 1, arbitrary: fc.constantFrom(...POLLUTION_KEYS, 'a[b]', 'limit[]', 'x') },
          ),
          fc.oneof(
            fc.constantFrom(...ODD_STRINGS),
            fc.string({ unit: 'grapheme', maxLength: 30 }),
            fc.integer().map(String),
            fc.constantFrom(...infos.flatMap((i) => i.enumValues ?? []).map(String), '2026', '0', '-5', '201', '1.5', '1e3', '0x10'),
            fc.constant('长'.repeat(3_000)),
          ),
        ),
        { maxLength: 6 },
      )
      .map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&'));

  const caseFor = (route: RouteInfo, ids: string[]): fc.Arbitrary<FuzzCase> => {
    const body = route.inputs.filter((i) => i.source === 'body');
    const query = route.inputs.filter((i) => i.source === 'query');
    const untyped = UNTYPED_FIELDS.find(([re]) => re.test(route.path))?.[1] ?? [];
    const declared = body.flatMap((i) => (i.key ? [{ name: i.key }] : fieldsOf(i.type)));
    const bodyInfos = declared.length ? declared : untyped;
    const bodyFields = bodyInfos.map((f) => f.name);
    const queryInfos = query.flatMap((i) => (i.key ? [{ name: i.key }] : fieldsOf(i.type)));
    const bodyArb: fc.Arbitrary<FuzzCase['body']> = body.length
      ? fc.oneof(
          { weight: 5, arbitrary: (bodyFields.length ? shaped(bodyFields, bodyInfos) : fc.object()).map((json) => ({ json })) },
          { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json })) },
          { weight: 2, arbitrary: RAW_BODIES },
        )
      : fc.constant(undefined);
    const queryArb: fc.Arbitrary<string | undefined> = query.length
      ? queryString(
          queryInfos.map((f) => f.name),
          queryInfos,
        )
      : fc.constant(undefined);
    return fc.record({
      pathValues: fc.tuple(...route.params.map(() => pathValue(route, ids))),
      body: bodyArb,
      query: queryArb,
    }) as fc.Arbitrary<FuzzCase>;
  };

  const urlOf = (route: RouteInfo, c: FuzzCase): string => {
    let i = 0;
    const path = route.path.replace(/:[A-Za-z]+/g, () => c.pathValues[i++]);
    return c.query ? `${path}?${c.query}` : path;
  };
  const describeCase = (route: RouteInfo, c: FuzzCase): string => {
    const body = c.body === undefined ? '' : 'json' in c.body ? JSON.stringify(c.body.json) : `${c.body.contentType} ${c.body.raw}`;
    const text = `${route.method} ${urlOf(route, c)} ${body}`;
    return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
  };

  it('answers every fuzzed request below 500, with {code, message}, and writes nothing when it refuses', async () => {
    const started = Date.now();
    // The route table the server really serves equals the one read from the metadata: nothing is missed.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- express's router internals
    const router = (api.t.app.getHttpAdapter().getInstance() as any).router as { stack: { route?: { path: string; methods: object } }[] };
    const live = router.stack
      .filter((l) => l.route && Object.keys(l.route.methods).length === 1 && !l.route.path.startsWith('/api/docs'))
      .map((l) => `${Object.keys(l.route!.methods)[0].toUpperCase()} ${l.route!.path}`);
    expect([...new Set(live)].sort()).toEqual([...new Set(routes.map((r) => `${r.method} ${r.path}`))].sort());

    // Routes with a body or query DTO get the full treatment; routes whose only input is the path get their ids fuzzed.
    const targets = routes.filter((r) => (r.inputs.length > 0 || r.params.length > 0) && (!ONLY || `${r.method} ${r.path}`.includes(ONLY)));
    const withDto = targets.filter((r) => r.inputs.length > 0).length;
    const skipped = routes.filter((r) => r.inputs.length === 0 && r.params.length === 0).map((r) => `${r.method} ${r.path}`);
    if (!ONLY) expect(withDto).toBeGreaterThanOrEqual(50);

    const statuses: number[] = [];
    const failures: Failure[] = [];
    let accepted = 0;
    let pollutionAttempts = 0;
    let halfWritten = 0;
    let refused = 0;
    const perRoute: string[] = [];
    for (const route of targets) {
      const source = ID_SOURCES.find(([re]) => re.test(route.path));
      const ids: string[] = source ? (await api.q(source[1])).map((r: { id: string }) => r.id) : [];
      const actor = actorOf(route);
      const token = route.worker ? TOKEN : actor ? tokens[actor] : undefined;
      const mine: number[] = [];
      const property = fc.asyncProperty(caseFor(route, ids), async (c) => {
        const before = await counts();
        let answer: Answer;
        const body = c.body === undefined ? undefined : 'json' in c.body ? { raw: JSON.stringify(c.body.json) ?? 'null' } : c.body;
        const options = { token, ...body };
        if (/"(__proto__|constructor|prototype)"|(^|&)(__proto__|constructor|prototype)=/.test(`${body?.raw ?? ''} ${c.query ?? ''}`))
          pollutionAttempts += 1;
        try {
          answer = await api.send(route.method, urlOf(route, c), options);
        } catch (error) {
          throw new Error(`no answer: ${(error as Error).message}`);
        }
        statuses.push(answer.status);
        mine.push(answer.status);
        if (process.env.FUZZ_VERBOSE)
          console.log(`${answer.status} ${describeCase(route, c).slice(0, 300)} → ${answer.text.slice(0, 300)}`);
        if (answer.status >= 500) throw new Error(`answered ${answer.status}: ${answer.text.slice(0, 300)}`);
        if (answer.status < 400) {
          accepted += 1;
          return;
        }
        refused += 1;
        if (CAMUNDA_SHAPE.test(route.path)) {
          if (typeof answer.body?.type !== 'string' || typeof answer.body?.message !== 'string')
            throw new Error(`${answer.status} without Camunda's {type, message}: ${answer.text.slice(0, 300)}`);
        } else {
          if (typeof answer.body?.code !== 'string' || typeof answer.body?.message !== 'string')
            throw new Error(`${answer.status} without {code, message}: ${answer.text.slice(0, 300)}`);
          if (!CHINESE.test(answer.body.message)) throw new Error(`${answer.status} message not in Chinese: ${answer.body.message}`);
        }
        const after = await counts();
        const changed = tables.filter((t) => before[t] !== after[t]).map((t) => `${t} ${before[t]}→${after[t]}`);
        if (changed.length) {
          halfWritten += 1;
          throw new Error(`refused with ${answer.status} but wrote rows: ${changed.join(', ')}`);
        }
      });
      const numRuns = route.inputs.length > 0 ? RUNS : Math.ceil(RUNS / 2);
      const details = await fc.check(property, { seed: SEED, numRuns, endOnFailure: true });
      perRoute.push(`${route.method} ${route.path}=${JSON.stringify(histogram(mine))}`);
      if (details.failed) {
        const c = details.counterexample?.[0] as FuzzCase | undefined;
        failures.push({
          route: `${route.method} ${route.path}`,
          seed: SEED,
          path: details.counterexamplePath ?? '',
          counterexample: c ? describeCase(route, c) : '?',
          error: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
        });
      }
    }
    // No request polluted the prototype of the api's own process (it runs in this one).
    const prototypeNow = Object.getOwnPropertyNames(Object.prototype).sort();
    const polluted =
      JSON.stringify(prototypeNow) !== JSON.stringify(prototypeKeys) || ({} as Record<string, unknown>).polluted !== undefined;
    if (failures.length) {
      console.log(
        `fuzz failures (seed ${SEED}; rerun with FUZZ_SEED=${SEED}):\n` +
          failures.map((f) => `- ${f.route} (run ${f.path})\n    ${f.error}\n    e.g. ${f.counterexample}`).join('\n'),
      );
    }
    console.log(`fuzz per route: ${perRoute.join('; ')}\nnot fuzzed (no path, body or query input): ${skipped.join(', ')}`);
    console.log(
      `RELIABILITY: fuzz/dto seed=${SEED} routes=${targets.length} (with body/query DTO ${withDto}, path-only ${targets.length - withDto}) ` +
        `runs-per-route=${RUNS}/${Math.ceil(RUNS / 2)} requests=${statuses.length} ` +
        `statuses=${JSON.stringify(histogram(statuses))} accepted=${accepted} refused=${refused} 5xx=${statuses.filter((s) => s >= 500).length} ` +
        `half-written=${halfWritten} prototype-pollution-attempts=${pollutionAttempts} prototype-polluted=${polluted ? 'YES' : 'no'} failures=${failures.length} ` +
        `not-fuzzed(no input at all)=${skipped.length} ms=${Date.now() - started}`,
    );
    expect(failures).toEqual([]);
    expect(prototypeNow).toEqual(prototypeKeys);
    expect(polluted).toBe(false);
  }, 240_000);

  it('answers arbitrary text as BPMN XML (the one body read outside a DTO) below 500, deploying nothing', async () => {
    const started = Date.now();
    const statuses: number[] = [];
    const xmlish = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.constantFrom(
        '<?xml version="1.0"?><definitions/>',
        // A lone start event is a process Camunda (and we) deploy; two none starts are not.
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" isExecutable="true"><startEvent id="s"/><startEvent id="s2"/></process></definitions>',
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><definitions>&e;</definitions>',
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="__proto__" isExecutable="true"/></definitions>',
        `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`,
        '<definitions><process id="p"><scriptTask id="t"><script>process.exit(1)</script></scriptTask></process></definitions>',
      ),
    );
    const before = (await api.q(`SELECT count(*)::int AS n FROM process_definitions`))[0].n;
    const details = await fc.check(
      fc.asyncProperty(xmlish, async (xml) => {
        const answer = await api.send('POST', '/api/process-definitions', {
          token: tokens.admin,
          raw: xml,
          contentType: 'application/xml',
        });
        statuses.push(answer.status);
        if (answer.status >= 500) throw new Error(`answered ${answer.status}: ${answer.text.slice(0, 300)}`);
        if (answer.status >= 400 && (typeof answer.body?.code !== 'string' || !CHINESE.test(answer.body?.message ?? '')))
          throw new Error(`${answer.status} without a Chinese {code, message}: ${answer.text.slice(0, 300)}`);
      }),
      { seed: SEED, numRuns: RUNS * 2, endOnFailure: true },
    );
    if (details.failed)
      console.log(`fuzz failure (seed ${SEED}): ${String(details.errorInstance)} for ${JSON.stringify(details.counterexample)}`);
    expect(details.failed).toBe(false);
    expect(statuses.every((s) => s >= 400)).toBe(true);
    expect((await api.q(`SELECT count(*)::int AS n FROM process_definitions`))[0].n).toBe(before);
    console.log(
      `RELIABILITY: fuzz/bpmn-xml seed=${SEED} requests=${statuses.length} statuses=${JSON.stringify(histogram(statuses))} deployed=0 ms=${Date.now() - started}`,
    );
  }, 120_000);
});
