import type { FormField } from '@zhengwu/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { activityStatus, passedOver, type HistoryCounts } from './activity-status';
import type { InstanceRow } from './case-rows';
import type { DefinitionsService } from './definitions.service';
import type { CaseWait, HistoryEntry, InstanceView, TaskModel, Tx } from './engine.port';

/** The engine's answers about cases and definitions that change nothing: the instance view, history, a step's model. */
export class CaseReads {
  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly isFeatureProcess: (definitionKey: string) => boolean,
  ) {}

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

  async waits(instanceId: string): Promise<CaseWait[]> {
    const rows: { activityId: string; kind: CaseWait['kind']; dueAt: Date | null; name: string | null }[] = await this.dataSource.query(
      `SELECT activity_id AS "activityId", 'timer' AS kind, due_at AS "dueAt", NULL AS name
         FROM timers WHERE instance_id = $1 AND status = 'pending'
       UNION ALL
       SELECT activity_id, kind, NULL, message_name FROM message_subscriptions WHERE instance_id = $1
       ORDER BY 3 NULLS LAST, 1`,
      [instanceId],
    );
    return rows.map((r) => ({ ...r, dueAt: r.dueAt ? new Date(r.dueAt).toISOString() : null }));
  }

  async history(instanceId: string): Promise<HistoryEntry[]> {
    return this.dataSource.query(
      `SELECT h.id, h.activity_id AS "activityId", h.activity_name AS "activityName", h.activity_type AS "activityType", h.event, h.at,
              h.user_id AS "userId", u.display_name AS "userName", h.detail
         FROM engine_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.instance_id = $1 ORDER BY h.id`,
      [instanceId],
    );
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

  /**
   * The contract of the plain start event (`camunda:formData`) of the process's latest version, undefined when it
   * declares none, with that version (a start given it as expectedDefinitionId runs that version or none). `fresh`:
   * as committed now, not as this process kept it.
   */
  async startForm(key: string, fresh = false): Promise<{ definitionId: string; form: FormField[] | undefined }> {
    const definition = fresh ? await this.definitions.latest(key) : await this.definitions.latestForStart(key);
    const compiled = await this.definitions.compiledById(definition.id);
    const start = compiled.startEvents.find((e) => e.kind === 'none');
    return { definitionId: definition.id, form: start ? compiled.elements.get(start.id)?.form : undefined };
  }

  /** The variables a worker may set when completing this external task (`outputs`), or undefined when undeclared. */
  async externalOutputs(m: EntityManager, instanceId: string, activityId: string): Promise<string[] | undefined> {
    const rows: { definition_id: string }[] = await m.query('SELECT definition_id FROM process_instances WHERE id = $1', [instanceId]);
    if (!rows[0]) return undefined;
    const compiled = await this.definitions.compiledById(rows[0].definition_id, m);
    return compiled.elements.get(activityId)?.outputs;
  }

  async definitionXml(definitionId: string, tx?: Tx): Promise<string | undefined> {
    const rows: { xml: string }[] = await (tx ?? this.dataSource).query('SELECT xml FROM process_definitions WHERE id = $1', [
      definitionId,
    ]);
    return rows[0]?.xml;
  }

  async hasOpenExternalTask(instanceId: string, topic: string, tx?: Tx): Promise<boolean> {
    const rows: unknown[] = await (tx ?? this.dataSource).query(
      `SELECT 1 FROM external_tasks WHERE instance_id = $1 AND topic = $2 AND status = 'open' LIMIT 1`,
      [instanceId, topic],
    );
    return rows.length > 0;
  }
}
