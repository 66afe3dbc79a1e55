import { HttpStatus } from '@nestjs/common';
import type { StepResult, Wait } from '@zhengwu/engine';
import type { EntityManager } from 'typeorm';
import { AppError } from '../platform/errors';
import { typesOf, type VariableTypes } from './camunda-variables';
import type { CaseSteppedEvent, StartOptions } from './engine.port';
import { resolvePeople } from './people';
import { prepared } from '../platform/prepared';
import type { ExternalRow, ExternalTaskHandOff } from './external-task-handoff';

export interface InstanceRow {
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

/** Whether a step leaves anything for the history (variable changes, activity events). */
export function hasHistory(result: StepResult): boolean {
  return Object.keys(result.changed).length > 0 || result.history.length > 0;
}

/**
 * The history of a step as one INSERT: its activity events in order, then its variable changes (the ids follow that
 * order). \`instance\`: the SQL of the case's id; the step's parameters (historyParams) are numbered from \`first\`, so the
 * INSERT can share a statement with the case's own row (one round trip for both); \`join\` (e.g. \`CROSS JOIN i\`) makes the
 * history depend on that row being written.
 */
export function historyInsert(instance: string, first: number, join = ''): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO engine_history (instance_id, activity_id, activity_name, activity_type, execution_id, event, at, user_id, detail)
     SELECT ${instance}, h.activity_id, h.activity_name, h.activity_type, h.execution_id, h.event, h.at, ${p(0)}::uuid, h.detail FROM (
       SELECT a.activity_id, a.activity_name, a.activity_type, a.execution_id, a.event, a.at, NULL::jsonb AS detail, 0 AS part, a.n
         FROM unnest(${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(6)}::text[], ${p(7)}::timestamptz[]) WITH ORDINALITY
              AS a(activity_id, activity_name, activity_type, execution_id, event, at, n)
       UNION ALL
       SELECT NULL, NULL, NULL, NULL, 'variable', now(), jsonb_build_object('name', v.key, 'value', v.value), 1, v.n
         FROM jsonb_each(${p(1)}::jsonb) WITH ORDINALITY AS v(key, value, n)) h ${join}
     ORDER BY h.part, h.n`;
}

/** The parameters of historyInsert, in its order. */
export function historyParams(result: StepResult, userId?: string): unknown[] {
  const h = result.history;
  return [
    userId ?? null,
    JSON.stringify(result.changed),
    h.map((e) => e.activityId),
    h.map((e) => e.activityName ?? null),
    h.map((e) => e.activityType ?? null),
    h.map((e) => e.executionId ?? null),
    h.map((e) => e.event),
    h.map((e) => e.at),
  ];
}

/** What the rows need of the engine: a called process starts, a cancelled call's child ends. */
export interface CaseRowHooks {
  startChild(
    m: EntityManager,
    key: string,
    options: StartOptions & { parent?: { instanceId: string; waitId: string }; variableTypes?: VariableTypes },
  ): Promise<{ id: string }>;
  terminate(m: EntityManager, instanceId: string, options: { userId?: string; reason?: string }): Promise<void>;
}

/**
 * The rows a step writes beside the case's own: its history and its waits (tasks, external tasks, timers,
 * subscriptions, called cases). The engine's SQL for them lives here and nowhere else.
 */
export class CaseRows {
  constructor(
    private readonly hooks: CaseRowHooks,
    private readonly handOff?: ExternalTaskHandOff,
  ) {}

  /** The step's variable changes and activity events, in one prepared statement. */
  async writeHistory(m: EntityManager, instanceId: string, result: StepResult, userId?: string): Promise<void> {
    if (!hasHistory(result)) return;
    await prepared(m, 'history', historyInsert('$1::uuid', 2), [instanceId, ...historyParams(result, userId)]);
  }

  /** Makes the wait rows match the engine's full list of waits: new ones appear, vanished ones close. */
  async syncWaits(m: EntityManager, instance: InstanceRow, result: StepResult, userId?: string): Promise<CaseSteppedEvent['createdTasks']> {
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
    this.handOff?.noteClosed(m, instance.id, (waitId) => !live.has(waitId));
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
    for (const orphan of orphans) await this.hooks.terminate(m, orphan.id, { userId, reason: '调用环节已被取消' });
    const created: CaseSteppedEvent['createdTasks'] = [];
    for (const wait of waits) await this.insertWait(m, instance, wait, created, userId);
    return created;
  }

  /** The stepping runtime says which waits a step opened and closed: only their rows are written. */
  async syncChangedWaits(
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
      if (list.length === 0) continue;
      await prepared(m, `close_${kind}`, sql, [instance.id, list]);
      if (kind === 'externalTask') this.handOff?.noteClosed(m, instance.id, (waitId) => list.includes(waitId));
    }
    const calls = ids('callActivity');
    if (calls.length > 0) {
      // A call activity cancelled by a boundary event or a terminate end takes its running child along.
      const orphans: { id: string }[] = await m.query(
        `SELECT id FROM process_instances WHERE parent_instance_id = $1 AND status = 'running' AND parent_wait_id = ANY($2)`,
        [instance.id, calls],
      );
      for (const orphan of orphans) await this.hooks.terminate(m, orphan.id, { userId, reason: '调用环节已被取消' });
    }
    const created: CaseSteppedEvent['createdTasks'] = [];
    for (const wait of opened) await this.insertWait(m, instance, wait, created, userId);
    return created;
  }

  /** Inserts the row of a wait if it is new (a new external task also notifies the waiting fetches of its topic). */
  async insertWait(
    m: EntityManager,
    instance: InstanceRow,
    wait: Wait,
    created: CaseSteppedEvent['createdTasks'],
    userId?: string,
  ): Promise<void> {
    switch (wait.kind) {
      case 'userTask': {
        // Diagrams written for Camunda name people by user name; rows hold user ids.
        const people = await resolvePeople(m, wait.assignee, wait.candidateUsers ?? []);
        // The row and its task.created notice in one statement; the notice names the id the insert gave.
        const inserted = await prepared<{ id: string }>(
          m,
          'insert_task',
          `WITH t AS (
             INSERT INTO tasks (instance_id, wait_id, activity_id, name, definition_key, business_key, owner_unit_id, assignee, candidate_users, candidate_groups, form_key, priority, due_at, created_by, candidate_units)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT (instance_id, wait_id) DO NOTHING RETURNING id),
           o AS (INSERT INTO outbox (topic, payload) SELECT 'task.created', jsonb_build_object('taskId', t.id) || $16::jsonb FROM t)
           SELECT id FROM t`,
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
            JSON.stringify({
              instanceId: instance.id,
              assignee: people.assignee,
              candidateGroups: wait.candidateGroups ?? [],
              name: wait.name ?? wait.activityId,
              by: userId ?? null,
            }),
          ],
        );
        if (inserted[0]) created.push({ id: inserted[0].id, activityId: wait.activityId, name: wait.name ?? wait.activityId });
        return;
      }
      case 'externalTask': {
        if (await this.handExternalTask(m, instance, wait)) return;
        await prepared<{ id: string }>(
          m,
          'insert_external_task',
          // The NOTIFY (its payload the topic) goes with the row: only a row inserted sends it, delivered at commit.
          `INSERT INTO external_tasks (instance_id, wait_id, activity_id, topic, definition_key, business_key, priority)
           VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (instance_id, wait_id) DO NOTHING RETURNING id, pg_notify($8, $4)`,
          [...externalTaskRow(instance, wait), EXTERNAL_TASK_CHANNEL],
        );
        return;
      }
      case 'timer':
        await prepared(
          m,
          'insert_timer',
          `INSERT INTO timers (instance_id, wait_id, activity_id, due_at) VALUES ($1,$2,$3,$4) ON CONFLICT (instance_id, wait_id) WHERE instance_id IS NOT NULL DO NOTHING`,
          [instance.id, wait.waitId, wait.activityId, wait.dueAt],
        );
        return;
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
        return;
      case 'callActivity': {
        const existing: unknown[] = await m.query(`SELECT 1 FROM process_instances WHERE parent_instance_id = $1 AND parent_wait_id = $2`, [
          instance.id,
          wait.waitId,
        ]);
        if (existing.length === 0) {
          await this.hooks.startChild(m, wait.calledElement, {
            businessKey: wait.businessKey ?? instance.business_key ?? undefined,
            variables: wait.variables,
            variableTypes: typesOf(instance.variable_types, Object.keys(wait.variables)),
            ownerUnitId: instance.owner_unit_id ?? undefined,
            parent: { instanceId: instance.id, waitId: wait.waitId },
          });
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * The direct hand-off (external-task-handoff.ts): a long poll of this process parked for the task's topic gets it
   * locked in its INSERT, without the NOTIFY, and is answered at COMMIT. False when no parked poll takes it.
   */
  private async handExternalTask(m: EntityManager, instance: InstanceRow, wait: Extract<Wait, { kind: 'externalTask' }>): Promise<boolean> {
    const claim = this.handOff?.claim(m, wait.topic, instance.definition_key);
    if (!claim) return false;
    const rows = await prepared<ExternalRow>(
      m,
      'insert_external_task_handed',
      // The lock counts from the INSERT, as a fetch's counts from its UPDATE.
      `INSERT INTO external_tasks (instance_id, wait_id, activity_id, topic, definition_key, business_key, priority, worker_id, lock_expires_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8, clock_timestamp() + make_interval(secs => $9::double precision / 1000))
       ON CONFLICT (instance_id, wait_id) DO NOTHING RETURNING *`,
      [...externalTaskRow(instance, wait), claim.workerId, claim.lockDuration],
    );
    if (rows[0])
      claim.hold(rows[0], { variables: instance.variables, variableTypes: instance.variable_types, definitionId: instance.definition_id });
    else claim.drop();
    return true;
  }

  /** Diagrams name units by code (`MLR-XXB`) or pass ids in variables; rows hold ids. */
  async unitIds(m: EntityManager, refs: string[], activityId: string): Promise<string[]> {
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
}

/** The first seven values of an external task's INSERT (both paths: with its NOTIFY, or handed over locked). */
function externalTaskRow(instance: InstanceRow, wait: Extract<Wait, { kind: 'externalTask' }>): unknown[] {
  return [instance.id, wait.waitId, wait.activityId, wait.topic, instance.definition_key, instance.business_key, wait.priority ?? 0];
}
