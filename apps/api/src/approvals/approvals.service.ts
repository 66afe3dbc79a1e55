import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { WorkingCalendar } from '@zhengwu/engine';
import { DataSource, EntityManager } from 'typeorm';
import { HolidayService } from '../engine/holiday.service';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { applyDataScope, assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { AttachmentsService } from '../files/attachments.service';
import { DemoCases } from '../seed/demo-cases';
import { TasksService } from '../tasks/tasks.service';
import {
  APPROVAL_PROCESS,
  LEVEL_LABELS,
  LEVEL_LIMITS,
  OVERDUE_TIMERS,
  TASK_LEVELS,
  WARN_TIMERS,
  limitVariables,
  type Level,
} from './approvals.constants';
import { seedApprovalDemo } from './approvals.demo';
import type { AcceptApprovalDto, ListApprovalsQuery, ResubmitApprovalDto } from './approvals.dto';

interface ApprovalRow {
  id: string;
  instance_id: string | null;
  case_no: string;
  title: string;
  unit_id: string;
  city_unit_id: string;
  province_unit_id: string;
  unit_path: string;
  addressed_unit_ids: string[];
  accepted_by: string;
  status: string;
}

interface UnitRow {
  id: string;
  name: string;
  kind: string;
  parent_id: string | null;
  division_code: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Columns of a case in lists and in its detail; `a` is the case, `u` the county. */
const SUMMARY = `a.id, a.case_no AS "caseNo", a.matter_type AS "matterType", a.title, a.applicant, a.location,
  a.land_area::float8 AS "landArea", a.status, a.current_level AS "currentLevel", a.result, a.accepted_at AS "acceptedAt",
  a.decided_at AS "decidedAt", a.warned_levels AS "warnedLevels", a.overdue_levels AS "overdueLevels",
  a.unit_id AS "unitId", u.name AS "unitName", a.city_unit_id AS "cityUnitId", a.province_unit_id AS "provinceUnitId",
  a.instance_id AS "instanceId",
  (SELECT t.due_at FROM tasks t WHERE t.instance_id = a.instance_id AND t.status = 'open' ORDER BY t.created_at LIMIT 1) AS "dueAt"`;

/**
 * 三级联网审批 (seed clause 四): a county bureau accepts a case, and it climbs county → city →
 * province, each level approving upward, returning it one level down, or refusing it. The
 * decisions arrive through the inbox; this service keeps the case and its per-level record in
 * step with the engine in the same transaction.
 */
@Injectable()
export class ApprovalsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
    private readonly demoCases: DemoCases,
    private readonly holidays: HolidayService,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // 申请材料: the county's clerks attach them while the case is at the county (受理/补正 or 县级审查).
    this.attachments.registerOwner('approval', {
      canRead: (me, id, m) =>
        this.visible(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const approval = await this.visible(m, me, id);
        if (approval.unit_id !== me.unitId || !hasRole(me, 'clerk', 'drafter') || !approval.instance_id) return false;
        const open: unknown[] = await m.query(
          `SELECT 1 FROM tasks WHERE instance_id = $1 AND activity_id IN ('accept','countyReview') AND status = 'open'`,
          [approval.instance_id],
        );
        return open.length > 0;
      },
    });
    this.engine.listen(APPROVAL_PROCESS, {
      taskCompleting: (e) => this.taskCompleting(e),
      caseStepped: (e) => this.caseStepped(e),
    });
    this.demoCases.register(APPROVAL_PROCESS, (ctx) => seedApprovalDemo(ctx, this, this.tasks));
  }

  /** 受理: only a county bureau accepts; its city and province are fixed on the case now. */
  async accept(me: Principal, dto: AcceptApprovalDto): Promise<{ id: string; caseNo: string; instanceId: string }> {
    const chain = await this.resolveChain(me.unitId);
    return this.dataSource.transaction(async (m) => {
      const year = Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
      const [{ value: seq }]: { value: number }[] = await m.query(
        `INSERT INTO approval_counters (unit_id, year, value) VALUES ($1, $2, 1)
         ON CONFLICT (unit_id, year) DO UPDATE SET value = approval_counters.value + 1 RETURNING value`,
        [chain.county.id, year],
      );
      const caseNo = `${chain.county.division_code}-${year}-${String(seq).padStart(4, '0')}`;
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO approvals (case_no, case_year, case_seq, matter_type, title, applicant, applicant_contact, location, land_area,
                                description, unit_id, city_unit_id, province_unit_id, accepted_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`,
        [
          caseNo,
          year,
          seq,
          dto.matterType,
          dto.title,
          dto.applicant,
          dto.applicantContact ?? null,
          dto.location,
          dto.landArea,
          dto.description,
          chain.county.id,
          chain.city.id,
          chain.province.id,
          me.userId,
        ],
      );
      const instance = await this.engine.startProcess(
        APPROVAL_PROCESS,
        {
          businessKey: caseNo,
          ownerUnitId: chain.county.id,
          startedBy: me.userId,
          variables: {
            approvalId: id,
            caseNo,
            title: dto.title,
            matterType: dto.matterType,
            acceptor: me.userId,
            countyUnit: chain.county.id,
            cityUnit: chain.city.id,
            provinceUnit: chain.province.id,
            ...limitVariables(),
          },
        },
        m,
      );
      await m.query(`UPDATE approvals SET instance_id = $2 WHERE id = $1`, [id, instance.id]);
      // The acceptance itself is the first step: recorded and completed as the clerk's act.
      await this.completeAccept(m, me, instance.id, '受理，材料齐全，提交县级审查');
      return { id, caseNo, instanceId: instance.id };
    });
  }

  /** 补正后重新提交: the acceptor (or a clerk of the county) corrects the materials and sends the case back to county review. */
  async resubmit(me: Principal, id: string, dto: ResubmitApprovalDto): Promise<{ ok: true }> {
    await this.dataSource.transaction(async (m) => {
      const approval = await this.visible(m, me, id);
      if (!approval.instance_id) throw new NotFoundError('审批案件');
      await this.engine.lockInstance(approval.instance_id, m);
      const [task]: { id: string; assignee: string | null }[] = await m.query(
        `SELECT id, assignee FROM tasks WHERE instance_id = $1 AND activity_id = 'accept' AND status = 'open'`,
        [approval.instance_id],
      );
      if (!task) throw new ConflictError('APPROVAL_NOT_RETURNED', '该案件当前不在补正材料环节，不能重新提交');
      const mayAct = task.assignee === me.userId || (me.unitId === approval.unit_id && hasRole(me, 'clerk', 'drafter'));
      if (!mayAct) throw new ForbiddenError('只有受理人或本分局窗口人员可以补正并重新提交');
      await m.query(
        `UPDATE approvals SET applicant = COALESCE($2, applicant), location = COALESCE($3, location), land_area = COALESCE($4, land_area),
                description = COALESCE($5, description), updated_at = now() WHERE id = $1`,
        [approval.id, dto.applicant ?? null, dto.location ?? null, dto.landArea ?? null, dto.description ?? null],
      );
      if (task.assignee !== me.userId)
        await m.query(`UPDATE tasks SET assignee = $2, claimed_at = now() WHERE id = $1`, [task.id, me.userId]);
      await this.completeAccept(m, me, approval.instance_id, dto.comment, task.id);
    });
    return { ok: true };
  }

  async list(me: Principal, query: ListApprovalsQuery) {
    const qb = this.dataSource.createQueryBuilder().from('approvals', 'a').innerJoin('units', 'u', 'u.id = a.unit_id');
    applyDataScope(qb, me, { unitColumn: 'a.unit_id', addressedColumn: 'a.addressed_unit_ids' });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.matterType) qb.andWhere('a.matter_type = :matterType', { matterType: query.matterType });
    if (query.level) qb.andWhere('a.current_level = :level', { level: query.level });
    if (query.overdue === 'true') qb.andWhere('cardinality(a.overdue_levels) > 0');
    if (query.overdue === 'false') qb.andWhere('cardinality(a.overdue_levels) = 0');
    if (query.q) {
      qb.andWhere(
        `(a.case_no ILIKE :q ESCAPE '\\' OR a.title ILIKE :q ESCAPE '\\' OR a.applicant ILIKE :q ESCAPE '\\' OR a.location ILIKE :q ESCAPE '\\')`,
        { q: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
      );
    }
    const counted = await qb.clone().select('count(*)::int', 'n').getRawOne<{ n: number }>();
    const items = await qb
      .select(SUMMARY)
      .orderBy('a.accepted_at', 'DESC')
      .addOrderBy('a.id')
      .offset(query.offset)
      .limit(query.limit)
      .getRawMany();
    return { items, total: counted?.n ?? 0 };
  }

  /** The case, its per-level record, where it stands now with the working days left, and its history. */
  async get(me: Principal, id: string) {
    const approval = await this.visible(this.dataSource.manager, me, id);
    const [summary]: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${SUMMARY}, a.applicant_contact AS "applicantContact", a.description, a.result_opinion AS "resultOpinion",
              a.accepted_by AS "acceptedBy", acc.display_name AS "acceptedByName", cu.name AS "cityUnitName", pu.name AS "provinceUnitName"
         FROM approvals a JOIN units u ON u.id = a.unit_id JOIN units cu ON cu.id = a.city_unit_id JOIN units pu ON pu.id = a.province_unit_id
         JOIN users acc ON acc.id = a.accepted_by WHERE a.id = $1`,
      [approval.id],
    );
    const levels: (Record<string, unknown> & { level: Level })[] = await this.dataSource.query(
      `SELECT l.id, l.level, l.round, l.unit_id AS "unitId", un.name AS "unitName", l.task_id AS "taskId", l.limit_days AS "limitDays",
              l.received_at AS "receivedAt", l.due_at AS "dueAt", l.handler_id AS "handlerId", h.display_name AS "handlerName",
              l.decided_at AS "decidedAt", l.decision, l.opinion, l.working_days_used AS "workingDaysUsed",
              l.warned_at IS NOT NULL AS warned, l.warned_at AS "warnedAt", l.overdue_at IS NOT NULL AS overdue, l.overdue_at AS "overdueAt"
         FROM approval_levels l JOIN units un ON un.id = l.unit_id LEFT JOIN users h ON h.id = l.handler_id
        WHERE l.approval_id = $1 ORDER BY l.seq`,
      [approval.id],
    );
    const calendar = await this.holidays.calendar();
    const now = new Date();
    const open = levels.find((l) => l.decidedAt === null);
    const currentStep = open
      ? {
          level: open.level,
          name: LEVEL_LABELS[open.level],
          taskId: open.taskId,
          unitId: open.unitId,
          unitName: open.unitName,
          receivedAt: open.receivedAt,
          dueAt: open.dueAt,
          remainingWorkingDays: open.dueAt ? calendar.workingDaysBetween(now, new Date(String(open.dueAt))) : null,
          isOverdue: open.dueAt ? new Date(String(open.dueAt)) < now : false,
        }
      : null;
    const history = approval.instance_id
      ? await this.dataSource.query(
          `SELECT a.action, a.comment, a.target, a.at, a.user_id AS "userId", u.display_name AS "userName", un.name AS "unitName", t.name AS "taskName"
             FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN tasks t ON t.id = a.task_id
            WHERE a.instance_id = $1 ORDER BY a.id`,
          [approval.instance_id],
        )
      : [];
    return {
      ...summary,
      limits: LEVEL_LIMITS,
      levels: levels.map((l) => ({ ...l, levelName: LEVEL_LABELS[l.level] })),
      currentStep,
      history,
    };
  }

  // ---- engine listeners (inside the command's transaction) ----

  /** The case's record, found by the case's own business key (its 案件编号), never by a variable a request could carry. */
  private async approvalOfCase(m: EntityManager, businessKey: string | null): Promise<ApprovalRow | undefined> {
    if (!businessKey) return undefined;
    const rows: ApprovalRow[] = await m.query(`SELECT a.*, '' AS unit_path FROM approvals a WHERE a.case_no = $1 FOR UPDATE`, [
      businessKey,
    ]);
    return rows[0];
  }

  private async taskCompleting(e: TaskCompletingEvent): Promise<void> {
    const approval = await this.approvalOfCase(e.tx, e.businessKey);
    if (!approval) return;
    const approvalId = approval.id;
    const [level]: { id: string; received_at: Date }[] = await e.tx.query(
      `SELECT id, received_at FROM approval_levels WHERE task_id = $1 AND decided_at IS NULL FOR UPDATE`,
      [e.taskId],
    );
    if (!level) return;
    const decision = e.outcome ?? 'approve';
    const used = (await this.holidays.calendar()).workingDaysBetween(new Date(level.received_at), new Date());
    await e.tx.query(
      `UPDATE approval_levels SET handler_id = $2, decided_at = now(), decision = $3, opinion = $4, working_days_used = $5 WHERE id = $1`,
      [level.id, e.userId, decision, e.comment ?? null, used],
    );
    // The opinion that decides the case is kept on it: a refusal at any level, or the province's approval.
    if (decision === 'reject' || (decision === 'approve' && e.activityId === 'provinceDecision')) {
      await e.tx.query(`UPDATE approvals SET result_opinion = $2, updated_at = now() WHERE id = $1`, [approvalId, e.comment ?? null]);
    }
  }

  private async caseStepped(e: CaseSteppedEvent): Promise<void> {
    const approval = await this.approvalOfCase(e.tx, e.businessKey);
    if (!approval) return;
    for (const task of e.createdTasks) await this.levelReached(e.tx, approval, task.id, task.activityId);
    for (const activityId of e.endedActivities) {
      if (WARN_TIMERS[activityId]) await this.warn(e.tx, approval, WARN_TIMERS[activityId]);
      if (OVERDUE_TIMERS[activityId]) await this.markOverdue(e.tx, approval, OVERDUE_TIMERS[activityId]);
    }
    if (e.status === 'completed') {
      const result = e.endedActivities.includes('approved') ? '批准' : '不予批准';
      await this.finish(e.tx, approval, result);
    }
    if (e.status === 'terminated' || e.status === 'failed') {
      await e.tx.query(
        `UPDATE approval_levels SET decided_at = now(), decision = 'cancelled' WHERE approval_id = $1 AND decided_at IS NULL`,
        [approval.id],
      );
      await e.tx.query(`UPDATE approvals SET status = '已终止', current_level = NULL, updated_at = now() WHERE id = $1`, [approval.id]);
    }
  }

  private async levelReached(m: EntityManager, approval: ApprovalRow, taskId: string, activityId: string): Promise<void> {
    const step = TASK_LEVELS[activityId];
    if (!step) return;
    const unitId = { accept: approval.unit_id, county: approval.unit_id, city: approval.city_unit_id, province: approval.province_unit_id }[
      step.level
    ];
    const limit = step.level === 'accept' ? null : LEVEL_LIMITS[step.level].days;
    await m.query(
      `INSERT INTO approval_levels (approval_id, level, round, unit_id, task_id, limit_days, due_at)
       SELECT $1, $2, (SELECT count(*) + 1 FROM approval_levels WHERE approval_id = $1 AND level = $2), $3, t.id, $4, t.due_at
         FROM tasks t WHERE t.id = $5`,
      [approval.id, step.level, unitId, limit, taskId],
    );
    await m.query(`UPDATE approvals SET status = $2, current_level = $3, updated_at = now() WHERE id = $1`, [
      approval.id,
      step.status,
      step.level,
    ]);
  }

  /** 临期预警: recorded on the level and the case, and sent to the unit that holds the case. */
  private async warn(m: EntityManager, approval: ApprovalRow, level: Exclude<Level, 'accept'>): Promise<void> {
    const marked: { id: string; unit_id: string; due_at: Date | null }[] = await m.query(
      `SELECT id, unit_id, due_at FROM approval_levels WHERE approval_id = $1 AND level = $2 AND decided_at IS NULL AND warned_at IS NULL FOR UPDATE`,
      [approval.id, level],
    );
    if (!marked[0]) return;
    await m.query(`UPDATE approval_levels SET warned_at = now() WHERE id = $1`, [marked[0].id]);
    await m.query(
      `UPDATE approvals SET warned_levels = CASE WHEN $2 = ANY(warned_levels) THEN warned_levels ELSE array_append(warned_levels, $2) END,
              updated_at = now() WHERE id = $1`,
      [approval.id, level],
    );
    await this.notify(m, 'approval.warning', marked[0].unit_id, approval, {
      level,
      dueAt: marked[0].due_at,
      subject: `【临期预警】${approval.case_no}“${approval.title}”${LEVEL_LABELS[level]}将于${formatDay(marked[0].due_at)}到期，请抓紧办理`,
    });
  }

  /** 超期: the level is flagged and the level above is told (the province, having none, is told itself). */
  private async markOverdue(m: EntityManager, approval: ApprovalRow, level: Exclude<Level, 'accept'>): Promise<void> {
    const marked: { id: string; unit_id: string; due_at: Date | null }[] = await m.query(
      `SELECT id, unit_id, due_at FROM approval_levels WHERE approval_id = $1 AND level = $2 AND decided_at IS NULL AND overdue_at IS NULL FOR UPDATE`,
      [approval.id, level],
    );
    if (!marked[0]) return;
    await m.query(`UPDATE approval_levels SET overdue_at = now() WHERE id = $1`, [marked[0].id]);
    await m.query(
      `UPDATE approvals SET overdue_levels = CASE WHEN $2 = ANY(overdue_levels) THEN overdue_levels ELSE array_append(overdue_levels, $2) END,
              updated_at = now() WHERE id = $1`,
      [approval.id, level],
    );
    const above = { county: approval.city_unit_id, city: approval.province_unit_id, province: approval.province_unit_id }[level];
    await this.notify(m, 'approval.overdue', above, approval, {
      level,
      overdueUnitId: marked[0].unit_id,
      dueAt: marked[0].due_at,
      subject: `【超期督办】${approval.case_no}“${approval.title}”${LEVEL_LABELS[level]}已超过法定时限（${LEVEL_LIMITS[level].days}个工作日）`,
    });
  }

  /** The result flows back down: province, city and county (with the acceptor) are told. */
  private async finish(m: EntityManager, approval: ApprovalRow, result: '批准' | '不予批准'): Promise<void> {
    await m.query(
      `UPDATE approvals SET status = $2, result = $2, decided_at = now(), current_level = NULL, updated_at = now() WHERE id = $1`,
      [approval.id, result],
    );
    const subject = `【审批结果】${approval.case_no}“${approval.title}”：${result}`;
    await this.notify(m, 'approval.result', approval.province_unit_id, approval, { result, subject });
    await this.notify(m, 'approval.result', approval.city_unit_id, approval, { result, subject });
    await this.notify(m, 'approval.result', approval.unit_id, approval, { result, subject, to: [approval.accepted_by] });
  }

  private async notify(
    m: EntityManager,
    topic: string,
    unitId: string,
    approval: ApprovalRow,
    extra: Record<string, unknown>,
  ): Promise<void> {
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [
      topic,
      JSON.stringify({ unitId, approvalId: approval.id, caseNo: approval.case_no, instanceId: approval.instance_id, ...extra }),
    ]);
  }

  // ---- helpers ----

  private async completeAccept(m: EntityManager, me: Principal, instanceId: string, comment: string, taskId?: string): Promise<void> {
    const id =
      taskId ??
      (
        (await m.query(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'accept' AND status = 'open'`, [instanceId])) as {
          id: string;
        }[]
      )[0]?.id;
    if (!id) throw new Error(`three-level-approval ${instanceId} has no open acceptance task`);
    await this.tasks.recordFeatureAction(m, id, me, 'approve', comment);
    await this.engine.completeTask(id, { userId: me.userId, outcome: 'approve', comment }, m);
  }

  /** The accepting unit must be a county whose city and province complete the chain (tree and division codes agree). */
  private async resolveChain(unitId: string): Promise<{ county: UnitRow; city: UnitRow; province: UnitRow }> {
    const load = async (id: string | null): Promise<UnitRow | undefined> =>
      id
        ? ((await this.dataSource.query(`SELECT id, name, kind, parent_id, division_code FROM units WHERE id = $1`, [id])) as UnitRow[])[0]
        : undefined;
    const county = await load(unitId);
    if (!county || county.kind !== 'county') {
      throw new AppError(
        'APPROVAL_UNIT_NOT_COUNTY',
        `三级联网审批事项须由县级国土资源部门受理，${county?.name ?? '您所在单位'}不是县级单位`,
        HttpStatus.BAD_REQUEST,
        [{ field: 'unit', message: '受理单位须为县级单位' }],
      );
    }
    const city = await load(county.parent_id);
    const province = await load(city?.parent_id ?? null);
    const code = county.division_code ?? '';
    const chained =
      city?.kind === 'city' &&
      province?.kind === 'province' &&
      /^\d{6}$/.test(code) &&
      city.division_code === `${code.slice(0, 4)}00` &&
      province.division_code === `${code.slice(0, 2)}0000`;
    if (!chained || !city || !province) {
      throw new AppError(
        'APPROVAL_CHAIN_INCOMPLETE',
        `${county.name}的上级市、省国土资源部门不完整或行政区划代码不一致，无法确定审批层级，请联系系统管理员核对组织机构`,
        HttpStatus.BAD_REQUEST,
        [{ field: 'unit', message: '上级审批单位不完整' }],
      );
    }
    return { county, city, province };
  }

  private async visible(m: EntityManager, me: Principal, id: string): Promise<ApprovalRow> {
    if (!UUID.test(id)) throw new NotFoundError('审批案件');
    const rows: ApprovalRow[] = await m.query(
      `SELECT a.*, u.path AS unit_path FROM approvals a JOIN units u ON u.id = a.unit_id WHERE a.id = $1`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError('审批案件');
    assertVisible(me, { unitPath: rows[0].unit_path, addressedUnitIds: rows[0].addressed_unit_ids }, '审批案件');
    return rows[0];
  }
}

function formatDay(at: Date | null): string {
  return at ? WorkingCalendar.dayOf(new Date(at)) : '期限';
}
