import { HttpStatus, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { unpackOfd } from '@zhengwu/ofd';
import {
  certificateInfo,
  drawSealPng,
  generateSm2KeyPair,
  makeSeal,
  pngInfo,
  sealOfd,
  sealPlacesOf,
  stampPdf,
  verifyOfd,
  type OfdVerification,
} from '@zhengwu/seal';
import { AuditService } from '../audit/audit.service';
import { ENGINE_PORT, type EnginePort, type TaskCompletingEvent } from '../engine/engine.port';
import { AttachmentsService } from '../files/attachments.service';
import { hasRole, type Principal } from '../identity/principal';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { DemoCases } from '../seed/demo-cases';
import { DeploymentCa } from './deployment-ca.service';
import { SealKeyCipher } from './seal-key-cipher';
import type { CreateSealDto, SealPreviewDto } from './seals.dto';
import { SealsRepository, type SealRow } from './seals.repository';
import { issuingOrganName } from '../org/issuing-organ';

/** The 发文 process and its 用印 step (bpmn/document-exchange.bpmn). */
const SENDER_PROCESS = 'document-exchange';
const SEAL_TASK = 'seal';
const SEAL_KEEPER = 'seal-keeper';
/** The common diameter of a 单位印章 on a 公文 (GB/T 9704 §7.3.5 shows it over the 署名 and date). */
const SEAL_MM = 42;

export interface SealView {
  id: string;
  unitId: string;
  unitName: string;
  esId: string;
  name: string;
  label: string | null;
  imageSource: 'drawn' | 'uploaded';
  status: 'active' | 'revoked';
  validFrom: string;
  validTo: string;
  certificate: { subject: string; issuer: string; serialNumber: string; fingerprint: string; notAfter: string };
  createdByName: string;
  createdAt: string;
  revokedAt: string | null;
  revokeReason: string | null;
}

export interface DocumentSealView {
  /** The OFD to download: the sealed one once 用印 happened, else the typeset one; null before 排版 wrote one. */
  ofdAttachmentId: string | null;
  sealed: boolean;
  sealName: string | null;
  esId: string | null;
  sealedByName: string | null;
  sealedAt: string | null;
}

export interface SealVerificationView extends OfdVerification {
  documentId: string;
  checkedAt: string;
  ofdAttachmentId: string | null;
  /** The CA the seals were checked against (SHA-256 of its certificate). */
  caFingerprint: string;
}

/**
 * 电子印章: the seals of each unit, kept by its 印章管理员; 用印 on the typeset 公文 (the OFD signed per
 * GB/T 38540, the seal image stamped on the PDF); 验章 of a document's OFD against the deployment's CA.
 */
@Injectable()
export class SealsService implements OnModuleInit {
  private readonly cipher: SealKeyCipher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repo: SealsRepository,
    private readonly ca: DeploymentCa,
    private readonly attachments: AttachmentsService,
    private readonly audit: AuditService,
    private readonly demoCases: DemoCases,
  ) {
    this.cipher = new SealKeyCipher(config.sealEncryptionKey);
  }

  onModuleInit(): void {
    this.engine.listen(SENDER_PROCESS, { taskCompleting: (e) => this.senderTaskCompleting(e) });
    this.demoCases.register('seals', async (ctx) => {
      // 规划司's seal, made by its 印章管理员 through the same service the page uses.
      await this.create(await ctx.as('sunli'), { label: '公文专用章' });
    });
  }

  // ---- seals -----------------------------------------------------------------------------------

  /** The seals of the 印章管理员's unit and the units below it. */
  async list(me: Principal): Promise<SealView[]> {
    this.assertKeeper(me);
    const units = await this.repo.unitsUnder(me.unitPath);
    return (await this.repo.sealsOfUnits(units)).map(view);
  }

  /** A new seal for the 印章管理员's unit: SM2 key pair, certificate from the CA, the image, the SESeal. */
  async create(me: Principal, dto: CreateSealDto): Promise<SealView> {
    this.assertKeeper(me);
    const unit = await this.repo.unitPath(me.unitId);
    if (!unit) throw new NotFoundError('单位');
    const name = sealName(dto.name) ?? organName(unit);
    const image = dto.imagePng ? uploadedPng(dto.imagePng) : drawSealPng({ name, label: dto.label?.trim() || undefined });
    const key = generateSm2KeyPair();
    const validFrom = new Date(Math.floor(Date.now() / 1000) * 1000);
    const validYears = dto.validYears ?? 5;
    const certificate = this.ca.issue({ C: 'CN', O: unit.root_name, OU: unit.name, CN: name }, key.publicKey, validYears);
    const validTo = certificateInfo(certificate).notAfter;
    // 印章标识: unique in the deployment; the digits say when it was made.
    const esId = `ZW${validFrom.toISOString().replace(/\D/g, '').slice(0, 14)}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
    const sealData = makeSeal({
      esId,
      name,
      signerCertificates: [certificate],
      picture: { png: image, widthMm: SEAL_MM, heightMm: SEAL_MM },
      validStart: validFrom,
      validEnd: validTo,
      maker: this.ca.authority(),
      vendorId: 'zhengwu',
    });
    const id = await this.dataSource.transaction(async (m) => {
      if (await this.repo.activeSeal(me.unitId, m)) {
        throw new ConflictError('SEAL_EXISTS', '本单位已有启用中的电子印章；请先停用旧印章再制作新印章');
      }
      const sealId = await this.repo.insertSeal(m, {
        unit_id: me.unitId,
        es_id: esId,
        name,
        label: dto.label?.trim() || null,
        image,
        image_source: dto.imagePng ? 'uploaded' : 'drawn',
        certificate,
        public_key: key.publicKey,
        private_key_enc: this.cipher.encrypt(key.privateKey),
        seal_data: sealData,
        valid_from: validFrom,
        valid_to: validTo,
        created_by: me.userId,
      });
      await this.audit.record(
        {
          action: 'seal.create',
          objectType: 'seal',
          objectId: sealId,
          detail: { esId, name, unitId: me.unitId, certificate: certificateInfo(certificate).fingerprint },
          actor: { userId: me.userId, username: me.username, unitId: me.unitId },
        },
        m,
      );
      return sealId;
    });
    return view((await this.repo.seal(id)) as SealRow);
  }

  async revoke(me: Principal, id: string, reason: string): Promise<SealView> {
    const seal = await this.keptSeal(me, id);
    await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.revoke(m, seal.id, me.userId, reason))) throw new ConflictError('SEAL_REVOKED', '该印章已停用');
      await this.audit.record(
        {
          action: 'seal.revoke',
          objectType: 'seal',
          objectId: seal.id,
          detail: { esId: seal.es_id, reason },
          actor: { userId: me.userId, username: me.username, unitId: me.unitId },
        },
        m,
      );
    });
    return view((await this.repo.seal(seal.id)) as SealRow);
  }

  async image(me: Principal, id: string): Promise<Buffer> {
    return (await this.keptSeal(me, id)).image;
  }

  /** How a seal drawn from this name would look, before it is made. */
  preview(me: Principal, dto: SealPreviewDto): Buffer {
    this.assertKeeper(me);
    const name = sealName(dto.name);
    if (!name) throw new AppError('SEAL_NAME_REQUIRED', '请填写印章名称（至少 2 个字）', HttpStatus.BAD_REQUEST);
    return drawSealPng({ name, label: dto.label?.trim() || undefined });
  }

  caCertificatePem(): string {
    return this.ca.certificatePem();
  }

  // ---- 用印 and 验章 -----------------------------------------------------------------------------

  /** The OFD that 排版 wrote (worker), kept with the document until 用印 seals it. */
  async storeOfficialOfd(documentId: string, ofd: Buffer): Promise<{ attachmentId: string }> {
    if (!isUuid(documentId)) throw new NotFoundError('公文');
    try {
      if (!unpackOfd(ofd).has('OFD.xml')) throw new Error('no OFD.xml');
    } catch {
      throw new AppError('OFD_INVALID', '提交的内容不是 OFD 文件（缺少 OFD.xml）', HttpStatus.BAD_REQUEST);
    }
    return this.dataSource.transaction(async (m) => {
      const doc = await this.repo.documentForSeal(m, documentId, true);
      if (!doc) throw new NotFoundError('公文');
      if (!doc.doc_number || !doc.signer_id) throw new ConflictError('DOCUMENT_NOT_SIGNED', '公文尚未签发编号，不能保存排版结果');
      // A sealed 公文 is final: a late 排版 must not replace what was sealed and sent.
      if ((await this.repo.documentOfd(documentId, m))?.sealed_at)
        throw new ConflictError('ALREADY_SEALED', '公文已用印，不能再替换版式文件');
      const stored = await this.attachments.storeGenerated(m, {
        ownerKind: 'document',
        ownerId: documentId,
        name: `${doc.doc_number}.ofd`,
        content: ofd,
        uploadedBy: doc.signer_id,
        unitId: doc.unit_id,
      });
      const before = await this.repo.documentOfd(documentId, m, true);
      await this.repo.storeOfd(m, documentId, stored.id);
      if (before) await this.repo.replaceOfficialFiles(m, documentId, null, [before.ofd_attachment_id], doc.signer_id);
      return { attachmentId: stored.id };
    });
  }

  private async senderTaskCompleting(e: TaskCompletingEvent): Promise<Record<string, unknown> | void> {
    if (e.activityId === 'sign' && e.outcome === 'approve') {
      // 用印 follows 排版 when the issuing unit has a seal (and 排版 wrote an OFD to seal).
      const doc = await this.repo.documentForSeal(e.tx, e.businessKey ?? '');
      return { sealRequired: doc ? Boolean(await this.repo.activeSeal(doc.unit_id, e.tx)) : false };
    }
    if (e.activityId !== SEAL_TASK) return;
    if (e.outcome !== 'approve') throw new AppError('SEAL_APPROVE_ONLY', '用印环节只能确认用印', HttpStatus.UNPROCESSABLE_ENTITY);
    const sealed = await this.applySeal(e.tx, e.businessKey ?? '', e.userId);
    return { sealedOfd: sealed.ofdAttachmentId };
  }

  /**
   * 用印, in the task's transaction: the unit's active seal signs the typeset OFD at the seal places 排版
   * recorded, the same image goes onto the PDF there, both replace the unsealed files, and the audit log
   * keeps who sealed what with which seal.
   */
  private async applySeal(m: EntityManager, documentId: string, userId: string): Promise<{ ofdAttachmentId: string }> {
    const doc = await this.repo.documentForSeal(m, documentId, true);
    if (!doc) throw new NotFoundError('公文');
    if (!(await this.repo.holdsRole(m, userId, SEAL_KEEPER))) throw new ForbiddenError('只有印章管理员可以用印');
    const typeset = await this.repo.documentOfd(documentId, m, true);
    if (!typeset) throw new ConflictError('OFD_MISSING', '排版结果中没有 OFD 版式文件，无法用印；请重新排版');
    if (typeset.sealed_at) throw new ConflictError('ALREADY_SEALED', '该公文已用印');
    const seal = await this.repo.activeSeal(doc.unit_id, m);
    if (!seal) throw new ConflictError('SEAL_MISSING', '发文单位没有启用中的电子印章；请印章管理员先制作印章');
    const ofd = await this.attachments.read(typeset.ofd_sha256);
    const all = sealPlacesOf(ofd);
    // The unit's own place(s) when the layout names organs (联合行文), else every place.
    const mine = all.filter((p) => p.organ === seal.name);
    const places = mine.length > 0 ? mine : all;
    if (places.length === 0) throw new ConflictError('SEAL_PLACE_MISSING', '版式文件中没有用印位置，无法用印');
    let privateKey: string;
    try {
      privateKey = this.cipher.decrypt(seal.private_key_enc);
    } catch {
      throw new AppError(
        'SEAL_KEY_UNAVAILABLE',
        '印章私钥无法解密：SEAL_ENCRYPTION_KEY 与制作印章时不同',
        HttpStatus.INTERNAL_SERVER_ERROR,
      );
    }
    const key = { privateKey, publicKey: seal.public_key };
    const sealedOfd = sealOfd(ofd, { seal: seal.seal_data, certificate: seal.certificate, key }, places, {
      provider: { name: '政务办公平台', company: 'Zhengwu', version: '0.1.0' },
    });
    // A seal that does not verify here must not leave the building.
    const check = verifyOfd(sealedOfd, { trustedCa: this.ca.trusted() });
    if (check.status !== 'valid')
      throw new AppError('SEAL_FAILED', `用印失败：${check.signatures.flatMap((s) => s.problems).join('；')}`, 500);
    const name = doc.doc_number ?? documentId;
    const ofdFile = await this.attachments.storeGenerated(m, {
      ownerKind: 'document',
      ownerId: documentId,
      name: `${name}.ofd`,
      content: sealedOfd,
      uploadedBy: userId,
      unitId: doc.unit_id,
    });
    let pdfId: string | null = null;
    if (doc.pdf_sha256) {
      const pdf = await stampPdf(await this.attachments.read(doc.pdf_sha256), seal.image, places);
      pdfId = (
        await this.attachments.storeGenerated(m, {
          ownerKind: 'document',
          ownerId: documentId,
          name: `${name}.pdf`,
          content: pdf,
          uploadedBy: userId,
          unitId: doc.unit_id,
        })
      ).id;
    }
    await this.repo.recordSeal(m, documentId, { sealId: seal.id, userId, ofdAttachmentId: ofdFile.id, pdfAttachmentId: pdfId });
    const withdrawn = [typeset.ofd_attachment_id, ...(pdfId && doc.pdf_attachment_id ? [doc.pdf_attachment_id] : [])];
    await this.repo.replaceOfficialFiles(m, documentId, pdfId, withdrawn, userId);
    await this.audit.record(
      {
        action: 'document.seal',
        objectType: 'document',
        objectId: documentId,
        detail: {
          sealId: seal.id,
          esId: seal.es_id,
          sealName: seal.name,
          pages: places.map((p) => p.page + 1),
          ofd: ofdFile.sha256,
          pdfAttachmentId: pdfId,
        },
        actor: { userId, unitId: doc.unit_id },
      },
      m,
    );
    return { ofdAttachmentId: ofdFile.id };
  }

  /** What the document page shows: whether and with which seal the 公文 was sealed, and its OFD. */
  async documentSeal(me: Principal, documentId: string): Promise<DocumentSealView> {
    await this.attachments.list(me, 'document', documentId); // 404 unless the document is visible
    const row = await this.repo.documentOfd(documentId);
    return {
      ofdAttachmentId: row ? (row.sealed_ofd_attachment_id ?? row.ofd_attachment_id) : null,
      sealed: Boolean(row?.sealed_at),
      sealName: row?.seal_name ?? null,
      esId: row?.es_id ?? null,
      sealedByName: row?.sealed_by_name ?? null,
      sealedAt: row?.sealed_at ? row.sealed_at.toISOString() : null,
    };
  }

  /** 验章: the document's OFD as stored now, checked file by file and against the deployment's CA. */
  async verifyDocument(me: Principal, documentId: string): Promise<SealVerificationView> {
    await this.attachments.list(me, 'document', documentId);
    const row = await this.repo.documentOfd(documentId);
    const base = { documentId, checkedAt: new Date().toISOString(), caFingerprint: certificateInfo(this.ca.certificate()).fingerprint };
    if (!row) return { ...base, ofdAttachmentId: null, status: 'unsigned', signatures: [] };
    const sha = row.sealed_ofd_sha256 ?? row.ofd_sha256;
    const ofd = await this.attachments.read(sha);
    let result: OfdVerification;
    try {
      result = verifyOfd(ofd, { trustedCa: this.ca.trusted() });
    } catch (error) {
      // A package that no longer parses was changed after it was stored.
      result = {
        status: 'tampered',
        signatures: [
          {
            id: '',
            status: 'tampered',
            pages: [],
            problems: [`OFD 文件无法读取：${error instanceof Error ? error.message : String(error)}`],
            changed: [],
          },
        ],
      };
    }
    if (row.sealed_at && result.status === 'unsigned') {
      result = {
        status: 'tampered',
        signatures: [{ id: '', status: 'tampered', pages: [], problems: ['已用印的公文中找不到签章'], changed: [] }],
      };
    }
    await this.audit.record({
      action: 'document.seal-verify',
      objectType: 'document',
      objectId: documentId,
      detail: { status: result.status },
    });
    return { ...base, ofdAttachmentId: row.sealed_ofd_attachment_id ?? row.ofd_attachment_id, ...result };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private assertKeeper(me: Principal): void {
    if (!hasRole(me, SEAL_KEEPER)) throw new ForbiddenError('只有印章管理员可以管理电子印章');
  }

  /** A seal of the 印章管理员's unit or a unit below it. */
  private async keptSeal(me: Principal, id: string): Promise<SealRow> {
    this.assertKeeper(me);
    const seal = isUuid(id) ? await this.repo.seal(id) : undefined;
    const unit = seal ? await this.repo.unitPath(seal.unit_id) : undefined;
    if (!seal || !unit || !unit.path.startsWith(me.unitPath)) throw new NotFoundError('印章');
    return seal;
  }
}

/** The name to draw: trimmed, at least two characters, else none (the unit's 署名 is used). */
function sealName(given: string | undefined): string | undefined {
  const name = given?.replace(/\s+/g, ' ').trim();
  return name && Array.from(name).length >= 2 ? name : undefined;
}

/** The 署名 of a unit, as on its 公文: a 司局 or 办公厅 under the ministry's name. */
function organName(unit: { name: string; kind: string; root_name: string }): string {
  return issuingOrganName(unit.root_name, unit.name, unit.kind);
}

function uploadedPng(base64: string): Buffer {
  const png = Buffer.from(base64, 'base64');
  let info;
  try {
    info = pngInfo(png);
  } catch {
    throw new AppError('SEAL_IMAGE_INVALID', '印章图片必须是 PNG 文件', HttpStatus.UNPROCESSABLE_ENTITY);
  }
  if (!info.transparent)
    throw new AppError('SEAL_IMAGE_OPAQUE', '印章图片须为透明背景的 PNG（带透明通道）', HttpStatus.UNPROCESSABLE_ENTITY);
  if (info.width < 200 || info.height < 200 || info.width > 4000 || info.height > 4000) {
    throw new AppError('SEAL_IMAGE_SIZE', '印章图片的宽和高须在 200 到 4000 像素之间', HttpStatus.UNPROCESSABLE_ENTITY);
  }
  return png;
}

function view(s: SealRow): SealView {
  const cert = certificateInfo(s.certificate);
  const dn = (p: Record<string, string | undefined>) =>
    Object.entries(p)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  return {
    id: s.id,
    unitId: s.unit_id,
    unitName: s.unit_name,
    esId: s.es_id,
    name: s.name,
    label: s.label,
    imageSource: s.image_source,
    status: s.status,
    validFrom: s.valid_from.toISOString(),
    validTo: s.valid_to.toISOString(),
    certificate: {
      subject: dn(cert.subject),
      issuer: dn(cert.issuer),
      serialNumber: cert.serialNumber,
      fingerprint: cert.fingerprint,
      notAfter: cert.notAfter.toISOString(),
    },
    createdByName: s.created_by_name,
    createdAt: s.created_at.toISOString(),
    revokedAt: s.revoked_at ? s.revoked_at.toISOString() : null,
    revokeReason: s.revoke_reason,
  };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
