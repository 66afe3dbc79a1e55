import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ADMIN_ROLES } from '@zhengwu/contracts';
import type { EntityManager } from 'typeorm';
import { HolidayService } from '../engine/holiday.service';
import { AttachmentsService } from '../files/attachments.service';
import { hasRole, type Principal } from '../identity/principal';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import type { CreateSupervisionDto, ExportSupervisionQuery, ListSupervisionQuery, ReportSupervisionDto } from './supervision.dto';
import { SupervisionRepository, type ItemRow, type Viewer } from './supervision.repository';
import { deadlineInWorkingDays, dueAtOf, LEADER_ROLES, remindAtOf, REPORTING_ROLES, todayCst } from './supervision-rules';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WHAT = '督办事项';
const KIND_LABELS: Record<ItemRow['target_kind'], string> = { case: '流程事项', document: '公文', 'work-plan': '工作要点' };
/** Two years ahead is the farthest a 督办 deadline reaches; beyond that it is a plan, not supervision. */
const MAX_DAYS_AHEAD = 731;

function field(name: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
}

function isRealDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/**
 * 督办: leaders and 办公厅 mark a case or a 公文 with a deadline and 督办意见; the responsible unit reports 办结; the creator
 * closes it or sends it back. Cases are read only through the engine port's read model (`cases`, `tasks`).
 */
@Injectable()
export class SupervisionService implements OnModuleInit {
  private officeUnit?: Promise<{ id: string; path: string } | undefined>;

  constructor(
    private readonly repo: SupervisionRepository,
    private readonly holidays: HolidayService,
    private readonly attachments: AttachmentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // The 办结 report's files: whoever may report adds them while the item is open; whoever sees the item reads them.
    this.attachments.registerOwner('supervision', {
      canRead: async (me, id) =>
        await this.visibleItem(me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id) => {
        const item = await this.visibleItem(me, id).catch(() => undefined);
        return !!item && item.stage === 'open' && (await this.mayReport(me, item));
      },
    });
  }

  // ---- who -----------------------------------------------------------------------------------

  /** 办公厅 (SUPERVISION_OFFICE_UNIT and the units under it): supervises anywhere and sees the whole ledger. */
  async isOffice(me: Principal): Promise<boolean> {
    this.officeUnit ??= this.repo.unitByCode(this.config.supervisionOfficeUnit);
    const office = await this.officeUnit.catch((error: unknown) => {
      this.officeUnit = undefined;
      throw error;
    });
    // Not there (yet): ask again next time, so a unit created after start counts without a restart.
    if (!office) {
      this.officeUnit = undefined;
      return false;
    }
    // The three administrators sit in units too; administering the platform is not 办公厅's business.
    if (me.roles.length > 0 && me.roles.every((role) => ADMIN_ROLES.includes(role))) return false;
    return me.unitPath.startsWith(office.path);
  }

  async mayCreate(me: Principal): Promise<boolean> {
    return hasRole(me, ...LEADER_ROLES) || (await this.isOffice(me));
  }

  /** What the pages offer: the 督办 button, and the units the form may name as responsible. */
  async capabilities(
    me: Principal,
  ): Promise<{ canCreate: boolean; isOffice: boolean; units: { id: string; name: string; depth: number }[] }> {
    const canCreate = await this.mayCreate(me);
    const isOffice = await this.isOffice(me);
    return { canCreate, isOffice, units: canCreate ? await this.repo.unitsWithin(isOffice ? null : me.unitPath) : [] };
  }

  private async viewer(me: Principal): Promise<Viewer> {
    return { me, isOffice: await this.isOffice(me) };
  }

  /** The creator's and the responsible unit's subtrees, the creator, a holder of the case's step; 办公厅 sees all. */
  private async visibleItem(me: Principal, id: string, m?: EntityManager): Promise<ItemRow> {
    if (!UUID.test(id)) throw new NotFoundError(WHAT);
    const item = await this.repo.item(id, m);
    if (!item) throw new NotFoundError(WHAT);
    if (await this.isOffice(me)) return item;
    if (item.created_by === me.userId) return item;
    if (item.creator_unit_path.startsWith(me.unitPath) || item.unit_path.startsWith(me.unitPath)) return item;
    if (item.instance_id && (await this.repo.holdsOpenStep(me, item.instance_id, m))) return item;
    throw new NotFoundError(WHAT);
  }

  /** A leader of the responsible unit, or whoever holds the supervised case's current step. */
  private async mayReport(me: Principal, item: ItemRow, m?: EntityManager): Promise<boolean> {
    if (me.unitId === item.unit_id && hasRole(me, ...REPORTING_ROLES)) return true;
    return !!item.instance_id && (await this.repo.holdsOpenStep(me, item.instance_id, m));
  }

  // ---- create --------------------------------------------------------------------------------

  async create(me: Principal, dto: CreateSupervisionDto): Promise<{ id: string }> {
    const isOffice = await this.isOffice(me);
    try {
      return await this.repo.transaction(async (m) => {
        // What the person cannot see answers 404 first, whoever they are: the refusal must not confirm it exists.
        const target = await this.target(m, me, isOffice, dto);
        if (!(await this.mayCreate(me))) throw new ForbiddenError('只有领导（签发人、业务司局审核人）或办公厅人员可以督办');
        const opinion = dto.opinion.trim();
        if (opinion.length < 2) throw field('opinion', '请填写督办意见（至少 2 个字）');
        const deadline = await this.deadline(dto);
        const unitId = dto.unitId ?? target.ownerUnitId;
        if (!unitId) throw field('unitId', '该事项没有主办单位，请选择承办单位');
        const unit = await this.repo.unit(unitId, m);
        if (!unit) throw field('unitId', '承办单位不存在');
        if (!isOffice && !unit.path.startsWith(me.unitPath)) throw field('unitId', '承办单位须在您的数据范围内（本单位及下级单位）');
        const dueAt = dueAtOf(deadline);
        const remindAt = remindAtOf(dueAt, await this.holidays.calendar());
        const id = await this.repo.insert(m, {
          targetKind: dto.targetKind,
          instanceId: target.instanceId,
          documentId: target.documentId,
          title: target.title.slice(0, 300),
          opinion,
          unitId,
          createdBy: me.userId,
          creatorUnitId: me.unitId,
          deadline,
          dueAt,
          remindAt: remindAt < dueAt ? remindAt : dueAt,
        });
        await this.repo.addEvent(m, id, 'created', me.userId, opinion, { deadline, unitId, unitName: unit.name });
        await this.repo.outbox(m, 'supervision.created', {
          itemId: id,
          unitId,
          roles: REPORTING_ROLES,
          by: me.userId,
          title: target.title,
          deadline,
          subject: `督办：${target.title}`,
        });
        return { id };
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ConflictError('SUPERVISION_EXISTS', '该事项已在督办中，请在督办台账中查看');
      }
      throw error;
    }
  }

  /**
   * 督办 for a record of another feature (a 工作要点 item), inside that feature's transaction: no case or 公文 behind
   * it, so its source is named instead. The caller has decided who may; the deadline is the record's own (it may be
   * past, then the item is overdue at once and the scanner escalates it). The same timeline and notices as create().
   */
  async createForSource(
    m: EntityManager,
    input: {
      sourceKind: 'work-plan-item';
      sourceId: string;
      title: string;
      opinion: string;
      unitId: string;
      createdBy: string;
      creatorUnitId: string;
      deadline: string;
    },
  ): Promise<{ id: string }> {
    if (!isRealDay(input.deadline)) throw field('deadline', '办结期限不是有效的日期');
    const unit = await this.repo.unit(input.unitId, m);
    if (!unit) throw field('unitId', '承办单位不存在');
    const dueAt = dueAtOf(input.deadline);
    const remindAt = remindAtOf(dueAt, await this.holidays.calendar());
    const title = input.title.slice(0, 300);
    const opinion = input.opinion.slice(0, 2000);
    const id = await this.repo.insert(m, {
      targetKind: 'work-plan',
      sourceKind: input.sourceKind,
      sourceId: input.sourceId,
      instanceId: null,
      documentId: null,
      title,
      opinion,
      unitId: input.unitId,
      createdBy: input.createdBy,
      creatorUnitId: input.creatorUnitId,
      deadline: input.deadline,
      dueAt,
      remindAt: remindAt < dueAt ? remindAt : dueAt,
    });
    await this.repo.addEvent(m, id, 'created', input.createdBy, opinion, {
      deadline: input.deadline,
      unitId: input.unitId,
      unitName: unit.name,
    });
    await this.repo.outbox(m, 'supervision.created', {
      itemId: id,
      unitId: input.unitId,
      roles: REPORTING_ROLES,
      by: input.createdBy,
      title,
      deadline: input.deadline,
      subject: `督办：${title}`,
    });
    return { id };
  }

  private async deadline(dto: CreateSupervisionDto): Promise<string> {
    if (dto.deadline !== undefined && dto.workingDays !== undefined) {
      throw field('deadline', '办结期限请填写日期或工作日数之一，不要同时填写');
    }
    const today = todayCst();
    if (dto.workingDays !== undefined) return deadlineInWorkingDays(new Date(), dto.workingDays, await this.holidays.calendar());
    if (dto.deadline === undefined) throw field('deadline', '请填写办结期限（日期或工作日数）');
    if (!isRealDay(dto.deadline)) throw field('deadline', '办结期限不是有效的日期');
    if (dto.deadline < today) throw field('deadline', '办结期限不能早于今天');
    const latest = new Date(Date.now() + MAX_DAYS_AHEAD * 86_400_000).toISOString().slice(0, 10);
    if (dto.deadline > latest) throw field('deadline', '办结期限不能超过两年');
    return dto.deadline;
  }

  /** The supervised case or 公文, if the creator may see it (else 404 as for a missing one). */
  private async target(
    m: EntityManager,
    me: Principal,
    isOffice: boolean,
    dto: CreateSupervisionDto,
  ): Promise<{ instanceId: string | null; documentId: string | null; title: string; ownerUnitId: string | null }> {
    if (dto.targetKind === 'document') {
      const doc = await this.repo.documentTarget(dto.targetId, m);
      const visible = !!doc && (isOffice || doc.unit_path.startsWith(me.unitPath) || doc.recipients.includes(me.unitId));
      if (!doc || !visible) throw new NotFoundError('公文');
      if (doc.status === '已撤销') throw new ConflictError('DOCUMENT_WITHDRAWN', '该公文已撤销，无需督办');
      return {
        instanceId: doc.instance_id,
        documentId: doc.id,
        title: doc.doc_number ? `${doc.title}（${doc.doc_number}）` : doc.title,
        ownerUnitId: doc.unit_id,
      };
    }
    const found = await this.repo.caseTarget(dto.targetId, m);
    const visible =
      !!found &&
      (isOffice ||
        found.started_by === me.userId ||
        (found.owner_unit_path !== null && found.owner_unit_path.startsWith(me.unitPath)) ||
        (await this.repo.isInvolvedInCase(me, found.id, m)));
    if (!found || !visible) throw new NotFoundError('流程事项');
    if (found.status !== 'running') throw new ConflictError('CASE_ENDED', '该事项已办结或已终止，无需督办');
    return {
      instanceId: found.id,
      documentId: null,
      title: found.title ?? found.process_name ?? '流程事项',
      ownerUnitId: found.owner_unit_id,
    };
  }

  // ---- read ----------------------------------------------------------------------------------

  async list(me: Principal, query: ListSupervisionQuery) {
    const { items, total } = await this.repo.ledger(await this.viewer(me), query, { offset: query.offset ?? 0, limit: query.limit ?? 20 });
    return { items: items.map((item) => this.summary(item)), total };
  }

  async exportCsv(me: Principal, query: ExportSupervisionQuery): Promise<string> {
    const { items } = await this.repo.ledger(await this.viewer(me), query);
    const header = ['督办事项', '类型', '承办单位', '督办人', '督办单位', '办结期限', '状态', '督办意见', '督办时间'];
    const lines = items.map((item) =>
      [
        item.title,
        KIND_LABELS[item.target_kind],
        item.unit_name,
        item.created_by_name,
        item.creator_unit_name,
        item.deadline,
        item.status,
        item.opinion,
        new Date(item.created_at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' '),
      ]
        .map(csvCell)
        .join(','),
    );
    // The byte-order mark lets Excel on Windows read the UTF-8 Chinese.
    return '\uFEFF' + [header.join(','), ...lines].join('\r\n') + '\r\n';
  }

  async get(me: Principal, id: string) {
    const item = await this.visibleItem(me, id);
    const steps = item.instance_id ? await this.repo.openSteps(item.instance_id) : [];
    const caseInfo = item.instance_id ? await this.repo.caseSummary(item.instance_id) : undefined;
    const document = item.document_id ? await this.repo.documentSummary(item.document_id) : undefined;
    const isCreator = item.created_by === me.userId;
    const canReport = item.stage === 'open' && (await this.mayReport(me, item));
    return {
      ...this.summary(item),
      opinion: item.opinion,
      remindAt: item.remind_at,
      reportedAt: item.reported_at,
      closedAt: item.closed_at,
      case: item.instance_id
        ? { instanceId: item.instance_id, status: caseInfo?.status ?? null, processName: caseInfo?.processName ?? null, steps }
        : null,
      document: item.document_id
        ? { id: item.document_id, status: document?.status ?? null, docNumber: document?.docNumber ?? null }
        : null,
      timeline: await this.repo.events(item.id),
      allowedActions: [...(canReport ? ['report'] : []), ...(isCreator && item.stage === 'reported' ? ['close', 'return'] : [])],
    };
  }

  private summary(item: ItemRow) {
    return {
      id: item.id,
      targetKind: item.target_kind,
      targetId: item.document_id ?? item.instance_id ?? item.source_id,
      sourceKind: item.source_kind,
      sourceId: item.source_id,
      instanceId: item.instance_id,
      documentId: item.document_id,
      title: item.title,
      unitId: item.unit_id,
      unitName: item.unit_name,
      createdBy: item.created_by,
      createdByName: item.created_by_name,
      creatorUnitName: item.creator_unit_name,
      deadline: item.deadline,
      dueAt: item.due_at,
      status: item.status,
      stage: item.stage,
      createdAt: item.created_at,
    };
  }

  // ---- 办结 ----------------------------------------------------------------------------------

  async report(me: Principal, id: string, dto: ReportSupervisionDto): Promise<{ ok: true }> {
    const note = dto.note.trim();
    if (note.length < 2) throw field('note', '请填写办结情况（至少 2 个字）');
    await this.repo.transaction(async (m) => {
      const item = await this.visibleItem(me, id, m);
      if (!(await this.mayReport(me, item, m))) throw new ForbiddenError('只有承办单位的负责人或当前环节的办理人可以报告办结');
      const attachmentIds = [...new Set(dto.attachmentIds ?? [])];
      if (attachmentIds.length > 0) {
        const found = await this.repo.itemAttachments(m, item.id, attachmentIds);
        if (found.length !== attachmentIds.length) throw field('attachmentIds', '附件须先上传到本督办事项');
      }
      // The row lock of this UPDATE decides a race: the second reporter finds the stage moved and gets 409.
      if (!(await this.repo.moveStage(m, item.id, 'open', 'reported', me.userId))) {
        throw new ConflictError('SUPERVISION_NOT_OPEN', '该督办事项已报告办结或已关闭，请刷新后查看');
      }
      await this.repo.addEvent(m, item.id, 'reported', me.userId, note, { attachmentIds });
      await this.repo.outbox(m, 'supervision.reported', {
        itemId: item.id,
        to: [item.created_by],
        by: me.userId,
        title: item.title,
        deadline: item.deadline,
        subject: `督办事项已报办结：${item.title}`,
        opinion: note,
      });
    });
    return { ok: true };
  }

  async close(me: Principal, id: string): Promise<{ ok: true }> {
    await this.repo.transaction(async (m) => {
      const item = await this.creatorsItem(me, id, m);
      if (!(await this.repo.moveStage(m, item.id, 'reported', 'closed', null))) {
        throw new ConflictError('SUPERVISION_NOT_REPORTED', '该督办事项尚未报告办结或已处理，请刷新后查看');
      }
      await this.repo.addEvent(m, item.id, 'closed', me.userId, null);
      await this.repo.outbox(m, 'supervision.closed', {
        itemId: item.id,
        to: item.reported_by ? [item.reported_by] : [],
        unitId: item.unit_id,
        roles: REPORTING_ROLES,
        by: me.userId,
        title: item.title,
        deadline: item.deadline,
        subject: `督办事项已办结：${item.title}`,
      });
    });
    return { ok: true };
  }

  async sendBack(me: Principal, id: string, reason: string): Promise<{ ok: true }> {
    const text = reason.trim();
    if (text.length < 2) throw field('reason', '请填写退回理由（至少 2 个字）');
    await this.repo.transaction(async (m) => {
      const item = await this.creatorsItem(me, id, m);
      const reporter = item.reported_by;
      if (!(await this.repo.moveStage(m, item.id, 'reported', 'open', null))) {
        throw new ConflictError('SUPERVISION_NOT_REPORTED', '该督办事项尚未报告办结或已处理，请刷新后查看');
      }
      await this.repo.addEvent(m, item.id, 'returned', me.userId, text);
      await this.repo.outbox(m, 'supervision.returned', {
        itemId: item.id,
        to: reporter ? [reporter] : [],
        unitId: item.unit_id,
        roles: REPORTING_ROLES,
        by: me.userId,
        title: item.title,
        deadline: item.deadline,
        subject: `督办事项被退回：${item.title}`,
        reason: text,
      });
    });
    return { ok: true };
  }

  private async creatorsItem(me: Principal, id: string, m: EntityManager): Promise<ItemRow> {
    const item = await this.visibleItem(me, id, m);
    if (item.created_by !== me.userId) throw new ForbiddenError('只有督办人可以确认办结或退回');
    return item;
  }
}

function csvCell(value: string): string {
  // A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection): quote it as text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}
