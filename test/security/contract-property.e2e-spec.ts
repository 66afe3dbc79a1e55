import fc from 'fast-check';
import { createTestApp, type TestApp } from '../support/test-app';
import { Actors, WORKER_TOKEN, dataRequestBody, datasetIds, projectBody, renderAsWorker, type Rows } from './fixture';

/**
 * The step contract as a property (issue 14): for every process and every step a case of it passes, an action
 * carrying variables outside the step's contract, or its own fields mistyped, is refused with 400 naming the field,
 * and leaves the case's variables, state, tasks, history, audit trail and business record byte-for-byte as they were.
 * Each case is walked by the people who may hold its steps, found the way the inbox finds them.
 */

/** Names an attacker would reach for: the routing, identity and result variables of our diagrams. */
const TEMPTING = [
  'approvalId',
  'caseNo',
  'title',
  'matterType',
  'countyUnit',
  'cityUnit',
  'provinceUnit',
  'acceptor',
  'needsCountersign',
  'countersignUnits',
  'countersignDisagreed',
  'ownerUnits',
  'consultObjected',
  'drafter',
  'signer',
  'docNumber',
  'kind',
  'voters',
  'voteResult',
  'votesApprove',
  'submitter',
  'applicant',
  'requestId',
  'filingId',
  'filingNo',
  'outcome',
  'returnTo',
  'officialPdf',
  'constructor',
  'toString',
  '__proto__',
];

const anyValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.uuid(),
  fc.array(fc.uuid(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

interface Field {
  id: string;
  type: string;
}

/** A value no field of this type accepts (never empty: an empty value means "not given"). */
function wrongFor(field: Field): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'boolean':
      return fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer(), fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }));
    case 'long':
    case 'double':
      return fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.boolean(), fc.constant(Number.MAX_VALUE));
    case 'date':
      return fc.oneof(
        fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^\d{4}-\d{2}-\d{2}/.test(s)),
        fc.integer(),
        fc.boolean(),
      );
    default:
      // Strings: another type, or text that is not what the field's format wants.
      return fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.array(fc.string(), { minLength: 1, maxLength: 2 }),
        fc.string({ minLength: 5001, maxLength: 5100 }),
      );
  }
}

function hostile(fields: Field[]): fc.Arbitrary<Record<string, unknown>> {
  const declared = new Set(fields.map((f) => f.id));
  const names = fc.oneof(fc.constantFrom(...TEMPTING), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/));
  const extra = fc.dictionary(names, anyValue, { minKeys: 1, maxKeys: 4 }).filter((d) => Object.keys(d).some((k) => !declared.has(k)));
  if (fields.length === 0) return extra;
  const mistyped = fc.oneof(...fields.map((f) => wrongFor(f).map((v) => ({ [f.id]: v }))));
  return fc.oneof(
    extra,
    mistyped,
    fc.tuple(extra, mistyped).map(([x, m]) => ({ ...x, ...m })),
  );
}

describe('every step refuses variables outside its contract and changes nothing', () => {
  let t: TestApp;
  let a: Actors;
  const steps: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN });
    a = new Actors(t);
  });
  afterAll(() => t.close());

  const snapshot = async (instanceId: string): Promise<string> => {
    const rows: Rows = await a.q(
      `SELECT (SELECT to_jsonb(i) FROM process_instances i WHERE i.id = $1) AS instance,
              (SELECT jsonb_agg(to_jsonb(x) ORDER BY x.id) FROM tasks x WHERE x.instance_id = $1) AS tasks,
              (SELECT jsonb_agg(to_jsonb(x) ORDER BY x.id) FROM task_actions x WHERE x.instance_id = $1) AS actions,
              (SELECT jsonb_agg(to_jsonb(x) ORDER BY x.id) FROM task_signers x JOIN tasks k ON k.id = x.task_id WHERE k.instance_id = $1) AS signers,
              (SELECT jsonb_agg(to_jsonb(x) ORDER BY x.id) FROM timers x WHERE x.instance_id = $1) AS timers,
              (SELECT count(*) FROM audit_log x WHERE x.detail->>'instanceId' = $1::text) AS audit,
              (SELECT jsonb_agg(to_jsonb(x)) FROM documents x WHERE x.instance_id = $1) AS documents,
              (SELECT jsonb_agg(to_jsonb(x)) FROM document_receipts x WHERE x.instance_id = $1) AS receipts,
              (SELECT jsonb_agg(to_jsonb(x)) FROM approvals x WHERE x.instance_id = $1) AS approvals,
              (SELECT jsonb_agg(to_jsonb(l) ORDER BY l.seq) FROM approval_levels l JOIN approvals x ON x.id = l.approval_id WHERE x.instance_id = $1) AS levels,
              (SELECT jsonb_agg(to_jsonb(x)) FROM projects x WHERE x.instance_id = $1) AS projects,
              (SELECT jsonb_agg(to_jsonb(x) ORDER BY x.voter_id) FROM project_votes x WHERE x.instance_id = $1) AS votes,
              (SELECT jsonb_agg(to_jsonb(x)) FROM filings x WHERE x.instance_id = $1) AS filings,
              (SELECT jsonb_agg(to_jsonb(x)) FROM data_requests x WHERE x.instance_id = $1) AS requests`,
      [instanceId],
    );
    return JSON.stringify(rows[0]);
  };

  /** Someone who may decide the task now, found as the inbox would: its assignee, else a candidate it offers 同意. */
  const holderOf = async (taskId: string): Promise<string> => {
    const people: Rows = await a.q(
      `SELECT u.username FROM tasks t JOIN users u ON u.is_active AND (
          u.id::text = t.assignee
          OR (t.assignee IS NULL AND u.id::text = ANY(t.candidate_users))
          OR (t.assignee IS NULL AND u.unit_id = ANY(CASE WHEN cardinality(t.candidate_units) > 0 THEN t.candidate_units ELSE ARRAY[t.owner_unit_id] END)
              AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ANY(t.candidate_groups))))
        WHERE t.id = $1 AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('sysadmin','secadmin','auditor'))
        ORDER BY u.username`,
      [taskId],
    );
    for (const { username } of people) {
      await a.login(username);
      const seen = await a.as(username).get(`/api/tasks/${taskId}`);
      if (seen.status === 200 && (seen.body.allowedActions as string[]).includes('approve')) return username;
    }
    throw new Error(`nobody may decide task ${taskId}: ${people.map((p) => p.username).join(', ')}`);
  };

  /** What the step legitimately brings with 同意 (its contract's fields, valid). */
  const legitimate = async (task: { id: string; activity_id: string; owner_unit_id: string; instance_id: string }) => {
    if (task.activity_id === 'instruct') {
      const [handler] = await a.q(`SELECT id FROM users WHERE unit_id = $1 AND is_active ORDER BY username LIMIT 1`, [task.owner_unit_id]);
      return { handler: handler.id };
    }
    if (task.activity_id === 'provide') {
      const [r] = await a.q(`SELECT to_char(period_to, 'YYYY-MM-DD') AS until FROM data_requests WHERE instance_id = $1`, [
        task.instance_id,
      ]);
      return { fileName: '数据包.gdb.zip', link: 'https://data.mlr.example/x.zip', expiresAt: r.until };
    }
    return undefined;
  };

  /** Walks a case to its end (or to a step no person holds), trying hostile bodies at every step it passes. */
  const walk = async (instanceId: string): Promise<void> => {
    for (let guard = 0; guard < 40; guard++) {
      const [task]: Rows = await a.q(
        `SELECT t.id, t.activity_id, t.owner_unit_id, t.instance_id, t.definition_key FROM tasks t
          WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at, t.id LIMIT 1`,
        [instanceId],
      );
      if (!task) {
        if (await renderAsWorker(a, instanceId, 'property-test')) continue;
        return;
      }
      const who = await holderOf(task.id);
      const detail = await a.as(who).get(`/api/tasks/${task.id}`);
      const fields: Field[] = detail.body.fields;
      const actions = (detail.body.allowedActions as string[]).filter((x) => ['approve', 'return', 'reject'].includes(x));
      const before = await snapshot(instanceId);
      await fc.assert(
        fc.asyncProperty(hostile(fields), fc.constantFrom(...actions), async (variables, action) => {
          const res = await a.as(who).post(`/api/tasks/${task.id}/actions`, { action, comment: '试图夹带变量', variables });
          expect([res.status, res.body.code]).toEqual([400, expect.stringMatching(/^(VARIABLE_NOT_ALLOWED|VALIDATION_FAILED)$/)]);
          expect((res.body.details as { field: string }[]).every((d) => d.field.startsWith('variables.'))).toBe(true);
          expect(await snapshot(instanceId)).toBe(before);
        }),
        { numRuns: 6 },
      );
      steps.push(`${task.definition_key}:${task.activity_id}`);
      const ok = await a.as(who).post(`/api/tasks/${task.id}/actions`, {
        action: 'approve',
        comment: '同意',
        variables: await legitimate(task),
      });
      expect([task.activity_id, who, ok.status, ok.body.message]).toEqual([task.activity_id, who, 200, undefined]);
    }
    throw new Error(`case ${instanceId} did not end`);
  };

  it('holds for every step of every process', async () => {
    await a.login('lina', 'js.nigao', 'xw.shouli');
    const unit = (code: string) => a.unit(code);
    const year = new Date().getFullYear();

    // 公文交换 (发文, with a 会签) and each recipient's 收文.
    const doc = await a.as('lina').post('/api/documents', {
      docType: '通知',
      title: '契约性质测试通知',
      mainRecipients: [await unit('320000')],
      ccRecipients: [await unit('MLR-BGT')],
      countersignUnits: [await unit('MLR-GBS')],
      body: '江苏省国土资源厅：\n现将有关事项通知如下。',
    });
    expect(doc.status).toBe(201);
    await walk(doc.body.instanceId);
    for (const receipt of await a.q(`SELECT instance_id FROM document_receipts WHERE document_id = $1 ORDER BY kind`, [doc.body.id]))
      await walk(receipt.instance_id);

    // 三级联网审批.
    const approval = await a.as('xw.shouli').post('/api/approvals', {
      matterType: '建设用地报批',
      title: '契约性质测试用地',
      applicant: '南京市玄武区人民政府',
      location: '玄武区',
      landArea: 3,
      description: '申请将农用地转为建设用地。',
    });
    expect(approval.status).toBe(201);
    await walk(approval.body.instanceId);

    // 信息化项目立项, voted by the whole leading group.
    const project = await a.as('lina').post('/api/projects', projectBody('契约性质测试项目'));
    expect(project.status).toBe(201);
    await walk(project.body.instanceId);

    // 规划备案.
    const filing = await a.as('js.nigao').post('/api/filings', {
      kind: '信息化规划',
      title: '契约性质测试规划',
      periodStart: year,
      periodEnd: year + 4,
      summary: '统筹全省国土资源信息化建设。',
      content: '一、现状与形势；二、主要任务。',
      contactName: '沈佳',
      contactPhone: '025-86658123',
    });
    expect(filing.status).toBe(201);
    const [{ instance_id: filingCase }] = await a.q(`SELECT instance_id FROM filings WHERE id = $1`, [filing.body.id]);
    await walk(filingCase);

    // 数据使用申请 of two owners' datasets.
    const request = await a
      .as('js.nigao')
      .post(
        '/api/data-requests',
        dataRequestBody((await datasetIds(a, 'js.nigao')).slice(0, 2), { title: '契约性质测试数据申请', periodTo: `${year + 1}-12-31` }),
      );
    expect(request.status).toBe(201);
    const [{ instance_id: requestCase }] = await a.q(`SELECT instance_id FROM data_requests WHERE id = $1`, [request.body.id]);
    await walk(requestCase);

    // Every user task of every process diagram was tried, except the steps only a return or a refusal reaches.
    const tried = new Set(steps);
    const expected = [
      'document-exchange:draft',
      'document-exchange:review',
      'document-exchange:countersign',
      'document-exchange:sign',
      'document-receipt:receive',
      'document-receipt:propose',
      'document-receipt:instruct',
      'document-receipt:handle',
      'three-level-approval:countyReview',
      'three-level-approval:cityReview',
      'three-level-approval:provinceDecision',
      'project-initiation:leaderApproval',
      'project-initiation:officeReview',
      'project-initiation:vote',
      'plan-filing:draft',
      'plan-filing:sign',
      'plan-filing:register',
      'data-request:sign',
      'data-request:review',
      'data-request:consult',
      'data-request:provide',
      'data-request:confirm',
    ];
    expect(expected.filter((s) => !tried.has(s))).toEqual([]);
  });
});
