import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AttachmentsService } from '../files/attachments.service';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import type { CreateReleaseRequestDto, ListReleaseRequestsQuery, ListReleasesQuery, ReleaseStatus } from './data-release.dto';
import { RELEASE_CHANNELS } from './data-release.dto';
import { DataReleaseRepository, type ReleaseRequestRow } from './data-release.repository';

export const DATA_RELEASE = 'data-release';
/** 信息办 approves in the ministry's name; 信息中心 releases, except 地质调查 data, which 地调局 releases (seed clause 十一). */
export const OFFICE_UNIT = 'MLR-XXB';
export const CENTER_UNIT = 'MLR-XXZX';
export const GEOLOGY_UNIT = 'MLR-CGS';
export const GEOLOGY_CATEGORY = '地质调查';
/** Units that may ask to release data in the ministry's name: the ministry's own departments, offices, centres and affiliated units. */
const REQUESTING_KINDS = ['department', 'office', 'center', 'affiliated'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS_AT: Record<string, ReleaseStatus> = { review: '待审核', approve: '待批准', release: '待发布' };
const REFUSED_ENDS = ['refusedByOwner', 'refusedByMinistry'];

/**
 * 以部名义发布数据: a department asks to release one catalogue dataset (to whom, why, how much); the dataset's
 * owner unit reviews, 信息办 approves in the ministry's name, and the releasing unit (信息中心, or 地调局 for
 * 地质调查 data) releases it, which writes the release register. The request row follows the `data-release` case.
 */
@Injectable()
export class DataReleaseService implements OnModuleInit {
  constructor(
    private readonly repo: DataReleaseRepository,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // The requester attaches supporting papers (样例数据说明, 审定文件) until the owner unit has reviewed.
    this.attachments.registerOwner('data-release', {
      canRead: (me, id, m) =>
        this.load(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const r = await this.load(m, me, id);
        return r.requester_id === me.userId && r.status === '待审核';
      },
    });
    this.engine.listen(DATA_RELEASE, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
  }

  /** The release unit of a dataset: 地调局 for 地质调查 data, 信息中心 for the rest. */
  static releaseUnitCode(category: string): string {
    return category === GEOLOGY_CATEGORY ? GEOLOGY_UNIT : CENTER_UNIT;
  }

  async create(me: Principal, dto: CreateReleaseRequestDto) {
    if (!hasRole(me, 'drafter')) throw new ForbiddenError('只有承办人（拟稿）可以提出数据发布申请');
    const id = await this.repo.db.transaction(async (m) => {
      const unit = await this.repo.unitOf(m, me.unitId);
      if (!unit.isTopLevel || !REQUESTING_KINDS.includes(unit.kind))
        throw new ForbiddenError('只有部机关司局、信息中心和直属单位可以申请以部名义发布数据');
      const [dataset] = await this.repo.datasets(m, [dto.datasetId]);
      if (!dataset) throw field('datasetId', '所选数据资源不在数据目录中，请重新选择');
      if (dataset.share_level === '不予共享')
        throw new AppError('DATASET_NOT_RELEASABLE', `数据资源“${dataset.name}”为不予共享，不能发布`, HttpStatus.UNPROCESSABLE_ENTITY);
      if (dataset.secrecy === '秘密' || dataset.secrecy === '机密')
        throw new AppError(
          'DATASET_CLASSIFIED',
          `数据资源“${dataset.name}”为${dataset.secrecy}，涉密数据不得发布`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      if (dto.audienceType === '社会公众' && dataset.secrecy !== '公开')
        throw new AppError(
          'DATASET_NOT_PUBLIC',
          `数据资源“${dataset.name}”密级为${dataset.secrecy}，不能向社会公众发布`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      if (!dataset.owner_unit_id)
        throw new AppError(
          'DATASET_OWNER_UNKNOWN',
          `数据资源“${dataset.name}”的主管单位尚未配置，请联系信息办`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      const releaseCode = DataReleaseService.releaseUnitCode(dataset.category);
      const units = await this.repo.unitIdsByCode(m, [OFFICE_UNIT, releaseCode]);
      const office = units.get(OFFICE_UNIT);
      const releaseUnit = units.get(releaseCode);
      if (!office || !releaseUnit)
        throw new AppError(
          'UNIT_MISSING',
          `组织机构中缺少单位 ${office ? releaseCode : OFFICE_UNIT}，请联系系统管理员`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      const requestId = await this.repo.insertReleaseRequest(m, {
        unit_id: me.unitId,
        requester_id: me.userId,
        dataset_id: dataset.id,
        owner_unit_id: dataset.owner_unit_id,
        release_unit_id: releaseUnit,
        audience_type: dto.audienceType,
        audience: dto.audience.trim(),
        purpose: dto.purpose.trim(),
        scope: dto.scope.trim(),
        addressed_unit_ids: [...new Set([dataset.owner_unit_id, office, releaseUnit])],
      });
      // Routing comes from the record: who reviews (the owner unit) and who releases are not the requester's to choose.
      const instance = await this.engine.startProcess(
        DATA_RELEASE,
        {
          businessKey: requestId,
          ownerUnitId: me.unitId,
          startedBy: me.userId,
          variables: {
            requestId,
            title: `发布“${dataset.name}”（${dto.audienceType}）`,
            ownerUnit: dataset.owner_unit_id,
            releaseUnit,
          },
        },
        m,
      );
      await this.repo.setReleaseInstance(m, requestId, instance.id);
      return requestId;
    });
    return this.get(me, id);
  }

  list(me: Principal, query: ListReleaseRequestsQuery) {
    return this.repo.listReleaseRequests(me, query);
  }

  async get(me: Principal, id: string) {
    const r = await this.load(this.repo.db.manager, me, id);
    const [detail, history, currentTasks, release] = await Promise.all([
      this.repo.releaseRequestDetail(id),
      this.repo.history(r.instance_id),
      this.repo.currentTasks(r.instance_id),
      this.repo.releaseOf(id),
    ]);
    return {
      id: r.id,
      instanceId: r.instance_id,
      status: r.status,
      unitId: r.unit_id,
      requesterId: r.requester_id,
      audienceType: r.audience_type,
      audience: r.audience,
      purpose: r.purpose,
      scope: r.scope,
      lastOpinion: r.last_opinion,
      ownerUnitId: r.owner_unit_id,
      releaseUnitId: r.release_unit_id,
      ...detail,
      createdAt: r.created_at,
      closedAt: r.closed_at,
      release,
      history,
      currentTasks,
    };
  }

  /** 数据发布登记: every release, open to every signed-in person. */
  releases(query: ListReleasesQuery) {
    return this.repo.listReleases(query);
  }

  private async load(m: EntityManager, me: Principal, id: string): Promise<ReleaseRequestRow> {
    if (!UUID.test(id)) throw new NotFoundError('数据发布申请');
    const r = await this.repo.releaseRequest(m, id);
    if (!r) throw new NotFoundError('数据发布申请');
    assertVisible(me, { unitPath: r.unit_path, addressedUnitIds: r.addressed_unit_ids }, '数据发布申请');
    return r;
  }

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown> | void> {
    const m = e.tx;
    const id = e.businessKey;
    if (!id) return;
    const r = await this.repo.releaseRequest(m, id, true);
    if (!r) throw new AppError('DATA_RELEASE_MISSING', '该流程没有对应的数据发布申请', HttpStatus.UNPROCESSABLE_ENTITY);
    if (e.outcome === 'reject' || e.outcome === 'return') {
      await this.repo.setReleaseFields(m, id, { last_opinion: e.comment ?? null });
      return;
    }
    if (e.activityId === 'review') await this.repo.setReleaseFields(m, id, { reviewed_by: e.userId });
    if (e.activityId === 'approve') await this.repo.setReleaseFields(m, id, { approved_by: e.userId });
    if (e.activityId === 'release') await this.recordRelease(m, r, e);
  }

  /** The release step writes the register; a request not approved by 信息办 cannot reach it (409 if it somehow did). */
  private async recordRelease(m: EntityManager, r: ReleaseRequestRow, e: TaskCompletingEvent): Promise<void> {
    const channel = e.input.channel;
    if (typeof channel !== 'string' || !(RELEASE_CHANNELS as readonly string[]).includes(channel))
      throw field('variables.channel', `发布渠道须为：${RELEASE_CHANNELS.join('、')}`);
    const link = typeof e.input.link === 'string' && e.input.link.trim() !== '' ? e.input.link.trim() : null;
    if (r.status !== '待发布' || !r.approved_by)
      throw new ConflictError('DATA_RELEASE_NOT_APPROVED', '数据发布申请尚未经信息办批准，不能发布');
    const rows = await this.repo.insertRelease(m, { requestId: r.id, channel, link, releasedBy: e.userId });
    if (rows.length === 0) throw new ConflictError('DATA_RELEASE_NOT_APPROVED', '数据发布申请尚未经信息办批准，不能发布');
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const m = e.tx;
    const id = e.businessKey;
    // A release case begins only with its request: a start through the generic API is refused.
    const r = id && UUID.test(id) ? await this.repo.releaseRequest(m, id) : undefined;
    if (!r)
      throw new AppError(
        'DATA_RELEASE_MISSING',
        '该流程没有对应的数据发布申请（请通过“数据发布申请”发起）',
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    const link = `/data-release/requests/${r.id}`;
    const what = `“${await this.repo.datasetName(m, r.dataset_id)}”的发布申请`;
    if (e.status === 'terminated') {
      await this.repo.setReleaseFields(m, r.id, { status: '已终止' }, true);
      return void (await this.repo.outbox(m, 'data-release.terminated', { to: [r.requester_id], subject: `${what}已终止办理`, link }));
    }
    if (e.status === 'completed') {
      if (e.endedActivities.some((a) => REFUSED_ENDS.includes(a))) {
        await this.repo.setReleaseFields(m, r.id, { status: '不予发布' }, true);
        return void (await this.repo.outbox(m, 'data-release.refused', {
          to: [r.requester_id],
          subject: `${what}不予发布`,
          link,
          opinion: r.last_opinion,
        }));
      }
      await this.repo.setReleaseFields(m, r.id, { status: '已发布' }, true);
      return void (await this.repo.outbox(m, 'data-release.released', { to: [r.requester_id], subject: `${what}已发布`, link }));
    }
    const next = e.createdTasks.map((t) => STATUS_AT[t.activityId]).find(Boolean);
    if (next) await this.repo.setReleaseFields(m, r.id, { status: next });
  }
}

export function field(name: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
}
