import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineService } from '../../apps/api/src/engine/engine.service';
import { CHINESE, histogram, startLiveApi, type Answer, type LiveApi } from './live-api';

/**
 * Races over real HTTP against the api listening on 127.0.0.1: many people (or one person in many
 * tabs) pressing the same button at the same moment. Exactly one wins, the rest are told why in
 * Chinese, and the case, its history and every number it hands out come out as if they had queued.
 */
describe('concurrency over real HTTP', () => {
  const TOKEN = 'load-worker-token-0123456789';
  let api: LiveApi;
  let archiveDir: string;
  const tokens: Record<string, string[]> = {};
  const units: Record<string, string> = {};
  const userIds: Record<string, string> = {};

  const PEOPLE = [
    'lina',
    'yangfan',
    'zhangwei',
    'xutao',
    'liuyang',
    'wangbo',
    'wufang',
    'hejun',
    'gaoyuan',
    'liuhaiyan',
    'sunzhiqiang',
    'luoping',
    'js.shenpi',
  ];
  /** 会签 units of a 规划司 document, with the person who signs for each. */
  const COUNTERSIGNERS: [string, string][] = [
    ['MLR-GBS', 'wufang'],
    ['MLR-DJS', 'hejun'],
    ['MLR-KJS', 'gaoyuan'],
    ['MLR-XXB', 'liuhaiyan'],
    ['MLR-XXZX', 'sunzhiqiang'],
    ['MLR-DCJ-BJ', 'luoping'],
    ['320000', 'js.shenpi'],
  ];

  beforeAll(async () => {
    archiveDir = mkdtempSync(join(tmpdir(), 'zhengwu-load-archive-'));
    api = await startLiveApi({ WORKER_TOKEN: TOKEN, ARCHIVE_DIR: archiveDir });
    for (const row of await api.q(`SELECT id, code FROM units`)) units[row.code] = row.id;
    for (const row of await api.q(`SELECT id, username FROM users`)) userIds[row.username] = row.id;
    // Several sessions per person: the same person in several browser tabs.
    for (const name of PEOPLE) {
      tokens[name] = [];
      for (let i = 0; i < (['lina', 'yangfan', 'zhangwei'].includes(name) ? 5 : 2); i++) tokens[name].push(await api.t.login(name));
    }
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    if (archiveDir) rmSync(archiveDir, { recursive: true, force: true });
  });

  const ARCHIVE_CASES = Number(process.env.LOAD_ARCHIVE_CASES ?? 20);
  const token = (who: string, i = 0) => tokens[who][i % tokens[who].length];
  const openTask = async (instanceId: string, activityId: string): Promise<string> => {
    const rows = await api.q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'`, [
      instanceId,
      activityId,
    ]);
    expect(rows).toHaveLength(1);
    return rows[0].id;
  };
  const approve = (who: string, taskId: string, i = 0, comment = '同意'): Promise<Answer> =>
    api.send('POST', `/api/tasks/${taskId}/actions`, { token: token(who, i), body: { action: 'approve', comment } });
  const act = async (who: string, instanceId: string, activityId: string) => {
    const res = await approve(who, await openTask(instanceId, activityId));
    expect([res.status, res.body?.message]).toEqual([200, undefined]);
  };
  const draft = async (who: string, title: string, extra: Record<string, unknown> = {}) => {
    const res = await api.send('POST', '/api/documents', {
      token: token(who),
      body: { docType: '通知', title, body: '各有关单位：\n现将有关事项通知如下。', mainRecipients: [units['320000']], ...extra },
    });
    expect([res.status, res.body?.message]).toEqual([201, undefined]);
    return res.body as { id: string; instanceId: string };
  };
  const counter = async (unitCode: string): Promise<number> =>
    (await api.q(`SELECT COALESCE(max(value), 0)::int AS v FROM document_number_counters WHERE unit_id = $1`, [units[unitCode]]))[0].v;

  it('50 simultaneous 同意 on one task: exactly one wins, 49 are told in Chinese, the case moves on once', async () => {
    const started = Date.now();
    const doc = await draft('lina', '关于并发办理测试的通知');
    const figures: string[] = [];
    let sent = 0;
    const all: number[] = [];
    // 拟稿 is assigned to lina; 核稿 and 签发 are offered to the unit's reviewers / signers (a claim race as well).
    const steps: [string, string, string][] = [
      ['draft', 'lina', 'review'],
      ['review', 'yangfan', 'sign'],
      ['sign', 'zhangwei', 'render'],
    ];
    const numbersBefore = await counter('MLR-GHS');
    for (const [step, who, next] of steps) {
      const taskId = await openTask(doc.instanceId, step);
      const burst = Date.now();
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => approve(who, taskId, i, `同意（第${i + 1}个请求）`)));
      const burstMs = Date.now() - burst;
      sent += answers.length;
      const statuses = answers.map((a) => a.status);
      all.push(...statuses);
      figures.push(`${step}=${JSON.stringify(histogram(statuses))}/${burstMs}ms`);
      expect(histogram(statuses)).toEqual({ 200: 1, 409: 49 });
      for (const a of answers.filter((x) => x.status === 409)) {
        expect(a.body.code).toBe('TASK_ALREADY_COMPLETED');
        expect(a.body.message).toMatch(CHINESE);
      }
      // One recorded action, one completion in the engine's history, one next step.
      expect(await api.q(`SELECT action FROM task_actions WHERE task_id = $1`, [taskId])).toEqual([{ action: 'approve' }]);
      const [task] = await api.q(`SELECT status, assignee, outcome FROM tasks WHERE id = $1`, [taskId]);
      expect(task).toEqual({ status: 'completed', assignee: userIds[who], outcome: 'approve' });
      const ends = await api.q(
        `SELECT count(*)::int AS n FROM engine_history WHERE instance_id = $1 AND activity_id = $2 AND event = 'end'`,
        [doc.instanceId, step],
      );
      expect(ends[0].n).toBe(1);
      if (next === 'render') {
        const ext = await api.q(`SELECT count(*)::int AS n FROM external_tasks WHERE instance_id = $1 AND activity_id = 'render'`, [
          doc.instanceId,
        ]);
        expect(ext[0].n).toBe(1);
      } else {
        expect(await api.q(`SELECT status FROM tasks WHERE instance_id = $1 AND activity_id = $2`, [doc.instanceId, next])).toEqual([
          { status: 'open' },
        ]);
      }
    }
    // 签发 issued exactly one 发文字号.
    expect(await counter('MLR-GHS')).toBe(numbersBefore + 1);
    const [row] = await api.q(`SELECT doc_seq, doc_number, status FROM documents WHERE id = $1`, [doc.id]);
    expect(row.doc_seq).toBe(numbersBefore + 1);
    expect(row.status).toBe('分发');
    console.log(
      `RELIABILITY: concurrency/same-task-approve requests=${sent} statuses=${JSON.stringify(histogram(all))} ` +
        `per-step ${figures.join(' ')} task_actions-per-task=1 engine-ends-per-step=1 numbers-issued=1 ms=${Date.now() - started}`,
    );
  });

  it('会签: seven units approve at the same moment (each twice); the case moves on to 签发 exactly once, and only after the last', async () => {
    const started = Date.now();
    const toCountersign = async (title: string) => {
      const doc = await draft('lina', title, { countersignUnits: COUNTERSIGNERS.map(([code]) => units[code]) });
      await act('lina', doc.instanceId, 'draft');
      await act('yangfan', doc.instanceId, 'review');
      const open = await api.q(
        `SELECT id, candidate_units FROM tasks WHERE instance_id = $1 AND activity_id = 'countersign' AND status = 'open'`,
        [doc.instanceId],
      );
      expect(open).toHaveLength(COUNTERSIGNERS.length);
      const taskOf = (code: string) =>
        open.find((t: { candidate_units: string[] }) => t.candidate_units.includes(units[code])).id as string;
      return { ...doc, taskOf };
    };
    // Every countersigner of `signers` presses 同意 twice (double click / two tabs), all at once.
    const race = async (doc: { taskOf: (code: string) => string }, signers: [string, string][]) => {
      const requests = signers.flatMap(([code, who]) => [0, 1].map((i) => ({ code, who, taskId: doc.taskOf(code), i })));
      const answers = await Promise.all(requests.map((r) => approve(r.who, r.taskId, r.i, `${r.code} 会签同意`)));
      for (const [code] of signers) {
        expect([
          code,
          answers
            .filter((_, k) => requests[k].code === code)
            .map((a) => a.status)
            .sort(),
        ]).toEqual([code, [200, 409]]);
      }
      for (const a of answers.filter((x) => x.status === 409)) {
        expect(a.body.code).toBe('TASK_ALREADY_COMPLETED');
        expect(a.body.message).toMatch(CHINESE);
      }
      return answers.map((a) => a.status);
    };
    const stepsOf = async (instanceId: string) =>
      (
        await api.q(
          `SELECT t.activity_id, t.status, t.outcome, (SELECT count(*)::int FROM task_actions a WHERE a.task_id = t.id) AS actions
             FROM tasks t WHERE t.instance_id = $1 AND t.activity_id IN ('countersign', 'sign') ORDER BY t.activity_id, t.status`,
          [instanceId],
        )
      ).map(
        (r: { activity_id: string; status: string; outcome: string | null; actions: number }) =>
          `${r.activity_id}:${r.status}:${r.outcome}:${r.actions}`,
      );
    const allDone = Array.from({ length: COUNTERSIGNERS.length }, () => 'countersign:completed:approve:1');

    // All seven at once.
    const a = await toCountersign('关于会签并发测试的通知');
    const statuses = await race(a, COUNTERSIGNERS);
    expect(histogram(statuses)).toEqual({ 200: COUNTERSIGNERS.length, 409: COUNTERSIGNERS.length });
    expect(await stepsOf(a.instanceId)).toEqual([...allDone, 'sign:open:null:0']);
    expect((await api.q(`SELECT status FROM documents WHERE id = $1`, [a.id]))[0].status).toBe('签发');

    // Six at once: the case waits for the seventh; then the seventh (twice) moves it on, once.
    const b = await toCountersign('关于会签并发测试的第二份通知');
    const first = await race(b, COUNTERSIGNERS.slice(0, -1));
    expect(await stepsOf(b.instanceId)).toEqual([...allDone.slice(1), 'countersign:open:null:0']);
    expect((await api.q(`SELECT status FROM documents WHERE id = $1`, [b.id]))[0].status).toBe('会签');
    const last = await race(b, COUNTERSIGNERS.slice(-1));
    expect(await stepsOf(b.instanceId)).toEqual([...allDone, 'sign:open:null:0']);
    expect((await api.q(`SELECT status FROM documents WHERE id = $1`, [b.id]))[0].status).toBe('签发');
    const all = [...statuses, ...first, ...last];
    console.log(
      `RELIABILITY: concurrency/countersign units=${COUNTERSIGNERS.length} cases=2 requests=${all.length} statuses=${JSON.stringify(histogram(all))} ` +
        `countersign-tasks-completed=${COUNTERSIGNERS.length * 2} sign-tasks-opened=2 (one per case, after the last signature) ms=${Date.now() - started}`,
    );
  });

  it('发文字号: 30 documents of two units signed at once get unique, gap-free numbers per unit and year', async () => {
    const started = Date.now();
    const plan: { unit: string; drafter: string; reviewer: string; signer: string; n: number }[] = [
      { unit: 'MLR-GHS', drafter: 'lina', reviewer: 'yangfan', signer: 'zhangwei', n: 20 },
      // 地调局: its drafter, its 处长 reviewing and its 副局长 signing all ten (拟稿 ≠ 核稿 ≠ 签发).
      { unit: 'MLR-CGS', drafter: 'liuyang', reviewer: 'xutao', signer: 'wangbo', n: 10 },
    ];
    const before: Record<string, number> = {};
    for (const p of plan) before[p.unit] = await counter(p.unit);
    const docs = (
      await Promise.all(
        plan.flatMap((p) =>
          Array.from({ length: p.n }, async (_, i) => {
            const doc = await draft(p.drafter, `关于编号并发测试的通知（${p.unit}-${i + 1}）`);
            await act(p.drafter, doc.instanceId, 'draft');
            await act(p.reviewer, doc.instanceId, 'review');
            return { ...doc, plan: p, taskId: await openTask(doc.instanceId, 'sign') };
          }),
        ),
      )
    ).flat();
    // 20 + 10 signers press 签发 at the same moment.
    const answers = await Promise.all(docs.map((d, i) => approve(d.plan.signer, d.taskId, i, '同意印发')));
    const statuses = answers.map((a) => a.status);
    expect(histogram(statuses)).toEqual({ 200: docs.length });
    const year = (await api.q(`SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS y`))[0].y;
    const figures: string[] = [];
    for (const p of plan) {
      const rows = await api.q(`SELECT doc_seq, doc_year, doc_number FROM documents WHERE id = ANY($1::uuid[]) ORDER BY doc_seq`, [
        docs.filter((d) => d.plan === p).map((d) => d.id),
      ]);
      const seqs = rows.map((r: { doc_seq: number }) => r.doc_seq);
      expect(seqs).toEqual(Array.from({ length: p.n }, (_, i) => before[p.unit] + i + 1));
      expect(new Set(rows.map((r: { doc_number: string }) => r.doc_number)).size).toBe(p.n);
      expect(rows.every((r: { doc_year: number; doc_number: string }) => r.doc_year === year && r.doc_number.includes(`〔${year}〕`))).toBe(
        true,
      );
      expect(await counter(p.unit)).toBe(before[p.unit] + p.n);
      figures.push(`${p.unit}=${seqs[0]}..${seqs[seqs.length - 1]}`);
    }
    // Across the whole database no two documents share a number.
    const dupes = await api.q(`SELECT doc_number FROM documents WHERE doc_number IS NOT NULL GROUP BY doc_number HAVING count(*) > 1`);
    expect(dupes).toEqual([]);
    console.log(
      `RELIABILITY: concurrency/doc-numbers parallel-signs=${answers.length} statuses=${JSON.stringify(histogram(statuses))} ` +
        `numbers ${figures.join(' ')} duplicates=0 gaps=0 ms=${Date.now() - started}`,
    );
  }, 90_000);

  it('档号: 20 ended cases archived at once (each requested twice) get unique, gap-free item numbers', async () => {
    const started = Date.now();
    const engine = api.t.app.get(EngineService);
    const ids: string[] = [];
    for (let i = 0; i < ARCHIVE_CASES; i++) {
      const { id } = await engine.startProcess('three-step-approval', {
        businessKey: `LOAD-ARCHIVE-${i + 1}`,
        variables: { drafter: userIds.lina, title: `并发归档测试之${i + 1}`, docType: '通知' },
        ownerUnitId: units['MLR-GHS'],
        startedBy: userIds.lina,
      });
      for (const who of ['lina', 'yangfan', 'zhangwei']) {
        const [task] = await api.q(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [id]);
        await engine.completeTask(task.id, { userId: userIds[who], outcome: 'approve' });
      }
      ids.push(id);
    }
    const before = (
      await api.q(`SELECT COALESCE(max(item_no), 0)::int AS n FROM archive_packages WHERE unit_code = 'GHS' AND retention = 'Y'`)
    )[0].n;
    // What the archive worker calls; two workers may pick up the same case (a lock that ran out). The numbering lock of
    // one unit and year is held while a package is built, so the 40 requests queue: the last waits for all 20 builds,
    // 12-27 s here when quiet and more than 30 s in a CI run beside other work (apps/worker sends at most maxTasks at once).
    const calls = [...ids, ...ids].map((id) => ({ id }));
    const phase = Date.now();
    const answers = await Promise.all(
      calls.map((c) => api.send('POST', `/api/worker/archive/${c.id}`, { token: TOKEN, timeoutMs: 150_000 })),
    );
    const phaseMs = Date.now() - phase;
    const statuses = answers.map((a) => a.status);
    const failures = answers.filter((a) => a.status !== 200).map((a) => a.text);
    expect(failures).toEqual([]);
    const created = answers.filter((a) => a.body.created === true).length;
    expect(created).toBe(ids.length);
    // Both answers for one case name the same package.
    for (const id of ids) {
      const mine = answers.filter((_, k) => calls[k].id === id).map((a) => a.body.archiveNumber);
      expect(new Set(mine).size).toBe(1);
    }
    const rows = await api.q(`SELECT item_no, archive_number FROM archive_packages WHERE instance_id = ANY($1::uuid[]) ORDER BY item_no`, [
      ids,
    ]);
    expect(rows.map((r: { item_no: number }) => r.item_no)).toEqual(Array.from({ length: ids.length }, (_, i) => before + i + 1));
    expect(new Set(rows.map((r: { archive_number: string }) => r.archive_number)).size).toBe(ids.length);
    const [counterRow] = await api.q(`SELECT value FROM archive_counters WHERE unit_code = 'GHS' AND retention = 'Y'`);
    expect(counterRow.value).toBe(before + ids.length);
    // On disk: one complete package per number, no half-built temporary directory left behind.
    const dirs = readdirSync(archiveDir);
    expect(dirs.filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    for (const r of rows)
      expect(readdirSync(join(archiveDir, r.archive_number))).toEqual(expect.arrayContaining(['manifest.json', 'manifest.sig']));
    console.log(
      `RELIABILITY: concurrency/archive-numbers cases=${ids.length} parallel-requests=${answers.length} statuses=${JSON.stringify(histogram(statuses))} ` +
        `packages-created=${created} item-numbers=${rows[0].item_no}..${rows[rows.length - 1].item_no} duplicates=0 gaps=0 archiving-ms=${phaseMs} ms=${Date.now() - started}`,
    );
  }, 240_000);
});
