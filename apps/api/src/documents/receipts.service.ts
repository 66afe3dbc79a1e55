import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ENGINE_PORT, type CaseSteppedEvent, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import type { Principal } from '../identity/principal';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { AttachmentsService } from '../files/attachments.service';
import { TasksService } from '../tasks/tasks.service';
import { assignReceiptNumber } from './processing-sheets';

export const RECEIPT_PROCESS = 'document-receipt';
const RECEIPTS_CLOSED = 'document-receipts-closed';

/** Working days a recipient has to sign for (签收) and to finish handling, by 紧急程度. */
const LIMITS: Record<string, { receiptDays: number; handleDays: number }> = {
  特急: { receiptDays: 1, handleDays: 2 },
  加急: { receiptDays: 1, handleDays: 5 },
  平急: { receiptDays: 3, handleDays: 10 },
};

export interface ReceiptRow {
  id: string;
  /** The local 发文 received; null for a document received from a partner deployment. */
  document_id: string | null;
  /** The kept exchange package, for a document received from a partner deployment. */
  exchange_package_id: string | null;
  unit_id: string;
  kind: string;
  status: string;
  instance_id: string;
}

/** What a new 收文 is about: the case variables every receipt carries, whatever its source. */
export interface ReceivedDocument {
  title: string;
  urgency: string;
  docNumber: string | null;
  docType: string;
  senderUnit: string;
}

/** Called in the 签收/退文 transaction: 公文交换 answers the partner that sent the document. */
export type ReceiptAnsweredHook = (
  m: EntityManager,
  receipt: ReceiptRow,
  answer: { result: '签收' | '退文'; reason?: string; userId: string },
) => Promise<void>;

/**
 * 收文: one receipt and one document-receipt case per recipient unit — 签收 (with its 收文编号) or 退文, then 拟办,
 * 批办 and 承办. The document received is a local 发文 (分发) or a package from a partner deployment (公文交换).
 */
@Injectable()
export class ReceiptsService implements OnModuleInit {
  private readonly answeredHooks: ReceiptAnsweredHook[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly tasks: TasksService,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    this.engine.listen(RECEIPT_PROCESS, {
      taskCompleting: (e) => this.taskCompleting(e),
      caseStepped: (e) => this.stepped(e),
    });
    // The recipient's own papers of a 收文 (拟办 notes, 承办 results): its unit reads them; whoever works an open
    // step after 签收 adds them. A partner's document has no local record to hang them on but this receipt.
    this.attachments.registerOwner('document-receipt', {
      canRead: async (me, id, m) =>
        (await m.query(`SELECT 1 FROM document_receipts WHERE id = $1 AND unit_id = $2`, [id, me.unitId])).length > 0,
      canWrite: async (me, id, m) =>
        (
          await m.query(
            `SELECT 1 FROM document_receipts r JOIN tasks t ON t.instance_id = r.instance_id AND t.status = 'open' AND t.activity_id <> 'receive'
              WHERE r.id = $1 AND r.unit_id = $2 AND (t.assignee = $3 OR t.assignee IS NULL)`,
            [id, me.unitId, me.userId],
          )
        ).length > 0,
    });
  }

  /** 公文交换 registers here to send its signed receipt when a received package is signed for or refused. */
  onAnswered(hook: ReceiptAnsweredHook): void {
    this.answeredHooks.push(hook);
  }

  /** A new 收文 and its case, in the caller's transaction (分发 of a local 发文, or a package accepted from a partner). */
  async open(
    m: EntityManager,
    source: { documentId: string } | { exchangePackageId: string },
    recipient: { unitId: string; kind: '主送' | '抄送' },
    doc: ReceivedDocument,
    startedBy?: string,
  ): Promise<string> {
    const documentId = 'documentId' in source ? source.documentId : null;
    const packageId = 'exchangePackageId' in source ? source.exchangePackageId : null;
    const [receipt]: { id: string }[] = await m.query(
      `INSERT INTO document_receipts (document_id, exchange_package_id, unit_id, kind) VALUES ($1, $2, $3, $4) RETURNING id`,
      [documentId, packageId, recipient.unitId, recipient.kind],
    );
    const started = await this.engine.startProcess(
      RECEIPT_PROCESS,
      {
        businessKey: receipt.id,
        ownerUnitId: recipient.unitId,
        startedBy,
        variables: {
          ...(documentId ? { documentId } : { exchangePackageId: packageId }),
          receiptId: receipt.id,
          kind: recipient.kind,
          title: doc.title,
          urgency: doc.urgency,
          docNumber: doc.docNumber,
          docType: doc.docType,
          senderUnit: doc.senderUnit,
          ...(LIMITS[doc.urgency] ?? LIMITS['平急']),
        },
      },
      m,
    );
    await m.query(
      `UPDATE document_receipts SET instance_id = $2, due_at = (SELECT due_at FROM tasks WHERE instance_id = $2 AND activity_id = 'receive' LIMIT 1) WHERE id = $1`,
      [receipt.id, started.id],
    );
    return receipt.id;
  }

  /** 签收 from the 收文 list: the same as 同意 on the receipt's 签收 task. */
  async sign(me: Principal, receiptId: string): Promise<{ ok: true }> {
    const taskId = await this.receiveTask(me, receiptId);
    return this.tasks.act(me, taskId, { action: 'approve' });
  }

  /** 退文: the recipient refuses the document with a reason; the sender sees it at once. */
  async refuse(me: Principal, receiptId: string, reason: string): Promise<{ ok: true }> {
    const taskId = await this.receiveTask(me, receiptId);
    return this.tasks.act(me, taskId, { action: 'reject', comment: reason });
  }

  /** The receipt of my unit that holds a package received from a partner (404 for any other unit). */
  async receiptOfPackage(me: Principal, packageId: string): Promise<string> {
    const rows: { id: string; unit_id: string }[] = await this.dataSource.query(
      `SELECT id, unit_id FROM document_receipts WHERE exchange_package_id = $1`,
      [packageId],
    );
    if (!rows[0] || rows[0].unit_id !== me.unitId) throw new NotFoundError('收文');
    return rows[0].id;
  }

  /**
   * One 收文 of my unit, whatever its source: what was received (for a partner's package also who sent it, the
   * verified signer and seal, and its files), the receipt's status and its case (history and open steps).
   */
  async detail(me: Principal, receiptId: string) {
    if (!isUuid(receiptId)) throw new NotFoundError('收文');
    const [receipt] = await this.dataSource.query(
      `SELECT r.id AS "receiptId", d.document_id AS "documentId", d.exchange_package_id AS "exchangePackageId", d.title, d.doc_type AS "docType",
              d.secrecy, d.secrecy_term AS "secrecyTerm", d.urgency, d.doc_number AS "docNumber", d.signed_at AS "issuedAt", d.issuer,
              r.kind, r.status, r.delivered_at AS "deliveredAt", r.due_at AS "dueAt", r.signed_at AS "signedAt", sb.display_name AS "signedBy",
              r.refused_at AS "refusedAt", r.refuse_reason AS "refuseReason", r.completed_at AS "completedAt", r.is_overdue AS "isOverdue",
              r.receipt_number AS "receiptNumber", h.display_name AS "handlerName", r.instance_id AS "instanceId",
              p.organ_code AS "fromOrgan", p.name AS "fromName", x.seal_status AS "sealStatus", x.signer_fingerprint AS "signerFingerprint",
              x.metadata -> 'files' AS files
         FROM document_receipts r JOIN receipt_documents d ON d.receipt_id = r.id
         LEFT JOIN exchange_incoming x ON x.package_id = r.exchange_package_id LEFT JOIN exchange_partners p ON p.id = x.partner_id
         LEFT JOIN users sb ON sb.id = r.signed_by LEFT JOIN users h ON h.id = r.handler_id
        WHERE r.id = $1 AND r.unit_id = $2`,
      [receiptId, me.unitId],
    );
    if (!receipt) throw new NotFoundError('收文');
    const history = await this.dataSource.query(
      `SELECT a.action, a.comment, a.at, u.display_name AS "userName", t.name AS "taskName"
         FROM task_actions a JOIN users u ON u.id = a.user_id LEFT JOIN tasks t ON t.id = a.task_id
        WHERE a.instance_id = $1 ORDER BY a.id`,
      [receipt.instanceId],
    );
    const openTasks = await this.dataSource.query(
      `SELECT t.id, t.name, t.activity_id AS "activityId", t.due_at AS "dueAt", a.display_name AS "assigneeName"
         FROM tasks t LEFT JOIN users a ON a.id::text = t.assignee WHERE t.instance_id = $1 AND t.status = 'open' ORDER BY t.created_at`,
      [receipt.instanceId],
    );
    return { ...receipt, files: receipt.files ?? [], history, openTasks };
  }

  private async receiveTask(me: Principal, receiptId: string): Promise<string> {
    if (!isUuid(receiptId)) throw new NotFoundError('收文');
    const rows: { unit_id: string; status: string; task_id: string | null }[] = await this.dataSource.query(
      `SELECT r.unit_id, r.status, (SELECT t.id FROM tasks t WHERE t.instance_id = r.instance_id AND t.activity_id = 'receive' AND t.status = 'open' LIMIT 1) AS task_id
         FROM document_receipts r WHERE r.id = $1`,
      [receiptId],
    );
    const receipt = rows[0];
    if (!receipt || receipt.unit_id !== me.unitId) throw new NotFoundError('收文');
    if (!receipt.task_id) throw new ConflictError('RECEIPT_ALREADY_HANDLED', `该公文已${receipt.status}，不能再签收或退文`);
    return receipt.task_id;
  }

  // ---- the receipt's case -------------------------------------------------------------------

  private async taskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown> | void> {
    const receipt = await this.receiptOfCase(e.tx, e.businessKey);
    if (e.activityId === 'receive' && e.outcome === 'approve') {
      await e.tx.query(`UPDATE document_receipts SET status = '已签收', signed_at = now(), signed_by = $2 WHERE id = $1`, [
        receipt.id,
        e.userId,
      ]);
      await assignReceiptNumber(e.tx, receipt.id);
      for (const hook of this.answeredHooks) await hook(e.tx, receipt, { result: '签收', userId: e.userId });
    }
    if (e.activityId === 'receive' && e.outcome === 'reject') {
      const reason = e.comment?.trim() || undefined;
      await e.tx.query(
        `UPDATE document_receipts SET status = '退文', refused_at = now(), refused_by = $2, refuse_reason = $3 WHERE id = $1`,
        [receipt.id, e.userId, reason ?? null],
      );
      for (const hook of this.answeredHooks) await hook(e.tx, receipt, { result: '退文', reason, userId: e.userId });
    }
    if (e.activityId === 'instruct' && e.outcome === 'approve') {
      const handler = e.input.handler;
      const valid: unknown[] =
        typeof handler === 'string' && isUuid(handler)
          ? await e.tx.query(`SELECT 1 FROM users WHERE id = $1 AND unit_id = $2 AND is_active`, [handler, receipt.unit_id])
          : [];
      if (valid.length === 0) {
        throw new AppError('HANDLER_REQUIRED', '批办须指定本单位的承办人（variables.handler 为人员编号）', HttpStatus.BAD_REQUEST, [
          { field: 'variables.handler', message: '请选择本单位的承办人' },
        ]);
      }
      await e.tx.query(`UPDATE document_receipts SET handler_id = $2, status = '办理中' WHERE id = $1`, [receipt.id, handler]);
      return { handler };
    }
  }

  private async stepped(e: CaseSteppedEvent): Promise<void> {
    if (e.endedActivities.includes('start')) await this.receiptOfCase(e.tx, e.businessKey);
    if (e.endedActivities.includes('urged')) await this.urge(e);
    if (e.status === 'running') return;
    const refused = e.endedActivities.includes('refused');
    const receipt = await this.receiptOfCase(e.tx, e.businessKey);
    // A local 发文: serialise the "was this the last receipt?" check across recipients finishing at the same time.
    if (receipt.document_id) await e.tx.query(`SELECT 1 FROM documents WHERE id = $1 FOR UPDATE`, [receipt.document_id]);
    await e.tx.query(
      `UPDATE document_receipts SET status = $2, completed_at = CASE WHEN $2 = '办结' THEN now() ELSE completed_at END WHERE id = $1`,
      [receipt.id, refused ? '退文' : '办结'],
    );
    // A partner's document: its sender learnt of 签收/退文 through the signed receipt; nothing waits here.
    if (!receipt.document_id) return;
    if (refused) await this.notifyDrafter(e.tx, receipt.document_id, { receiptId: receipt.id, unitId: receipt.unit_id });
    const open: unknown[] = await e.tx.query(
      `SELECT 1 FROM document_receipts WHERE document_id = $1 AND status NOT IN ('办结','退文') LIMIT 1`,
      [receipt.document_id],
    );
    if (open.length === 0) await this.engine.correlateMessage(RECEIPTS_CLOSED, { businessKey: receipt.document_id }, e.tx);
  }

  /** 签收 overdue: flag the receipt, count the 催办 on the open task, and tell the recipient's clerks. */
  private async urge(e: CaseSteppedEvent): Promise<void> {
    const receipt = await this.receiptOfCase(e.tx, e.businessKey);
    await e.tx.query(`UPDATE document_receipts SET is_overdue = true, urge_count = urge_count + 1 WHERE id = $1`, [receipt.id]);
    await e.tx.query(
      `UPDATE tasks SET urged_at = now(), urge_count = urge_count + 1 WHERE instance_id = $1 AND activity_id = 'receive' AND status = 'open'`,
      [e.instanceId],
    );
    await e.tx.query(`INSERT INTO outbox (topic, payload) VALUES ('document.receipt.overdue', $1)`, [
      JSON.stringify({
        receiptId: receipt.id,
        documentId: receipt.document_id ?? undefined,
        toUnit: receipt.unit_id,
        toRole: 'clerk',
        subject: `催办：公文《${String(e.variables.title ?? '')}》尚未签收，已超过签收时限`,
      }),
    ]);
  }

  private async receiptOfCase(m: EntityManager, businessKey: string | null): Promise<ReceiptRow> {
    const rows: ReceiptRow[] = isUuid(businessKey ?? '')
      ? await m.query(
          `SELECT id, document_id, exchange_package_id, unit_id, kind, status, instance_id FROM document_receipts WHERE id = $1`,
          [businessKey],
        )
      : [];
    if (!rows[0]) throw new AppError('RECEIPT_MISSING', '该流程没有对应的收文记录', HttpStatus.UNPROCESSABLE_ENTITY);
    return rows[0];
  }

  /** 退文 of a local 发文: its drafter is told at once. */
  private async notifyDrafter(m: EntityManager, documentId: string, extra: Record<string, unknown>): Promise<void> {
    const [doc]: { title: string; drafter_id: string; unit_id: string; doc_number: string | null }[] = await m.query(
      `SELECT title, drafter_id, unit_id, doc_number FROM documents WHERE id = $1`,
      [documentId],
    );
    await m.query(`INSERT INTO outbox (topic, payload) VALUES ('document.refused', $1)`, [
      JSON.stringify({ documentId, to: doc.drafter_id, unitId: doc.unit_id, title: doc.title, docNumber: doc.doc_number, ...extra }),
    ]);
  }
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
