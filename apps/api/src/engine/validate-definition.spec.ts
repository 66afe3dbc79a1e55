import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';

/**
 * Feature: the modeler asks what a deployment would say before deploying.
 * POST /api/process-definitions/validate answers every finding of deploy() at once, per element, and stores
 * nothing, so the modeler can mark the elements on the canvas.
 */
const NS = ['xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"', 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'].join(' ');

const diagram = (key: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${key}" name="校验示例" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`;

const CLEAN = `<bpmn:startEvent id="start" name="开始" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
  <bpmn:userTask id="task" name="办理" camunda:assignee="lina" />
  <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
  <bpmn:endEvent id="end" name="结束" />`;

interface Finding {
  rule: string;
  elementId?: string;
  message: string;
}
interface Report {
  ok: boolean;
  key: string | null;
  errors: Finding[];
  warnings: Finding[];
}

describe('Feature: validating a diagram without deploying it', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  const validate = (xml: string, token = admin) =>
    t
      .http()
      .post('/api/process-definitions/validate')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/xml')
      .send(xml);
  const stored = (key: string): Promise<unknown[]> =>
    t.app.get(DataSource).query('SELECT id FROM process_definitions WHERE key = $1', [key]);
  const found = (list: Finding[]) => list.map((f) => `${f.rule}:${f.elementId ?? '-'}`);

  it('Scenario: a diagram that would deploy answers ok with its key, and nothing is stored', async () => {
    const res = await validate(diagram('val-clean', CLEAN));
    expect(res.status).toBe(200);
    const report = res.body as Report;
    expect([report.ok, report.key, report.errors]).toEqual([true, 'val-clean', []]);
    expect(found(report.warnings)).toContain('layout-generated:-');
    expect(await stored('val-clean')).toEqual([]);
  });

  it('Scenario: every refusing finding and every warning comes back at once, each naming its element', async () => {
    const body = CLEAN.replace('camunda:assignee="lina"', 'camunda:assignee="nobody-here" camunda:candidateGroups="no-such-role"').concat(
      '<bpmn:startEvent id="start2" name="又一个开始" /><bpmn:sequenceFlow id="f3" sourceRef="start2" targetRef="task" />',
    );
    const res = await validate(diagram('val-findings', body));
    expect(res.status).toBe(200);
    const report = res.body as Report;
    expect(report.ok).toBe(false);
    expect(found(report.errors)).toEqual(expect.arrayContaining(['single-blank-start-event:val-findings']));
    expect(found(report.warnings)).toEqual(expect.arrayContaining(['unknown-user:task', 'unknown-group:task']));
    // deploy() refuses the same diagram for the same reason.
    const deploy = await t
      .http()
      .post('/api/process-definitions')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/xml')
      .send(diagram('val-findings', body));
    expect([deploy.status, deploy.body.code]).toEqual([400, 'DEFINITION_LINT_FAILED']);
    expect(await stored('val-findings')).toEqual([]);
  });

  it('Scenario: what cannot run (a script) is an error on its element; a document that is no BPMN is an error too', async () => {
    const script = await validate(
      diagram(
        'val-script',
        CLEAN.replace(
          '<bpmn:userTask id="task" name="办理" camunda:assignee="lina" />',
          '<bpmn:scriptTask id="task" scriptFormat="groovy"><bpmn:script>x</bpmn:script></bpmn:scriptTask>',
        ),
      ),
    );
    expect(script.status).toBe(200);
    expect((script.body as Report).ok).toBe(false);
    expect((script.body as Report).errors[0]).toEqual(expect.objectContaining({ elementId: 'task' }));
    const junk = await validate('<a><b></a>');
    expect(junk.status).toBe(200);
    expect((junk.body as Report).ok).toBe(false);
    expect((junk.body as Report).errors).toHaveLength(1);
    const empty = await validate('');
    expect([empty.status, empty.body.code]).toEqual([400, 'DEFINITION_MISSING']);
  });

  it('Scenario: only the system administrator may validate', async () => {
    const other = await t.login('lina');
    const res = await validate(diagram('val-clean', CLEAN), other);
    expect(res.status).toBe(403);
  });
});
