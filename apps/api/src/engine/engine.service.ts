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
} from '@zhengwu/engine';
import type { FormField } from '@zhengwu/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { DefinitionsService } from './definitions.service';
import type {
  CaseSteppedEvent,
  CaseWait,
  CompleteTaskOptions,
  EnginePort,
  HistoryEntry,
  InstanceView,
  LockedCase,
  ProcessListener,
  StartOptions,
  TaskModel,
  Tx,
} from './engine.port';
import { nextVariableTypes, type VariableTypes } from './camunda-variables';
import { HolidayService } from './holiday.service';
import { prepared } from '../platform/prepared';
import { CaseEvents } from './case-events';
import { CaseReads } from './case-reads';
import { CaseRows, hasHistory, historyInsert, historyParams, type InstanceRow } from './case-rows';
import { ExternalTaskHandOff } from './external-task-handoff';

export { EXTERNAL_TASK_CHANNEL } from './case-rows';
export { MessageCorrelationError, type CorrelatedCase, type MessageCorrelation, type SignalBroadcast } from './case-events';
import type { CorrelatedCase, MessageCorrelation, SignalBroadcast } from './case-events';

function definitionChanged(key: string): ConflictError {
  return new ConflictError('DEFINITION_CHANGED', `流程 ${key} 刚刚发布了新版本，请重新发起`);
}

/**
 * The embedded adapter of the engine port. Every command is one transaction: lock the instance
 * row, recover the state, apply, run until every branch waits, write state + wait rows + history
 * + outbox, commit. Nothing is kept in memory between commands but parsed definitions.
 */
@Injectable()
export class EngineService implements EnginePort {
  private readonly logger = new Logger(EngineService.name);
  private readonly listeners = new Map<string, ProcessListener[]>();
  /** The rows behind the LockedCase handles given out, with the transaction that locked them (one use each). */
  private readonly lockedRows = new WeakMap<LockedCase, { row: InstanceRow; tx: Tx }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly holidays: HolidayService,
    private readonly handOff: ExternalTaskHandOff,
  ) {
    this.rows = new CaseRows(
      {
        startChild: (m, key, options) => this.startIn(m, key, options),
        terminate: (m, instanceId, options) => this.terminateIn(m, instanceId, options),
      },
      handOff,
    );
    this.reads = new CaseReads(dataSource, definitions, (key) => this.isFeatureProcess(key));
    this.events = new CaseEvents(this, definitions);
  }

  private readonly rows: CaseRows;
  private readonly reads: CaseReads;
  private readonly events: CaseEvents;

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
      /** How often this start found a newer version than the one it began with. */
      staleRetries?: number;
    },
  ): Promise<{ id: string }> {
    // A given version starts as it is (a timer start); by key, the latest, checked below by the INSERT itself.
    const definition = options.definitionId ? { id: options.definitionId, version: null } : await this.definitions.latestForStart(key, m);
    if (options.expectedDefinitionId !== undefined && definition.id !== options.expectedDefinitionId) {
      this.definitions.forgetLatest();
      throw definitionChanged(key);
    }
    const compiled = await this.definitions.compiledById(definition.id, m);
    const runtime = await this.runtime();
    const result = await this.run(() =>
      runtime.start(compiled, { variables: options.variables ?? {}, trigger: options.trigger, startEventId: options.startEventId }),
    );
    const variableTypes = nextVariableTypes({}, result.changed, result.variables, {
      values: options.variables,
      types: options.variableTypes,
    });
    // The case's row and its first history in one statement. By key, only while the version is still the latest
    // committed one ($20): the latest version kept by this process may be older when a deployment's notice is on its way.
    const rows = await prepared<{ id: string }>(
      m,
      'start_instance',
      `WITH i AS (
         INSERT INTO process_instances (definition_id, definition_key, business_key, status, state, variables, owner_unit_id, started_by, parent_instance_id, parent_wait_id, ended_at, variable_types)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $4 = 'running' THEN NULL ELSE now() END, $11
          WHERE $20::int IS NULL OR NOT EXISTS (SELECT 1 FROM process_definitions d WHERE d.key = $2 AND d.version > $20::int)
         RETURNING id),
       h AS (${historyInsert('i.id', 12, 'CROSS JOIN i')})
       SELECT id FROM i`,
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
        ...historyParams(result, options.startedBy),
        definition.version,
      ],
    );
    if (!rows[0]) {
      // A newer version was deployed (elsewhere, its notice not here yet): nothing was written; start on it.
      this.definitions.forgetLatest();
      if (options.expectedDefinitionId !== undefined || (options.staleRetries ?? 0) >= 3) throw definitionChanged(key);
      return this.startIn(m, key, { ...options, staleRetries: (options.staleRetries ?? 0) + 1 });
    }
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
    const created = await this.rows.syncWaits(m, instance, result, options.startedBy);
    await this.notifyStepped(m, instance, {}, result, created, options.startedBy);
    await this.afterStep(m, instance, result, variableTypes);
    await this.events.deliverThrownSignals(m, instance.id, result);
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
    // The case's row and the step's history in one statement (the history's alone when the step left none).
    const save = `UPDATE process_instances SET state = $2, variables = $3, status = $4, revision = revision + 1,
              ended_at = CASE WHEN $4 = 'running' THEN NULL ELSE now() END, variable_types = $5 WHERE id = $1`;
    const saved = [instance.id, JSON.stringify(result.state), JSON.stringify(result.variables), result.status, JSON.stringify(types)];
    if (hasHistory(result))
      await prepared(m, 'save_instance_history', `WITH s AS (${save}) ${historyInsert('$1::uuid', 6)}`, [
        ...saved,
        ...historyParams(result, userId),
      ]);
    else await prepared(m, 'save_instance', save, saved);
    this.handOff.noteCase(m, instance.id, { variables: result.variables, variableTypes: types });
    // The task the command completed is closed already (completeTaskIn, the external task's close): no statement for it.
    if (
      result.closed &&
      (command.type === 'completeUserTask' || command.type === 'completeExternalTask' || command.type === 'externalTaskBpmnError')
    )
      result = { ...result, closed: result.closed.filter((c) => c.waitId !== command.waitId) };
    // The case as saved: an external task handed from this step carries these variables.
    const stepped = { ...instance, variables: result.variables, variable_types: types };
    const created = await this.rows.syncWaits(m, stepped, result, userId);
    await this.notifyStepped(m, instance, instance.variables, result, created, userId);
    await this.afterStep(m, { ...stepped, status: result.status, variables: result.variables }, result, types);
    await this.events.deliverThrownSignals(m, instance.id, result);
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
    const held = options.locked && this.lockedRows.get(options.locked);
    if (options.locked) this.lockedRows.delete(options.locked);
    const handed = held && held.tx === m ? held.row : undefined;
    // The case's row lock orders everything done to it; the task is read after it, so a second completion sees it done.
    const instance =
      handed ??
      (
        await prepared<InstanceRow>(
          m,
          'lock_task_instance',
          'SELECT * FROM process_instances WHERE id = (SELECT instance_id FROM tasks WHERE id = $1) FOR UPDATE',
          [taskId],
        )
      )[0];
    if (!instance) throw new NotFoundError('任务');
    // Completing the task is the check that it was still open: the UPDATE finds it only then.
    const closed = await prepared<{ wait_id: string; activity_id: string; name: string; instance_id: string }>(
      m,
      'complete_task',
      `UPDATE tasks SET status = 'completed', completed_at = now(), completed_by = $2, outcome = $3, comment = $4,
              assignee = COALESCE(assignee, $5), claimed_at = CASE WHEN assignee IS NULL AND $5::uuid IS NOT NULL THEN now() ELSE claimed_at END
        WHERE id = $1 AND status = 'open' RETURNING wait_id, activity_id, name, instance_id`,
      [taskId, options.userId, options.outcome ?? null, options.comment ?? null, options.claimBy ?? null],
    );
    if (!closed[0]) {
      const rows = await prepared<{ status: string }>(m, 'task_status', 'SELECT status FROM tasks WHERE id = $1', [taskId]);
      if (!rows[0]) throw new NotFoundError('任务');
      throw new ConflictError(
        rows[0].status === 'completed' ? 'TASK_ALREADY_COMPLETED' : 'TASK_NOT_WAITING',
        rows[0].status === 'completed'
          ? '该任务已由他人办理完毕，请刷新待办列表'
          : '该任务已不在当前环节（流程已流转或被撤回），请刷新待办列表',
      );
    }
    if (closed[0].instance_id !== instance.id) throw new Error(`task ${taskId} is not of the locked case ${instance.id}`);
    const { wait_id: waitId, activity_id: activityId, name: taskName } = closed[0];
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
    return tx
      ? this.events.correlateIn(tx, messageName, options)
      : this.dataSource.transaction((m) => this.events.correlateIn(m, messageName, options));
  }

  /**
   * Camunda's message correlation (`POST /message`): the waiting cases that match, and the processes whose message
   * start event has this name (unless one case was named). Exactly one match unless `all`; none is an error unless
   * `all`. Two correlations racing for one waiting case: the second finds it gone once it holds the case's lock.
   */
  async correlateMessages(c: MessageCorrelation, tx?: Tx): Promise<CorrelatedCase[]> {
    return tx ? this.events.correlateMessagesIn(tx, c) : this.dataSource.transaction((m) => this.events.correlateMessagesIn(m, c));
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
    return tx ? this.events.broadcastIn(tx, s) : this.dataSource.transaction((m) => this.events.broadcastIn(m, s));
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
    this.handOff.noteCase(m, instanceId, { variables, variableTypes: types });
    await this.rows.writeHistory(
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
    this.handOff.noteClosed(m, instanceId);
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

  async lockCaseOfTask(taskId: string, tx: Tx): Promise<LockedCase | undefined> {
    const rows = await prepared<InstanceRow>(
      tx,
      'lock_task_instance',
      'SELECT * FROM process_instances WHERE id = (SELECT instance_id FROM tasks WHERE id = $1) FOR UPDATE',
      [taskId],
    );
    if (!rows[0]) return undefined;
    const locked: LockedCase = { instanceId: rows[0].id, definitionKey: rows[0].definition_key, status: rows[0].status };
    this.lockedRows.set(locked, { row: rows[0], tx });
    return locked;
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
      // Through the driver: TypeORM answers an UPDATE … RETURNING with [rows, count], not the rows.
      const rows = await prepared<{ instance_id: string }>(
        m,
        'reject_task',
        `UPDATE tasks SET status = 'completed', completed_at = now(), completed_by = $2, outcome = 'reject', comment = $3 WHERE id = $1
         RETURNING instance_id`,
        [taskId, options.userId, options.comment ?? null],
      );
      if (!rows[0]) throw new NotFoundError('任务');
      await this.terminateIn(m, rows[0].instance_id, { userId: options.userId, reason: options.comment });
    };
    await (tx ? reject(tx) : this.dataSource.transaction(reject));
  }

  async makeTimersDue(instanceId: string, tx?: Tx): Promise<void> {
    await (tx ?? this.dataSource).query(
      `UPDATE timers SET due_at = now() - interval '1 second' WHERE instance_id = $1 AND status = 'pending'`,
      [instanceId],
    );
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

  async getInstance(id: string): Promise<InstanceView | undefined> {
    return this.reads.getInstance(id);
  }

  async history(instanceId: string): Promise<HistoryEntry[]> {
    return this.reads.history(instanceId);
  }

  async waits(instanceId: string): Promise<CaseWait[]> {
    return this.reads.waits(instanceId);
  }

  async taskModel(definitionId: string, activityId: string): Promise<TaskModel> {
    return this.reads.taskModel(definitionId, activityId);
  }

  /**
   * The contract of the latest version's plain start event (`camunda:formData`; undefined when none), with that version;
   * `fresh`: the latest as committed now, not as this process kept it.
   */
  async startForm(key: string, fresh = false): Promise<{ definitionId: string; form: FormField[] | undefined }> {
    return this.reads.startForm(key, fresh);
  }

  /** The variables a worker may set when completing this external task (`outputs`), or undefined when undeclared. */
  async externalOutputs(m: EntityManager, instanceId: string, activityId: string): Promise<string[] | undefined> {
    return this.reads.externalOutputs(m, instanceId, activityId);
  }

  /** externalOutputs when the case's definition is known already (its row is locked and read). */
  async externalOutputsOf(definitionId: string, activityId: string): Promise<string[] | undefined> {
    return (await this.definitions.compiledById(definitionId)).elements.get(activityId)?.outputs;
  }

  async definitionXml(definitionId: string, tx?: Tx): Promise<string | undefined> {
    return this.reads.definitionXml(definitionId, tx);
  }

  async hasOpenExternalTask(instanceId: string, topic: string, tx?: Tx): Promise<boolean> {
    return this.reads.hasOpenExternalTask(instanceId, topic, tx);
  }
}
