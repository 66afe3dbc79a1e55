import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  BpmnRuntime,
  LegacyRuntime,
  ProcessRunError,
  STATE_VERSION,
  WaitNotFoundError,
  WorkingCalendar,
  type Command,
  type StepResult,
  type Wait,
} from '@zhengwu/engine';
import type { FormField } from '@zhengwu/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { DefinitionsService } from './definitions.service';
import type {
  CaseSteppedEvent,
  CompleteTaskOptions,
  EnginePort,
  InstanceView,
  ProcessListener,
  StartOptions,
  TaskModel,
  Tx,
} from './engine.port';
import { activityStatus, passedOver, type HistoryCounts } from './activity-status';
import { nextVariableTypes, typesOf, type VariableTypes } from './camunda-variables';
import { HolidayService } from './holiday.service';
import { resolvePeople } from './people';
import { prepared } from './prepared';

interface InstanceRow {
  id: string;
  definition_id: string;
  definition_key: string;
  business_key: string | null;
  status: string;
  revision: number;
  state: unknown;
  variables: Record<string, unknown>;
  /** Camunda types written where the plain value does not tell them (camunda-variables.ts). */
  variable_types: VariableTypes;
  parent_instance_id: string | null;
  parent_wait_id: string | null;
  owner_unit_id: string | null;
}

export const EXTERNAL_TASK_CHANNEL = 'zw_external_task';

/** A message to correlate, after Camunda's `POST /message` (plain values; their Camunda types beside them). */
export interface MessageCorrelation {
  messageName: string;
  businessKey?: string;
  processInstanceId?: string;
  /** Process variables a waiting case must hold, each equal to the value given. */
  correlationKeys?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  variableTypes?: VariableTypes;
  /** Every match instead of exactly one. */
  all?: boolean;
  /** Cases belong to no tenant here: a tenant id matches nothing. */
  tenantId?: string;
  userId?: string;
  /** Read each reached case as it stands after the correlation, in the same transaction. */
  withState?: boolean;
}

/** What a message or a signal reached: a waiting case, or a case its start event began. */
export interface CorrelatedCase {
  resultType: 'Execution' | 'ProcessDefinition';
  instanceId: string;
  /** The wait the message released (a started case: the case itself). */
  executionId: string;
  state?: {
    definitionId: string;
    businessKey: string | null;
    status: string;
    variables: Record<string, unknown>;
    variableTypes: VariableTypes;
  };
}

export interface SignalBroadcast {
  name: string;
  variables?: Record<string, unknown>;
  variableTypes?: VariableTypes;
  /** Only this case (its id) or this waiting catch (its wait id); no start events then. */
  executionId?: string;
  tenantId?: string;
  userId?: string;
  /** A signal a case threw: that case has already delivered it to its own catches. */
  thrownBy?: string;
}

/** How deep signals thrown by cases may set off further throws within one transaction (a diagram that loops on its own signal). */
const MAX_SIGNAL_DEPTH = 32;

/**
 * A message that reached no case, or more than one where one was asked for. `camunda` is Camunda's own wording,
 * for /engine-rest; the message is for people.
 */
export class MessageCorrelationError extends AppError {
  constructor(
    code: 'MESSAGE_NOT_CORRELATED' | 'MESSAGE_AMBIGUOUS' | 'SIGNAL_NOT_SUBSCRIBED',
    message: string,
    readonly camunda: string,
  ) {
    super(code, message, HttpStatus.BAD_REQUEST);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The embedded adapter of the engine port. Every command is one transaction: lock the instance
 * row, recover the state, apply, run until every branch waits, write state + wait rows + history
 * + outbox, commit. Nothing is kept in memory between commands but parsed definitions.
 */
@Injectable()
export class EngineService implements EnginePort {
  private readonly logger = new Logger(EngineService.name);
  private readonly listeners = new Map<string, ProcessListener[]>();
  /** Signals being delivered within each transaction, nested (thrown by cases a signal reached). */
  private readonly signalDepth = new WeakMap<EntityManager, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly holidays: HolidayService,
  ) {}

  private async runtime(): Promise<BpmnRuntime> {
    const calendar: WorkingCalendar = await this.holidays.calendar();
    return new BpmnRuntime({ calendar });
  }

  /**
   * Cases started before the stepping runtime (state version 1, bpmn-engine's) run on bpmn-engine until they end;
   * every new case, and every case from then on, runs on the stepping runtime.
   */
  private async runtimeFor(state: unknown): Promise<Pick<BpmnRuntime, 'execute'>> {
    const version = (state as { version?: number } | null)?.version;
    if (version === STATE_VERSION) return this.runtime();
    return new LegacyRuntime({ calendar: await this.holidays.calendar() });
  }

  listen(definitionKey: string, listener: ProcessListener): void {
    this.listeners.set(definitionKey, [...(this.listeners.get(definitionKey) ?? []), listener]);
  }

  /** A feature owns the process (documents, filings, …): its cases begin with the feature's own record, never bare. */
  isFeatureProcess(definitionKey: string): boolean {
    return definitionKey !== '*' && (this.listeners.get(definitionKey)?.length ?? 0) > 0;
  }

  /** The process's own listeners, then those of every process ('*'). */
  private listenersOf(definitionKey: string): ProcessListener[] {
    return [...(this.listeners.get(definitionKey) ?? []), ...(this.listeners.get('*') ?? [])];
  }

  async startProcess(key: string, options: StartOptions, tx?: Tx): Promise<{ id: string }> {
    return tx ? this.startIn(tx, key, options) : this.dataSource.transaction((m) => this.startIn(m, key, options));
  }

  async terminate(instanceId: string, options: { userId?: string; reason?: string }, tx?: Tx): Promise<void> {
    await (tx ? this.terminateIn(tx, instanceId, options) : this.dataSource.transaction((m) => this.terminateIn(m, instanceId, options)));
  }

  async startIn(
    m: EntityManager,
    key: string,
    options: StartOptions & {
      parent?: { instanceId: string; waitId: string };
      trigger?: 'message' | 'timer' | 'signal';
      startEventId?: string;
      definitionId?: string;
      /** Camunda types of the start variables (a start through /engine-rest). */
      variableTypes?: VariableTypes;
    },
  ): Promise<{ id: string }> {
    const definition = options.definitionId ? { id: options.definitionId } : await this.definitions.latest(key, m);
    const compiled = await this.definitions.compiledById(definition.id, m);
    const runtime = await this.runtime();
    const result = await this.run(() =>
      runtime.start(compiled, { variables: options.variables ?? {}, trigger: options.trigger, startEventId: options.startEventId }),
    );
    const variableTypes = nextVariableTypes({}, result.changed, result.variables, {
      values: options.variables,
      types: options.variableTypes,
    });
    const rows: { id: string }[] = await m.query(
      `INSERT INTO process_instances (definition_id, definition_key, business_key, status, state, variables, owner_unit_id, started_by, parent_instance_id, parent_wait_id, ended_at, variable_types)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $4 = 'running' THEN NULL ELSE now() END, $11) RETURNING id`,
      [
        definition.id,
        key,
        options.businessKey ?? null,
        result.status,
        JSON.stringify(result.state),
        JSON.stringify(result.variables),
        options.ownerUnitId ?? null,
        options.startedBy ?? null,
        options.parent?.instanceId ?? null,
        options.parent?.waitId ?? null,
        JSON.stringify(variableTypes),
      ],
    );
    const instance: InstanceRow = {
      id: rows[0].id,
      definition_id: definition.id,
      definition_key: key,
      business_key: options.businessKey ?? null,
      status: result.status,
      revision: 0,
      state: result.state,
      variables: result.variables,
      variable_types: variableTypes,
      parent_instance_id: options.parent?.instanceId ?? null,
      parent_wait_id: options.parent?.waitId ?? null,
      owner_unit_id: options.ownerUnitId ?? null,
    };
    await this.writeHistory(m, instance.id, result, options.startedBy);
    const created = await this.syncWaits(m, instance, result, options.startedBy);
    await this.notifyStepped(m, instance, {}, result, created, options.startedBy);
    await this.afterStep(m, instance, result, variableTypes);
    await this.deliverThrownSignals(m, instance.id, result);
    return { id: instance.id };
  }

  /**
   * Locks the instance and applies one command to it. `variableTypes` are the Camunda types of the command's
   * variables when a worker or an integration sent them typed (/engine-rest); `locked`: the caller holds the row
   * lock and has read the row.
   */
  async execute(
    m: EntityManager,
    instanceId: string,
    command: Command,
    userId?: string,
    variableTypes?: VariableTypes,
    locked?: InstanceRow,
  ): Promise<StepResult> {
    const instance =
      locked ??
      (await prepared<InstanceRow>(m, 'lock_instance', 'SELECT * FROM process_instances WHERE id = $1 FOR UPDATE', [instanceId]))[0];
    if (!instance) throw new NotFoundError('流程实例');
    if (instance.status !== 'running') throw new ConflictError('INSTANCE_ENDED', '该流程已结束，不能再办理');
    const compiled = await this.definitions.compiledById(instance.definition_id, m);
    const runtime = await this.runtimeFor(instance.state);
    let result = await this.run(() => runtime.execute(compiled, { ...(instance.state as object), variables: instance.variables }, command));
    const written = 'variables' in command ? command.variables : undefined;
    const types = nextVariableTypes(instance.variable_types, result.changed, result.variables, { values: written, types: variableTypes });
    await prepared(
      m,
      'save_instance',
      `UPDATE process_instances SET state = $2, variables = $3, status = $4, revision = revision + 1,
              ended_at = CASE WHEN $4 = 'running' THEN NULL ELSE now() END, variable_types = $5 WHERE id = $1`,
      [instance.id, JSON.stringify(result.state), JSON.stringify(result.variables), result.status, JSON.stringify(types)],
    );
    await this.writeHistory(m, instance.id, result, userId);
    // The task the command completed is closed already (completeTaskIn): no statement for it.
    if (result.closed && command.type === 'completeUserTask')
      result = { ...result, closed: result.closed.filter((c) => c.waitId !== command.waitId) };
    const stepped = { ...instance, variable_types: types };
    const created = await this.syncWaits(m, stepped, result, userId);
    await this.notifyStepped(m, instance, instance.variables, result, created, userId);
    await this.afterStep(m, { ...stepped, status: result.status, variables: result.variables }, result, types);
    await this.deliverThrownSignals(m, instance.id, result);
    return result;
  }

  private async notifyStepped(
    m: EntityManager,
    instance: InstanceRow,
    before: Record<string, unknown>,
    result: StepResult,
    createdTasks: CaseSteppedEvent['createdTasks'],
    userId?: string,
  ): Promise<void> {
    for (const listener of this.listenersOf(instance.definition_key)) {
      await listener.caseStepped?.({
        tx: m,
        instanceId: instance.id,
        definitionKey: instance.definition_key,
        businessKey: instance.business_key,
        ownerUnitId: instance.owner_unit_id,
        variables: before,
        status: result.status,
        after: result.variables,
        createdTasks,
        endedActivities: result.history.filter((h) => h.event === 'end').map((h) => h.activityId),
        userId,
      });
    }
  }

  /** The runtime's refusals become answers a person can act on; the transaction rolls back. */
  private async run(step: () => Promise<StepResult>): Promise<StepResult> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof WaitNotFoundError)
        throw new ConflictError('WAIT_NOT_ACTIVE', '该环节已不在等待状态（流程已流转、超时或被撤回），请刷新后重试');
      if (error instanceof ProcessRunError) {
        throw new AppError(
          error.code,
          `流程无法继续：${error.message}`,
          HttpStatus.UNPROCESSABLE_ENTITY,
          error.activityId ? { activityId: error.activityId } : undefined,
        );
      }
      throw error;
    }
  }

  async completeTask(taskId: string, options: CompleteTaskOptions, tx?: Tx): Promise<void> {
    await (tx ? this.completeTaskIn(tx, taskId, options) : this.dataSource.transaction((m) => this.completeTaskIn(m, taskId, options)));
  }

  /** Exactly one of two simultaneous completions wins: both queue on the instance row lock, the second finds the task closed. */
  async completeTaskIn(m: EntityManager, taskId: string, options: CompleteTaskOptions): Promise<void> {
    // The case's row lock orders everything done to it; the task is read after it, so a second completion sees it done.
    const locked = await prepared<InstanceRow>(
      m,
      'lock_task_instance',
      'SELECT * FROM process_instances WHERE id = (SELECT instance_id FROM tasks WHERE id = $1) FOR UPDATE',
      [taskId],
    );
    const instance = locked[0];
    if (!instance) throw new NotFoundError('任务');
    const tasks = await prepared<{ wait_id: string; status: string; activity_id: string; name: string }>(
      m,
      'read_task',
      'SELECT wait_id, status, activity_id, name FROM tasks WHERE id = $1',
      [taskId],
    );
    const { wait_id: waitId, status, activity_id: activityId, name: taskName } = tasks[0];
    if (status !== 'open') {
      throw new ConflictError(
        status === 'completed' ? 'TASK_ALREADY_COMPLETED' : 'TASK_NOT_WAITING',
        status === 'completed' ? '该任务已由他人办理完毕，请刷新待办列表' : '该任务已不在当前环节（流程已流转或被撤回），请刷新待办列表',
      );
    }
    await prepared(
      m,
      'complete_task',
      `UPDATE tasks SET status = 'completed', completed_at = now(), completed_by = $2, outcome = $3, comment = $4 WHERE id = $1`,
      [taskId, options.userId, options.outcome ?? null, options.comment ?? null],
    );
    const variables = { ...(options.variables ?? {}) };
    if (options.outcome !== undefined) variables.outcome = options.outcome;
    if (instance.status !== 'running') throw new ConflictError('INSTANCE_ENDED', '该流程已结束，不能再办理');
    for (const listener of this.listenersOf(instance.definition_key)) {
      const added = await listener.taskCompleting?.({
        tx: m,
        instanceId: instance.id,
        definitionKey: instance.definition_key,
        businessKey: instance.business_key,
        ownerUnitId: instance.owner_unit_id,
        variables: instance.variables,
        taskId,
        activityId,
        taskName,
        outcome: options.outcome,
        userId: options.userId,
        comment: options.comment,
        input: variables,
      });
      if (added) Object.assign(variables, added);
    }
    await this.execute(
      m,
      instance.id,
      { type: 'completeUserTask', waitId, variables, outcome: options.outcome },
      options.userId,
      undefined,
      instance,
    );
  }

  async correlateMessage(
    messageName: string,
    options: { businessKey?: string; variables?: Record<string, unknown> },
    tx?: Tx,
  ): Promise<{ instanceId: string }> {
    return tx ? this.correlateIn(tx, messageName, options) : this.dataSource.transaction((m) => this.correlateIn(m, messageName, options));
  }

  private async correlateIn(
    m: EntityManager,
    messageName: string,
    options: { businessKey?: string; variables?: Record<string, unknown> },
  ): Promise<{ instanceId: string }> {
    const params: unknown[] = [messageName];
    let sql = `SELECT instance_id, wait_id FROM message_subscriptions WHERE kind = 'message' AND message_name = $1`;
    if (options.businessKey !== undefined) {
      params.push(options.businessKey);
      sql += ' AND business_key = $2';
    }
    const subs: { instance_id: string; wait_id: string }[] = await m.query(`${sql} ORDER BY created_at LIMIT 1`, params);
    if (subs[0]) {
      await this.execute(m, subs[0].instance_id, { type: 'correlateMessage', waitId: subs[0].wait_id, variables: options.variables });
      return { instanceId: subs[0].instance_id };
    }
    const [starter] = await this.eventStarts(m, 'message', messageName);
    if (!starter) throw new AppError('MESSAGE_NOT_CORRELATED', `没有等待消息 ${messageName} 的流程`, HttpStatus.BAD_REQUEST);
    const started = await this.startIn(m, starter.key, {
      definitionId: starter.definitionId,
      startEventId: starter.startEventId,
      businessKey: options.businessKey,
      variables: options.variables,
      trigger: 'message',
    });
    return { instanceId: started.id };
  }

  /** The latest version of every process whose start event waits for this message or signal (Camunda starts only those). */
  private async eventStarts(
    m: EntityManager,
    kind: 'message' | 'signal',
    name: string,
  ): Promise<{ key: string; definitionId: string; startEventId: string }[]> {
    const latest: { key: string; id: string }[] = await m.query(
      'SELECT DISTINCT ON (key) key, id FROM process_definitions ORDER BY key, version DESC',
    );
    const found: { key: string; definitionId: string; startEventId: string }[] = [];
    for (const row of latest) {
      const compiled = await this.definitions.compiledById(row.id, m);
      const start = compiled.startEvents.find(
        (s) => s.kind === kind && (kind === 'message' ? s.messageName === name : s.signalName === name),
      );
      if (start) found.push({ key: row.key, definitionId: row.id, startEventId: start.id });
    }
    return found;
  }

  /**
   * Camunda's message correlation (`POST /message`): the waiting cases that match, and the processes whose message
   * start event has this name (unless one case was named). Exactly one match unless `all`; none is an error unless
   * `all`. Two correlations racing for one waiting case: the second finds it gone once it holds the case's lock.
   */
  async correlateMessages(c: MessageCorrelation, tx?: Tx): Promise<CorrelatedCase[]> {
    return tx ? this.correlateMessagesIn(tx, c) : this.dataSource.transaction((m) => this.correlateMessagesIn(m, c));
  }

  private async correlateMessagesIn(m: EntityManager, c: MessageCorrelation): Promise<CorrelatedCase[]> {
    const waiting = c.tenantId ? [] : await this.waitingFor(m, c);
    const starts = c.tenantId || c.processInstanceId ? [] : await this.eventStarts(m, 'message', c.messageName);
    const total = waiting.length + starts.length;
    if (!c.all && total > 1) {
      throw new MessageCorrelationError(
        'MESSAGE_AMBIGUOUS',
        `消息 ${c.messageName} 对应 ${total} 个等待中的流程或流程定义，请以业务编号、流程实例或关联变量指明其一，或选择发给全部`,
        `Cannot correlate a message '${c.messageName}' to a single execution - ${total} executions match the correlation keys`,
      );
    }
    const results: CorrelatedCase[] = [];
    for (const sub of waiting) {
      // Hold the case, then see whether its wait is still there: a correlation that got there first has released it.
      await m.query('SELECT 1 FROM process_instances WHERE id = $1 FOR UPDATE', [sub.instance_id]);
      const still: unknown[] = await m.query(
        `SELECT 1 FROM message_subscriptions WHERE instance_id = $1 AND wait_id = $2 AND kind = 'message'`,
        [sub.instance_id, sub.wait_id],
      );
      if (still.length === 0) continue;
      await this.execute(
        m,
        sub.instance_id,
        { type: 'correlateMessage', waitId: sub.wait_id, variables: c.variables },
        c.userId,
        c.variableTypes,
      );
      results.push({ resultType: 'Execution', instanceId: sub.instance_id, executionId: sub.wait_id });
    }
    for (const start of starts) {
      const started = await this.startIn(m, start.key, {
        definitionId: start.definitionId,
        businessKey: c.businessKey,
        variables: c.variables,
        variableTypes: c.variableTypes,
        trigger: 'message',
        startEventId: start.startEventId,
        startedBy: c.userId,
      });
      results.push({ resultType: 'ProcessDefinition', instanceId: started.id, executionId: started.id });
    }
    if (results.length === 0 && !c.all) {
      throw new MessageCorrelationError(
        'MESSAGE_NOT_CORRELATED',
        `没有等待消息 ${c.messageName} 且符合条件的流程，也没有以该消息开始的流程`,
        `Cannot correlate message '${c.messageName}': No process definition or execution matches the parameters`,
      );
    }
    if (c.withState && results.length > 0) {
      const rows: InstanceRow[] = await m.query(
        'SELECT id, definition_id, business_key, status, variables, variable_types FROM process_instances WHERE id = ANY($1)',
        [results.map((r) => r.instanceId)],
      );
      for (const r of results) {
        const row = rows.find((x) => x.id === r.instanceId)!;
        r.state = {
          definitionId: row.definition_id,
          businessKey: row.business_key,
          status: row.status,
          variables: row.variables,
          variableTypes: row.variable_types,
        };
      }
    }
    return results;
  }

  /** Waiting message subscriptions matching the correlation, in a fixed order (cases are locked in that order). */
  private async waitingFor(m: EntityManager, c: MessageCorrelation): Promise<{ instance_id: string; wait_id: string }[]> {
    if (c.processInstanceId !== undefined && !UUID.test(c.processInstanceId)) return [];
    const params: unknown[] = [c.messageName];
    const where = [`s.kind = 'message'`, 's.message_name = $1'];
    if (c.businessKey !== undefined) {
      params.push(c.businessKey);
      where.push(`p.business_key = $${params.length}`);
    }
    if (c.processInstanceId !== undefined) {
      params.push(c.processInstanceId);
      where.push(`p.id = $${params.length}`);
    }
    for (const [name, value] of Object.entries(c.correlationKeys ?? {})) {
      params.push(name, JSON.stringify(value));
      where.push(`p.variables -> $${params.length - 1} = $${params.length}::jsonb`);
    }
    return m.query(
      `SELECT s.instance_id, s.wait_id FROM message_subscriptions s JOIN process_instances p ON p.id = s.instance_id
        WHERE ${where.join(' AND ')} ORDER BY s.instance_id, s.created_at, s.wait_id`,
      params,
    );
  }

  async throwSignal(name: string, options: Omit<SignalBroadcast, 'name'> = {}, tx?: Tx): Promise<CorrelatedCase[]> {
    return this.broadcastSignal({ ...options, name }, tx);
  }

  /**
   * Camunda's signal (`POST /signal`): every catch waiting for it now is released, and every process whose latest
   * version starts on it is started, all in this transaction. Catches that appear while it runs (a started case, a
   * loop back) are not this signal's. Two broadcasts racing for one catch: the one that holds the case first takes it.
   */
  async broadcastSignal(s: SignalBroadcast, tx?: Tx): Promise<CorrelatedCase[]> {
    return tx ? this.broadcastIn(tx, s) : this.dataSource.transaction((m) => this.broadcastIn(m, s));
  }

  /** Signal throw and end events of a step reach the other cases and the signal start events, in the same transaction. */
  private async deliverThrownSignals(m: EntityManager, instanceId: string, result: StepResult): Promise<void> {
    for (const signal of result.signals ?? []) {
      const depth = this.signalDepth.get(m) ?? 0;
      if (depth >= MAX_SIGNAL_DEPTH) {
        throw new AppError(
          'SIGNAL_LOOP',
          `流程无法继续：信号 ${signal.name} 引发的信号连锁超过 ${MAX_SIGNAL_DEPTH} 层（流程图可能在循环抛出同一信号）`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      }
      this.signalDepth.set(m, depth + 1);
      try {
        await this.broadcastIn(m, { name: signal.name, variables: signal.variables, thrownBy: instanceId });
      } finally {
        this.signalDepth.set(m, depth);
      }
    }
  }

  private async broadcastIn(m: EntityManager, s: SignalBroadcast): Promise<CorrelatedCase[]> {
    if (s.tenantId) return [];
    const params: unknown[] = [s.name];
    let only = '';
    if (s.executionId !== undefined) {
      params.push(s.executionId, UUID.test(s.executionId) ? s.executionId : null);
      only = 'AND (wait_id = $2 OR instance_id = $3::uuid)';
    } else if (s.thrownBy !== undefined) {
      params.push(s.thrownBy);
      only = 'AND instance_id <> $2';
    }
    const subs: { instance_id: string; wait_id: string }[] = await m.query(
      `SELECT instance_id, wait_id FROM message_subscriptions WHERE kind = 'signal' AND message_name = $1 ${only}
        ORDER BY instance_id, created_at, wait_id`,
      params,
    );
    if (s.executionId !== undefined && subs.length === 0) {
      throw new MessageCorrelationError(
        'SIGNAL_NOT_SUBSCRIBED',
        `执行 ${s.executionId} 没有在等待信号 ${s.name}`,
        `Execution '${s.executionId}' has not subscribed to a signal event with name '${s.name}'.`,
      );
    }
    const results: CorrelatedCase[] = [];
    const byInstance = new Map<string, string[]>();
    for (const sub of subs) byInstance.set(sub.instance_id, [...(byInstance.get(sub.instance_id) ?? []), sub.wait_id]);
    for (const [instanceId, waitIds] of byInstance) {
      const held: { status: string }[] = await m.query('SELECT status FROM process_instances WHERE id = $1 FOR UPDATE', [instanceId]);
      if (held[0]?.status !== 'running') continue;
      const current: { wait_id: string }[] = await m.query(
        `SELECT wait_id FROM message_subscriptions WHERE instance_id = $1 AND kind = 'signal' AND message_name = $2`,
        [instanceId, s.name],
      );
      let live = new Set(current.map((r) => r.wait_id));
      for (const waitId of waitIds) {
        // A catch an earlier one of this signal cancelled (its boundary interrupted the task) is no longer waiting.
        if (!live.has(waitId)) continue;
        const result = await this.execute(m, instanceId, { type: 'signal', waitId, variables: s.variables }, s.userId, s.variableTypes);
        results.push({ resultType: 'Execution', instanceId, executionId: waitId });
        if (result.status !== 'running') break;
        live = new Set(result.waits.map((w) => w.waitId));
      }
    }
    if (s.executionId === undefined) {
      for (const start of await this.eventStarts(m, 'signal', s.name)) {
        const started = await this.startIn(m, start.key, {
          definitionId: start.definitionId,
          variables: s.variables,
          variableTypes: s.variableTypes,
          trigger: 'signal',
          startEventId: start.startEventId,
          startedBy: s.userId,
        });
        results.push({ resultType: 'ProcessDefinition', instanceId: started.id, executionId: started.id });
      }
    }
    return results;
  }

  /**
   * Variables set on a case without moving it (Camunda's failure with variables): kept with their types, on the
   * record in the history like any other change.
   */
  async setVariables(
    m: EntityManager,
    instanceId: string,
    values: Record<string, unknown>,
    variableTypes: VariableTypes,
    userId?: string,
  ): Promise<void> {
    if (Object.keys(values).length === 0) return;
    const rows: InstanceRow[] = await m.query('SELECT * FROM process_instances WHERE id = $1 FOR UPDATE', [instanceId]);
    const instance = rows[0];
    if (!instance) throw new NotFoundError('流程实例');
    if (instance.status !== 'running') throw new ConflictError('INSTANCE_ENDED', '该流程已结束，不能再办理');
    const variables = { ...instance.variables, ...values };
    const changed: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      if (JSON.stringify(instance.variables[name]) !== JSON.stringify(value)) changed[name] = value;
    }
    const types = nextVariableTypes(instance.variable_types, changed, variables, { values, types: variableTypes });
    await m.query(`UPDATE process_instances SET variables = $2, variable_types = $3, revision = revision + 1 WHERE id = $1`, [
      instanceId,
      JSON.stringify(variables),
      JSON.stringify(types),
    ]);
    await this.writeHistory(
      m,
      instanceId,
      { state: instance.state, status: 'running', variables, changed, waits: [], history: [] },
      userId,
    );
  }

  async fireTimer(timerId: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const timers: { id: string; instance_id: string | null; definition_id: string | null; wait_id: string; status: string }[] =
        await m.query(`SELECT id, instance_id, definition_id, wait_id, status FROM timers WHERE id = $1 FOR UPDATE SKIP LOCKED`, [timerId]);
      const timer = timers[0];
      if (!timer || timer.status !== 'pending') return false;
      await m.query(`UPDATE timers SET status = 'fired', fired_at = now() WHERE id = $1`, [timer.id]);
      if (timer.instance_id) {
        await this.execute(m, timer.instance_id, { type: 'fireTimer', waitId: timer.wait_id });
      } else if (timer.definition_id) {
        await this.startByTimer(m, timer.definition_id, timer.wait_id);
      }
      return true;
    });
  }

  /** A timer start runs the version it was scheduled for; a cycle is scheduled again. */
  private async startByTimer(m: EntityManager, definitionId: string, startEventId: string): Promise<void> {
    const compiled = await this.definitions.compiledById(definitionId, m);
    const rows: { key: string }[] = await m.query('SELECT key FROM process_definitions WHERE id = $1', [definitionId]);
    await this.startIn(m, rows[0].key, { trigger: 'timer', definitionId });
    if (compiled.startEvents.find((s) => s.id === startEventId)?.timer === 'timeCycle') {
      await this.definitions.scheduleStartTimers(m, definitionId, compiled);
    }
  }

  /** Ends a running case (and the cases it called) without running the diagram further, e.g. 驳回 where the diagram has no reject route. */
  async terminateIn(m: EntityManager, instanceId: string, options: { userId?: string; reason?: string }): Promise<void> {
    const rows: { status: string }[] = await m.query('SELECT status FROM process_instances WHERE id = $1 FOR UPDATE', [instanceId]);
    if (!rows[0]) throw new NotFoundError('流程实例');
    if (rows[0].status !== 'running') throw new ConflictError('INSTANCE_ENDED', '该流程已结束，不能再办理');
    await m.query(`UPDATE process_instances SET status = 'terminated', ended_at = now(), revision = revision + 1 WHERE id = $1`, [
      instanceId,
    ]);
    await m.query(`UPDATE tasks SET status = 'cancelled', completed_at = now() WHERE instance_id = $1 AND status = 'open'`, [instanceId]);
    await m.query(`UPDATE external_tasks SET status = 'cancelled' WHERE instance_id = $1 AND status = 'open'`, [instanceId]);
    await m.query(`UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending'`, [instanceId]);
    await m.query(`DELETE FROM message_subscriptions WHERE instance_id = $1`, [instanceId]);
    await m.query(`INSERT INTO engine_history (instance_id, event, user_id, detail) VALUES ($1, 'terminate', $2, $3)`, [
      instanceId,
      options.userId ?? null,
      JSON.stringify({ reason: options.reason ?? null }),
    ]);
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ('instance.terminated', $1)`, [
      JSON.stringify({ instanceId, by: options.userId ?? null, reason: options.reason ?? null }),
    ]);
    const children: { id: string }[] = await m.query(
      `SELECT id FROM process_instances WHERE parent_instance_id = $1 AND status = 'running'`,
      [instanceId],
    );
    for (const child of children) await this.terminateIn(m, child.id, options);
    const instances: InstanceRow[] = await m.query('SELECT * FROM process_instances WHERE id = $1', [instanceId]);
    const ended = instances[0];
    await this.notifyStepped(
      m,
      ended,
      ended.variables,
      { state: ended.state, status: 'terminated', variables: ended.variables, changed: {}, waits: [], history: [] },
      [],
      options.userId,
    );
  }

  async lockInstance(instanceId: string, tx: Tx): Promise<{ definitionKey: string; status: string } | undefined> {
    const rows: { definition_key: string; status: string }[] = await tx.query(
      'SELECT definition_key, status FROM process_instances WHERE id = $1 FOR UPDATE',
      [instanceId],
    );
    return rows[0] ? { definitionKey: rows[0].definition_key, status: rows[0].status } : undefined;
  }

  async rejectTask(taskId: string, options: { userId: string; comment?: string }, tx?: Tx): Promise<void> {
    const reject = async (m: EntityManager) => {
      const rows: { instance_id: string }[] = await m.query(
        `UPDATE tasks SET status = 'completed', completed_at = now(), completed_by = $2, outcome = 'reject', comment = $3 WHERE id = $1
         RETURNING instance_id`,
        [taskId, options.userId, options.comment ?? null],
      );
      if (!rows[0]) throw new NotFoundError('任务');
      await this.terminateIn(m, rows[0].instance_id, { userId: options.userId, reason: options.comment });
    };
    await (tx ? reject(tx) : this.dataSource.transaction(reject));
  }

  async hasOpenExternalTask(instanceId: string, topic: string, tx?: Tx): Promise<boolean> {
    const rows: unknown[] = await (tx ?? this.dataSource).query(
      `SELECT 1 FROM external_tasks WHERE instance_id = $1 AND topic = $2 AND status = 'open' LIMIT 1`,
      [instanceId, topic],
    );
    return rows.length > 0;
  }

  async definitionXml(definitionId: string, tx?: Tx): Promise<string | undefined> {
    const rows: { xml: string }[] = await (tx ?? this.dataSource).query('SELECT xml FROM process_definitions WHERE id = $1', [
      definitionId,
    ]);
    return rows[0]?.xml;
  }

  async makeTimersDue(instanceId: string, tx?: Tx): Promise<void> {
    await (tx ?? this.dataSource).query(
      `UPDATE timers SET due_at = now() - interval '1 second' WHERE instance_id = $1 AND status = 'pending'`,
      [instanceId],
    );
  }

  /** The variables a worker may set when completing this external task (`outputs`), or undefined when undeclared. */
  async externalOutputs(m: EntityManager, instanceId: string, activityId: string): Promise<string[] | undefined> {
    const rows: { definition_id: string }[] = await m.query('SELECT definition_id FROM process_instances WHERE id = $1', [instanceId]);
    if (!rows[0]) return undefined;
    const compiled = await this.definitions.compiledById(rows[0].definition_id, m);
    return compiled.elements.get(activityId)?.outputs;
  }

  /** The contract of the process's plain start event (`camunda:formData`), or undefined when it declares none. */
  async startForm(key: string): Promise<FormField[] | undefined> {
    const definition = await this.definitions.latest(key);
    const compiled = await this.definitions.compiledById(definition.id);
    const start = compiled.startEvents.find((e) => e.kind === 'none');
    return start ? compiled.elements.get(start.id)?.form : undefined;
  }

  /** What the diagram routes after a user task: the outcomes it tests and the steps a return may go to. */
  async taskModel(definitionId: string, activityId: string): Promise<TaskModel> {
    const compiled = await this.definitions.compiledById(definitionId);
    const element = compiled.elements.get(activityId);
    const decisions = element?.decisions;
    const each = element?.multiInstance?.elementVariable;
    return {
      personal: !!each && !!element?.assignee && element.assignee.includes(each),
      outcomes: decisions?.outcomes ?? [],
      returnTargets: (decisions?.returnTargets ?? []).map((id) => ({ activityId: id, name: compiled.elements.get(id)?.name ?? id })),
      fields: element?.form,
      distinctFrom: (element?.distinctFrom ?? []).map((id) => ({
        activityId: id,
        name: id === 'initiator' ? '发起' : (compiled.elements.get(id)?.name ?? id),
      })),
      isFeatureProcess: this.isFeatureProcess(compiled.key),
    };
  }

  async getInstance(id: string): Promise<InstanceView | undefined> {
    const rows: (InstanceRow & { version: number; started_at: Date; ended_at: Date | null })[] = await this.dataSource.query(
      `SELECT i.*, d.version FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const counts: HistoryCounts[] = await this.dataSource.query(
      `SELECT activity_id,
              count(*) FILTER (WHERE event = 'start')::int AS started,
              count(*) FILTER (WHERE event = 'end')::int AS ended,
              count(*) FILTER (WHERE event = 'discard')::int AS discarded
         FROM engine_history WHERE instance_id = $1 AND activity_id IS NOT NULL GROUP BY activity_id`,
      [id],
    );
    const activities = counts.map((c) => activityStatus(c, row.status === 'running'));
    // What the case never reached and can no longer reach, it passed over (未经过).
    const compiled = await this.definitions.compiledById(row.definition_id);
    for (const id of passedOver(compiled.model, activities)) activities.push({ activityId: id, active: 0, completed: 0, skipped: 1 });
    return {
      id: row.id,
      definitionId: row.definition_id,
      definitionKey: row.definition_key,
      version: row.version,
      businessKey: row.business_key,
      status: row.status,
      variables: row.variables,
      variableTypes: row.variable_types ?? {},
      ownerUnitId: row.owner_unit_id,
      startedAt: row.started_at.toISOString(),
      endedAt: row.ended_at?.toISOString() ?? null,
      activities,
      parentInstanceId: row.parent_instance_id,
    };
  }

  async history(instanceId: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT h.id, h.activity_id AS "activityId", h.activity_name AS "activityName", h.activity_type AS "activityType", h.event, h.at,
              h.user_id AS "userId", u.display_name AS "userName", h.detail
         FROM engine_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.instance_id = $1 ORDER BY h.id`,
      [instanceId],
    );
  }

  /** The step's variable changes and activity events, in one prepared statement. */
  private async writeHistory(m: EntityManager, instanceId: string, result: StepResult, userId?: string): Promise<void> {
    const changed = Object.keys(result.changed).length > 0;
    if (!changed && result.history.length === 0) return;
    const h = result.history;
    await prepared(
      m,
      'history',
      `WITH variables AS (
         INSERT INTO engine_history (instance_id, event, user_id, detail)
         SELECT $1, 'variable', $2, jsonb_build_object('name', v.key, 'value', v.value) FROM jsonb_each($3::jsonb) v
       )
       INSERT INTO engine_history (instance_id, activity_id, activity_name, activity_type, execution_id, event, at, user_id)
       SELECT $1, a.activity_id, a.activity_name, a.activity_type, a.execution_id, a.event, a.at, $2
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[]) WITH ORDINALITY
              AS a(activity_id, activity_name, activity_type, execution_id, event, at, n)
        ORDER BY a.n`,
      [
        instanceId,
        userId ?? null,
        JSON.stringify(result.changed),
        h.map((e) => e.activityId),
        h.map((e) => e.activityName ?? null),
        h.map((e) => e.activityType ?? null),
        h.map((e) => e.executionId ?? null),
        h.map((e) => e.event),
        h.map((e) => e.at),
      ],
    );
  }

  /** Makes the wait rows match the engine's full list of waits: new ones appear, vanished ones close. */
  private async syncWaits(
    m: EntityManager,
    instance: InstanceRow,
    result: StepResult,
    userId?: string,
  ): Promise<CaseSteppedEvent['createdTasks']> {
    if (result.opened && result.closed) return this.syncChangedWaits(m, instance, result.opened, result.closed, userId);
    const waits = result.waits;
    const live = new Set(waits.map((w) => w.waitId));
    const liveList = [...live];
    await m.query(
      `UPDATE tasks SET status = 'cancelled', completed_at = now() WHERE instance_id = $1 AND status = 'open' AND NOT (wait_id = ANY($2))`,
      [instance.id, liveList],
    );
    await m.query(`UPDATE external_tasks SET status = 'cancelled' WHERE instance_id = $1 AND status = 'open' AND NOT (wait_id = ANY($2))`, [
      instance.id,
      liveList,
    ]);
    await m.query(`UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending' AND NOT (wait_id = ANY($2))`, [
      instance.id,
      liveList,
    ]);
    await m.query(`DELETE FROM message_subscriptions WHERE instance_id = $1 AND NOT (wait_id = ANY($2))`, [instance.id, liveList]);
    // A call activity cancelled by a boundary event or a terminate end takes its running child along.
    const orphans: { id: string }[] = await m.query(
      `SELECT id FROM process_instances WHERE parent_instance_id = $1 AND status = 'running' AND NOT (parent_wait_id = ANY($2))`,
      [instance.id, liveList],
    );
    for (const orphan of orphans) await this.terminateIn(m, orphan.id, { userId, reason: '调用环节已被取消' });
    let newExternal = false;
    const created: CaseSteppedEvent['createdTasks'] = [];
    for (const wait of waits) {
      newExternal = (await this.insertWait(m, instance, wait, created, userId)) || newExternal;
    }
    if (newExternal) await m.query(`SELECT pg_notify($1, '')`, [EXTERNAL_TASK_CHANNEL]);
    return created;
  }

  /** The stepping runtime says which waits a step opened and closed: only their rows are written. */
  private async syncChangedWaits(
    m: EntityManager,
    instance: InstanceRow,
    opened: Wait[],
    closed: { waitId: string; kind: Wait['kind'] }[],
    userId?: string,
  ): Promise<CaseSteppedEvent['createdTasks']> {
    const ids = (kind: Wait['kind']) => closed.filter((c) => c.kind === kind).map((c) => c.waitId);
    const close: [Wait['kind'], string][] = [
      [
        'userTask',
        `UPDATE tasks SET status = 'cancelled', completed_at = now() WHERE instance_id = $1 AND status = 'open' AND wait_id = ANY($2)`,
      ],
      ['externalTask', `UPDATE external_tasks SET status = 'cancelled' WHERE instance_id = $1 AND status = 'open' AND wait_id = ANY($2)`],
      ['timer', `UPDATE timers SET status = 'cancelled' WHERE instance_id = $1 AND status = 'pending' AND wait_id = ANY($2)`],
      ['message', `DELETE FROM message_subscriptions WHERE instance_id = $1 AND wait_id = ANY($2)`],
      // Signal catches share message_subscriptions (kind 'signal').
      ['signal', `DELETE FROM message_subscriptions WHERE instance_id = $1 AND wait_id = ANY($2)`],
    ];
    for (const [kind, sql] of close) {
      const list = ids(kind);
      if (list.length > 0) await prepared(m, `close_${kind}`, sql, [instance.id, list]);
    }
    const calls = ids('callActivity');
    if (calls.length > 0) {
      // A call activity cancelled by a boundary event or a terminate end takes its running child along.
      const orphans: { id: string }[] = await m.query(
        `SELECT id FROM process_instances WHERE parent_instance_id = $1 AND status = 'running' AND parent_wait_id = ANY($2)`,
        [instance.id, calls],
      );
      for (const orphan of orphans) await this.terminateIn(m, orphan.id, { userId, reason: '调用环节已被取消' });
    }
    let newExternal = false;
    const created: CaseSteppedEvent['createdTasks'] = [];
    for (const wait of opened) newExternal = (await this.insertWait(m, instance, wait, created, userId)) || newExternal;
    if (newExternal) await m.query(`SELECT pg_notify($1, '')`, [EXTERNAL_TASK_CHANNEL]);
    return created;
  }

  /** Diagrams name units by code (`MLR-XXB`) or pass ids in variables; rows hold ids. */
  private async unitIds(m: EntityManager, refs: string[], activityId: string): Promise<string[]> {
    if (refs.length === 0) return [];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const rows: { id: string; code: string }[] = await m.query(`SELECT id, code FROM units WHERE code = ANY($1) OR id = ANY($2::uuid[])`, [
      refs,
      refs.filter((r) => uuid.test(r)),
    ]);
    return refs.map((ref) => {
      const row = rows.find((r) => r.id === ref || r.code === ref);
      if (!row)
        throw new AppError('CANDIDATE_UNIT_UNKNOWN', `任务 ${activityId} 的候选单位 “${ref}” 不存在`, HttpStatus.UNPROCESSABLE_ENTITY);
      return row.id;
    });
  }

  /** Inserts the row of a wait if it is new; returns true for a new external task. */
  private async insertWait(
    m: EntityManager,
    instance: InstanceRow,
    wait: Wait,
    created: CaseSteppedEvent['createdTasks'],
    userId?: string,
  ): Promise<boolean> {
    switch (wait.kind) {
      case 'userTask': {
        // Diagrams written for Camunda name people by user name; rows hold user ids.
        const people = await resolvePeople(m, wait.assignee, wait.candidateUsers ?? []);
        const inserted = await prepared<{ id: string }>(
          m,
          'insert_task',
          `INSERT INTO tasks (instance_id, wait_id, activity_id, name, definition_key, business_key, owner_unit_id, assignee, candidate_users, candidate_groups, form_key, priority, due_at, created_by, candidate_units)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT (instance_id, wait_id) DO NOTHING RETURNING id`,
          [
            instance.id,
            wait.waitId,
            wait.activityId,
            wait.name ?? wait.activityId,
            instance.definition_key,
            instance.business_key,
            instance.owner_unit_id,
            people.assignee,
            people.candidateUsers,
            wait.candidateGroups ?? [],
            wait.formKey ?? null,
            wait.priority ?? 50,
            wait.dueDate ?? null,
            userId && /^[0-9a-f-]{36}$/.test(userId) ? userId : null,
            await this.unitIds(m, wait.candidateUnits ?? [], wait.activityId),
          ],
        );
        if (inserted[0]) {
          created.push({ id: inserted[0].id, activityId: wait.activityId, name: wait.name ?? wait.activityId });
          await prepared(m, 'task_created', `INSERT INTO outbox (topic, payload) VALUES ('task.created', $1)`, [
            JSON.stringify({
              taskId: inserted[0].id,
              instanceId: instance.id,
              assignee: people.assignee,
              candidateGroups: wait.candidateGroups ?? [],
              name: wait.name ?? wait.activityId,
              by: userId ?? null,
            }),
          ]);
        }
        return false;
      }
      case 'externalTask': {
        const inserted = await prepared<{ id: string }>(
          m,
          'insert_external_task',
          `INSERT INTO external_tasks (instance_id, wait_id, activity_id, topic, definition_key, business_key, priority)
           VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (instance_id, wait_id) DO NOTHING RETURNING id`,
          [instance.id, wait.waitId, wait.activityId, wait.topic, instance.definition_key, instance.business_key, wait.priority ?? 0],
        );
        return inserted.length > 0;
      }
      case 'timer':
        await prepared(
          m,
          'insert_timer',
          `INSERT INTO timers (instance_id, wait_id, activity_id, due_at) VALUES ($1,$2,$3,$4) ON CONFLICT (instance_id, wait_id) WHERE instance_id IS NOT NULL DO NOTHING`,
          [instance.id, wait.waitId, wait.activityId, wait.dueAt],
        );
        return false;
      case 'message':
      case 'signal':
        await m.query(
          `INSERT INTO message_subscriptions (instance_id, wait_id, activity_id, message_name, business_key, kind) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (instance_id, wait_id) DO NOTHING`,
          [
            instance.id,
            wait.waitId,
            wait.activityId,
            wait.kind === 'message' ? wait.messageName : wait.signalName,
            instance.business_key,
            wait.kind,
          ],
        );
        return false;
      case 'callActivity': {
        const existing: unknown[] = await m.query(`SELECT 1 FROM process_instances WHERE parent_instance_id = $1 AND parent_wait_id = $2`, [
          instance.id,
          wait.waitId,
        ]);
        if (existing.length === 0) {
          await this.startIn(m, wait.calledElement, {
            businessKey: wait.businessKey ?? instance.business_key ?? undefined,
            variables: wait.variables,
            variableTypes: typesOf(instance.variable_types, Object.keys(wait.variables)),
            ownerUnitId: instance.owner_unit_id ?? undefined,
            parent: { instanceId: instance.id, waitId: wait.waitId },
          });
        }
        return false;
      }
      default:
        return false;
    }
  }

  /** A finished child resumes its parent's call activity in the same transaction. */
  private async afterStep(m: EntityManager, instance: InstanceRow, result: StepResult, types: VariableTypes): Promise<void> {
    if (result.status === 'running' || !instance.parent_instance_id || !instance.parent_wait_id) return;
    if (result.status === 'completed') {
      await this.execute(
        m,
        instance.parent_instance_id,
        { type: 'completeCallActivity', waitId: instance.parent_wait_id, variables: result.variables },
        undefined,
        types,
      );
    }
    if (result.status === 'failed' && result.error) {
      // As in Camunda, a BPMN error the called process does not catch is thrown at its call activity.
      try {
        await this.execute(m, instance.parent_instance_id, {
          type: 'externalTaskBpmnError',
          waitId: instance.parent_wait_id,
          errorCode: result.error.code ?? '',
          errorMessage: result.error.message,
        });
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'BPMN_ERROR_UNCAUGHT')) throw error;
        this.logger.warn({ instanceId: instance.id, error: result.error }, 'child instance ended with an error its caller does not catch');
      }
    }
  }
}
