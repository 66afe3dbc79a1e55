import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { requestContext } from '../platform/request-context';
import { AuditContent, GENESIS_HASH, chainHash } from './audit-chain';
import { AuditEntryEntity, AuditOutcome } from './audit-entry.entity';

export interface AuditEvent {
  action: string;
  outcome?: AuditOutcome;
  objectType?: string;
  objectId?: string;
  detail?: Record<string, unknown>;
  /** Who acted, when not the person of the current request (e.g. a failed login). */
  actor?: { userId?: string | null; username?: string | null; unitId?: string | null };
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenId?: string;
  reason?: string;
}

const CHAIN_LOCK = 7242002;
const VERIFY_BATCH = 5000;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends one row. Pass the command's EntityManager so the audit row commits or rolls back with
   * the change it describes. The advisory lock orders appends so each row links to its predecessor.
   */
  async record(event: AuditEvent, manager?: EntityManager): Promise<void> {
    if (manager) return this.append(manager, event);
    await this.dataSource.transaction((m) => this.append(m, event));
  }

  private async append(manager: EntityManager, event: AuditEvent): Promise<void> {
    const ctx = requestContext.current();
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const last: { hash: string }[] = await manager.query('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
    const content: AuditContent = {
      at: new Date().toISOString(),
      userId: event.actor?.userId ?? ctx?.userId ?? null,
      username: event.actor?.username ?? ctx?.username ?? null,
      unitId: event.actor?.unitId ?? ctx?.unitId ?? null,
      action: event.action,
      objectType: event.objectType ?? null,
      objectId: event.objectId ?? null,
      requestId: ctx?.requestId ?? null,
      ip: ctx?.ip ?? null,
      outcome: event.outcome ?? 'success',
      detail: event.detail ?? null,
    };
    await manager.query(
      `INSERT INTO audit_log (at, user_id, username, unit_id, action, object_type, object_id, request_id, ip, outcome, detail, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [
        content.at,
        content.userId,
        content.username,
        content.unitId,
        content.action,
        content.objectType,
        content.objectId,
        content.requestId,
        content.ip,
        content.outcome,
        content.detail === null ? null : JSON.stringify(content.detail),
        prevHash,
        chainHash(prevHash, content),
      ],
    );
  }

  /** Walks the whole chain in id order and names the first row whose link or content does not match. */
  async verify(): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let afterId = '0';
    for (;;) {
      const rows: AuditEntryEntity[] = await this.dataSource
        .getRepository(AuditEntryEntity)
        .createQueryBuilder('a')
        .where('a.id > :afterId', { afterId })
        .orderBy('a.id', 'ASC')
        .limit(VERIFY_BATCH)
        .getMany();
      if (rows.length === 0) return { ok: true, checked };
      for (const row of rows) {
        if (row.prevHash !== prevHash) {
          return { ok: false, checked, firstBrokenId: row.id, reason: '与前一条记录的链接不符（记录被删除或插入）' };
        }
        if (chainHash(row.prevHash, toContent(row)) !== row.hash) {
          return { ok: false, checked, firstBrokenId: row.id, reason: '记录内容与其摘要不符（记录被篡改）' };
        }
        prevHash = row.hash;
        checked += 1;
        afterId = row.id;
      }
    }
  }

  async list(filter: {
    userId?: string;
    action?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: AuditEntryEntity[]; total: number }> {
    const qb = this.dataSource.getRepository(AuditEntryEntity).createQueryBuilder('a');
    if (filter.userId) qb.andWhere('a.userId = :userId', { userId: filter.userId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    const [items, total] = await qb.orderBy('a.id', 'DESC').take(filter.limit).skip(filter.offset).getManyAndCount();
    return { items, total };
  }
}

function toContent(row: AuditEntryEntity): AuditContent {
  return {
    at: row.at.toISOString(),
    userId: row.userId,
    username: row.username,
    unitId: row.unitId,
    action: row.action,
    objectType: row.objectType,
    objectId: row.objectId,
    requestId: row.requestId,
    ip: row.ip,
    outcome: row.outcome,
    detail: row.detail,
  };
}
