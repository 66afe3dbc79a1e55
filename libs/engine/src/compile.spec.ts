import { compileDefinition, DefinitionError } from './compile';
import { diagram } from './testing/case';

async function refusal(xml: string): Promise<DefinitionError> {
  try {
    await compileDefinition(xml);
  } catch (error) {
    if (error instanceof DefinitionError) return error;
    throw error;
  }
  throw new Error('expected the diagram to be refused');
}

describe('compileDefinition', () => {
  it('reads which outcomes each user task routes and where a return may go', async () => {
    const c = await compileDefinition(
      diagram(`<startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="draft" />
        <userTask id="draft" /><sequenceFlow id="f1" sourceRef="draft" targetRef="review" />
        <userTask id="review" /><sequenceFlow id="f2" sourceRef="review" targetRef="gw" />
        <exclusiveGateway id="gw" />
        <sequenceFlow id="ok" sourceRef="gw" targetRef="sign"><conditionExpression>\${outcome == 'approve'}</conditionExpression></sequenceFlow>
        <sequenceFlow id="back" sourceRef="gw" targetRef="draft"><conditionExpression>\${outcome eq 'return'}</conditionExpression></sequenceFlow>
        <sequenceFlow id="no" sourceRef="gw" targetRef="e"><conditionExpression>\${outcome == "reject"}</conditionExpression></sequenceFlow>
        <userTask id="sign" /><sequenceFlow id="f3" sourceRef="sign" targetRef="gw2" /><exclusiveGateway id="gw2" />
        <sequenceFlow id="ok2" sourceRef="gw2" targetRef="e"><conditionExpression>\${outcome == 'approve'}</conditionExpression></sequenceFlow>
        <sequenceFlow id="r1" sourceRef="gw2" targetRef="draft"><conditionExpression>\${outcome == 'return' &amp;&amp; returnTo == 'draft'}</conditionExpression></sequenceFlow>
        <sequenceFlow id="r2" sourceRef="gw2" targetRef="review"><conditionExpression>\${outcome == 'return' &amp;&amp; returnTo == 'review'}</conditionExpression></sequenceFlow>
        <endEvent id="e" />`),
    );
    expect(c.elements.get('draft')?.decisions).toBeUndefined();
    expect(c.elements.get('review')?.decisions).toEqual({ outcomes: ['approve', 'return', 'reject'], returnTargets: ['draft'] });
    expect(c.elements.get('sign')?.decisions).toEqual({ outcomes: ['approve', 'return'], returnTargets: ['draft', 'review'] });
  });

  it('treats every completion of a multi-instance task as a vote: 同意 and 不同意 are both routed', async () => {
    const c = await compileDefinition(
      diagram(`<startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="vote" />
        <userTask id="vote" camunda:assignee="\${voter}"><multiInstanceLoopCharacteristics camunda:collection="\${voters}" camunda:elementVariable="voter" /></userTask>
        <sequenceFlow id="f1" sourceRef="vote" targetRef="e" /><endEvent id="e" />`),
    );
    expect(c.elements.get('vote')?.decisions).toEqual({ outcomes: ['approve', 'reject'], returnTargets: [] });
  });

  it('reads the key, the start events and the Camunda attributes of a valid diagram', async () => {
    const compiled = await compileDefinition(
      diagram(
        '<startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="t" /><serviceTask id="t" camunda:type="external" camunda:topic="mail" />',
        '',
        'notice',
      ),
    );
    expect(compiled.key).toBe('notice');
    expect(compiled.startEvents).toEqual([{ id: 's', kind: 'none', messageName: undefined }]);
    expect(compiled.topics).toEqual(['mail']);
  });

  it('refuses DTDs and entities (XXE, entity bombs)', async () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>${diagram('<startEvent id="s" />').replace(/^<\?xml[^>]*>/, '')}`;
    expect((await refusal(xml)).code).toBe('DEFINITION_DTD_REFUSED');
  });

  it('names the line and column of a parse error', async () => {
    const error = await refusal(
      '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<process id="p">\n  <startEvent id="s" \n</process></definitions>',
    );
    expect(error.code).toBe('DEFINITION_PARSE_ERROR');
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/第 4 行/);
  });

  it.each([
    [
      'a script task',
      '<startEvent id="s" /><scriptTask id="x" scriptFormat="javascript"><script>process.exit()</script></scriptTask>',
      'DEFINITION_ELEMENT_REFUSED',
    ],
    [
      'a script condition',
      '<startEvent id="s" /><sequenceFlow id="x" sourceRef="s" targetRef="e"><conditionExpression xsi:type="tFormalExpression" language="javascript">true</conditionExpression></sequenceFlow><endEvent id="e" />',
      'DEFINITION_SCRIPT_REFUSED',
    ],
    ['a Java delegate', '<startEvent id="s" /><serviceTask id="x" camunda:class="org.Evil" />', 'DEFINITION_SERVICE_TASK_UNSUPPORTED'],
    [
      'an execution listener',
      '<startEvent id="s"><extensionElements><camunda:executionListener event="start" class="org.Evil" /></extensionElements></startEvent>',
      'DEFINITION_LISTENER_REFUSED',
    ],
    ['a broken expression', '<startEvent id="s" /><userTask id="x" camunda:assignee="${a +}" />', 'DEFINITION_EXPRESSION_INVALID'],
  ])('refuses %s, naming the element', async (_what, body, code) => {
    const error = await refusal(diagram(body));
    expect(error.code).toBe(code);
    expect(['x', 's']).toContain(error.elementId);
  });

  it('refuses a file with no executable process', async () => {
    const error = await refusal(diagram('<startEvent id="s" />').replace('isExecutable="true"', 'isExecutable="false"'));
    expect(error.message).toMatch(/恰好包含一个可执行流程/);
  });
});
