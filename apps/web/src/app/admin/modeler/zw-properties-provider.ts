// The 政务设置 group of the properties panel: people picked from our users, roles and units, working-day
// deadlines and timers, common conditions and our external-task topics. It writes exactly the Camunda 7
// attributes and extension elements the engine reads (docs/adr/0004-step-contract.md, docs/modeler.md).
// Entries are preact components of @bpmn-io/properties-panel, written with h() since the web app has no JSX.
import {
  SelectEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';
import { ROLES, ROLE_LABELS, type Role } from '@zhengwu/contracts';
import { joinList, splitList, workingDaysExpression, workingDaysOf } from './modeler.logic';

/** The people, units and topics the pickers offer, loaded by the page before the modeler starts. */
export interface PickerData {
  users: { username: string; displayName: string; unitName: string }[];
  units: { code: string; name: string }[];
  topics: { topic: string; label: string }[];
}

/** A bpmn-moddle element as far as this file reads it (bpmn-js ships no types for these). */
interface Bo {
  $type: string;
  $parent?: Bo;
  id?: string;
  get(name: string): unknown;
  set(name: string, value: unknown): void;
}
interface Shape {
  id: string;
  type: string;
  businessObject: Bo;
  source?: Shape;
}
interface Modeling {
  updateProperties(element: Shape, props: Record<string, unknown>): void;
  updateModdleProperties(element: Shape, target: Bo, props: Record<string, unknown>): void;
}
interface BpmnFactory {
  create(type: string, attrs?: Record<string, unknown>): Bo;
}
type Option = { value: string; label: string };
type Group = { id: string; label: string; entries: Entry[] };
type Entry = {
  id: string;
  component: (props: { element: Shape; id: string }) => unknown;
  isEdited?: unknown;
};

/** Groups of the Camunda panel shown on this page; the rest configure what the engine refuses or ignores. */
const KEPT_GROUPS = new Set([
  'general',
  'zw',
  'CamundaPlatform__UserAssignment',
  'CamundaPlatform__FormData',
  'CamundaPlatform__Form',
  'condition',
  'CamundaPlatform__Condition',
  'CamundaPlatform__Implementation',
  'CamundaPlatform__ExternalTask',
  'timer',
  'multiInstance',
  'message',
  'signal',
  'error',
  'CamundaPlatform__ExtensionProperties',
  'documentation',
]);

const CLEAR = '__clear__';

const is = (bo: Bo | undefined, type: string): boolean =>
  !!bo &&
  (bo.$type === type ||
    (bo as unknown as { $instanceOf?(t: string): boolean }).$instanceOf?.(type) === true);

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The camunda:property of the element's extension elements with this name, if any. */
function extensionProperty(bo: Bo, name: string): string {
  const ext = bo.get('extensionElements') as Bo | undefined;
  const props = ((ext?.get('values') as Bo[] | undefined) ?? []).find((v) =>
    is(v, 'camunda:Properties'),
  );
  const found = ((props?.get('values') as Bo[] | undefined) ?? []).find(
    (p) => p.get('name') === name,
  );
  return str(found?.get('value'));
}

/** Sets (or removes, when value is undefined) `<camunda:property name value>` in the element's extension elements. */
function setExtensionProperty(
  element: Shape,
  modeling: Modeling,
  factory: BpmnFactory,
  name: string,
  value: string | undefined,
): void {
  const bo = element.businessObject;
  let ext = bo.get('extensionElements') as Bo | undefined;
  if (!ext) {
    if (value === undefined) return;
    ext = factory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  const values = (ext.get('values') as Bo[]) ?? [];
  let props = values.find((v) => is(v, 'camunda:Properties'));
  if (!props) {
    if (value === undefined) return;
    props = factory.create('camunda:Properties', { values: [] });
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...values, props] });
  }
  const list = (props.get('values') as Bo[]) ?? [];
  const existing = list.find((p) => p.get('name') === name);
  if (value === undefined) {
    if (existing)
      modeling.updateModdleProperties(element, props, {
        values: list.filter((p) => p !== existing),
      });
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const property = factory.create('camunda:Property', { name, value });
  property.$parent = props;
  modeling.updateModdleProperties(element, props, { values: [...list, property] });
}

/** A select that adds an entry to a comma list (or clears it); the description lists the current entries. */
function listPicker(options: {
  id: string;
  label: string;
  element: Shape;
  current: string[];
  choices: Option[];
  describe: (value: string) => string;
  write: (values: string[]) => void;
}): unknown {
  const { id, label, element, current, choices, describe, write } = options;
  return h(SelectEntry, {
    id,
    element,
    label,
    description: current.length ? `当前：${current.map(describe).join('、')}` : '当前：未设置',
    getValue: () => '',
    setValue: (value: string) => {
      if (value === CLEAR) write([]);
      else if (value) write([...current, value]);
    },
    getOptions: () => [
      { value: '', label: '（选择以添加）' },
      ...choices.filter((c) => !current.includes(c.value)),
      ...(current.length ? [{ value: CLEAR, label: '清空全部' }] : []),
    ],
  });
}

function peopleEntries(data: PickerData): Entry[] {
  const userLabel = (username: string) => {
    const user = data.users.find((u) => u.username === username);
    return user ? `${user.displayName}（${user.username}）` : username;
  };
  const userChoices = (): Option[] =>
    data.users.map((u) => ({
      value: u.username,
      label: `${u.displayName}（${u.username}）· ${u.unitName}`,
    }));
  const roleLabel = (code: string) =>
    ROLE_LABELS[code as Role] ? `${ROLE_LABELS[code as Role]}（${code}）` : code;
  const unitLabel = (code: string) => {
    const unit = data.units.find((u) => u.code === code);
    return unit ? `${unit.name}（${code}）` : code;
  };

  const Assignee = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    const current = str(element.businessObject.get('camunda:assignee'));
    return h(SelectEntry, {
      id,
      element,
      label: '办理人',
      description:
        '按用户名写入 camunda:assignee；表达式（如 ${drafter}）请在下方“办理人设置（原始值）”填写',
      getValue: () => current,
      setValue: (value: string) =>
        modeling.updateProperties(element, { 'camunda:assignee': value || undefined }),
      getOptions: () => [
        { value: '', label: '（不指定）' },
        ...(current && !data.users.some((u) => u.username === current)
          ? [{ value: current, label: current }]
          : []),
        ...userChoices(),
      ],
    });
  };
  const CandidateUsers = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    return listPicker({
      id,
      label: '候选人',
      element,
      current: splitList(str(element.businessObject.get('camunda:candidateUsers'))),
      choices: userChoices(),
      describe: userLabel,
      write: (values) =>
        modeling.updateProperties(element, { 'camunda:candidateUsers': joinList(values) }),
    });
  };
  const CandidateGroups = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    return listPicker({
      id,
      label: '候选组（角色）',
      element,
      current: splitList(str(element.businessObject.get('camunda:candidateGroups'))),
      choices: ROLES.map((r) => ({ value: r, label: roleLabel(r) })),
      describe: roleLabel,
      write: (values) =>
        modeling.updateProperties(element, { 'camunda:candidateGroups': joinList(values) }),
    });
  };
  const CandidateUnits = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    const factory = useService('bpmnFactory') as BpmnFactory;
    return listPicker({
      id,
      label: '候选单位',
      element,
      current: splitList(extensionProperty(element.businessObject, 'candidateUnits')),
      choices: data.units.map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` })),
      describe: unitLabel,
      write: (values) =>
        setExtensionProperty(element, modeling, factory, 'candidateUnits', joinList(values)),
    });
  };
  const DueDays = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    const debounce = useService('debounceInput') as unknown;
    return h(TextFieldEntry, {
      id,
      element,
      label: '办理时限（工作日）',
      description: '写入 camunda:dueDate="${workingDays(n)}"，按法定工作日计算（含调休）',
      debounce,
      getValue: () => {
        const days = workingDaysOf(str(element.businessObject.get('camunda:dueDate')));
        return days === null ? '' : String(days);
      },
      setValue: (value: string) => {
        if (!/^\d{1,3}$/.test(value ?? '')) return;
        modeling.updateProperties(element, {
          'camunda:dueDate': Number(value) > 0 ? workingDaysExpression(Number(value)) : undefined,
        });
      },
      validate: (value: string) =>
        value && !/^\d{1,3}$/.test(value) ? '请填写 0 至 999 的整数天数' : null,
    });
  };
  // 不得由同一人办理 (extension property distinctFrom): the holder of this step must not be the person who
  // started the case or who held one of the chosen earlier steps (separation of duties, e.g. 核稿 ≠ 拟稿).
  const DistinctFrom = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    const factory = useService('bpmnFactory') as BpmnFactory;
    const registry = useService('elementRegistry') as {
      filter(fn: (e: Shape) => boolean): Shape[];
    };
    const steps = registry
      .filter((e) => is(e.businessObject, 'bpmn:UserTask') && e.id !== element.id)
      .map((e) => ({ value: e.id, label: stepLabel(e) }));
    const choices: Option[] = [{ value: 'initiator', label: '发起人（initiator）' }, ...steps];
    return listPicker({
      id,
      label: '不得由同一人办理',
      element,
      current: splitList(extensionProperty(element.businessObject, 'distinctFrom')),
      choices,
      describe: (value) => choices.find((c) => c.value === value)?.label ?? value,
      write: (values) =>
        setExtensionProperty(element, modeling, factory, 'distinctFrom', joinList(values)),
    });
  };
  return [
    { id: 'zw-assignee', component: Assignee, isEdited: isSelectEntryEdited },
    { id: 'zw-candidate-users', component: CandidateUsers },
    { id: 'zw-candidate-groups', component: CandidateGroups },
    { id: 'zw-candidate-units', component: CandidateUnits },
    { id: 'zw-due-days', component: DueDays, isEdited: isTextFieldEntryEdited },
    { id: 'zw-distinct-from', component: DistinctFrom },
  ];
}

/** A user task as the picker names it: its name and id, or the id alone. */
function stepLabel(element: Shape): string {
  const name = str(element.businessObject.get('name')).trim();
  return name ? `${name}（${element.id}）` : element.id;
}

const OUTCOMES: Option[] = [
  { value: "${outcome == 'approve'}", label: '同意（outcome == approve）' },
  { value: "${outcome == 'return'}", label: '退回（outcome == return）' },
  { value: "${outcome == 'reject'}", label: '驳回（outcome == reject）' },
];

function conditionEntries(): Entry[] {
  const Preset = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    const factory = useService('bpmnFactory') as BpmnFactory;
    const body = str(
      (element.businessObject.get('conditionExpression') as Bo | undefined)?.get('body'),
    );
    return h(SelectEntry, {
      id,
      element,
      label: '常用条件',
      description: '办理结果（outcome）由审批操作写入；其他条件请在“流转条件”中填写表达式',
      getValue: () => (OUTCOMES.some((o) => o.value === body) ? body : ''),
      setValue: (value: string) => {
        if (!value) return;
        modeling.updateProperties(element, {
          conditionExpression: factory.create('bpmn:FormalExpression', { body: value }),
        });
      },
      getOptions: () => [
        { value: '', label: body ? '（自定义表达式）' : '（未设置）' },
        ...OUTCOMES,
      ],
    });
  };
  return [{ id: 'zw-condition-preset', component: Preset, isEdited: isSelectEntryEdited }];
}

function topicEntries(data: PickerData): Entry[] {
  const Topic = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    const bo = element.businessObject;
    const current = bo.get('camunda:type') === 'external' ? str(bo.get('camunda:topic')) : '';
    return h(SelectEntry, {
      id,
      element,
      label: '外部任务主题',
      description:
        '由后台工作进程（worker）按主题领取执行；写入 camunda:type="external" 与 camunda:topic',
      getValue: () => current,
      setValue: (value: string) =>
        modeling.updateProperties(
          element,
          value
            ? { 'camunda:type': 'external', 'camunda:topic': value }
            : { 'camunda:type': undefined, 'camunda:topic': undefined },
        ),
      getOptions: () => [
        { value: '', label: '（不是外部任务）' },
        ...(current && !data.topics.some((t) => t.topic === current)
          ? [{ value: current, label: current }]
          : []),
        ...data.topics.map((t) => ({ value: t.topic, label: `${t.label}（${t.topic}）` })),
      ],
    });
  };
  return [{ id: 'zw-topic', component: Topic, isEdited: isSelectEntryEdited }];
}

function timerEntries(): Entry[] {
  const Days = ({ element, id }: { element: Shape; id: string }) => {
    const modeling = useService('modeling') as Modeling;
    const factory = useService('bpmnFactory') as BpmnFactory;
    const debounce = useService('debounceInput') as unknown;
    const timer = ((element.businessObject.get('eventDefinitions') as Bo[] | undefined) ?? []).find(
      (d) => is(d, 'bpmn:TimerEventDefinition'),
    )!;
    const duration = str((timer.get('timeDuration') as Bo | undefined)?.get('body'));
    return h(TextFieldEntry, {
      id,
      element,
      label: '等待工作日数',
      description: '写入 timeDuration="${workingDays(n)}"，按法定工作日计算（含调休）',
      debounce,
      getValue: () => {
        const days = workingDaysOf(duration);
        return days === null ? '' : String(days);
      },
      setValue: (value: string) => {
        if (!/^\d{1,3}$/.test(value ?? '') || Number(value) === 0) return;
        modeling.updateModdleProperties(element, timer, {
          timeDuration: factory.create('bpmn:FormalExpression', {
            body: workingDaysExpression(Number(value)),
          }),
          timeDate: undefined,
          timeCycle: undefined,
        });
      },
      validate: (value: string) =>
        value && !/^[1-9]\d{0,2}$/.test(value) ? '请填写 1 至 999 的整数天数' : null,
    });
  };
  return [{ id: 'zw-timer-days', component: Days, isEdited: isTextFieldEntryEdited }];
}

function hasTimer(bo: Bo): boolean {
  return ((bo.get('eventDefinitions') as Bo[] | undefined) ?? []).some((d) =>
    is(d, 'bpmn:TimerEventDefinition'),
  );
}

function isConditionalFlow(element: Shape): boolean {
  const source = element.source?.businessObject;
  if (!is(element.businessObject, 'bpmn:SequenceFlow') || !source) return false;
  if (source.get('default') === element.businessObject) return false;
  return (
    is(source, 'bpmn:ExclusiveGateway') ||
    is(source, 'bpmn:InclusiveGateway') ||
    is(source, 'bpmn:Activity')
  );
}

/** Registers the 政务设置 group after the Camunda provider and keeps only the groups listed in KEPT_GROUPS. */
export class ZwPropertiesProvider {
  static $inject = ['propertiesPanel', 'config.zw'];

  constructor(
    propertiesPanel: { registerProvider(priority: number, provider: unknown): void },
    private readonly data: PickerData,
  ) {
    propertiesPanel.registerProvider(200, this);
  }

  getGroups(element: Shape): (groups: Group[]) => Group[] {
    return (groups) => {
      const bo = element.businessObject;
      const entries: Entry[] = [];
      if (is(bo, 'bpmn:UserTask')) entries.push(...peopleEntries(this.data));
      if (isConditionalFlow(element)) entries.push(...conditionEntries());
      if (is(bo, 'bpmn:ServiceTask') || is(bo, 'bpmn:SendTask'))
        entries.push(...topicEntries(this.data));
      if (is(bo, 'bpmn:Event') && hasTimer(bo)) entries.push(...timerEntries());
      const kept = groups.filter((g) => KEPT_GROUPS.has(g.id));
      if (entries.length === 0) return kept;
      const zw: Group = { id: 'zw', label: '政务设置', entries };
      // Right after 基本信息, so the pickers are what the administrator sees first.
      const general = kept.findIndex((g) => g.id === 'general');
      kept.splice(general + 1, 0, zw);
      return kept;
    };
  }
}

export const zwPropertiesModule = {
  __init__: ['zwPropertiesProvider'],
  zwPropertiesProvider: ['type', ZwPropertiesProvider],
};
