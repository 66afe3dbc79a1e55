import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, type QueryRunner } from 'typeorm';
import { prepared } from '../platform/prepared';
import { requestContext } from '../platform/request-context';
import { AuditContent, GENESIS_HASH, chainHash } from './audit-chain';
import { AuditEntryEntity, AuditOutcome } from './audit-entry.entity';
import { checkpointText, keyIdOf, verifyCheckpointSignature, type CheckpointClaim } from './audit-checkpoint';
import { AuditSigner } from './audit-signer';

export interface AuditEvent {
  action: string;
  outcome?: AuditOutcome;
  objectType?: string;
  objectId?: string;
  detail?: Record<string, unknown>;
  /** Who acted, when not the person of the current request (e.g. a failed login). */
  actor?: { userId?: string | null; username?: string | null; unitId?: string | null };
}

export type CheckpointProblemCode = 'TAIL_CUT' | 'ROW_MISSING' | 'ROW_CHANGED' | 'COUNT_MISMATCH' | 'BAD_SIGNATURE' | 'UNTRUSTED_KEY';

export interface CheckpointProblem {
  checkpointId: string;
  lastId: string;
  code: CheckpointProblemCode;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows verified before the first broken one. */
  checked: number;
  firstBrokenId?: string;
  reason?: string;
  /** A stored checkpoint names rows past the end of the chain: its tail was cut. */
  truncated?: boolean;
  checkpoints: {
    checked: number;
    ok: boolean;
    failed: number;
    /** The first problems, in checkpoint order. */
    problems: CheckpointProblem[];
    latest?: { id: string; lastId: string; rowCount: string; at: string };
  };
}

export interface ChainWalk {
  checked: number;
  /** Rows walked (also past a break). */
  rows: number;
  lastId: string;
  lastHash: string;
  firstBrokenId?: string;
  reason?: string;
}

/** A stored checkpoint as the verification reads it (ids and counts as text: bigint). */
interface CheckpointRow {
  id: string;
  created_at: Date;
  kind: string;
  last_id: string;
  last_hash: string;
  row_count: string;
  key_id: string;
  public_key: string;
  signature: string;
}

/** Appends take this transaction lock, so each row links to its predecessor; checkpoints take it to see a settled tail. */
export const CHAIN_LOCK = 7242002;
const VERIFY_BATCH = 5000;
/** How long an append waits for this process's append before it to answer (appendInOrder). */
const ORDER_WAIT_MS = 1000;
const MAX_PROBLEMS = 50;

@Injectable()
export class AuditService {
  /** The hash of the row this process appended last: its guess of the chain's tail for the next append. */
  private expectedTail?: string;
  /** Settles when this process's latest append call has answered: the next one is sent after it (appendInOrder). */
  private lastCall: Promise<void> = Promise.resolve();
  /** Transactions of this process that hold the chain's lock (they appended), with the hash of their last row. */
  private readonly holders = new WeakMap<QueryRunner, string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signer: AuditSigner,
  ) {}

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
    const fields = [
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
    ];
    await this.appendInOrder(manager, (guess) => this.appendGuessed(manager, content, fields, guess));
  }

  /**
   * Sends this process's appends one after another, each once the one before has answered. Sent at once, they reached
   * the chain's lock in any order, and one that came first with a guess built on another's missed; its fix-up then made
   * the next guesses miss too: with 8 concurrent commands nearly every append took a second statement, inside the lock.
   * In order, the one before holds the lock (or has committed) when the next is sent, and its row is the guess. No
   * wait is added: the next one would wait for that lock in PostgreSQL anyway. A transaction that holds the lock
   * already (its second row) goes straight on: it would otherwise wait behind appends that wait for its commit. The
   * wait is bounded (ORDER_WAIT_MS): a wait PostgreSQL cannot see is one its deadlock detection cannot break (a
   * holder waiting for a row this transaction locked), so past the bound the append is sent as before, out of order.
   */
  private async appendInOrder(manager: EntityManager, append: (guess: string) => Promise<string>): Promise<void> {
    // Keyed by the transaction's connection: every EntityManager of one transaction shares it.
    const tx = manager.queryRunner?.isTransactionActive ? manager.queryRunner : undefined;
    const held = tx && this.holders.get(tx);
    if (tx && held !== undefined) {
      this.holders.set(tx, await append(held));
      return;
    }
    const before = this.lastCall;
    let answered!: () => void;
    this.lastCall = new Promise((resolve) => (answered = resolve));
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([before, new Promise<void>((resolve) => (timer = setTimeout(resolve, ORDER_WAIT_MS)))]);
      clearTimeout(timer);
      const hash = await append(this.expectedTail ?? GENESIS_HASH);
      if (tx) this.holders.set(tx, hash);
    } finally {
      answered();
    }
  }

  /** One append with `guess` as the tail; resolves with the hash of the row appended. */
  private async appendGuessed(manager: EntityManager, content: AuditContent, fields: unknown[], guess: string): Promise<string> {
    // The guess: the row this process appended last, which is the tail whenever no other process appended since and
    // that row's transaction committed. The function takes the chain's lock and inserts only a row that links to the
    // tail as committed by then (migration 1765600002400): one round trip when the guess is right.
    const guessedHash = chainHash(guess, content);
    this.expectedTail = guessedHash;
    const answer = await prepared<{ tail: string | null }>(
      manager,
      'audit_chain_append',
      `SELECT audit_chain_append($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) AS tail`,
      [CHAIN_LOCK, ...fields, guess, guessedHash],
    );
    const tail = answer[0]?.tail ?? null;
    if (tail === null) return guessedHash;
    // Guessed wrong (another process appended, or an earlier append rolled back): this transaction holds the chain's
    // lock now, so `tail` stays the tail until it commits.
    const hash = chainHash(tail, content);
    this.expectedTail = hash;
    await prepared(
      manager,
      'audit_append',
      `INSERT INTO audit_log (at, user_id, username, unit_id, action, object_type, object_id, request_id, ip, outcome, detail, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [...fields, tail, hash],
    );
    return hash;
  }

  /**
   * Walks the whole chain in id order and names the first row whose link or content does not match,
   * then holds every stored checkpoint against what the walk saw: a valid signature by a trusted key,
   * its row still there with its hash and its position. A checkpoint naming a row past the end means
   * the tail was cut.
   */
  async verify(): Promise<VerifyResult> {
    const checkpoints: CheckpointRow[] = await this.dataSource.query(
      `SELECT id::text, created_at, kind, last_id::text, last_hash, row_count::text, key_id, public_key, signature
         FROM audit_checkpoints ORDER BY last_id, id`,
    );
    const problems: CheckpointProblem[] = [];
    const pending = new Map<string, CheckpointRow[]>();
    for (const cp of checkpoints) {
      const claim = claimOf(cp);
      if (!this.signer.isTrusted(cp.public_key) || keyIdOf(cp.public_key) !== cp.key_id) {
        problems.push(problem(cp, 'UNTRUSTED_KEY', `检查点 #${cp.id} 的签名公钥不是本平台的审计密钥`));
      } else if (!verifyCheckpointSignature(checkpointText(claim), cp.signature, cp.public_key)) {
        problems.push(problem(cp, 'BAD_SIGNATURE', `检查点 #${cp.id} 的 SM2 签名验证失败（检查点被伪造或篡改）`));
      } else {
        pending.set(cp.last_id, [...(pending.get(cp.last_id) ?? []), cp]);
      }
    }
    const walk = await this.walk({
      onRow: (row, position) => {
        for (const cp of pending.get(row.id) ?? []) {
          if (cp.last_hash !== row.hash)
            problems.push(problem(cp, 'ROW_CHANGED', `检查点 #${cp.id} 记录的第 ${cp.last_id} 条审计记录已被改动`));
          else if (cp.row_count !== String(position))
            problems.push(
              problem(
                cp,
                'COUNT_MISMATCH',
                `检查点 #${cp.id} 时链上有 ${cp.row_count} 条记录，现在到该处只有 ${position} 条（记录被删除或插入）`,
              ),
            );
        }
        pending.delete(row.id);
      },
    });
    for (const [lastId, cps] of pending) {
      for (const cp of cps) {
        if (lastId === '0') {
          if (cp.last_hash !== GENESIS_HASH || cp.row_count !== '0')
            problems.push(problem(cp, 'ROW_CHANGED', `检查点 #${cp.id} 的起点与链的起点不符`));
        } else if (BigInt(lastId) > BigInt(walk.lastId)) {
          problems.push(
            problem(
              cp,
              'TAIL_CUT',
              `审计链尾部被截断：检查点 #${cp.id} 记录的第 ${lastId} 条审计记录已不存在（现在最后一条是第 ${walk.lastId} 条）`,
            ),
          );
        } else {
          problems.push(problem(cp, 'ROW_MISSING', `检查点 #${cp.id} 记录的第 ${lastId} 条审计记录已被删除`));
        }
      }
    }
    problems.sort((a, b) => Number(BigInt(a.checkpointId) - BigInt(b.checkpointId)));
    const latest = checkpoints.reduce<CheckpointRow | undefined>(
      (max, cp) => (!max || BigInt(cp.id) > BigInt(max.id) ? cp : max),
      undefined,
    );
    const result: VerifyResult = {
      ok: walk.firstBrokenId === undefined && problems.length === 0,
      checked: walk.checked,
      checkpoints: {
        checked: checkpoints.length,
        ok: problems.length === 0,
        failed: problems.length,
        problems: problems.slice(0, MAX_PROBLEMS),
        latest: latest && { id: latest.id, lastId: latest.last_id, rowCount: latest.row_count, at: claimOf(latest).at },
      },
    };
    if (problems.some((p) => p.code === 'TAIL_CUT')) result.truncated = true;
    if (walk.firstBrokenId !== undefined) {
      result.firstBrokenId = walk.firstBrokenId;
      result.reason = walk.reason;
    } else if (problems.length > 0) {
      result.reason = problems[0].message;
    }
    return result;
  }

  /**
   * The chain in id order up to `untilId` (all of it without), checking each link and digest.
   * `checked` counts the rows verified before the first break; the walk goes on past a break so
   * checkpoints further on are still matched (`onRow` gets each row and its 1-based position).
   */
  async walk(options: { untilId?: string; onRow?: (row: AuditEntryEntity, position: number) => void } = {}): Promise<ChainWalk> {
    let prevHash = GENESIS_HASH;
    let position = 0;
    let afterId = '0';
    const result: ChainWalk = { checked: 0, rows: 0, lastId: '0', lastHash: GENESIS_HASH };
    for (;;) {
      const qb = this.dataSource
        .getRepository(AuditEntryEntity)
        .createQueryBuilder('a')
        .where('a.id > :afterId', { afterId })
        .orderBy('a.id', 'ASC')
        .limit(VERIFY_BATCH);
      if (options.untilId !== undefined) qb.andWhere('a.id <= :untilId', { untilId: options.untilId });
      const rows = await qb.getMany();
      if (rows.length === 0) return result;
      for (const row of rows) {
        position += 1;
        if (result.firstBrokenId === undefined) {
          if (row.prevHash !== prevHash) {
            result.firstBrokenId = row.id;
            result.reason = '与前一条记录的链接不符（记录被删除或插入）';
          } else if (chainHash(row.prevHash, toContent(row)) !== row.hash) {
            result.firstBrokenId = row.id;
            result.reason = '记录内容与其摘要不符（记录被篡改）';
          } else {
            result.checked += 1;
          }
        }
        options.onRow?.(row, position);
        prevHash = row.hash;
        afterId = row.id;
      }
      result.rows = position;
      result.lastId = afterId;
      result.lastHash = prevHash;
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

function claimOf(cp: CheckpointRow): CheckpointClaim {
  return { lastId: cp.last_id, lastHash: cp.last_hash, rowCount: cp.row_count, at: cp.created_at.toISOString(), keyId: cp.key_id };
}

function problem(cp: CheckpointRow, code: CheckpointProblemCode, message: string): CheckpointProblem {
  return { checkpointId: cp.id, lastId: cp.last_id, code, message };
}
