import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { returning } from '../platform/sql';
import { DataSource, EntityManager } from 'typeorm';

export interface SealRow {
  id: string;
  unit_id: string;
  unit_name: string;
  es_id: string;
  name: string;
  label: string | null;
  image: Buffer;
  image_source: 'drawn' | 'uploaded';
  certificate: Buffer;
  public_key: string;
  private_key_enc: string;
  seal_data: Buffer;
  valid_from: Date;
  valid_to: Date;
  status: 'active' | 'revoked';
  created_by_name: string;
  created_at: Date;
  revoked_at: Date | null;
  revoke_reason: string | null;
}

export interface DocumentOfdRow {
  document_id: string;
  ofd_attachment_id: string;
  ofd_sha256: string;
  seal_id: string | null;
  sealed_by: string | null;
  sealed_by_name: string | null;
  sealed_at: Date | null;
  sealed_ofd_attachment_id: string | null;
  sealed_ofd_sha256: string | null;
  sealed_pdf_attachment_id: string | null;
  seal_name: string | null;
  es_id: string | null;
}

export interface DocumentForSeal {
  id: string;
  unit_id: string;
  doc_number: string | null;
  signer_id: string | null;
  pdf_attachment_id: string | null;
  pdf_sha256: string | null;
}

const SEAL_COLUMNS = `s.id, s.unit_id, u.name AS unit_name, s.es_id, s.name, s.label, s.image, s.image_source, s.certificate, s.public_key,
  s.private_key_enc, s.seal_data, s.valid_from, s.valid_to, s.status, cb.display_name AS created_by_name, s.created_at, s.revoked_at, s.revoke_reason`;

/** The seals' and the sealed documents' rows; SQL only, no rules. */
@Injectable()
export class SealsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  async sealsOfUnits(unitIds: string[]): Promise<SealRow[]> {
    return this.dataSource.query(
      `SELECT ${SEAL_COLUMNS} FROM seals s JOIN units u ON u.id = s.unit_id JOIN users cb ON cb.id = s.created_by
        WHERE s.unit_id = ANY($1::uuid[]) ORDER BY s.status, s.created_at DESC`,
      [unitIds],
    );
  }

  async seal(id: string, m?: EntityManager): Promise<SealRow | undefined> {
    const rows: SealRow[] = await this.m(m).query(
      `SELECT ${SEAL_COLUMNS} FROM seals s JOIN units u ON u.id = s.unit_id JOIN users cb ON cb.id = s.created_by WHERE s.id = $1`,
      [id],
    );
    return rows[0];
  }

  async activeSeal(unitId: string, m?: EntityManager): Promise<SealRow | undefined> {
    const rows: SealRow[] = await this.m(m).query(
      `SELECT ${SEAL_COLUMNS} FROM seals s JOIN units u ON u.id = s.unit_id JOIN users cb ON cb.id = s.created_by
        WHERE s.unit_id = $1 AND s.status = 'active'`,
      [unitId],
    );
    return rows[0];
  }

  async insertSeal(
    m: EntityManager,
    row: Omit<SealRow, 'id' | 'unit_name' | 'status' | 'created_by_name' | 'created_at' | 'revoked_at' | 'revoke_reason'> & {
      created_by: string;
    },
  ): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO seals (id, unit_id, es_id, name, label, image, image_source, certificate, public_key, private_key_enc, seal_data, valid_from, valid_to, created_by)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        row.unit_id,
        row.es_id,
        row.name,
        row.label,
        row.image,
        row.image_source,
        row.certificate,
        row.public_key,
        row.private_key_enc,
        row.seal_data,
        row.valid_from,
        row.valid_to,
        row.created_by,
      ],
    );
    return rows[0].id;
  }

  async revoke(m: EntityManager, id: string, by: string, reason: string): Promise<boolean> {
    // The driver answers UPDATE … RETURNING with [rows, count]: `returning` gives the rows (none when already revoked).
    const rows = await returning<{ id: string }>(
      m,
      `UPDATE seals SET status = 'revoked', revoked_by = $2, revoked_at = now(), revoke_reason = $3 WHERE id = $1 AND status = 'active' RETURNING id`,
      [id, by, reason],
    );
    return rows.length > 0;
  }

  async unitPath(unitId: string, m?: EntityManager): Promise<{ path: string; name: string; kind: string; root_name: string } | undefined> {
    const rows: { path: string; name: string; kind: string; root_name: string }[] = await this.m(m).query(
      `SELECT u.path, u.name, u.kind, (SELECT r.name FROM units r WHERE r.parent_id IS NULL ORDER BY r.sort LIMIT 1) AS root_name FROM units u WHERE u.id = $1`,
      [unitId],
    );
    return rows[0];
  }

  async unitsUnder(path: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM units WHERE path LIKE $1 || '%'`, [path]);
    return rows.map((r) => r.id);
  }

  async holdsRole(m: EntityManager, userId: string, role: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM user_roles WHERE user_id = $1 AND role = $2`, [userId, role]);
    return rows.length > 0;
  }

  async documentForSeal(m: EntityManager, documentId: string, lock = false): Promise<DocumentForSeal | undefined> {
    const rows: DocumentForSeal[] = await m.query(
      `SELECT d.id, d.unit_id, d.doc_number, d.signer_id, d.pdf_attachment_id, a.sha256 AS pdf_sha256
         FROM documents d LEFT JOIN attachments a ON a.id = d.pdf_attachment_id WHERE d.id = $1 ${lock ? 'FOR UPDATE OF d' : ''}`,
      [documentId],
    );
    return rows[0];
  }

  async documentOfd(documentId: string, m?: EntityManager, lock = false): Promise<DocumentOfdRow | undefined> {
    const rows: DocumentOfdRow[] = await this.m(m).query(
      `SELECT o.document_id, o.ofd_attachment_id, a.sha256 AS ofd_sha256, o.seal_id, o.sealed_by, sb.display_name AS sealed_by_name, o.sealed_at,
              o.sealed_ofd_attachment_id, sa.sha256 AS sealed_ofd_sha256, o.sealed_pdf_attachment_id, s.name AS seal_name, s.es_id
         FROM document_ofd o JOIN attachments a ON a.id = o.ofd_attachment_id
         LEFT JOIN attachments sa ON sa.id = o.sealed_ofd_attachment_id LEFT JOIN users sb ON sb.id = o.sealed_by LEFT JOIN seals s ON s.id = o.seal_id
        WHERE o.document_id = $1 ${lock ? 'FOR UPDATE OF o' : ''}`,
      [documentId],
    );
    return rows[0];
  }

  /** The typeset OFD from 排版; a new one (排版 again) clears an earlier 用印 record. */
  async storeOfd(m: EntityManager, documentId: string, attachmentId: string): Promise<void> {
    await m.query(
      `INSERT INTO document_ofd (document_id, ofd_attachment_id) VALUES ($1, $2)
       ON CONFLICT (document_id) DO UPDATE SET ofd_attachment_id = $2, stored_at = now(), seal_id = NULL, sealed_by = NULL, sealed_at = NULL,
         sealed_ofd_attachment_id = NULL, sealed_pdf_attachment_id = NULL`,
      [documentId, attachmentId],
    );
  }

  async recordSeal(
    m: EntityManager,
    documentId: string,
    r: { sealId: string; userId: string; ofdAttachmentId: string; pdfAttachmentId: string | null },
  ): Promise<void> {
    await m.query(
      `UPDATE document_ofd SET seal_id = $2, sealed_by = $3, sealed_at = now(), sealed_ofd_attachment_id = $4, sealed_pdf_attachment_id = $5 WHERE document_id = $1`,
      [documentId, r.sealId, r.userId, r.ofdAttachmentId, r.pdfAttachmentId],
    );
  }

  /**
   * The sealed PDF becomes the document's official PDF (the archive takes it as the 正文); the unsealed
   * renderings are withdrawn from the list, kept in storage.
   */
  async replaceOfficialFiles(
    m: EntityManager,
    documentId: string,
    sealedPdfId: string | null,
    withdrawn: string[],
    userId: string,
  ): Promise<void> {
    if (sealedPdfId) await m.query(`UPDATE documents SET pdf_attachment_id = $2 WHERE id = $1`, [documentId, sealedPdfId]);
    await m.query(`UPDATE attachments SET deleted_at = now(), deleted_by = $2 WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL`, [
      withdrawn,
      userId,
    ]);
  }
}
