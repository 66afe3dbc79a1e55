import { HttpStatus, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { renderDataHandoverSheet, type DataHandoverSheet } from '@zhengwu/pdf';
import { DataSource, EntityManager } from 'typeorm';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { applyDataScope, assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { AttachmentsService } from '../files/attachments.service';
import { DemoCases, type DemoContext } from '../seed/demo-cases';
import { TasksService } from '../tasks/tasks.service';
import type { CommentDto, CreateDataRequestDto, DataRequestStatus, ListDataRequestsQuery, UpdateDataRequestDto } from './data-requests.dto';

export const DATA_REQUEST = 'data-request';
/** 信息办 reviews, 信息中心 provides (seed clause 十一). */
const OFFICE_UNIT = 'MLR-XXB';
const PROVIDER_UNIT = 'MLR-XXZX';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_PERIOD_DAYS = 3 * 366;

/** The status a request takes when the case opens a task at this step. */
const STATUS_AT: Record<string, DataRequestStatus> = {
  sign: '待签批',
  review: '待审核',
  consult: '待会商',
  provide: '待提供',
  confirm: '待确认',
};
const REFUSED_ENDS = ['refusedBySigner', 'refusedByOffice', 'refusedByOwner'];

interface RequestRow {
  id: string;
  instance_id: string | null;
  unit_id: string;
  unit_path: string;
  unit_name: string;
  applicant_id: string;
  title: string;
  region_code: string | null;
  region_name: string;
  purpose: string;
  period_from: string;
  period_to: string;
  format: string;
  contact_name: string;
  contact_phone: string;
  status: DataRequestStatus;
  addressed_unit_ids: string[];
  last_opinion: string | null;
  provided_file: string | null;
  provided_link: string | null;
  provided_expires_at: string | null;
  provided_by: string | null;
  provided_at: Date | null;
  received_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface Fields {
  title: string;
  datasetIds: string[];
  regionCode: string | null;
  regionName: string;
  purpose: string;
  periodFrom: string;
  periodTo: string;
  format: string;
  contactName: string;
  contactPhone: string;
}

const field = (name: string, message: string, text = message) =>
  new AppError('VALIDATION_FAILED', text, HttpStatus.BAD_REQUEST, [{ field: name, message }]);

/**
 * 数据使用申请: a unit applies in writing to use 一张图 / supervision data; its leader signs, 信息办
 * reviews, every department owning a requested dataset approves (会签), 信息中心 provides, the
 * applicant confirms receipt. The request row follows the `data-request` case through the listener.
 */
@Injectable()
export class DataRequestsService implements OnModuleInit {
  private readonly logger = new Logger(DataRequestsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
    private readonly demoCases: DemoCases,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // The applicant attaches the signed application until the leader acts (or while returned); 信息中心
    // attaches the data itself while providing it.
    this.attachments.registerOwner('data-request', {
      canRead: (me, id, m) =>
        this.load(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const request = await this.load(m, me, id);
        if (request.applicant_id === me.userId) return ['待签批', '退回修改'].includes(request.status);
        const [provider] = await this.unitIdsByCode(m, [PROVIDER_UNIT]);
        return request.status === '待提供' && me.unitId === provider && hasRole(me, 'data-admin');
      },
    });
    this.engine.listen(DATA_REQUEST, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
    this.demoCases.register(DATA_REQUEST, (ctx) => this.seedDemo(ctx));
  }

  /** The data catalogue (数据资源目录), open to every signed-in person. */
  async datasets() {
    const items = await this.dataSource.query(
      `SELECT d.id, d.code, d.name, d.category, d.description, d.secrecy, d.formats, d.owner_unit_code AS "ownerUnitCode",
              u.id AS "ownerUnitId", u.name AS "ownerUnitName"
         FROM datasets d LEFT JOIN units u ON u.code = d.owner_unit_code WHERE d.is_active AND d.share_level <> '不予共享' ORDER BY d.sort, d.code`,
    );
    return { items };
  }

  /** 书面申请: the request is written and submitted in one step (the applicant's 填写申请 is completed at once). */
  async create(me: Principal, dto: CreateDataRequestDto) {
    if (!hasRole(me, 'drafter')) throw new ForbiddenError('只有承办人（拟稿）可以提出数据使用申请');
    const fields = normalise(dto);
    const id = await this.dataSource.transaction(async (m) => {
      const owners = await this.checkFields(m, fields);
      const [office, provider] = await this.unitIdsByCode(m, [OFFICE_UNIT, PROVIDER_UNIT]);
      const [row]: { id: string }[] = await m.query(
        `INSERT INTO data_requests (unit_id, applicant_id, title, region_code, region_name, purpose, period_from, period_to, format,
                                    contact_name, contact_phone, addressed_unit_ids)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
        [
          me.unitId,
          me.userId,
          fields.title,
          fields.regionCode,
          fields.regionName,
          fields.purpose,
          fields.periodFrom,
          fields.periodTo,
          fields.format,
          fields.contactName,
          fields.contactPhone,
          unique([office, ...owners.map((o) => o.ownerUnitId), provider]),
        ],
      );
      await this.writeItems(m, row.id, owners);
      const instance = await this.engine.startProcess(
        DATA_REQUEST,
        {
          businessKey: row.id,
          variables: {
            applicant: me.userId,
            title: fields.title,
            requestId: row.id,
            consultObjected: false,
            ownerUnits: unique(owners.map((o) => o.ownerUnitId)),
          },
          ownerUnitId: me.unitId,
          startedBy: me.userId,
        },
        m,
      );
      await m.query(`UPDATE data_requests SET instance_id = $2 WHERE id = $1`, [row.id, instance.id]);
      const [apply]: { id: string }[] = await m.query(
        `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'apply' AND status = 'open'`,
        [instance.id],
      );
      // Recorded like an inbox action, so the case's history starts with the application itself.
      await this.tasks.recordFeatureAction(m, apply.id, me, 'approve', '提交申请');
      await this.engine.completeTask(apply.id, { userId: me.userId, outcome: 'approve', comment: '提交申请' }, m);
      return row.id;
    });
    return this.get(me, id);
  }

  /** Correcting a returned request: only the applicant, only while 退回修改. */
  async update(me: Principal, id: string, dto: UpdateDataRequestDto) {
    await this.dataSource.transaction(async (m) => {
      const request = await this.load(m, me, id, true);
      if (request.applicant_id !== me.userId) throw new ForbiddenError('只有申请人可以修改申请');
      if (request.status !== '退回修改')
        throw new ConflictError('DATA_REQUEST_NOT_EDITABLE', `申请当前为“${request.status}”，只有退回修改时可以修改`);
      const items: { dataset_id: string }[] = await m.query(`SELECT dataset_id FROM data_request_items WHERE request_id = $1`, [id]);
      const fields = normalise({
        title: dto.title ?? request.title,
        datasetIds: dto.datasetIds ?? items.map((i) => i.dataset_id),
        regionCode: dto.regionCode ?? request.region_code ?? undefined,
        regionName: dto.regionName ?? request.region_name,
        purpose: dto.purpose ?? request.purpose,
        periodFrom: dto.periodFrom ?? request.period_from,
        periodTo: dto.periodTo ?? request.period_to,
        format: (dto.format ?? request.format) as CreateDataRequestDto['format'],
        contactName: dto.contactName ?? request.contact_name,
        contactPhone: dto.contactPhone ?? request.contact_phone,
      });
      const owners = await this.checkFields(m, fields);
      const [office, provider] = await this.unitIdsByCode(m, [OFFICE_UNIT, PROVIDER_UNIT]);
      await m.query(
        `UPDATE data_requests SET title = $2, region_code = $3, region_name = $4, purpose = $5, period_from = $6, period_to = $7, format = $8,
                contact_name = $9, contact_phone = $10, addressed_unit_ids = $11, updated_at = now() WHERE id = $1`,
        [
          id,
          fields.title,
          fields.regionCode,
          fields.regionName,
          fields.purpose,
          fields.periodFrom,
          fields.periodTo,
          fields.format,
          fields.contactName,
          fields.contactPhone,
          // Units that already acted keep seeing the request they acted on.
          unique([...request.addressed_unit_ids, office, ...owners.map((o) => o.ownerUnitId), provider]),
        ],
      );
      await m.query(`DELETE FROM data_request_items WHERE request_id = $1`, [id]);
      await this.writeItems(m, id, owners);
    });
    return this.get(me, id);
  }

  /** Resubmits a returned request (completes 填写申请 again, with the owners of the datasets as they are now). */
  async submit(me: Principal, id: string, dto: CommentDto) {
    const request = await this.load(this.dataSource.manager, me, id);
    if (request.status !== '退回修改')
      throw new ConflictError('DATA_REQUEST_NOT_SUBMITTABLE', `申请当前为“${request.status}”，不能重新提交`);
    const task = await this.openTask(request.instance_id, 'apply');
    if (!task) throw new ConflictError('DATA_REQUEST_NOT_SUBMITTABLE', '申请当前不在填写环节，请刷新');
    await this.tasks.act(me, task.id, { action: 'approve', comment: dto.comment ?? '修改后重新提交' });
    return this.get(me, id);
  }

  /** 确认接收 by the applicant. */
  async confirm(me: Principal, id: string, dto: CommentDto) {
    const request = await this.load(this.dataSource.manager, me, id);
    const task = await this.openTask(request.instance_id, 'confirm');
    if (!task) throw new ConflictError('DATA_REQUEST_NOT_PROVIDED', `申请当前为“${request.status}”，尚不能确认接收`);
    await this.tasks.act(me, task.id, { action: 'approve', comment: dto.comment ?? '已接收数据' });
    return this.get(me, id);
  }

  async list(me: Principal, query: ListDataRequestsQuery) {
    const qb = this.dataSource.createQueryBuilder().from('data_requests', 'r').innerJoin('units', 'u', 'u.id = r.unit_id').where('1 = 1');
    applyDataScope(qb, me, { unitColumn: 'r.unit_id', addressedColumn: 'r.addressed_unit_ids' });
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.datasetId)
      qb.andWhere('EXISTS (SELECT 1 FROM data_request_items i WHERE i.request_id = r.id AND i.dataset_id = :datasetId)', {
        datasetId: query.datasetId,
      });
    if (query.keyword)
      qb.andWhere(
        `(r.title ILIKE :kw ESCAPE '\\' OR r.purpose ILIKE :kw ESCAPE '\\' OR r.region_name ILIKE :kw ESCAPE '\\' OR u.name ILIKE :kw ESCAPE '\\')`,
        { kw: `%${query.keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
      );
    const counted = await qb.clone().select('count(*)::int', 'n').getRawOne<{ n: number }>();
    const items = await qb
      .select(
        `r.id, r.title, r.status, r.region_name AS "regionName", to_char(r.period_from, 'YYYY-MM-DD') AS "periodFrom",
         to_char(r.period_to, 'YYYY-MM-DD') AS "periodTo", r.format, r.unit_id AS "unitId", u.name AS "unitName", r.created_at AS "createdAt",
         r.updated_at AS "updatedAt",
         (SELECT array_agg(d.name ORDER BY d.sort) FROM data_request_items i JOIN datasets d ON d.id = i.dataset_id WHERE i.request_id = r.id) AS "datasetNames"`,
      )
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(query.limit)
      .offset(query.offset)
      .getRawMany();
    return { items, total: counted?.n ?? 0 };
  }

  async get(me: Principal, id: string) {
    const r = await this.load(this.dataSource.manager, me, id);
    const [datasets, history, currentTasks, handover] = await Promise.all([
      this.dataSource.query(
        `SELECT d.id, d.code, d.name, d.secrecy, i.owner_unit_id AS "ownerUnitId", u.name AS "ownerUnitName"
           FROM data_request_items i JOIN datasets d ON d.id = i.dataset_id JOIN units u ON u.id = i.owner_unit_id
          WHERE i.request_id = $1 ORDER BY d.sort`,
        [id],
      ),
      this.dataSource.query(
        `SELECT a.action, a.comment, a.at, t.name AS "taskName", u.display_name AS "userName", un.name AS "unitName"
           FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN tasks t ON t.id = a.task_id
          WHERE a.instance_id = $1 ORDER BY a.id`,
        [r.instance_id],
      ),
      this.dataSource.query(
        `SELECT t.id, t.name, t.activity_id AS "activityId", t.due_at AS "dueAt", t.candidate_units AS "candidateUnits",
                u.display_name AS "assigneeName"
           FROM tasks t LEFT JOIN users u ON u.id::text = t.assignee WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at`,
        [r.instance_id],
      ),
      this.dataSource.query(
        `SELECT id FROM attachments WHERE owner_kind = 'data-request' AND owner_id = $1 AND is_generated AND deleted_at IS NULL
          ORDER BY uploaded_at DESC LIMIT 1`,
        [id],
      ) as Promise<{ id: string }[]>,
    ]);
    return {
      id: r.id,
      instanceId: r.instance_id,
      title: r.title,
      status: r.status,
      unitId: r.unit_id,
      unitName: r.unit_name,
      applicantId: r.applicant_id,
      regionCode: r.region_code,
      regionName: r.region_name,
      purpose: r.purpose,
      periodFrom: r.period_from,
      periodTo: r.period_to,
      format: r.format,
      contactName: r.contact_name,
      contactPhone: r.contact_phone,
      lastOpinion: r.last_opinion,
      datasets,
      provision: r.provided_at
        ? {
            fileName: r.provided_file,
            link: r.provided_link,
            expiresAt: r.provided_expires_at,
            providedAt: r.provided_at,
            receivedAt: r.received_at,
          }
        : null,
      /** 数据提供交接单 (PDF), made when the applicant confirmed receipt. */
      handoverAttachmentId: handover[0]?.id ?? null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      closedAt: r.closed_at,
      history,
      currentTasks,
    };
  }

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown> | void> {
    const m = e.tx;
    const id = e.businessKey;
    if (!id) return;
    if (e.outcome === 'return' || e.outcome === 'reject') {
      await m.query(`UPDATE data_requests SET last_opinion = $2, updated_at = now() WHERE id = $1`, [id, e.comment ?? null]);
      // One owner's objection ends the 会签 at once (the diagram's completion condition reads this flag).
      return e.activityId === 'consult' ? { consultObjected: true } : undefined;
    }
    // The data owners who review, and the title the next steps show, come from the record as submitted.
    if (e.activityId === 'apply') {
      const owners: { owner_unit_id: string }[] = await m.query(
        `SELECT DISTINCT owner_unit_id FROM data_request_items WHERE request_id = $1 ORDER BY owner_unit_id`,
        [id],
      );
      const [row]: { title: string }[] = await m.query(`SELECT title FROM data_requests WHERE id = $1`, [id]);
      return { title: row.title, ownerUnits: owners.map((o) => o.owner_unit_id) };
    }
    // Each round of 会签 starts without objections.
    if (e.activityId === 'review') return { consultObjected: false };
    if (e.activityId === 'provide') return this.recordProvision(m, id, e);
    if (e.activityId === 'confirm') {
      await m.query(`UPDATE data_requests SET received_at = now(), updated_at = now() WHERE id = $1`, [id]);
      await this.storeHandoverSheet(m, id, e.userId);
    }
  }

  /**
   * 数据提供交接单 PDF, made in the confirming transaction: if it cannot be made the confirmation
   * rolls back, so a finished request always has its signed-off sheet.
   */
  private async storeHandoverSheet(m: EntityManager, id: string, receiverId: string): Promise<void> {
    const [r]: {
      title: string;
      unit_name: string;
      region_code: string | null;
      region_name: string;
      period_from: string;
      period_to: string;
      provided_file: string | null;
      provided_link: string | null;
      provided_expires_at: string | null;
      provided_at: Date | null;
      provider_name: string | null;
      provider_unit: string | null;
      received_at: Date;
    }[] = await m.query(
      `SELECT r.title, u.name AS unit_name, r.region_code, r.region_name, to_char(r.period_from, 'YYYY-MM-DD') AS period_from,
              to_char(r.period_to, 'YYYY-MM-DD') AS period_to, r.provided_file, r.provided_link,
              to_char(r.provided_expires_at, 'YYYY-MM-DD') AS provided_expires_at, r.provided_at, r.received_at,
              pu.display_name AS provider_name, pun.name AS provider_unit
         FROM data_requests r JOIN units u ON u.id = r.unit_id
         LEFT JOIN users pu ON pu.id = r.provided_by LEFT JOIN units pun ON pun.id = pu.unit_id
        WHERE r.id = $1`,
      [id],
    );
    if (!r?.provided_at || !r.provided_expires_at)
      throw new ConflictError('DATA_REQUEST_NOT_PROVIDED', '数据尚未提供，不能生成数据提供交接单');
    const [receiver]: { name: string; unit_id: string; unit_name: string }[] = await m.query(
      `SELECT u.display_name AS name, u.unit_id, un.name AS unit_name FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id = $1`,
      [receiverId],
    );
    const datasets: { code: string; name: string; owner: string }[] = await m.query(
      `SELECT d.code, d.name, u.name AS owner FROM data_request_items i JOIN datasets d ON d.id = i.dataset_id
         JOIN units u ON u.id = i.owner_unit_id WHERE i.request_id = $1 ORDER BY d.sort, d.code`,
      [id],
    );
    const delivery = [r.provided_file && `数据文件：${r.provided_file}`, r.provided_link && `下载地址：${r.provided_link}`]
      .filter(Boolean)
      .join('；');
    const receivedAt = r.received_at.toISOString();
    const provider = r.provider_unit ?? '';
    const sheet: DataHandoverSheet = {
      requestTitle: r.title,
      applicantUnit: r.unit_name,
      datasets,
      region: r.region_code ? `${r.region_name}（${r.region_code}）` : r.region_name,
      period: `${r.period_from} 至 ${r.period_to}`,
      delivery,
      expiresAt: r.provided_expires_at,
      providedBy: `${provider} ${r.provider_name ?? ''}`.trim(),
      providedAt: r.provided_at.toISOString(),
      receivedBy: `${receiver.unit_name} ${receiver.name}`,
      receivedAt,
      metadata: {
        title: `数据提供交接单（${r.title}）`,
        author: provider,
        subject: r.title,
        keywords: ['数据提供交接单', ...datasets.map((d) => d.code)],
        createdAt: receivedAt,
      },
    };
    const content = await this.renderHandover(sheet);
    await this.attachments.storeGenerated(m, {
      ownerKind: 'data-request',
      ownerId: id,
      name: '数据提供交接单.pdf',
      content,
      uploadedBy: receiverId,
      unitId: receiver.unit_id,
    });
  }

  /** The layout call: a failure becomes an answer a person can act on, and the command rolls back. */
  private async renderHandover(sheet: DataHandoverSheet): Promise<Buffer> {
    try {
      return await renderDataHandoverSheet(sheet);
    } catch (error) {
      // The cause goes to the log, not to the person: it may name files and fonts of the server.
      this.logger.error({ err: error, requestTitle: sheet.requestTitle }, 'data handover sheet rendering failed');
      throw new AppError(
        'PDF_RENDER_FAILED',
        '数据提供交接单 PDF 生成失败，本次确认接收未生效，请稍后重试或联系系统管理员',
        HttpStatus.INTERNAL_SERVER_ERROR,
      );
    }
  }

  /** 信息中心 names the file or link and how long it stays available; refused (400) without them. */
  private async recordProvision(m: EntityManager, id: string, e: TaskCompletingEvent): Promise<Record<string, unknown>> {
    const input = e.input;
    const fileName = typeof input.fileName === 'string' ? input.fileName.trim() : '';
    if (fileName.length === 0 || fileName.length > 200)
      throw field('variables.fileName', '请填写提供的数据文件名（不超过 200 字）', '提供数据须填写数据文件名');
    const link = input.link === undefined || input.link === null || input.link === '' ? null : input.link;
    if (link !== null && (typeof link !== 'string' || link.length > 500 || !/^(https?|ftp|sftp):\/\/\S+$/.test(link)))
      throw field('variables.link', '下载地址须为 http(s)、ftp 或 sftp 链接', '下载地址不正确');
    const expiresAt = typeof input.expiresAt === 'string' ? input.expiresAt : '';
    const [request]: { period_to: string; today: string }[] = await m.query(
      `SELECT to_char(period_to, 'YYYY-MM-DD') AS period_to, to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS today
         FROM data_requests WHERE id = $1`,
      [id],
    );
    if (!DATE.test(expiresAt) || Number.isNaN(Date.parse(expiresAt)))
      throw field('variables.expiresAt', '请填写数据有效期（YYYY-MM-DD）', '提供数据须填写有效期');
    if (expiresAt <= request.today) throw field('variables.expiresAt', '有效期须晚于今天', '数据有效期须晚于今天');
    if (expiresAt > request.period_to)
      throw field('variables.expiresAt', `不能晚于申请的使用期限（${request.period_to}）`, '数据有效期不能超过申请的使用期限');
    await m.query(
      `UPDATE data_requests SET provided_file = $2, provided_link = $3, provided_expires_at = $4, provided_by = $5, provided_at = now(),
              updated_at = now() WHERE id = $1`,
      [id, fileName, link, expiresAt, e.userId],
    );
    return { providedFile: fileName, providedExpiresAt: expiresAt };
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const m = e.tx;
    const id = e.businessKey;
    if (!id) return;
    const [request]: { title: string; unit_id: string; applicant_id: string; last_opinion: string | null; provided_file: string | null }[] =
      await m.query(`SELECT title, unit_id, applicant_id, last_opinion, provided_file FROM data_requests WHERE id = $1`, [id]);
    if (!request) return;
    const notify = (topic: string, subject: string, extra: Record<string, unknown> = {}) =>
      m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [
        topic,
        JSON.stringify({ requestId: id, unitId: request.unit_id, recipients: [request.applicant_id], subject, ...extra }),
      ]);
    const close = (status: DataRequestStatus) =>
      m.query(`UPDATE data_requests SET status = $2, closed_at = now(), updated_at = now() WHERE id = $1`, [id, status]);
    if (e.status === 'terminated') {
      await close('已终止');
      return void (await notify('data-request.terminated', `数据使用申请《${request.title}》已终止办理`));
    }
    if (e.status === 'completed') {
      if (e.endedActivities.some((a) => REFUSED_ENDS.includes(a))) {
        await close('不予提供');
        return void (await notify('data-request.refused', `数据使用申请《${request.title}》不予提供：${request.last_opinion ?? ''}`, {
          opinion: request.last_opinion,
        }));
      }
      await close('已完成');
      return void (await notify('data-request.completed', `数据使用申请《${request.title}》已办结`));
    }
    const created = e.createdTasks.map((t) => t.activityId);
    if (created.includes('apply')) {
      // The first 填写申请 is completed within the same command that starts the case.
      if (e.endedActivities.includes('start')) return;
      await this.setStatus(m, id, '退回修改');
      return void (await notify('data-request.returned', `数据使用申请《${request.title}》被退回修改：${request.last_opinion ?? ''}`, {
        opinion: request.last_opinion,
      }));
    }
    const next = created.map((a) => STATUS_AT[a]).find(Boolean);
    if (next) await this.setStatus(m, id, next);
    if (created.includes('confirm'))
      await notify('data-request.provided', `数据使用申请《${request.title}》的数据已提供（${request.provided_file}），请确认接收`);
  }

  private setStatus(m: EntityManager, id: string, status: DataRequestStatus): Promise<unknown> {
    return m.query(`UPDATE data_requests SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  /** Dates in order and within three years, and every dataset in the catalogue with a known owner. */
  private async checkFields(m: EntityManager, f: Fields): Promise<{ datasetId: string; ownerUnitId: string }[]> {
    for (const [name, value] of [
      ['periodFrom', f.periodFrom],
      ['periodTo', f.periodTo],
    ] as const) {
      const date = new Date(`${value}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
        throw field(name, '不是有效日期', `${value} 不是有效日期`);
    }
    if (f.periodTo < f.periodFrom) throw field('periodTo', '不能早于使用期限起', '使用期限止不能早于使用期限起');
    const [{ today }]: { today: string }[] = await m.query(`SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS today`);
    if (f.periodTo < today) throw field('periodTo', '使用期限已过', '使用期限止不能早于今天');
    const days = (Date.parse(f.periodTo) - Date.parse(f.periodFrom)) / 86_400_000;
    if (days > MAX_PERIOD_DAYS) throw field('periodTo', '使用期限不超过 3 年', '使用期限不能超过 3 年');
    const rows: { id: string; name: string; owner_unit_id: string | null }[] = await m.query(
      `SELECT d.id, d.name, u.id AS owner_unit_id FROM datasets d LEFT JOIN units u ON u.code = d.owner_unit_code
        WHERE d.id = ANY($1::uuid[]) AND d.is_active AND d.share_level <> '不予共享'`,
      [f.datasetIds],
    );
    if (rows.length !== f.datasetIds.length) throw field('datasetIds', '有数据资源不在目录中', '所选数据资源不在数据目录中，请重新选择');
    const orphan = rows.find((r) => !r.owner_unit_id);
    if (orphan)
      throw new AppError(
        'DATASET_OWNER_UNKNOWN',
        `数据资源“${orphan.name}”的主管单位尚未配置，请联系信息办`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    return f.datasetIds.map((datasetId) => ({ datasetId, ownerUnitId: rows.find((r) => r.id === datasetId)!.owner_unit_id! }));
  }

  private async writeItems(m: EntityManager, requestId: string, owners: { datasetId: string; ownerUnitId: string }[]): Promise<void> {
    await m.query(
      `INSERT INTO data_request_items (request_id, dataset_id, owner_unit_id) SELECT $1, d, o FROM unnest($2::uuid[], $3::uuid[]) AS x(d, o)`,
      [requestId, owners.map((o) => o.datasetId), owners.map((o) => o.ownerUnitId)],
    );
  }

  private async unitIdsByCode(m: EntityManager, codes: string[]): Promise<string[]> {
    const rows: { id: string; code: string }[] = await m.query(`SELECT id, code FROM units WHERE code = ANY($1)`, [codes]);
    return codes.map((code) => {
      const row = rows.find((r) => r.code === code);
      if (!row) throw new AppError('UNIT_MISSING', `组织机构中缺少单位 ${code}，请联系系统管理员`, HttpStatus.UNPROCESSABLE_ENTITY);
      return row.id;
    });
  }

  private async load(m: EntityManager, me: Principal, id: string, forUpdate = false): Promise<RequestRow> {
    if (!UUID.test(id)) throw new NotFoundError('数据使用申请');
    const rows: RequestRow[] = await m.query(
      `SELECT r.*, to_char(r.period_from, 'YYYY-MM-DD') AS period_from, to_char(r.period_to, 'YYYY-MM-DD') AS period_to,
              to_char(r.provided_expires_at, 'YYYY-MM-DD') AS provided_expires_at, u.path AS unit_path, u.name AS unit_name
         FROM data_requests r JOIN units u ON u.id = r.unit_id WHERE r.id = $1${forUpdate ? ' FOR UPDATE OF r' : ''}`,
      [id],
    );
    const request = rows[0];
    if (!request) throw new NotFoundError('数据使用申请');
    assertVisible(me, { unitPath: request.unit_path, addressedUnitIds: request.addressed_unit_ids }, '数据使用申请');
    return request;
  }

  private async openTask(instanceId: string | null, activityId: string): Promise<{ id: string } | undefined> {
    if (!instanceId) return undefined;
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open' LIMIT 1`,
      [instanceId, activityId],
    );
    return rows[0];
  }

  /** Demo: one request finished, one waiting for 信息中心, one returned by an owner, one refused, one just submitted. */
  private async seedDemo(ctx: DemoContext): Promise<void> {
    const catalogue: { id: string; code: string }[] = await ctx.dataSource.query(`SELECT id, code FROM datasets`);
    const ds = (code: string) => catalogue.find((d) => d.code === code)!.id;
    const act = async (
      username: string,
      requestId: string,
      action: 'approve' | 'return' | 'reject',
      comment: string,
      variables?: Record<string, unknown>,
    ) => {
      const who = await ctx.as(username);
      const request = await this.load(this.dataSource.manager, who, requestId);
      const candidates: { id: string; candidate_units: string[] }[] = await this.dataSource.query(
        `SELECT id, candidate_units FROM tasks WHERE instance_id = $1 AND status = 'open' ORDER BY created_at`,
        [request.instance_id],
      );
      const task = candidates.find((c) => c.candidate_units.length === 0 || c.candidate_units.includes(who.unitId)) ?? candidates[0];
      await this.tasks.act(who, task.id, { action, comment, variables });
    };
    const [{ year }]: { year: number }[] = await ctx.dataSource.query(
      `SELECT EXTRACT(YEAR FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS year`,
    );
    const base = {
      periodFrom: `${year}-01-01`,
      periodTo: `${year + 1}-12-31`,
      contactName: '沈佳',
      contactPhone: '025-86658123',
    };
    const js = await ctx.as('js.nigao');

    const done = await this.create(js, {
      ...base,
      title: '关于申请使用江苏省土地利用现状及永久基本农田数据的函',
      datasetIds: [ds('YZT-TDLY'), ds('YZT-YJJBNT')],
      regionCode: '320000',
      regionName: '江苏省',
      purpose: '开展江苏省国土空间规划编制前期研究，分析耕地保护与建设用地布局。',
      format: 'FileGDB',
    });
    await act('js.shenpi', done.id, 'approve', '同意申请');
    await act('chenjing', done.id, 'approve', '用途明确，请主管司局审核');
    await act('hejun', done.id, 'approve', '同意提供');
    await act('wufang', done.id, 'approve', '同意提供，注意保密管理');
    await act('huangli', done.id, 'approve', '数据已通过政务外网交换平台提供', {
      fileName: '320000_土地利用现状_永久基本农田.gdb.zip',
      link: 'https://data.mlr.example/exchange/320000-2026-01.zip',
      expiresAt: `${year + 1}-06-30`,
    });
    await this.confirm(js, done.id, { comment: '数据已接收，完整可用' });

    const waiting = await this.create(js, {
      ...base,
      title: '关于申请使用国家土地督察北京局监管数据的函',
      datasetIds: [ds('JG-DCJG')],
      regionCode: '320000',
      regionName: '江苏省',
      purpose: '核对省内例行督察发现问题的整改销号情况，支撑省厅整改台账管理。',
      format: 'Excel',
    });
    await act('js.shenpi', waiting.id, 'approve', '同意');
    await act('liuhaiyan', waiting.id, 'approve', '请北京局审核');
    await act('luoping', waiting.id, 'approve', '同意提供江苏省相关数据');

    const returned = await this.create(js, {
      ...base,
      title: '关于申请使用土地利用总体规划数据库的函',
      datasetIds: [ds('YZT-TDGH')],
      regionCode: '320100',
      regionName: '南京市',
      purpose: '开展南京市建设用地节约集约利用评价。',
      format: 'Shapefile',
    });
    await act('js.shenpi', returned.id, 'approve', '同意');
    await act('chenjing', returned.id, 'approve', '请规划司审核');
    await act('zhangwei', returned.id, 'return', '请说明所需规划层级（市级或县级）及使用范围');

    const refused = await this.create(await ctx.as('luoping'), {
      ...base,
      title: '关于申请使用全国遥感影像的函',
      datasetIds: [ds('YZT-YGYX')],
      regionName: '全国',
      purpose: '用于北京局辖区外的影像比对分析。',
      format: 'GeoTIFF',
      contactName: '罗平',
      contactPhone: '010-66558000',
    });
    await act('lijun', refused.id, 'approve', '同意');
    await act('chenjing', refused.id, 'reject', '申请范围超出本局督察辖区，不予提供');

    await this.create(await ctx.as('gaoyuan'), {
      ...base,
      title: '关于申请使用耕地质量等别数据的函',
      datasetIds: [ds('YZT-GDZL')],
      regionName: '全国',
      purpose: '开展耕地质量监测技术标准研究，需全国耕地质量等别成果作为样本。',
      format: 'Excel',
      contactName: '高原',
      contactPhone: '010-66557000',
    });
  }
}

function normalise(dto: CreateDataRequestDto): Fields {
  return {
    title: dto.title.trim(),
    datasetIds: dto.datasetIds,
    regionCode: dto.regionCode ?? null,
    regionName: dto.regionName.trim(),
    purpose: dto.purpose.trim(),
    periodFrom: dto.periodFrom,
    periodTo: dto.periodTo,
    format: dto.format,
    contactName: dto.contactName.trim(),
    contactPhone: dto.contactPhone.trim(),
  };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
