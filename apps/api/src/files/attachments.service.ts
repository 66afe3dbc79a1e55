import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../identity/principal';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { RefusedFile, safeFileName, sniff } from './sniff';

/** How the feature that owns a kind of record says who may read and add its attachments. */
export interface AttachmentOwner {
  /** Whether `me` may see the record (and so its attachments); invisible answers 404. */
  canRead(me: Principal, ownerId: string, m: EntityManager): Promise<boolean>;
  /** Whether `me` may add or remove attachments now (e.g. the drafter while drafting). */
  canWrite(me: Principal, ownerId: string, m: EntityManager): Promise<boolean>;
}

export interface AttachmentView {
  id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
  /** Made by the platform (the official PDF, a 办理单), not uploaded by a person. */
  isGenerated: boolean;
}

export interface IncomingFile {
  originalname: string;
  size: number;
  buffer: Buffer;
}

/**
 * Files attached to business records (a document's 附件, a proposal's 方案, the data a request
 * provides). Stored once per content under DATA_DIR/files by SHA-256; the row carries name, type and
 * digest so the archive can verify them later.
 */
@Injectable()
export class AttachmentsService {
  private readonly owners = new Map<string, AttachmentOwner>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  registerOwner(kind: string, owner: AttachmentOwner): void {
    this.owners.set(kind, owner);
  }

  async upload(me: Principal, kind: string, ownerId: string, file: IncomingFile | undefined): Promise<AttachmentView> {
    if (!file) throw field('file', '请选择要上传的文件（表单字段 file）');
    const name = safeFileName(file.originalname);
    if (!name) throw field('file', '文件名不能为空');
    if (file.size === 0) throw field('file', '文件是空的');
    let mime: string;
    try {
      mime = sniff(file.buffer, name).mime;
    } catch (error) {
      if (error instanceof RefusedFile) throw new AppError(error.code, error.message, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
      throw error;
    }
    const owner = this.owner(kind);
    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    // Content first, row second: a crash in between leaves an unreferenced file, never a row without content.
    await this.store(sha256, file.buffer);
    return this.dataSource.transaction(async (m) => {
      await this.assertWritable(me, owner, ownerId, m);
      const rows: { id: string }[] = await m.query(
        `INSERT INTO attachments (owner_kind, owner_id, name, mime, size, sha256, uploaded_by, unit_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
        [kind, ownerId, name, mime, file.size, sha256, me.userId, me.unitId],
      );
      return (await this.rows(m, 'a.id = $1', [rows[0].id]))[0];
    });
  }

  /**
   * A file the platform made (the official PDF, a 办理单), stored inside the caller's transaction
   * and attributed to the person whose act produced it.
   */
  async storeGenerated(
    m: EntityManager,
    file: { ownerKind: string; ownerId: string; name: string; content: Buffer; uploadedBy: string; unitId: string },
  ): Promise<AttachmentView> {
    const name = safeFileName(file.name);
    let mime: string;
    try {
      mime = sniff(file.content, name).mime;
    } catch (error) {
      if (error instanceof RefusedFile) throw new AppError(error.code, error.message, HttpStatus.UNPROCESSABLE_ENTITY);
      throw error;
    }
    const sha256 = createHash('sha256').update(file.content).digest('hex');
    await this.store(sha256, file.content);
    const rows: { id: string }[] = await m.query(
      `INSERT INTO attachments (owner_kind, owner_id, name, mime, size, sha256, uploaded_by, unit_id, is_generated) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,true) RETURNING id`,
      [file.ownerKind, file.ownerId, name, mime, file.content.length, sha256, file.uploadedBy, file.unitId],
    );
    return (await this.rows(m, 'a.id = $1', [rows[0].id]))[0];
  }

  /** The stored bytes of an attachment, for features that already checked access (the archive). */
  async read(sha256: string): Promise<Buffer> {
    return readFile(this.path(sha256));
  }

  async list(me: Principal, kind: string, ownerId: string): Promise<AttachmentView[]> {
    const owner = this.owner(kind);
    if (!isUuid(ownerId) || !(await owner.canRead(me, ownerId, this.dataSource.manager))) throw new NotFoundError('记录');
    return this.listOf(this.dataSource.manager, kind, ownerId);
  }

  /** For features (e.g. the archive) that already checked access to the owner. */
  listOf(m: EntityManager, kind: string, ownerId: string): Promise<AttachmentView[]> {
    return this.rows(m, 'a.owner_kind = $1 AND a.owner_id = $2 AND a.deleted_at IS NULL', [kind, ownerId]);
  }

  async content(me: Principal, id: string): Promise<{ view: AttachmentView; body: Buffer }> {
    const row = await this.visible(me, id);
    return { view: row, body: await readFile(this.path(row.sha256)) };
  }

  async remove(me: Principal, id: string): Promise<{ ok: true }> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.visible(me, id, m);
      if (row.isGenerated) throw new ConflictError('ATTACHMENT_GENERATED', '平台生成的文件（如正式公文 PDF）不能删除');
      await this.assertWritable(me, this.owner(row.ownerKind), row.ownerId, m);
      // Soft delete: the archive and the audit trail may still refer to what was once attached.
      await m.query(`UPDATE attachments SET deleted_at = now(), deleted_by = $2 WHERE id = $1`, [id, me.userId]);
    });
    return { ok: true };
  }

  private async visible(me: Principal, id: string, m: EntityManager = this.dataSource.manager) {
    if (!isUuid(id)) throw new NotFoundError('附件');
    const rows: (AttachmentView & { ownerKind: string; ownerId: string })[] = await m.query(
      `SELECT a.id, a.name, a.mime, a.size::int AS size, a.sha256, a.owner_kind AS "ownerKind", a.owner_id AS "ownerId", a.uploaded_at AS "uploadedAt", u.display_name AS "uploadedBy",
              a.is_generated AS "isGenerated"
         FROM attachments a JOIN users u ON u.id = a.uploaded_by WHERE a.id = $1 AND a.deleted_at IS NULL`,
      [id],
    );
    const row = rows[0];
    const owner = row && this.owners.get(row.ownerKind);
    if (!row || !owner || !(await owner.canRead(me, row.ownerId, m))) throw new NotFoundError('附件');
    return row;
  }

  private async assertWritable(me: Principal, owner: AttachmentOwner, ownerId: string, m: EntityManager): Promise<void> {
    if (!isUuid(ownerId) || !(await owner.canRead(me, ownerId, m))) throw new NotFoundError('记录');
    if (!(await owner.canWrite(me, ownerId, m))) {
      throw new ConflictError('ATTACHMENTS_LOCKED', '当前环节不能增删附件（只有经办人在起草或补正时可以）');
    }
  }

  private owner(kind: string): AttachmentOwner {
    const owner = this.owners.get(kind);
    if (!owner) throw field('ownerKind', `不支持的附件归属：${kind}`);
    return owner;
  }

  private rows(m: EntityManager, where: string, params: unknown[]): Promise<AttachmentView[]> {
    return m.query(
      `SELECT a.id, a.name, a.mime, a.size::int AS size, a.sha256, u.display_name AS "uploadedBy", a.uploaded_at AS "uploadedAt",
              a.is_generated AS "isGenerated"
         FROM attachments a JOIN users u ON u.id = a.uploaded_by WHERE ${where} ORDER BY a.uploaded_at, a.name`,
      params,
    );
  }

  private path(sha256: string): string {
    return join(this.config.dataDir, 'files', sha256.slice(0, 2), sha256);
  }

  private async store(sha256: string, content: Buffer): Promise<void> {
    const target = this.path(sha256);
    if (existsSync(target)) return;
    await mkdir(join(this.config.dataDir, 'files', sha256.slice(0, 2)), { recursive: true });
    const temp = `${target}.${randomUUID()}.part`;
    await writeFile(temp, content, { mode: 0o640 });
    await rename(temp, target);
  }
}

function field(name: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, HttpStatus.BAD_REQUEST, [{ field: name, message }]);
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
