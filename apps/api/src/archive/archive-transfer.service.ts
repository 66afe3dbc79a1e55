import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import type { Principal } from '../identity/principal';
import { REPORT_DIR } from './archive-check';
import { sha256Of, sm3Of } from './archive-format';
import { ArchiveService } from './archive.service';
import { RETENTION_LABELS } from './archive.types';
import { buildEep, type EepPackage } from './eep';
import { verifyTransfer, type TransferVerification } from './transfer-verify';

/** The most packages one transfer holds: the EEP is built in memory (Base64 of every file). */
export const TRANSFER_MAX_PACKAGES = 500;

export interface TransferRequest {
  year?: number;
  packageIds?: string[];
}

/**
 * 移交 and 接收 of electronic records (DA/T 48 封装包): exporting a year's or a selection's archival
 * packages for a 档案馆, each checked with the 移交与接收 (YJ-) set first, and verifying an EEP received.
 * Every transfer either way is recorded in archive_transfers.
 */
@Injectable()
export class ArchiveTransferService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly archive: ArchiveService,
  ) {}

  async export(me: Principal, request: TransferRequest): Promise<{ name: string; body: Buffer; transferId: string }> {
    if (request.year === undefined && !request.packageIds?.length) throw new AppError('TRANSFER_SELECTION', '请指定移交的年度或档案');
    const packages = await this.archive.packagesInScope(me, request);
    if (packages.length === 0) throw new NotFoundError('可移交的档案');
    if (packages.length > TRANSFER_MAX_PACKAGES) {
      throw new AppError(
        'TRANSFER_TOO_LARGE',
        `一次最多移交 ${TRANSFER_MAX_PACKAGES} 件，请按保管期限或选择分批移交`,
        HttpStatus.BAD_REQUEST,
      );
    }
    const contents: EepPackage[] = [];
    const failed: string[] = [];
    for (const p of packages) {
      // The 移交 check of each package, recorded with its printable report like any other check.
      const report = await this.archive.runCheck(p.id, 'manual', me.userId, undefined, 'YJ');
      if (!report.ok) {
        failed.push(
          `${p.archiveNumber}：${report.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join('、')}`,
        );
        continue;
      }
      const dir = join(this.config.archiveDir, p.archiveNumber);
      const files = [];
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        // The printable reports (检测报告/) stay: the EEP carries the YJ- report as XML.
        if (entry.isFile()) files.push({ name: entry.name, body: await readFile(join(dir, entry.name)) });
      }
      files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // The printable report runCheck just kept (a store that could not take it loses only the PDF).
      const reportPdf = await readFile(join(dir, REPORT_DIR, `${report.stageLabel}.pdf`)).catch(() => undefined);
      contents.push({
        reportPdf,
        archiveNumber: p.archiveNumber,
        title: p.title,
        year: p.year,
        retentionLabel: RETENTION_LABELS[p.retention],
        files,
        report,
      });
    }
    if (failed.length > 0) {
      throw new ConflictError('TRANSFER_CHECK_FAILED', `以下档案未通过移交检测，不能移交：${failed.slice(0, 20).join('；')}`);
    }
    const transferId = randomUUID();
    const creator = await this.archive.organName(me);
    const key = this.archive.signingMaterial();
    const xml = buildEep({ transferId, creator, createdAt: new Date().toISOString(), packages: contents, key });
    const body = Buffer.from(xml, 'utf8');
    const report = { list: contents.map((c) => ({ archiveNumber: c.archiveNumber, ok: c.report.ok })) };
    await this.record(
      'export',
      transferId,
      creator,
      request.year ?? null,
      contents.map((c) => c.archiveNumber),
      body,
      true,
      report,
      me,
    );
    const label = request.year !== undefined ? `${request.year}年度` : `${contents.length}件`;
    return { name: `移交封装包-${creator}-${label}-${transferId.slice(0, 8)}.xml`, body, transferId };
  }

  /** Verifies an EEP received (接收): signatures and chain, every digest, the 移交清单, YJ- of every package. */
  async verify(me: Principal, file: { buffer: Buffer } | undefined): Promise<TransferVerification> {
    if (!file?.buffer?.length) throw new AppError('TRANSFER_FILE', '请上传移交封装包（XML 文件，字段名 file）');
    const text = file.buffer.toString('utf8');
    const result = await verifyTransfer(text, this.archive.trustedCas());
    await this.record(
      'import',
      result.transferId || '（无）',
      result.creator || '（未知）',
      null,
      result.packages.map((p) => p.archiveNumber),
      file.buffer,
      result.ok,
      result,
      me,
    );
    return result;
  }

  /** Transfers made or received by the archivists of the caller's organ. */
  async list(me: Principal): Promise<unknown[]> {
    const scope = await this.archive.scopeOf(me);
    return this.dataSource.query(
      `SELECT t.id, t.direction, t.batch, t.creator, t.year, t.package_count AS "packageCount", t.archive_numbers AS "archiveNumbers",
              t.size::text AS size, t.sm3, t.ok, t.created_at AS "createdAt", u.display_name AS "userName"
         FROM archive_transfers t JOIN users u ON u.id = t.user_id JOIN units un ON un.id = u.unit_id
        WHERE starts_with(un.path, $1) ORDER BY t.created_at DESC LIMIT 200`,
      [scope],
    );
  }

  private async record(
    direction: 'export' | 'import',
    batch: string,
    creator: string,
    year: number | null,
    archiveNumbers: string[],
    body: Buffer,
    ok: boolean,
    report: unknown,
    me: Principal,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO archive_transfers (direction, batch, creator, year, package_count, archive_numbers, size, sha256, sm3, ok, report, user_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
      [
        direction,
        batch.slice(0, 200),
        creator.slice(0, 200),
        year,
        archiveNumbers.length,
        archiveNumbers,
        body.length,
        sha256Of(body),
        sm3Of(body),
        ok,
        JSON.stringify(report),
        me.userId,
      ],
    );
  }
}
