import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CamundaRestError } from '../platform/errors';
import { DataSource, EntityManager } from 'typeorm';
import { EngineService, EXTERNAL_TASK_CHANNEL } from './engine.service';
import type { InstanceRow } from './case-rows';
import { PgListener } from '../platform/pg-listener';
import { prepared } from '../platform/prepared';
import { toTypedVariables, type TypedVariables, type VariableTypes } from './camunda-variables';
import { ExternalTaskHandOff, toLocked, type ExternalRow, type FetchTopic, type LockedExternalTask } from './external-task-handoff';

export interface FetchRequest {
  workerId: string;
  maxTasks: number;
  usePriority: boolean;
  asyncResponseTimeout?: number;
  topics: FetchTopic[];
  /** Aborted when the HTTP request is gone: a parked poll then gets no task and stops waiting. */
  signal?: AbortSignal;
}

export type { FetchTopic, LockedExternalTask };

/** Camunda's error vocabulary: the client shows `type: message`. */
export { CamundaRestError };

/** What a completion needs of the task it closed. */
type ClosedTask = Pick<ExternalRow, 'wait_id' | 'activity_id' | 'instance_id'>;

/**
 * The external-task side of the engine (Camunda 7 contract): hand-outs with FOR UPDATE SKIP LOCKED,
 * long polling woken by LISTEN/NOTIFY, and completion only by the lock holder.
 */
@Injectable()
export class ExternalTaskService implements OnModuleDestroy {
  private unsubscribe?: () => void;
  /**
   * Waiting long polls, oldest first, with the topics they wait for; `any` when a topic of theirs carries a filter
   * (processDefinitionKey) that may refuse a task another waiter would take: those are woken by every notification.
   */
  private readonly waiters = new Map<(topic?: string) => void, { topics: string[]; any: boolean }>();
  private closed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly engine: EngineService,
    private readonly handOff: ExternalTaskHandOff,
    private readonly listener: PgListener,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    for (const wake of this.waiters.keys()) wake();
  }

  /** Hears new tasks on the process's shared LISTEN connection (subscribed at the first long poll). */
  private listen(): Promise<boolean> {
    // A fetch arriving while the api stops must not open a connection nobody will close.
    if (this.closed) return Promise.resolve(false);
    this.unsubscribe ??= this.listener.subscribe(EXTERNAL_TASK_CHANNEL, {
      // A new task names its topic: one plain waiter of that topic is woken, not the whole stampede of fetches (which
      // on two cores delays the one that wins). Anything else (a retry, a lock released, a bulk release) wakes all.
      notification: (payload) => (payload ? this.wakeFor(payload) : this.wakeAll()),
      // Deaf for a while: what was committed meanwhile was not heard, so every waiter looks again.
      listening: () => this.wakeAll(),
      lost: () => this.wakeAll(),
    });
    return this.listener.ready(EXTERNAL_TASK_CHANNEL);
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters.keys()]) wake();
  }

  /** Wakes the oldest plain waiter of the topic, and every waiter whose filters might refuse what it would take. */
  private wakeFor(topic: string): void {
    let plain = false;
    for (const [wake, w] of [...this.waiters]) {
      if (!w.topics.includes(topic)) continue;
      if (w.any) wake();
      else if (!plain) {
        plain = true;
        // Out of the queue at once: the next notification picks the next waiter.
        this.waiters.delete(wake);
        wake(topic);
      }
    }
  }

  async fetchAndLock(request: FetchRequest): Promise<LockedExternalTask[]> {
    const deadline = Date.now() + Math.min(request.asyncResponseTimeout ?? 0, 1_800_000);
    if (request.asyncResponseTimeout) await this.listen();
    for (;;) {
      // Shutting down: answer the waiting worker now instead of holding the server open. Gone: nobody reads it.
      if (this.closed || request.signal?.aborted) return [];
      // Register before fetching so a task created between the fetch and the wait still wakes us.
      let woken = false;
      /** The topic of the notification that woke this waiter alone (wakeFor), to pass on if it answers without looking. */
      let wokenFor: string | undefined;
      let wake: (topic?: string) => void = () => undefined;
      const signal = new Promise<void>((resolve) => {
        wake = (topic?: string) => {
          woken = true;
          wokenFor ??= topic;
          resolve();
        };
      });
      this.waiters.set(wake, {
        topics: request.topics.map((t) => t.topicName),
        any: request.topics.some((t) => t.processDefinitionKey !== undefined),
      });
      try {
        const tasks = await this.tryFetch(request);
        // A full hand: more may be waiting (one NOTIFY can stand for many tasks), so the next waiter looks too.
        if (tasks.length > 0 && tasks.length >= request.maxTasks)
          for (const topic of new Set(tasks.map((t) => t.topicName))) this.wakeFor(topic);
        const remaining = deadline - Date.now();
        if (tasks.length > 0 || remaining <= 0 || this.closed) {
          // Woken during a fetch that may have started before the new task committed: another waiter looks for it.
          if (wokenFor !== undefined) this.wakeFor(wokenFor);
          return tasks;
        }
        if (!woken) {
          const handed = await this.park(request, wake, signal, Math.min(remaining, 5_000));
          if (handed && handed.length > 0) {
            // A notification that picked this poll while a transaction had reserved it is another waiter's.
            if (wokenFor !== undefined) this.wakeFor(wokenFor);
            return handed;
          }
          // The request is gone: no one would read the answer (a fetch now would lock tasks for nobody).
          if (request.signal?.aborted) return [];
        }
      } finally {
        this.waiters.delete(wake);
      }
    }
  }

  /**
   * Waits, parked for the direct hand-off, until a notification, `wait` ms (a re-check in case the LISTEN connection
   * dropped one) or the request closes. A transaction that reserved the poll meanwhile is waited for: its tasks after
   * COMMIT, or none (rolled back: the poll looks again).
   */
  private async park(
    request: FetchRequest,
    wake: (topic?: string) => void,
    signal: Promise<void>,
    wait: number,
  ): Promise<LockedExternalTask[] | undefined> {
    const poll = this.handOff.park(request, () => this.waiters.delete(wake));
    let timer: NodeJS.Timeout | undefined;
    let onAbort = (): void => undefined;
    try {
      const aborted = new Promise<void>((resolve) => (onAbort = resolve));
      request.signal?.addEventListener('abort', onAbort);
      if (request.signal?.aborted) onAbort();
      await Promise.race([signal, poll.reserved, aborted, new Promise((r) => (timer = setTimeout(r, wait)))]);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
    if (!this.handOff.leave(poll)) return undefined;
    // The COMMIT's outcome comes as an event; one that never comes (its connection died) must not hold the poll forever.
    const watchdog = setInterval(() => this.handOff.abandonIfGone(poll), 1_000);
    try {
      return await poll.outcome;
    } finally {
      clearInterval(watchdog);
    }
  }

  /**
   * One statement per topic: lock the tasks and read their cases' variables in a single round trip (a woken long
   * poll answers sooner). Several topics share one transaction.
   */
  private async tryFetch(request: FetchRequest): Promise<LockedExternalTask[]> {
    const fetchTopics = async (m: EntityManager): Promise<LockedExternalTask[]> => {
      const out: LockedExternalTask[] = [];
      for (const topic of request.topics) {
        const room = request.maxTasks - out.length;
        if (room <= 0) break;
        const order = request.usePriority ? 'priority DESC, created_at' : 'created_at';
        // A small hand's size is written into the statement (one prepared statement per size): with LIMIT a parameter the
        // planner priced the generic plan as if it took a tenth of the topic, and planned every fetch anew (most of its
        // cost, and of a hand-off's).
        const literal = room <= 16;
        const params: unknown[] = [request.workerId, topic.lockDuration, topic.topicName, ...(literal ? [] : [room])];
        const limit = literal ? String(room) : '$4';
        let byKey = '';
        if (topic.processDefinitionKey) {
          params.push(topic.processDefinitionKey);
          byKey = `AND definition_key = $${params.length}`;
        }
        const rows: (ExternalRow & {
          instance_variables: Record<string, unknown>;
          instance_variable_types: VariableTypes;
          instance_definition_id: string;
        })[] = await prepared(
          m,
          `fetch_external${request.usePriority ? '_priority' : ''}${byKey ? '_key' : ''}_${literal ? room : 'n'}`,
          `WITH locked AS (
             UPDATE external_tasks t SET worker_id = $1, lock_expires_at = now() + make_interval(secs => $2::double precision / 1000)
              WHERE t.id IN (
                SELECT id FROM external_tasks
                 WHERE status = 'open' AND topic = $3 ${byKey}
                   AND (lock_expires_at IS NULL OR lock_expires_at < now())
                   AND next_fetch_at <= now() AND (retries IS NULL OR retries > 0)
                 ORDER BY ${order} LIMIT ${limit} FOR UPDATE SKIP LOCKED)
             RETURNING t.*)
           SELECT l.*, p.variables AS instance_variables, p.variable_types AS instance_variable_types, p.definition_id AS instance_definition_id
             FROM locked l JOIN process_instances p ON p.id = l.instance_id
            ORDER BY ${order.replace('priority', 'l.priority').replace('created_at', 'l.created_at')}`,
          params,
        );
        for (const row of rows) {
          const variables = toTypedVariables(row.instance_variables ?? {}, row.instance_variable_types ?? {}, topic.variables ?? null);
          out.push(toLocked(row, variables, row.instance_definition_id));
        }
      }
      return out;
    };
    return request.topics.length > 1 ? this.dataSource.transaction(fetchTopics) : fetchTopics(this.dataSource.manager);
  }

  /** Locks the task's case (one statement); its row is handed to the engine's step so it is not read again. */
  private async lockCase(m: EntityManager, id: string): Promise<InstanceRow> {
    assertTaskId(id);
    const rows = await prepared<InstanceRow>(
      m,
      'lock_external_instance',
      'SELECT * FROM process_instances WHERE id = (SELECT instance_id FROM external_tasks WHERE id = $1) FOR UPDATE',
      [id],
    );
    if (!rows[0]) throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
    return rows[0];
  }

  /** Locks the case, then the task, and checks the caller holds the task's lock. */
  private async held(m: EntityManager, id: string, workerId: string, verb: string): Promise<ExternalRow> {
    await this.lockCase(m, id);
    const rows: ExternalRow[] = await m.query('SELECT * FROM external_tasks WHERE id = $1 FOR UPDATE', [id]);
    this.assertHeld(id, rows[0], workerId, verb);
    return rows[0];
  }

  private assertHeld(id: string, row: ExternalRow | undefined, workerId: string, verb: string): asserts row is ExternalRow {
    if (!row || row.status !== 'open') throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
    if (row.worker_id !== workerId) {
      throw new CamundaRestError(
        400,
        'BadUserRequestException',
        `External Task ${id} cannot be ${verb} by worker '${workerId}'. It is locked by worker '${row.worker_id ?? ''}'.`,
      );
    }
  }

  /**
   * The case locked and the task the worker holds closed in one statement (one round trip fewer per completion): the
   * case's row lock is taken first (the UPDATE's condition reads it), as every other command on the case takes it, so
   * two completions queue on the case and the second finds the task closed. Only when the task is not closed is its row
   * read again, to say why (gone, or held by another worker).
   */
  private async lockAndClose(
    m: EntityManager,
    id: string,
    workerId: string,
    verb: string,
  ): Promise<{ instance: InstanceRow; row: ClosedTask }> {
    assertTaskId(id);
    const rows = await prepared<InstanceRow & { closed_wait_id: string | null; closed_activity_id: string | null }>(
      m,
      'lock_close_external_task',
      `WITH c AS (
         SELECT * FROM process_instances WHERE id = (SELECT instance_id FROM external_tasks WHERE id = $1) FOR UPDATE),
       t AS (
         UPDATE external_tasks SET status = 'completed'
          WHERE id = $1 AND status = 'open' AND worker_id = $2 AND instance_id = (SELECT c.id FROM c)
         RETURNING wait_id, activity_id)
       SELECT c.*, t.wait_id AS closed_wait_id, t.activity_id AS closed_activity_id FROM c LEFT JOIN t ON true`,
      [id, workerId],
    );
    const found = rows[0];
    if (!found) throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
    const { closed_wait_id: waitId, closed_activity_id: activityId, ...instance } = found;
    if (waitId === null || activityId === null) {
      const current: ExternalRow[] = await m.query('SELECT * FROM external_tasks WHERE id = $1', [id]);
      this.assertHeld(id, current[0], workerId, verb);
      throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
    }
    return { instance, row: { wait_id: waitId, activity_id: activityId, instance_id: instance.id } };
  }

  /**
   * A worker sets only what its step declares (`outputs`): a render worker cannot reroute the case or rewrite its
   * title. A step that declares nothing keeps Camunda's behaviour (diagrams deployed through the API).
   */
  private async assertOutputs(m: EntityManager, row: ClosedTask, variables: Record<string, unknown>, definitionId?: string): Promise<void> {
    if (Object.keys(variables).length === 0) return;
    const outputs = definitionId
      ? await this.engine.externalOutputsOf(definitionId, row.activity_id)
      : await this.engine.externalOutputs(m, row.instance_id, row.activity_id);
    if (!outputs) return;
    const extra = Object.keys(variables).filter((name) => !outputs.includes(name));
    if (extra.length > 0) {
      throw new CamundaRestError(
        400,
        'InvalidRequestException',
        `Variable(s) ${extra.join(', ')} may not be set by the worker of activity ${row.activity_id}: its declared outputs are ${outputs.join(', ') || 'none'}`,
      );
    }
  }

  /** `types`: the Camunda types the worker sent its variables as (kept where the plain value does not tell them). */
  async complete(id: string, workerId: string, variables: Record<string, unknown>, types: VariableTypes = {}): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { instance, row } = await this.lockAndClose(m, id, workerId, 'completed');
      await this.assertOutputs(m, row, variables, instance.definition_id);
      await this.engine.execute(
        m,
        instance.id,
        { type: 'completeExternalTask', waitId: row.wait_id, variables },
        undefined,
        types,
        instance,
      );
    });
  }

  async bpmnError(
    id: string,
    workerId: string,
    errorCode: string,
    errorMessage: string | undefined,
    variables: Record<string, unknown>,
    types: VariableTypes = {},
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { instance, row } = await this.lockAndClose(m, id, workerId, 'reported a BPMN error');
      await this.assertOutputs(m, row, variables, instance.definition_id);
      await this.engine.execute(
        m,
        instance.id,
        { type: 'externalTaskBpmnError', waitId: row.wait_id, errorCode, errorMessage, variables },
        undefined,
        types,
        instance,
      );
    });
  }

  /**
   * The worker sends the retries left (the engine does not decrement); 0 raises an incident. Variables sent with a
   * failure are set on the case (Camunda 7.18+), the task stays where it is.
   */
  async failure(
    id: string,
    workerId: string,
    input: { errorMessage?: string; errorDetails?: string; retries?: number; retryTimeout?: number; variables?: TypedVariables },
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.held(m, id, workerId, 'failed');
      if (input.variables && Object.keys(input.variables.values).length > 0) {
        await this.assertOutputs(m, row, input.variables.values);
        await this.engine.setVariables(m, row.instance_id, input.variables.values, input.variables.types);
      }
      const retries = Math.max(0, input.retries ?? 0);
      await m.query(
        `UPDATE external_tasks SET retries = $2, error_message = $3, error_details = $4, worker_id = NULL, lock_expires_at = NULL,
                next_fetch_at = now() + make_interval(secs => $5::double precision / 1000) WHERE id = $1`,
        [
          id,
          retries,
          input.errorMessage?.slice(0, 4000) ?? null,
          input.errorDetails?.slice(0, 100_000) ?? null,
          Math.max(0, input.retryTimeout ?? 0),
        ],
      );
      if (retries === 0) {
        await m.query(
          `INSERT INTO incidents (instance_id, external_task_id, activity_id, type, message) VALUES ($1, $2, $3, 'failedExternalTask', $4)`,
          [row.instance_id, id, row.activity_id, input.errorMessage ?? null],
        );
      }
    });
  }

  async extendLock(id: string, workerId: string, newDuration: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.held(m, id, workerId, 'extended');
      if (!row.lock_expires_at || row.lock_expires_at.getTime() < Date.now()) {
        throw new CamundaRestError(400, 'BadUserRequestException', `Cannot extend a lock that expired for external task ${id}`);
      }
      await m.query(
        `UPDATE external_tasks SET lock_expires_at = now() + make_interval(secs => $2::double precision / 1000) WHERE id = $1`,
        [id, newDuration],
      );
    });
  }

  async lock(id: string, workerId: string, lockDuration: number): Promise<void> {
    assertTaskId(id);
    await this.dataSource.transaction(async (m) => {
      const rows: ExternalRow[] = await m.query('SELECT * FROM external_tasks WHERE id = $1 FOR UPDATE', [id]);
      const row = rows[0];
      if (!row || row.status !== 'open') throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
      if (row.worker_id && row.worker_id !== workerId && row.lock_expires_at && row.lock_expires_at.getTime() > Date.now()) {
        throw new CamundaRestError(400, 'BadUserRequestException', `External task ${id} is already locked by worker '${row.worker_id}'`);
      }
      await m.query(
        `UPDATE external_tasks SET worker_id = $2, lock_expires_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1`,
        [id, workerId, lockDuration],
      );
    });
  }

  async unlock(id: string): Promise<void> {
    assertTaskId(id);
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM external_tasks WHERE id = $1 AND status = 'open'`, [id]);
    if (rows.length === 0) throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
    await this.dataSource.query(`UPDATE external_tasks SET worker_id = NULL, lock_expires_at = NULL WHERE id = $1`, [id]);
    this.wakeAll();
  }

  /** Administrators give a failed task new retries; its incident is resolved. */
  async setRetries(id: string, retries: number): Promise<void> {
    assertTaskId(id);
    await this.dataSource.transaction(async (m) => {
      const rows: unknown[] = await m.query(`SELECT 1 FROM external_tasks WHERE id = $1 AND status = 'open' FOR UPDATE`, [id]);
      if (rows.length === 0) throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
      await m.query(`UPDATE external_tasks SET retries = $2, next_fetch_at = now() WHERE id = $1`, [id, retries]);
      if (retries > 0) await m.query(`UPDATE incidents SET resolved_at = now() WHERE external_task_id = $1 AND resolved_at IS NULL`, [id]);
      await m.query(`SELECT pg_notify($1, '')`, [EXTERNAL_TASK_CHANNEL]);
    });
  }

  async incidents(): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT i.id, i.instance_id AS "processInstanceId", i.external_task_id AS "externalTaskId", i.activity_id AS "activityId", i.type AS "incidentType",
              i.message AS "incidentMessage", i.created_at AS "incidentTimestamp", p.definition_key AS "processDefinitionKey"
         FROM incidents i JOIN process_instances p ON p.id = i.instance_id WHERE i.resolved_at IS NULL ORDER BY i.created_at DESC`,
    );
  }
}

/** An id that is not a uuid names no external task (and PostgreSQL would refuse it in a query). */
function assertTaskId(id: string): void {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
}
