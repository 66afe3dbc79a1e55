import { HttpStatus, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { renderCheckReport, renderProcessingSheet, type ProcessingSheet } from '@zhengwu/pdf';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { DataSource, EntityManager } from 'typeorm';
import { certificateInfo, checkIssuedBy, fromPem, toPem } from '@zhengwu/seal';
import { ENGINE_PORT, type EnginePort } from '../engine/engine.port';
import { AttachmentsService } from '../files/attachments.service';
import { hasRole, type Principal } from '../identity/principal';
import { APP_CONFIG, createOnce, type AppConfig } from '../platform/config';
import { AppError, ConflictError, NotFoundError } from '../platform/errors';
import { prepared } from '../platform/prepared';
import { DeploymentCa } from '../seals/deployment-ca.service';
import { REPORT_DIR, checkPackage, type StoredPackage } from './archive-check';
import { MANIFEST, PACKAGE_FORMAT_VERSION, SHEET, SIGNATURE, safeName, sha256Of } from './archive-format';
import { documentSource, genericSource, isUuid, receiptSource } from './archive-sources';
import { RETENTION_LABELS, STAGE_LABELS, type ArchiveSourceFn, type CheckReport, type CheckStage, type Retention } from './archive.types';
import { METADATA_XSD } from './dat46-schema';
import { buildPackage, writePackage, type PackageFile } from './package-builder';
import type { ListArchiveQuery } from './archive.dto';

/** File-system failures that mean "the archive store cannot take the package now": retry later. */
const STORAGE_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'EDQUOT', 'EIO', 'EEXIST', 'EISDIR']);

type CheckKind = 'ingest' | 'manual' | 'audit';

/** The stage each kind of check runs when none is asked for: 归档 at ingest, 长期保存 afterwards. */
const DEFAULT_STAGE: Record<CheckKind, CheckStage> = { ingest: 'GD', manual: 'BC', audit: 'BC' };

/** The platform's version, named in 信息系统描述 and 文档创建程序 of the packages it writes. */
const SYSTEM_VERSION = ((): string => {
  // The nearest package.json up from here: apps/api's, from the sources and from dist alike.
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '';
  }
  return '';
})();

export interface ArchivePackageView {
  id: string;
  instanceId: string;
  archiveNumber: string;
  fonds: string;
  year: number;
  retention: Retention;
  retentionLabel: string;
  unitCode: string;
  itemNo: number;
  unitName: string;
  title: string;
  docNumber: string | null;
  responsible: string;
  date: string;
  docType: string;
  secrecy: string;
  urgency: string;
  archivedAt: string;
  lastCheckOk: boolean | null;
  lastCheckedAt: string | null;
}

const PACKAGE_COLUMNS = `p.id, p.instance_id AS "instanceId", p.archive_number AS "archiveNumber", p.fonds, p.year, p.retention,
  p.unit_code AS "unitCode", p.item_no AS "itemNo", un.name AS "unitName", p.title, p.doc_number AS "docNumber", p.responsible,
  to_char(p.doc_date, 'YYYY-MM-DD') AS date, p.doc_type AS "docType", p.secrecy, p.urgency, p.archived_at AS "archivedAt",
  p.last_check_ok AS "lastCheckOk", p.last_checked_at AS "lastCheckedAt"`;

/**
 * 电子档案 (DESIGN.md §5): builds the archival package of an ended case (files, 办理单, DA/T 46
 * metadata, a manifest with SHA-256 and SM3 digests signed with SM2), assigns the 档号, and runs
 * 四性检测 (DA/T 70) at ingest, on demand and as a periodic fixity audit.
 */
@Injectable()
export class ArchiveService implements OnModuleInit {
  private readonly logger = new Logger(ArchiveService.name);
  private readonly sources = new Map<string, ArchiveSourceFn>();
  private key?: { privateKey: string; publicKey: string; certificate: Buffer };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attachments: AttachmentsService,
    @Inject(ENGINE_PORT) private readonly engine: EnginePort,
    private readonly ca: DeploymentCa,
  ) {}

  onModuleInit(): void {
    if (!this.sources.has('document-exchange')) this.registerSource('document-exchange', documentSource);
    if (!this.sources.has('document-receipt')) this.registerSource('document-receipt', receiptSource);
    // Every case that ends is archived. Diagrams may archive as their own last step (公文交换 does);
    // for all others a small archiving case is started in the same transaction as the end, so the
    // worker, its retries and incidents treat them alike and nothing ends unarchived.
    this.engine.listen('*', {
      caseStepped: async (e) => {
        if (e.status === 'running' || e.status === 'failed' || e.definitionKey === CASE_ARCHIVING) return;
        // Prepared (every ended case asks; planning the read model's view cost more than running it); the process key
        // is written out so the generic plan probes process_instances_archiving, whatever other cases' keys are.
        const done = await prepared(
          e.tx,
          'archive_queued',
          `SELECT 1 FROM archive_packages WHERE instance_id = $1
           UNION ALL SELECT 1 FROM cases WHERE definition_key = '${CASE_ARCHIVING}' AND business_key = $2 LIMIT 1`,
          [e.instanceId, e.instanceId],
        );
        if (done.length > 0 || e.endedActivities.includes('archive')) return;
        await this.engine.startProcess(
          CASE_ARCHIVING,
          {
            businessKey: e.instanceId,
            ownerUnitId: e.ownerUnitId ?? undefined,
            variables: { caseInstanceId: e.instanceId, title: e.after.title },
          },
          e.tx,
        );
      },
    });
    this.signingKey();
  }

  /** How a feature describes its finished cases for the archive; cases of other processes use the generic source. */
  registerSource(definitionKey: string, source: ArchiveSourceFn): void {
    this.sources.set(definitionKey, source);
  }

  // ---- building ------------------------------------------------------------------------------

  /** Archives one ended case; a second call returns the package already built. */
  async archiveCase(instanceId: string): Promise<ArchivePackageView & { created: boolean }> {
    if (!isUuid(instanceId)) throw new NotFoundError('办件');
    const existing = await this.packageOfInstance(instanceId);
    if (existing) return { ...existing, created: false };

    let temp: string | undefined;
    let final: string | undefined;
    let renamed = false;
    let packageId: string;
    try {
      packageId = await this.dataSource.transaction(async (m) => {
        const instance = await this.engine.lockInstance(instanceId, m);
        if (!instance) throw new NotFoundError('办件');
        // Serialised by the row lock: a concurrent second call finds the first one's package here.
        const again: { id: string }[] = await m.query(`SELECT id FROM archive_packages WHERE instance_id = $1`, [instanceId]);
        if (again[0]) return again[0].id;
        if (instance.status === 'running' && !(await this.engine.hasOpenExternalTask(instanceId, 'archive', m))) {
          throw new ConflictError('CASE_NOT_ENDED', '办件尚未办结，不能归档');
        }
        const source = await (this.sources.get(instance.definitionKey) ?? genericSource)(instanceId, m);
        const units: { code: string; name: string }[] = await m.query(`SELECT code, name FROM units WHERE id = $1`, [source.unitId]);
        if (!units[0]) throw new NotFoundError('主办单位');
        const fondsName = await this.fondsName(m, source.unitId);
        const unitCode = organizationCode(units[0].code);
        const retention = await this.retentionOf(m, source.docType);
        const year = Number(source.date.slice(0, 4));
        const counters: { value: number }[] = await m.query(
          `INSERT INTO archive_counters (fonds, year, retention, unit_code, value) VALUES ($1,$2,$3,$4,1)
           ON CONFLICT (fonds, year, retention, unit_code) DO UPDATE SET value = archive_counters.value + 1 RETURNING value`,
          [this.config.archiveFonds, year, retention, unitCode],
        );
        const itemNo = counters[0].value;
        const archiveNumber = `${this.config.archiveFonds}-${year}-${retention}-${unitCode}-${String(itemNo).padStart(4, '0')}`;

        // Content of the package, gathered before anything touches the archive store.
        const files: PackageFile[] = [];
        const used = new Set<string>();
        let n = 0;
        for (const f of source.files) {
          const { name, mime, body, generated } =
            'inline' in f ? { ...f.inline, generated: false } : await this.attachmentContent(m, f.attachmentId);
          n += 1;
          let fileName = `${String(n).padStart(2, '0')}-${safeName(name)}`;
          while (used.has(fileName)) fileName = `_${fileName}`;
          used.add(fileName);
          files.push({
            name: fileName,
            title: name,
            role: f.role,
            mime,
            body,
            generated,
            attachmentId: 'inline' in f ? undefined : f.attachmentId,
          });
        }
        const sheetPdf = await renderSheet(source.sheet);
        files.push({
          name: SHEET,
          title: source.sheet.heading || '办理单',
          role: 'sheet',
          mime: 'application/pdf',
          body: sheetPdf,
          generated: true,
        });
        const key = this.signingKey();
        const archivedAt = new Date().toISOString();
        const built = buildPackage({
          archiveNumber,
          fonds: this.config.archiveFonds,
          fondsName,
          organName: fondsName,
          instanceId,
          year,
          retention,
          retentionLabel: RETENTION_LABELS[retention],
          unitCode,
          itemNo,
          title: source.title,
          docNumber: source.docNumber ?? null,
          responsible: source.responsible,
          date: source.date,
          docType: source.docType,
          urgency: source.urgency,
          mainTo: source.mainTo ?? null,
          cc: source.cc ?? null,
          secrecy: source.secrecy,
          secrecyTerm: source.secrecyTerm ?? null,
          archivedAt,
          basis: source.basis ?? `流程“${instance.definitionKey}”`,
          events: source.events,
          files,
          seals: source.seals ?? [],
          key,
          systemVersion: SYSTEM_VERSION,
          disclosure: source.disclosure,
          note: source.note,
        });
        const { contents, manifestText, signature } = built;

        // Write to a temp dir, then rename: the store never holds half a package.
        await mkdir(this.config.archiveDir, { recursive: true });
        temp = join(this.config.archiveDir, `.tmp-${randomUUID()}`);
        final = join(this.config.archiveDir, archiveNumber);
        await writePackage(temp, built);

        const rows: { id: string }[] = await m.query(
          `INSERT INTO archive_packages (instance_id, definition_key, archive_number, fonds, year, retention, unit_code, item_no, unit_id, title,
             doc_number, responsible, doc_date, doc_type, secrecy, secrecy_term, urgency, main_to, cc, metadata, manifest_sha256, signature, public_key, directory, archived_at,
             format_version)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26) RETURNING id`,
          [
            instanceId,
            instance.definitionKey,
            archiveNumber,
            this.config.archiveFonds,
            year,
            retention,
            unitCode,
            itemNo,
            source.unitId,
            source.title,
            source.docNumber ?? null,
            source.responsible,
            source.date,
            source.docType,
            source.secrecy,
            source.secrecyTerm ?? null,
            source.urgency,
            source.mainTo ?? null,
            source.cc ?? null,
            JSON.stringify({ fondsName, organName: fondsName, events: source.events, sheet: source.sheet }),
            sha256Of(Buffer.from(manifestText)),
            signature,
            key.publicKey,
            archiveNumber,
            archivedAt,
            PACKAGE_FORMAT_VERSION,
          ],
        );
        for (const c of contents) {
          await m.query(
            `INSERT INTO archive_items (package_id, name, role, mime, size, sha256, sm3, attachment_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
            [rows[0].id, c.file.name, c.file.role, c.file.mime, c.file.size, c.file.sha256, c.file.sm3, c.attachmentId ?? null],
          );
        }
        // A leftover directory of this number can only come from a build whose commit failed: replace it.
        await rm(final, { recursive: true, force: true });
        await rename(temp, final);
        renamed = true;
        return rows[0].id;
      });
    } catch (error) {
      if (temp) await rm(temp, { recursive: true, force: true }).catch(() => undefined);
      if (renamed && final) await rm(final, { recursive: true, force: true }).catch(() => undefined);
      throw storageError(error);
    }
    const report = await this.runCheck(packageId, 'ingest');
    if (!report.ok) this.logger.warn({ packageId, report }, 'archive package failed its ingest check');
    const view = await this.packageOfInstance(instanceId);
    return { ...view!, created: renamed };
  }

  // ---- reading -------------------------------------------------------------------------------

  async list(
    me: Principal,
    query: ListArchiveQuery,
  ): Promise<{ items: ArchivePackageView[]; total: number; page: number; pageSize: number }> {
    const scope = await this.scopePath(me);
    const where = ['un.path LIKE $1'];
    const params: unknown[] = [`${escapeLike(scope)}%`];
    if (query.year) where.push(`p.year = $${params.push(query.year)}`);
    if (query.retention) where.push(`p.retention = $${params.push(query.retention)}`);
    if (query.unit) where.push(`p.unit_code = $${params.push(query.unit)}`);
    if (query.keyword) {
      const n = params.push(`%${escapeLike(query.keyword)}%`);
      where.push(`(p.title ILIKE $${n} OR p.archive_number ILIKE $${n} OR p.doc_number ILIKE $${n})`);
    }
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const sql = `FROM archive_packages p JOIN units un ON un.id = p.unit_id WHERE ${where.join(' AND ')}`;
    const total: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n ${sql}`, params);
    const items: ArchivePackageView[] = await this.dataSource.query(
      `SELECT ${PACKAGE_COLUMNS} ${sql} ORDER BY p.year DESC, p.retention, p.unit_code, p.item_no DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    );
    return { items: items.map(withLabel), total: total[0].n, page, pageSize };
  }

  async get(me: Principal, id: string) {
    const pkg = await this.visiblePackage(me, id);
    const files = await this.dataSource.query(
      `SELECT name, role, mime, size::int AS size, sha256, sm3 FROM archive_items WHERE package_id = $1 ORDER BY name`,
      [id],
    );
    const checks: { kind: string; ok: boolean; report: CheckReport; checkedAt: string }[] = await this.dataSource.query(
      `SELECT kind, ok, report, checked_at AS "checkedAt" FROM archive_checks WHERE package_id = $1 ORDER BY checked_at DESC LIMIT 1`,
      [id],
    );
    const meta: { metadata: { events: unknown[] }; secrecy_term: string | null; main_to: string | null; cc: string | null }[] =
      await this.dataSource.query(`SELECT metadata, secrecy_term, main_to, cc FROM archive_packages WHERE id = $1`, [id]);
    return {
      ...pkg,
      secrecyTerm: meta[0].secrecy_term,
      mainTo: meta[0].main_to,
      cc: meta[0].cc,
      events: meta[0].metadata.events,
      files,
      lastCheck: checks[0] ?? null,
    };
  }

  async file(me: Principal, id: string, name: string): Promise<{ name: string; mime: string; body: Buffer }> {
    const pkg = await this.visiblePackage(me, id);
    const rows: { name: string; mime: string }[] = await this.dataSource.query(
      `SELECT name, mime FROM archive_items WHERE package_id = $1 AND name = $2`,
      [id, name],
    );
    const isFixed = name === MANIFEST || name === SIGNATURE;
    if (!rows[0] && !isFixed) throw new NotFoundError('档案文件');
    try {
      const body = await readFile(join(this.config.archiveDir, pkg.archiveNumber, name));
      return { name, mime: rows[0]?.mime ?? (name === MANIFEST ? 'application/json' : 'text/plain'), body };
    } catch {
      throw new AppError('ARCHIVE_FILE_MISSING', `档案文件 ${name} 在存储中缺失，请运行四性检测并联系管理员`, HttpStatus.GONE);
    }
  }

  /** 四性检测 on demand (archivist), at the stage asked for (长期保存 by default). */
  async check(me: Principal, id: string, stage?: CheckStage): Promise<CheckReport> {
    await this.visiblePackage(me, id);
    return this.runCheck(id, 'manual', me.userId, undefined, stage);
  }

  /**
   * The printable report (PDF) of a recorded check, the package's latest when none is named: drawn
   * from the recorded result, so every check of the history can be printed.
   */
  async reportPdf(me: Principal, id: string, checkId?: string): Promise<{ name: string; body: Buffer }> {
    const pkg = await this.visiblePackage(me, id);
    if (checkId !== undefined && !isUuid(checkId)) throw new NotFoundError('检测记录');
    const rows: { id: string; report: CheckReport; checked_at: Date; who: string | null; kind: CheckKind }[] = await this.dataSource.query(
      `SELECT c.id, c.report, c.checked_at, u.display_name AS who, c.kind FROM archive_checks c LEFT JOIN users u ON u.id = c.checked_by
        WHERE c.package_id = $1 ${checkId ? 'AND c.id = $2' : ''} ORDER BY c.checked_at DESC LIMIT 1`,
      checkId ? [id, checkId] : [id],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('检测记录');
    const organ: { name: string | null }[] = await this.dataSource.query(
      `SELECT metadata ->> 'fondsName' AS name FROM archive_packages WHERE id = $1`,
      [id],
    );
    const body = await renderReport(
      row.report,
      pkg.archiveNumber,
      pkg.title,
      organ[0]?.name ?? '',
      row.checked_at.toISOString(),
      row.who ?? checkerLabel(row.kind),
    );
    return { name: `${pkg.archiveNumber}-四性检测报告-${row.report.stageLabel ?? ''}.pdf`, body };
  }

  /** The XSD of metadata.xml (format 2), for 档案馆 and anyone validating packages. */
  metadataSchema(): string {
    return METADATA_XSD;
  }

  /** Packages of the archivist's 全宗 for a transfer: a year's, or those named (ids outside the scope are not found). */
  async packagesInScope(
    me: Principal,
    request: { year?: number; packageIds?: string[] },
  ): Promise<{ id: string; archiveNumber: string; title: string; year: number; retention: Retention }[]> {
    const scope = await this.scopePath(me);
    const params: unknown[] = [`${escapeLike(scope)}%`];
    const where = ['un.path LIKE $1'];
    if (request.year !== undefined) where.push(`p.year = $${params.push(request.year)}`);
    if (request.packageIds?.length) {
      if (!request.packageIds.every(isUuid)) throw new NotFoundError('档案');
      where.push(`p.id = ANY($${params.push(request.packageIds)}::uuid[])`);
    }
    const rows: { id: string; archiveNumber: string; title: string; year: number; retention: Retention }[] = await this.dataSource.query(
      `SELECT p.id, p.archive_number AS "archiveNumber", p.title, p.year, p.retention
         FROM archive_packages p JOIN units un ON un.id = p.unit_id WHERE ${where.join(' AND ')}
        ORDER BY p.year, p.retention, p.unit_code, p.item_no`,
      params,
    );
    if (request.packageIds?.length && rows.length !== new Set(request.packageIds).size) throw new NotFoundError('档案');
    return rows;
  }

  /** The unit path of the archivist's organ: what they may see and transfer. */
  scopeOf(me: Principal): Promise<string> {
    return this.scopePath(me);
  }

  /** 全宗名称 of the archivist's organ: the 封装包创建单位 of a transfer. */
  async organName(me: Principal): Promise<string> {
    return (await this.fondsName(this.dataSource.manager, me.unitId)) || this.config.archiveFonds;
  }

  /** The archive key with its certificate, to sign transfer packages (never leaves the api process). */
  signingMaterial(): { privateKey: string; publicKey: string; certificate: Buffer } {
    return this.signingKey();
  }

  /** Open alerts of failed fixity audits (administrators and archivists). */
  async alerts(): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT a.id, a.message, a.created_at AS "createdAt", p.id AS "packageId", p.archive_number AS "archiveNumber"
         FROM archive_alerts a JOIN archive_packages p ON p.id = a.package_id WHERE a.resolved_at IS NULL ORDER BY a.created_at DESC LIMIT 200`,
    );
  }

  /**
   * Runs 四性检测 of one stage over a stored package and records it, with its printable report kept
   * beside the package (检测报告/<stage>.pdf, the latest of each stage); a failing audit raises an
   * alert and an outbox row.
   */
  async runCheck(packageId: string, kind: CheckKind, userId?: string, within?: EntityManager, stage?: CheckStage): Promise<CheckReport> {
    const stored = await this.storedPackage(packageId, within);
    const dir = join(this.config.archiveDir, stored.archiveNumber);
    const report = await checkPackage(dir, stored, { stage: stage ?? DEFAULT_STAGE[kind], trustedCas: this.ca.trusted() });
    const reportFile = await this.keepReport(dir, stored, report, kind, userId, within);
    const record = async (m: EntityManager): Promise<void> => {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO archive_checks (package_id, kind, ok, report, checked_by, stage, report_file) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
        [packageId, kind, report.ok, JSON.stringify(report), userId ?? null, report.stage, reportFile],
      );
      await m.query(`UPDATE archive_packages SET last_check_ok = $2, last_checked_at = now() WHERE id = $1`, [packageId, report.ok]);
      if (report.ok || kind !== 'audit') return;
      const failed = report.checks.filter((c) => !c.ok);
      const message = `档案 ${stored.archiveNumber} 定期检测（${report.stageLabel}）未通过：${failed.map((c) => `${c.name}（${c.detail}）`).join('；')}`;
      await m.query(`INSERT INTO archive_alerts (package_id, check_id, message) VALUES ($1,$2,$3)`, [packageId, rows[0].id, message]);
      await m.query(`INSERT INTO outbox (topic, payload) VALUES ('archive.fixity-failed', $1)`, [
        JSON.stringify({
          packageId,
          archiveNumber: stored.archiveNumber,
          checkId: rows[0].id,
          roles: ['archivist', 'sysadmin'],
          subject: `【档案检测告警】${stored.archiveNumber} 四性检测未通过`,
          failed: failed.map((c) => ({ name: c.name, detail: c.detail })),
        }),
      ]);
    };
    if (within) await record(within);
    else await this.dataSource.transaction(record);
    return report;
  }

  /** The periodic fixity audit: every package, oldest check first; returns how many failed. */
  async audit(limit = 500): Promise<{ checked: number; failed: number }> {
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM archive_packages ORDER BY last_checked_at NULLS FIRST, archived_at LIMIT $1`,
      [limit],
    );
    let failed = 0;
    for (const p of due) {
      try {
        if (!(await this.runCheck(p.id, 'audit')).ok) failed += 1;
      } catch (error) {
        failed += 1;
        this.logger.error({ err: error, packageId: p.id }, 'fixity audit of a package failed');
      }
    }
    return { checked: due.length, failed };
  }

  /**
   * The scheduled fixity audit, safe with any number of api processes polling: each package whose
   * last check is older than `intervalSeconds` is claimed by one process (its row locked, SKIP
   * LOCKED) and checked, the result written in the claiming transaction. A package another process
   * is checking is skipped, and once written it is no longer due, so each package is audited once
   * per interval and a failure raises one alert, not one per process.
   */
  async auditDue(intervalSeconds: number, limit = 500): Promise<{ checked: number; failed: number }> {
    let checked = 0;
    let failed = 0;
    while (checked < limit) {
      const outcome = await this.dataSource.transaction(async (m): Promise<'none' | 'ok' | 'failed'> => {
        const due: { id: string }[] = await m.query(
          `SELECT id FROM archive_packages
            WHERE last_checked_at IS NULL OR last_checked_at <= now() - make_interval(secs => $1)
            ORDER BY last_checked_at NULLS FIRST, archived_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [intervalSeconds],
        );
        if (!due[0]) return 'none';
        try {
          return (await this.runCheck(due[0].id, 'audit', undefined, m)).ok ? 'ok' : 'failed';
        } catch (error) {
          // Not recorded: the package stays due and is tried again at the next look.
          this.logger.error({ err: error, packageId: due[0].id }, 'fixity audit of a package failed');
          throw error;
        }
      });
      if (outcome === 'none') break;
      checked += 1;
      if (outcome === 'failed') failed += 1;
    }
    return { checked, failed };
  }

  // ---- internals -----------------------------------------------------------------------------

  private async packageOfInstance(instanceId: string): Promise<ArchivePackageView | undefined> {
    const rows: ArchivePackageView[] = await this.dataSource.query(
      `SELECT ${PACKAGE_COLUMNS} FROM archive_packages p JOIN units un ON un.id = p.unit_id WHERE p.instance_id = $1`,
      [instanceId],
    );
    return rows[0] && withLabel(rows[0]);
  }

  private async visiblePackage(me: Principal, id: string): Promise<ArchivePackageView> {
    if (!isUuid(id)) throw new NotFoundError('档案');
    const scope = await this.scopePath(me);
    const rows: ArchivePackageView[] = await this.dataSource.query(
      `SELECT ${PACKAGE_COLUMNS} FROM archive_packages p JOIN units un ON un.id = p.unit_id WHERE p.id = $1 AND un.path LIKE $2`,
      [id, `${escapeLike(scope)}%`],
    );
    if (!rows[0]) throw new NotFoundError('档案');
    return withLabel(rows[0]);
  }

  /**
   * The data scope of the archive: an archivist keeps the records of the whole organ they work for
   * (the 档案处 of 办公厅 holds the ministry's 全宗), so the root is their nearest ancestor that is an
   * organ (ministry, province, city, county), never a sibling organ's.
   */
  private async scopePath(me: Principal): Promise<string> {
    const rows: { path: string }[] = await this.dataSource.query(
      `SELECT a.path FROM units me JOIN units a ON me.path LIKE a.path || '%'
        WHERE me.id = $1 AND a.kind IN ('ministry','province','city','county') ORDER BY a.depth DESC LIMIT 1`,
      [me.unitId],
    );
    return rows[0]?.path ?? me.unitPath;
  }

  private async storedPackage(packageId: string, within?: EntityManager): Promise<StoredPackage> {
    const db = within ?? this.dataSource.manager;
    const rows: {
      id: string;
      instance_id: string;
      manifest_sha256: string;
      archive_number: string;
      title: string;
      doc_number: string | null;
      date: string;
      public_key: string;
      signature: string;
      fonds: string;
      year: number;
      retention: string;
      unit_code: string;
    }[] = await db.query(
      `SELECT id, instance_id, manifest_sha256, archive_number, title, doc_number, to_char(doc_date, 'YYYY-MM-DD') AS date, public_key, signature, fonds, year, retention, unit_code
         FROM archive_packages WHERE id = $1`,
      [packageId],
    );
    const p = rows[0];
    if (!p) throw new NotFoundError('档案');
    const items = await db.query(`SELECT name, role, size::int AS size, sha256, sm3 FROM archive_items WHERE package_id = $1`, [packageId]);
    const duplicates: { archive_number: string }[] = await db.query(
      `SELECT archive_number FROM archive_packages WHERE id <> $1 AND (archive_number = $2 OR instance_id = $3)`,
      [packageId, p.archive_number, p.instance_id],
    );
    const series: { item_no: number }[] = await db.query(
      `SELECT item_no FROM archive_packages WHERE fonds = $1 AND year = $2 AND retention = $3 AND unit_code = $4`,
      [p.fonds, p.year, p.retention, p.unit_code],
    );
    return {
      archiveNumber: p.archive_number,
      title: p.title,
      docNumber: p.doc_number,
      date: p.date,
      publicKey: p.public_key,
      signature: p.signature,
      manifestSha256: p.manifest_sha256.trim(),
      items,
      seriesItemNos: series.map((s) => s.item_no),
      duplicates: duplicates.map((d) => d.archive_number),
    };
  }

  /** Writes the report's PDF into the package's 检测报告/ folder; a store that cannot take it loses only the copy. */
  private async keepReport(
    dir: string,
    stored: StoredPackage,
    report: CheckReport,
    kind: CheckKind,
    userId: string | undefined,
    within?: EntityManager,
  ): Promise<string | null> {
    try {
      const db = within ?? this.dataSource.manager;
      const who: { name: string }[] = userId ? await db.query(`SELECT display_name AS name FROM users WHERE id = $1`, [userId]) : [];
      const organ: { name: string | null }[] = await db.query(
        `SELECT metadata ->> 'fondsName' AS name FROM archive_packages WHERE archive_number = $1`,
        [stored.archiveNumber],
      );
      const pdf = await renderReport(
        report,
        stored.archiveNumber,
        stored.title,
        organ[0]?.name ?? '',
        new Date().toISOString(),
        who[0]?.name ?? checkerLabel(kind),
      );
      const folder = join(dir, REPORT_DIR);
      const name = `${STAGE_LABELS[report.stage]}.pdf`;
      await mkdir(folder, { recursive: true, mode: 0o750 });
      await writeFile(join(folder, `.${name}.tmp`), pdf, { mode: 0o640 });
      await rename(join(folder, `.${name}.tmp`), join(folder, name));
      await chmod(join(folder, name), 0o640);
      return `${REPORT_DIR}/${name}`;
    } catch (error) {
      this.logger.warn({ err: error, archiveNumber: stored.archiveNumber }, 'the check report could not be kept with the package');
      return null;
    }
  }

  private async retentionOf(m: EntityManager, docType: string): Promise<Retention> {
    const rows: { retention: Retention }[] = await m.query(
      `SELECT retention FROM archive_retention_rules WHERE doc_type = $1 UNION ALL SELECT retention FROM archive_retention_rules WHERE doc_type = '其他'`,
      [docType],
    );
    return rows[0]?.retention ?? 'D10';
  }

  /** 全宗名称: the organ (ministry, province …) the unit belongs to. */
  private async fondsName(m: EntityManager, unitId: string): Promise<string> {
    const rows: { name: string }[] = await m.query(
      `SELECT a.name FROM units me JOIN units a ON me.path LIKE a.path || '%'
        WHERE me.id = $1 AND a.kind IN ('ministry','province','city','county') ORDER BY a.depth DESC LIMIT 1`,
      [unitId],
    );
    return rows[0]?.name ?? '';
  }

  /** An attachment's stored content, verified against its recorded digest before it enters the archive. */
  private async attachmentContent(m: EntityManager, id: string): Promise<{ name: string; mime: string; body: Buffer; generated: boolean }> {
    const rows: { name: string; mime: string; sha256: string; generated: boolean }[] = await m.query(
      `SELECT name, mime, sha256, coalesce((to_jsonb(a) ->> 'is_generated')::boolean, false) AS generated FROM attachments a WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('附件');
    let body: Buffer;
    try {
      body = await this.attachments.read(row.sha256);
    } catch {
      throw new AppError('ARCHIVE_SOURCE_MISSING', `附件“${row.name}”的内容在文件存储中缺失，无法归档`, HttpStatus.SERVICE_UNAVAILABLE);
    }
    if (sha256Of(body) !== row.sha256) {
      throw new AppError('ARCHIVE_SOURCE_CORRUPT', `附件“${row.name}”的内容与登记的摘要不符，无法归档`, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { name: row.name, mime: row.mime, body, generated: row.generated };
  }

  /** The certificate (DER) of the archive's signing key, issued by the deployment's CA. */
  signingCertificate(): Buffer {
    return this.signingKey().certificate;
  }

  /** The deployment's CA certificates a package's signer must chain to. */
  trustedCas(): Buffer[] {
    return this.ca.trusted();
  }

  /**
   * The platform's archive key: ARCHIVE_SM2_PRIVATE_KEY, else generated once into DATA_DIR/archive-sm2.json
   * (0600), with its X.509 certificate from the deployment's CA in DATA_DIR/archive-sm2.crt. A certificate
   * for another key or from another CA (the key or the CA was replaced) is issued anew.
   */
  private signingKey(): { privateKey: string; publicKey: string; certificate: Buffer } {
    if (this.key) return this.key;
    let pair: { privateKey: string; publicKey: string };
    if (this.config.archiveSm2PrivateKey) {
      const privateKey = this.config.archiveSm2PrivateKey;
      pair = { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) };
    } else {
      const file = join(this.config.dataDir, 'archive-sm2.json');
      if (!existsSync(file)) {
        mkdirSync(this.config.dataDir, { recursive: true });
        const made = sm2.generateKeyPairHex();
        // Api processes signing their first package at the same moment must all use one key.
        createOnce(file, JSON.stringify({ algorithm: 'SM2', privateKey: made.privateKey, publicKey: made.publicKey }));
      }
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { privateKey: string; publicKey: string };
      pair = { privateKey: stored.privateKey, publicKey: stored.publicKey };
    }
    this.key = { ...pair, certificate: this.certificateFor(pair.publicKey) };
    return this.key;
  }

  private certificateFor(publicKey: string): Buffer {
    const file = join(this.config.dataDir, 'archive-sm2.crt');
    const usable = (der: Buffer): boolean =>
      certificateInfo(der).publicKey === publicKey &&
      this.ca.trusted().some((ca) => checkIssuedBy(der, ca, new Date(Date.now() + 30 * 86_400_000)).ok);
    if (existsSync(file)) {
      try {
        const der = fromPem(readFileSync(file, 'utf8'));
        if (usable(der)) return der;
      } catch {
        /* unreadable: issued anew below */
      }
    }
    const host = new URL(this.config.publicUrl).host;
    const der = this.ca.issue({ C: 'CN', O: '政务办公平台', OU: '电子档案', CN: `电子档案系统归档签名（${host}）` }, publicKey, 10);
    // Written whole with rename: another process reading it never sees half a certificate.
    mkdirSync(this.config.dataDir, { recursive: true });
    const temp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(temp, toPem(der), { mode: 0o600 });
    renameSync(temp, file);
    // Two processes issuing at once both write a valid certificate; use whichever is on disk.
    const onDisk = fromPem(readFileSync(file, 'utf8'));
    return usable(onDisk) ? onDisk : der;
  }
}

export function canReadArchive(me: Principal): boolean {
  return hasRole(me, 'archivist');
}

/** 机构 of the 档号: the unit code without the organ prefix and without hyphens (MLR-GHS → GHS). */
export function organizationCode(code: string): string {
  return code.includes('-') ? code.split('-').slice(1).join('') : code;
}

/** The process that archives a case whose own diagram has no 归档 step. */
export const CASE_ARCHIVING = 'case-archiving';

function checkerLabel(kind: CheckKind): string {
  return kind === 'ingest' ? '系统（归档时自动检测）' : kind === 'audit' ? '系统（定期检测）' : '系统';
}

function renderReport(
  report: CheckReport,
  archiveNumber: string,
  title: string,
  organ: string,
  checkedAt: string,
  checkedBy: string,
): Promise<Buffer> {
  return renderCheckReport({
    stageLabel: report.stageLabel ?? STAGE_LABELS.GD,
    standard: report.standard ?? 'DA/T 70-2018',
    archiveNumber,
    packageTitle: title,
    organ,
    checkedAt,
    checkedBy,
    ok: report.ok,
    // Reports recorded before DA/T 70 numbering had only name, ok and detail.
    items: report.checks.map((c) => ({
      code: c.code ?? '',
      property: c.property ?? c.name.split('：')[0],
      title: c.code ? c.name.slice(c.name.indexOf(c.code) + c.code.length).trim() : c.name,
      status: c.status ?? (c.ok ? 'pass' : 'fail'),
      detail: c.detail,
    })),
  });
}

async function renderSheet(sheet: ProcessingSheet): Promise<Buffer> {
  return Buffer.from(await renderProcessingSheet(sheet));
}

function storageError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && STORAGE_ERRORS.has(code)) {
    return new AppError(
      'ARCHIVE_STORE_UNAVAILABLE',
      `档案存储暂不可写（${code}），本次归档未完成，系统将稍后重试`,
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  return error;
}

function withLabel(row: ArchivePackageView): ArchivePackageView {
  return { ...row, retentionLabel: RETENTION_LABELS[row.retention] };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
