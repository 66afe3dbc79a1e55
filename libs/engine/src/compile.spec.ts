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

describe('step contracts, separation of duties and worker outputs in the diagram', () => {
  const camunda = diagram;

  it('reads camunda:formData, distinctFrom and outputs', async () => {
    const c = await compileDefinition(
      camunda(`<startEvent id="s"><extensionElements><camunda:formData>
          <camunda:formField id="title" label="标题" type="string"><camunda:validation><camunda:constraint name="required" /><camunda:constraint name="maxlength" config="80" /></camunda:validation></camunda:formField>
        </camunda:formData></extensionElements></startEvent>
        <sequenceFlow id="f0" sourceRef="s" targetRef="draft" />
        <userTask id="draft" name="拟稿" /><sequenceFlow id="f1" sourceRef="draft" targetRef="review" />
        <userTask id="review" name="核稿"><extensionElements>
          <camunda:formData>
            <camunda:formField id="copies" label="份数" type="long"><camunda:validation><camunda:constraint name="min" config="1" /></camunda:validation></camunda:formField>
            <camunda:formField id="level" label="密级" type="enum"><camunda:value id="public" name="公开" /><camunda:value id="internal" name="内部" /></camunda:formField>
            <camunda:formField id="who" label="承办人"><camunda:properties><camunda:property id="format" value="uuid" /></camunda:properties></camunda:formField>
          </camunda:formData>
          <camunda:properties><camunda:property name="distinctFrom" value="draft, initiator" /></camunda:properties>
        </extensionElements></userTask>
        <sequenceFlow id="f2" sourceRef="review" targetRef="render" />
        <serviceTask id="render" camunda:type="external" camunda:topic="render"><extensionElements>
          <camunda:properties><camunda:property name="outputs" value="officialPdf" /></camunda:properties></extensionElements></serviceTask>
        <sequenceFlow id="f3" sourceRef="render" targetRef="e" /><endEvent id="e" />`),
    );
    expect(c.elements.get('s')?.form).toEqual([
      { id: 'title', label: '标题', type: 'string', required: true, readonly: false, maxLength: 80 },
    ]);
    expect(c.elements.get('review')?.form).toEqual([
      { id: 'copies', label: '份数', type: 'long', required: false, readonly: false, min: 1 },
      {
        id: 'level',
        label: '密级',
        type: 'enum',
        required: false,
        readonly: false,
        values: [
          { id: 'public', name: '公开' },
          { id: 'internal', name: '内部' },
        ],
      },
      { id: 'who', label: '承办人', type: 'string', required: false, readonly: false, format: 'uuid' },
    ]);
    expect(c.elements.get('draft')?.form).toBeUndefined();
    expect(c.elements.get('review')?.distinctFrom).toEqual(['draft', 'initiator']);
    expect(c.elements.get('render')?.outputs).toEqual(['officialPdf']);
  });

  it.each([
    ['an unknown field type', `<camunda:formField id="x" type="file" />`, '不受支持'],
    ['a field id that is no variable name', `<camunda:formField id="1x" />`, '变量名'],
    ['a duplicated field', `<camunda:formField id="x" /><camunda:formField id="x" />`, '重复'],
    ['an enum without values', `<camunda:formField id="x" type="enum" />`, '取值'],
    [
      'an unknown constraint',
      `<camunda:formField id="x"><camunda:validation><camunda:constraint name="regex" config="a" /></camunda:validation></camunda:formField>`,
      '不受支持',
    ],
    [
      'a bound that is no number',
      `<camunda:formField id="x" type="long"><camunda:validation><camunda:constraint name="max" config="ten" /></camunda:validation></camunda:formField>`,
      '数字',
    ],
  ])('refuses a contract the platform could not enforce: %s', async (_what, fieldXml, words) => {
    const error = await refusal(
      camunda(`<startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="t" />
        <userTask id="t"><extensionElements><camunda:formData>${fieldXml}</camunda:formData></extensionElements></userTask>
        <sequenceFlow id="f1" sourceRef="t" targetRef="e" /><endEvent id="e" />`),
    );
    expect(error.code).toBe('DEFINITION_FORM_INVALID');
    expect(error.elementId).toBe('t');
    expect(error.message).toContain(words);
  });

  it('refuses a distinctFrom naming a step that does not exist', async () => {
    const error = await refusal(
      camunda(`<startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="t" />
        <userTask id="t"><extensionElements><camunda:properties><camunda:property name="distinctFrom" value="nowhere" /></camunda:properties></extensionElements></userTask>
        <sequenceFlow id="f1" sourceRef="t" targetRef="e" /><endEvent id="e" />`),
    );
    expect(error.message).toContain('nowhere');
  });
});
