import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { hasRole, type Principal } from '../identity/principal';
import { ForbiddenError, NotFoundError } from '../platform/errors';
import type { UpdateEntryDto } from './catalogue.dto';
import { CatalogueRepository, type CatalogueEntry } from './catalogue.repository';

/** Who in the owner unit keeps its entries: the people who write and approve its work. */
const KEEPERS = ['drafter', 'dept-approver', 'signer'] as const;

/**
 * 数据共享目录清单: each owner unit keeps its own entries (update cycle, formats, share level); the catalogue is
 * published at a stable public address as JSON and CSV — without classified or 不予共享 entries — and the
 * 数据使用申请 picker offers only what may be shared.
 */
@Injectable()
export class CatalogueService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: CatalogueRepository,
    private readonly audit: AuditService,
  ) {}

  async list(me: Principal): Promise<(CatalogueEntry & { canEdit: boolean })[]> {
    const entries = await this.repository.entries();
    return entries.map((e) => ({ ...e, canEdit: this.keeps(me, e.ownerUnitId) }));
  }

  published(): Promise<CatalogueEntry[]> {
    return this.repository.published();
  }

  async csv(): Promise<string> {
    const rows = await this.repository.published();
    const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const header = ['编码', '名称', '类别', '主管单位', '更新周期', '提供格式', '共享属性', '说明', '更新时间'];
    const lines = rows.map((r) =>
      [
        r.code,
        r.name,
        r.category,
        r.ownerUnitName ?? r.ownerUnitCode,
        r.updateCycle,
        r.formats.join('/'),
        r.shareLevel,
        r.description,
        r.updatedAt.toISOString(),
      ]
        .map(cell)
        .join(','),
    );
    // A BOM so that spreadsheet programs read the Chinese as UTF-8.
    return `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
  }

  async update(me: Principal, code: string, dto: UpdateEntryDto): Promise<{ ok: true }> {
    await this.dataSource.transaction(async (m) => {
      const entry = await this.repository.lockEntry(m, code);
      if (!entry) throw new NotFoundError('目录条目');
      if (!this.keeps(me, entry.owner_unit_id)) throw new ForbiddenError('只有数据主管单位的人员可以维护本单位的目录条目');
      await this.repository.update(m, code, me.userId, {
        name: dto.name?.trim(),
        description: dto.description?.trim(),
        formats: dto.formats?.map((f) => f.trim()),
        updateCycle: dto.updateCycle,
        shareLevel: dto.shareLevel,
      });
      await this.audit.record({ action: 'catalogue.update', objectType: 'dataset', objectId: code, detail: { ...dto } }, m);
    });
    return { ok: true };
  }

  private keeps(me: Principal, ownerUnitId: string | null): boolean {
    return !!ownerUnitId && me.unitId === ownerUnitId && hasRole(me, ...KEEPERS);
  }
}
