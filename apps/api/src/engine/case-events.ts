import { HttpStatus } from '@nestjs/common';
import type { Command, StepResult } from '@zhengwu/engine';
import type { EntityManager } from 'typeorm';
import { AppError } from '../platform/errors';
import type { VariableTypes } from './camunda-variables';
import type { InstanceRow } from './case-rows';
import type { DefinitionsService } from './definitions.service';
import type { StartOptions } from './engine.port';

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

/** What message correlation and signals need of the engine: start a case, run a command on one. */
export interface CaseEventHost {
  startIn(
    m: EntityManager,
    key: string,
    options: StartOptions & {
      trigger?: 'message' | 'timer' | 'signal';
      definitionId?: string;
      startEventId?: string;
      variableTypes?: VariableTypes;
    },
  ): Promise<{ id: string }>;
  execute(
    m: EntityManager,
    instanceId: string,
    command: Command,
    userId?: string,
    variableTypes?: VariableTypes,
    locked?: InstanceRow,
  ): Promise<StepResult>;
}

/** Messages and signals: Camunda's correlation rules and broadcasts, each inside the caller's transaction. */
export class CaseEvents {
  /** Signals being delivered within each transaction, nested (thrown by cases a signal reached). */
  private readonly signalDepth = new WeakMap<EntityManager, number>();

  constructor(
    private readonly host: CaseEventHost,
    private readonly definitions: DefinitionsService,
  ) {}

  async correlateIn(
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
      await this.host.execute(m, subs[0].instance_id, { type: 'correlateMessage', waitId: subs[0].wait_id, variables: options.variables });
      return { instanceId: subs[0].instance_id };
    }
    const [starter] = await this.eventStarts(m, 'message', messageName);
    if (!starter) throw new AppError('MESSAGE_NOT_CORRELATED', `没有等待消息 ${messageName} 的流程`, HttpStatus.BAD_REQUEST);
    const started = await this.host.startIn(m, starter.key, {
      definitionId: starter.definitionId,
      startEventId: starter.startEventId,
      businessKey: options.businessKey,
      variables: options.variables,
      trigger: 'message',
    });
    return { instanceId: started.id };
  }

  async correlateMessagesIn(m: EntityManager, c: MessageCorrelation): Promise<CorrelatedCase[]> {
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
      await this.host.execute(
        m,
        sub.instance_id,
        { type: 'correlateMessage', waitId: sub.wait_id, variables: c.variables },
        c.userId,
        c.variableTypes,
      );
      results.push({ resultType: 'Execution', instanceId: sub.instance_id, executionId: sub.wait_id });
    }
    for (const start of starts) {
      const started = await this.host.startIn(m, start.key, {
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
  async waitingFor(m: EntityManager, c: MessageCorrelation): Promise<{ instance_id: string; wait_id: string }[]> {
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

  /** The latest version of every process whose start event waits for this message or signal (Camunda starts only those). */
  async eventStarts(
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

  async broadcastIn(m: EntityManager, s: SignalBroadcast): Promise<CorrelatedCase[]> {
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
        const result = await this.host.execute(
          m,
          instanceId,
          { type: 'signal', waitId, variables: s.variables },
          s.userId,
          s.variableTypes,
        );
        results.push({ resultType: 'Execution', instanceId, executionId: waitId });
        if (result.status !== 'running') break;
        live = new Set(result.waits.map((w) => w.waitId));
      }
    }
    if (s.executionId === undefined) {
      for (const start of await this.eventStarts(m, 'signal', s.name)) {
        const started = await this.host.startIn(m, start.key, {
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

  /** Signal throw and end events of a step reach the other cases and the signal start events, in the same transaction. */
  async deliverThrownSignals(m: EntityManager, instanceId: string, result: StepResult): Promise<void> {
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
}
