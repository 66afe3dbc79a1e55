import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ROLE_LABELS, type Role } from '@zhengwu/contracts';
import { ENGINE_PORT, type EnginePort, type LockedCase } from '../engine/engine.port';
import { isVisible } from '../identity/data-scope';
import type { Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { AuditService, type AuditEvent } from '../audit/audit.service';
import { SubstitutesService, type Person } from './substitutes.service';
import { DECIDING, acceptVariables, assertCanHold, assertCanReceiveCopy, dutyConflict, dutyError, offeredByRole } from './task-rules';
import type { BatchActionDto, ListTasksQuery, SignerPosition, TaskAction, TaskActionDto, TaskView } from './tasks.dto';
import { prepared } from '../platform/prepared';

interface TaskRow {
  id: string;
  instance_id: string;
  definition_id: string;
  activity_id: string;
  name: string;
  definition_key: string;
  business_key: string | null;
  owner_unit_id: string | null;
  unit_path: string | null;
  assignee: string | null;
  owner: string | null;
  delegation_state: string | null;
  candidate_users: string[];
  candidate_groups: string[];
  candidate_units: string[];
  status: string;
  created_by: string | null;
  claimed_at: Date | null;
  started_by: string | null;
  instance_status: string;
  /** 加签 in progress: the task sits with the added signers of this phase while `owner` (the holder) waits. */
  signing: SignerPosition | null;
  held_variables: Record<string, unknown> | null;
  /** Some 加签 signer of this task has yet to act (the signer statements are skipped when none has). */
  signers_pending: boolean;
}

export interface TaskSummary {
  id: string;
  name: string;
  instanceId: string;
  processKey: string;
  processName: string | null;
  title: string | null;
  urgency: string | null;
  businessKey: string | null;
  assignee: string | null;
  status: string;
  createdAt: string;
  dueAt: string | null;
  isOverdue: boolean;
  completedAt: string | null;
  outcome: string | null;
  readAt?: string | null;
}

/** Columns every view shows; `t` is the task, `i` its case (the port's read model, ADR 0005). */
const SUMMARY = `t.id, t.name, t.instance_id AS "instanceId", t.definition_key AS "processKey", i.process_name AS "processName",
  i.variables->>'title' AS title, i.variables->>'urgency' AS urgency, t.business_key AS "businessKey", t.assignee, t.status,
  t.created_at AS "createdAt", t.due_at AS "dueAt", (t.status = 'open' AND t.due_at < now()) AS "isOverdue",
  t.completed_at AS "completedAt", t.outcome`;

/**
 * Tasks that are a person's own: assigned to them, or offered to them by name, or to their role in the task's unit (its
 * candidate units, else the case's unit). Four arms, each on an inbox index of its own (assignee btree, candidate_users
 * gin, candidate_units gin, owner unit btree), which PostgreSQL ORs as bitmaps; `x = ANY(column)` is not indexable
 * (`column @> ARRAY[x]` is), and a role alone matches every open group task of that role in the country.
 */
const MINE = `(t.assignee = $1
  OR (t.assignee IS NULL AND t.candidate_users @> ARRAY[$1::text])
  OR (t.assignee IS NULL AND t.candidate_groups && $2::text[] AND t.candidate_units @> ARRAY[$3::uuid])
  OR (t.assignee IS NULL AND t.candidate_groups && $2::text[] AND cardinality(t.candidate_units) = 0 AND t.owner_unit_id = $3::uuid))`;

/**
 * A person's open tasks; with `$4` (the people they stand in for today, 代理) also those assigned or offered by name
 * to them. Both arms stay on the inbox indexes (assignee btree, candidate_users gin).
 */
const todo = (withSubstitutes: boolean) =>
  `t.status = 'open' AND (${MINE}${withSubstitutes ? ` OR t.assignee = ANY($4::text[]) OR (t.assignee IS NULL AND t.candidate_users && $4::text[])` : ''})`;

/** For the todo view: on whose behalf the row is in my inbox (null when it is my own). */
const onBehalfOf = (withSubstitutes: boolean) =>
  withSubstitutes
    ? `, CASE WHEN ${MINE} THEN NULL ELSE (SELECT json_build_object('userId', su.id, 'displayName', su.display_name) FROM users su
         WHERE su.id::text = ANY($4::text[]) AND (su.id::text = t.assignee OR (t.assignee IS NULL AND su.id::text = ANY(t.candidate_users)))
         ORDER BY su.display_name LIMIT 1) END AS "onBehalfOf"`
    : `, NULL::json AS "onBehalfOf"`;

const NEGATIVE: TaskAction[] = ['return', 'reject'];

/**
 * The inbox and the approver's operations over the engine's task rows. Every operation is one
 * transaction that also writes who, when, from which unit and with what opinion.
 */
@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly enginePort: EnginePort,
    private readonly substitutes: SubstitutesService,
    private readonly audit: AuditService,
  ) {}

  async list(me: Principal, query: ListTasksQuery) {
    const absent = (await this.substitutes.absentFor(me.userId)).map((p) => p.userId);
    const withSubstitutes = query.view === 'todo' && absent.length > 0;
    // Only the todo view matches on roles, unit and the people I stand in for.
    const params: unknown[] = query.view === 'todo' ? [me.userId, me.roles, me.unitId] : [me.userId];
    if (withSubstitutes) params.push(absent);
    const where: string[] = [query.view === 'todo' ? todo(withSubstitutes) : this.viewCondition(query.view)];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.process) add('t.definition_key = ?', query.process);
    if (query.urgency) add(`i.variables->>'urgency' = ?`, query.urgency);
    if (query.overdue === 'true') where.push(`t.status = 'open' AND t.due_at < now()`);
    if (query.overdue === 'false') where.push(`(t.due_at IS NULL OR t.due_at >= now() OR t.status <> 'open')`);
    if (query.q)
      add(
        `(t.name ILIKE ? ESCAPE '\\' OR i.variables->>'title' ILIKE $${params.length + 1} ESCAPE '\\' OR t.business_key ILIKE $${params.length + 1} ESCAPE '\\')`,
        `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      );
    if (query.from) add('t.created_at >= ?', query.from);
    if (query.to) add('t.created_at < ?', query.to);
    const order = {
      created: 't.created_at DESC',
      due: 't.due_at ASC NULLS LAST, t.created_at DESC',
      priority: 't.priority DESC, t.created_at DESC',
    }[query.sort];
    const from = this.viewFrom(query.view);
    const extra = query.view === 'cc' ? ', c.read_at AS "readAt"' : query.view === 'todo' ? onBehalfOf(withSubstitutes) : '';
    const sql = `SELECT ${SUMMARY}${extra} ${from} WHERE ${where.join(' AND ')}`;
    // Unfiltered, the todo, done and started totals are the badge counts (same condition); cc's badge counts only the unread.
    const badgeIsTotal = where.length === 1 && query.view !== 'cc';
    const [items, total, counts] = await Promise.all([
      this.dataSource.query(`${sql} ORDER BY ${order} LIMIT ${query.limit} OFFSET ${query.offset}`, params) as Promise<TaskSummary[]>,
      badgeIsTotal
        ? undefined
        : (this.dataSource.query(`SELECT count(*)::int AS n ${from} WHERE ${where.join(' AND ')}`, params) as Promise<{ n: number }[]>),
      this.counts(me, absent),
    ]);
    return { items, total: total ? total[0].n : counts[query.view as 'todo' | 'done' | 'started'], counts };
  }

  private viewFrom(view: TaskView): string {
    const base = `FROM tasks t JOIN cases i ON i.id = t.instance_id`;
    return view === 'cc' ? `FROM task_copies c JOIN tasks t ON t.id = c.task_id JOIN cases i ON i.id = t.instance_id` : base;
  }

  private viewCondition(view: TaskView): string {
    switch (view) {
      case 'todo':
        return todo(false);
      case 'done':
        return `t.completed_by = $1::uuid`;
      case 'started':
        // The current step of each case I started (its open tasks), newest first.
        return `i.started_by = $1::uuid AND t.status = 'open'`;
      case 'cc':
        return `c.user_id = $1::uuid`;
    }
  }

  private async counts(me: Principal, absent: string[]): Promise<{ todo: number; done: number; started: number; cc: number }> {
    const rows: { todo: number; done: number; started: number; cc: number }[] = await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM tasks t WHERE ${todo(absent.length > 0)}) AS todo,
              (SELECT count(*)::int FROM tasks t WHERE t.completed_by = $1::uuid) AS done,
              (SELECT count(*)::int FROM tasks t JOIN cases i ON i.id = t.instance_id WHERE i.started_by = $1::uuid AND t.status = 'open') AS started,
              (SELECT count(*)::int FROM task_copies c WHERE c.user_id = $1::uuid AND c.read_at IS NULL) AS cc`,
      absent.length > 0 ? [me.userId, me.roles, me.unitId, absent] : [me.userId, me.roles, me.unitId],
    );
    return rows[0];
  }

  async get(me: Principal, id: string) {
    const task = await this.load(this.dataSource.manager, id);
    const { actor, behalf } = await this.actorFor(me, task);
    if (!behalf && !this.maySee(me, task) && !(await this.isInvolved(me, task))) throw new NotFoundError('任务');
    await this.dataSource.query(`UPDATE task_copies SET read_at = now() WHERE task_id = $1 AND user_id = $2 AND read_at IS NULL`, [
      id,
      me.userId,
    ]);
    const [summary]: TaskSummary[] = await this.dataSource.query(`SELECT ${SUMMARY} ${this.viewFrom('todo')} WHERE t.id = $1`, [id]);
    const instance = await this.enginePort.getInstance(task.instance_id);
    const actions = await this.dataSource.query(
      `SELECT a.action, a.comment, a.target, a.at, a.user_id AS "userId", u.display_name AS "userName", un.name AS "unitName", t.name AS "taskName",
              a.on_behalf_of AS "onBehalfOf", ob.display_name AS "onBehalfOfName"
         FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN tasks t ON t.id = a.task_id
         LEFT JOIN users ob ON ob.id = a.on_behalf_of
        WHERE a.instance_id = $1 ORDER BY a.id`,
      [task.instance_id],
    );
    const model = await this.enginePort.taskModel(task.definition_id, task.activity_id);
    let allowedActions = await this.allowedActions(actor, task);
    // Separation of duties: the page says why this person cannot decide the step instead of offering 同意.
    const conflict = allowedActions.some((a) => DECIDING.includes(a))
      ? await dutyConflict(this.dataSource.manager, task, model, [me.userId, actor.userId])
      : null;
    const separationOfDuties = conflict ? dutyError(task, conflict, 'self').message : null;
    if (conflict) allowedActions = allowedActions.filter((a) => !DECIDING.includes(a));
    const [names]: { assigneeName: string | null }[] = await this.dataSource.query(
      `SELECT (SELECT display_name FROM users WHERE id::text = $1) AS "assigneeName"`,
      [task.assignee],
    );
    return {
      ...summary,
      activityId: task.activity_id,
      assigneeName: names.assigneeName,
      form: instance?.variables ?? {},
      formKey: (await this.dataSource.query('SELECT form_key FROM tasks WHERE id = $1', [id]))[0].form_key as string | null,
      delegationState: task.delegation_state,
      // An added signer's 退回 goes back to the holder, not to an earlier step.
      returnTargets: task.signing && task.assignee === actor.userId ? [] : model.returnTargets,
      allowedActions,
      separationOfDuties,
      // The step's contract: the only variables its holder may supply (the page's form is built from it).
      fields: model.fields ?? [],
      onBehalfOf: behalf,
      assigneeSubstitutes: task.status === 'open' && task.assignee ? await this.substitutes.substitutesOf(task.assignee) : [],
      signing: task.signing,
      signers: await this.signers(task.id),
      history: actions,
      activities: instance?.activities ?? [],
    };
  }

  /**
   * The case's diagram for the bpmn-js viewer: the XML of the version it runs on, how often each activity ran and
   * runs now, who holds each open step and what timers, messages and signals it waits for. Visible to whoever may
   * open the task.
   */
  async diagram(me: Principal, id: string) {
    const task = await this.load(this.dataSource.manager, id);
    const { behalf } = await this.actorFor(me, task);
    if (!behalf && !this.maySee(me, task) && !(await this.isInvolved(me, task))) throw new NotFoundError('任务');
    const xml = await this.enginePort.definitionXml(task.definition_id);
    if (xml === undefined) throw new NotFoundError('流程图');
    const instance = await this.enginePort.getInstance(task.instance_id);
    const open: {
      activityId: string;
      assigneeName: string | null;
      candidateNames: string[] | null;
      candidateGroups: string[];
      unitName: string | null;
    }[] = await this.dataSource.query(
      `SELECT t.activity_id AS "activityId", a.display_name AS "assigneeName",
              (SELECT array_agg(c.display_name ORDER BY c.display_name) FROM users c WHERE c.id::text = ANY(t.candidate_users)) AS "candidateNames",
              t.candidate_groups AS "candidateGroups", un.name AS "unitName"
         FROM tasks t LEFT JOIN users a ON a.id::text = t.assignee
         -- The unit it is offered to (e.g. the province for 省级审批), else the case's unit.
         LEFT JOIN units un ON un.id = COALESCE(t.candidate_units[1], t.owner_unit_id)
        WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at`,
      [task.instance_id],
    );
    return {
      xml,
      activities: instance?.activities ?? [],
      holders: open.map((row) => ({ activityId: row.activityId, name: holderName(row) })),
      // Timers with their due time, messages and signals: a case that waits shows what for.
      waits: instance?.status === 'running' ? await this.enginePort.waits(task.instance_id) : [],
    };
  }

  async act(me: Principal, id: string, dto: TaskActionDto): Promise<{ ok: true }> {
    if (NEGATIVE.includes(dto.action) && !dto.comment?.trim()) {
      throw new AppError(
        'COMMENT_REQUIRED',
        dto.action === 'return' ? '退回须填写意见，说明需要修改之处' : '驳回须填写意见，说明理由',
        HttpStatus.BAD_REQUEST,
        [{ field: 'comment', message: '必填' }],
      );
    }
    // Not a task id at all (PostgreSQL would refuse it as a uuid): the same answer as an unknown one.
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('任务');
    await this.dataSource.transaction(async (m) => {
      // Queue behind any other command on this case: the second of two 同意 finds the task closed.
      const locked = await this.enginePort.lockCaseOfTask(id, m);
      if (!locked) throw new NotFoundError('任务');
      const task = await this.load(m, id);
      const { actor, behalf } = await this.actorFor(me, task, m);
      if (!behalf && !this.maySee(me, task) && !(await this.isInvolved(me, task, m))) throw new NotFoundError('任务');
      if (task.status !== 'open') {
        throw new ConflictError(
          task.status === 'completed' ? 'TASK_ALREADY_COMPLETED' : 'TASK_NOT_WAITING',
          task.status === 'completed' ? '该任务已办理完毕，请刷新待办列表' : '该任务已不在当前环节（流程已流转或被撤回），请刷新',
        );
      }
      if (!(await this.allowedActions(actor, task, m, dto.action)).includes(dto.action)) {
        throw new AppError('ACTION_NOT_ALLOWED', `当前不能对该任务执行“${ACTION_LABELS[dto.action]}”`, HttpStatus.FORBIDDEN, {
          allowedActions: await this.allowedActions(actor, task, m),
        });
      }
      const model = await this.enginePort.taskModel(task.definition_id, task.activity_id);
      const isAddedSigner = task.signing !== null && task.assignee === actor.userId;
      // What the body may change: only the step's declared fields, checked before anything is written.
      const accepted = acceptVariables(dto.action, model, dto.variables, { actor: me, isAddedSigner });
      if (DECIDING.includes(dto.action)) {
        const conflict = await dutyConflict(m, task, model, [me.userId, actor.userId]);
        if (conflict) throw dutyError(task, conflict, 'self');
      }
      // The chain's rows are appended last: its lock serialises every append, so it is held as briefly as possible.
      const audits: AuditEvent[] = [];
      await this.perform(
        m,
        { me, actor, behalf: behalf?.userId ?? null },
        task,
        { ...dto, variables: accepted.values },
        { byAdministrator: accepted.byAdministrator, audits, locked },
      );
      // A task that left the holder (completed, returned, transferred) takes its unfinished 加签 chain with it. Only
      // 加签 adds signers, so a task without pending ones at the start has none to cancel now.
      if (task.signers_pending) {
        const after: { status: string; assignee: string | null }[] = await m.query(`SELECT status, assignee FROM tasks WHERE id = $1`, [
          id,
        ]);
        if (after[0].status !== 'open' || (dto.action === 'transfer' && after[0].assignee !== actor.userId))
          await m.query(`UPDATE task_signers SET status = 'cancelled', acted_at = now() WHERE task_id = $1 AND status = 'pending'`, [id]);
      }
      for (const event of audits) await this.audit.record(event, m);
    });
    return { ok: true };
  }

  /** 批量同意: each task in its own transaction with the checks of a single 同意, so one failure leaves the others done. */
  async batch(me: Principal, dto: BatchActionDto) {
    const results: { taskId: string; ok: boolean; code?: string; message?: string }[] = [];
    for (const taskId of [...new Set(dto.taskIds)]) {
      try {
        await this.act(me, taskId, { action: dto.action, comment: dto.comment });
        results.push({ taskId, ok: true });
      } catch (error) {
        if (error instanceof AppError) {
          results.push({ taskId, ok: false, code: error.code, message: error.message });
        } else {
          this.logger.error({ err: error, taskId }, 'batch approve failed');
          results.push({ taskId, ok: false, code: 'INTERNAL_ERROR', message: '办理失败，请稍后重试' });
        }
      }
    }
    const succeeded = results.filter((r) => r.ok).length;
    return { results, succeeded, failed: results.length - succeeded };
  }

  /**
   * `me` is who acts; `actor` is whose place they act in (themselves, or the absent person they stand in for, 代理);
   * `behalf` is that absent person, recorded with every action.
   */
  private async perform(
    m: EntityManager,
    who: { me: Principal; actor: Principal; behalf: string | null },
    task: TaskRow,
    dto: TaskActionDto,
    { byAdministrator, audits, locked }: { byAdministrator: boolean; audits: AuditEvent[]; locked?: LockedCase },
  ): Promise<void> {
    const { me, actor } = who;
    const record = (action: string, target?: string | null) =>
      this.recordAction(
        m,
        {
          task,
          action,
          user: me,
          onBehalfOf: who.behalf,
          comment: dto.comment ?? null,
          target: target ?? null,
          variables: dto.variables ?? {},
          byAdministrator,
        },
        audits,
      );
    const isSigner = task.signing !== null && task.assignee === actor.userId;
    const complete = async (outcome: string, variables: Record<string, unknown> = {}) => {
      await this.enginePort.completeTask(
        task.id,
        {
          userId: me.userId,
          outcome,
          comment: dto.comment,
          variables: { ...(dto.variables ?? {}), ...variables },
          locked,
          // A group task is claimed by whoever completes it, in the completion's own statement.
          claimBy: task.assignee === null ? actor.userId : undefined,
        },
        m,
      );
    };
    switch (dto.action) {
      case 'approve': {
        if (isSigner) {
          await this.markSigner(m, task, actor.userId, 'signed', dto.comment);
          await record('sign');
          return this.advance(m, task, me, dto.comment);
        }
        await record('approve');
        const next = task.signers_pending ? await this.nextSigner(m, task.id, 'after') : null;
        if (!next) return complete('approve');
        // 后加签: my 同意 stands, the added signers sign in turn and the last one completes the step.
        await m.query(`UPDATE tasks SET signing = 'after', owner = $2, assignee = $3, held_variables = $4 WHERE id = $1`, [
          task.id,
          actor.userId,
          next,
          JSON.stringify(dto.variables ?? {}),
        ]);
        return this.notify(m, 'task.sign-requested', task, next, me);
      }
      case 'reject': {
        if (isSigner) return this.signerDisagrees(m, task, actor.userId, 'disagreed', record, me, dto.comment);
        await record('reject');
        const model = await this.enginePort.taskModel(task.definition_id, task.activity_id);
        if (model.outcomes.includes('reject')) return complete('reject');
        // The diagram has no reject route: the case ends here as rejected.
        return this.enginePort.rejectTask(task.id, { userId: me.userId, comment: dto.comment }, m);
      }
      case 'return': {
        if (isSigner) return this.signerDisagrees(m, task, actor.userId, 'returned', record, me, dto.comment);
        const target = await this.returnTarget(task, dto.target);
        await record('return', target);
        return complete('return', { returnTo: target });
      }
      case 'withdraw': {
        const target = await this.withdrawTarget(m, me, task);
        await record('withdraw', target);
        return complete('return', { returnTo: target });
      }
      case 'claim': {
        // TypeORM answers an UPDATE with [rows, rowCount].
        const [, claimed]: [unknown[], number] = await m.query(
          `UPDATE tasks SET assignee = $2, claimed_at = now() WHERE id = $1 AND assignee IS NULL RETURNING id`,
          [task.id, actor.userId],
        );
        if (claimed === 0) throw new ConflictError('TASK_ALREADY_CLAIMED', '该任务已被他人认领');
        return void (await record('claim'));
      }
      case 'unclaim':
        await m.query(`UPDATE tasks SET assignee = NULL, claimed_at = NULL WHERE id = $1`, [task.id]);
        return void (await record('unclaim'));
      case 'transfer': {
        const target = await this.handOverTarget(m, task, dto.target, '转办');
        await m.query(`UPDATE tasks SET assignee = $2, owner = NULL, delegation_state = NULL WHERE id = $1`, [task.id, target]);
        await this.notify(m, 'task.transferred', task, target, me);
        return void (await record('transfer', target));
      }
      case 'delegate': {
        const target = await this.handOverTarget(m, task, dto.target, '委派');
        if (target === actor.userId || target === me.userId)
          throw new AppError('VALIDATION_FAILED', '不能委派给自己', HttpStatus.BAD_REQUEST, [{ field: 'target', message: '不能是自己' }]);
        await m.query(`UPDATE tasks SET owner = $2, assignee = $3, delegation_state = 'pending' WHERE id = $1`, [
          task.id,
          actor.userId,
          target,
        ]);
        await this.notify(m, 'task.delegated', task, target, me);
        return void (await record('delegate', target));
      }
      case 'resolve':
        await m.query(`UPDATE tasks SET assignee = owner, delegation_state = 'resolved' WHERE id = $1`, [task.id]);
        await this.notify(m, 'task.resolved', task, task.owner!, me);
        return void (await record('resolve', task.owner));
      case 'cc': {
        const targets = [...new Set(dto.targets ?? [])];
        if (targets.length === 0)
          throw new AppError('VALIDATION_FAILED', '请选择抄送人员', HttpStatus.BAD_REQUEST, [{ field: 'targets', message: '至少一人' }]);
        const known: { id: string }[] = await m.query(`SELECT id FROM users WHERE id = ANY($1::uuid[]) AND is_active`, [targets]);
        if (known.length !== targets.length)
          throw new AppError('VALIDATION_FAILED', '抄送人员中有不存在或已停用的账号', HttpStatus.BAD_REQUEST, [
            { field: 'targets', message: '人员不存在' },
          ]);
        await assertCanReceiveCopy(m, task, targets);
        await m.query(
          `INSERT INTO task_copies (instance_id, task_id, user_id, from_user_id) SELECT $1, $2, u, $3 FROM unnest($4::uuid[]) u ON CONFLICT (instance_id, user_id, task_id) DO NOTHING`,
          [task.instance_id, task.id, me.userId, targets],
        );
        return void (await record('cc', targets.join(',')));
      }
      case 'urge':
        await m.query(`UPDATE tasks SET urged_at = now(), urge_count = urge_count + 1 WHERE id = $1`, [task.id]);
        await this.notify(m, 'task.urged', task, task.assignee, me);
        return void (await record('urge'));
      case 'add-signer':
        return this.addSigners(m, who, task, dto, record);
      case 'remove-signer':
        return this.removeSigners(m, who, task, dto, record);
    }
  }

  /**
   * 加签. Before: the added people handle the task first, one after another, while I wait as its owner; it comes back
   * to me after the last one signs. After: they sign in turn once I approve, and the last signature completes the step.
   */
  private async addSigners(
    m: EntityManager,
    { me, actor }: { me: Principal; actor: Principal },
    task: TaskRow,
    dto: TaskActionDto,
    record: (action: string, target?: string | null) => Promise<unknown>,
  ): Promise<void> {
    const invalid = (field: string, message: string) =>
      new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field, message }]);
    if (!dto.position) throw invalid('position', '请选择加签位置：before（前加签）或 after（后加签）');
    const targets = [...new Set(dto.targets ?? [])];
    if (targets.length === 0) throw invalid('targets', '请选择加签人员');
    if (targets.includes(actor.userId) || targets.includes(me.userId)) throw invalid('targets', '不能为自己加签');
    const known: { id: string }[] = await m.query(`SELECT id FROM users WHERE id = ANY($1::uuid[]) AND is_active`, [targets]);
    if (known.length !== targets.length) throw invalid('targets', '加签人员中有不存在或已停用的账号');
    for (const target of targets) await this.handOverTarget(m, task, target, '加签');
    const already: { name: string }[] = await m.query(
      `SELECT u.display_name AS name FROM task_signers s JOIN users u ON u.id = s.user_id WHERE s.task_id = $1 AND s.status = 'pending' AND s.user_id = ANY($2::uuid[])`,
      [task.id, targets],
    );
    if (already.length > 0) throw invalid('targets', `${already.map((a) => a.name).join('、')}已在加签人员中`);
    // Order is the order given: targets[0] signs first.
    await m.query(
      `INSERT INTO task_signers (task_id, user_id, position, seq, added_by)
       SELECT $1, u.id, $2, coalesce((SELECT max(seq) FROM task_signers WHERE task_id = $1 AND position = $2), 0) + u.n, $3
         FROM unnest($4::uuid[]) WITH ORDINALITY AS u(id, n)`,
      [task.id, dto.position, actor.userId, targets],
    );
    await record('add-signer', `${dto.position}:${targets.join(',')}`);
    if (dto.position === 'after') return;
    const first = await this.nextSigner(m, task.id, 'before');
    await m.query(`UPDATE tasks SET signing = 'before', owner = $2, assignee = $3 WHERE id = $1`, [task.id, actor.userId, first]);
    await this.notify(m, 'task.sign-requested', task, first, me);
  }

  /** 减签: only people I added and who have not acted yet. */
  private async removeSigners(
    m: EntityManager,
    { me, actor }: { me: Principal; actor: Principal },
    task: TaskRow,
    dto: TaskActionDto,
    record: (action: string, target?: string | null) => Promise<unknown>,
  ): Promise<void> {
    const targets = [...new Set(dto.targets ?? [])];
    if (targets.length === 0)
      throw new AppError('VALIDATION_FAILED', '请选择要减签的人员', HttpStatus.BAD_REQUEST, [{ field: 'targets', message: '至少一人' }]);
    const rows: { user_id: string; name: string; status: string; added_by: string; position: SignerPosition }[] = await m.query(
      `SELECT s.user_id, u.display_name AS name, s.status, s.added_by, s.position FROM task_signers s JOIN users u ON u.id = s.user_id
        WHERE s.task_id = $1 AND s.user_id = ANY($2::uuid[]) ORDER BY s.added_at DESC`,
      [task.id, targets],
    );
    for (const target of targets) {
      const chain = rows.filter((r) => r.user_id === target);
      const pending = chain.find((r) => r.status === 'pending');
      if (!pending) {
        const acted = chain.find((r) => ['signed', 'returned', 'disagreed'].includes(r.status));
        if (acted) throw new ConflictError('SIGNER_ALREADY_ACTED', `${acted.name}已经办理，不能减签`);
        throw new AppError('VALIDATION_FAILED', '所选人员不是本任务待办理的加签人', HttpStatus.BAD_REQUEST, [
          { field: 'targets', message: '不是待办理的加签人' },
        ]);
      }
      if (pending.added_by !== actor.userId) throw new ForbiddenError(`${pending.name}不是您加签的，只有加签人本人可以减签`);
    }
    await m.query(
      `UPDATE task_signers SET status = 'removed', acted_at = now() WHERE task_id = $1 AND status = 'pending' AND user_id = ANY($2::uuid[])`,
      [task.id, targets],
    );
    await record('remove-signer', targets.join(','));
    // Removing the one who holds the task now moves it on (to the next signer, back to me, or to completion).
    if (task.signing && task.assignee && targets.includes(task.assignee)) await this.advance(m, task, me, null);
  }

  private async markSigner(m: EntityManager, task: TaskRow, userId: string, status: string, comment?: string): Promise<void> {
    await m.query(
      `UPDATE task_signers SET status = $4, acted_at = now(), comment = $5
        WHERE id = (SELECT id FROM task_signers WHERE task_id = $1 AND user_id = $2 AND position = $3 AND status = 'pending' ORDER BY seq LIMIT 1)`,
      [task.id, userId, task.signing, status, comment ?? null],
    );
  }

  /**
   * An added signer's 退回 (returned) or 不同意 (disagreed): the opinion is recorded, the rest of that phase's chain is
   * cancelled, and the task goes back to the holder, who decides anew (an earlier 同意 of theirs no longer stands).
   */
  private async signerDisagrees(
    m: EntityManager,
    task: TaskRow,
    userId: string,
    status: 'returned' | 'disagreed',
    record: (action: string, target?: string | null) => Promise<unknown>,
    me: Principal,
    comment?: string,
  ): Promise<void> {
    await this.markSigner(m, task, userId, status, comment);
    await m.query(
      `UPDATE task_signers SET status = 'cancelled', acted_at = now() WHERE task_id = $1 AND position = $2 AND status = 'pending'`,
      [task.id, task.signing],
    );
    await m.query(`UPDATE tasks SET assignee = owner, signing = NULL, held_variables = NULL WHERE id = $1`, [task.id]);
    await record(status === 'returned' ? 'sign-return' : 'sign-reject', task.owner);
    await this.notify(m, 'task.sign-returned', task, task.owner, me);
  }

  /** After a signature (or a 减签): the next signer of the phase, else back to the holder (before) or complete (after). */
  private async advance(m: EntityManager, task: TaskRow, me: Principal, comment: string | null | undefined): Promise<void> {
    const phase = task.signing!;
    const next = await this.nextSigner(m, task.id, phase);
    if (next) {
      await m.query(`UPDATE tasks SET assignee = $2 WHERE id = $1`, [task.id, next]);
      return this.notify(m, 'task.sign-requested', task, next, me);
    }
    if (phase === 'before') {
      await m.query(`UPDATE tasks SET assignee = owner, signing = NULL WHERE id = $1`, [task.id]);
      return this.notify(m, 'task.sign-completed', task, task.owner, me);
    }
    await m.query(`UPDATE tasks SET signing = NULL WHERE id = $1`, [task.id]);
    await this.enginePort.completeTask(
      task.id,
      { userId: me.userId, outcome: 'approve', comment: comment ?? undefined, variables: task.held_variables ?? {} },
      m,
    );
  }

  private async nextSigner(m: EntityManager, taskId: string, position: SignerPosition): Promise<string | null> {
    const rows: { user_id: string }[] = await m.query(
      `SELECT user_id FROM task_signers WHERE task_id = $1 AND position = $2 AND status = 'pending' ORDER BY seq LIMIT 1`,
      [taskId, position],
    );
    return rows[0]?.user_id ?? null;
  }

  private signers(taskId: string) {
    return this.dataSource.query(
      `SELECT s.user_id AS "userId", u.display_name AS "displayName", s.position, s.seq, s.status, s.added_by AS "addedBy",
              a.display_name AS "addedByName", s.added_at AS "addedAt", s.acted_at AS "actedAt", s.comment
         FROM task_signers s JOIN users u ON u.id = s.user_id JOIN users a ON a.id = s.added_by
        WHERE s.task_id = $1 ORDER BY s.added_at, s.position DESC, s.seq`,
      [taskId],
    );
  }

  /**
   * Whose place `me` takes on this task: their own, or (代理) that of an absent person it is assigned or offered to by
   * name and whom they stand in for today. Group tasks never pass to a substitute.
   */
  private async actorFor(
    me: Principal,
    task: TaskRow,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ actor: Principal; behalf: Person | null }> {
    const own = { actor: me, behalf: null };
    if (task.status !== 'open') return own;
    if (task.assignee === me.userId || task.owner === me.userId || (task.assignee === null && this.isCandidate(me, task))) return own;
    const people = task.assignee !== null ? [task.assignee] : task.candidate_users;
    if (people.length === 0) return own;
    const absent = (await this.substitutes.absentFor(me.userId, m)).find((p) => people.includes(p.userId));
    if (!absent) return own;
    // Only the person stands in, not their roles: role-based candidacy stays with colleagues.
    return { actor: { ...me, userId: absent.userId, roles: [] }, behalf: absent };
  }

  /**
   * Which operations `me` may use on the task right now. With `wanted`, the checks that need the database are made for
   * that operation only (a 同意 need not find out whether 撤回 would be possible).
   */
  private async allowedActions(
    me: Principal,
    task: TaskRow,
    m: EntityManager = this.dataSource.manager,
    wanted?: TaskAction,
  ): Promise<TaskAction[]> {
    const asked = (action: TaskAction) => wanted === undefined || wanted === action;
    if (task.status !== 'open' || task.instance_status !== 'running') return [];
    const actions: TaskAction[] = [];
    const mine = task.assignee === me.userId;
    const offered = task.assignee === null && this.isCandidate(me, task);
    const removable = async () =>
      asked('remove-signer') &&
      task.signers_pending &&
      (
        (await m.query(`SELECT 1 FROM task_signers WHERE task_id = $1 AND added_by = $2 AND status = 'pending' LIMIT 1`, [
          task.id,
          me.userId,
        ])) as unknown[]
      ).length > 0;
    if (task.signing && mine) {
      // An added signer signs (同意), or sends it back to the holder (退回/不同意); the case's route is not theirs to change.
      return ['approve', 'return', 'reject', 'cc'];
    }
    if (task.signing && task.owner === me.userId) {
      // The holder waits on the signers.
      if (await removable()) actions.push('remove-signer');
      actions.push('urge', 'cc');
      return actions;
    }
    if (mine && task.delegation_state === 'pending') {
      actions.push('resolve', 'cc');
    } else if (mine || offered) {
      const model = await this.enginePort.taskModel(task.definition_id, task.activity_id);
      actions.push('approve');
      if (model.outcomes.includes('return') && model.returnTargets.length > 0) actions.push('return');
      actions.push('reject');
      if (!model.personal) actions.push('transfer', 'delegate');
      if (mine && !model.personal) actions.push('add-signer');
      if (mine && (await removable())) actions.push('remove-signer');
      actions.push('cc');
      if (offered) actions.push('claim');
      if (mine && task.claimed_at && this.isCandidate(me, task)) actions.push('unclaim');
    }
    if (!mine && (task.created_by === me.userId || task.started_by === me.userId)) actions.push('urge');
    if (
      !mine &&
      task.created_by === me.userId &&
      asked('withdraw') &&
      (await this.withdrawTarget(m, me, task).then(
        () => true,
        () => false,
      ))
    )
      actions.push('withdraw');
    return actions;
  }

  private isCandidate(me: Principal, task: TaskRow): boolean {
    return task.candidate_users.includes(me.userId) || offeredByRole(me, task);
  }

  /** Acting on a task, or the case's data scope, makes it visible; anything else answers 404. */
  private maySee(me: Principal, task: TaskRow): boolean {
    if (task.assignee === me.userId || task.owner === me.userId || task.started_by === me.userId || task.created_by === me.userId)
      return true;
    // A candidate who lost the race to claim still sees the task, so they get 409 rather than 404.
    if (this.isCandidate(me, task)) return true;
    return task.unit_path !== null && isVisible(me, { unitPath: task.unit_path });
  }

  private async isInvolved(me: Principal, task: TaskRow, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM task_actions WHERE instance_id = $1 AND user_id = $2 UNION ALL SELECT 1 FROM task_copies WHERE instance_id = $1 AND user_id = $2 LIMIT 1`,
      [task.instance_id, me.userId],
    );
    return rows.length > 0;
  }

  private async returnTarget(task: TaskRow, requested?: string): Promise<string> {
    const model = await this.enginePort.taskModel(task.definition_id, task.activity_id);
    const ids = model.returnTargets.map((t) => t.activityId);
    if (requested === undefined && ids.length === 1) return ids[0];
    if (requested && ids.includes(requested)) return requested;
    throw new AppError(
      'RETURN_TARGET_INVALID',
      `请选择可退回的环节：${model.returnTargets.map((t) => `${t.name}（${t.activityId}）`).join('、') || '无'}`,
      HttpStatus.BAD_REQUEST,
      [{ field: 'target', message: '不是可退回的环节' }],
    );
  }

  /** 撤回: the step I completed, if this task came from it, nobody has touched it yet and the diagram can return there. */
  private async withdrawTarget(m: EntityManager, me: Principal, task: TaskRow): Promise<string> {
    const notYet = new ConflictError('WITHDRAW_NOT_POSSIBLE', '下一环节已经办理或流程不支持撤回，不能撤回');
    if (task.created_by !== me.userId || task.claimed_at) throw notYet;
    // My own 催办 does not count; anything the next person did does.
    const touched: unknown[] = await m.query(`SELECT 1 FROM task_actions WHERE task_id = $1 AND user_id <> $2 LIMIT 1`, [
      task.id,
      me.userId,
    ]);
    if (touched.length > 0) throw notYet;
    const mine: { activity_id: string }[] = await m.query(
      `SELECT activity_id FROM tasks WHERE instance_id = $1 AND completed_by = $2 AND status = 'completed' ORDER BY completed_at DESC LIMIT 1`,
      [task.instance_id, me.userId],
    );
    const model = await this.enginePort.taskModel(task.definition_id, task.activity_id);
    if (!mine[0] || !model.outcomes.includes('return') || !model.returnTargets.some((t) => t.activityId === mine[0].activity_id))
      throw notYet;
    return mine[0].activity_id;
  }

  /** 转办, 委派, 加签: a person who could hold the step (its role, in its unit) and whom separation of duties allows. */
  private async handOverTarget(m: EntityManager, task: TaskRow, id: string | undefined, operation: string): Promise<string> {
    if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      throw new AppError('VALIDATION_FAILED', '请选择办理人（人员编号）', HttpStatus.BAD_REQUEST, [
        { field: 'target', message: '须为人员编号' },
      ]);
    const target = await assertCanHold(m, task, id, operation);
    const model = await this.enginePort.taskModel(task.definition_id, task.activity_id);
    const conflict = await dutyConflict(m, task, model, [target.id]);
    if (conflict) throw dutyError(task, conflict, 'target', target.display_name);
    return target.id;
  }

  /**
   * One task action, on the case's history (task_actions) and in the tamper-evident audit chain in the same
   * transaction: who, on whose behalf, which step, what, with which opinion and accepted variables. Features that
   * complete a step themselves (受理, 提交申请, 修改后重新提交) record it here too.
   */
  async recordAction(
    m: EntityManager,
    entry: {
      task: { id: string; instance_id: string; activity_id: string; name: string; definition_key: string };
      action: string;
      user: Pick<Principal, 'userId' | 'username' | 'unitId'>;
      onBehalfOf?: string | null;
      comment?: string | null;
      target?: string | null;
      variables?: Record<string, unknown>;
      byAdministrator?: boolean;
    },
    /** Collects the audit row for the caller to append at the end of its transaction, instead of now. */
    deferred?: AuditEvent[],
  ): Promise<void> {
    const { task } = entry;
    await prepared(
      m,
      'task_action',
      `INSERT INTO task_actions (task_id, instance_id, action, user_id, unit_id, comment, target, on_behalf_of) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [
        task.id,
        task.instance_id,
        entry.action,
        entry.user.userId,
        entry.user.unitId,
        entry.comment ?? null,
        entry.target ?? null,
        entry.onBehalfOf ?? null,
      ],
    );
    const event: AuditEvent = {
      action: `task.${entry.action}`,
      objectType: 'task',
      objectId: task.id,
      actor: { userId: entry.user.userId, username: entry.user.username, unitId: entry.user.unitId },
      detail: {
        instanceId: task.instance_id,
        process: task.definition_key,
        step: task.activity_id,
        stepName: task.name,
        onBehalfOf: entry.onBehalfOf ?? null,
        opinion: entry.comment ?? null,
        target: entry.target ?? null,
        variables: entry.variables ?? {},
        ...(entry.byAdministrator ? { variablesByAdministrator: true } : {}),
      },
    };
    if (deferred) deferred.push(event);
    else await this.audit.record(event, m);
  }

  /** A step a feature completes itself (受理, 提交申请, 修改后重新提交), recorded like an inbox action. */
  async recordFeatureAction(
    m: EntityManager,
    taskId: string,
    user: Pick<Principal, 'userId' | 'username' | 'unitId'>,
    action: string,
    comment: string | null,
  ): Promise<void> {
    await this.recordAction(m, { task: await this.load(m, taskId), action, user, comment });
  }

  private async notify(m: EntityManager, topic: string, task: TaskRow, to: string | null, me: Principal): Promise<void> {
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [
      topic,
      JSON.stringify({ taskId: task.id, instanceId: task.instance_id, to, by: me.userId, name: task.name }),
    ]);
  }

  private async load(m: EntityManager, id: string): Promise<TaskRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('任务');
    const rows = await prepared<TaskRow>(
      m,
      'task_load',
      `SELECT t.id, t.instance_id, i.definition_id, t.activity_id, t.name, t.definition_key, t.business_key, t.owner_unit_id, u.path AS unit_path,
              t.assignee, t.owner, t.delegation_state, t.candidate_users, t.candidate_groups, t.candidate_units, t.status, t.created_by, t.claimed_at,
              i.started_by, i.status AS instance_status, t.signing, t.held_variables,
              EXISTS (SELECT 1 FROM task_signers s WHERE s.task_id = t.id AND s.status = 'pending') AS signers_pending
         FROM tasks t JOIN cases i ON i.id = t.instance_id LEFT JOIN units u ON u.id = t.owner_unit_id WHERE t.id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError('任务');
    return rows[0];
  }
}

const ACTION_LABELS: Record<TaskAction, string> = {
  approve: '同意',
  return: '退回',
  reject: '驳回',
  transfer: '转办',
  delegate: '委派',
  resolve: '委派办结',
  cc: '抄送',
  withdraw: '撤回',
  urge: '催办',
  claim: '认领',
  unclaim: '释放',
  'add-signer': '加签',
  'remove-signer': '减签',
};

/** Who holds an open step, in words: the assignee, else the people or the unit's role it is offered to (待认领). */
function holderName(row: {
  assigneeName: string | null;
  candidateNames: string[] | null;
  candidateGroups: string[];
  unitName: string | null;
}): string {
  if (row.assigneeName) return row.assigneeName;
  if (row.candidateNames?.length) return `${row.candidateNames.join('、')}（待认领）`;
  const roles = row.candidateGroups.map((g) => ROLE_LABELS[g as Role] ?? g).join('、');
  return `${row.unitName ?? ''}${roles}（待认领）`;
}
