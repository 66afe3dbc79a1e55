import {
  blankDiagram,
  diffDefinitions,
  findingText,
  findingsByElement,
  flattenSettings,
  isProcessKey,
  joinList,
  refusalFindings,
  snapshotDefinitions,
  splitList,
  workingDaysExpression,
  workingDaysOf,
  type ElementSnapshot,
  type ModdleLike,
} from './modeler.logic';

const el = (
  id: string,
  props: Record<string, string>,
  name = id,
  type = 'bpmn:UserTask',
): ElementSnapshot => ({
  id,
  type,
  name,
  props,
});

describe('流程建模: the diff against the running version', () => {
  it('lists added, removed and changed elements, naming what changed in Chinese', () => {
    const before = [
      el('review', { name: '审核', 'camunda:candidateGroups': 'reviewer' }, '审核'),
      el('toSign', { sourceRef: 'review', targetRef: 'sign' }, '', 'bpmn:SequenceFlow'),
      el('old', { name: '旧步骤' }, '旧步骤'),
    ];
    const after = [
      el(
        'review',
        { name: '审核', 'camunda:candidateGroups': 'reviewer', 'camunda:assignee': 'lina' },
        '审核',
      ),
      el(
        'toSign',
        {
          sourceRef: 'review',
          targetRef: 'sign',
          'conditionExpression.body': "${outcome == 'approve'}",
        },
        '',
        'bpmn:SequenceFlow',
      ),
      el('sign', { name: '签发' }, '签发'),
    ];
    const diff = diffDefinitions(before, after);
    expect(diff.added.map((c) => c.id)).toEqual(['sign']);
    expect(diff.removed.map((c) => c.id)).toEqual(['old']);
    expect(diff.changed).toEqual([
      { id: 'review', type: 'bpmn:UserTask', name: '审核', fields: ['办理人'] },
      { id: 'toSign', type: 'bpmn:SequenceFlow', name: '', fields: ['流转条件'] },
    ]);
  });

  it('finds nothing when only the order of elements differs, and names a type change', () => {
    const a = [el('a', { name: 'A' }), el('b', { name: 'B' })];
    expect(diffDefinitions(a, [...a].reverse())).toEqual({ added: [], removed: [], changed: [] });
    const changed = diffDefinitions([el('a', {})], [el('a', {}, 'a', 'bpmn:ServiceTask')]);
    expect(changed.changed[0].fields).toEqual(['元素类型']);
  });

  it('flattens a moddle element: own attributes, extensions by name, references by id, structure skipped', () => {
    const descriptor = (...names: [string, string, boolean?][]) => ({
      properties: names.map(([name, ns, isReference]) => ({ name, ns: { name: ns }, isReference })),
    });
    const make = (
      type: string,
      d: ReturnType<typeof descriptor>,
      values: Record<string, unknown>,
    ): ModdleLike => ({
      // Like moddle: values by qualified name through get(), and on the instance by local name.
      ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k.split(':')[1], v])),
      $type: type,
      $descriptor: d,
      get: (name: string) => values[name],
    });
    const property = make(
      'camunda:Property',
      descriptor(['name', 'camunda:name'], ['value', 'camunda:value']),
      {
        'camunda:name': 'candidateUnits',
        'camunda:value': 'MLR-XXB',
      },
    );
    const properties = make('camunda:Properties', descriptor(['values', 'camunda:values']), {
      'camunda:values': [property],
    });
    const ext = make('bpmn:ExtensionElements', descriptor(['values', 'bpmn:values']), {
      'bpmn:values': [properties],
    });
    const task = make(
      'bpmn:UserTask',
      descriptor(
        ['id', 'bpmn:id'],
        ['name', 'bpmn:name'],
        ['assignee', 'camunda:assignee'],
        ['incoming', 'bpmn:incoming', true],
        ['extensionElements', 'bpmn:extensionElements'],
      ),
      {
        'bpmn:id': 'review',
        'bpmn:name': '审核',
        'camunda:assignee': 'lina',
        'bpmn:incoming': [{ $type: 'bpmn:SequenceFlow', id: 'f1' }],
        'bpmn:extensionElements': ext,
      },
    );
    expect(flattenSettings(task)).toEqual({
      name: '审核',
      'camunda:assignee': 'lina',
      'extensionElements.values[camunda:Properties#0].camunda:values[candidateUnits].camunda:name':
        'candidateUnits',
      'extensionElements.values[camunda:Properties#0].camunda:values[candidateUnits].camunda:value':
        'MLR-XXB',
    });
    const definitions = {
      $type: 'bpmn:Definitions',
      rootElements: [{ $type: 'bpmn:Process', id: 'p', name: '流程', flowElements: [task] }],
    };
    const snapshot = snapshotDefinitions(definitions as unknown as ModdleLike);
    expect(snapshot.map((s) => s.id)).toEqual(['p', 'review']);
    const diff = diffDefinitions(
      [snapshot[1]],
      [
        {
          ...snapshot[1],
          id: 'review',
          props: {
            ...snapshot[1].props,
            'extensionElements.values[camunda:Properties#0].camunda:values[candidateUnits].camunda:value':
              'MLR-XXZX',
          },
        },
      ],
    );
    expect(diff.changed[0].fields).toEqual(['候选单位']);
  });
});

describe('流程建模: findings on the canvas', () => {
  it('marks each element once, an error winning over warnings', () => {
    const marks = findingsByElement([
      { rule: 'label-required', elementId: 'a', message: 'x', severity: 'warning' },
      { rule: 'single-blank-start-event', elementId: 'a', message: 'y', severity: 'error' },
      { rule: 'unknown-user', elementId: 'b', message: 'z', severity: 'warning' },
      { rule: 'layout-generated', message: 'w', severity: 'warning' },
    ]);
    expect([...marks]).toEqual([
      ['a', 'error'],
      ['b', 'warning'],
    ]);
  });

  it('reads a refused deployment: a list of lint findings, one element, or only a message', () => {
    expect(
      refusalFindings('未通过', [{ rule: 'link-event', elementId: 'l', message: '不支持' }]),
    ).toEqual([{ rule: 'link-event', elementId: 'l', message: '不支持', severity: 'error' }]);
    expect(refusalFindings('脚本任务不支持', { elementId: 'task', line: 3 })).toEqual([
      { rule: 'refused', elementId: 'task', message: '脚本任务不支持', severity: 'error' },
    ]);
    expect(refusalFindings('服务不可用', undefined)).toEqual([
      { rule: 'refused', message: '服务不可用', severity: 'error' },
    ]);
  });
});

describe('流程建模: attribute forms', () => {
  it('reads and writes working-day expressions', () => {
    expect(workingDaysExpression(3)).toBe('${workingDays(3)}');
    expect(workingDaysOf('${workingDays(3)}')).toBe(3);
    expect(workingDaysOf(' ${ workingDays( 10 ) } ')).toBe(10);
    expect(workingDaysOf('${workingDays(receiptDays)}')).toBeNull();
    expect(workingDaysOf('P3D')).toBeNull();
    expect(workingDaysOf(undefined)).toBeNull();
  });

  it('splits and joins comma lists without blanks or repeats', () => {
    expect(splitList(' reviewer, signer ,,')).toEqual(['reviewer', 'signer']);
    expect(joinList(['reviewer', 'reviewer', ' signer'])).toBe('reviewer,signer');
    expect(joinList([])).toBeUndefined();
  });

  it('accepts process keys that are XML ids, and makes a blank diagram that escapes the name', () => {
    expect(isProcessKey('leave-approval')).toBe(true);
    expect(isProcessKey('1abc')).toBe(false);
    expect(isProcessKey('a b')).toBe(false);
    expect(blankDiagram('leave', '请假 & "调休"')).toContain('name="请假 &amp; &quot;调休&quot;"');
  });
});

describe('流程建模: finding texts', () => {
  it('says bpmnlint findings in Chinese and keeps the server’s Chinese messages as they are', () => {
    expect(
      findingText({ rule: 'conditional-flows', message: 'Sequence flow is missing condition' }),
    ).toBe(
      '出口连线缺少流转条件：请设置条件，或将其设为网关的默认路径（conditional-flows: Sequence flow is missing condition）',
    );
    expect(
      findingText({ rule: 'unknown-user', message: '用户任务 a 的办理人“x”不是本平台的用户' }),
    ).toBe('用户任务 a 的办理人“x”不是本平台的用户');
  });
});
