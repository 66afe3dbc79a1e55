import { HttpStatus, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DocumentsService } from '../documents/documents.service';
import type { CreateDocumentDto } from '../documents/documents.dto';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { ExchangeService } from '../exchange/exchange.service';
import { assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AttachmentsService } from '../files/attachments.service';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { TasksService } from '../tasks/tasks.service';
import { field, OFFICE_UNIT } from './data-release.service';
import { OPINIONS, type CreateOutsideRequestDto, type ListOutsideRequestsQuery, type ReplyDto } from './data-release.dto';
import { DataReleaseRepository, type OutsideRequestRow } from './data-release.repository';

export const OUTSIDE_REQUEST = 'data-outside-request';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A 函 that will never be distributed: 信息办 may draft another reply. */
const DEAD_DOCUMENT = ['不予签发', '已撤销'];

/**
 * 外部门、行业数据需求 (seed clause 十一): 信息办 registers the request, every producing unit of a requested dataset
 * gives its opinion (parallel tasks, one per unit), 信息办 drafts the reply, and the reply is a 函 of 信息办 in the
 * ministry's name that runs through 公文 (核稿, 签发, 排版, 分发). An exchange partner receives it through 公文交换;
 * any other organ by post or another channel. The request is answered when the 函 is distributed.
 */
@Injectable()
export class OutsideRequestsService implements OnModuleInit {
  private readonly logger = new Logger(OutsideRequestsService.name);

  constructor(
    private readonly repo: DataReleaseRepository,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
    private readonly documents: DocumentsService,
    private readonly exchange: ExchangeService,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // 信息办 keeps the scanned 来函 (and later papers) with the request until it is answered.
    this.attachments.registerOwner('data-outside-request', {
      canRead: (me, id, m) =>
        this.load(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const r = await this.load(m, me, id);
        return me.unitId === r.unit_id && !['已答复', '已终止'].includes(r.status);
      },
    });
    this.engine.listen(OUTSIDE_REQUEST, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
    this.documents.onDistribute((m, documentId) => this.onReplyDistributed(m, documentId));
  }

  /** 信息办 (its reviewers or drafters) registers the letter it received. */
  async register(me: Principal, dto: CreateOutsideRequestDto) {
    await this.assertOffice(me, ['office-reviewer', 'drafter'], '只有信息办可以登记外部门数据需求');
    if (!!dto.partnerOrganCode !== !!dto.partnerUnitCode) throw field('partnerUnitCode', '交换方机构代码和对方单位代码须同时填写');
    if (dto.partnerOrganCode && !(await this.exchange.directory()).some((p) => p.organCode === dto.partnerOrganCode))
      throw new AppError(
        'EXCHANGE_UNKNOWN_PARTNER',
        `交换方 ${dto.partnerOrganCode} 未登记，请先由系统管理员登记交换方，或不填交换方`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    const received = new Date(`${dto.receivedOn}T00:00:00Z`);
    if (Number.isNaN(received.getTime()) || received.toISOString().slice(0, 10) !== dto.receivedOn)
      throw field('receivedOn', `${dto.receivedOn} 不是有效日期`);
    const id = await this.repo.db.transaction(async (m) => {
      const [{ today }]: { today: string }[] = await m.query(`SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS today`);
      if (dto.receivedOn > today) throw field('receivedOn', '收文日期不能晚于今天');
      const datasets = await this.repo.datasets(m, dto.datasetIds);
      if (datasets.length !== dto.datasetIds.length) throw field('datasetIds', '所选数据资源不在数据目录中，请重新选择');
      const orphan = datasets.find((d) => !d.owner_unit_id);
      if (orphan)
        throw new AppError(
          'DATASET_OWNER_UNKNOWN',
          `数据资源“${orphan.name}”的主管单位尚未配置，请联系信息办`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      const items = dto.datasetIds.map((datasetId) => ({
        datasetId,
        ownerUnitId: datasets.find((d) => d.id === datasetId)!.owner_unit_id!,
      }));
      const producers = [...new Set(items.map((i) => i.ownerUnitId))].sort();
      const requestId = await this.repo.insertOutsideRequest(
        m,
        {
          unit_id: me.unitId,
          registered_by: me.userId,
          organ_name: dto.organName.trim(),
          organ_kind: dto.organKind,
          contact_name: dto.contactName.trim(),
          contact_phone: dto.contactPhone.trim(),
          letter_ref: dto.letterRef.trim(),
          received_on: dto.receivedOn,
          purpose: dto.purpose.trim(),
          partner_organ_code: dto.partnerOrganCode ?? null,
          partner_unit_code: dto.partnerUnitCode ?? null,
          addressed_unit_ids: producers,
        },
        items,
      );
      const instance = await this.engine.startProcess(
        OUTSIDE_REQUEST,
        {
          businessKey: requestId,
          ownerUnitId: me.unitId,
          startedBy: me.userId,
          variables: { requestId, title: `${dto.organName.trim()}数据需求（${dto.letterRef.trim()}）`, producerUnits: producers },
        },
        m,
      );
      await this.repo.setOutsideInstance(m, requestId, instance.id);
      return requestId;
    });
    return this.get(me, id);
  }

  list(me: Principal, query: ListOutsideRequestsQuery) {
    return this.repo.listOutsideRequests(me, query);
  }

  async get(me: Principal, id: string) {
    const r = await this.load(this.repo.db.manager, me, id);
    const [datasets, opinions, history, currentTasks, registeredByName] = await Promise.all([
      this.repo.outsideDatasets(id),
      this.repo.outsideOpinions(id),
      this.repo.history(r.instance_id),
      this.repo.currentTasks(r.instance_id),
      this.repo.registrarName(r.registered_by),
    ]);
    return {
      id: r.id,
      instanceId: r.instance_id,
      status: r.status,
      organName: r.organ_name,
      organKind: r.organ_kind,
      contactName: r.contact_name,
      contactPhone: r.contact_phone,
      letterRef: r.letter_ref,
      receivedOn: r.received_on,
      purpose: r.purpose,
      partnerOrganCode: r.partner_organ_code,
      partnerUnitCode: r.partner_unit_code,
      registeredBy: r.registered_by,
      registeredByName,
      reply: await this.replyOf(me, r),
      createdAt: r.created_at,
      closedAt: r.closed_at,
      datasets,
      opinions,
      history,
      currentTasks,
    };
  }

  /**
   * 拟复函: 信息办's drafter writes the 函; it is created as a 公文 of 信息办 (文种 函, 抄送 the producing units) and, for an
   * exchange partner, addressed to the partner's unit through 公文交换. The draft step of the request closes with it.
   */
  async reply(me: Principal, id: string, dto: ReplyDto) {
    await this.assertOffice(me, ['drafter'], '只有信息办的拟稿人可以拟复函');
    const before = await this.load(this.repo.db.manager, me, id);
    const task = await this.repo.openTask(this.repo.db.manager, before.instance_id, 'draftReply');
    if (!(await this.mayDraftReply(before, !!task)))
      throw new ConflictError('DATA_OUTSIDE_NOT_AT_REPLY', `数据需求当前为“${before.status}”，不能拟复函`);
    const producers = await this.repo.producerUnits(this.repo.db.manager, id);
    const draft: CreateDocumentDto = {
      docType: '函',
      title: dto.title.trim(),
      urgency: '平急',
      secrecy: '非密',
      // The outside organ is not a unit of this deployment: it is named in the 正文 (and reached through 公文交换 when it is a partner).
      mainRecipients: [],
      ccRecipients: producers.filter((u) => u !== me.unitId),
      body: dto.body,
    };
    const doc = await this.documents.create(me, draft);
    try {
      if (before.partner_organ_code && before.partner_unit_code)
        await this.exchange.setPartnerRecipients(me, doc.id, [
          { organCode: before.partner_organ_code, unitCode: before.partner_unit_code, unitName: before.organ_name, kind: '主送' },
        ]);
      await this.repo.db.transaction(async (m) => {
        const r = await this.repo.outsideRequest(m, id, true);
        const open = await this.repo.openTask(m, r?.instance_id ?? null, 'draftReply');
        if (!r || !(await this.mayDraftReply(r, !!open))) throw new ConflictError('DATA_OUTSIDE_NOT_AT_REPLY', '复函已由他人拟写，请刷新');
        await this.repo.linkReply(m, id, doc.id, r.partner_organ_code ? '公文交换' : '邮寄/其他');
        if (open) {
          const locked = await this.engine.lockCaseOfTask(open.id, m);
          await this.tasks.recordFeatureAction(m, open.id, me, 'approve', `拟复函《${draft.title}》`);
          await this.engine.completeTask(
            open.id,
            { userId: me.userId, outcome: 'approve', comment: '拟复函', claimBy: me.userId, locked },
            m,
          );
        }
      });
    } catch (error) {
      // The 函 was created in its own transaction: without its request it must not go on (撤销).
      await this.engine.terminate(doc.instanceId, { userId: me.userId, reason: '复函未能登记到数据需求，自动撤销' }).catch((e: unknown) => {
        this.logger.error({ err: e, documentId: doc.id }, 'could not cancel an orphaned reply');
      });
      throw error;
    }
    return this.get(me, id);
  }

  private async mayDraftReply(r: OutsideRequestRow, taskOpen: boolean): Promise<boolean> {
    if (r.status === '待拟复函') return taskOpen && !r.reply_document_id;
    if (r.status !== '复函办理中' || !r.reply_document_id) return false;
    const [doc]: { status: string }[] = await this.repo.db.query(`SELECT status FROM documents WHERE id = $1`, [r.reply_document_id]);
    return DEAD_DOCUMENT.includes(doc?.status ?? '');
  }

  private async replyOf(me: Principal, r: OutsideRequestRow) {
    if (!r.reply_document_id) return null;
    const base = { documentId: r.reply_document_id, channel: r.reply_channel, repliedAt: r.replied_at };
    try {
      const doc = (await this.documents.get(me, r.reply_document_id)) as {
        title: string;
        docNumber: string | null;
        status: string;
        signedAt: Date | null;
      };
      return { ...base, title: doc.title, docNumber: doc.docNumber, status: doc.status, signedAt: doc.signedAt };
    } catch (error) {
      // A producing unit sees the 函 once it received its copy; before that only the link's existence.
      if (error instanceof NotFoundError) return { ...base, title: null, docNumber: null, status: null, signedAt: null };
      throw error;
    }
  }

  private async assertOffice(me: Principal, roles: Principal['roles'], message: string): Promise<void> {
    const units = await this.repo.unitIdsByCode(this.repo.db.manager, [OFFICE_UNIT]);
    if (me.unitId !== units.get(OFFICE_UNIT) || !hasRole(me, ...roles)) throw new ForbiddenError(message);
  }

  private async load(m: EntityManager, me: Principal, id: string): Promise<OutsideRequestRow> {
    if (!UUID.test(id)) throw new NotFoundError('外部门数据需求');
    const r = await this.repo.outsideRequest(m, id);
    if (!r) throw new NotFoundError('外部门数据需求');
    assertVisible(me, { unitPath: r.unit_path, addressedUnitIds: r.addressed_unit_ids }, '外部门数据需求');
    return r;
  }

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown> | void> {
    if (!e.businessKey) return;
    if (e.activityId === 'draftReply' && e.outcome === 'approve') {
      // 拟复函 closes only with its 函 (the reply route links it first, in the same transaction): not from the inbox alone.
      const r = await this.repo.outsideRequest(e.tx, e.businessKey);
      if (!r?.reply_document_id)
        throw new ConflictError('DATA_OUTSIDE_REPLY_MISSING', '请在数据需求页面起草复函，复函起草后本环节自动办结');
      return;
    }
    if (e.activityId !== 'opinion') return;
    const opinion = e.input.opinion;
    if (typeof opinion !== 'string' || !(OPINIONS as readonly string[]).includes(opinion))
      throw field('variables.opinion', `请选择意见：${OPINIONS.join('、')}`);
    const unitId = await this.repo.taskUnit(e.tx, e.taskId);
    if (!unitId) throw new ConflictError('DATA_OUTSIDE_NO_UNIT', '该意见任务没有对应的数据生产单位');
    await this.repo.recordOpinion(e.tx, { requestId: e.businessKey, unitId, userId: e.userId, opinion, comment: e.comment ?? null });
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const m = e.tx;
    const r = e.businessKey && UUID.test(e.businessKey) ? await this.repo.outsideRequest(m, e.businessKey) : undefined;
    if (!r)
      throw new AppError(
        'DATA_OUTSIDE_MISSING',
        '该流程没有对应的外部门数据需求（请通过“登记外部门数据需求”发起）',
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    if (e.status === 'terminated') return void (await this.repo.setOutsideStatus(m, r.id, '已终止', true));
    if (e.createdTasks.some((t) => t.activityId === 'draftReply')) await this.repo.setOutsideStatus(m, r.id, '待拟复函');
  }

  /** In the 函's 分发 transaction: the request it answers is closed, and 信息办 and the producing units are told. */
  private async onReplyDistributed(m: EntityManager, documentId: string): Promise<void> {
    const answered = await this.repo.markReplied(m, documentId);
    for (const r of answered) {
      const to = [...new Set([r.registered_by, ...(await this.repo.opinionUsers(m, r.id))])];
      await this.repo.outbox(m, 'data-outside-request.replied', {
        to,
        subject: `${r.organ_name}的数据需求已复函`,
        link: `/data-release/outside/${r.id}`,
      });
    }
  }
}
