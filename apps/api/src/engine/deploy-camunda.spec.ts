import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';

/**
 * Feature: deploy what Camunda 7 deploys.
 * Diagrams written the way Camunda Modeler and the Camunda 7 engine's test resources write them: each
 * deploys (201, with the warnings the modeller should see) or is refused with 400 naming the element,
 * never 500.
 */
const NS = [
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
  'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"',
  'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"',
  'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"',
  'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
].join(' ');

const shape = (id: string, x: number) =>
  `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${x}" y="80" width="36" height="36" /></bpmndi:BPMNShape>`;
const edge = (id: string, x: number) =>
  `<bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}"><di:waypoint x="${x}" y="98" /><di:waypoint x="${x + 60}" y="98" /></bpmndi:BPMNEdge>`;

/** A Modeler file: `bpmn:` prefix, generated ids, layout for the given elements. */
function modeler(key: string, body: string, di: string[] = [], declaration = '<?xml version="1.0" encoding="UTF-8"?>'): string {
  const layout =
    di.length === 0
      ? ''
      : `<bpmndi:BPMNDiagram id="BPMNDiagram_1"><bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${key}">${di.join('')}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>`;
  return `${declaration}
<bpmn:definitions ${NS} id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0">
  <bpmn:process id="${key}" isExecutable="true" camunda:historyTimeToLive="180">
    ${body}
  </bpmn:process>
  ${layout}
</bpmn:definitions>`;
}

/** start → user task → end, nothing named: the shape of most Camunda engine test resources. */
const UNNAMED = `<bpmn:startEvent id="StartEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_1" />
    <bpmn:userTask id="Activity_1" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_1" targetRef="Event_1" />
    <bpmn:endEvent id="Event_1" />`;
const UNNAMED_DI = [shape('StartEvent_1', 100), edge('Flow_1', 136), shape('Activity_1', 200), edge('Flow_2', 236), shape('Event_1', 300)];

interface Warning {
  rule: string;
  elementId?: string;
  message: string;
}

describe('Feature: deploying diagrams written for Camunda 7', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  const deploy = (xml: string | Buffer, type = 'application/xml') =>
    t.http().post('/api/process-definitions').set('Authorization', `Bearer ${admin}`).set('Content-Type', type).send(xml);
  const rules = (warnings: Warning[]) => warnings.map((w) => `${w.rule}:${w.elementId ?? '-'}`);
  const storedXml = async (key: string): Promise<string> => {
    const res = await t.http().get(`/api/process-definitions/${key}/xml`).set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    return (res.body as { xml: string }).xml;
  };

  it('Scenario: unnamed events and flows deploy, and label-required comes back as a warning per element', async () => {
    const res = await deploy(modeler('cam-unnamed', UNNAMED, UNNAMED_DI));
    expect(res.status).toBe(201);
    expect(res.body).toEqual(expect.objectContaining({ key: 'cam-unnamed', version: 1, created: true }));
    expect(rules(res.body.warnings)).toEqual(
      expect.arrayContaining(['label-required:StartEvent_1', 'label-required:Activity_1', 'label-required:Event_1']),
    );
    // The same content again: no new version, the same warnings.
    const again = await deploy(modeler('cam-unnamed', UNNAMED, UNNAMED_DI));
    expect(again.body).toEqual(expect.objectContaining({ version: 1, created: false }));
    expect(again.body.warnings).toEqual(res.body.warnings);
  });

  it('Scenario: an ISO-8859-1 file with umlauts is read as it declares', async () => {
    const xml = modeler(
      'cam-latin1',
      UNNAMED.replace('<bpmn:userTask id="Activity_1" />', '<bpmn:userTask id="Activity_1" name="Prüfung der Größe" />'),
      UNNAMED_DI,
      '<?xml version="1.0" encoding="ISO-8859-1"?>',
    );
    const res = await deploy(Buffer.from(xml, 'latin1'));
    expect(res.status).toBe(201);
    const stored = await storedXml('cam-latin1');
    expect(stored).toContain('name="Prüfung der Größe"');
    expect(stored).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
  });

  it('Scenario: GBK and GB18030 files with Chinese names are read as they declare', async () => {
    const gbk = (text: string) => Buffer.from(text, 'latin1');
    const shenpi = Buffer.from([0xc9, 0xf3, 0xc5, 0xfa]); // 审批 in GBK
    for (const [key, encoding] of [
      ['cam-gbk', 'GBK'],
      ['cam-gb18030', 'GB18030'],
    ]) {
      const [before, after] = modeler(
        key,
        UNNAMED.replace('<bpmn:userTask id="Activity_1" />', '<bpmn:userTask id="Activity_1" name="@@" />'),
        UNNAMED_DI,
        `<?xml version="1.0" encoding="${encoding}"?>`,
      ).split('@@');
      const res = await deploy(Buffer.concat([gbk(before), shenpi, gbk(after)]));
      expect([res.status, res.body.key]).toEqual([201, key]);
      expect(await storedXml(key)).toContain('name="审批"');
    }
  });

  it('Scenario: a charset in the Content-Type wins over the declaration; an unknown encoding is a 400', async () => {
    const xml = modeler(
      'cam-declared-latin1-sent-utf8',
      UNNAMED.replace('<bpmn:userTask id="Activity_1" />', '<bpmn:userTask id="Activity_1" name="办理" />'),
      UNNAMED_DI,
      '<?xml version="1.0" encoding="ISO-8859-1"?>',
    );
    const res = await deploy(Buffer.from(xml, 'utf8'), 'application/xml; charset=utf-8');
    expect(res.status).toBe(201);
    expect(await storedXml('cam-declared-latin1-sent-utf8')).toContain('name="办理"');
    const unknown = await deploy(Buffer.from(modeler('cam-ebcdic', UNNAMED, UNNAMED_DI, '<?xml version="1.0" encoding="X-EBCDIC-42"?>')));
    expect([unknown.status, unknown.body.code]).toEqual([400, 'DEFINITION_ENCODING_UNSUPPORTED']);
    const broken = await deploy(Buffer.from([...Buffer.from('<?xml version="1.0" encoding="UTF-8"?><a>'), 0xff, 0xfe, 0x41]));
    expect([broken.status, broken.body.code]).toEqual([400, 'DEFINITION_ENCODING_INVALID']);
  });

  it('Scenario: a diagram without layout deploys with a generated one', async () => {
    const res = await deploy(modeler('cam-no-di', UNNAMED));
    expect(res.status).toBe(201);
    expect(rules(res.body.warnings)).toContain('layout-generated:-');
    expect(await storedXml('cam-no-di')).toContain('BPMNShape');
  });

  it('Scenario: layout shapes pointing at missing elements are dropped with a warning', async () => {
    const res = await deploy(modeler('cam-dangling-di', UNNAMED, [...UNNAMED_DI, shape('Activity_gone', 400), edge('Flow_gone', 440)]));
    expect(res.status).toBe(201);
    expect(rules(res.body.warnings)).toEqual(expect.arrayContaining(['di-unresolved:Activity_gone_di', 'di-unresolved:Flow_gone_di']));
    const stored = await storedXml('cam-dangling-di');
    expect(stored).not.toContain('Activity_gone');
    expect(stored).toContain('Activity_1_di');
  });

  it('Scenario: a model reference that does not resolve is still refused, naming the element', async () => {
    const res = await deploy(modeler('cam-bad-ref', UNNAMED.replace('targetRef="Event_1"', 'targetRef="Event_missing"'), UNNAMED_DI));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/Event_missing/);
  });

  it('Scenario: sequence flows without ids get generated ids, as Camunda deploys them', async () => {
    const body = UNNAMED.replace('<bpmn:sequenceFlow id="Flow_2" sourceRef', '<bpmn:sequenceFlow name="a > b" sourceRef');
    const res = await deploy(modeler('cam-flow-no-id', body));
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'sequence-flow-id', elementId: 'SequenceFlow_generated_1' })]),
    );
    expect(await storedXml('cam-flow-no-id')).toMatch(
      /<bpmn:sequenceFlow id="SequenceFlow_generated_1" name="a &gt; b"|id="SequenceFlow_generated_1"/,
    );
    const started = await t.http().post('/api/process-instances').set('Authorization', `Bearer ${admin}`).send({ key: 'cam-flow-no-id' });
    expect(started.status).toBe(201);
  });

  it('Scenario: a receive task needs its message; a message end or throw event needs none', async () => {
    const message = '<bpmn:message id="Message_1" name="paymentReceived" />';
    const receive = (ref: string) => `<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />
      <bpmn:receiveTask id="wait"${ref} /><bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e" /><bpmn:endEvent id="e" />`;
    const withMessage = await deploy(
      modeler('cam-receive', receive(' messageRef="Message_1"')).replace('<bpmn:process', `${message}<bpmn:process`),
    );
    expect(withMessage.status).toBe(201);
    const without = await deploy(modeler('cam-receive-bare', receive('')));
    expect([without.status, without.body.details?.elementId]).toEqual([400, 'wait']);

    const external = await deploy(
      modeler(
        'cam-message-end',
        `<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="notify" />
        <bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="e" />
        <bpmn:endEvent id="e"><bpmn:messageEventDefinition camunda:type="external" camunda:topic="send-mail" /></bpmn:endEvent>`,
      ),
    );
    expect(external.status).toBe(201);
    // Camunda runs such an event as an external task: so do we, no warning.
    expect(rules(external.body.warnings).filter((r) => r.startsWith('external'))).toEqual([]);
    const java = await deploy(
      modeler(
        'cam-message-java',
        `<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e" />
        <bpmn:endEvent id="e"><bpmn:messageEventDefinition camunda:class="org.example.SendMail" /></bpmn:endEvent>`,
      ),
    );
    expect([java.status, java.body.code, java.body.details?.elementId]).toEqual([400, 'DEFINITION_DELEGATE_REFUSED', 'e']);
  });

  it('Scenario: potentialOwner offers the task to its users and groups like Camunda', async () => {
    const res = await deploy(
      modeler(
        'cam-potential-owner',
        `<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="task" />
        <bpmn:userTask id="task" name="my task"><bpmn:potentialOwner><bpmn:resourceAssignmentExpression>
          <bpmn:formalExpression>user(kermit), group(management), accountancy</bpmn:formalExpression>
        </bpmn:resourceAssignmentExpression></bpmn:potentialOwner></bpmn:userTask>
        <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="e" /><bpmn:endEvent id="e" />`,
      ),
    );
    expect(res.status).toBe(201);
    const started = await t
      .http()
      .post('/api/process-instances')
      .set('Authorization', `Bearer ${admin}`)
      .send({ key: 'cam-potential-owner' });
    expect(started.status).toBe(201);
    const tasks: { candidate_users: string[]; candidate_groups: string[] }[] = await t.app
      .get(DataSource)
      .query('SELECT candidate_users, candidate_groups FROM tasks WHERE instance_id = $1', [started.body.id]);
    expect(tasks).toEqual([{ candidate_users: ['kermit'], candidate_groups: ['management', 'accountancy'] }]);
  });

  it('Scenario: ISO repeating cycles and Camunda (Quartz) cron cycles deploy; a cycle that is neither is refused naming the element', async () => {
    const timerStart = (
      cycle: string,
    ) => `<bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${cycle}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="task" /><bpmn:userTask id="task" />`;
    expect((await deploy(modeler('cam-cycle-repeat', timerStart('R3/PT10M')))).status).toBe(201);
    expect((await deploy(modeler('cam-cycle-forever', timerStart('R/2027-01-01T08:00:00+08:00/P1D')))).status).toBe(201);
    expect((await deploy(modeler('cam-cycle-cron', timerStart('0 0/5 * * * ?')))).status).toBe(201);
    const boundary = await deploy(
      modeler(
        'cam-boundary-cron',
        `${UNNAMED}<bpmn:boundaryEvent id="remind" attachedToRef="Activity_1" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>0 0 9 * * ?</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>`,
      ),
    );
    expect(boundary.status).toBe(201);
    const badCron = await deploy(modeler('cam-cycle-bad-cron', timerStart('0 0 25 * * ?')));
    expect([badCron.status, badCron.body.code, badCron.body.details?.elementId]).toEqual([400, 'DEFINITION_TIMER_INVALID', 'tick']);
    const garbage = await deploy(modeler('cam-cycle-garbage', timerStart('every tuesday')));
    expect([garbage.status, garbage.body.code, garbage.body.details?.elementId]).toEqual([400, 'DEFINITION_TIMER_INVALID', 'tick']);
  });

  it('Scenario: what cannot run is still refused, naming the element and what to use instead', async () => {
    const script = await deploy(
      modeler(
        'cam-script',
        UNNAMED.replace(
          '<bpmn:userTask id="Activity_1" />',
          '<bpmn:scriptTask id="Activity_1" scriptFormat="groovy"><bpmn:script>x</bpmn:script></bpmn:scriptTask>',
        ),
      ),
    );
    expect([script.status, script.body.details?.elementId]).toEqual([400, 'Activity_1']);
    expect(script.body.message).toMatch(/外部任务/);
    const twoStarts = await deploy(
      modeler(
        'cam-two-starts',
        `${UNNAMED}<bpmn:startEvent id="StartEvent_2" /><bpmn:sequenceFlow id="Flow_3" sourceRef="StartEvent_2" targetRef="Activity_1" />`,
      ),
    );
    expect([twoStarts.status, twoStarts.body.code]).toEqual([400, 'DEFINITION_LINT_FAILED']);
    expect(twoStarts.body.message).toMatch(/single-blank-start-event/);
  });
});
