import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { EngineService } from './engine.service';

const NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
const TTL = 'camunda:historyTimeToLive="P1D"';

/** One worker writes typed values, the diagram's gateway reads them as plain values, the next worker reads them back. */
const TYPED = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_typed" targetNamespace="t">
<process id="typed-test" name="类型往返" isExecutable="true" ${TTL}>
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="a" />
  <serviceTask id="a" name="写入" camunda:type="external" camunda:topic="zw-typed-a" />
  <sequenceFlow id="f1" sourceRef="a" targetRef="gw" />
  <exclusiveGateway id="gw" name="比例为二？" />
  <sequenceFlow id="two" name="是" sourceRef="gw" targetRef="review"><conditionExpression>\${ratio == 2 &amp;&amp; half == 0.5}</conditionExpression></sequenceFlow>
  <sequenceFlow id="other" name="否" sourceRef="gw" targetRef="wrong"><conditionExpression>\${ratio != 2 || half != 0.5}</conditionExpression></sequenceFlow>
  <userTask id="review" name="核对" /><userTask id="wrong" name="错误分支" />
  <sequenceFlow id="f2" sourceRef="review" targetRef="b" />
  <serviceTask id="b" name="读取" camunda:type="external" camunda:topic="zw-typed-b" />
  <sequenceFlow id="f3" sourceRef="b" targetRef="e" /><endEvent id="e" name="结束" />
  <sequenceFlow id="f4" sourceRef="wrong" targetRef="e2" /><endEvent id="e2" name="错误结束" />
</process></definitions>`;

/** A case waits in a receive task for 到账; a gateway reads the amount the message brought. */
const RECEIVE = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_receive" targetNamespace="t"><message id="M_pay" name="payment-received" />
<process id="receive-test" name="等待到账" isExecutable="true" ${TTL}>
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="r" />
  <receiveTask id="r" name="等待到账" messageRef="M_pay" /><sequenceFlow id="f1" sourceRef="r" targetRef="gw" />
  <exclusiveGateway id="gw" name="全额？" />
  <sequenceFlow id="full" name="全额" sourceRef="gw" targetRef="book"><conditionExpression>\${amount == 2}</conditionExpression></sequenceFlow>
  <sequenceFlow id="part" name="部分" sourceRef="gw" targetRef="chase"><conditionExpression>\${amount != 2}</conditionExpression></sequenceFlow>
  <userTask id="book" name="入账" /><userTask id="chase" name="催缴" />
  <sequenceFlow id="f2" sourceRef="book" targetRef="e" /><endEvent id="e" name="结束" />
  <sequenceFlow id="f3" sourceRef="chase" targetRef="e2" /><endEvent id="e2" name="已催缴" />
</process></definitions>`;

const MESSAGE_START = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_mstart" targetNamespace="t"><message id="M_order" name="order-placed" />
<process id="message-start-test" name="收到订单" isExecutable="true" ${TTL}>
  <startEvent id="s" name="收到订单"><messageEventDefinition messageRef="M_order" /></startEvent>
  <sequenceFlow id="f0" sourceRef="s" targetRef="u" /><userTask id="u" name="处理订单" />
  <sequenceFlow id="f1" sourceRef="u" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;

/** Waits for the 防汛 signal, or is started by it. */
const SIGNAL_CATCH = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_scatch" targetNamespace="t"><signal id="S_flood" name="flood-warning" />
<process id="signal-catch-test" name="等待汛情" isExecutable="true" ${TTL}>
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="c" />
  <intermediateCatchEvent id="c" name="汛情预警"><signalEventDefinition signalRef="S_flood" /></intermediateCatchEvent>
  <sequenceFlow id="f1" sourceRef="c" targetRef="u" /><userTask id="u" name="转移群众" />
  <sequenceFlow id="f2" sourceRef="u" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;

const SIGNAL_START = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_sstart" targetNamespace="t"><signal id="S_flood" name="flood-warning" />
<process id="signal-start-test" name="汛情值守" isExecutable="true" ${TTL}>
  <startEvent id="s" name="汛情预警"><signalEventDefinition signalRef="S_flood" /></startEvent>
  <sequenceFlow id="f0" sourceRef="s" targetRef="u" /><userTask id="u" name="值守" />
  <sequenceFlow id="f1" sourceRef="u" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;

/** Raises the 防汛 signal itself: a case's signal throw reaches the other cases and the signal start events. */
const SIGNAL_THROW = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_sthrow" targetNamespace="t"><signal id="S_flood" name="flood-warning" />
<process id="signal-throw-test" name="发布汛情" isExecutable="true" ${TTL}>
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="raise" />
  <intermediateThrowEvent id="raise" name="发布预警"><signalEventDefinition signalRef="S_flood" /></intermediateThrowEvent>
  <sequenceFlow id="f1" sourceRef="raise" targetRef="u" /><userTask id="u" name="跟踪" />
  <sequenceFlow id="f2" sourceRef="u" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;

interface Typed {
  type: string;
  value: unknown;
  valueInfo?: Record<string, unknown>;
}
interface Locked {
  id: string;
  processInstanceId: string;
  variables: Record<string, Typed>;
}

/** /engine-rest/message and /signal and typed values, over real HTTP against a real PostgreSQL. */
describe('/engine-rest messages, signals and typed variables', () => {
  let t: TestApp;
  let admin: string;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}/engine-rest`;
    for (const xml of [TYPED, RECEIVE, MESSAGE_START]) {
      const res = await deploy(xml);
      expect([res.status, res.body.key]).toEqual([201, expect.any(String)]);
    }
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const deploy = (xml: string) =>
    t.http().post('/api/process-definitions').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'application/xml').send(xml);
  const rest = async (method: string, path: string, body?: unknown, auth = `Bearer ${t.config.workerToken}`) => {
    const res = await fetch(`${base}/${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: auth },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const type = res.headers.get('content-type');
    const buffer = Buffer.from(await res.arrayBuffer());
    const parsed = type === 'application/json' && buffer.length > 0 ? (JSON.parse(buffer.toString()) as unknown) : undefined;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies of many shapes, checked by the tests
    return { status: res.status, type, body: parsed as any, raw: buffer };
  };
  const start = async (key: string, variables: Record<string, unknown> = {}, businessKey?: string): Promise<string> => {
    const res = await t.http().post('/api/process-instances').set('Authorization', `Bearer ${admin}`).send({ key, variables, businessKey });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const fetchOne = async (topicName: string, instanceId: string): Promise<Locked> => {
    for (let i = 0; i < 20; i++) {
      const res = await rest('POST', 'external-task/fetchAndLock', {
        workerId: 'typed-worker',
        maxTasks: 50,
        topics: [{ topicName, lockDuration: 60_000 }],
      });
      expect(res.type).toBe('application/json');
      const mine = (res.body as Locked[]).find((task) => task.processInstanceId === instanceId);
      if (mine) return mine;
    }
    throw new Error(`no ${topicName} task for ${instanceId}`);
  };
  const waitingAt = async (instanceId: string): Promise<string[]> =>
    (await q(`SELECT activity_id FROM tasks WHERE instance_id = $1 AND status = 'open' ORDER BY activity_id`, [instanceId])).map(
      (r: { activity_id: string }) => r.activity_id,
    );
  const adminId = async (): Promise<string> => (await q(`SELECT id FROM users WHERE username = 'admin'`))[0].id;

  describe('typed variables', () => {
    const pdf = Buffer.from('%PDF-1.4 盖章件');
    const written: Record<string, Typed> = {
      title: { type: 'String', value: '关于报送计划的通知' },
      urgent: { type: 'Boolean', value: true },
      copies: { type: 'Short', value: 12 },
      pages: { type: 'Integer', value: 3 },
      serial: { type: 'Long', value: 7 },
      ratio: { type: 'Double', value: 2.0 },
      half: { type: 'Double', value: 0.5 },
      when: { type: 'Date', value: '2026-11-24T08:00:00.000+0800' },
      meta: { type: 'Json', value: '{"by":"信息中心","tags":["急"]}' },
      person: {
        type: 'Object',
        value: '{"name":"张伟","unit":"办公厅"}',
        valueInfo: { objectTypeName: 'gov.zhengwu.Person', serializationDataFormat: 'application/json' },
      },
      seal: { type: 'Bytes', value: Buffer.from([0, 1, 254, 255]).toString('base64') },
      scan: { type: 'File', value: pdf.toString('base64'), valueInfo: { filename: '盖章件.pdf', mimeType: 'application/pdf' } },
      nothing: { type: 'Null', value: null },
      unset: { type: 'String', value: null },
    };
    const expected: Record<string, Typed> = {
      title: { type: 'String', value: '关于报送计划的通知', valueInfo: {} },
      urgent: { type: 'Boolean', value: true, valueInfo: {} },
      copies: { type: 'Short', value: 12, valueInfo: {} },
      pages: { type: 'Integer', value: 3, valueInfo: {} },
      serial: { type: 'Long', value: 7, valueInfo: {} },
      ratio: { type: 'Double', value: 2, valueInfo: {} },
      half: { type: 'Double', value: 0.5, valueInfo: {} },
      when: { type: 'Date', value: '2026-11-24T00:00:00.000+0000', valueInfo: {} },
      meta: { type: 'Json', value: '{"by":"信息中心","tags":["急"]}', valueInfo: {} },
      person: {
        type: 'Object',
        value: '{"name":"张伟","unit":"办公厅"}',
        valueInfo: { objectTypeName: 'gov.zhengwu.Person', serializationDataFormat: 'application/json' },
      },
      seal: { type: 'Bytes', value: Buffer.from([0, 1, 254, 255]).toString('base64'), valueInfo: {} },
      scan: {
        type: 'File',
        value: null,
        valueInfo: { filename: '盖章件.pdf', mimeType: 'application/pdf', mimetype: 'application/pdf', encoding: null },
      },
      nothing: { type: 'Null', value: null, valueInfo: {} },
      unset: { type: 'String', value: null, valueInfo: {} },
    };

    it('hands the next worker every type exactly as the first wrote it, while the gateway reads plain values', async () => {
      const id = await start('typed-test');
      const a = await fetchOne('zw-typed-a', id);
      expect((await rest('POST', `external-task/${a.id}/complete`, { workerId: 'typed-worker', variables: written })).status).toBe(204);
      // ${ratio == 2 && half == 0.5}: the Double 2.0 is the number 2 to the diagram.
      expect(await waitingAt(id)).toEqual(['review']);
      const [row] = await q('SELECT variables, variable_types FROM process_instances WHERE id = $1', [id]);
      expect(row.variables.when).toBe('2026-11-24T00:00:00.000Z');
      expect(row.variables.ratio).toBe(2);
      expect(row.variable_types).toEqual({
        copies: { type: 'Short' },
        serial: { type: 'Long' },
        ratio: { type: 'Double' },
        when: { type: 'Date' },
        person: { type: 'Object', valueInfo: { objectTypeName: 'gov.zhengwu.Person', serializationDataFormat: 'application/json' } },
        seal: { type: 'Bytes' },
        unset: { type: 'String' },
      });
      const [review] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [id]);
      await t.app.get(EngineService).completeTask(review.id, { userId: await adminId() });
      const b = await fetchOne('zw-typed-b', id);
      expect(b.variables).toEqual(expected);
      // Our own API shows the plain values and the types beside them.
      const view = await t.http().get(`/api/process-instances/${id}`).set('Authorization', `Bearer ${admin}`);
      expect(view.body.variableTypes.when).toEqual({ type: 'Date' });
      expect(view.body.variables.ratio).toBe(2);
    });

    it('serves a File variable’s content where camunda-external-task-client-js loads it, and Bytes too', async () => {
      const id = await start('typed-test');
      const a = await fetchOne('zw-typed-a', id);
      expect((await rest('POST', `external-task/${a.id}/complete`, { workerId: 'typed-worker', variables: written })).status).toBe(204);
      const file = await rest('GET', `execution/${id}/localVariables/scan/data`);
      expect([file.status, file.type, file.raw.equals(pdf)]).toEqual([200, 'application/pdf', true]);
      const bytes = await rest('GET', `process-instance/${id}/variables/seal/data`);
      expect([bytes.status, bytes.type, [...bytes.raw]]).toEqual([200, 'application/octet-stream', [0, 1, 254, 255]]);
      const text = await rest('GET', `execution/${id}/localVariables/title/data`);
      expect([text.status, text.type, text.body]).toEqual([
        400,
        'application/json',
        expect.objectContaining({ type: 'InvalidRequestException' }),
      ]);
      expect((await rest('GET', `execution/${id}/localVariables/nope/data`)).status).toBe(404);
      expect((await rest('GET', `execution/${id}/localVariables/scan/data`, undefined, 'Bearer wrong')).status).toBe(401);
    });

    it('forgets a written type once another step changes the value, and sets variables sent with a failure', async () => {
      const id = await start('typed-test');
      const a = await fetchOne('zw-typed-a', id);
      await rest('POST', `external-task/${a.id}/complete`, { workerId: 'typed-worker', variables: written });
      const [review] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [id]);
      // A person (our own API, plain JSON) writes `when` as text and `serial` as a bigger number.
      await t.app.get(EngineService).completeTask(review.id, { userId: await adminId(), variables: { when: '下周一', serial: 8 } });
      const b = await fetchOne('zw-typed-b', id);
      expect(b.variables.when).toEqual({ type: 'String', value: '下周一', valueInfo: {} });
      expect(b.variables.serial).toEqual({ type: 'Integer', value: 8, valueInfo: {} });
      expect(b.variables.ratio).toEqual({ type: 'Double', value: 2, valueInfo: {} });
      const failed = await rest('POST', `external-task/${b.id}/failure`, {
        workerId: 'typed-worker',
        errorMessage: '签章服务超时',
        retries: 2,
        retryTimeout: 0,
        variables: { lastTry: { type: 'Date', value: '2026-12-01T09:30:00.000+0800' }, ratio: { type: 'Integer', value: 2 } },
      });
      expect(failed.status).toBe(204);
      const again = await fetchOne('zw-typed-b', id);
      expect(again.variables.lastTry).toEqual({ type: 'Date', value: '2026-12-01T01:30:00.000+0000', valueInfo: {} });
      expect(again.variables.ratio).toEqual({ type: 'Integer', value: 2, valueInfo: {} });
      const history = await q(`SELECT detail FROM engine_history WHERE instance_id = $1 AND event = 'variable' ORDER BY id`, [id]);
      expect(history.map((h: { detail: { name: string } }) => h.detail.name)).toContain('lastTry');
    });

    it('refuses a value that would not come back as sent, and writes nothing', async () => {
      const id = await start('typed-test');
      const a = await fetchOne('zw-typed-a', id);
      for (const bad of [
        { n: { type: 'Integer', value: 2 ** 31 } },
        { d: { type: 'Date', value: '2026-11-24' } },
        { o: { type: 'Object', value: 'rO0ABX', valueInfo: { serializationDataFormat: 'application/x-java-serialized-object' } } },
      ]) {
        const res = await rest('POST', `external-task/${a.id}/complete`, { workerId: 'typed-worker', variables: bad });
        expect([res.status, res.type, res.body]).toEqual([
          400,
          'application/json',
          { type: 'InvalidRequestException', message: expect.stringContaining(`'${Object.keys(bad)[0]}'`) },
        ]);
      }
      expect((await q(`SELECT status FROM external_tasks WHERE id = $1`, [a.id]))[0].status).toBe('open');
    });
  });

  describe('POST /engine-rest/message', () => {
    it('answers a message nobody waits for with Camunda’s 400, and a missing name likewise', async () => {
      const res = await rest('POST', 'message', { messageName: 'nobody-listens' });
      expect(res).toEqual(
        expect.objectContaining({
          status: 400,
          type: 'application/json',
          body: {
            type: 'RestException',
            message:
              "org.camunda.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate message 'nobody-listens': No process definition or execution matches the parameters",
          },
        }),
      );
      expect((await rest('POST', 'message', { businessKey: 'x' })).body).toEqual({
        type: 'InvalidRequestException',
        message: 'No message name supplied',
      });
      expect((await rest('POST', 'message', { messageName: 'payment-received' }, 'Bearer wrong')).status).toBe(401);
    });

    it('releases the receive task of the case with that business key, with typed process variables the gateway reads', async () => {
      const id = await start('receive-test', {}, 'PAY-2026-001');
      const other = await start('receive-test', {}, 'PAY-2026-002');
      const res = await rest('POST', 'message', {
        messageName: 'payment-received',
        businessKey: 'PAY-2026-001',
        processVariables: {
          amount: { type: 'Double', value: 2.0 },
          paidAt: { type: 'Date', value: '2026-11-24T10:00:00.000+0800' },
        },
      });
      expect([res.status, res.raw.length]).toEqual([204, 0]);
      expect(await waitingAt(id)).toEqual(['book']);
      expect(await waitingAt(other)).toEqual([]);
      expect((await q(`SELECT count(*)::int AS n FROM message_subscriptions WHERE instance_id = $1`, [other]))[0].n).toBe(1);
      const [row] = await q('SELECT variables, variable_types FROM process_instances WHERE id = $1', [id]);
      expect(row.variable_types).toEqual({ amount: { type: 'Double' }, paidAt: { type: 'Date' } });
      expect(row.variables.paidAt).toBe('2026-11-24T02:00:00.000Z');
    });

    it('refuses to pick one of several waiting cases unless all is asked for, then answers with the results', async () => {
      const ids = [await start('receive-test', { batch: 'B7' }), await start('receive-test', { batch: 'B7' })];
      const bystander = await start('receive-test', { batch: 'B8' });
      const ambiguous = await rest('POST', 'message', {
        messageName: 'payment-received',
        correlationKeys: { batch: { value: 'B7', type: 'String' } },
      });
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body).toEqual({
        type: 'RestException',
        message: expect.stringMatching(
          /^org\.camunda\.bpm\.engine\.MismatchingMessageCorrelationException: Cannot correlate a message 'payment-received' to a single execution - 2 executions/,
        ),
      });
      const all = await rest('POST', 'message', {
        messageName: 'payment-received',
        correlationKeys: { batch: { value: 'B7', type: 'String' } },
        processVariables: { amount: { value: 1.5, type: 'Double' } },
        all: true,
        resultEnabled: true,
        variablesInResultEnabled: true,
      });
      expect([all.status, all.type]).toEqual([200, 'application/json']);
      const results = all.body as { resultType: string; execution: { processInstanceId: string }; variables: Record<string, Typed> }[];
      expect(results.map((r) => r.execution.processInstanceId).sort()).toEqual([...ids].sort());
      expect(results[0]).toEqual({
        resultType: 'Execution',
        execution: { id: expect.any(String), processInstanceId: expect.any(String), ended: false, tenantId: null },
        processInstance: null,
        variables: {
          batch: { type: 'String', value: 'B7', valueInfo: {} },
          amount: { type: 'Double', value: 1.5, valueInfo: {} },
        },
      });
      for (const id of ids) expect(await waitingAt(id)).toEqual(['chase']);
      expect(await waitingAt(bystander)).toEqual([]);
      // Nothing left waiting with B7: `all` correlating nothing is not an error (Camunda's correlateAll).
      const none = await rest('POST', 'message', {
        messageName: 'payment-received',
        correlationKeys: { batch: { value: 'B7', type: 'String' } },
        all: true,
        resultEnabled: true,
      });
      expect([none.status, none.body]).toEqual([200, []]);
    });

    it('correlates to one case by its id', async () => {
      const id = await start('receive-test');
      await start('receive-test');
      // The gateway after the receive task reads `amount`: a message without it would fail the step (as in Camunda).
      const res = await rest('POST', 'message', {
        messageName: 'payment-received',
        processInstanceId: id,
        processVariables: { amount: { type: 'Integer', value: 1 } },
      });
      expect(res.status).toBe(204);
      expect(await waitingAt(id)).toEqual(['chase']);
      expect((await rest('POST', 'message', { messageName: 'payment-received', processInstanceId: 'not-an-id' })).status).toBe(400);
    });

    it('starts a process at its message start event with the business key, answering Camunda’s ProcessDefinition result', async () => {
      const res = await rest('POST', 'message', {
        messageName: 'order-placed',
        businessKey: 'ORDER-88',
        processVariables: { placedAt: { type: 'Date', value: '2026-11-24T00:00:00.000+0000' } },
        resultEnabled: true,
      });
      expect(res.status).toBe(200);
      const [result] = res.body as { processInstance: { id: string } }[];
      expect(result).toEqual({
        resultType: 'ProcessDefinition',
        execution: null,
        processInstance: {
          links: [],
          id: expect.any(String),
          definitionId: expect.any(String),
          businessKey: 'ORDER-88',
          caseInstanceId: null,
          ended: false,
          suspended: false,
          tenantId: null,
        },
      });
      expect(await waitingAt(result.processInstance.id)).toEqual(['u']);
      const [row] = await q('SELECT business_key, variable_types FROM process_instances WHERE id = $1', [result.processInstance.id]);
      expect(row).toEqual({ business_key: 'ORDER-88', variable_types: { placedAt: { type: 'Date' } } });
    });

    it('delivers one message exactly once when ten are sent at the same moment for one waiting case', async () => {
      const id = await start('receive-test', {}, 'PAY-RACE');
      const replies = await Promise.all(
        Array.from({ length: 10 }, () =>
          rest('POST', 'message', {
            messageName: 'payment-received',
            businessKey: 'PAY-RACE',
            processVariables: { amount: { type: 'Double', value: 2 } },
          }),
        ),
      );
      expect(replies.map((r) => r.status).sort()).toEqual([204, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
      expect(await waitingAt(id)).toEqual(['book']);
      const ends = await q(`SELECT count(*)::int AS n FROM engine_history WHERE instance_id = $1 AND activity_id = 'r' AND event = 'end'`, [
        id,
      ]);
      expect(ends[0].n).toBe(1);
    });
  });

  describe('POST /api/messages (our own API)', () => {
    it('correlates for an administrator in plain JSON and answers a miss with a code and a Chinese message', async () => {
      const id = await start('receive-test', {}, 'PAY-API-1');
      const ok = await t
        .http()
        .post('/api/messages')
        .set('Authorization', `Bearer ${admin}`)
        .send({ messageName: 'payment-received', businessKey: 'PAY-API-1', variables: { amount: 2 } });
      expect([ok.status, ok.body]).toEqual([
        200,
        { correlated: [{ resultType: 'Execution', instanceId: id, executionId: expect.any(String) }] },
      ]);
      expect(await waitingAt(id)).toEqual(['book']);
      const miss = await t
        .http()
        .post('/api/messages')
        .set('Authorization', `Bearer ${admin}`)
        .send({ messageName: 'payment-received', businessKey: 'PAY-API-1' });
      expect([miss.status, miss.body.code, miss.body.message]).toEqual([
        400,
        'MESSAGE_NOT_CORRELATED',
        expect.stringContaining('没有等待消息'),
      ]);
      const bad = await t.http().post('/api/messages').set('Authorization', `Bearer ${admin}`).send({ messageName: '' });
      expect(bad.status).toBe(400);
      const clerk = await t.login('luoping');
      const denied = await t.http().post('/api/messages').set('Authorization', `Bearer ${clerk}`).send({ messageName: 'payment-received' });
      expect(denied.status).toBe(403);
      const audit = await q(`SELECT detail FROM audit_log WHERE action = 'process.message' ORDER BY id DESC LIMIT 1`);
      expect(audit[0].detail).toEqual(expect.objectContaining({ instances: [id] }));
    });
  });

  /**
   * Signals need the runtime to emit signal waits and to start at signal start events (libs/engine, the new runtime):
   * these tests drive the real routes and pass once it is in.
   */
  describe('signals', () => {
    beforeAll(async () => {
      for (const xml of [SIGNAL_CATCH, SIGNAL_START, SIGNAL_THROW]) {
        const res = await deploy(xml);
        expect(res.status).toBe(201);
      }
    });
    const startedBySignal = async (): Promise<string[]> =>
      (await q(`SELECT id FROM process_instances WHERE definition_key = 'signal-start-test' ORDER BY started_at`)).map(
        (r: { id: string }) => r.id,
      );

    it('answers a signal without a name with Camunda’s 400', async () => {
      expect((await rest('POST', 'signal', {})).body).toEqual({ type: 'InvalidRequestException', message: 'No signal name given' });
    });

    it('releases every waiting catch and starts every process that starts on it, with typed variables', async () => {
      const ids = [await start('signal-catch-test'), await start('signal-catch-test'), await start('signal-catch-test')];
      for (const id of ids) expect(await waitingAt(id)).toEqual([]);
      expect(await q(`SELECT kind, message_name FROM message_subscriptions WHERE instance_id = $1`, [ids[0]])).toEqual([
        { kind: 'signal', message_name: 'flood-warning' },
      ]);
      const before = await startedBySignal();
      const res = await rest('POST', 'signal', {
        name: 'flood-warning',
        variables: { level: { type: 'Short', value: 3 }, issuedAt: { type: 'Date', value: '2026-07-01T06:00:00.000+0800' } },
      });
      expect([res.status, res.raw.length]).toEqual([204, 0]);
      for (const id of ids) expect(await waitingAt(id)).toEqual(['u']);
      const started = (await startedBySignal()).filter((id) => !before.includes(id));
      expect(started).toHaveLength(1);
      expect(await waitingAt(started[0])).toEqual(['u']);
      const rows = await q(`SELECT variable_types FROM process_instances WHERE id = ANY($1)`, [[...ids, started[0]]]);
      for (const row of rows) expect(row.variable_types).toEqual({ level: { type: 'Short' }, issuedAt: { type: 'Date' } });
    });

    it('reaches only the named case when an execution id is given, and starts nothing then', async () => {
      const [one, two] = [await start('signal-catch-test'), await start('signal-catch-test')];
      const before = await startedBySignal();
      expect((await rest('POST', 'signal', { name: 'flood-warning', executionId: one })).status).toBe(204);
      expect([await waitingAt(one), await waitingAt(two)]).toEqual([['u'], []]);
      expect(await startedBySignal()).toEqual(before);
      const again = await rest('POST', 'signal', { name: 'flood-warning', executionId: one });
      expect([again.status, again.body.type]).toEqual([400, 'InvalidRequestException']);
      // Clean up the one still waiting so later broadcasts count from zero.
      await rest('POST', 'signal', { name: 'flood-warning', executionId: two });
    });

    it('releases each catch exactly once when two broadcasts race, and each broadcast starts its own case', async () => {
      const ids = await Promise.all(Array.from({ length: 5 }, () => start('signal-catch-test')));
      const before = await startedBySignal();
      const replies = await Promise.all([
        rest('POST', 'signal', { name: 'flood-warning' }),
        rest('POST', 'signal', { name: 'flood-warning' }),
      ]);
      expect(replies.map((r) => r.status)).toEqual([204, 204]);
      for (const id of ids) {
        expect(await waitingAt(id)).toEqual(['u']);
        const ends = await q(
          `SELECT count(*)::int AS n FROM engine_history WHERE instance_id = $1 AND activity_id = 'c' AND event = 'end'`,
          [id],
        );
        expect(ends[0].n).toBe(1);
      }
      expect((await startedBySignal()).filter((id) => !before.includes(id))).toHaveLength(2);
    });

    it('delivers a signal a case throws to the other cases waiting for it and to the signal start events', async () => {
      const ids = [await start('signal-catch-test'), await start('signal-catch-test')];
      const before = await startedBySignal();
      const thrower = await start('signal-throw-test');
      expect(await waitingAt(thrower)).toEqual(['u']);
      for (const id of ids) expect(await waitingAt(id)).toEqual(['u']);
      expect((await startedBySignal()).filter((id) => !before.includes(id))).toHaveLength(1);
    });

    it('is open to administrators through /api/signals, in plain JSON', async () => {
      const id = await start('signal-catch-test');
      const res = await t
        .http()
        .post('/api/signals')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'flood-warning', variables: { level: 2 } });
      expect(res.status).toBe(200);
      expect(res.body.reached).toEqual(
        expect.arrayContaining([
          { resultType: 'Execution', instanceId: id, executionId: expect.any(String) },
          { resultType: 'ProcessDefinition', instanceId: expect.any(String), executionId: expect.any(String) },
        ]),
      );
      expect(await waitingAt(id)).toEqual(['u']);
      const clerk = await t.login('luoping');
      expect((await t.http().post('/api/signals').set('Authorization', `Bearer ${clerk}`).send({ name: 'flood-warning' })).status).toBe(
        403,
      );
    });
  });
});
