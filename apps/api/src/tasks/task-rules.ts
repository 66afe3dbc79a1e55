import { HttpStatus } from '@nestjs/common';
import { validateVariables, type FieldError } from '@zhengwu/contracts';
import type { EntityManager } from 'typeorm';
import type { TaskModel } from '../engine/engine.port';
import { AppError } from '../platform/errors';
import type { Principal } from '../identity/principal';
import type { TaskAction } from './tasks.dto';

/**
 * The business rules of one step (DESIGN.md §7): what the body may change (the step's contract), who may decide it
 * (separation of duties), and to whom it may be handed (reach). Pure checks plus the few statements they need; the
 * tasks service calls them before it writes anything.
 */

/** The part of a task row the rules read. */
export interface RuleTask {
  id: string;
  instance_id: string;
  name: string;
  owner_unit_id: string | null;
  candidate_groups: string[];
  candidate_units: string[];
}

/** Operations that decide the step, or take it in hand to decide it: separation of duties applies to them. */
export const DECIDING: readonly TaskAction[] = ['approve', 'return', 'reject', 'claim'];
/** Operations that carry the step's form variables; every other operation carries none. */
const CARRYING: readonly TaskAction[] = ['approve', 'return', 'reject'];

export interface AcceptedVariables {
  values: Record<string, unknown>;
  /** An administrator supplied variables to a step that declares no contract (Camunda's behaviour), on the record. */
  byAdministrator: boolean;
}

/**
 * The variables a request may bring at this step. Declared fields (camunda:formData) are the only ones accepted, by
 * type and bounds; a step that declares none accepts none — except from an administrator on a diagram deployed
 * through the API (never on a feature's process, whose routing the business record sets).
 */
export function acceptVariables(
  action: TaskAction,
  model: TaskModel,
  variables: Record<string, unknown> | undefined,
  who: { actor: Principal; isAddedSigner: boolean },
): AcceptedVariables {
  const given = variables ?? {};
  const names = Object.keys(given);
  if (!CARRYING.includes(action) || who.isAddedSigner) {
    if (names.length === 0) return { values: {}, byAdministrator: false };
    throw refused(
      names.map((n) => ({ field: `variables.${n}`, message: who.isAddedSigner ? '加签人不能填写表单变量' : '该操作不接受表单变量' })),
    );
  }
  if (model.fields === undefined && !model.isFeatureProcess && who.actor.roles.includes('sysadmin')) {
    return { values: { ...given }, byAdministrator: names.length > 0 };
  }
  const checked = validateVariables(model.fields ?? [], given, { enforceRequired: action === 'approve' });
  if (checked.errors.length > 0) throw refused(checked.errors);
  return { values: checked.values, byAdministrator: false };
}

function refused(errors: FieldError[]): AppError {
  const outside = errors.some((e) => /不接受/.test(e.message));
  return new AppError(
    outside ? 'VARIABLE_NOT_ALLOWED' : 'VALIDATION_FAILED',
    outside ? `请求中有该环节不允许填写的字段：${errors.map((e) => e.field).join('、')}` : errors[0].message,
    HttpStatus.BAD_REQUEST,
    errors,
  );
}

/**
 * Separation of duties: the step of the earlier named steps (or the case's start) that one of `people` held, or
 * null. 拟稿 ≠ 核稿 ≠ 签发; 申报人 ≠ 单位领导审批.
 */
export async function dutyConflict(m: EntityManager, task: RuleTask, model: TaskModel, people: string[]): Promise<string | null> {
  if (model.distinctFrom.length === 0) return null;
  const ids = [...new Set(people)];
  if (model.distinctFrom.some((d) => d.activityId === 'initiator')) {
    const started: unknown[] = await m.query(`SELECT 1 FROM cases WHERE id = $1 AND started_by = ANY($2::uuid[])`, [task.instance_id, ids]);
    if (started.length > 0) return '发起（申报）';
  }
  const steps = model.distinctFrom.filter((d) => d.activityId !== 'initiator');
  if (steps.length === 0) return null;
  const held: { activity_id: string }[] = await m.query(
    `SELECT activity_id FROM tasks WHERE instance_id = $1 AND activity_id = ANY($2::text[]) AND status = 'completed' AND completed_by = ANY($3::uuid[]) LIMIT 1`,
    [task.instance_id, steps.map((s) => s.activityId), ids],
  );
  return held[0] ? (steps.find((s) => s.activityId === held[0].activity_id)?.name ?? held[0].activity_id) : null;
}

export function dutyError(task: RuleTask, earlier: string, whose: 'self' | 'target', name?: string): AppError {
  const who = whose === 'self' ? '您' : (name ?? '所选人员');
  return new AppError(
    'SEPARATION_OF_DUTIES',
    `职责分离：${who}已办理本案件的“${earlier}”环节，不能再办理“${task.name}”，请由其他人员办理`,
    HttpStatus.FORBIDDEN,
  );
}

/**
 * The one rule of who a group task is offered to: a person with one of its roles, in one of its candidate units,
 * else in the case's unit. The inbox, 认领 and the hand-over checks all read it.
 */
export function offeredByRole(person: { roles: readonly string[]; unitId: string }, task: RuleTask): boolean {
  if (!task.candidate_groups.some((g) => person.roles.includes(g))) return false;
  return task.candidate_units.length > 0 ? task.candidate_units.includes(person.unitId) : task.owner_unit_id === person.unitId;
}

interface Candidate {
  id: string;
  display_name: string;
  unit_id: string;
  roles: string[] | null;
}

/**
 * 转办, 委派, 加签: the target must be someone who could hold the step — a role it is offered to, in a unit it is
 * offered to (its candidate units, else the case's unit); for steps offered to named people, someone of the case's
 * unit or the units below it. Refused with 403 naming the rule.
 */
export async function assertCanHold(m: EntityManager, task: RuleTask, targetId: string, operation: string): Promise<Candidate> {
  const rows: (Candidate & { in_scope: boolean })[] = await m.query(
    `SELECT u.id, u.display_name, u.unit_id, (SELECT array_agg(r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles,
            EXISTS (SELECT 1 FROM units cu JOIN units tu ON tu.id = u.unit_id WHERE cu.id = $2 AND tu.path LIKE cu.path || '%') AS in_scope
       FROM users u WHERE u.id = $1 AND u.is_active`,
    [targetId, task.owner_unit_id],
  );
  const target = rows[0];
  if (!target)
    throw new AppError('VALIDATION_FAILED', '所选人员不存在或已停用', HttpStatus.BAD_REQUEST, [{ field: 'target', message: '人员不存在' }]);
  const roles = target.roles ?? [];
  if (task.candidate_groups.length > 0) {
    if (!offeredByRole({ roles, unitId: target.unit_id }, task))
      throw reachError(`${operation}对象须为本环节办理单位中具有相应角色的人员，${target.display_name}不能办理“${task.name}”`);
    return target;
  }
  if (task.owner_unit_id && !target.in_scope)
    throw reachError(`${operation}对象须为本案件所属单位（或其下级单位）的人员，${target.display_name}不在其中`);
  return target;
}

/**
 * 抄送: people of the case's own line (its unit, the units above and below it) or of a unit that holds or held a
 * step of the case, or who already took part in it. Anyone else is outside the case's jurisdiction.
 */
export async function assertCanReceiveCopy(m: EntityManager, task: RuleTask, targets: string[]): Promise<void> {
  const outside: { display_name: string }[] = await m.query(
    `WITH c AS (SELECT path FROM units WHERE id = $2),
          organising AS (
            SELECT unnest(candidate_units) AS unit_id FROM tasks WHERE instance_id = $1
            UNION SELECT owner_unit_id FROM tasks WHERE instance_id = $1 AND owner_unit_id IS NOT NULL)
     SELECT u.display_name FROM users u JOIN units tu ON tu.id = u.unit_id
      WHERE u.id = ANY($3::uuid[])
        AND NOT EXISTS (SELECT 1 FROM c WHERE tu.path LIKE c.path || '%' OR c.path LIKE tu.path || '%')
        AND u.unit_id NOT IN (SELECT unit_id FROM organising)
        AND NOT EXISTS (SELECT 1 FROM task_actions a WHERE a.instance_id = $1 AND a.user_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM cases i WHERE i.id = $1 AND i.started_by = u.id)
      ORDER BY u.display_name`,
    [task.instance_id, task.owner_unit_id, targets],
  );
  if (outside.length > 0)
    throw reachError(
      `抄送对象须为本案件所属单位及其上下级、承办单位或已参与办理的人员：${outside.map((o) => o.display_name).join('、')}不在其中`,
    );
}

function reachError(message: string): AppError {
  return new AppError('TARGET_OUT_OF_REACH', message, HttpStatus.FORBIDDEN);
}
