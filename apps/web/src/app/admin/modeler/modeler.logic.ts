/** Pure rules of the 流程建模 page (no Angular, no bpmn-js), tested in modeler.logic.spec.ts. */

/** One element of a diagram as the diff sees it: its kind, its name and its settings flattened to text. */
export interface ElementSnapshot {
  id: string;
  type: string;
  name: string;
  props: Record<string, string>;
}

export interface ElementChange {
  id: string;
  type: string;
  name: string;
  /** Chinese names of what changed, e.g. 办理人, 流转条件. */
  fields: string[];
}

export interface DefinitionDiff {
  added: ElementChange[];
  removed: ElementChange[];
  changed: ElementChange[];
}

/** What a setting is called on the panel; settings not named here show their attribute name. */
const FIELD_LABELS: [RegExp, string][] = [
  [/^name$/, '名称'],
  [/^camunda:assignee$/, '办理人'],
  [/^camunda:candidateUsers$/, '候选人'],
  [/^camunda:candidateGroups$/, '候选组（角色）'],
  [/^camunda:dueDate$/, '办理时限'],
  [/^camunda:followUpDate$/, '跟进日期'],
  [/^camunda:formKey$/, '表单'],
  [/^camunda:topic$/, '外部任务主题'],
  [/^camunda:type$/, '实现方式'],
  [/^camunda:taskPriority$/, '任务优先级'],
  [/^conditionExpression/, '流转条件'],
  [/^sourceRef$|^targetRef$/, '连线端点'],
  [/^default$/, '默认路径'],
  [/^eventDefinitions/, '事件定义（定时器等）'],
  [/camunda:formData|camunda:FormData|formField|FormField/, '表单字段'],
  [/values\[candidateUnits\]/, '候选单位'],
  [/values\[distinctFrom\]/, '不得与之同一人'],
  [/values\[outputs\]/, '外部任务输出'],
  [/^loopCharacteristics/, '多实例（会签）'],
  [/^documentation/, '说明'],
];

export function fieldLabel(key: string): string {
  return FIELD_LABELS.find(([pattern]) => pattern.test(key))?.[1] ?? key;
}

/** Elements added, removed and changed from the running version (`before`) to the edited one (`after`). */
export function diffDefinitions(
  before: readonly ElementSnapshot[],
  after: readonly ElementSnapshot[],
): DefinitionDiff {
  const old = new Map(before.map((e) => [e.id, e]));
  const next = new Map(after.map((e) => [e.id, e]));
  const brief = (e: ElementSnapshot, fields: string[] = []): ElementChange => ({
    id: e.id,
    type: e.type,
    name: e.name,
    fields,
  });
  const added = after.filter((e) => !old.has(e.id)).map((e) => brief(e));
  const removed = before.filter((e) => !next.has(e.id)).map((e) => brief(e));
  const changed: ElementChange[] = [];
  for (const e of after) {
    const was = old.get(e.id);
    if (!was) continue;
    const keys = new Set([...Object.keys(was.props), ...Object.keys(e.props)]);
    if (was.type !== e.type) keys.add('$type');
    const fields = new Set<string>();
    for (const key of keys) {
      if (key === '$type') fields.add('元素类型');
      else if ((was.props[key] ?? '') !== (e.props[key] ?? '')) fields.add(fieldLabel(key));
    }
    if (fields.size > 0) changed.push(brief(e, [...fields]));
  }
  return { added, removed, changed };
}

/** Minimal shape of a moddle element, enough to flatten its settings without importing bpmn-js here. */
export interface ModdleLike {
  $type: string;
  $attrs?: Record<string, unknown>;
  $descriptor?: {
    properties: { name: string; ns?: { name: string }; isReference?: boolean; isMany?: boolean }[];
  };
  get?(name: string): unknown;
  [key: string]: unknown;
}

/** Properties that are structure or layout, not settings: the flows list their own ends. */
const SKIPPED = new Set([
  'id',
  'incoming',
  'outgoing',
  'flowElements',
  'artifacts',
  'laneSets',
  'di',
  'lanes',
  'extensionDefinitions',
]);

function isModdle(value: unknown): value is ModdleLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $type?: unknown }).$type === 'string'
  );
}

/**
 * An element's settings as `path → text`: attributes, extension elements (camunda:properties by name, form fields
 * by id), condition bodies, timer definitions. References become the referenced id.
 */
export function flattenSettings(
  element: ModdleLike,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const property of element.$descriptor?.properties ?? []) {
    // BPMN's own properties by their local name (name, conditionExpression), extensions with their prefix.
    const qualified = property.ns?.name ?? property.name;
    const name = qualified.startsWith('bpmn:') ? property.name : qualified;
    if (SKIPPED.has(property.name)) continue;
    const value = element.get ? element.get(qualified) : element[property.name];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0))
      continue;
    const key = prefix ? `${prefix}.${name}` : name;
    if (property.isReference) {
      const ids = (Array.isArray(value) ? value : [value]).map((v) =>
        isModdle(v) ? String(v['id'] ?? '') : String(v),
      );
      out[key] = ids.join(',');
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (!isModdle(item)) out[`${key}[${index}]`] = String(item);
        else flattenSettings(item, `${key}[${childLabel(item, index)}]`, out);
      });
    } else if (isModdle(value)) flattenSettings(value, key, out);
    else out[key] = String(value);
  }
  for (const [attr, value] of Object.entries(element.$attrs ?? {})) {
    if (attr.startsWith('xmlns') || attr === 'xsi:type') continue;
    out[prefix ? `${prefix}.@${attr}` : attr] = String(value);
  }
  return out;
}

/** Named children are keyed by their name or id, so reordering them is no change. */
function childLabel(item: ModdleLike, index: number): string {
  const named = item['name'] ?? item['id'];
  return typeof named === 'string' && named ? named : `${item.$type}#${index}`;
}

/** Every flow element of the processes (sub-processes included), as snapshots for diffDefinitions. */
export function snapshotDefinitions(definitions: ModdleLike): ElementSnapshot[] {
  const out: ElementSnapshot[] = [];
  const visit = (container: ModdleElementContainer) => {
    for (const element of container.flowElements ?? []) {
      out.push({
        id: String(element['id'] ?? ''),
        type: element.$type,
        name: typeof element['name'] === 'string' ? element['name'] : '',
        props: flattenSettings(element),
      });
      if ((element as ModdleElementContainer).flowElements)
        visit(element as ModdleElementContainer);
    }
  };
  for (const root of (definitions['rootElements'] as ModdleLike[] | undefined) ?? []) {
    if (root.$type === 'bpmn:Process') {
      out.push({
        id: String(root['id'] ?? ''),
        type: root.$type,
        name: String(root['name'] ?? ''),
        props: flattenSettings(root),
      });
      visit(root as ModdleElementContainer);
    }
  }
  return out;
}

type ModdleElementContainer = ModdleLike & { flowElements?: ModdleLike[] };

/** A finding of the server's check, as the validate route and a refused deployment answer them. */
export interface Finding {
  rule: string;
  elementId?: string;
  message: string;
  severity: 'error' | 'warning';
}

/** bpmnlint's rules answer in English; the page says what each means in Chinese and keeps the rule name. */
const LINT_MESSAGES: Record<string, string> = {
  'ad-hoc-sub-process': '不支持自由子流程（ad-hoc sub-process）',
  'conditional-flows': '出口连线缺少流转条件：请设置条件，或将其设为网关的默认路径',
  'end-event-required': '流程缺少结束事件',
  'event-based-gateway': '基于事件的网关用法不正确',
  'event-sub-process-typed-start-event': '事件子流程的开始事件须有类型',
  'fake-join': '多条连线直接汇入任务：请用网关汇合',
  'history-time-to-live': '流程未设置历史保留期限（camunda:historyTimeToLive）',
  'label-required': '元素缺少名称',
  'link-event': '链接事件须成对且名称一致',
  'no-bpmndi': '元素没有布局（不会显示在图上）',
  'no-complex-gateway': '不支持复杂网关',
  'no-disconnected': '元素没有与流程相连',
  'no-duplicate-sequence-flows': '存在重复的连线',
  'no-gateway-join-fork': '网关不要同时汇合与分支',
  'no-implicit-end': '缺少显式的结束事件',
  'no-implicit-split': '任务直接分出多条连线：请用网关分支',
  'no-implicit-start': '缺少显式的开始事件',
  'no-inclusive-gateway': '包容网关',
  'no-overlapping-elements': '元素相互重叠',
  'single-blank-start-event': '流程只能有一个无类型的开始事件',
  'single-event-definition': '一个事件只能有一个事件定义',
  'start-event-required': '流程缺少开始事件',
  'sub-process-blank-start-event': '子流程的开始事件须为无类型事件',
  'superfluous-gateway': '网关只有一进一出，可以删去',
  'superfluous-label': '多余的标签',
  'superfluous-termination': '多余的终止结束事件',
};

/** A finding's message for the page: bpmnlint's English replaced by Chinese, with the original kept in brackets. */
export function findingText(finding: { rule: string; message: string }): string {
  const zh = LINT_MESSAGES[finding.rule.replace(/^camunda-compat\//, '')];
  return zh && !/[\u4e00-\u9fff]/.test(finding.message)
    ? `${zh}（${finding.rule}: ${finding.message}）`
    : finding.message;
}

/** Findings grouped by element, worst first, for the canvas markers. */
export function findingsByElement(findings: readonly Finding[]): Map<string, 'error' | 'warning'> {
  const marks = new Map<string, 'error' | 'warning'>();
  for (const f of findings) {
    if (!f.elementId) continue;
    if (f.severity === 'error' || !marks.has(f.elementId)) marks.set(f.elementId, f.severity);
  }
  return marks;
}

/** A refused deployment's details (one `{elementId}` or a list of lint findings) as findings. */
export function refusalFindings(message: string, details: unknown): Finding[] {
  const list = Array.isArray(details)
    ? details
    : details && typeof details === 'object'
      ? [details]
      : [];
  const found = list
    .filter((d): d is Record<string, unknown> => !!d && typeof d === 'object')
    .map((d) => ({
      rule: typeof d['rule'] === 'string' ? d['rule'] : 'refused',
      elementId: typeof d['elementId'] === 'string' ? d['elementId'] : undefined,
      message: typeof d['message'] === 'string' ? d['message'] : message,
      severity: 'error' as const,
    }));
  return found.length > 0 ? found : [{ rule: 'refused', message, severity: 'error' }];
}

/** `${workingDays(3)}` → 3; anything else → null (the panel then shows the raw expression only). */
export function workingDaysOf(expression: string | undefined): number | null {
  const match = /^\$\{\s*workingDays\(\s*(\d+)\s*\)\s*\}$/.exec(expression?.trim() ?? '');
  return match ? Number(match[1]) : null;
}

/** The engine's working-day expression (Chinese working days, holidays and adjusted workdays counted). */
export function workingDaysExpression(days: number): string {
  return `\${workingDays(${days})}`;
}

/** `a, b,c` → [a, b, c]; the attribute form of a comma list. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function joinList(values: readonly string[]): string | undefined {
  const list = [...new Set(values.map((v) => v.trim()).filter(Boolean))];
  return list.length ? list.join(',') : undefined;
}

/** An empty diagram for a new process: one start event, named process, Camunda namespace. */
export function blankDiagram(key: string, name: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${esc(key)}" targetNamespace="https://zhengwu.example/bpmn">
  <bpmn:process id="${esc(key)}" name="${esc(name)}" isExecutable="true" camunda:historyTimeToLive="P3650D">
    <bpmn:startEvent id="start" name="发起" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_${esc(key)}">
    <bpmndi:BPMNPlane id="BPMNPlane_${esc(key)}" bpmnElement="${esc(key)}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="160" y="100" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}

/** A process key as the engine and BPMN accept it (an XML id: letter first, then letters, digits, - _ .). */
export function isProcessKey(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/.test(key);
}
