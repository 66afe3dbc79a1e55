import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DocumentsService } from '../documents/documents.service';
import { AttachmentsService } from '../files/attachments.service';
import { ENGINE_PORT, type EnginePort } from '../engine/engine.port';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { DemoCases } from '../seed/demo-cases';
import { SupervisionService } from '../supervision/supervision.service';
import { todayCst } from '../supervision/supervision-rules';
import { TasksService } from '../tasks/tasks.service';
import { assembleEvaluation, bulletinBody, type Evaluation } from './evaluation';
import { OFFICE_ROLES, periodOf, UNIT_WORK_ROLES, type PlanStatus } from './work-plan-rules';
import type { CreatePlanDto, EvaluationDto, ListPlansQuery, ProgressDto, SummaryDto, UpdatePlanDto } from './work-plans.dto';
import { seedWorkPlanDemo } from './work-plans.demo';
import { PROCESS_KEY, WorkPlanProcess } from './work-plan.process';
import { WorkPlansRepository, type ItemRow, type PlanRow } from './work-plans.repository';

export const EVALUATION_MESSAGE = 'work-plan-evaluation';
const OFFICE = 'MLR-XXB';
const GROUP = 'MLR-LDXZ';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VISIBLE_TO_UNITS: PlanStatus[] = ['执行中', '评估中', '已评估'];

function field(name: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
}

function isRealDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/**
 * 年度信息化工作要点 (seed clause 八): 信息办 drafts, the leading group approves by vote (work-plan.bpmn), each item
 * becomes a 督办 item of its unit with periodic progress reports, and the 年度评估 goes to the group and out as a 通报.
 */
@Injectable()
export class WorkPlansService implements OnModuleInit {
  private units?: Promise<{ office: { id: string; path: string }; group: { id: string } }>;

  constructor(
    private readonly repo: WorkPlansRepository,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly supervision: SupervisionService,
    private readonly documents: DocumentsService,
    private readonly tasks: TasksService,
    private readonly demoCases: DemoCases,
    private readonly attachments: AttachmentsService,
    private readonly process: WorkPlanProcess,
  ) {}

  onModuleInit(): void {
    // The plan's files (the 工作要点 text, explanations): read by whoever sees the plan, added by 信息办 while it drafts.
    this.attachments.registerOwner('work-plan', {
      canRead: (me, id, m) =>
        this.visiblePlan(me, id, m).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const { plan } = await this.visiblePlan(me, id, m);
        return (plan.status === '草拟' || plan.status === '退回修改') && (await this.isEditor(me));
      },
    });
    this.demoCases.register('work-plans', (ctx) => seedWorkPlanDemo(ctx, this, this.tasks, this.supervision));
  }

  // ---- who -----------------------------------------------------------------------------------

  private async fixedUnits(): Promise<{ office: { id: string; path: string }; group: { id: string } }> {
    this.units ??= this.repo.unitsByCode([OFFICE, GROUP]).then((rows) => {
      const office = rows.find((r) => r.code === OFFICE);
      const group = rows.find((r) => r.code === GROUP);
      if (!office || !group) throw new Error('units MLR-XXB and MLR-LDXZ are missing');
      return { office, group };
    });
    return this.units.catch((error: unknown) => {
      this.units = undefined;
      throw error;
    });
  }

  /** 信息办's people who keep the plan: they draft it, submit it, assemble the 年度评估. */
  async isEditor(me: Principal): Promise<boolean> {
    const { office } = await this.fixedUnits();
    return me.unitId === office.id && hasRole(me, ...OFFICE_ROLES);
  }

  /** 信息办, the group's secretary and members see every plan and every item. */
  async seesWhole(me: Principal): Promise<boolean> {
    const { office, group } = await this.fixedUnits();
    if (me.unitPath.startsWith(office.path) || hasRole(me, 'group-secretary')) return true;
    return this.repo.isGroupMember(group.id, me.userId);
  }

  async capabilities(me: Principal) {
    const canDraft = await this.isEditor(me);
    return { canDraft, seesWhole: await this.seesWhole(me), units: canDraft ? await this.repo.responsibleUnits() : [] };
  }

  private async visiblePlan(me: Principal, id: string, m?: EntityManager, lock = false): Promise<{ plan: PlanRow; whole: boolean }> {
    const plan = UUID.test(id) ? await this.repo.plan(id, m, lock) : undefined;
    if (!plan) throw new NotFoundError('工作要点');
    const whole = await this.seesWhole(me);
    if (whole) return { plan, whole };
    const mine =
      VISIBLE_TO_UNITS.includes(plan.status) && (await this.repo.items(plan.id, m)).some((i) => i.unit_path.startsWith(me.unitPath));
    if (!mine) throw new NotFoundError('工作要点');
    return { plan, whole };
  }

  private async visibleItem(me: Principal, id: string, m?: EntityManager): Promise<{ item: ItemRow; plan: PlanRow }> {
    const item = UUID.test(id) ? await this.repo.item(id, m) : undefined;
    if (!item) throw new NotFoundError('工作要点事项');
    const plan = (await this.repo.plan(item.plan_id, m))!;
    if (await this.seesWhole(me)) return { item, plan };
    if (!VISIBLE_TO_UNITS.includes(plan.status) || !item.unit_path.startsWith(me.unitPath)) throw new NotFoundError('工作要点事项');
    return { item, plan };
  }

  /** The responsible unit's own people report its progress and summary. */
  private mayReport(me: Principal, item: ItemRow): boolean {
    return me.unitId === item.unit_id && me.roles.some((r) => UNIT_WORK_ROLES.includes(r));
  }

  private async requireEditor(me: Principal): Promise<void> {
    if (!(await this.isEditor(me))) throw new ForbiddenError('只有信息办可以起草和维护年度信息化工作要点');
  }

  // ---- draft ---------------------------------------------------------------------------------

  async create(me: Principal, dto: CreatePlanDto): Promise<{ id: string }> {
    await this.requireEditor(me);
    const thisYear = Number(todayCst().slice(0, 4));
    if (dto.year < thisYear - 1 || dto.year > thisYear + 1) throw field('year', `年度须为 ${thisYear - 1} 至 ${thisYear + 1} 年`);
    try {
      return await this.repo.transaction(async (m) => {
        await this.checkItems(m, dto.year, dto);
        const id = await this.repo.insertPlan(m, {
          year: dto.year,
          title: dto.title.trim(),
          intro: dto.intro?.trim() ?? '',
          draftedBy: me.userId,
          unitId: me.unitId,
        });
        await this.repo.replaceItems(m, id, dto.items);
        await this.repo.addHistory(m, id, 'create', null, me.userId);
        return { id };
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError('WORK_PLAN_EXISTS', `${dto.year} 年度已有工作要点，请在原稿上修改`);
      }
      throw error;
    }
  }

  /** 信息办 edits the plan while it is a draft or returned by the group. */
  async update(me: Principal, id: string, dto: UpdatePlanDto): Promise<{ ok: true }> {
    await this.requireEditor(me);
    await this.repo.transaction(async (m) => {
      const { plan } = await this.visiblePlan(me, id, m, true);
      if (plan.status !== '草拟' && plan.status !== '退回修改') {
        throw new ConflictError('WORK_PLAN_LOCKED', `工作要点当前为“${plan.status}”，只有草拟或退回修改时可以修改`);
      }
      await this.checkItems(m, plan.year, dto);
      await this.repo.updatePlanText(m, id, dto.title.trim(), dto.intro?.trim() ?? '');
      await this.repo.replaceItems(m, id, dto.items);
      await this.repo.addHistory(m, id, 'update', null, me.userId);
    });
    return { ok: true };
  }

  private async checkItems(m: EntityManager, year: number, dto: UpdatePlanDto): Promise<void> {
    for (const [index, item] of dto.items.entries()) {
      if (!isRealDay(item.deadline)) throw field(`items.${index}.deadline`, `第 ${index + 1} 项的完成时限不是有效的日期`);
      if (!item.deadline.startsWith(`${year}-`)) throw field(`items.${index}.deadline`, `第 ${index + 1} 项的完成时限须在 ${year} 年内`);
    }
    const ids = [...new Set(dto.items.map((i) => i.unitId))];
    const kinds = await this.repo.unitKinds(m, ids);
    for (const [index, item] of dto.items.entries()) {
      const unit = kinds.find((k) => k.id === item.unitId);
      if (!unit) throw field(`items.${index}.unitId`, `第 ${index + 1} 项的责任单位不存在`);
      if (unit.kind === 'body')
        throw field(`items.${index}.unitId`, `第 ${index + 1} 项的责任单位须为机关或单位（领导小组不承担具体事项）`);
    }
  }

  /** 提请审议: the group's members vote on the plan (work-plan.bpmn). */
  async submit(me: Principal, id: string): Promise<{ instanceId: string }> {
    await this.requireEditor(me);
    return this.repo.transaction(async (m) => {
      const { plan } = await this.visiblePlan(me, id, m, true);
      if (plan.status !== '草拟') throw new ConflictError('WORK_PLAN_NOT_DRAFT', `工作要点当前为“${plan.status}”，只有草拟稿可以提请审议`);
      const { id: instanceId } = await this.engine.startProcess(
        PROCESS_KEY,
        {
          businessKey: plan.id,
          ownerUnitId: plan.unit_id,
          startedBy: me.userId,
          variables: {
            title: plan.title,
            planId: plan.id,
            year: plan.year,
            submitter: me.userId,
            round: 1,
            ...(await this.process.voters(m)),
          },
        },
        m,
      );
      await this.repo.setStatus(m, plan.id, '审议中', { instanceId });
      await this.repo.addHistory(m, plan.id, 'submit', null, me.userId);
      return { instanceId };
    });
  }

  /** 重新提请审议 of a returned plan (the revise step of its case), after 信息办 edited it. */
  async resubmit(me: Principal, id: string, comment?: string): Promise<{ ok: true }> {
    await this.repo.transaction(async (m) => {
      const { plan: seen } = await this.visiblePlan(me, id, m);
      if (seen.instance_id) await this.engine.lockInstance(seen.instance_id, m);
      const { plan } = await this.visiblePlan(me, id, m, true);
      const task = plan.instance_id ? (await this.repo.openTasks(plan.instance_id, m)).find((t) => t.activityId === 'revise') : undefined;
      if (plan.status !== '退回修改' || !task)
        throw new ConflictError('WORK_PLAN_NOT_RETURNED', '只有被退回修改的工作要点才能重新提请审议');
      if (task.assignee !== me.userId) throw new ForbiddenError('只有提请人可以重新提请审议');
      const text = comment?.trim() || '已按领导小组意见修改，重新提请审议';
      await this.tasks.recordFeatureAction(m, task.id, me, 'approve', text);
      await this.engine.completeTask(task.id, { userId: me.userId, outcome: 'approve', comment: text }, m);
    });
    return { ok: true };
  }

  // ---- read ----------------------------------------------------------------------------------

  async list(me: Principal, query: ListPlansQuery) {
    return this.repo.list({ whole: await this.seesWhole(me), unitPath: me.unitPath }, query.year, {
      offset: query.offset ?? 0,
      limit: query.limit ?? 20,
    });
  }

  async get(me: Principal, id: string) {
    const { plan, whole } = await this.visiblePlan(me, id);
    const items = (await this.repo.items(plan.id)).filter((i) => whole || i.unit_path.startsWith(me.unitPath));
    const editor = await this.isEditor(me);
    const openTasks = plan.instance_id ? await this.repo.openTasks(plan.instance_id) : [];
    const today = todayCst();
    const rollup = new Map<
      string,
      { unitId: string; unitName: string; total: number; done: number; overdue: number; percentSum: number }
    >();
    for (const item of items) {
      const row = rollup.get(item.unit_id) ?? {
        unitId: item.unit_id,
        unitName: item.unit_name,
        total: 0,
        done: 0,
        overdue: 0,
        percentSum: 0,
      };
      row.total += 1;
      if (item.status === '已完成') row.done += 1;
      if (item.status === '逾期') row.overdue += 1;
      row.percentSum += item.status === '已完成' ? 100 : (item.latest_percent ?? 0);
      rollup.set(item.unit_id, row);
    }
    return {
      id: plan.id,
      year: plan.year,
      title: plan.title,
      intro: plan.intro,
      status: plan.status,
      instanceId: plan.instance_id,
      decision: plan.decision,
      decidedAt: plan.decided_at,
      evaluationSubmittedAt: plan.evaluation_submitted_at,
      acknowledgedAt: plan.acknowledged_at,
      acknowledgement: plan.acknowledgement,
      bulletinDocumentId: plan.bulletin_document_id,
      items: items.map((item) => ({
        ...this.itemSummary(item),
        reportDue: item.stage === 'open' && item.latest_period !== periodOf(today, item.cadence),
        mine: this.mayReport(me, item),
      })),
      rollup: [...rollup.values()].map(({ percentSum, ...r }) => ({ ...r, averagePercent: Math.round(percentSum / r.total) })),
      votes: whole ? await this.repo.votes(plan.id) : [],
      history: whole ? await this.repo.history(plan.id) : [],
      openTasks: whole ? openTasks : [],
      allowedActions: [
        ...(editor && ['草拟', '退回修改'].includes(plan.status) ? ['edit'] : []),
        ...(editor && plan.status === '草拟' ? ['submit'] : []),
        ...(plan.status === '退回修改' && openTasks.some((t) => t.activityId === 'revise' && t.assignee === me.userId) ? ['resubmit'] : []),
        ...(editor && plan.status === '执行中' ? ['evaluate'] : []),
        ...(editor && plan.status === '已评估' && !plan.bulletin_document_id && hasRole(me, 'drafter') ? ['bulletin'] : []),
      ],
    };
  }

  private itemSummary(item: ItemRow) {
    return {
      id: item.id,
      planId: item.plan_id,
      seq: item.seq,
      title: item.title,
      measures: item.measures,
      unitId: item.unit_id,
      unitName: item.unit_name,
      deadline: item.deadline,
      cadence: item.cadence,
      status: item.status,
      supervisionItemId: item.supervision_item_id,
      escalated: item.escalated,
      reportedAt: item.reported_at,
      closedAt: item.closed_at,
      latestProgress:
        item.latest_at === null
          ? null
          : { percent: item.latest_percent, note: item.latest_note, at: item.latest_at, period: item.latest_period },
      summary: item.summary,
      summaryAt: item.summary_at,
      summaryByName: item.summary_by_name,
    };
  }

  async getItem(me: Principal, id: string) {
    const { item, plan } = await this.visibleItem(me, id);
    const running = plan.status === '执行中';
    const mine = this.mayReport(me, item);
    return {
      ...this.itemSummary(item),
      plan: { id: plan.id, year: plan.year, title: plan.title, status: plan.status },
      currentPeriod: periodOf(todayCst(), item.cadence),
      progress: await this.repo.progress(item.id),
      allowedActions: [
        ...(running && mine && item.stage === 'open' ? ['progress'] : []),
        ...(running && mine && item.supervision_item_id ? ['summary'] : []),
      ],
    };
  }

  // ---- progress and summaries ----------------------------------------------------------------

  async reportProgress(me: Principal, id: string, dto: ProgressDto): Promise<{ ok: true }> {
    const note = dto.note.trim();
    if (note.length < 2) throw field('note', '请填写进展情况（至少 2 个字）');
    await this.repo.transaction(async (m) => {
      const { item, plan } = await this.visibleItem(me, id, m);
      if (!this.mayReport(me, item)) throw new ForbiddenError('只有责任单位可以报送工作要点进展');
      if (plan.status !== '执行中' || item.stage !== 'open') {
        throw new ConflictError('WORK_PLAN_ITEM_CLOSED', '该工作要点不在执行中（未审议通过、已报办结或已评估），不能报送进展');
      }
      await this.repo.lockItem(m, item.id);
      await this.repo.addProgress(m, item.id, periodOf(todayCst(), item.cadence), dto.percent, note, me.userId);
    });
    return { ok: true };
  }

  async submitSummary(me: Principal, id: string, dto: SummaryDto): Promise<{ ok: true }> {
    const summary = dto.summary.trim();
    if (summary.length < 2) throw field('summary', '请填写年度工作总结（至少 2 个字）');
    await this.repo.transaction(async (m) => {
      const { item, plan } = await this.visibleItem(me, id, m);
      if (!this.mayReport(me, item)) throw new ForbiddenError('只有责任单位可以报送年度工作总结');
      if (plan.status !== '执行中') throw new ConflictError('WORK_PLAN_NOT_RUNNING', '年度评估已提交或工作要点未执行，不能再报送总结');
      await this.repo.lockItem(m, item.id);
      await this.repo.setSummary(m, item.id, summary, me.userId);
    });
    return { ok: true };
  }

  // ---- 年度评估 and 通报 ---------------------------------------------------------------------

  /** The 年度评估 as it stands (live while the plan runs; the snapshot sent to the group afterwards). */
  async evaluation(me: Principal, id: string): Promise<Evaluation> {
    const { plan, whole } = await this.visiblePlan(me, id);
    if (!whole) throw new ForbiddenError('年度评估由信息办汇总，报领导小组审阅');
    if (plan.evaluation) return plan.evaluation as unknown as Evaluation;
    if (plan.status !== '执行中') throw new ConflictError('WORK_PLAN_NOT_RUNNING', '工作要点尚未审议通过，没有年度评估');
    return assembleEvaluation(plan, await this.repo.items(plan.id), null);
  }

  /** 信息办 assembles the 年度评估 and reports it to the leading group (its 组长 reviews it in the inbox). */
  async submitEvaluation(me: Principal, id: string, dto: EvaluationDto): Promise<{ ok: true }> {
    await this.requireEditor(me);
    const conclusion = dto.conclusion.trim();
    if (conclusion.length < 2) throw field('conclusion', '请填写总体评价（至少 2 个字）');
    await this.repo.transaction(async (m) => {
      const { plan: seen } = await this.visiblePlan(me, id, m);
      if (seen.instance_id) await this.engine.lockInstance(seen.instance_id, m);
      const { plan } = await this.visiblePlan(me, id, m, true);
      if (plan.status !== '执行中')
        throw new ConflictError('WORK_PLAN_NOT_RUNNING', `工作要点当前为“${plan.status}”，只有执行中的工作要点可以提交年度评估`);
      const evaluation = assembleEvaluation(plan, await this.repo.items(plan.id, m), conclusion);
      await this.repo.storeEvaluation(m, plan.id, evaluation, me.userId);
      await this.repo.addHistory(m, plan.id, 'evaluate', conclusion, me.userId);
      await this.engine.correlateMessage(EVALUATION_MESSAGE, { businessKey: plan.id }, m);
    });
    return { ok: true };
  }

  /** 通报: a draft 公文 with the 年度评估 as its body, to every responsible unit; it follows 核稿、签发 and 分发. */
  async draftBulletin(me: Principal, id: string): Promise<{ documentId: string }> {
    await this.requireEditor(me);
    if (!hasRole(me, 'drafter')) throw new ForbiddenError('只有信息办的拟稿人可以拟制通报');
    return this.repo.transaction(async (m) => {
      // The plan's row lock serialises two clicks: the second finds the 通报 linked and gets 409.
      const { plan } = await this.visiblePlan(me, id, m, true);
      if (plan.status !== '已评估' || !plan.evaluation)
        throw new ConflictError('WORK_PLAN_NOT_EVALUATED', '年度评估经领导小组审阅后才能拟制通报');
      if (plan.bulletin_document_id) throw new ConflictError('BULLETIN_EXISTS', '该年度评估已拟制通报，请在公文中查看');
      const evaluation = plan.evaluation as unknown as Evaluation;
      // A 公文 is not sent to its own unit: 信息办's own items are reported, not circulated back to it.
      const recipients = [...new Set(evaluation.items.map((i) => i.unitId))].filter((u) => u !== me.unitId);
      if (recipients.length === 0) throw new ConflictError('BULLETIN_NO_RECIPIENTS', '工作要点只涉及信息办本单位，无需通报');
      const { id: documentId } = await this.documents.create(me, {
        docType: '通报',
        title: `关于${plan.year}年度信息化工作要点落实情况的通报`,
        mainRecipients: recipients,
        body: bulletinBody(plan, evaluation),
      });
      if (!(await this.repo.linkBulletin(m, plan.id, documentId))) throw new ConflictError('BULLETIN_EXISTS', '该年度评估已拟制通报');
      await this.repo.addHistory(m, plan.id, 'bulletin', null, me.userId);
      return { documentId };
    });
  }
}
