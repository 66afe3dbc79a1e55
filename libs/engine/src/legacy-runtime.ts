import { EventEmitter } from 'node:events';
import { WorkingCalendar } from './calendar';
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
import type { CompiledDefinition, ElementSpec } from './compile';
import {
  evaluateCondition,
  ExpressionError,
  hasExpression,
  isExpression,
  resolveTemplate,
  type ExpressionFunction,
  type ExpressionScope,
} from './expression';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- bpmn-engine's objects are
   untyped message buses; they are confined to this file and never leave it. */
const { Engine } = require('bpmn-engine') as { Engine: new (options: Record<string, unknown>) => any };
type Api = any;
/* eslint-enable @typescript-eslint/no-require-imports */

const STATE_VERSION = 1;
const MI_VARIABLES = new Set([
  'nrOfInstances',
  'nrOfCompletedInstances',
  'nrOfActiveInstances',
  'loopCounter',
  'nrOfApproved',
  'nrOfRejected',
]);

interface CapturedTimer {
  activityId: string;
  dueAt: Date;
  fire: () => void;
}

interface CapturedService {
  activityId: string;
  callback: (error: unknown, output?: unknown) => void;
}

/** One execution of bpmn-engine for one command; discarded afterwards (nothing lives between commands). */
class Run {
  readonly waits = new Map<string, Wait>();
  readonly services = new Map<string, CapturedService>();
  readonly timers = new Map<string, CapturedTimer>();
  readonly history: HistoryEntry[] = [];
  /** Executions whose end or discard this run has seen: a later leave is not a cancellation. */
  private readonly settled = new Set<string>();
  /** The instance variables: kept here, not in bpmn-elements' environments, which sub-processes copy. */
  vars: Variables = {};
  failure?: unknown;
  terminated = false;
  errorEnd?: { code?: string; message: string };
  engine: Api;
  execution: Api;

  constructor(
    private readonly compiled: CompiledDefinition,
    private readonly options: Required<Omit<RuntimeOptions, 'timezone'>>,
  ) {}

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

  /** The scope of an expression evaluated by bpmn-elements for an element: its iteration's content, then the variables. */
  scopeFor(context: Api): ExpressionScope {
    const content = context?.content ?? {};
    const spec = typeof content.id === 'string' ? this.compiled.elements.get(content.id) : undefined;
    const variables = this.vars;
    const elementVariable = spec?.multiInstance?.elementVariable;
    return {
      functions: this.functions(),
      lookup: (name) => {
        if (elementVariable && name === elementVariable && name in content) return content[name];
        if (MI_VARIABLES.has(name) && spec?.multiInstance) return multiInstanceValue(name, content);
        return Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
      },
    };
  }

  /** Where `text` is a condition of the element evaluating it (an outgoing flow's, a completion condition), names it. */
  private conditionAt(text: string, context: Api): string | undefined {
    const id = context?.content?.id;
    if (typeof id !== 'string') return undefined;
    if (this.compiled.elements.get(id)?.multiInstance?.completionCondition === text) return `多实例 ${id} 的完成条件`;
    const flows = (this.compiled.sourceContext as unknown as { getOutboundSequenceFlows(id: string): Api[] }).getOutboundSequenceFlows(id);
    const flow = flows.find((f) => f.behaviour?.conditionExpression?.body === text);
    return flow ? `连线 ${String(flow.id)} ` : undefined;
  }

  engineOptions(): Record<string, unknown> {
    const services = this.services;
    const timers = this.timers;
    class ExternalService {
      private executionId?: string;
      constructor(private readonly activity: Api) {}
      execute(message: Api, callback: CapturedService['callback']): void {
        this.executionId = message.content.executionId;
        services.set(message.content.executionId, { activityId: this.activity.id, callback });
      }
      discard(): void {
        if (this.executionId) services.delete(this.executionId);
      }
      stop(): void {
        if (this.executionId) services.delete(this.executionId);
      }
    }
    return {
      name: this.compiled.key,
      // The default debug logger checks isatty for each of the hundreds of loggers an engine creates
      // (a quarter of a command's CPU); the runtime reports what matters through history and errors.
      Logger: silentLogger,
      sourceContext: this.compiled.sourceContext,
      settings: { enableDummyService: false },
      expressions: {
        resolveExpression: (text: unknown, context: Api) => {
          if (typeof text !== 'string') return text;
          // bpmn-elements takes a flow on any truthy value; a condition is coerced to Boolean by EL rules instead.
          const condition = this.conditionAt(text, context);
          return condition ? evaluateCondition(text, this.scopeFor(context), condition) : resolveTemplate(text, this.scopeFor(context));
        },
        isExpression,
        hasExpression,
      },
      timers: {
        executing: [],
        register: (content: Api) => ({
          setTimeout: (fire: () => void) => {
            timers.set(content.executionId, { activityId: content.id, dueAt: new Date(content.expireAt), fire });
            return { zwTimer: content.executionId };
          },
          clearTimeout: (ref: Api) => {
            if (ref?.zwTimer) timers.delete(ref.zwTimer);
          },
        }),
        setTimeout: (fn: () => void, delay: number) => setTimeout(fn, delay),
        clearTimeout: (ref: Api) => {
          if (ref?.zwTimer) timers.delete(ref.zwTimer);
          else if (ref) clearTimeout(ref);
        },
      },
      extensions: {
        zhengwu: (activity: Api) => {
          const spec = this.compiled.elements.get(activity.id);
          if (spec?.topic) activity.behaviour.Service = ExternalService;
          return undefined;
        },
      },
    };
  }

  listener(): EventEmitter {
    const listener = new EventEmitter();
    const record = (event: HistoryEntry['event']) => (api: Api) => {
      if (event === 'end' || event === 'discard') this.settled.add(api.executionId);
      this.history.push({
        activityId: api.id,
        activityName: this.compiled.elements.get(api.id)?.name,
        activityType: api.type,
        executionId: api.executionId,
        event,
        at: this.options.now().toISOString(),
      });
    };
    listener.on('activity.start', record('start'));
    listener.on('activity.end', (api: Api) => {
      record('end')(api);
      this.forget(api.executionId);
      const spec = this.compiled.elements.get(api.id);
      if (spec?.endKind === 'terminate') this.terminated = true;
      // An error end event of the process itself ends the instance as failed, as in Camunda.
      if (spec?.endKind === 'error') this.errorEnd = { code: spec.errorCode, message: spec.name ?? spec.errorCode ?? 'error end event' };
    });
    listener.on('activity.discard', (api: Api) => {
      record('discard')(api);
      this.forget(api.executionId);
    });
    listener.on('activity.leave', (api: Api) => {
      // bpmn-elements announces a discard only for an element that never started; one that started and is
      // then cancelled (a boundary timer when its task completes, a task its boundary event interrupts)
      // just leaves. Either way it did not run to completion: history says so.
      if (!this.settled.has(api.executionId)) record('discard')(api);
      this.forget(api.executionId);
    });
    listener.on('activity.error', record('error'));
    listener.on('activity.wait', (api: Api) => this.onWait(api));
    listener.on('activity.call', (api: Api) => this.onCall(api));
    return listener;
  }

  /** A finished activity takes its waits and those of everything inside it (iterations, event definitions) along. */
  private forget(executionId: string): void {
    for (const map of [this.waits, this.services, this.timers] as Map<string, unknown>[]) {
      for (const key of [...map.keys()]) if (key === executionId || key.startsWith(`${executionId}_`)) map.delete(key);
    }
  }

  private onWait(api: Api): void {
    const spec = this.compiled.elements.get(api.id);
    if (!spec) return;
    if (spec.type === 'bpmn:UserTask') {
      this.waits.set(api.executionId, this.userTaskWait(spec, api));
      return;
    }
    if (spec.messageName) {
      this.waits.set(api.executionId, { kind: 'message', waitId: api.executionId, activityId: spec.id, messageName: spec.messageName });
    }
  }

  private onCall(api: Api): void {
    const spec = this.compiled.elements.get(api.id);
    if (!spec?.calledElement) return;
    const calledElement = String(resolveTemplate(spec.calledElement, this.scopeFor(api)));
    this.waits.set(api.executionId, {
      kind: 'callActivity',
      waitId: api.executionId,
      activityId: spec.id,
      calledElement,
      variables: { ...this.currentVariables() },
    });
  }

  private userTaskWait(spec: ElementSpec, api: Api): Wait {
    const scope = this.scopeFor(api);
    const text = (template?: string): string | undefined => {
      if (!template) return undefined;
      const value = resolveTemplate(template, scope);
      return value === null || value === undefined || value === '' ? undefined : String(value);
    };
    const list = (template?: string): string[] => {
      if (!template) return [];
      const value = resolveTemplate(template, scope);
      const items = Array.isArray(value) ? value.map(String) : value === null || value === undefined ? [] : String(value).split(',');
      return items.map((s) => s.trim()).filter(Boolean);
    };
    const priority = Number(text(spec.priority) ?? 50);
    return {
      kind: 'userTask',
      waitId: api.executionId,
      activityId: spec.id,
      name: this.nameOf(spec.name, text),
      assignee: text(spec.assignee),
      candidateUsers: list(spec.candidateUsers),
      candidateGroups: list(spec.candidateGroups),
      candidateUnits: list(spec.candidateUnits),
      formKey: text(spec.formKey),
      dueDate: this.dueDate(text(spec.dueDate), spec.id),
      priority: Number.isFinite(priority) ? priority : 50,
      iteration: spec.multiInstance && typeof api.content?.index === 'number' ? api.content.index : undefined,
    };
  }

  /**
   * Camunda resolves expressions in a task's name (`会签（${signer}）`, `Task ${loopCounter}`). A name is a label, not
   * a decision: one that cannot be resolved keeps its text instead of refusing the command.
   */
  private nameOf(name: string | undefined, resolve: (template?: string) => string | undefined): string | undefined {
    if (!name || !name.includes('${')) return name;
    try {
      return resolve(name) ?? name;
    } catch {
      return name;
    }
  }

  /** A due date is an ISO date-time, an ISO duration from now (P3D, PT4H) or the result of workingDays(n). */
  private dueDate(value: string | undefined, activityId: string): string | undefined {
    if (!value) return undefined;
    const duration = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(value);
    if (duration && value !== 'P' && value !== 'PT') {
      const ms = (Number(duration[1] ?? 0) * 24 * 60 + Number(duration[2] ?? 0) * 60 + Number(duration[3] ?? 0)) * 60_000;
      return new Date(this.options.now().getTime() + ms).toISOString();
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime()))
      throw new ProcessRunError('DUE_DATE_INVALID', `任务 ${activityId} 的办理期限 “${value}” 不是日期或 ISO 时长`, activityId);
    return date.toISOString();
  }

  currentVariables(): Variables {
    return this.vars;
  }

  setVariables(variables: Variables | undefined): void {
    if (!variables) return;
    for (const [name, value] of Object.entries(jsonSafe(variables))) {
      if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
      this.vars[name] = value;
    }
  }

  currentWaits(): Wait[] {
    const waits: Wait[] = [...this.waits.values()];
    for (const [waitId, service] of this.services) {
      const spec = this.compiled.elements.get(service.activityId);
      const priority = Number(spec?.priority ?? 0);
      waits.push({
        kind: 'externalTask',
        waitId,
        activityId: service.activityId,
        name: spec?.name,
        topic: spec?.topic ?? '',
        priority: Number.isFinite(priority) ? priority : 0,
      });
    }
    for (const [waitId, timer] of this.timers)
      waits.push({ kind: 'timer', waitId, activityId: timer.activityId, dueAt: timer.dueAt.toISOString() });
    return waits;
  }
}

function multiInstanceValue(name: string, content: Record<string, unknown>): number {
  const output = Array.isArray(content.loopOutput)
    ? (content.loopOutput as unknown[])
    : Array.isArray(content.output)
      ? (content.output as unknown[])
      : [];
  const total = Number(content.loopCardinality ?? 0);
  const done = output.filter((o) => o !== undefined && o !== null);
  const outcome = (o: unknown) => (o && typeof o === 'object' ? (o as Variables).outcome : undefined);
  switch (name) {
    case 'nrOfInstances':
      return total;
    case 'nrOfCompletedInstances':
      return done.length;
    case 'nrOfActiveInstances':
      return Math.max(0, total - done.length);
    case 'nrOfApproved':
      return done.filter((o) => outcome(o) === 'approve').length;
    case 'nrOfRejected':
      return done.filter((o) => outcome(o) === 'reject').length;
    default:
      return Number(content.index ?? 0);
  }
}

function jsonSafe(value: Variables): Variables {
  return JSON.parse(JSON.stringify(value ?? {})) as Variables;
}

function diff(before: Variables, after: Variables): Variables {
  const changed: Variables = {};
  for (const [name, value] of Object.entries(after)) {
    if (JSON.stringify(before[name]) !== JSON.stringify(value)) changed[name] = value;
  }
  return changed;
}

/**
 * Runs compiled diagrams with bpmn-engine, one command at a time: recover the saved state, apply
 * the command, let every branch run until it waits, and hand back the new state, the full list
 * of waits and the history. Holds nothing between calls; the host persists everything.
 */
const noop = (): void => undefined;
const silentLogger = () => ({ debug: noop, error: noop, warn: noop });

/**
 * The first runtime (bpmn-engine), kept for two reasons: cases started before the stepping runtime (state
 * version 1) run on it until they end, and the differential suite uses it as an oracle.
 */
export class LegacyRuntime {
  private readonly options: Required<Omit<RuntimeOptions, 'timezone'>>;

  constructor(options: RuntimeOptions = {}) {
    this.options = { calendar: options.calendar ?? new WorkingCalendar(), now: options.now ?? (() => new Date()) };
  }

  async start(
    compiled: CompiledDefinition,
    input: { variables?: Variables; startEventId?: string; trigger?: 'message' | 'timer' | 'signal' } = {},
  ): Promise<StepResult> {
    const run = new Run(compiled, this.options);
    run.setVariables(input.variables ?? {});
    run.engine = new Engine(run.engineOptions());
    run.engine.once('error', (error: unknown) => (run.failure = error));
    run.execution = await this.guard(() => run.engine.execute({ listener: run.listener() }));
    if (input.trigger) this.triggerStart(run, compiled, input.trigger);
    return this.finish(run, {});
  }

  /**
   * When each timer start event of a diagram is next due, computed as of now by the same timer
   * parser that runs the case (ISO dates, durations, cycles, working-day expressions).
   */
  async nextStartTimers(compiled: CompiledDefinition): Promise<{ activityId: string; dueAt: string }[]> {
    const timerStarts = new Set(compiled.startEvents.filter((s) => s.kind === 'timer').map((s) => s.id));
    if (timerStarts.size === 0) return [];
    const result = await this.start(compiled, {});
    return result.waits.flatMap((w) =>
      w.kind === 'timer' && timerStarts.has(w.activityId) ? [{ activityId: w.activityId, dueAt: w.dueAt }] : [],
    );
  }

  /** A message or timer start: the start event's wait is released at once. */
  private triggerStart(run: Run, compiled: CompiledDefinition, trigger: 'message' | 'timer' | 'signal'): void {
    const start = compiled.startEvents.find((s) => s.kind === trigger);
    if (!start) return;
    if (trigger === 'timer') {
      const timer = [...run.timers.entries()].find(([, t]) => t.activityId === start.id);
      if (timer) this.apply(run, { type: 'fireTimer', waitId: timer[0] });
      return;
    }
    const wait = [...run.waits.values()].find((w) => w.activityId === start.id);
    if (wait) this.apply(run, { type: 'correlateMessage', waitId: wait.waitId });
  }

  async execute(compiled: CompiledDefinition, state: unknown, command: Command): Promise<StepResult> {
    const saved = state as { version?: number; engine?: unknown; variables?: Variables };
    if (saved?.version !== STATE_VERSION || !saved.engine) throw new ProcessRunError('STATE_UNREADABLE', '流程状态版本不符，无法恢复');
    const run = new Run(compiled, this.options);
    run.vars = jsonSafe(saved.variables ?? {});
    run.engine = new Engine(run.engineOptions()).recover(JSON.parse(JSON.stringify(saved.engine)));
    run.engine.once('error', (error: unknown) => (run.failure = error));
    // Resuming replays nothing already recorded (bpmn-elements skips redelivered starts and ends), but a
    // timer that fell due while the case was stored fires right here: what follows it belongs in history.
    const listener = run.listener();
    run.execution = await this.guard(() => run.engine.resume({ listener }));
    const before = jsonSafe(run.currentVariables());
    this.apply(run, command);
    return this.finish(run, before);
  }

  private apply(run: Run, command: Command): void {
    if (command.type === 'completeExternalTask' || command.type === 'externalTaskBpmnError') {
      const service = run.services.get(command.waitId);
      if (!service) throw new WaitNotFoundError(command.waitId);
      run.setVariables(command.variables);
      run.services.delete(command.waitId);
      if (command.type === 'completeExternalTask') service.callback(null, command.variables ?? {});
      else
        service.callback(
          Object.assign(new Error(command.errorMessage ?? command.errorCode), { code: command.errorCode, name: 'BpmnError' }),
        );
      return;
    }
    if (command.type === 'fireTimer') {
      // A due timer fires while the state is recovered; then there is nothing left to do.
      const timer = run.timers.get(command.waitId);
      if (!timer) return;
      run.timers.delete(command.waitId);
      timer.fire();
      return;
    }
    const wait = run.waits.get(command.waitId);
    if (!wait) throw new WaitNotFoundError(command.waitId);
    run.setVariables(command.variables);
    run.waits.delete(command.waitId);
    const payload: Variables = { id: wait.activityId, executionId: wait.waitId };
    if (command.type === 'completeUserTask') payload.outcome = command.outcome ?? null;
    if (wait.kind === 'message' && command.type === 'correlateMessage') {
      const element = run.execution.getActivityById(wait.activityId);
      const definitionMessage = element?.eventDefinitions?.find?.((d: Api) => d.reference?.id)?.reference?.id;
      if (definitionMessage) payload.id = definitionMessage;
    }
    run.execution.signal(payload);
  }

  private async guard<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw this.runError(error);
    }
  }

  private runError(error: unknown): ProcessRunError {
    if (error instanceof ProcessRunError) return error;
    const inner = (error as { inner?: unknown })?.inner ?? error;
    const message = inner instanceof Error ? inner.message : String(inner);
    const activityId = (error as { source?: { content?: { id?: string } } })?.source?.content?.id;
    if (inner instanceof ExpressionError) return new ProcessRunError('EXPRESSION_FAILED', inner.message, activityId);
    return new ProcessRunError('PROCESS_RUN_FAILED', `流程运行出错${activityId ? `（环节 ${activityId}）` : ''}：${message}`, activityId);
  }

  private finish(run: Run, before: Variables): StepResult {
    const execution = run.execution;
    const engineState: string = execution.state;
    if (run.failure || engineState === 'error') {
      const failure = run.failure as { code?: string; message?: string; source?: { content?: { id?: string; type?: string } } } | undefined;
      const source = failure?.source?.content;
      if (source?.type === 'bpmn:EndEvent') {
        // An error end event nobody catches ends the instance, as in Camunda.
        run.errorEnd = { code: failure?.code, message: failure?.message ?? 'error end event' };
      } else {
        throw this.runError(run.failure ?? new Error('unknown failure'));
      }
    }
    const status: InstanceStatus = run.errorEnd
      ? 'failed'
      : engineState === 'running'
        ? run.terminated
          ? 'terminated'
          : 'running'
        : run.terminated
          ? 'terminated'
          : 'completed';
    const variables = jsonSafe(run.currentVariables());
    const definitions = (execution.definitions as Api[]).map((d) => d.getState());
    const state = {
      version: STATE_VERSION,
      variables,
      engine: {
        name: run.engine.name,
        state: engineState,
        stopped: execution.stopped,
        engineVersion: 'zhengwu',
        environment: execution.environment.getState(),
        definitions,
      },
    };
    return {
      state: status === 'running' ? JSON.parse(JSON.stringify(state)) : null,
      status,
      variables,
      changed: diff(before, variables),
      waits: status === 'running' ? run.currentWaits() : [],
      history: run.history,
      error: run.errorEnd,
    };
  }
}
