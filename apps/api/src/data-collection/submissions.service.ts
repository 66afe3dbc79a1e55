import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { AttachmentsService } from '../files/attachments.service';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { assertVisible } from '../identity/data-scope';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { TasksService } from '../tasks/tasks.service';
import { CENTER_UNIT, SUBMISSION_PROCESS } from './data-collection.service';
import type { CreateUploadDto, DecideDto, ListSubmissionsQuery, SubmissionInfoDto } from './data-collection.dto';
import { DataCollectionRepository, type SubmissionRow } from './data-collection.repository';
import { UploadStore } from './upload-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The unit may change its data while it owes a submission. */
const EDITABLE = ['待提交', '检查未通过', '已退回'];
/** A generous ceiling on any one upload (the listed limit is the automatic check's to enforce, with its reason). */
const HARD_LIMIT = 100 * 1024 ** 3;

const invalid = (name: string, message: string) =>
  new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);

interface UploadRow {
  id: string;
  submission_id: string;
  created_by: string;
  name: string;
  length: string;
  received: string;
  sha256: string | null;
  completed_at: Date | null;
}

/**
 * One unit's submission of one dataset (the `data-collection-submission` case): the unit names its 责任单位 and
 * contact, uploads the file (resumable, see UploadStore), states version and area, and submits; the worker checks it
 * (topic `data-collection-check`), 信息中心 passes it (it joins the catalogue) or returns it with a reason.
 */
@Injectable()
export class SubmissionsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly repo: DataCollectionRepository,
    private readonly tasks: TasksService,
    private readonly store: UploadStore,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // Supporting papers (a 说明, a 质检报告) beside the data: read by whoever sees the submission, added by the unit
    // while it owes the submission. The data file itself is the resumable upload, not an attachment.
    this.attachments.registerOwner('data-collection', {
      canRead: (me, id, m) =>
        this.load(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: async (me, id, m) => {
        const s = await this.load(m, me, id);
        return (await this.mayEdit(me, s)) && EDITABLE.includes(s.status);
      },
    });
    this.engine.listen(SUBMISSION_PROCESS, {
      taskCompleting: (e) => this.onTaskCompleting(e),
      caseStepped: (e) => this.onCaseStepped(e),
    });
  }

  list(me: Principal, q: ListSubmissionsQuery) {
    return this.repo.submissions(me, q);
  }

  async get(me: Principal, id: string) {
    const m = this.dataSource.manager;
    const s = await this.load(m, me, id);
    const view = await this.repo.submissionView(m, id);
    const [history, uploads, openTasks] = await Promise.all([
      m.query(
        `SELECT a.action, a.comment, a.at, t.name AS "taskName", u.display_name AS "userName", un.name AS "unitName"
           FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN tasks t ON t.id = a.task_id
          WHERE a.instance_id = $1 ORDER BY a.id`,
        [s.instance_id],
      ),
      m.query(
        `SELECT id, name, length::float8 AS length, received::float8 AS received, sha256, completed_at AS "completedAt", created_at AS "createdAt"
           FROM collection_uploads WHERE submission_id = $1 ORDER BY created_at DESC LIMIT 10`,
        [id],
      ),
      m.query(`SELECT id, activity_id AS "activityId", name FROM tasks WHERE instance_id = $1 AND status = 'open'`, [s.instance_id]),
    ]);
    const canEdit = (await this.mayEdit(me, s)) && EDITABLE.includes(s.status);
    const center = await this.repo.unitIdByCode(m, CENTER_UNIT);
    const canReview = s.status === '待审核' && me.unitId === center && hasRole(me, 'data-admin');
    return { ...view, history, uploads, openTasks, canEdit, canReview };
  }

  /** 责任单位, contact, version and area: the unit's statement about its data. */
  async updateInfo(me: Principal, id: string, dto: SubmissionInfoDto) {
    await this.dataSource.transaction(async (m) => {
      const s = await this.editable(m, me, id);
      await m.query(
        `UPDATE collection_submissions SET responsible_unit = $2, contact_name = $3, contact_phone = $4, version = $5, area_code = $6,
                area_name = $7, updated_at = now() WHERE id = $1`,
        [
          s.id,
          dto.responsibleUnit.trim(),
          dto.contactName.trim(),
          dto.contactPhone.trim(),
          dto.version.trim(),
          dto.areaCode,
          dto.areaName.trim(),
        ],
      );
    });
    return this.get(me, id);
  }

  /** Starts a resumable upload: answers its id; the bytes follow by PATCH. */
  async createUpload(me: Principal, id: string, dto: CreateUploadDto) {
    if (dto.length > HARD_LIMIT) throw invalid('length', '单个文件不能超过 100 GB');
    const name = [...dto.name]
      .map((c) => (c.charCodeAt(0) < 0x20 || '\\/:*?"<>|'.includes(c) ? '_' : c))
      .join('')
      .trim();
    if (!name) throw invalid('name', '文件名不能为空');
    return this.dataSource.transaction(async (m) => {
      const s = await this.editable(m, me, id);
      const rows: { id: string }[] = await m.query(
        `INSERT INTO collection_uploads (submission_id, created_by, name, length) VALUES ($1,$2,$3,$4) RETURNING id`,
        [s.id, me.userId, name, dto.length],
      );
      return { id: rows[0].id, offset: 0, length: dto.length };
    });
  }

  /** HEAD: how far an upload got. */
  async uploadState(me: Principal, uploadId: string): Promise<{ offset: number; length: number; sha256: string | null }> {
    const up = await this.upload(this.dataSource.manager, me, uploadId);
    return { offset: Number(up.received), length: Number(up.length), sha256: up.sha256 };
  }

  /** PATCH: the next bytes at `offset`. The caller's offset must be the recorded one (else 409 with the right one). */
  async appendUpload(me: Principal, uploadId: string, offset: number, body: Readable) {
    const m = this.dataSource.manager;
    const first = await this.upload(m, me, uploadId);
    const s = await this.editable(m, me, first.submission_id);
    // One writer per upload across every api process: a session lock held on its own connection for the stream's
    // length (two PATCHes at the same offset on two replicas would otherwise both truncate and write the part file).
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ held }]: { held: boolean }[] = await lock.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held`, [
        `collection-upload:${first.id}`,
      ]);
      if (!held) throw new ConflictError('UPLOAD_BUSY', '该文件正在另一连接中上传，请稍后再试');
      try {
        // Read again under the lock: a writer that just finished moved the offset.
        const up = await this.upload(m, me, uploadId);
        if (up.completed_at) throw new ConflictError('UPLOAD_COMPLETE', '该文件已上传完成');
        if (!Number.isSafeInteger(offset) || offset !== Number(up.received))
          throw new AppError(
            'UPLOAD_OFFSET_MISMATCH',
            `上传位置不符：服务器已收到 ${up.received} 字节，请从该位置续传`,
            HttpStatus.CONFLICT,
          );
        const result = await this.store.append(up.id, offset, Number(up.length), body);
        await this.dataSource.transaction(async (tx) => {
          await tx.query(
            `UPDATE collection_uploads SET received = $2, sha256 = $3, completed_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END,
                                 updated_at = now() WHERE id = $1`,
            [up.id, result.offset, result.sha256],
          );
          if (result.sha256)
            await tx.query(
              `UPDATE collection_submissions SET file_name = $2, file_size = $3, sha256 = $4, updated_at = now() WHERE id = $1`,
              [s.id, up.name, result.offset, result.sha256],
            );
        });
        return { offset: result.offset, length: Number(up.length), sha256: result.sha256, cut: result.cut };
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`collection-upload:${first.id}`]);
      }
    } finally {
      await lock.release();
    }
  }

  /** 提交: completes the unit's step; the listener checks that the data and its statement are there. */
  async submit(me: Principal, id: string) {
    const s = await this.load(this.dataSource.manager, me, id);
    if (!EDITABLE.includes(s.status)) throw new ConflictError('SUBMISSION_NOT_OPEN', `当前为“${s.status}”，不能提交`);
    const task = await this.repo.openTask(this.dataSource.manager, s.instance_id, 'submit');
    if (!task) throw new ConflictError('SUBMISSION_NOT_OPEN', '当前不在汇交环节，请刷新');
    await this.tasks.act(me, task, { action: 'approve', comment: '提交汇交数据' });
    return this.get(me, id);
  }

  /** 信息中心's review: pass, or 退回 with the reason (the same step the 待办 page completes). */
  async review(me: Principal, id: string, dto: DecideDto) {
    const s = await this.load(this.dataSource.manager, me, id);
    const task = await this.repo.openTask(this.dataSource.manager, s.instance_id, 'review');
    if (!task) throw new ConflictError('SUBMISSION_NOT_IN_REVIEW', `当前为“${s.status}”，不在审核环节`);
    await this.tasks.act(me, task, { action: dto.outcome, comment: dto.comment ?? (dto.outcome === 'approve' ? '审核通过' : undefined) });
    return this.get(me, id);
  }

  /** The stored file, for whoever sees the submission. */
  async file(me: Principal, id: string) {
    const s = await this.load(this.dataSource.manager, me, id);
    if (!s.upload_id || !s.file_name) throw new NotFoundError('汇交文件');
    return { name: s.file_name, size: Number(s.file_size), stream: this.store.read(s.upload_id) };
  }

  // ---- for the checking worker (worker token) --------------------------------------------------

  async checkInput(id: string) {
    if (!UUID.test(id)) throw new NotFoundError('汇交');
    const s = await this.repo.submission(this.dataSource.manager, id);
    if (!s) throw new NotFoundError('汇交');
    const view = await this.repo.submissionView(this.dataSource.manager, id);
    return { ...view, divisionCode: s.division_code, hasFile: Boolean(s.upload_id) };
  }

  async workerFile(id: string) {
    if (!UUID.test(id)) throw new NotFoundError('汇交');
    const s = await this.repo.submission(this.dataSource.manager, id);
    if (!s?.upload_id) throw new NotFoundError('汇交文件');
    return { name: s.file_name ?? 'data', size: Number(s.file_size), stream: this.store.read(s.upload_id) };
  }

  // ---- the case -------------------------------------------------------------------------------

  private async onTaskCompleting(e: TaskCompletingEvent): Promise<void> {
    const m = e.tx;
    const id = e.businessKey;
    if (!id) return;
    if (e.activityId === 'submit') {
      const s = (await this.repo.submission(m, id, true))!;
      const missing = [
        !s.upload_id && '数据文件（请先完成上传）',
        !s.responsible_unit && '责任单位',
        !s.contact_name && '联系人',
        !s.version && '数据版本',
        !s.area_code && '覆盖范围行政区划代码',
      ].filter(Boolean);
      if (missing.length > 0) throw invalid('submission', `提交前请填写或上传：${missing.join('、')}`);
      await m.query(
        `UPDATE collection_submissions SET status = '待检查', submitted_at = now(), first_submitted_at = coalesce(first_submitted_at, now()),
                check_reason = NULL, updated_at = now() WHERE id = $1`,
        [id],
      );
    }
    if (e.activityId === 'review') {
      if (e.outcome === 'return' && !e.comment?.trim()) throw invalid('comment', '退回须写明退回原因');
      await m.query(`UPDATE collection_submissions SET review_opinion = $2, updated_at = now() WHERE id = $1`, [id, e.comment ?? null]);
    }
  }

  private async onCaseStepped(e: CaseSteppedEvent): Promise<void> {
    const m = e.tx;
    const id = e.businessKey;
    if (!id) return;
    const created = e.createdTasks.map((t) => t.activityId);
    if (e.status === 'completed' && e.endedActivities.includes('accepted')) {
      await m.query(`UPDATE collection_submissions SET status = '已通过', accepted_at = now(), updated_at = now() WHERE id = $1`, [id]);
      await this.repo.joinCatalogue(m, id, e.userId ?? null);
      return;
    }
    if (created.includes('review')) {
      await m.query(
        `UPDATE collection_submissions SET status = '待审核', check_reason = $2, checked_at = now(), updated_at = now() WHERE id = $1`,
        [id, reasonOf(e.after.checkReason)],
      );
      return;
    }
    if (created.includes('submit') && e.endedActivities.includes('check')) {
      await m.query(
        `UPDATE collection_submissions SET status = '检查未通过', check_reason = $2, checked_at = now(), updated_at = now() WHERE id = $1`,
        [id, reasonOf(e.after.checkReason) ?? '自动检查未通过'],
      );
      await this.notifyUnit(m, id, '自动检查未通过');
      return;
    }
    if (created.includes('submit') && e.endedActivities.includes('review')) {
      await m.query(`UPDATE collection_submissions SET status = '已退回', updated_at = now() WHERE id = $1`, [id]);
      await this.notifyUnit(m, id, '被信息中心退回');
    }
  }

  /** The bell for the unit's people (the reopened step's own notice says only that a task is waiting). */
  private async notifyUnit(m: EntityManager, id: string, what: string): Promise<void> {
    await m.query(
      `INSERT INTO outbox (topic, payload)
       SELECT 'data-collection.returned', jsonb_build_object('submissionId', s.id, 'unitId', s.unit_id,
                'subject', i.name || '的汇交数据' || $2 || '：' || coalesce(CASE WHEN $2 = '自动检查未通过' THEN s.check_reason ELSE s.review_opinion END, ''),
                'link', '/data-collection/submissions/' || s.id,
                'to', coalesce((SELECT jsonb_agg(x.id) FROM users x JOIN user_roles r ON r.user_id = x.id
                                 WHERE x.unit_id = s.unit_id AND x.is_active AND r.role IN ('drafter','clerk')), '[]'::jsonb))
         FROM collection_submissions s JOIN collection_items i ON i.id = s.item_id WHERE s.id = $1`,
      [id, what],
    );
  }

  // ---- access ------------------------------------------------------------------------------------

  async load(m: EntityManager, me: Principal, id: string, forUpdate = false): Promise<SubmissionRow> {
    if (!UUID.test(id)) throw new NotFoundError('汇交');
    const s = await this.repo.submission(m, id, forUpdate);
    if (!s) throw new NotFoundError('汇交');
    assertVisible(me, { unitPath: s.unit_path, addressedUnitIds: s.addressed_unit_ids }, '汇交');
    return s;
  }

  /** The submitting unit's own 承办人 or 收发员. */
  private async mayEdit(me: Principal, s: SubmissionRow): Promise<boolean> {
    return me.unitId === s.unit_id && hasRole(me, 'drafter', 'clerk');
  }

  private async editable(m: EntityManager, me: Principal, id: string): Promise<SubmissionRow> {
    const s = await this.load(m, me, id, true);
    if (!(await this.mayEdit(me, s))) throw new ForbiddenError('只有汇交单位的承办人或收发员可以填报和上传');
    if (!EDITABLE.includes(s.status)) throw new ConflictError('SUBMISSION_LOCKED', `当前为“${s.status}”，不能修改汇交数据`);
    return s;
  }

  private async upload(m: EntityManager, me: Principal, uploadId: string): Promise<UploadRow> {
    if (!UUID.test(uploadId)) throw new NotFoundError('上传');
    const rows: UploadRow[] = await m.query(`SELECT * FROM collection_uploads WHERE id = $1`, [uploadId]);
    const up = rows[0];
    if (!up) throw new NotFoundError('上传');
    await this.load(m, me, up.submission_id);
    if (up.created_by !== me.userId) throw new NotFoundError('上传');
    return up;
  }
}

function reasonOf(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 2000) : null;
}
