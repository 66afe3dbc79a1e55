import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app';

const NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
const TTL = 'camunda:historyTimeToLive="P1D"';
const ext = (id: string, topic: string) => `<serviceTask id="${id}" name="${id}" camunda:type="external" camunda:topic="${topic}" />`;
const flow = (id: string, from: string, to: string, condition?: string) =>
  condition
    ? `<sequenceFlow id="${id}" name="${id}" sourceRef="${from}" targetRef="${to}"><conditionExpression>${condition}</conditionExpression></sequenceFlow>`
    : `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;
const diagram = (key: string, body: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><definitions ${NS} id="D_${key}" targetNamespace="t">${extra}<process id="${key}" name="${key}" isExecutable="true" ${TTL}>${body}</process></definitions>`;

/** One worker writes every type; the gateway reads the plain values; the next worker reads them and writes them back. */
const TYPED = diagram(
  'client-typed',
  `<startEvent id="s" name="开始" />${flow('f0', 's', 'write')}${ext('write', 'zw-client-write')}${flow('f1', 'write', 'gw')}
   <exclusiveGateway id="gw" name="读得懂？" />
   ${flow('plain', 'gw', 'read', '${ratio == 2 &amp;&amp; half == 0.5 &amp;&amp; pages == 3 &amp;&amp; urgent}')}
   ${flow('garbled', 'gw', 'wrong', '${!(ratio == 2 &amp;&amp; half == 0.5 &amp;&amp; pages == 3 &amp;&amp; urgent)}')}
   ${ext('read', 'zw-client-read')}${flow('f2', 'read', 'done')}<userTask id="done" name="完成" /><userTask id="wrong" name="错误分支" />`,
);
const ERROR = diagram(
  'client-error',
  `<startEvent id="s" name="开始" />${flow('f0', 's', 'render')}${ext('render', 'zw-client-error')}
   <boundaryEvent id="bad" name="无模板" attachedToRef="render"><errorEventDefinition errorRef="E1" /></boundaryEvent>
   ${flow('f1', 'render', 'done')}${flow('f2', 'bad', 'fix')}<userTask id="done" name="确认" /><userTask id="fix" name="补模板" />`,
  '<error id="E1" name="无模板" errorCode="NO_TEMPLATE" />',
);
const RETRY = diagram(
  'client-retry',
  `<startEvent id="s" name="开始" />${flow('f0', 's', 'flaky')}${ext('flaky', 'zw-client-retry')}${flow('f1', 'flaky', 'done')}<userTask id="done" name="完成" />`,
);
const MESSAGE = diagram(
  'client-message',
  `<startEvent id="s" name="开始" />${flow('f0', 's', 'notify')}${ext('notify', 'zw-client-notify')}${flow('f1', 'notify', 'wait')}
   <receiveTask id="wait" name="等待回复" messageRef="M_reply" />${flow('f2', 'wait', 'answered')}<userTask id="answered" name="已回复" />`,
  '<message id="M_reply" name="reply-received" />',
);

interface Line {
  event: string;
  detail: Record<string, unknown>;
}

/**
 * The unmodified camunda-external-task-client-js, in its own process, against the real api over HTTP: typed
 * variables of every type, a BPMN error, failures counting retries down to an incident, and a message.
 */
describe('camunda-external-task-client-js against the api', () => {
  let t: TestApp;
  let admin: string;
  let baseUrl: string;
  let scratch: string;
  let worker: ChildProcess;
  let output = '';
  const ids: Record<string, string> = {};

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const lines = (): Line[] =>
    output
      .split('\n')
      .filter((l) => /^[a-zA-Z]+ \{/.test(l))
      .map((l) => ({ event: l.slice(0, l.indexOf(' ')), detail: JSON.parse(l.slice(l.indexOf(' ') + 1)) as Record<string, unknown> }));
  const linesOf = (event: string, instance: string) => lines().filter((l) => l.event === event && l.detail.instance === instance);
  const openTasks = async (id: string): Promise<string[]> =>
    (await q(`SELECT activity_id FROM tasks WHERE instance_id = $1 AND status = 'open' ORDER BY activity_id`, [id])).map(
      (r: { activity_id: string }) => r.activity_id,
    );
  const waitUntil = async (what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; worker said:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}/engine-rest`;
    const start = async (key: string, businessKey?: string) => {
      const res = await t.http().post('/api/process-instances').set('Authorization', `Bearer ${admin}`).send({ key, businessKey });
      expect([key, res.status]).toEqual([key, 201]);
      return res.body.id as string;
    };
    for (const xml of [TYPED, ERROR, RETRY, MESSAGE]) {
      const res = await t
        .http()
        .post('/api/process-definitions')
        .set('Authorization', `Bearer ${admin}`)
        .set('Content-Type', 'application/xml')
        .send(xml);
      expect([res.status, res.body.message]).toEqual([201, undefined]);
    }
    ids.typed = await start('client-typed');
    ids.error = await start('client-error');
    ids.retry = await start('client-retry');
    ids.message = await start('client-message', 'REPLY-2026-07');
    scratch = mkdtempSync(join(tmpdir(), 'zhengwu-camunda-client-'));
    worker = spawn(process.execPath, [join(__dirname, 'support', 'camunda-scenarios-worker.mjs'), baseUrl, t.config.workerToken, scratch], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    rmSync(scratch, { recursive: true, force: true });
    await t.close();
  });

  it('hands every type the first worker wrote to the next exactly, and the diagram reads them as plain values', async () => {
    await waitUntil('the typed case to reach 完成', async () => (await openTasks(ids.typed)).length > 0);
    expect(await openTasks(ids.typed)).toEqual(['done']);
    const [read] = linesOf('read', ids.typed);
    // As the client hands them to a handler: its own lower-case types, a Date object for a Date, parsed Json.
    expect(read.detail.variables).toEqual({
      title: { type: 'string', kind: 'string', value: '关于报送计划的通知' },
      urgent: { type: 'boolean', kind: 'boolean', value: true },
      copies: { type: 'short', kind: 'number', value: 12 },
      pages: { type: 'integer', kind: 'number', value: 3 },
      serial: { type: 'long', kind: 'number', value: 7 },
      ratio: { type: 'double', kind: 'number', value: 2 },
      half: { type: 'double', kind: 'number', value: 0.5 },
      when: { type: 'date', kind: 'Date', value: '2026-11-24T00:00:00.000Z' },
      meta: { type: 'json', kind: 'object', value: { by: '信息中心', tags: ['急'] } },
      person: { type: 'object', kind: 'string', value: '{"name":"张伟"}' },
      seal: { type: 'bytes', kind: 'string', value: Buffer.from([0, 1, 254, 255]).toString('base64') },
      scan: {
        type: 'file',
        kind: 'File',
        filename: '盖章件.pdf',
        mimeType: 'application/pdf',
        content: Buffer.from('%PDF-1.4 盖章件').toString('base64'),
      },
      nothing: { type: 'null', kind: 'null', value: null },
    });
    // Written back as read, nothing changed: the case keeps the same values and the same types.
    const [row] = await q('SELECT variables, variable_types FROM process_instances WHERE id = $1', [ids.typed]);
    expect(row.variable_types).toEqual({
      copies: { type: 'Short' },
      serial: { type: 'Long' },
      ratio: { type: 'Double' },
      when: { type: 'Date' },
      person: { type: 'Object', valueInfo: { objectTypeName: 'gov.zhengwu.Person', serializationDataFormat: 'application/json' } },
      seal: { type: 'Bytes' },
    });
    expect(row.variables).toEqual(
      expect.objectContaining({
        ratio: 2,
        when: '2026-11-24T00:00:00.000Z',
        scan: expect.objectContaining({ $type: 'File', filename: '盖章件.pdf', mimetype: 'application/pdf' }),
      }),
    );
    expect(lines().filter((l) => l.event === 'error')).toEqual([]);
  });

  it('routes handleBpmnError to the boundary error event, with the variables it sent', async () => {
    await waitUntil('the error case to reach 补模板', async () => (await openTasks(ids.error)).length > 0);
    expect(await openTasks(ids.error)).toEqual(['fix']);
    const [row] = await q('SELECT variables, variable_types FROM process_instances WHERE id = $1', [ids.error]);
    expect(row.variables).toEqual(expect.objectContaining({ reason: '缺模板', failedAt: '2026-11-25T01:02:03.000Z' }));
    expect(row.variable_types).toEqual({ failedAt: { type: 'Date' } });
  });

  it('counts handleFailure retries down to an incident, after which the task is handed out no more', async () => {
    await waitUntil(
      'an incident for the retry case',
      async () => (await q('SELECT 1 FROM incidents WHERE instance_id = $1', [ids.retry])).length > 0,
    );
    // Another long poll or two: a task at 0 retries must not come back.
    await new Promise((r) => setTimeout(r, 2_500));
    const failures = linesOf('failed', ids.retry).map((l) => [l.detail.seen, l.detail.sent]);
    expect(failures).toEqual([
      [null, 2],
      [2, 1],
      [1, 0],
    ]);
    const [task] = await q(`SELECT retries, error_message, status FROM external_tasks WHERE instance_id = $1`, [ids.retry]);
    expect(task).toEqual({ retries: 0, error_message: '签章服务不可用', status: 'open' });
    const incidents = await t.http().get('/api/incidents').set('Authorization', `Bearer ${admin}`);
    expect(incidents.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ processInstanceId: ids.retry, incidentType: 'failedExternalTask', incidentMessage: '签章服务不可用' }),
      ]),
    );
    expect(await openTasks(ids.retry)).toEqual([]);
  });

  it('releases the receive task with a message the worker correlated through /engine-rest/message', async () => {
    await waitUntil('the message case to reach 已回复', async () => (await openTasks(ids.message)).length > 0);
    expect(await openTasks(ids.message)).toEqual(['answered']);
    const [correlated] = linesOf('correlated', ids.message);
    expect(correlated.detail).toEqual(
      expect.objectContaining({
        status: 200,
        body: [
          {
            resultType: 'Execution',
            execution: { id: expect.any(String), processInstanceId: ids.message, ended: false, tenantId: null },
            processInstance: null,
          },
        ],
      }),
    );
    const [row] = await q('SELECT variables, variable_types FROM process_instances WHERE id = $1', [ids.message]);
    expect(row.variables).toEqual(expect.objectContaining({ repliedAt: '2026-11-26T01:00:00.000Z', score: 4 }));
    expect(row.variable_types).toEqual({ repliedAt: { type: 'Date' }, score: { type: 'Double' } });
  });
});
