import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { hasRole, type Principal } from '../identity/principal';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { AttachmentsService } from '../files/attachments.service';
import { DemoCases } from '../seed/demo-cases';
import { TasksService } from '../tasks/tasks.service';
import { seedDocumentDemo } from './documents.demo';
import { documentScopeSql } from './document-scope';
import { issuingOrganName } from '../org/issuing-organ';
import { ItReviewService } from './it-review.service';
import { ReceiptsService } from './receipts.service';
import { RevisionStore } from './revisions/revision.store';
import type { OfficialDocument } from '@zhengwu/pdf';
import type { CreateDocumentDto, ListDocumentsQuery } from './documents.dto';

export const SENDER_PROCESS = 'document-exchange';
export { RECEIPT_PROCESS } from './receipts.service';

/** Where the sender's case stands, as the document's status. */
const STATUS_BY_TASK: Record<string, string> = {
  draft: '拟稿',
  review: '核稿',
  countersign: '会签',
  itOfficeReview: '信息办审核',
  itVote: '领导小组审批',
  itDecision: '领导小组审批',
  sign: '签发',
  seal: '用印',
};
// 办结 when the last receipt closes; archiving follows as the case's last step.
const STATUS_BY_END: Record<string, string> = { cancelled: '已撤销', notIssued: '不予签发', distribute: '办结', seal: '分发' };

interface DocumentRow {
  id: string;
  instance_id: string;
  unit_id: string;
  unit_path: string;
  drafter_id: string;
  signer_id: string | null;
  status: string;
  countersign_units: string[];
  urgency: string;
  title: string;
}

/**
 * 公文交换: drafting, 核稿, 会签, 签发 with a gap-free 发文字号, and distribution to recipient units,
 * each of which signs for (签收) or refuses (退文) the document and handles it in its own case.
 */
@Injectable()
export class DocumentsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
    private readonly demoCases: DemoCases,
    private readonly attachments: AttachmentsService,
    private readonly revisionStore: RevisionStore,
    private readonly receipts: ReceiptsService,
    private readonly itReview: ItReviewService,
  ) {}

  onModuleInit(): void {
    this.engine.listen(SENDER_PROCESS, {
      taskCompleting: (e) => this.senderTaskCompleting(e),
      caseStepped: (e) => this.senderStepped(e),
    });
    this.attachments.registerOwner('document', {
      canRead: (me, id, m) =>
        this.visibleDocument(m, me, id).then(
          () => true,
          () => false,
        ),
      canWrite: (me, id, m) => this.isDrafting(m, me, id),
    });
    this.demoCases.register('documents', (ctx) => seedDocumentDemo(ctx, this, this.tasks));
  }

  async create(me: Principal, dto: CreateDocumentDto): Promise<{ id: string; instanceId: string }> {
    if (!hasRole(me, 'drafter')) throw new ForbiddenError('只有拟稿人可以起草公文');
    return this.dataSource.transaction(async (m) => {
      await this.checkUnits(m, me, dto);
      const rows: { id: string }[] = await m.query(
        `INSERT INTO documents (unit_id, drafter_id, doc_type, title, secrecy, secrecy_term, urgency, main_recipients, cc_recipients, countersign_units, body, attachment_note, disclosure, joint_issue, attendance)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`,
        [
          me.unitId,
          me.userId,
          dto.docType,
          dto.title.trim(),
          dto.secrecy ?? '非密',
          dto.secrecyTerm?.trim() || null,
          dto.urgency ?? '平急',
          dto.mainRecipients,
          dto.ccRecipients ?? [],
          dto.countersignUnits ?? [],
          dto.body,
          dto.attachmentNote?.trim() || null,
          disclosureOf(dto),
          dto.jointIssue ?? false,
          attendanceOf(dto),
        ],
      );
      const id = rows[0].id;
      await this.itReview.drafterMarks(m, id, me.userId, dto.informatization);
      const started = await this.engine.startProcess(
        SENDER_PROCESS,
        {
          businessKey: id,
          ownerUnitId: me.unitId,
          startedBy: me.userId,
          variables: {
            documentId: id,
            drafter: me.userId,
            title: dto.title.trim(),
            docType: dto.docType,
            urgency: dto.urgency ?? '平急',
            ...countersignVariables(dto.countersignUnits ?? []),
          },
        },
        m,
      );
      await m.query(`UPDATE documents SET instance_id = $2 WHERE id = $1`, [id, started.id]);
      await this.revisionStore.recordDraft(m, id, me.userId, dto.body, dto.attachmentNote);
      return { id, instanceId: started.id };
    });
  }

  /** The drafter edits the document while it waits at 拟稿 (first draft or returned for changes). */
  async update(me: Principal, id: string, dto: CreateDocumentDto): Promise<{ ok: true }> {
    await this.dataSource.transaction(async (m) => {
      const doc = await this.lockDocument(m, me, id);
      if (!(await this.isDrafting(m, me, doc.id)))
        throw new ConflictError('DOCUMENT_NOT_EDITABLE', '公文只能在拟稿环节由拟稿人修改；如需修改，请请求退回');
      await this.checkUnits(m, me, dto);
      await m.query(
        `UPDATE documents SET doc_type = $2, title = $3, secrecy = $4, secrecy_term = $5, urgency = $6, main_recipients = $7, cc_recipients = $8,
                countersign_units = $9, body = $10, attachment_note = $11, disclosure = $12, joint_issue = $13, attendance = $14, updated_at = now()
          WHERE id = $1`,
        [
          id,
          dto.docType,
          dto.title.trim(),
          dto.secrecy ?? '非密',
          dto.secrecyTerm?.trim() || null,
          dto.urgency ?? '平急',
          dto.mainRecipients,
          dto.ccRecipients ?? [],
          dto.countersignUnits ?? [],
          dto.body,
          dto.attachmentNote?.trim() || null,
          disclosureOf(dto),
          dto.jointIssue ?? false,
          attendanceOf(dto),
        ],
      );
      await this.itReview.drafterMarks(m, id, me.userId, dto.informatization);
      // 正文 with 痕迹保留: the form's save is a revision like the editor's.
      await this.revisionStore.recordDraft(m, id, me.userId, dto.body, dto.attachmentNote);
    });
    return { ok: true };
  }

  async list(me: Principal, query: ListDocumentsQuery) {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (query.box === 'sent') {
      add(`u.path LIKE ?`, `${escapeLike(me.unitPath)}%`);
      if (query.status) add('d.status = ?', query.status);
    } else {
      add('r.unit_id = ?', me.unitId);
      if (query.status) add('r.status = ?', query.status);
    }
    if (query.docType) add('d.doc_type = ?', query.docType);
    if (query.box === 'sent' && query.year)
      add(`(COALESCE(d.doc_year, extract(year FROM d.created_at AT TIME ZONE 'Asia/Shanghai')::int)) = ?`, query.year);
    if (query.box !== 'sent' && query.year) add('d.doc_year = ?', query.year);
    if (query.q) add(`(d.title ILIKE ? ESCAPE '\\' OR d.doc_number ILIKE ? ESCAPE '\\')`, `%${escapeLike(query.q)}%`);
    // 收文 come from local 发文 and from partner deployments (公文交换): receipt_documents reads both.
    const from =
      query.box === 'sent'
        ? `FROM documents d JOIN units u ON u.id = d.unit_id`
        : `FROM document_receipts r JOIN receipt_documents d ON d.receipt_id = r.id`;
    const columns =
      query.box === 'sent'
        ? `d.id, d.doc_type AS "docType", d.title, d.secrecy, d.urgency, d.status, d.doc_number AS "docNumber", d.created_at AS "createdAt",
           d.signed_at AS "signedAt", u.name AS "unitName",
           (SELECT json_object_agg(s.status, s.n) FROM (SELECT status, count(*)::int AS n FROM document_receipts WHERE document_id = d.id GROUP BY status) s) AS "receiptCounts"`
        : `d.document_id AS id, d.doc_type AS "docType", d.title, d.secrecy, d.urgency, d.document_status AS status, d.doc_number AS "docNumber",
           r.delivered_at AS "createdAt", d.signed_at AS "signedAt", coalesce(d.issuing_unit_name, d.issuer) AS "unitName",
           d.exchange_package_id AS "exchangePackageId", d.sender_organ_code AS "fromOrgan",
           r.id AS "receiptId", r.kind, r.status AS "receiptStatus", r.delivered_at AS "deliveredAt", r.due_at AS "dueAt", r.is_overdue AS "isOverdue"`;
    const order = query.box === 'sent' ? 'd.created_at DESC' : 'r.delivered_at DESC';
    const condition = where.join(' AND ');
    const [items, total] = await Promise.all([
      this.dataSource.query(
        `SELECT ${columns} ${from} WHERE ${condition} ORDER BY ${order} LIMIT ${query.limit} OFFSET ${query.offset}`,
        params,
      ),
      this.dataSource.query(`SELECT count(*)::int AS n ${from} WHERE ${condition}`, params) as Promise<{ n: number }[]>,
    ]);
    return { items, total: total[0].n };
  }

  async get(me: Principal, id: string) {
    const doc = await this.visibleDocument(this.dataSource.manager, me, id);
    const [detail] = await this.dataSource.query(
      `SELECT d.id, d.doc_type AS "docType", d.title, d.secrecy, d.secrecy_term AS "secrecyTerm", d.urgency, d.body, d.attachment_note AS "attachmentNote",
              d.status, d.doc_number AS "docNumber", d.created_at AS "createdAt", d.signed_at AS "signedAt", d.closed_at AS "closedAt", d.disclosure, d.joint_issue AS "jointIssue", d.attendance,
              d.instance_id AS "instanceId", u.id AS "unitId", u.name AS "unitName", dr.display_name AS "drafterName", sg.display_name AS "signerName",
              (SELECT json_agg(json_build_object('id', x.id, 'name', x.name) ORDER BY array_position(d.main_recipients, x.id)) FROM units x WHERE x.id = ANY(d.main_recipients)) AS "mainRecipients",
              (SELECT json_agg(json_build_object('id', x.id, 'name', x.name) ORDER BY array_position(d.cc_recipients, x.id)) FROM units x WHERE x.id = ANY(d.cc_recipients)) AS "ccRecipients",
              (SELECT json_agg(json_build_object('id', x.id, 'name', x.name) ORDER BY array_position(d.countersign_units, x.id)) FROM units x WHERE x.id = ANY(d.countersign_units)) AS "countersignUnits"
         FROM documents d JOIN units u ON u.id = d.unit_id JOIN users dr ON dr.id = d.drafter_id LEFT JOIN users sg ON sg.id = d.signer_id
        WHERE d.id = $1`,
      [id],
    );
    const isSender = doc.unit_path.startsWith(me.unitPath);
    // The sender sees every recipient's status; a recipient sees only its own receipt.
    const receipts = await this.dataSource.query(
      `SELECT r.id, r.unit_id AS "unitId", un.name AS "unitName", r.kind, r.status, r.delivered_at AS "deliveredAt", r.due_at AS "dueAt",
              r.signed_at AS "signedAt", sb.display_name AS "signedBy", r.refused_at AS "refusedAt", r.refuse_reason AS "refuseReason",
              r.completed_at AS "completedAt", r.is_overdue AS "isOverdue", r.urge_count AS "urgeCount", h.display_name AS "handlerName",
              r.receipt_number AS "receiptNumber"
         FROM document_receipts r JOIN documents d ON d.id = r.document_id JOIN units un ON un.id = r.unit_id
         LEFT JOIN users sb ON sb.id = r.signed_by LEFT JOIN users h ON h.id = r.handler_id
        WHERE r.document_id = $1 AND ($2 OR r.unit_id = $3) ORDER BY array_position(d.main_recipients || d.cc_recipients, r.unit_id)`,
      [id, isSender, me.unitId],
    );
    const history = isSender
      ? await this.dataSource.query(
          `SELECT a.action, a.comment, a.at, u.display_name AS "userName", un.name AS "unitName", t.name AS "taskName"
             FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN units un ON un.id = a.unit_id LEFT JOIN tasks t ON t.id = a.task_id
            WHERE a.instance_id = $1 ORDER BY a.id`,
          [doc.instance_id],
        )
      : [];
    const openTasks = await this.dataSource.query(
      `SELECT t.id, t.name, t.activity_id AS "activityId", t.due_at AS "dueAt", a.display_name AS "assigneeName", un.name AS "unitName"
         FROM tasks t LEFT JOIN users a ON a.id::text = t.assignee LEFT JOIN units un ON un.id = COALESCE(t.candidate_units[1], t.owner_unit_id)
        WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at`,
      [doc.instance_id],
    );
    const attachments = await this.attachments.listOf(this.dataSource.manager, 'document', id);
    const itReview = await this.itReview.state(
      this.dataSource.manager,
      id,
      (openTasks as { activityId: string }[]).map((t) => t.activityId),
    );
    return { ...detail, isSender, receipts, history, openTasks, attachments, itReview };
  }

  // ---- 排版 (the render worker) -------------------------------------------------------------

  /** The signed document as the GB/T 9704 layout needs it. */
  async officialData(id: string): Promise<OfficialDocument> {
    if (!isUuid(id)) throw new NotFoundError('公文');
    const rows: {
      doc_type: string;
      title: string;
      secrecy: OfficialDocument['secrecy'];
      secrecy_term: string | null;
      urgency: OfficialDocument['urgency'];
      body: string;
      attachment_note: string | null;
      doc_number: string | null;
      signed_at: Date | null;
      unit_name: string;
      unit_kind: string;
      root_name: string;
      signer_name: string | null;
      main_names: string[];
      cc_names: string[];
      sealed: boolean;
      joint_issue: boolean;
      attendance: { present?: string; absent?: string; attending?: string } | null;
      joint_organs: string[];
    }[] = await this.dataSource.query(
      `SELECT d.doc_type, d.title, d.secrecy, d.secrecy_term, d.urgency, d.body, d.attachment_note, d.doc_number, d.signed_at,
              u.name AS unit_name, u.kind AS unit_kind, (SELECT r.name FROM units r WHERE r.parent_id IS NULL ORDER BY r.sort LIMIT 1) AS root_name,
              s.display_name AS signer_name,
              ARRAY(SELECT x.name FROM units x WHERE x.id = ANY(d.main_recipients) ORDER BY array_position(d.main_recipients, x.id)) AS main_names,
              ARRAY(SELECT x.name FROM units x WHERE x.id = ANY(d.cc_recipients) ORDER BY array_position(d.cc_recipients, x.id)) AS cc_names,
              EXISTS (SELECT 1 FROM seals z WHERE z.unit_id = d.unit_id AND z.status = 'active') AS sealed,
              d.joint_issue, d.attendance,
              ARRAY(SELECT CASE WHEN x.kind IN ('department', 'office')
                                THEN (SELECT r.name FROM units r WHERE r.parent_id IS NULL ORDER BY r.sort LIMIT 1) || x.name ELSE x.name END
                      FROM units x WHERE x.id = ANY(d.countersign_units) ORDER BY array_position(d.countersign_units, x.id)) AS joint_organs
         FROM documents d JOIN units u ON u.id = d.unit_id LEFT JOIN users s ON s.id = d.signer_id WHERE d.id = $1`,
      [id],
    );
    const doc = rows[0];
    if (!doc) throw new NotFoundError('公文');
    if (!doc.doc_number || !doc.signed_at) throw new ConflictError('DOCUMENT_NOT_SIGNED', '公文尚未签发编号，不能排版');
    const organ = issuingOrganName(doc.root_name, doc.unit_name, doc.unit_kind);
    const date = doc.signed_at.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const attachments = await this.attachments.listOf(this.dataSource.manager, 'document', id);
    const attachmentNames = doc.attachment_note
      ? doc.attachment_note
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean)
      : attachments.filter((a) => !a.isGenerated).map((a) => a.name.replace(/\.[^.]+$/, ''));
    // The format follows the 文种 (GB/T 9704-2012): 函 → 信函格式 with the organ's name as 标志, 纪要 →
    // "…纪要" 标志 without 发文字号, 请示/报告 → 上行文, others → 文件格式.
    const mark = doc.doc_type === '函' ? organ : doc.doc_type === '纪要' ? `${organ}纪要` : `${organ}文件`;
    return {
      docType: doc.doc_type,
      // 涉密 documents carry a 份号 (§7.2.1); the electronic original is copy 1.
      copyNumber: doc.secrecy && doc.secrecy !== '非密' ? '000001' : undefined,
      secrecy: doc.secrecy,
      secrecyTerm: doc.secrecy_term ?? undefined,
      urgency: doc.urgency,
      issuerMark: mark,
      docNumber: doc.doc_type === '纪要' ? '' : doc.doc_number,
      isUpward: doc.doc_type === '请示' || doc.doc_type === '报告',
      signers: doc.signer_name ? [doc.signer_name] : [],
      title: doc.title,
      mainRecipients: doc.main_names.join('、'),
      body: doc.body,
      attachments: attachmentNames,
      signatureUnit: organ,
      // A unit with an active 电子印章 seals at 用印: the 署名 is laid out for the seal (§7.3.5.1).
      sealed: doc.sealed,
      // 联合行文 (§7.2.3, §7.3.5): the 主办 organ first, then the 会签 units that co-issue, each with its 署名.
      jointIssuers: doc.joint_issue ? [organ, ...doc.joint_organs].map((name) => ({ mark: name, signature: name })) : undefined,
      // 纪要 (§10.3): 出席, 请假, 列席 under the title.
      attendance: doc.attendance
        ? (
            [
              ['出席', doc.attendance.present],
              ['请假', doc.attendance.absent],
              ['列席', doc.attendance.attending],
            ] as const
          )
            .filter((e): e is ['出席' | '请假' | '列席', string] => !!e[1])
            .map(([label, names]) => ({ label, names }))
        : undefined,
      date,
      cc: doc.cc_names,
      printingOrgan: organ,
      printingDate: date,
      metadata: {
        title: doc.title,
        author: organ,
        subject: doc.doc_type,
        keywords: [doc.doc_number],
        createdAt: doc.signed_at.toISOString(),
      },
    };
  }

  /** Keeps the rendered PDF with the document; a second rendering of the same case replaces the link. */
  async storeOfficialPdf(id: string, pdf: Buffer): Promise<{ attachmentId: string }> {
    if (!isUuid(id)) throw new NotFoundError('公文');
    return this.dataSource.transaction(async (m) => {
      const rows: { doc_number: string | null; signer_id: string | null; unit_id: string }[] = await m.query(
        `SELECT doc_number, signer_id, unit_id FROM documents WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const doc = rows[0];
      if (!doc) throw new NotFoundError('公文');
      if (!doc.doc_number || !doc.signer_id) throw new ConflictError('DOCUMENT_NOT_SIGNED', '公文尚未签发编号，不能保存排版结果');
      const stored = await this.attachments.storeGenerated(m, {
        ownerKind: 'document',
        ownerId: id,
        name: `${doc.doc_number}.pdf`,
        content: pdf,
        uploadedBy: doc.signer_id,
        unitId: doc.unit_id,
      });
      await m.query(`UPDATE documents SET pdf_attachment_id = $2, rendered_at = now() WHERE id = $1`, [id, stored.id]);
      return { attachmentId: stored.id };
    });
  }

  // ---- the sender's case -------------------------------------------------------------------

  private async senderTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown> | void> {
    const doc = await this.documentOfCase(e.tx, e.businessKey);
    if (e.activityId === 'draft' && e.outcome === 'approve') {
      // The drafter may have changed the countersigning units (and the 信息化 mark) while the case waited at 拟稿.
      return { ...countersignVariables(doc.countersign_units), ...(await this.itReview.redrafted(e, doc.id)) };
    }
    if (e.activityId === 'review' && e.outcome === 'approve') return this.itReview.reviewed(e, doc.id);
    if (e.activityId === 'countersign' && e.outcome === 'reject') return { countersignDisagreed: true };
    if (e.activityId === 'itOfficeReview') return this.itReview.officeReviewed(e, doc.id);
    if (e.activityId === 'itVote') return this.itReview.voted(e, doc.id);
    if (e.activityId === 'itDecision') return this.itReview.decided(e, doc.id);
    if (e.activityId === 'sign' && e.outcome === 'approve') {
      await this.itReview.guardSign(e.tx, doc.id);
      // 清稿: the signed text is frozen (pending changes accepted with the signature) and typeset from.
      await this.revisionStore.freeze(e.tx, doc.id, e.userId, e.taskId);
      const number = await this.issueNumber(e.tx, doc, e.userId);
      return { docNumber: number, signer: e.userId };
    }
  }

  private async senderStepped(e: CaseSteppedEvent): Promise<void> {
    // A 发文 case begins only with its document: a start through the generic API with another business key is refused.
    if (e.endedActivities.includes('start')) await this.documentOfCase(e.tx, e.businessKey);
    // 分发 once the official PDF exists (and is sealed when 用印 follows 排版), so every recipient receives the document as printed.
    const sealing = e.createdTasks.some((t) => t.activityId === 'seal');
    if ((e.endedActivities.includes('render') && !sealing) || e.endedActivities.includes('seal')) {
      const doc = await this.documentOfCase(e.tx, e.businessKey);
      await this.distribute(e.tx, doc, doc.signer_id ?? doc.drafter_id);
    }
    const end = e.endedActivities.map((a) => STATUS_BY_END[a]).find(Boolean);
    const status =
      e.status === 'terminated'
        ? '已撤销'
        : (end ?? (e.createdTasks.length > 0 ? STATUS_BY_TASK[e.createdTasks[e.createdTasks.length - 1].activityId] : undefined));
    if (!status) return;
    await e.tx.query(
      `UPDATE documents SET status = $2, updated_at = now(), closed_at = CASE WHEN $3 THEN now() ELSE closed_at END WHERE id = $1`,
      [e.businessKey, status, ['办结', '不予签发', '已撤销'].includes(status)],
    );
    if (status === '不予签发' || status === '已撤销') {
      await this.notify(e.tx, 'document.result', e.businessKey!, { result: status });
    }
  }

  /**
   * 发文字号 `机关代字〔年份〕序号号`: one counter per issuing unit and year, advanced in the 签发
   * transaction. Concurrent sign-offs queue on the counter row; a rolled-back one consumes no number.
   */
  private async issueNumber(m: EntityManager, doc: DocumentRow, signerId: string): Promise<string> {
    const units: { organ_code: string | null; name: string }[] = await m.query(`SELECT organ_code, name FROM units WHERE id = $1`, [
      doc.unit_id,
    ]);
    const organCode = units[0].organ_code;
    if (!organCode) {
      throw new AppError(
        'ORGAN_CODE_MISSING',
        `${units[0].name}尚未设置机关代字，无法编发文字号；请系统管理员在组织机构中设置后再签发`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    const [{ year }]: { year: number }[] = await m.query(`SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS year`);
    const [{ value }]: { value: number }[] = await m.query(
      `INSERT INTO document_number_counters (unit_id, year, value) VALUES ($1, $2, 1)
       ON CONFLICT (unit_id, year) DO UPDATE SET value = document_number_counters.value + 1 RETURNING value`,
      [doc.unit_id, year],
    );
    const number = `${organCode}〔${year}〕${value}号`;
    await m.query(
      `UPDATE documents SET signer_id = $2, signed_at = now(), organ_code = $3, doc_year = $4, doc_seq = $5, doc_number = $6, status = '分发', updated_at = now()
        WHERE id = $1`,
      [doc.id, signerId, organCode, year, value, number],
    );
    return number;
  }

  private readonly distributionHooks: ((m: EntityManager, documentId: string) => Promise<void>)[] = [];

  /** 分发: one receipt and one receiving case per recipient unit, in the 签发 transaction. */
  private async distribute(m: EntityManager, doc: DocumentRow, signerId: string): Promise<void> {
    const [full]: { main_recipients: string[]; cc_recipients: string[]; unit_name: string; doc_number: string; doc_type: string }[] =
      await m.query(
        `SELECT d.main_recipients, d.cc_recipients, u.name AS unit_name, d.doc_number, d.doc_type FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.id = $1`,
        [doc.id],
      );
    const recipients = [
      ...full.main_recipients.map((unitId) => ({ unitId, kind: '主送' as const })),
      ...full.cc_recipients.map((unitId) => ({ unitId, kind: '抄送' as const })),
    ];
    for (const recipient of recipients) {
      await this.receipts.open(
        m,
        { documentId: doc.id },
        recipient,
        { title: doc.title, urgency: doc.urgency, docNumber: full.doc_number, docType: full.doc_type, senderUnit: full.unit_name },
        signerId,
      );
    }
    await this.notify(m, 'document.distributed', doc.id, { recipients: recipients.map((r) => r.unitId) });
    for (const hook of this.distributionHooks) await hook(m, doc.id);
  }

  /** Recipients beyond this deployment (公文交换 with partners) are served in the same 分发 transaction. */
  onDistribute(hook: (m: EntityManager, documentId: string) => Promise<void>): void {
    this.distributionHooks.push(hook);
  }

  // ---- shared ------------------------------------------------------------------------------

  private async checkUnits(m: EntityManager, me: Principal, dto: CreateDocumentDto): Promise<void> {
    const main = dto.mainRecipients;
    const cc = dto.ccRecipients ?? [];
    const countersign = dto.countersignUnits ?? [];
    const field = (name: string, message: string) =>
      new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
    if ([...main, ...cc].includes(me.unitId)) throw field('mainRecipients', '主送、抄送机关不能是本单位');
    if (countersign.includes(me.unitId)) throw field('countersignUnits', '会签单位不能是本单位');
    if ((dto.secrecy ?? '非密') !== '非密' && dto.disclosure && dto.disclosure !== '不予公开')
      throw field('disclosure', '涉密公文的公开属性只能为“不予公开”');
    const both = main.filter((id) => cc.includes(id));
    if (both.length > 0) throw field('ccRecipients', '同一单位不能既主送又抄送');
    if (dto.jointIssue && countersign.length === 0) throw field('jointIssue', '联合行文须选择会签单位（联合发文的机关）');
    if (dto.attendance && dto.docType !== '纪要') throw field('attendance', '出席、请假、列席人员只用于纪要');
    const all = [...new Set([...main, ...cc, ...countersign])];
    const known: { id: string }[] = await m.query(`SELECT id FROM units WHERE id = ANY($1::uuid[])`, [all]);
    const missing = all.filter((id) => !known.some((k) => k.id === id));
    if (missing.length > 0) {
      const name = main.includes(missing[0]) ? 'mainRecipients' : cc.includes(missing[0]) ? 'ccRecipients' : 'countersignUnits';
      throw field(name, `所选单位不存在或已撤销：${missing.join('、')}`);
    }
  }

  /** The drafter, while the case waits at their 拟稿, may change the document and its attachments. */
  private async isDrafting(m: EntityManager, me: Principal, id: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM documents d JOIN tasks t ON t.instance_id = d.instance_id
        WHERE d.id = $1 AND t.activity_id = 'draft' AND t.status = 'open' AND t.assignee = $2`,
      [id, me.userId],
    );
    return rows.length > 0;
  }

  /** The document's own access rule, for its parts served elsewhere (the body's revisions): 404 when not visible. */
  assertVisible(me: Principal, id: string): Promise<DocumentRow> {
    return this.visibleDocument(this.dataSource.manager, me, id);
  }

  private async visibleDocument(m: EntityManager, me: Principal, id: string): Promise<DocumentRow> {
    if (!isUuid(id)) throw new NotFoundError('公文');
    const rows: DocumentRow[] = await m.query(
      `SELECT d.id, d.instance_id, d.unit_id, u.path AS unit_path, d.drafter_id, d.status, d.countersign_units, d.urgency, d.title
         FROM documents d JOIN units u ON u.id = d.unit_id
        WHERE d.id = $1 AND ${documentScopeSql({ document: 'd', unitPath: 'u.path' }, '$2', '$3', '$4')}`,
      [id, `${escapeLike(me.unitPath)}%`, me.unitId, me.userId],
    );
    if (!rows[0]) throw new NotFoundError('公文');
    return rows[0];
  }

  private async lockDocument(m: EntityManager, me: Principal, id: string): Promise<DocumentRow> {
    const doc = await this.visibleDocument(m, me, id);
    if (!doc.unit_path.startsWith(me.unitPath)) throw new NotFoundError('公文');
    await this.engine.lockInstance(doc.instance_id, m);
    return doc;
  }

  private async documentOfCase(m: EntityManager, businessKey: string | null): Promise<DocumentRow> {
    const rows: DocumentRow[] = isUuid(businessKey ?? '')
      ? await m.query(
          `SELECT d.id, d.instance_id, d.unit_id, u.path AS unit_path, d.drafter_id, d.signer_id, d.status, d.countersign_units, d.urgency, d.title
             FROM documents d JOIN units u ON u.id = d.unit_id WHERE d.id = $1`,
          [businessKey],
        )
      : [];
    if (!rows[0]) throw new AppError('DOCUMENT_MISSING', '该流程没有对应的公文（请通过“起草公文”发起）', HttpStatus.UNPROCESSABLE_ENTITY);
    return rows[0];
  }

  private async notify(m: EntityManager, topic: string, documentId: string, extra: Record<string, unknown>): Promise<void> {
    const [doc]: { title: string; drafter_id: string; unit_id: string; doc_number: string | null }[] = await m.query(
      `SELECT title, drafter_id, unit_id, doc_number FROM documents WHERE id = $1`,
      [documentId],
    );
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ($1, $2)`, [
      topic,
      JSON.stringify({ documentId, to: doc.drafter_id, unitId: doc.unit_id, title: doc.title, docNumber: doc.doc_number, ...extra }),
    ]);
  }
}

/** 公开属性 as drafted; a classified document left undecided is 不予公开. */
function disclosureOf(dto: CreateDocumentDto): string | null {
  return dto.disclosure ?? ((dto.secrecy ?? '非密') !== '非密' ? '不予公开' : null);
}

/** 纪要's attendance lists as stored: only the lists given, trimmed; none for other 文种 (checkUnits refuses them). */
function attendanceOf(dto: CreateDocumentDto): string | null {
  const a = dto.attendance;
  if (!a || dto.docType !== '纪要') return null;
  const lists = {
    present: a.present?.trim() || undefined,
    absent: a.absent?.trim() || undefined,
    attending: a.attending?.trim() || undefined,
  };
  return Object.values(lists).some(Boolean) ? JSON.stringify(lists) : null;
}

function countersignVariables(units: string[]): Record<string, unknown> {
  return { needsCountersign: units.length > 0, countersignUnits: units, countersignDisagreed: false };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
