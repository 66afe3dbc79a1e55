import { HttpStatus, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, type EntityManager } from 'typeorm';
import { certificateInfo, fromPem } from '@zhengwu/seal';
import { AuditService } from '../audit/audit.service';
import { DocumentsService } from '../documents/documents.service';
import { ReceiptsService, type ReceiptRow } from '../documents/receipts.service';
import { AttachmentsService } from '../files/attachments.service';
import type { Principal } from '../identity/principal';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import {
  EXCHANGE_FORMAT,
  fileEntry,
  signEnvelope,
  verifyEnvelope,
  type DocumentEnvelope,
  type EnvelopeFile,
  type ReceiptEnvelope,
  type SignedEnvelope,
} from './envelope';
import type { CreatePartnerDto, PartnerRecipientDto } from './exchange.dto';
import { ExchangeIdentity } from './exchange-identity';

export const EXCHANGE_MEDIA_TYPE = 'application/vnd.zhengwu.exchange+json';
const LOCK_MS = 60_000;
const BATCH = 10;
const MAX_ATTEMPTS = 20;
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 3_600_000;

interface PartnerRow {
  id: string;
  organ_code: string;
  name: string;
  base_url: string;
  ca_certificate: string;
}

interface DueRow {
  id: string;
  kind: 'document' | 'receipt';
  body: Buffer;
  attempts: number;
  base_url: string;
}

/** A refusal the receiving side answers with (4xx): sending again would be refused again. */
class Refused extends AppError {}

/**
 * 公文交换 between deployments. Sending: 分发 of a 发文 with partner recipients writes one signed package per
 * partner unit into exchange_outgoing (in the 分发 transaction); the delivery loop of any api process claims due
 * rows (FOR UPDATE SKIP LOCKED and a lease, so one process at a time), POSTs them to the partner's inbox and
 * retries with exponential backoff. The receiver keeps each package id once, so a retry after a lost answer
 * is accepted once. Receiving: verify against the partner's CA, keep the package as a 收文 of the addressed unit,
 * and send back a signed receipt (签收 / 退文) the same way.
 */
@Injectable()
export class ExchangeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExchangeService.name);
  private readonly workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private handle?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly identity: ExchangeIdentity,
    private readonly attachments: AttachmentsService,
    private readonly audit: AuditService,
    documents: DocumentsService,
    private readonly receipts: ReceiptsService,
  ) {
    documents.onDistribute((m, documentId) => this.enqueueDocument(m, documentId));
    receipts.onAnswered((m, receipt, answer) => (receipt.exchange_package_id ? this.answerPartner(m, receipt, answer) : Promise.resolve()));
  }

  onApplicationBootstrap(): void {
    if (!this.config.exchange.organCode || process.env.ZW_DISABLE_SCHEDULER === '1') return;
    this.handle = setInterval(() => void this.deliverDue(), this.config.exchange.pollMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }

  // ---- partners --------------------------------------------------------------------------------

  async addPartner(me: Principal, dto: CreatePartnerDto): Promise<{ id: string }> {
    this.identity.current(); // 409 EXCHANGE_NOT_CONFIGURED while this deployment has no exchange identity
    let der: Buffer;
    try {
      der = fromPem(dto.caCertificate);
      if (!certificateInfo(der).isCa) throw new Error('not a CA');
    } catch {
      throw new AppError(
        'EXCHANGE_BAD_CA',
        '根证书无法识别：请粘贴对方系统 /api/seals/ca.crt 的 PEM 内容',
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    if (dto.organCode === this.config.exchange.organCode) {
      throw new AppError('EXCHANGE_SELF', '不能把本系统登记为交换方', HttpStatus.UNPROCESSABLE_ENTITY);
    }
    return this.dataSource.transaction(async (m) => {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO exchange_partners (organ_code, name, base_url, ca_certificate, ca_fingerprint, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (organ_code) DO NOTHING RETURNING id`,
        [dto.organCode, dto.name, dto.baseUrl.replace(/\/$/, ''), dto.caCertificate.trim(), certificateInfo(der).fingerprint, me.userId],
      );
      if (!rows[0]) throw new ConflictError('EXCHANGE_PARTNER_EXISTS', `机构代码 ${dto.organCode} 已登记为交换方`);
      await this.audit.record(
        { action: 'exchange.partner.add', objectType: 'exchange-partner', objectId: rows[0].id, detail: { organCode: dto.organCode } },
        m,
      );
      return rows[0];
    });
  }

  listPartners(): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT id, organ_code AS "organCode", name, base_url AS "baseUrl", ca_fingerprint AS "caFingerprint", created_at AS "createdAt"
         FROM exchange_partners WHERE removed_at IS NULL ORDER BY organ_code`,
    );
  }

  /** Removed partners stay as rows (packages refer to them); nothing more is sent to or accepted from them. */
  async removePartner(id: string): Promise<{ ok: true }> {
    if (!isUuid(id)) throw new NotFoundError('交换方');
    await this.dataSource.transaction(async (m) => {
      const [, n]: [unknown[], number] = await m.query(
        `UPDATE exchange_partners SET removed_at = now() WHERE id = $1 AND removed_at IS NULL`,
        [id],
      );
      if (n === 0) throw new NotFoundError('交换方');
      await this.audit.record({ action: 'exchange.partner.remove', objectType: 'exchange-partner', objectId: id }, m);
    });
    return { ok: true };
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** Packages and receipts set aside (refused by the partner, or out of attempts), newest first. */
  async directory(): Promise<{ organCode: string; name: string }[]> {
    if (!this.config.exchange.organCode) return [];
    return this.dataSource.query(
      `SELECT organ_code AS "organCode", name FROM exchange_partners WHERE removed_at IS NULL ORDER BY organ_code`,
    );
  }

  listFailed(): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT o.id, o.kind, p.organ_code AS "organCode", o.unit_code AS "unitCode", o.unit_name AS "unitName", o.document_id AS "documentId",
              o.status, o.attempts, o.last_error AS "lastError", o.created_at AS "createdAt"
         FROM exchange_outgoing o JOIN exchange_partners p ON p.id = o.partner_id
        WHERE o.delivery = 'failed' ORDER BY o.created_at DESC LIMIT 200`,
    );
  }

  /** The administrator sends a set-aside package or receipt again (after the partner fixed what it refused). */
  async retry(id: string): Promise<{ ok: true }> {
    if (!isUuid(id)) throw new NotFoundError('交换包');
    await this.dataSource.transaction(async (m) => {
      const [, n]: [unknown[], number] = await m.query(
        `UPDATE exchange_outgoing SET delivery = 'pending', attempts = 0, next_attempt_at = now(), locked_by = NULL, lock_expires_at = NULL,
                status = CASE WHEN status = '被拒收' THEN '待送达' ELSE status END
          WHERE id = $1 AND delivery = 'failed'`,
        [id],
      );
      if (n === 0) throw new NotFoundError('发送失败的交换包');
      await this.audit.record({ action: 'exchange.retry', objectType: 'exchange-package', objectId: id }, m);
    });
    return { ok: true };
  }

  /** The drafting unit names the partner units while the document is still a draft. */
  async setPartnerRecipients(me: Principal, documentId: string, recipients: PartnerRecipientDto[]): Promise<{ ok: true }> {
    if (!isUuid(documentId)) throw new NotFoundError('公文');
    // 分发 signs with the exchange key: a document may name partner units only where there is one.
    if (recipients.length > 0) this.identity.current();
    await this.dataSource.transaction(async (m) => {
      const docs: { unit_id: string; status: string; drafter_id: string }[] = await m.query(
        `SELECT unit_id, status, drafter_id FROM documents WHERE id = $1 FOR UPDATE`,
        [documentId],
      );
      if (!docs[0] || docs[0].unit_id !== me.unitId) throw new NotFoundError('公文');
      // As for the local recipients: the drafter, while the document is at 拟稿.
      if (docs[0].status !== '拟稿' || docs[0].drafter_id !== me.userId) {
        throw new ConflictError('DOCUMENT_NOT_DRAFTING', '只有拟稿人在拟稿阶段可以更改外部收文单位');
      }
      await m.query(`DELETE FROM document_partner_recipients WHERE document_id = $1`, [documentId]);
      for (const r of recipients) {
        const partners: { id: string }[] = await m.query(`SELECT id FROM exchange_partners WHERE organ_code = $1 AND removed_at IS NULL`, [
          r.organCode,
        ]);
        if (!partners[0]) throw new AppError('EXCHANGE_UNKNOWN_PARTNER', `交换方 ${r.organCode} 未登记`, HttpStatus.UNPROCESSABLE_ENTITY);
        await m.query(
          `INSERT INTO document_partner_recipients (document_id, partner_id, unit_code, unit_name, kind) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [documentId, partners[0].id, r.unitCode, r.unitName, r.kind],
        );
      }
    });
    return { ok: true };
  }

  /** The sender's view: every partner recipient with its live status. */
  async partnerRecipients(me: Principal, documentId: string): Promise<unknown[]> {
    if (!isUuid(documentId)) throw new NotFoundError('公文');
    const docs: { unit_id: string }[] = await this.dataSource.query(`SELECT unit_id FROM documents WHERE id = $1`, [documentId]);
    if (!docs[0] || docs[0].unit_id !== me.unitId) throw new NotFoundError('公文');
    return this.dataSource.query(
      `SELECT p.organ_code AS "organCode", p.name AS "partnerName", r.unit_code AS "unitCode", r.unit_name AS "unitName", r.kind,
              o.id AS "packageId", COALESCE(o.status, '待分发') AS status, o.delivery, o.attempts, o.last_error AS "lastError",
              o.delivered_at AS "deliveredAt", o.status_at AS "statusAt", o.refuse_reason AS "refuseReason"
         FROM document_partner_recipients r JOIN exchange_partners p ON p.id = r.partner_id
         LEFT JOIN exchange_outgoing o ON o.kind = 'document' AND o.document_id = r.document_id AND o.partner_id = r.partner_id AND o.unit_code = r.unit_code
        WHERE r.document_id = $1 ORDER BY r.kind DESC, p.organ_code, r.unit_code`,
      [documentId],
    );
  }

  /** In the 分发 transaction: one signed package per partner recipient, queued for delivery. */
  private async enqueueDocument(m: EntityManager, documentId: string): Promise<void> {
    const recipients: { partner_id: string; unit_code: string; unit_name: string; kind: '主送' | '抄送' }[] = await m.query(
      `SELECT r.partner_id, r.unit_code, r.unit_name, r.kind FROM document_partner_recipients r
         JOIN exchange_partners p ON p.id = r.partner_id AND p.removed_at IS NULL WHERE r.document_id = $1`,
      [documentId],
    );
    if (recipients.length === 0) return;
    const [doc]: {
      doc_number: string;
      doc_type: string;
      title: string;
      urgency: string;
      secrecy: string;
      unit_name: string;
      signed_at: Date;
      pdf_sha: string | null;
      pdf_name: string | null;
      ofd_sha: string | null;
      ofd_name: string | null;
    }[] = await m.query(
      `SELECT d.doc_number, d.doc_type, d.title, d.urgency, d.secrecy, u.name AS unit_name, d.signed_at,
              pdf.sha256 AS pdf_sha, pdf.name AS pdf_name, ofd.sha256 AS ofd_sha, ofd.name AS ofd_name
         FROM documents d JOIN units u ON u.id = d.unit_id
         LEFT JOIN document_ofd o ON o.document_id = d.id
         LEFT JOIN attachments pdf ON pdf.id = COALESCE(o.sealed_pdf_attachment_id, d.pdf_attachment_id)
         LEFT JOIN attachments ofd ON ofd.id = COALESCE(o.sealed_ofd_attachment_id, o.ofd_attachment_id)
        WHERE d.id = $1`,
      [documentId],
    );
    if (!doc.pdf_sha) throw new Error(`document ${documentId} reached 分发 without its official PDF`);
    const files: EnvelopeFile[] = [
      fileEntry('pdf', doc.pdf_name ?? '正式公文.pdf', 'application/pdf', await this.attachments.read(doc.pdf_sha)),
    ];
    if (doc.ofd_sha)
      files.push(fileEntry('ofd', doc.ofd_name ?? '正式公文.ofd', 'application/ofd', await this.attachments.read(doc.ofd_sha)));
    const signer = this.identity.current();
    for (const r of recipients) {
      const partner = await this.partner(m, r.partner_id);
      const packageId = randomUUID();
      const envelope: DocumentEnvelope = {
        format: EXCHANGE_FORMAT,
        type: 'document',
        packageId,
        createdAt: new Date().toISOString(),
        sender: { organCode: this.identity.organCode, organName: this.identity.organName },
        recipient: { organCode: partner.organ_code, unitCode: r.unit_code, unitName: r.unit_name, kind: r.kind },
        document: {
          docNumber: doc.doc_number,
          docType: doc.doc_type,
          title: doc.title,
          urgency: doc.urgency,
          secrecy: doc.secrecy,
          issuingUnit: doc.unit_name,
          signedAt: new Date(doc.signed_at).toISOString(),
        },
        files,
      };
      const body = Buffer.from(JSON.stringify(signEnvelope(envelope, signer)), 'utf8');
      await m.query(
        `INSERT INTO exchange_outgoing (id, kind, partner_id, document_id, unit_code, unit_name, recipient_kind, body)
         VALUES ($1, 'document', $2, $3, $4, $5, $6, $7) ON CONFLICT (document_id, partner_id, unit_code) DO NOTHING`,
        [packageId, r.partner_id, documentId, r.unit_code, r.unit_name, r.kind, body],
      );
    }
  }

  /**
   * Delivers what is due (all api processes may run this at once: a row is claimed by one of them for LOCK_MS).
   * Returns how many were delivered. Tests call it directly instead of waiting for the interval.
   */
  deliverDue(): Promise<number> {
    this.running ??= this.deliverBatch()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'exchange delivery round failed; will retry');
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async deliverBatch(): Promise<number> {
    const due: DueRow[] = await this.dataSource
      .query(
        `UPDATE exchange_outgoing o SET locked_by = $1, lock_expires_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM exchange_partners p
        WHERE p.id = o.partner_id AND o.id IN (
              SELECT id FROM exchange_outgoing WHERE delivery = 'pending' AND next_attempt_at <= now()
                 AND partner_id IN (SELECT id FROM exchange_partners WHERE removed_at IS NULL)
                 AND (lock_expires_at IS NULL OR lock_expires_at < now())
               ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING o.id, o.kind, o.body, o.attempts, p.base_url`,
        [this.workerId, LOCK_MS, BATCH],
      )
      .then(([rows]: [DueRow[], number]) => rows);
    // In parallel: each call ends within its 30 s timeout, well inside the lease, so no other process takes a row over mid-send.
    const outcomes = await Promise.all(due.map((row) => this.deliverOne(row)));
    return outcomes.filter(Boolean).length;
  }

  /** Sends one claimed row and records the answer; true when the partner accepted it. */
  private async deliverOne(row: DueRow): Promise<boolean> {
    const path = row.kind === 'document' ? '/api/exchange/inbox' : '/api/exchange/receipts';
    let outcome: { ok: true } | { ok: false; permanent: boolean; error: string };
    try {
      const res = await fetch(`${row.base_url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': EXCHANGE_MEDIA_TYPE },
        body: row.body,
        signal: AbortSignal.timeout(30_000),
      });
      if (res.ok) outcome = { ok: true };
      else {
        const answer = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
        // 4xx but 408/429: the partner looked at the package and refused it; sending it again changes nothing.
        const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
        outcome = { ok: false, permanent, error: `${res.status} ${answer.code ?? ''} ${answer.message ?? ''}`.trim() };
      }
    } catch (error) {
      outcome = { ok: false, permanent: false, error: describe(error) };
    }
    if (outcome.ok) {
      await this.dataSource.query(
        `UPDATE exchange_outgoing SET delivery = 'delivered', delivered_at = now(), locked_by = NULL, lock_expires_at = NULL, last_error = NULL,
                status = CASE WHEN kind = 'document' AND status = '待送达' THEN '已送达' ELSE status END
          WHERE id = $1 AND locked_by = $2`,
        [row.id, this.workerId],
      );
      return true;
    } else if (outcome.permanent) {
      await this.dataSource.query(
        `UPDATE exchange_outgoing SET delivery = 'failed', attempts = attempts + 1, locked_by = NULL, lock_expires_at = NULL, last_error = $3,
                status = CASE WHEN kind = 'document' THEN '被拒收' ELSE status END
          WHERE id = $1 AND locked_by = $2`,
        [row.id, this.workerId, outcome.error.slice(0, 2000)],
      );
      this.logger.warn({ outgoingId: row.id, error: outcome.error }, 'exchange package refused by the partner');
    } else {
      await this.dataSource.query(
        `UPDATE exchange_outgoing SET attempts = attempts + 1, last_error = $3, locked_by = NULL, lock_expires_at = NULL,
                delivery = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END,
                next_attempt_at = now() + make_interval(secs => least($5::double precision * power(2, attempts), $6::double precision) / 1000)
          WHERE id = $1 AND locked_by = $2`,
        [row.id, this.workerId, outcome.error.slice(0, 2000), MAX_ATTEMPTS, this.retryBaseMs(), RETRY_MAX_MS],
      );
    }
    return false;
  }

  /** Tests shorten the backoff through EXCHANGE_POLL_MS: the first retry waits at most one poll interval. */
  private retryBaseMs(): number {
    return Math.min(RETRY_BASE_MS, this.config.exchange.pollMs);
  }

  // ---- receiving -------------------------------------------------------------------------------

  /** POST /api/exchange/inbox: a document package from a partner. */
  async receivePackage(raw: Buffer): Promise<{ packageId: string; duplicate: boolean }> {
    const envelope = this.parse(raw);
    if (envelope.type !== 'document') throw new Refused('EXCHANGE_WRONG_TYPE', '收件地址只接收公文交换包', HttpStatus.BAD_REQUEST);
    const { partner, verdict } = await this.check(envelope);
    if (envelope.recipient?.organCode !== this.identity.organCode) {
      return this.refuse(
        envelope,
        partner,
        'EXCHANGE_WRONG_RECIPIENT',
        `交换包的收件机构不是本系统（${this.identity.organCode}）`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    const problem = documentMetadataProblem(envelope.document);
    if (problem)
      return this.refuse(
        envelope,
        partner,
        'EXCHANGE_MALFORMED',
        `交换包的公文信息不符合要求：${problem}`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    const units: { id: string }[] = await this.dataSource.query(`SELECT id FROM units WHERE code = $1`, [envelope.recipient.unitCode]);
    if (!units[0]) {
      return this.refuse(
        envelope,
        partner,
        'EXCHANGE_UNKNOWN_UNIT',
        `本系统没有代码为 ${envelope.recipient.unitCode} 的单位`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    return this.dataSource.transaction(async (m) => {
      const inserted: { package_id: string }[] = await m.query(
        `INSERT INTO exchange_incoming (package_id, partner_id, unit_id, recipient_kind, metadata, body, seal_status, signer_fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (package_id) DO NOTHING RETURNING package_id`,
        [
          envelope.packageId,
          partner.id,
          units[0].id,
          envelope.recipient.kind === '抄送' ? '抄送' : '主送',
          JSON.stringify({ sender: envelope.sender, document: envelope.document, files: envelope.files.map(({ content: _c, ...f }) => f) }),
          raw,
          verdict.sealStatus,
          verdict.signerFingerprint,
        ],
      );
      if (!inserted[0]) return { packageId: envelope.packageId, duplicate: true };
      // A 收文 of the addressed unit like a local one: its clerks get the 签收 task (and its mail) at once.
      const doc = envelope.document;
      await this.receipts.open(
        m,
        { exchangePackageId: envelope.packageId },
        { unitId: units[0].id, kind: envelope.recipient.kind === '抄送' ? '抄送' : '主送' },
        {
          title: doc.title,
          urgency: doc.urgency,
          docNumber: doc.docNumber || null,
          docType: doc.docType,
          senderUnit: issuerOf(envelope.sender.organName, doc.issuingUnit),
        },
      );
      await this.audit.record(
        {
          action: 'exchange.received',
          objectType: 'exchange-package',
          objectId: envelope.packageId,
          detail: { from: partner.organ_code, unitCode: envelope.recipient.unitCode, docNumber: envelope.document?.docNumber },
          actor: { username: `exchange:${partner.organ_code}` },
        },
        m,
      );
      return { packageId: envelope.packageId, duplicate: false };
    });
  }

  /** POST /api/exchange/receipts: a partner signed for (or refused) a package this deployment sent. */
  async receiveReceipt(raw: Buffer): Promise<{ ok: true; duplicate: boolean }> {
    const envelope = this.parse(raw);
    if (envelope.type !== 'receipt') throw new Refused('EXCHANGE_WRONG_TYPE', '回执地址只接收回执', HttpStatus.BAD_REQUEST);
    const { partner } = await this.check(envelope);
    if (envelope.recipient?.organCode !== this.identity.organCode) {
      return this.refuse(
        envelope,
        partner,
        'EXCHANGE_WRONG_RECIPIENT',
        `回执的收件机构不是本系统（${this.identity.organCode}）`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    const status = envelope.result === '退文' ? '退文' : '已签收';
    return this.dataSource.transaction(async (m) => {
      const rows: { status: string }[] = await m.query(
        `SELECT status FROM exchange_outgoing WHERE id = $1 AND kind = 'document' AND partner_id = $2 FOR UPDATE`,
        [isUuid(envelope.inReplyTo) ? envelope.inReplyTo : null, partner.id],
      );
      if (!rows[0])
        return this.refuse(
          envelope,
          partner,
          'EXCHANGE_UNKNOWN_PACKAGE',
          '回执所指的交换包不是本系统发给该交换方的',
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      if (rows[0].status === status) return { ok: true as const, duplicate: true };
      if (rows[0].status !== '待送达' && rows[0].status !== '已送达') {
        throw new ConflictError('EXCHANGE_RECEIPT_CONFLICT', `该交换包已${rows[0].status}，不再接受不同的回执`);
      }
      await m.query(
        `UPDATE exchange_outgoing SET status = $2, status_at = $3, refuse_reason = $4,
                delivery = 'delivered', delivered_at = COALESCE(delivered_at, now()), locked_by = NULL, lock_expires_at = NULL WHERE id = $1`,
        [envelope.inReplyTo, status, new Date(envelope.at), envelope.result === '退文' ? (envelope.reason ?? null) : null],
      );
      await this.audit.record(
        {
          action: 'exchange.receipt',
          objectType: 'exchange-package',
          objectId: envelope.inReplyTo,
          detail: { from: partner.organ_code, result: envelope.result, reason: envelope.reason },
          actor: { username: `exchange:${partner.organ_code}` },
        },
        m,
      );
      return { ok: true as const, duplicate: false };
    });
  }

  /** The 收文 from partners addressed to my unit. */
  listIncoming(me: Principal): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT i.package_id AS "packageId", p.organ_code AS "fromOrgan", p.name AS "fromName", i.metadata->'document' AS document,
              i.recipient_kind AS kind, i.status, i.seal_status AS "sealStatus", i.received_at AS "receivedAt", i.refuse_reason AS "refuseReason"
         FROM exchange_incoming i JOIN exchange_partners p ON p.id = i.partner_id WHERE i.unit_id = $1 ORDER BY i.received_at DESC LIMIT 200`,
      [me.unitId],
    );
  }

  /** A file of a received package (the PDF or the OFD, by its name in the package), for the addressed unit. */
  async incomingFile(me: Principal, packageId: string, name: string): Promise<{ name: string; mediaType: string; content: Buffer }> {
    if (!isUuid(packageId)) throw new NotFoundError('收文');
    const rows: { unit_id: string; body: Buffer }[] = await this.dataSource.query(
      `SELECT unit_id, body FROM exchange_incoming WHERE package_id = $1`,
      [packageId],
    );
    if (!rows[0] || rows[0].unit_id !== me.unitId) throw new NotFoundError('收文');
    const envelope = JSON.parse(rows[0].body.toString('utf8')) as DocumentEnvelope;
    const file = envelope.files.find((f) => f.name === name);
    if (!file) throw new NotFoundError('文件');
    return {
      name: file.name,
      mediaType: file.role === 'pdf' ? 'application/pdf' : 'application/ofd',
      content: Buffer.from(file.content, 'base64'),
    };
  }

  /**
   * 签收 or 退文 of a partner's package by a clerk of the addressed unit: the 签收 step of its 收文 case, as from the
   * 收文 list or the task page; answerPartner then sends the signed receipt back.
   */
  async answerIncoming(me: Principal, packageId: string, result: '签收' | '退文', reason?: string): Promise<{ ok: true }> {
    if (!isUuid(packageId)) throw new NotFoundError('收文');
    const receiptId = await this.receipts.receiptOfPackage(me, packageId);
    if (!me.roles.includes('clerk')) throw new ForbiddenError('只有本单位的文书（收文员）可以签收或退文');
    if (result === '退文' && !reason?.trim())
      throw new AppError('REFUSE_REASON_REQUIRED', '退文须写明理由', HttpStatus.UNPROCESSABLE_ENTITY);
    return result === '签收' ? this.receipts.sign(me, receiptId) : this.receipts.refuse(me, receiptId, reason!.trim());
  }

  /** In the 签收/退文 transaction of a partner's package: mark it answered and queue the signed receipt to its sender. */
  private async answerPartner(
    m: EntityManager,
    receiptRow: ReceiptRow,
    answer: { result: '签收' | '退文'; reason?: string; userId: string },
  ): Promise<void> {
    const packageId = receiptRow.exchange_package_id!;
    const rows: { status: string; partner_id: string }[] = await m.query(
      `SELECT status, partner_id FROM exchange_incoming WHERE package_id = $1 FOR UPDATE`,
      [packageId],
    );
    if (rows[0]?.status !== '已送达')
      throw new ConflictError('RECEIPT_ALREADY_HANDLED', `该公文已${rows[0]?.status ?? '处理'}，不能再签收或退文`);
    await m.query(
      `UPDATE exchange_incoming SET status = $2, handled_by = $3, handled_at = now(), refuse_reason = $4 WHERE package_id = $1`,
      [packageId, answer.result === '签收' ? '已签收' : '退文', answer.userId, answer.result === '退文' ? (answer.reason ?? null) : null],
    );
    const partner = await this.partner(m, rows[0].partner_id);
    const at = new Date().toISOString();
    const receipt: ReceiptEnvelope = {
      format: EXCHANGE_FORMAT,
      type: 'receipt',
      packageId: randomUUID(),
      createdAt: at,
      sender: { organCode: this.identity.organCode, organName: this.identity.organName },
      recipient: { organCode: partner.organ_code },
      inReplyTo: packageId,
      result: answer.result,
      reason: answer.result === '退文' ? answer.reason : undefined,
      at,
    };
    const [unit]: { code: string; name: string }[] = await m.query(`SELECT code, name FROM units WHERE id = $1`, [receiptRow.unit_id]);
    await m.query(
      `INSERT INTO exchange_outgoing (id, kind, partner_id, unit_code, unit_name, body) VALUES ($1, 'receipt', $2, $3, $4, $5)`,
      [
        receipt.packageId,
        partner.id,
        unit.code,
        unit.name,
        Buffer.from(JSON.stringify(signEnvelope(receipt, this.identity.current())), 'utf8'),
      ],
    );
    await this.audit.record(
      {
        action: `exchange.${answer.result === '签收' ? 'sign' : 'refuse'}`,
        objectType: 'exchange-package',
        objectId: packageId,
        detail: { reason: answer.reason, receiptId: receiptRow.id },
      },
      m,
    );
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private parse(raw: Buffer): SignedEnvelope {
    let envelope: SignedEnvelope;
    try {
      envelope = JSON.parse(raw.toString('utf8')) as SignedEnvelope;
    } catch {
      throw new Refused('EXCHANGE_MALFORMED', '交换包不是有效的 JSON', HttpStatus.BAD_REQUEST);
    }
    if (envelope?.format !== EXCHANGE_FORMAT || !isUuid(envelope.packageId) || typeof envelope.sender?.organCode !== 'string') {
      throw new Refused('EXCHANGE_MALFORMED', `交换包格式不符（应为 ${EXCHANGE_FORMAT}）`, HttpStatus.BAD_REQUEST);
    }
    return envelope;
  }

  /** The sender must be a registered partner and the envelope must verify against its CA; refusals are audited. */
  private async check(
    envelope: SignedEnvelope,
  ): Promise<{ partner: PartnerRow; verdict: Extract<ReturnType<typeof verifyEnvelope>, { ok: true }> }> {
    const partners: PartnerRow[] = await this.dataSource.query(
      `SELECT id, organ_code, name, base_url, ca_certificate FROM exchange_partners WHERE organ_code = $1 AND removed_at IS NULL`,
      [envelope.sender.organCode],
    );
    if (!partners[0]) {
      return this.refuse(
        envelope,
        null,
        'EXCHANGE_UNKNOWN_SENDER',
        `发送机构 ${envelope.sender.organCode} 不是本系统登记的交换方`,
        HttpStatus.FORBIDDEN,
      );
    }
    const verdict = verifyEnvelope(envelope, fromPem(partners[0].ca_certificate), partners[0].organ_code);
    if (!verdict.ok) return this.refuse(envelope, partners[0], verdict.code, verdict.reason, HttpStatus.UNPROCESSABLE_ENTITY);
    return { partner: partners[0], verdict };
  }

  private async refuse(
    envelope: SignedEnvelope,
    partner: PartnerRow | null,
    code: string,
    reason: string,
    status: HttpStatus,
  ): Promise<never> {
    await this.audit.record({
      action: 'exchange.refused',
      outcome: 'failure',
      objectType: 'exchange-package',
      objectId: envelope.packageId,
      detail: { code, reason, type: envelope.type, claimedSender: envelope.sender?.organCode, partnerId: partner?.id ?? null },
      actor: { username: `exchange:${String(envelope.sender?.organCode).slice(0, 32)}` },
    });
    throw new Refused(code, reason, status);
  }

  private async partner(m: EntityManager, id: string): Promise<PartnerRow> {
    const rows: PartnerRow[] = await m.query(`SELECT id, organ_code, name, base_url, ca_certificate FROM exchange_partners WHERE id = $1`, [
      id,
    ]);
    return rows[0];
  }
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return [error instanceof Error ? error.message : String(error), cause?.code ?? cause?.message].filter(Boolean).join(': ');
}

/** The 15 文种 of 党政机关公文处理工作条例 art. 8: what a partner may send. */
const DOC_TYPES = [
  '决议',
  '决定',
  '命令',
  '令',
  '公报',
  '公告',
  '通告',
  '意见',
  '通知',
  '通报',
  '报告',
  '请示',
  '批复',
  '议案',
  '函',
  '纪要',
];

/** Why the signed metadata of a partner's document cannot become a 收文 here, or null when it can. */
export function documentMetadataProblem(metadata: unknown): string | null {
  const doc = metadata as Partial<Record<string, unknown>> | undefined;
  if (!doc || typeof doc !== 'object') return '缺少公文信息';
  const text = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
  if (!text(doc.title, 200)) return '标题为空或超过 200 字';
  if (typeof doc.docType !== 'string' || !DOC_TYPES.includes(doc.docType)) return `文种“${String(doc.docType)}”不是法定文种`;
  if (!['平急', '加急', '特急'].includes(doc.urgency as string)) return `紧急程度“${String(doc.urgency)}”无效`;
  if (!['非密', '秘密', '机密'].includes(doc.secrecy as string)) return `密级“${String(doc.secrecy)}”无效（涉密公文不经本系统交换）`;
  if (doc.docNumber !== undefined && doc.docNumber !== '' && !text(doc.docNumber, 64)) return '发文字号无效';
  if (!text(doc.issuingUnit, 100)) return '缺少发文机关';
  if (typeof doc.signedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(doc.signedAt) || Number.isNaN(Date.parse(doc.signedAt)))
    return '签发时间不是 ISO 8601 时间';
  return null;
}

/** 责任者 of a partner's document: its issuing unit, named with the organ unless it already is. */
function issuerOf(organName: string, issuingUnit: string): string {
  return issuingUnit.startsWith(organName) ? issuingUnit : `${organName}${issuingUnit}`;
}
