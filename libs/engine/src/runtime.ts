import { WorkingCalendar } from './calendar';
import type { CompiledDefinition, ElementSpec } from './compile';
import {
  evaluateCondition,
  ExpressionError,
  isExpression,
  resolveTemplate,
  type ExpressionFunction,
  type ExpressionScope,
} from './expression';
import type { EventDefinition, FlowNode, ParameterValue, ProcessModel } from './model';
import {
  ProcessRunError,
  WaitNotFoundError,
  type Command,
  type HistoryEntry,
  type InstanceStatus,
  type RuntimeOptions,
  type StepResult,
  type Variables,
  type Wait,
} from './runtime-types';
import { addDuration, nextCycle, parseDate, startCycle, TimerError, type Cycle } from './timer';

export * from './runtime-types';

/**
 * The stepping runtime: state + command → new state + effects, with Camunda 7 semantics. Pure: no I/O,
 * no clock of its own (options.now), nothing kept between calls. The state names elements by id and
 * never copies the model.
 */
export const STATE_VERSION = 2;

/** A position in the diagram: one activity instance (a task, an event, a gateway arrival, a sub-process). */
interface Token {
  id: string;
  node: string;
  scope: string;
  /** Local variables of the activity (camunda:inputOutput). */
  vars?: Variables;
  /** One instance of a multi-instance activity. */
  inner?: true;
  /** The multi-instance body: waits for its inner instances. */
  miBody?: true;
  /** Arrived at a converging gateway, waiting for the others. */
  joining?: true;
  /** Entered through an event-based gateway or a link: the event has happened already. */
  fired?: true;
}

type ScopeKind = 'process' | 'sub' | 'eventSub' | 'miBody' | 'miInner';

interface Scope {
  id: string;
  kind: ScopeKind;
  /** The process, sub-process or event sub-process whose content runs here (for MI: the activity). */
  element: string;
  parent?: string;
  /** The token waiting at the sub-process or multi-instance activity in the parent scope. */
  owner?: string;
  vars: Variables;
  mi?: { next: number; total: number; items?: unknown[]; sequential: boolean };
}

/** Something the case waits for; `wait` is what the host turns into a row. */
interface Subscription {
  id: string;
  /** The event or activity that the wait releases. */
  node: string;
  token?: string;
  scope?: string;
  wait: Wait;
  cycle?: Omit<Cycle, 'next'>;
}

interface SavedState {
  version: number;
  seq: number;
  tokens: Token[];
  scopes: Scope[];
  subs: Subscription[];
  terminated?: boolean;
}

const MAX_STEPS = 20_000;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

function jsonSafe<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function diff(before: Variables, after: Variables): Variables {
  const changed: Variables = {};
  for (const [name, value] of Object.entries(after)) if (JSON.stringify(before[name]) !== JSON.stringify(value)) changed[name] = value;
  return changed;
}

class Step {
  readonly tokens = new Map<string, Token>();
  readonly scopes = new Map<string, Scope>();
  readonly subs = new Map<string, Subscription>();
  readonly history: HistoryEntry[] = [];
  readonly signals: { name: string; variables?: Variables }[] = [];
  private readonly queue: (() => void)[] = [];
  seq = 0;
  steps = 0;
  terminated = false;
  errorEnd?: { code?: string; message: string };
  variables: Variables = {};

  constructor(
    private readonly compiled: CompiledDefinition,
    private readonly model: ProcessModel,
    private readonly options: Required<RuntimeOptions>,
  ) {}

  // ---------------------------------------------------------------- state

  load(saved: SavedState, variables: Variables): void {
    this.seq = saved.seq;
    this.terminated = saved.terminated === true;
    this.variables = jsonSafe(variables);
    for (const t of saved.tokens) this.tokens.set(t.id, t);
    for (const s of saved.scopes) this.scopes.set(s.id, s.kind === 'process' ? { ...s, vars: this.variables } : s);
    for (const s of saved.subs) this.subs.set(s.id, s);
  }

  save(): SavedState {
    return jsonSafe({
      version: STATE_VERSION,
      seq: this.seq,
      tokens: [...this.tokens.values()],
      scopes: [...this.scopes.values()].map((s) => (s.kind === 'process' ? { ...s, vars: {} } : s)),
      subs: [...this.subs.values()],
      terminated: this.terminated || undefined,
    });
  }

  get root(): Scope | undefined {
    for (const s of this.scopes.values()) if (s.kind === 'process') return s;
    return undefined;
  }

  private node(id: string): FlowNode {
    const node = this.model.nodes.get(id);
    if (!node) throw new ProcessRunError('ELEMENT_UNKNOWN', `流程定义中没有元素 ${id}（流程状态与定义版本不符）`, id);
    return node;
  }

  private spec(id: string): ElementSpec | undefined {
    return this.compiled.elements.get(id);
  }

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}#${this.seq}`;
  }

  private newToken(node: string, scope: string, extra: Partial<Token> = {}): Token {
    const token: Token = { id: this.nextId(node), node, scope, ...extra };
    this.tokens.set(token.id, token);
    return token;
  }

  private newScope(kind: ScopeKind, element: string, parent: string | undefined, owner: string | undefined, vars: Variables): Scope {
    const scope: Scope = { id: this.nextId(kind === 'process' ? 'case' : element), kind, element, parent, owner, vars };
    this.scopes.set(scope.id, scope);
    return scope;
  }

  private addSub(sub: Subscription): void {
    this.subs.set(sub.id, sub);
  }

  private record(id: string, node: FlowNode, event: HistoryEntry['event']): void {
    this.history.push({
      activityId: node.id,
      activityName: node.name,
      activityType: node.type,
      executionId: id,
      event,
      at: this.options.now().toISOString(),
    });
  }

  // ---------------------------------------------------------------- variables and expressions

  private functions(): Record<string, ExpressionFunction> {
    const { calendar, now } = this.options;
    return {
      now: () => now().toISOString(),
      workingDays: (n) => calendar.addWorkingDays(now(), Number(n)).toISOString(),
      addWorkingDays: (from, n) => calendar.addWorkingDays(new Date(String(from)), Number(n)).toISOString(),
      addDays: (from, n) => new Date(new Date(String(from)).getTime() + Number(n) * 86_400_000).toISOString(),
      size: (value) => (Array.isArray(value) ? value.length : typeof value === 'string' ? value.length : 0),
      contains: (list, item) =>
        Array.isArray(list) ? list.includes(item) : typeof list === 'string' ? list.includes(String(item)) : false,
    };
  }

  /** Variables as an expression at a token sees them: the activity's locals, then each enclosing scope's. */
  scopeAt(token: Token | undefined, scopeId: string | undefined): ExpressionScope {
    return {
      functions: this.functions(),
      strict: !this.compiled.lenientVariables,
      lookup: (name) => {
        if (token?.vars && Object.prototype.hasOwnProperty.call(token.vars, name)) return token.vars[name];
        let scope = scopeId ? this.scopes.get(scopeId) : undefined;
        while (scope) {
          if (Object.prototype.hasOwnProperty.call(scope.vars, name)) return scope.vars[name];
          scope = scope.parent ? this.scopes.get(scope.parent) : undefined;
        }
        return undefined;
      },
    };
  }

  private scopeOfToken(token: Token): ExpressionScope {
    return this.scopeAt(token, token.scope);
  }

  /** Camunda's setVariable: where a local of that name exists on the way up, else on the process instance. */
  private setVariable(token: Token | undefined, scopeId: string | undefined, name: string, value: unknown): void {
    if (FORBIDDEN.has(name)) return;
    if (token?.vars && Object.prototype.hasOwnProperty.call(token.vars, name)) {
      token.vars[name] = value;
      return;
    }
    let scope = scopeId ? this.scopes.get(scopeId) : undefined;
    while (scope) {
      if (scope.kind !== 'process' && Object.prototype.hasOwnProperty.call(scope.vars, name)) {
        scope.vars[name] = value;
        return;
      }
      scope = scope.parent ? this.scopes.get(scope.parent) : undefined;
    }
    this.variables[name] = value;
  }

  private setVariables(token: Token | undefined, scopeId: string | undefined, variables: Variables | undefined): void {
    if (!variables) return;
    for (const [name, value] of Object.entries(jsonSafe(variables))) this.setVariable(token, scopeId, name, value);
  }

  private evaluate(text: string, scope: ExpressionScope, activityId: string): unknown {
    try {
      return resolveTemplate(text, scope);
    } catch (error) {
      if (error instanceof ExpressionError) throw new ProcessRunError('EXPRESSION_FAILED', error.message, activityId);
      throw error;
    }
  }

  private condition(text: string, scope: ExpressionScope, where: string, activityId: string): boolean {
    try {
      return evaluateCondition(text, scope, where);
    } catch (error) {
      if (error instanceof ExpressionError) throw new ProcessRunError('EXPRESSION_FAILED', error.message, activityId);
      throw error;
    }
  }

  private parameter(value: ParameterValue, scope: ExpressionScope, activityId: string): unknown {
    switch (value.t) {
      case 'null':
        return null;
      case 'text':
        return this.evaluate(value.v, scope, activityId);
      case 'list':
        return value.items.map((item) => this.parameter(item, scope, activityId));
      case 'map':
        return Object.fromEntries(value.entries.map(([key, item]) => [key, this.parameter(item, scope, activityId)]));
    }
  }

  // ---------------------------------------------------------------- the agenda

  private schedule(action: () => void): void {
    this.queue.push(action);
  }

  drain(): void {
    for (;;) {
      while (this.queue.length > 0) {
        if (++this.steps > MAX_STEPS)
          throw new ProcessRunError('PROCESS_LOOP', `一次操作中流程运行超过 ${MAX_STEPS} 步，疑似无限循环，已回滚`);
        this.queue.shift()!();
      }
      if (!this.fireInclusiveJoins()) return;
    }
  }

  // ---------------------------------------------------------------- entering elements

  private enter(token: Token): void {
    if (!this.tokens.has(token.id)) return;
    const node = this.node(token.node);
    const spec = this.spec(node.id);
    if (spec?.multiInstance && !token.inner) {
      this.subscribeBoundary(token, node);
      this.startMultiInstance(token, node, spec);
      return;
    }
    this.record(token.id, node, 'start');
    if (!token.inner) this.subscribeBoundary(token, node);
    if (node.io?.inputs.length) {
      const scope = this.scopeAt(undefined, token.scope);
      token.vars = {};
      for (const input of node.io.inputs) token.vars[input.name] = this.parameter(input.value, scope, node.id);
    }
    switch (node.type) {
      case 'bpmn:StartEvent':
      case 'bpmn:BoundaryEvent':
      case 'bpmn:ManualTask':
      case 'bpmn:Task':
        return this.complete(token);
      case 'bpmn:EndEvent':
        return this.endEvent(token, node);
      case 'bpmn:IntermediateThrowEvent':
        return this.throwEvent(token, node);
      case 'bpmn:IntermediateCatchEvent':
      case 'bpmn:ReceiveTask':
        if (token.fired || node.event?.kind === 'link') return this.complete(token);
        return this.catchWait(token, node);
      case 'bpmn:UserTask':
        return this.addSub({ id: token.id, node: node.id, token: token.id, wait: this.userTaskWait(token, node) });
      case 'bpmn:ServiceTask':
      case 'bpmn:SendTask':
        return this.externalWait(token, node);
      case 'bpmn:CallActivity':
        return this.callWait(token, node);
      case 'bpmn:SubProcess': {
        const scope = this.newScope('sub', node.id, token.scope, token.id, token.vars ?? {});
        token.vars = undefined;
        return this.startScope(scope, node);
      }
      case 'bpmn:ExclusiveGateway':
      case 'bpmn:ParallelGateway':
      case 'bpmn:InclusiveGateway':
        return this.gateway(token, node);
      case 'bpmn:EventBasedGateway':
        return this.eventGateway(token, node);
      default:
        throw new ProcessRunError('ELEMENT_UNSUPPORTED', `元素 ${node.id}（${node.type.slice(5)}）无法执行`, node.id);
    }
  }

  /** Runs a container's content from its none start event, with its event sub-processes listening. */
  private startScope(scope: Scope, container: FlowNode, startId?: string): void {
    this.subscribeEventSubProcesses(scope, container);
    const start =
      startId ??
      container.starts?.find((id) => !this.node(id).event) ??
      (container.type === 'bpmn:SubProcess' ? container.starts?.[0] : undefined);
    if (!start) throw new ProcessRunError('NO_START_EVENT', `${container.id} 没有可启动的无触发开始事件`, container.id);
    const token = this.newToken(start, scope.id);
    this.schedule(() => this.enter(token));
  }

  /** The activity finished its work: outputs, then on along its outgoing flows (or back to its multi-instance body). */
  private complete(token: Token, outcome?: unknown): void {
    if (!this.tokens.has(token.id)) return;
    const node = this.node(token.node);
    if (!token.miBody) this.record(token.id, node, 'end');
    this.dropSubs((s) => s.token === token.id);
    if (node.io?.outputs.length) {
      const scope = this.scopeOfToken(token);
      const values = node.io.outputs.map((o) => [o.name, this.parameter(o.value, scope, node.id)] as const);
      for (const [name, value] of values) this.setVariable(undefined, token.scope, name, value);
    }
    if (token.inner) return this.innerDone(token, outcome);
    this.leave(token);
  }

  private leave(token: Token, flowIds?: string[]): void {
    const node = this.node(token.node);
    const selected = flowIds ?? this.outgoing(token, node);
    this.tokens.delete(token.id);
    if (selected.length === 0) {
      this.scopeMaybeDone(token.scope);
      return;
    }
    for (const flowId of selected) {
      const next = this.newToken(this.model.flows.get(flowId)!.target, token.scope);
      this.schedule(() => this.enter(next));
    }
  }

  /** Flows an activity or event leaves by: unconditional ones and those whose condition holds, else the default. */
  private outgoing(token: Token, node: FlowNode): string[] {
    const scope = this.scopeOfToken(token);
    const taken: string[] = [];
    let conditional = 0;
    for (const flowId of node.outgoing) {
      if (flowId === node.defaultFlow) continue;
      const flow = this.model.flows.get(flowId)!;
      if (!flow.condition) taken.push(flowId);
      else {
        conditional++;
        if (this.condition(flow.condition, scope, `连线 ${flow.id} `, node.id)) taken.push(flowId);
      }
    }
    if (taken.length === 0 && node.defaultFlow) return [node.defaultFlow];
    if (taken.length === 0 && conditional > 0)
      throw new ProcessRunError('NO_OUTGOING_FLOW', `${node.id} 的出口连线条件都不成立，且没有默认连线`, node.id);
    return taken;
  }

  // ---------------------------------------------------------------- gateways

  private gateway(token: Token, node: FlowNode): void {
    if (node.incoming.length > 1 && node.type !== 'bpmn:ExclusiveGateway') {
      token.joining = true;
      if (node.type === 'bpmn:ParallelGateway') {
        const arrived = [...this.tokens.values()].filter((t) => t.joining && t.node === node.id && t.scope === token.scope);
        if (arrived.length < node.incoming.length) return;
        this.fireJoin(node, arrived.slice(0, node.incoming.length));
      }
      // Inclusive joins are decided when nothing else can move (drain).
      return;
    }
    this.split(token, node, true);
  }

  private fireJoin(node: FlowNode, arrived: Token[]): void {
    for (const t of arrived) {
      this.record(t.id, node, 'end');
      this.tokens.delete(t.id);
    }
    const out = this.newToken(node.id, arrived[0].scope);
    this.split(out, node, false);
  }

  /** Leaves a gateway by the flows it selects; a join's outgoing token never started, so it has no end of its own. */
  private split(token: Token, node: FlowNode, recordEnd: boolean): void {
    const scope = this.scopeOfToken(token);
    const flows = node.outgoing.map((id) => this.model.flows.get(id)!);
    let selected: string[];
    if (node.type === 'bpmn:ParallelGateway') selected = flows.map((f) => f.id);
    else {
      const holding = flows.filter(
        (f) => f.id !== node.defaultFlow && (!f.condition || this.condition(f.condition, scope, `连线 ${f.id} `, node.id)),
      );
      selected = (node.type === 'bpmn:ExclusiveGateway' ? holding.slice(0, 1) : holding).map((f) => f.id);
      if (selected.length === 0 && node.defaultFlow) selected = [node.defaultFlow];
      if (selected.length === 0 && flows.length > 0)
        throw new ProcessRunError('NO_OUTGOING_FLOW', `网关 ${node.id} 没有条件成立的出口连线，也没有默认连线`, node.id);
    }
    if (recordEnd) this.record(token.id, node, 'end');
    this.leave(token, selected);
  }

  /** An inclusive join fires when no other token of its scope can still reach it. */
  private fireInclusiveJoins(): boolean {
    let fired = false;
    for (const token of [...this.tokens.values()]) {
      if (!token.joining || !this.tokens.has(token.id)) continue;
      const node = this.node(token.node);
      if (node.type !== 'bpmn:InclusiveGateway') continue;
      const reach = this.model.reaches(node.id);
      const inScope = [...this.tokens.values()].filter((t) => t.scope === token.scope);
      const blocked = inScope.some((t) => !(t.joining && t.node === node.id) && reach.has(t.node));
      if (blocked) continue;
      this.fireJoin(
        node,
        inScope.filter((t) => t.joining && t.node === node.id),
      );
      fired = true;
    }
    return fired;
  }

  private eventGateway(token: Token, node: FlowNode): void {
    for (const flowId of node.outgoing) {
      const target = this.node(this.model.flows.get(flowId)!.target);
      const wait = this.eventWait(`${token.id}>${target.id}`, target, token);
      if (wait) this.addSub({ id: wait.waitId, node: target.id, token: token.id, ...wait.extra, wait: wait.wait });
    }
  }

  // ---------------------------------------------------------------- waits

  private catchWait(token: Token, node: FlowNode): void {
    const wait = this.eventWait(token.id, node, token);
    if (!wait) return this.complete(token);
    this.addSub({ id: wait.waitId, node: node.id, token: token.id, ...wait.extra, wait: wait.wait });
  }

  /** The wait of a catching event (message, signal, timer, receive task), or undefined for a timer already spent. */
  private eventWait(
    waitId: string,
    node: FlowNode,
    at: Token | undefined,
    scopeId?: string,
  ): { waitId: string; wait: Wait; extra: Partial<Subscription> } | undefined {
    const event: EventDefinition | undefined =
      node.type === 'bpmn:ReceiveTask' ? { kind: 'message', messageName: this.spec(node.id)?.messageName } : node.event;
    if (!event) throw new ProcessRunError('ELEMENT_UNSUPPORTED', `事件 ${node.id} 没有可等待的触发条件`, node.id);
    if (event.kind === 'message') {
      const messageName = event.messageName ?? this.spec(node.id)?.messageName;
      if (!messageName) throw new ProcessRunError('MESSAGE_UNDEFINED', `事件 ${node.id} 没有引用消息（messageRef）`, node.id);
      return { waitId, wait: { kind: 'message', waitId, activityId: node.id, messageName }, extra: {} };
    }
    if (event.kind === 'signal')
      return { waitId, wait: { kind: 'signal', waitId, activityId: node.id, signalName: event.signalName }, extra: {} };
    if (event.kind === 'timer') {
      const scope = at ? this.scopeOfToken(at) : this.scopeAt(undefined, scopeId);
      const timer = this.timerDue(event, scope, node.id);
      if (!timer) return undefined;
      return {
        waitId,
        wait: { kind: 'timer', waitId, activityId: node.id, dueAt: timer.next.toISOString() },
        extra: timer.cycle ? { cycle: timer.cycle } : {},
      };
    }
    throw new ProcessRunError('ELEMENT_UNSUPPORTED', `事件 ${node.id} 的 ${event.kind} 触发条件不能等待`, node.id);
  }

  timerDue(
    event: Extract<EventDefinition, { kind: 'timer' }>,
    scope: ExpressionScope,
    activityId: string,
  ): { next: Date; cycle?: Omit<Cycle, 'next'> } | undefined {
    const text = String(this.evaluate(event.body, scope, activityId) ?? '').trim();
    const now = this.options.now();
    try {
      if (event.timer === 'timeDate') return { next: parseDate(text) };
      if (event.timer === 'timeDuration') return { next: /^\d{4}-\d{2}-\d{2}/.test(text) ? parseDate(text) : addDuration(now, text) };
      const cycle = startCycle(text, now, this.options.timezone);
      if (!cycle) return undefined;
      const { next, ...rest } = cycle;
      return { next, cycle: rest };
    } catch (error) {
      if (error instanceof TimerError) throw new ProcessRunError('TIMER_INVALID', `定时器 ${activityId}：${error.message}`, activityId);
      throw error;
    }
  }

  private userTaskWait(token: Token, node: FlowNode): Wait {
    const spec = this.spec(node.id) ?? { id: node.id, type: node.type };
    const scope = this.scopeOfToken(token);
    const text = (template?: string): string | undefined => {
      if (!template) return undefined;
      const value = this.evaluate(template, scope, node.id);
      return value === null || value === undefined || value === '' ? undefined : String(value);
    };
    const list = (template?: string): string[] => {
      if (!template) return [];
      const value = this.evaluate(template, scope, node.id);
      const items = Array.isArray(value) ? value.map(String) : value === null || value === undefined ? [] : String(value).split(',');
      return items.map((s) => s.trim()).filter(Boolean);
    };
    const priority = Number(text(spec.priority) ?? 50);
    const iteration = token.inner ? this.scopes.get(token.scope)?.vars.loopCounter : undefined;
    return {
      kind: 'userTask',
      waitId: token.id,
      activityId: node.id,
      name: this.nameOf(node.name, scope),
      assignee: text(spec.assignee),
      candidateUsers: list(spec.candidateUsers),
      candidateGroups: list(spec.candidateGroups),
      candidateUnits: list(spec.candidateUnits),
      formKey: text(spec.formKey),
      dueDate: this.dueDate(text(spec.dueDate), node.id),
      priority: Number.isFinite(priority) ? priority : 50,
      iteration: typeof iteration === 'number' ? iteration : undefined,
    };
  }

  /** A name is a label: one whose expression cannot be resolved keeps its text rather than refusing the step. */
  private nameOf(name: string | undefined, scope: ExpressionScope): string | undefined {
    if (!name || !name.includes('${')) return name;
    try {
      const value = resolveTemplate(name, scope);
      return value === null || value === undefined || value === '' ? name : String(value);
    } catch {
      return name;
    }
  }

  /** A due date is an ISO date-time, an ISO duration from now (P3D, PT4H) or the result of workingDays(n). */
  private dueDate(value: string | undefined, activityId: string): string | undefined {
    if (!value) return undefined;
    if (value.startsWith('P')) {
      try {
        return addDuration(this.options.now(), value).toISOString();
      } catch {
        // not a duration: read as a date below
      }
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime()))
      throw new ProcessRunError('DUE_DATE_INVALID', `任务 ${activityId} 的办理期限 “${value}” 不是日期或 ISO 时长`, activityId);
    return date.toISOString();
  }

  private externalWait(token: Token, node: FlowNode): void {
    const spec = this.spec(node.id);
    const topic = node.topic ?? spec?.topic;
    if (!topic) return this.complete(token);
    const priority = Number(spec?.priority ?? 0);
    this.addSub({
      id: token.id,
      node: node.id,
      token: token.id,
      wait: {
        kind: 'externalTask',
        waitId: token.id,
        activityId: node.id,
        name: node.name,
        topic,
        priority: Number.isFinite(priority) ? priority : 0,
      },
    });
  }

  private callWait(token: Token, node: FlowNode): void {
    const spec = this.spec(node.id);
    const scope = this.scopeOfToken(token);
    const calledElement = String(this.evaluate(spec?.calledElement ?? '', scope, node.id) ?? '');
    const variables: Variables = {};
    let businessKey: string | undefined;
    for (const m of node.callIn ?? []) {
      if (m.businessKey) {
        const key = this.evaluate(m.businessKey, scope, node.id);
        businessKey = key === null || key === undefined ? undefined : String(key);
      }
      if (m.all) Object.assign(variables, this.visibleVariables(token, m.local === true));
      if (m.target && (m.source || m.sourceExpression))
        variables[m.target] = m.source ? (scope.lookup(m.source) ?? null) : this.evaluate(m.sourceExpression!, scope, node.id);
    }
    this.addSub({
      id: token.id,
      node: node.id,
      token: token.id,
      wait: { kind: 'callActivity', waitId: token.id, activityId: node.id, calledElement, variables: jsonSafe(variables), businessKey },
    });
  }

  /** Every variable a token sees, the nearest winning; `local`: only those of its own scope. */
  private visibleVariables(token: Token, local: boolean): Variables {
    const chain: Variables[] = [];
    let scope = this.scopes.get(token.scope);
    while (scope) {
      chain.unshift(scope.vars);
      if (local) break;
      scope = scope.parent ? this.scopes.get(scope.parent) : undefined;
    }
    return Object.assign({}, ...chain, token.vars ?? {}) as Variables;
  }

  // ---------------------------------------------------------------- events

  private endEvent(token: Token, node: FlowNode): void {
    const event = node.event;
    if (node.topic) return this.externalWait(token, node);
    if (event?.kind === 'terminate') {
      this.record(token.id, node, 'end');
      this.tokens.delete(token.id);
      const scope = this.scopes.get(token.scope)!;
      this.cancelContent(scope);
      if (scope.kind === 'process') this.terminated = true;
      this.scopeMaybeDone(scope.id);
      return;
    }
    if (event?.kind === 'error') {
      this.record(token.id, node, 'end');
      this.tokens.delete(token.id);
      this.throwError(undefined, token.scope, event.errorCode, event.errorMessage ?? node.name, false);
      return;
    }
    if (event?.kind === 'escalation') {
      this.throwEscalation(token, event.escalationCode);
      if (this.tokens.has(token.id)) this.complete(token);
      return;
    }
    if (event?.kind === 'signal') this.throwSignal(event.signalName);
    this.complete(token);
  }

  private throwEvent(token: Token, node: FlowNode): void {
    const event = node.event;
    if (node.topic) return this.externalWait(token, node);
    if (event?.kind === 'link') {
      const target = this.model.linkTarget(node.scope, event.linkName);
      if (!target)
        throw new ProcessRunError('LINK_UNRESOLVED', `链接事件 ${node.id} 找不到同名（${event.linkName}）的捕获链接事件`, node.id);
      this.record(token.id, node, 'end');
      this.tokens.delete(token.id);
      const next = this.newToken(target, token.scope, { fired: true });
      this.schedule(() => this.enter(next));
      return;
    }
    if (event?.kind === 'signal') this.throwSignal(event.signalName);
    if (event?.kind === 'escalation') this.throwEscalation(token, event.escalationCode);
    if (this.tokens.has(token.id)) this.complete(token);
  }

  /** A signal reaches every subscription of the case now, and (through the host) every other case and signal start. */
  private throwSignal(name: string): void {
    this.signals.push({ name });
    for (const sub of [...this.subs.values()]) {
      if (sub.wait.kind === 'signal' && sub.wait.signalName === name && this.subs.has(sub.id))
        this.schedule(() => this.trigger(sub.id, undefined));
    }
  }

  private subscribeBoundary(token: Token, node: FlowNode): void {
    for (const id of node.boundary) {
      const boundary = this.node(id);
      const kind = boundary.event?.kind;
      if (kind !== 'timer' && kind !== 'message' && kind !== 'signal') continue;
      const wait = this.eventWait(`${token.id}>${id}`, boundary, token);
      if (wait) this.addSub({ id: wait.waitId, node: id, token: token.id, ...wait.extra, wait: wait.wait });
    }
  }

  private subscribeEventSubProcesses(scope: Scope, container: FlowNode): void {
    for (const id of container.eventSubProcesses ?? []) {
      const sub = this.node(id);
      for (const startId of sub.starts ?? []) {
        const start = this.node(startId);
        const kind = start.event?.kind;
        if (kind !== 'timer' && kind !== 'message' && kind !== 'signal') continue;
        const wait = this.eventWait(`${scope.id}>${startId}`, start, undefined, scope.id);
        if (wait) this.addSub({ id: wait.waitId, node: startId, scope: scope.id, ...wait.extra, wait: wait.wait });
      }
    }
  }

  /** Releases a wait of a catching event: a catch, a boundary event, an event-based gateway's branch, an event sub-process. */
  trigger(subId: string, variables: Variables | undefined): void {
    const sub = this.subs.get(subId);
    if (!sub) return;
    const node = this.node(sub.node);
    const owner = sub.token ? this.tokens.get(sub.token) : undefined;
    if (sub.token && !owner) {
      this.subs.delete(sub.id);
      return;
    }
    this.rearm(sub);
    if (node.attachedTo && owner) {
      this.setVariables(undefined, owner.scope, variables);
      if (node.interrupting) this.cancelToken(owner);
      const next = this.newToken(node.id, owner.scope);
      this.schedule(() => this.enter(next));
      return;
    }
    if (sub.scope) {
      const scope = this.scopes.get(sub.scope);
      if (!scope) return;
      this.setVariables(undefined, scope.id, variables);
      this.startEventSubProcess(scope, node);
      return;
    }
    if (owner && owner.node !== node.id) {
      // An event-based gateway: the first event wins, the other branches are withdrawn.
      this.setVariables(undefined, owner.scope, variables);
      this.record(owner.id, this.node(owner.node), 'end');
      this.dropSubs((s) => s.token === owner.id);
      this.tokens.delete(owner.id);
      const next = this.newToken(node.id, owner.scope, { fired: true });
      this.schedule(() => this.enter(next));
      return;
    }
    if (owner) {
      this.setVariables(owner, owner.scope, variables);
      this.complete(owner);
    }
  }

  /** After a firing: a cycle's next firing gets a wait of its own, a one-off timer is spent, messages and signals stay for non-interrupting listeners. */
  private rearm(sub: Subscription): void {
    const node = this.node(sub.node);
    const interrupting = node.interrupting !== false;
    if (sub.wait.kind === 'timer') {
      this.subs.delete(sub.id);
      if (sub.cycle && !interrupting) {
        const next = nextCycle({ ...sub.cycle, next: new Date(sub.wait.dueAt) }, this.options.timezone);
        if (next) {
          const { next: at, ...cycle } = next;
          this.seq += 1;
          const id = `${sub.id.split('~')[0]}~${this.seq}`;
          this.addSub({ ...sub, id, cycle, wait: { ...sub.wait, waitId: id, dueAt: at.toISOString() } });
        }
      }
      return;
    }
    const keeps = (node.attachedTo || sub.scope) && !interrupting;
    if (!keeps) this.subs.delete(sub.id);
  }

  private startEventSubProcess(scope: Scope, start: FlowNode, variables?: Variables): void {
    const container = this.node(start.scope);
    if (start.interrupting !== false) {
      this.cancelContent(scope);
      this.dropSubs((s) => s.scope === scope.id);
    }
    const inner = this.newScope('eventSub', container.id, scope.id, undefined, {});
    this.record(inner.id, container, 'start');
    if (variables) for (const [name, value] of Object.entries(variables)) this.setVariable(undefined, inner.id, name, value);
    this.subscribeEventSubProcesses(inner, container);
    const token = this.newToken(start.id, inner.id);
    this.schedule(() => this.enter(token));
  }

  // ---------------------------------------------------------------- errors and escalations

  private catcher(
    kind: 'error' | 'escalation',
    code: string | undefined,
    token: Token | undefined,
    scopeId: string | undefined,
  ): { boundary?: FlowNode; owner?: Token; start?: FlowNode; scope?: Scope } | undefined {
    const matches = (event: EventDefinition | undefined): 0 | 1 | 2 => {
      if (event?.kind !== kind) return 0;
      const expected = event.kind === 'error' ? event.errorCode : event.kind === 'escalation' ? event.escalationCode : undefined;
      if (expected === undefined) return 1;
      return expected === code ? 2 : 0;
    };
    const best = (ids: string[]): FlowNode | undefined => {
      const ranked = ids.map((id) => this.node(id)).map((n) => [matches(n.event), n] as const);
      return (ranked.find(([m]) => m === 2) ?? ranked.find(([m]) => m === 1))?.[1];
    };
    let current = token;
    let scope = scopeId ? this.scopes.get(scopeId) : undefined;
    for (;;) {
      if (current && !current.inner) {
        const boundary = best(this.node(current.node).boundary);
        if (boundary) return { boundary, owner: current };
      }
      if (!scope) return undefined;
      if (scope.kind === 'process' || scope.kind === 'sub' || scope.kind === 'eventSub') {
        const container = this.node(scope.element);
        const starts = (container.eventSubProcesses ?? []).flatMap((id) => this.node(id).starts ?? []);
        const start = best(starts);
        if (start) return { start, scope };
      }
      current = scope.owner ? this.tokens.get(scope.owner) : undefined;
      scope = scope.parent ? this.scopes.get(scope.parent) : undefined;
    }
  }

  throwError(token: Token | undefined, scopeId: string, code: string | undefined, message: string | undefined, fromWorker: boolean): void {
    const found = this.catcher('error', code, token, scopeId);
    const carried: Variables = {};
    const event = (found?.boundary ?? found?.start)?.event;
    if (event?.kind === 'error') {
      if (event.codeVariable) carried[event.codeVariable] = code ?? null;
      if (event.messageVariable) carried[event.messageVariable] = message ?? null;
    }
    if (found?.boundary && found.owner) {
      const scope = found.owner.scope;
      this.cancelToken(found.owner);
      this.setVariables(undefined, scope, carried);
      const next = this.newToken(found.boundary.id, scope);
      this.schedule(() => this.enter(next));
      return;
    }
    if (found?.start && found.scope) {
      this.startEventSubProcess(found.scope, found.start, carried);
      return;
    }
    if (fromWorker)
      throw new ProcessRunError(
        'BPMN_ERROR_UNCAUGHT',
        `BPMN 错误 ${code ?? ''} 没有边界错误事件或错误事件子流程捕获；请在图中为该环节添加边界错误事件`,
        token?.node,
      );
    // An error end event nobody catches ends the case as failed.
    this.errorEnd = { code, message: message ?? code ?? 'error end event' };
    const root = this.root;
    if (root) {
      this.cancelContent(root);
      this.dropSubs(() => true);
      this.scopes.delete(root.id);
    }
  }

  private throwEscalation(token: Token, code: string | undefined): void {
    const found = this.catcher('escalation', code, undefined, token.scope);
    if (found?.boundary && found.owner) {
      const scope = found.owner.scope;
      if (found.boundary.interrupting !== false) this.cancelToken(found.owner);
      const next = this.newToken(found.boundary.id, scope);
      this.schedule(() => this.enter(next));
      return;
    }
    if (found?.start && found.scope) this.startEventSubProcess(found.scope, found.start);
  }

  // ---------------------------------------------------------------- multi-instance

  private startMultiInstance(token: Token, node: FlowNode, spec: ElementSpec): void {
    const mi = spec.multiInstance!;
    const scope = this.scopeOfToken(token);
    let items: unknown[] | undefined;
    let total: number;
    if (mi.collection) {
      const value = isExpression(mi.collection) ? this.evaluate(mi.collection, scope, node.id) : scope.lookup(mi.collection);
      if (!Array.isArray(value))
        throw new ProcessRunError(
          'MULTI_INSTANCE_COLLECTION',
          `多实例 ${node.id} 的集合 ${mi.collection} 不是列表（实际：${JSON.stringify(value ?? null)}）`,
          node.id,
        );
      items = value;
      total = value.length;
    } else {
      const value = Number(this.evaluate(mi.loopCardinality ?? '0', scope, node.id));
      if (!Number.isInteger(value) || value < 0)
        throw new ProcessRunError('MULTI_INSTANCE_CARDINALITY', `多实例 ${node.id} 的次数 ${mi.loopCardinality} 不是非负整数`, node.id);
      total = value;
    }
    token.miBody = true;
    if (total === 0) return this.complete(token);
    const body = this.newScope('miBody', node.id, token.scope, token.id, {
      nrOfInstances: total,
      nrOfCompletedInstances: 0,
      nrOfActiveInstances: mi.isSequential ? 1 : total,
      nrOfApproved: 0,
      nrOfRejected: 0,
    });
    body.mi = { next: 0, total, items, sequential: mi.isSequential };
    if (mi.isSequential) this.spawnInner(body, node, spec);
    else for (let i = 0; i < total; i++) this.spawnInner(body, node, spec);
  }

  private spawnInner(body: Scope, node: FlowNode, spec: ElementSpec): void {
    const index = body.mi!.next++;
    const vars: Variables = { loopCounter: index };
    const each = spec.multiInstance?.elementVariable;
    if (each && body.mi!.items) vars[each] = body.mi!.items[index] ?? null;
    const scope = this.newScope('miInner', node.id, body.id, undefined, vars);
    const inner = this.newToken(node.id, scope.id, { inner: true });
    this.schedule(() => this.enter(inner));
  }

  private innerDone(token: Token, outcome: unknown): void {
    const inner = this.scopes.get(token.scope)!;
    const body = this.scopes.get(inner.parent!)!;
    const node = this.node(token.node);
    const spec = this.spec(node.id)!;
    const counts = body.vars as Record<string, number>;
    counts.nrOfCompletedInstances += 1;
    counts.nrOfActiveInstances = Math.max(0, counts.nrOfActiveInstances - 1);
    if (outcome === 'approve') counts.nrOfApproved += 1;
    if (outcome === 'reject') counts.nrOfRejected += 1;
    const condition = spec.multiInstance?.completionCondition;
    const done =
      (condition ? this.condition(condition, this.scopeAt(undefined, inner.id), `多实例 ${node.id} 的完成条件`, node.id) : false) ||
      counts.nrOfCompletedInstances >= body.mi!.total;
    this.tokens.delete(token.id);
    this.scopes.delete(inner.id);
    if (done) {
      for (const other of [...this.scopes.values()]) if (other.parent === body.id) this.cancelScope(other);
      this.scopes.delete(body.id);
      const owner = this.tokens.get(body.owner!);
      if (owner) this.complete(owner);
      return;
    }
    if (body.mi!.sequential) {
      counts.nrOfActiveInstances = 1;
      this.spawnInner(body, node, spec);
    }
  }

  // ---------------------------------------------------------------- ending and cancelling

  private scopeMaybeDone(scopeId: string): void {
    const scope = this.scopes.get(scopeId);
    if (!scope || scope.kind === 'miBody' || scope.kind === 'miInner') return;
    for (const t of this.tokens.values()) if (t.scope === scope.id) return;
    for (const s of this.scopes.values()) if (s.parent === scope.id) return;
    this.dropSubs((s) => s.scope === scope.id);
    this.scopes.delete(scope.id);
    if (scope.kind === 'eventSub') {
      this.record(scope.id, this.node(scope.element), 'end');
      if (scope.parent) this.scopeMaybeDone(scope.parent);
      return;
    }
    if (scope.kind === 'sub') {
      const owner = scope.owner ? this.tokens.get(scope.owner) : undefined;
      // The sub-process's own variables (its inputs and what ran inside set locally) are what its
      // output parameters read, as on Camunda's sub-process execution; they end with the activity.
      if (owner) owner.vars = scope.vars;
      if (owner) this.schedule(() => this.complete(owner));
    }
  }

  private dropSubs(predicate: (s: Subscription) => boolean): void {
    for (const [id, sub] of this.subs) if (predicate(sub)) this.subs.delete(id);
  }

  /** Cancels an activity instance and everything inside it: history says it did not complete. */
  private cancelToken(token: Token): void {
    if (!this.tokens.has(token.id)) return;
    this.tokens.delete(token.id);
    if (!token.miBody) this.record(token.id, this.node(token.node), 'discard');
    this.dropSubs((s) => s.token === token.id);
    for (const scope of [...this.scopes.values()]) if (scope.owner === token.id) this.cancelScope(scope);
  }

  private cancelScope(scope: Scope): void {
    if (!this.scopes.has(scope.id)) return;
    this.cancelContent(scope);
    this.dropSubs((s) => s.scope === scope.id);
    this.scopes.delete(scope.id);
    if (scope.kind === 'eventSub') this.record(scope.id, this.node(scope.element), 'discard');
  }

  /** Everything running inside a scope, but not the scope itself. */
  private cancelContent(scope: Scope): void {
    for (const token of [...this.tokens.values()]) if (token.scope === scope.id) this.cancelToken(token);
    for (const child of [...this.scopes.values()]) if (child.parent === scope.id) this.cancelScope(child);
  }

  // ---------------------------------------------------------------- commands

  start(startId: string): void {
    const root = this.newScope('process', this.model.id, undefined, undefined, this.variables);
    this.startScope(root, this.node(this.model.id), startId);
  }

  apply(command: Command): void {
    const sub = this.subs.get(command.waitId);
    if (command.type === 'fireTimer') {
      // A timer row can outlive its wait (the task completed in the same instant): nothing to do.
      if (sub?.wait.kind === 'timer') this.trigger(sub.id, undefined);
      return;
    }
    if (!sub) throw new WaitNotFoundError(command.waitId);
    const token = sub.token ? this.tokens.get(sub.token) : undefined;
    const expect = (kind: Wait['kind'] | Wait['kind'][]): void => {
      if (!(Array.isArray(kind) ? kind : [kind]).includes(sub.wait.kind)) throw new WaitNotFoundError(command.waitId);
    };
    switch (command.type) {
      case 'completeUserTask':
        expect('userTask');
        this.setVariables(token, token?.scope, command.variables);
        this.subs.delete(sub.id);
        if (token) this.complete(token, command.outcome ?? command.variables?.outcome);
        return;
      case 'completeExternalTask':
        expect('externalTask');
        this.setVariables(token, token?.scope, command.variables);
        this.subs.delete(sub.id);
        if (token) this.complete(token, command.variables?.outcome);
        return;
      case 'externalTaskBpmnError':
        expect(['externalTask', 'callActivity']);
        this.setVariables(token, token?.scope, command.variables);
        this.subs.delete(sub.id);
        if (token) this.throwError(token, token.scope, command.errorCode, command.errorMessage, true);
        return;
      case 'correlateMessage':
        expect('message');
        this.trigger(sub.id, command.variables);
        return;
      case 'signal':
        expect('signal');
        this.trigger(sub.id, command.variables);
        return;
      case 'completeCallActivity': {
        expect('callActivity');
        this.subs.delete(sub.id);
        if (!token) return;
        const node = this.node(token.node);
        const child = jsonSafe(command.variables ?? {});
        const childScope: ExpressionScope = {
          functions: this.functions(),
          lookup: (name) => (Object.prototype.hasOwnProperty.call(child, name) ? child[name] : undefined),
        };
        for (const m of node.callOut ?? []) {
          if (m.all) this.setVariables(token, token.scope, child);
          if (m.target && (m.source || m.sourceExpression))
            this.setVariable(
              token,
              token.scope,
              m.target,
              m.source ? (childScope.lookup(m.source) ?? null) : this.evaluate(m.sourceExpression!, childScope, node.id),
            );
        }
        this.complete(token);
        return;
      }
    }
  }

  status(): InstanceStatus {
    if (this.errorEnd) return 'failed';
    if (this.root) return 'running';
    return this.terminated ? 'terminated' : 'completed';
  }

  waits(): Wait[] {
    return [...this.subs.values()].map((s) => s.wait);
  }
}

/**
 * Runs compiled diagrams one command at a time: read the saved state, apply the command, step every
 * token until it waits, and hand back the new state, the full list of waits and the history.
 */
export class BpmnRuntime {
  private readonly options: Required<RuntimeOptions>;

  constructor(options: RuntimeOptions = {}) {
    this.options = {
      calendar: options.calendar ?? new WorkingCalendar(),
      now: options.now ?? (() => new Date()),
      timezone: options.timezone ?? 'Asia/Shanghai',
    };
  }

  async start(
    compiled: CompiledDefinition,
    input: { variables?: Variables; startEventId?: string; trigger?: 'message' | 'timer' | 'signal' } = {},
  ): Promise<StepResult> {
    const step = new Step(compiled, compiled.model, this.options);
    step.variables = {};
    for (const [name, value] of Object.entries(jsonSafe(input.variables ?? {}))) if (!FORBIDDEN.has(name)) step.variables[name] = value;
    const start =
      input.startEventId ??
      (input.trigger
        ? compiled.startEvents.find((s) => s.kind === input.trigger)?.id
        : compiled.startEvents.find((s) => s.kind === 'none')?.id);
    if (!start) {
      throw new ProcessRunError(
        'NO_START_EVENT',
        input.trigger ? `流程没有${input.trigger}类型的开始事件` : '流程没有无触发条件的开始事件：它只能由消息、信号或定时器启动',
      );
    }
    step.start(start);
    step.drain();
    return this.finish(step, {}, []);
  }

  /** When each timer start event of a diagram is next due, as of now. */
  async nextStartTimers(compiled: CompiledDefinition): Promise<{ activityId: string; dueAt: string }[]> {
    const due: { activityId: string; dueAt: string }[] = [];
    const step = new Step(compiled, compiled.model, this.options);
    for (const start of compiled.startEvents) {
      if (start.kind !== 'timer') continue;
      const node = compiled.model.nodes.get(start.id);
      if (node?.event?.kind !== 'timer') continue;
      const timer = step.timerDue(node.event, step.scopeAt(undefined, undefined), node.id);
      if (timer) due.push({ activityId: start.id, dueAt: timer.next.toISOString() });
    }
    return due;
  }

  async execute(compiled: CompiledDefinition, state: unknown, command: Command): Promise<StepResult> {
    const saved = state as (SavedState & { variables?: Variables }) | null;
    if (saved?.version !== STATE_VERSION) throw new ProcessRunError('STATE_UNREADABLE', '流程状态版本不符，无法恢复');
    const step = new Step(compiled, compiled.model, this.options);
    step.load(saved, saved.variables ?? {});
    const before = jsonSafe(step.variables);
    const waitsBefore = step.waits();
    step.apply(command);
    step.drain();
    return this.finish(step, before, waitsBefore);
  }

  private finish(step: Step, before: Variables, waitsBefore: Wait[]): StepResult {
    const status = step.status();
    const variables = jsonSafe(step.variables);
    const waits = status === 'running' ? step.waits() : [];
    const was = new Set(waitsBefore.map((w) => w.waitId));
    const is = new Set(waits.map((w) => w.waitId));
    return {
      state: status === 'running' ? step.save() : null,
      status,
      variables,
      changed: diff(before, variables),
      waits,
      opened: waits.filter((w) => !was.has(w.waitId)),
      closed: waitsBefore.filter((w) => !is.has(w.waitId)).map((w) => ({ waitId: w.waitId, kind: w.kind })),
      history: step.history,
      error: step.errorEnd,
      signals: step.signals.length > 0 ? step.signals : undefined,
    };
  }
}
