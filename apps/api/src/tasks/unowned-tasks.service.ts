import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ROLE_LABELS, ROLES, type Role } from '@zhengwu/contracts';
import { DataSource } from 'typeorm';
import { ENGINE_PORT, type EnginePort } from '../engine/engine.port';
import type { Principal } from '../identity/principal';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { dutyConflict, dutyError, type RuleTask } from './task-rules';
import type { AssignTaskDto, ListUnownedTasksQuery } from './unowned-tasks.dto';
import { TasksService } from './tasks.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Nobody active can act on the open task `t`: its assignee is no active user, or, unassigned, neither a named
 * candidate is nor anyone holds one of its roles in the unit it is offered to (the inbox's rule, offeredByRole).
 * Diagrams written elsewhere name people and groups the platform does not have (`demo`, `management`).
 */
const NOBODY_CAN_ACT = `(CASE WHEN t.assignee IS NOT NULL
    THEN NOT EXISTS (SELECT 1 FROM users u WHERE u.id::text = t.assignee AND u.is_active)
    ELSE NOT EXISTS (SELECT 1 FROM users u WHERE u.id::text = ANY(t.candidate_users) AND u.is_active)
     AND NOT EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id
                      WHERE r.role = ANY(t.candidate_groups) AND u.is_active
                        AND CASE WHEN cardinality(t.candidate_units) > 0 THEN u.unit_id = ANY(t.candidate_units)
                                 ELSE u.unit_id = t.owner_unit_id END)
  END)`;

/** Open steps of running cases nobody can act on; `i` is the case (the engine's read model, ADR 0005). */
const UNOWNED = `FROM tasks t JOIN cases i ON i.id = t.instance_id
  WHERE t.status = 'open' AND i.status = 'running' AND ${NOBODY_CAN_ACT}`;

/** One step nobody can act on, as the administrators see it. */
export interface UnownedRow {
  id: string;
  name: string;
  activityId: string;
  instanceId: string;
  processKey: string;
  processName: string | null;
  title: string | null;
  businessKey: string | null;
  createdAt: string;
  dueAt: string | null;
  assignee: string | null;
  assigneeName: string | null;
  candidateUsers: string[];
  candidateNames: string[];
  candidateGroups: string[];
  unitName: string | null;
}

/**
 * 无人办理的任务: steps whose assignee or candidates resolve to nobody who can act, and the system administrator's
 * 指派 of one of them to a real person, recorded like every task action.
 */
@Injectable()
export class UnownedTasksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
  ) {}

  async list(query: ListUnownedTasksQuery): Promise<{ items: (UnownedRow & { reason: string })[]; total: number }> {
    const [items, total] = await Promise.all([
      this.dataSource.query(
        `SELECT t.id, t.name, t.activity_id AS "activityId", t.instance_id AS "instanceId", t.definition_key AS "processKey",
                i.process_name AS "processName", i.variables->>'title' AS title, t.business_key AS "businessKey",
                t.created_at AS "createdAt", t.due_at AS "dueAt", t.assignee,
                (SELECT a.display_name FROM users a WHERE a.id::text = t.assignee) AS "assigneeName",
                t.candidate_users AS "candidateUsers", t.candidate_groups AS "candidateGroups",
                -- A candidate who left is named, one the platform never had is shown as written.
                ARRAY(SELECT COALESCE(u.display_name, c.name) FROM unnest(t.candidate_users) WITH ORDINALITY AS c(name, n)
                       LEFT JOIN users u ON u.id::text = c.name ORDER BY c.n) AS "candidateNames",
                (SELECT un.name FROM units un WHERE un.id = COALESCE(t.candidate_units[1], t.owner_unit_id)) AS "unitName"
           ${UNOWNED} ORDER BY t.created_at, t.id LIMIT $1 OFFSET $2`,
        [query.limit, query.offset],
      ) as Promise<UnownedRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS n ${UNOWNED}`) as Promise<{ n: number }[]>,
    ]);
    return { items: items.map((row) => ({ ...row, reason: whyNobody(row) })), total: total[0].n };
  }

  /** 指派: the task goes to the named person (user name or id) as its assignee; refused when someone can act on it. */
  async assign(me: Principal, id: string, dto: AssignTaskDto): Promise<{ ok: true; assignee: { id: string; displayName: string } }> {
    if (!UUID.test(id)) throw new NotFoundError('任务');
    const wanted = dto.assignee.trim();
    return this.dataSource.transaction(async (m) => {
      const found: { instance_id: string }[] = await m.query('SELECT instance_id FROM tasks WHERE id = $1', [id]);
      if (!found[0]) throw new NotFoundError('任务');
      // Queue behind any other command on the case, as every task action does.
      await this.engine.lockInstance(found[0].instance_id, m);
      const rows: (RuleTask & {
        definition_id: string;
        activity_id: string;
        definition_key: string;
        status: string;
        instance_status: string;
        unowned: boolean;
      })[] = await m.query(
        `SELECT t.id, t.instance_id, i.definition_id, t.activity_id, t.name, t.definition_key, t.owner_unit_id, t.candidate_groups,
                t.candidate_units, t.status, i.status AS instance_status, ${NOBODY_CAN_ACT} AS unowned
           FROM tasks t JOIN cases i ON i.id = t.instance_id WHERE t.id = $1`,
        [id],
      );
      const task = rows[0];
      if (task.status !== 'open' || task.instance_status !== 'running')
        throw new ConflictError(
          task.status === 'completed' ? 'TASK_ALREADY_COMPLETED' : 'TASK_NOT_WAITING',
          task.status === 'completed' ? '该任务已办理完毕，请刷新列表' : '该任务已不在当前环节（流程已流转或已结束），请刷新列表',
        );
      if (!task.unowned)
        throw new ConflictError('TASK_NOT_UNOWNED', '该任务已有可以办理的人员，不需要指派；如需改由他人办理，请办理人转办');
      const people: { id: string; username: string; display_name: string }[] = await m.query(
        `SELECT id::text AS id, username, display_name FROM users WHERE ${UUID.test(wanted) ? 'id = $1::uuid' : 'username = $1'} AND is_active`,
        [wanted],
      );
      const target = people[0];
      if (!target)
        throw new AppError(
          'ASSIGNEE_UNKNOWN',
          `“${wanted}”不是本平台的在职用户（按用户名或人员编号查找），不能指派`,
          HttpStatus.BAD_REQUEST,
          [{ field: 'assignee', message: '用户不存在或已停用' }],
        );
      const model = await this.engine.taskModel(task.definition_id, task.activity_id);
      const conflict = await dutyConflict(m, task, model, [target.id]);
      if (conflict) throw dutyError(task, conflict, 'target', target.display_name);
      await m.query(`UPDATE tasks SET assignee = $2, owner = NULL, delegation_state = NULL, claimed_at = NULL WHERE id = $1`, [
        id,
        target.id,
      ]);
      await m.query(`INSERT INTO outbox (topic, payload) VALUES ('task.assigned', $1)`, [
        JSON.stringify({ taskId: id, instanceId: task.instance_id, to: target.id, by: me.userId, name: task.name }),
      ]);
      await this.tasks.recordAction(m, { task, action: 'assign', user: me, target: target.id, comment: dto.comment?.trim() || null });
      return { ok: true as const, assignee: { id: target.id, displayName: target.display_name } };
    });
  }
}

/** Why a task reaches nobody, in words an administrator can act on. */
export function whyNobody(row: Pick<UnownedRow, 'assignee' | 'assigneeName' | 'candidateNames' | 'candidateGroups' | 'unitName'>): string {
  if (row.assignee) return row.assigneeName ? `办理人${row.assigneeName}已停用` : `办理人“${row.assignee}”不是本平台的用户`;
  const reasons: string[] = [];
  if (row.candidateNames.length > 0) reasons.push(`候选人${row.candidateNames.map((u) => `“${u}”`).join('、')}都不是本平台的在职用户`);
  const isRole = (g: string): g is Role => (ROLES as readonly string[]).includes(g);
  const unknown = row.candidateGroups.filter((g) => !isRole(g));
  const known = row.candidateGroups.filter(isRole);
  if (unknown.length > 0) reasons.push(`候选组${unknown.map((g) => `“${g}”`).join('、')}不是本平台的角色`);
  if (known.length > 0)
    reasons.push(`${row.unitName ?? '（未指定办理单位）'}没有${known.map((g) => `“${ROLE_LABELS[g]}”`).join('、')}角色的在职人员`);
  return reasons.length > 0 ? reasons.join('；') : '未指定办理人、候选人或候选组';
}
