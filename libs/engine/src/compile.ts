import { checkTemplate, ExpressionError } from './expression';
import type { FormField } from '@zhengwu/contracts';
import { FormContractError, readFormData } from './form-contract';
import { buildModel, type ModdleNode, type ProcessModel } from './model';
import { checkTimerText, TimerError } from './timer';

/* eslint-disable @typescript-eslint/no-require-imports -- these packages ship CommonJS without types */
const BpmnModdle = require('bpmn-moddle') as new (packages: Record<string, unknown>) => {
  fromXML(
    xml: string,
  ): Promise<{ rootElement: ModdleElement; warnings: { message: string; element?: ModdleElement; property?: string; value?: string }[] }>;
};
const camundaSchema = require('camunda-bpmn-moddle/resources/camunda.json') as Record<string, unknown>;
const serializer = require('moddle-context-serializer') as {
  default: (context: unknown, typeResolver: unknown) => SourceContext;
  TypeResolver: (types: unknown, extender?: (mapper: Record<string, unknown>) => void) => unknown;
};
type Behaviour = (
  activityDef: { id: string },
  context: { getInboundSequenceFlows(id: string): unknown[]; getOutboundSequenceFlows(id: string): unknown[] },
) => unknown;
const Elements = require('bpmn-elements') as Record<string, Behaviour>;
/* eslint-enable @typescript-eslint/no-require-imports */

/** bpmn-elements' serialized definition: opaque to us, shared read-only by every engine run of the version. */
export interface SourceContext {
  id: string;
}

/** A parsed moddle element; attributes are read by name, the camunda ones included. */
interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  get(name: string): unknown;
  [key: string]: unknown;
}

export class DefinitionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: { line?: number; column?: number; elementId?: string } = {},
  ) {
    super(message);
    this.name = 'DefinitionError';
  }
  get line(): number | undefined {
    return this.details.line;
  }
  get column(): number | undefined {
    return this.details.column;
  }
  get elementId(): string | undefined {
    return this.details.elementId;
  }
}

export interface MultiInstanceSpec {
  isSequential: boolean;
  collection?: string;
  elementVariable?: string;
  loopCardinality?: string;
  completionCondition?: string;
}

/** What the host needs to know of one flow element, read once at deployment. */
export interface ElementSpec {
  id: string;
  type: string;
  name?: string;
  assignee?: string;
  candidateUsers?: string;
  candidateGroups?: string;
  /**
   * Units whose holders of the candidate groups are offered the task (ids or unit codes), from the
   * extension property `candidateUnits`; without it, the case's own unit.
   */
  candidateUnits?: string;
  formKey?: string;
  dueDate?: string;
  priority?: string;
  topic?: string;
  calledElement?: string;
  messageName?: string;
  signalName?: string;
  /** For end events: how they end the scope. */
  endKind?: 'none' | 'terminate' | 'error';
  errorCode?: string;
  multiInstance?: MultiInstanceSpec;
  /**
   * For user tasks: the outcomes the diagram routes after this task (from conditions such as
   * `${outcome == 'return'}` on its outgoing flows or those of the exclusive gateway right after
   * it), and the earlier user tasks a 'return' can go back to (by `returnTo == 'activityId'`, or
   * the target of the only return flow).
   */
  decisions?: { outcomes: string[]; returnTargets: string[] };
  /**
   * For user tasks and start events: the step's contract (`camunda:formData`), the only variables a person may
   * supply; undefined when the diagram declares none.
   */
  form?: FormField[];
  /**
   * Separation of duties (extension property `distinctFrom`): earlier user tasks of the same case whose holders may
   * not hold this one, and `initiator` for the person who started the case.
   */
  distinctFrom?: string[];
  /** For external tasks (extension property `outputs`): the only variables a worker may set when completing it. */
  outputs?: string[];
}

export interface StartEventSpec {
  id: string;
  kind: 'none' | 'message' | 'timer' | 'signal';
  messageName?: string;
  signalName?: string;
  /** For timer starts: a cycle fires again and again; a date or duration once. */
  timer?: 'timeDate' | 'timeDuration' | 'timeCycle';
}

export interface ProcessSpec {
  id: string;
  name?: string;
  isExecutable: boolean;
}

/** Something Camunda deploys that we deploy too, but the modeller should know about (a style rule, a dropped layout shape). */
export interface DefinitionWarning {
  rule: string;
  elementId?: string;
  message: string;
}

export interface CompiledDefinition {
  key: string;
  name?: string;
  processes: ProcessSpec[];
  startEvents: StartEventSpec[];
  elements: ReadonlyMap<string, ElementSpec>;
  /** Topics of the external tasks, for operators wiring workers. */
  topics: string[];
  /** The executable graph the runtime steps. */
  model: ProcessModel;
  /** Process property `missingVariables=null`: a variable that is not set reads as null instead of failing the step. */
  lenientVariables?: boolean;
  /** bpmn-engine's form of the diagram, built on first use: for cases of state version 1 and the differential tests. */
  readonly sourceContext: SourceContext;
  warnings: DefinitionWarning[];
}

const MAX_XML_CHARS = 2 * 1024 * 1024;
/**
 * bpmn-elements' inclusive gateway splits but does not synchronise. Its parallel gateway joins
 * every incoming flow, counting discarded branches as arrived, which is exactly the inclusive
 * join of BPMN; so a converging inclusive gateway runs as that join.
 */
function InclusiveGateway(activityDef: { id: string }, context: Parameters<Behaviour>[1]): unknown {
  const converging =
    context.getInboundSequenceFlows(activityDef.id).length > 1 && context.getOutboundSequenceFlows(activityDef.id).length <= 1;
  return converging ? Elements.ParallelGateway(activityDef, context) : Elements.InclusiveGateway(activityDef, context);
}
const typeResolver = serializer.TypeResolver(Elements, (mapper) => {
  mapper['bpmn:InclusiveGateway'] = InclusiveGateway;
});

const REFUSED_TYPES: Record<string, string> = {
  'bpmn:ScriptTask': '脚本任务（scriptTask）会在服务器上执行任意代码，平台不予部署；请改用外部任务（camunda:type="external"）',
  'bpmn:BusinessRuleTask': '业务规则任务不受支持；请改用外部任务（camunda:type="external"）',
  'bpmn:ComplexGateway': '复杂网关不受支持；请改用排他、并行或包容网关',
  'bpmn:Transaction': '事务子流程不受支持',
  'bpmn:AdHocSubProcess': '自由子流程（adHocSubProcess）不受支持；请改用嵌入子流程',
};

function positionOf(message: string): { line?: number; column?: number } {
  const line = /line:\s*(\d+)/.exec(message);
  const column = /column:\s*(\d+)/.exec(message);
  return { line: line ? Number(line[1]) + 1 : undefined, column: column ? Number(column[1]) + 1 : undefined };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function checkExpression(text: string | undefined, elementId: string, what: string): void {
  if (!text) return;
  try {
    checkTemplate(text);
  } catch (error) {
    if (error instanceof ExpressionError)
      throw new DefinitionError('DEFINITION_EXPRESSION_INVALID', `元素 ${elementId} 的${what}：${error.message}`, { elementId });
    throw error;
  }
}

function extensionValues(element: ModdleElement): ModdleElement[] {
  const ext = element.extensionElements as { values?: ModdleElement[] } | undefined;
  return ext?.values ?? [];
}

/** A `camunda:property` of the element's `camunda:properties` (ignored by Camunda itself, so diagrams stay portable). */
function propertyOf(element: ModdleElement, name: string): string | undefined {
  for (const ext of extensionValues(element)) {
    if (ext.$type !== 'camunda:Properties') continue;
    for (const p of (ext.values as ModdleElement[] | undefined) ?? []) if (p.name === name) return str(p.value);
  }
  return undefined;
}

function listOf(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

function refuseListeners(element: ModdleElement): void {
  for (const ext of extensionValues(element)) {
    if (ext.$type === 'camunda:ExecutionListener' || ext.$type === 'camunda:TaskListener') {
      throw new DefinitionError(
        'DEFINITION_LISTENER_REFUSED',
        `元素 ${element.id} 带有 Camunda 监听器（${ext.$type.slice(8)}）：平台不执行 Java 类或脚本，请改用外部任务`,
        { elementId: element.id },
      );
    }
    if (ext.$type === 'camunda:InputOutput') {
      const params = [...((ext.inputParameters as ModdleElement[]) ?? []), ...((ext.outputParameters as ModdleElement[]) ?? [])];
      for (const p of params) {
        if (p.definition && (p.definition as ModdleElement).$type === 'camunda:Script') {
          throw new DefinitionError(
            'DEFINITION_SCRIPT_REFUSED',
            `元素 ${element.id} 的输入/输出参数 ${String(p.name)} 是脚本，平台不予执行`,
            { elementId: element.id },
          );
        }
      }
    }
  }
}

function specOf(element: ModdleElement, messages: Map<string, string>, warnings: DefinitionWarning[]): ElementSpec {
  const id = element.id!;
  const spec: ElementSpec = { id, type: element.$type, name: str(element.name) };
  if (element.$type === 'bpmn:UserTask') {
    spec.assignee = str(element.get('camunda:assignee'));
    spec.candidateUsers = str(element.get('camunda:candidateUsers'));
    spec.candidateGroups = str(element.get('camunda:candidateGroups'));
    spec.formKey = str(element.get('camunda:formKey'));
    spec.dueDate = str(element.get('camunda:dueDate'));
    spec.priority = str(element.get('camunda:priority'));
    readResourceRoles(element, spec, warnings);
    checkExpression(spec.assignee, id, '办理人');
    checkExpression(spec.candidateUsers, id, '候选人');
    checkExpression(spec.candidateGroups, id, '候选组');
    spec.candidateUnits = propertyOf(element, 'candidateUnits');
    checkExpression(spec.candidateUnits, id, '候选单位');
    checkExpression(spec.dueDate, id, '办理期限');
    const distinct = propertyOf(element, 'distinctFrom');
    if (distinct) spec.distinctFrom = listOf(distinct);
  }
  if (element.$type === 'bpmn:UserTask' || element.$type === 'bpmn:StartEvent') {
    try {
      const form = readFormData(element as Parameters<typeof readFormData>[0]);
      if (form) spec.form = form;
    } catch (error) {
      if (error instanceof FormContractError)
        throw new DefinitionError('DEFINITION_FORM_INVALID', `元素 ${id} 的表单声明（camunda:formData）有误：${error.message}`, {
          elementId: id,
        });
      throw error;
    }
  }
  if (['bpmn:ServiceTask', 'bpmn:SendTask'].includes(element.$type)) {
    const type = str(element.get('camunda:type'));
    const topic = str(element.get('camunda:topic'));
    if (type !== 'external' || !topic) {
      throw new DefinitionError(
        'DEFINITION_SERVICE_TASK_UNSUPPORTED',
        `服务任务 ${id} 须设置 camunda:type="external" 与 camunda:topic（平台不执行 Java 类、表达式或脚本）`,
        {
          elementId: id,
        },
      );
    }
    spec.topic = topic;
    spec.priority = str(element.get('camunda:taskPriority'));
    const outputs = propertyOf(element, 'outputs');
    if (outputs) spec.outputs = listOf(outputs);
  }
  if (element.$type === 'bpmn:CallActivity') {
    spec.calledElement = str(element.calledElement);
    if (!spec.calledElement)
      throw new DefinitionError('DEFINITION_INVALID', `调用活动 ${id} 缺少 calledElement（被调用流程的标识）`, { elementId: id });
    checkExpression(spec.calledElement, id, '被调用流程');
  }
  const definitions = (element.eventDefinitions as ModdleElement[] | undefined) ?? [];
  for (const def of definitions) {
    if (def.$type === 'bpmn:MessageEventDefinition') readMessageEvent(element, def, spec, messages);
    if (def.$type === 'bpmn:TimerEventDefinition') {
      for (const kind of ['timeDuration', 'timeDate', 'timeCycle']) {
        const body = str((def[kind] as ModdleElement | undefined)?.body);
        checkExpression(body, id, '定时器');
        checkTimer(kind, body, id);
      }
      // "Wait 2 working days" is naturally written as a duration, but working days resolve to a date.
      const duration = str((def.timeDuration as ModdleElement | undefined)?.body);
      if (duration && /\b(addW|w)orkingDays\s*\(/.test(duration)) {
        def.timeDate = def.timeDuration;
        delete def.timeDuration;
      }
    }
    if (def.$type === 'bpmn:SignalEventDefinition') {
      const ref = def.signalRef as ModdleElement | undefined;
      spec.signalName = str(ref?.name) ?? ref?.id;
      if (!spec.signalName)
        throw new DefinitionError('DEFINITION_INVALID', `信号事件 ${id} 没有引用信号（signalRef），或所引用的信号没有名称`, {
          elementId: id,
        });
    }
    if (def.$type === 'bpmn:CompensateEventDefinition') {
      throw new DefinitionError('DEFINITION_ELEMENT_UNSUPPORTED', `元素 ${id} 的补偿事件不受支持；请用错误边界事件与显式的撤销环节表达`, {
        elementId: id,
      });
    }
    if (def.$type === 'bpmn:ConditionalEventDefinition') {
      throw new DefinitionError('DEFINITION_ELEMENT_UNSUPPORTED', `元素 ${id} 的条件事件不受支持`, { elementId: id });
    }
  }
  if (element.$type === 'bpmn:EndEvent') {
    spec.endKind = definitions.some((d) => d.$type === 'bpmn:TerminateEventDefinition')
      ? 'terminate'
      : definitions.some((d) => d.$type === 'bpmn:ErrorEventDefinition')
        ? 'error'
        : 'none';
    const errorDef = definitions.find((d) => d.$type === 'bpmn:ErrorEventDefinition');
    const ref = errorDef?.errorRef as ModdleElement | undefined;
    if (ref) spec.errorCode = str(ref.errorCode) ?? ref.id;
  }
  if (element.$type === 'bpmn:ReceiveTask') spec.messageName = messageNameOf(element, id, messages);
  const loop = element.loopCharacteristics as ModdleElement | undefined;
  if (loop?.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    spec.multiInstance = {
      isSequential: loop.isSequential === true,
      // Camunda reads the BPMN form too: loopDataInputRef is the collection variable, inputDataItem the element variable.
      collection:
        str(loop.get('camunda:collection')) ?? loopInputNames.get(loop) ?? (loop.loopDataInputRef as ModdleElement | undefined)?.id,
      elementVariable: str(loop.get('camunda:elementVariable')) ?? str((loop.inputDataItem as ModdleElement | undefined)?.name),
      loopCardinality: str((loop.loopCardinality as ModdleElement | undefined)?.body),
      completionCondition: str((loop.completionCondition as ModdleElement | undefined)?.body),
    };
    if (!spec.multiInstance.collection && !spec.multiInstance.loopCardinality) {
      throw new DefinitionError('DEFINITION_INVALID', `多实例 ${id} 须设置 camunda:collection 或 loopCardinality`, { elementId: id });
    }
    checkExpression(spec.multiInstance.collection, id, '多实例集合');
    checkExpression(spec.multiInstance.completionCondition, id, '完成条件');
  }
  if (element.$type === 'bpmn:SequenceFlow') {
    const condition = element.conditionExpression as ModdleElement | undefined;
    if (condition) {
      if (str(condition.language)) {
        throw new DefinitionError(
          'DEFINITION_SCRIPT_REFUSED',
          `连线 ${id} 的条件是 ${String(condition.language)} 脚本：只接受 \${...} 表达式`,
          { elementId: id },
        );
      }
      const body = str(condition.body);
      if (!body) throw new DefinitionError('DEFINITION_INVALID', `连线 ${id} 的条件为空`, { elementId: id });
      checkExpression(body, id, '条件');
    }
  }
  return spec;
}

const THROWING = new Set(['bpmn:EndEvent', 'bpmn:IntermediateThrowEvent']);

/**
 * A catch event waits for its message, so it needs one. A message end or throw event is, in Camunda 7,
 * implemented like a service task (here: an external task) or else behaves as a none event: its
 * messageRef is optional.
 */
function readMessageEvent(element: ModdleElement, def: ModdleElement, spec: ElementSpec, messages: Map<string, string>): void {
  const id = spec.id;
  if (!THROWING.has(element.$type)) {
    spec.messageName = messageNameOf(def, id, messages);
    return;
  }
  for (const attribute of ['camunda:class', 'camunda:delegateExpression', 'camunda:expression']) {
    if (str(def.get(attribute)))
      throw new DefinitionError(
        'DEFINITION_DELEGATE_REFUSED',
        `消息事件 ${id} 使用 ${attribute}：平台不执行 Java 类或表达式委托；请改用外部任务（camunda:type="external" 与 camunda:topic）`,
        { elementId: id },
      );
  }
  const ref = def.messageRef as ModdleElement | undefined;
  if (ref) spec.messageName = messageNameOf(def, id, messages);
  if (str(def.get('camunda:type')) === 'external') {
    const topic = str(def.get('camunda:topic'));
    if (!topic)
      throw new DefinitionError('DEFINITION_INVALID', `消息事件 ${id} 是外部任务（camunda:type="external"），须设置 camunda:topic`, {
        elementId: id,
      });
    spec.topic = topic;
    spec.priority = str(def.get('camunda:taskPriority'));
  }
}

/**
 * BPMN's own people assignment, as Camunda 7 reads it: `humanPerformer` is the assignee; each entry of
 * a `potentialOwner` expression is `user(x)`, `group(x)` or a plain group.
 */
function readResourceRoles(element: ModdleElement, spec: ElementSpec, warnings: DefinitionWarning[]): void {
  const users: string[] = [];
  const groups: string[] = [];
  for (const role of (element.resources as ModdleElement[] | undefined) ?? []) {
    const body = str(((role.resourceAssignmentExpression as ModdleElement | undefined)?.expression as ModdleElement | undefined)?.body);
    if (!body) {
      warnings.push({
        rule: 'resource-role',
        elementId: spec.id,
        message: `用户任务 ${spec.id} 的 ${role.$type.slice(5)} 没有 resourceAssignmentExpression，已忽略`,
      });
      continue;
    }
    if (role.$type === 'bpmn:HumanPerformer') {
      spec.assignee ??= body;
      continue;
    }
    if (role.$type !== 'bpmn:PotentialOwner') {
      warnings.push({
        rule: 'resource-role',
        elementId: spec.id,
        message: `用户任务 ${spec.id} 的 ${role.$type.slice(5)} 不受支持，已忽略`,
      });
      continue;
    }
    for (const entry of splitOutsideExpressions(body)) {
      const match = /^(user|group)\(\s*(.*?)\s*\)$/.exec(entry);
      if (match?.[1] === 'user') users.push(match[2]);
      else groups.push(match ? match[2] : entry);
    }
  }
  if (users.length > 0) spec.candidateUsers = [spec.candidateUsers, ...users].filter(Boolean).join(',');
  if (groups.length > 0) spec.candidateGroups = [spec.candidateGroups, ...groups].filter(Boolean).join(',');
}

/** Splits `a, ${f(b, c)}, d` at the commas outside `${…}`. */
export function splitOutsideExpressions(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    if (ch === '}') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** A literal timer must parse as the runtime will parse it, or the deployment (a timer start) or the case would fail later. */
function checkTimer(kind: string, body: string | undefined, elementId: string): void {
  if (!body || /[$#]\{/.test(body)) return;
  try {
    checkTimerText(kind as 'timeDate' | 'timeDuration' | 'timeCycle', body);
  } catch (error) {
    if (!(error instanceof TimerError)) throw error;
    throw new DefinitionError('DEFINITION_TIMER_INVALID', `元素 ${elementId} 的定时器 ${kind}：${error.message}`, { elementId });
  }
}

function messageNameOf(def: ModdleElement, elementId: string, messages: Map<string, string>): string {
  const ref = def.messageRef as ModdleElement | undefined;
  const name = ref ? (str(ref.name) ?? (ref.id ? messages.get(ref.id) : undefined) ?? ref.id) : undefined;
  if (!name) throw new DefinitionError('DEFINITION_INVALID', `消息事件 ${elementId} 没有引用消息（messageRef）`, { elementId });
  return name;
}

function walk(container: ModdleElement, visit: (element: ModdleElement) => void): void {
  for (const element of (container.flowElements as ModdleElement[] | undefined) ?? []) {
    visit(element);
    if (element.flowElements) walk(element, visit);
  }
}

/**
 * Parses, validates and prepares a BPMN 2.0 diagram in the Camunda 7 dialect. Refuses what the
 * platform must not run (DTDs and entities, scripts, Java delegates, listeners) with the element
 * at fault, and returns the bpmn-engine source context so each version is parsed once.
 */
const OUTCOME_TEST = /\boutcome\s*(?:==|\beq\b)\s*['"]([\w-]+)['"]/g;
const RETURN_TO_TEST = /\breturnTo\s*(?:==|\beq\b)\s*['"]([\w.-]+)['"]/;

function readDecisions(main: ModdleElement, elements: Map<string, ElementSpec>): void {
  const flows: ModdleElement[] = [];
  walk(main, (element) => {
    if (element.$type === 'bpmn:SequenceFlow') flows.push(element);
  });
  const outgoing = (id: string) => flows.filter((f) => (f.sourceRef as ModdleElement | undefined)?.id === id);
  for (const spec of elements.values()) {
    if (spec.type !== 'bpmn:UserTask') continue;
    let routes = outgoing(spec.id);
    const next = routes.length === 1 ? (routes[0].targetRef as ModdleElement | undefined) : undefined;
    if (next?.$type === 'bpmn:ExclusiveGateway' && next.id) routes = outgoing(next.id);
    const outcomes = new Set<string>();
    const returnTargets = new Set<string>();
    // In 会签/或签/表决 each completion is a vote the loop counts (nrOfApproved / nrOfRejected), so
    // 不同意 never needs a route of its own and must not end the case.
    if (spec.multiInstance) ['approve', 'reject'].forEach((o) => outcomes.add(o));
    for (const flow of routes) {
      const body = str((flow.conditionExpression as ModdleElement | undefined)?.body) ?? '';
      const found = [...body.matchAll(OUTCOME_TEST)].map((m) => m[1]);
      found.forEach((o) => outcomes.add(o));
      if (!found.includes('return')) continue;
      const target = RETURN_TO_TEST.exec(body)?.[1] ?? (flow.targetRef as ModdleElement | undefined)?.id;
      if (target && elements.get(target)?.type === 'bpmn:UserTask') returnTargets.add(target);
    }
    if (outcomes.size > 0) spec.decisions = { outcomes: [...outcomes], returnTargets: [...returnTargets] };
  }
}

/** The collection variable each `loopDataInputRef` names, when it resolves to no element (the usual case). */
const loopInputNames = new WeakMap<ModdleElement, string>();

/**
 * What Camunda deploys despite a parser warning: a declared encoding (the text is already decoded),
 * a layout shape or edge that points at no model element (dropped, with a warning), a
 * `loopDataInputRef` naming a variable, and an `errorRef` naming no declared error.
 */
function toleratedWarning(
  warning: { message: string; element?: ModdleElement; property?: string; value?: string },
  warnings: DefinitionWarning[],
): boolean {
  if (/^unsupported document encoding/.test(warning.message)) return true;
  const type = warning.element?.$type ?? '';
  // `<loopDataInputRef>list</loopDataInputRef>` names a variable in Camunda (BPMN would want a data input).
  if (type === 'bpmn:MultiInstanceLoopCharacteristics' && warning.property === 'bpmn:loopDataInputRef' && warning.value) {
    loopInputNames.set(warning.element!, warning.value);
    return true;
  }
  // An errorRef naming no <error>: Camunda takes the reference itself as the error code.
  if (type === 'bpmn:ErrorEventDefinition' && warning.property === 'bpmn:errorRef' && warning.value) {
    const code = warning.value;
    warning.element!.errorRef = { $type: 'bpmn:Error', id: code, errorCode: code, get: () => undefined } satisfies ModdleElement;
    warnings.push({
      rule: 'error-ref-unresolved',
      elementId: warning.element?.id,
      message: `错误事件引用了未声明的错误 ${code}，按 Camunda 的做法以 ${code} 作为错误代码`,
    });
    return true;
  }
  if (!/^(bpmndi|di|dc):/.test(type) || !/unresolved reference/.test(warning.message)) return false;
  const ref = /unresolved reference <([^>]*)>/.exec(warning.message)?.[1];
  warnings.push({
    rule: 'di-unresolved',
    elementId: warning.element?.id,
    message: `布局元素 ${warning.element?.id ?? '-'} 引用了不存在的流程元素 ${ref ?? ''}，已忽略`,
  });
  return true;
}

/** The extension namespace Camunda 7 still reads as its own: diagrams from the Activiti days use it. */
const LEGACY_EXTENSIONS_NS = /(\sxmlns(?::[\w.-]+)?\s*=\s*["'])http:\/\/activiti\.org\/bpmn(["'])/g;

/**
 * What Camunda's parser reads alike but bpmn-moddle would not: the `http://activiti.org/bpmn` prefix
 * (moddle would keep its attributes as unknown ones and the diagram would run without its assignees,
 * mappings and in/out variables), and an `id` with white space around it (XML Schema collapses an
 * xsd:ID; moddle refuses the element).
 */
function readAsCamunda(xml: string): string {
  return xml
    .replace(LEGACY_EXTENSIONS_NS, '$1http://camunda.org/schema/1.0/bpmn$2')
    .replace(/(\sid\s*=\s*)(["'])\s*([^"'\s]+)\s*\2/g, '$1$2$3$2');
}

export async function compileDefinition(xml: string): Promise<CompiledDefinition> {
  if (typeof xml !== 'string' || xml.trim() === '') throw new DefinitionError('DEFINITION_EMPTY', '流程定义为空：请提交 BPMN 2.0 XML');
  if (xml.length > MAX_XML_CHARS) throw new DefinitionError('DEFINITION_TOO_LARGE', '流程定义超过 2 MB');
  // No DTDs at all: they are how XXE and entity-expansion bombs arrive.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new DefinitionError('DEFINITION_DTD_REFUSED', 'BPMN XML 不得包含 DOCTYPE 或 ENTITY 声明（防止外部实体注入与实体膨胀攻击）');
  }
  const moddle = new BpmnModdle({ camunda: camundaSchema });
  let parsed: Awaited<ReturnType<InstanceType<typeof BpmnModdle>['fromXML']>>;
  try {
    parsed = await moddle.fromXML(readAsCamunda(xml.trim()));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = positionOf(message);
    const reason = /nested error: (.*)/.exec(message)?.[1] ?? message.split('\n')[0];
    throw new DefinitionError(
      'DEFINITION_PARSE_ERROR',
      `BPMN XML 无法解析${position.line ? `（第 ${position.line} 行第 ${position.column} 列）` : ''}：${reason}`,
      position,
    );
  }
  const definitions = parsed.rootElement;
  if (definitions.$type !== 'bpmn:Definitions') throw new DefinitionError('DEFINITION_PARSE_ERROR', '根元素须为 BPMN 2.0 的 definitions');
  const warnings: DefinitionWarning[] = [];
  const warning = parsed.warnings.find((w) => !toleratedWarning(w, warnings));
  if (warning) {
    const position = positionOf(warning.message);
    throw new DefinitionError('DEFINITION_INVALID', `BPMN XML 有误：${warning.message.split('\n')[0]}`, {
      ...position,
      elementId: warning.element?.id,
    });
  }

  const roots = (definitions.rootElements as ModdleElement[] | undefined) ?? [];
  const messages = new Map<string, string>();
  for (const root of roots) if (root.$type === 'bpmn:Message' && root.id) messages.set(root.id, str(root.name) ?? root.id);

  const processes: ProcessSpec[] = roots
    .filter((r) => r.$type === 'bpmn:Process')
    .map((p) => ({ id: p.id!, name: str(p.name), isExecutable: p.isExecutable !== false }));
  const executable = roots.filter((r) => r.$type === 'bpmn:Process' && r.isExecutable !== false);
  if (executable.length !== 1) {
    throw new DefinitionError(
      'DEFINITION_INVALID',
      `一个流程文件须恰好包含一个可执行流程（isExecutable="true"），实际 ${executable.length} 个`,
    );
  }
  const main = executable[0];
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(main.id ?? '')) {
    throw new DefinitionError('DEFINITION_INVALID', `流程标识 “${main.id}” 须以字母开头，只含字母、数字、_ . -，不超过 64 字符`, {
      elementId: main.id,
    });
  }

  const elements = new Map<string, ElementSpec>();
  const startEvents: StartEventSpec[] = [];
  const topics = new Set<string>();
  refuseListeners(main);
  walk(main, (element) => {
    const refused = REFUSED_TYPES[element.$type];
    if (refused) throw new DefinitionError('DEFINITION_ELEMENT_REFUSED', `元素 ${element.id}：${refused}`, { elementId: element.id });
    refuseListeners(element);
    const spec = specOf(element, messages, warnings);
    elements.set(spec.id, spec);
    if (spec.topic) topics.add(spec.topic);
    if (element.$type === 'bpmn:StartEvent' && (element.$parent as ModdleElement | undefined)?.id === main.id) {
      const defs = (element.eventDefinitions as ModdleElement[] | undefined) ?? [];
      const kind = defs.some((d) => d.$type === 'bpmn:MessageEventDefinition')
        ? 'message'
        : defs.some((d) => d.$type === 'bpmn:TimerEventDefinition')
          ? 'timer'
          : defs.some((d) => d.$type === 'bpmn:SignalEventDefinition')
            ? 'signal'
            : 'none';
      const timerDef = defs.find((d) => d.$type === 'bpmn:TimerEventDefinition');
      const timer = timerDef ? (['timeCycle', 'timeDate', 'timeDuration'] as const).find((k) => timerDef[k]) : undefined;
      startEvents.push({ id: spec.id, kind, messageName: spec.messageName, signalName: spec.signalName, timer });
    }
  });
  if (startEvents.length === 0) throw new DefinitionError('DEFINITION_INVALID', `流程 ${main.id} 没有开始事件`, { elementId: main.id });
  readDecisions(main, elements);
  for (const spec of elements.values()) {
    const unknown = spec.distinctFrom?.find((ref) => ref !== 'initiator' && elements.get(ref)?.type !== 'bpmn:UserTask');
    if (unknown)
      throw new DefinitionError('DEFINITION_INVALID', `用户任务 ${spec.id} 的 distinctFrom 引用了不存在的用户任务 ${unknown}`, {
        elementId: spec.id,
      });
  }

  const topicOf = new Map([...elements.values()].filter((e) => e.topic).map((e) => [e.id, e.topic!] as const));
  const model = buildModel(main as unknown as ModdleNode, messages, topicOf);
  // Recovery finds the source by the definitions' id, which modelers may leave out.
  if (!definitions.id) definitions.id = `Definitions_${main.id}`;
  let sourceContext: SourceContext | undefined;
  return {
    key: main.id!,
    name: str(main.name),
    processes,
    startEvents,
    elements,
    topics: [...topics],
    model,
    lenientVariables: propertyOf(main, 'missingVariables') === 'null',
    get sourceContext(): SourceContext {
      sourceContext ??= serializer.default(parsed, typeResolver);
      return sourceContext;
    },
    warnings,
  };
}
