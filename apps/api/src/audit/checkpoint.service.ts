import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, NotFoundError } from '../platform/errors';
import { GENESIS_HASH } from './audit-chain';
import {
  CHECKPOINT_FORMAT,
  checkpointText,
  keyIdOf,
  parseCheckpointText,
  SIGNATURE_ALGORITHM,
  SM2_USER_ID,
  verifyCheckpointSignature,
  type CheckpointClaim,
} from './audit-checkpoint';
import { AuditService, CHAIN_LOCK, type CheckpointProblemCode } from './audit.service';
import { AuditSigner, type SignerIdentity } from './audit-signer';

export type CheckpointKind = 'scheduled' | 'on-demand';

export interface CheckpointView {
  id: string;
  kind: CheckpointKind;
  lastId: string;
  lastHash: string;
  rowCount: string;
  at: string;
  keyId: string;
  createdBy: string | null;
}

/** What an auditor keeps outside the platform: everything needed to check it, with any SM2 tool. */
export interface CheckpointExport {
  format: string;
  checkpoint: CheckpointView;
  signedText: string;
  signature: { algorithm: string; userId: string; encoding: string; value: string };
  signer: SignerIdentity;
  howToVerify: string;
  exportedAt: string;
}

export interface ExportVerification {
  ok: boolean;
  signatureValid: boolean;
  /** Signed by the platform's audit key (or a former one it still trusts). */
  keyTrusted: boolean;
  checkpoint?: CheckpointClaim;
  chain: {
    ok: boolean;
    code?: CheckpointProblemCode | 'CHAIN_BROKEN';
    checked: number;
    rows: number;
    lastId: string;
    firstBrokenId?: string;
  };
  reason?: string;
}

interface CheckpointRecord {
  id: string;
  created_at: Date;
  kind: CheckpointKind;
  last_id: string;
  last_hash: string;
  row_count: string;
  key_id: string;
  public_key: string;
  signature: string;
  created_by: string | null;
}

const COLUMNS = `id::text, created_at, kind, last_id::text, last_hash, row_count::text, key_id, public_key, signature, created_by`;

/** Whether the last scheduled checkpoint is older than the interval (by the database's clock, shared by every replica). */
const DUE = `SELECT NOT EXISTS (
  SELECT 1 FROM audit_checkpoints WHERE kind = 'scheduled' AND created_at > clock_timestamp() - make_interval(secs => $1)
) AS due`;

/** Signed checkpoints of the audit chain: made on demand and on a schedule, listed, exported, verified. */
@Injectable()
export class CheckpointService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly signer: AuditSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The auditor's checkpoint. Its own audit row comes first, so the checkpoint covers who asked for it. */
  async createOnDemand(userId: string): Promise<CheckpointView> {
    return this.dataSource.transaction(async (m) => {
      await this.audit.record({ action: 'audit.checkpoint', objectType: 'audit_checkpoint' }, m);
      const made = await this.make(m, 'on-demand', userId);
      if (!made) throw new Error('an on-demand checkpoint is always made');
      return made;
    });
  }

  /**
   * The periodic checkpoint, once per AUDIT_CHECKPOINT_INTERVAL across all processes: the chain lock
   * serialises the processes that find it due, and the second one sees the first one's row. Nothing
   * is made when the chain has not grown since the last checkpoint (that one still speaks for it).
   */
  async createIfDue(): Promise<CheckpointView | undefined> {
    const interval = this.config.auditCheckpointIntervalSeconds;
    const [first] = (await this.dataSource.query(DUE, [interval])) as { due: boolean }[];
    if (!first.due) return undefined;
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
      const [again] = (await m.query(DUE, [interval])) as { due: boolean }[];
      if (!again.due) return undefined;
      return this.make(m, 'scheduled', null, { unlessUnchanged: true });
    });
  }

  private async make(
    m: EntityManager,
    kind: CheckpointKind,
    createdBy: string | null,
    options: { unlessUnchanged?: boolean } = {},
  ): Promise<CheckpointView | undefined> {
    // Under the chain lock no append is half-done: the last committed row is the tail.
    await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const [tail] = (await m.query(
      `SELECT clock_timestamp() AS now,
              (SELECT count(*) FROM audit_log)::text AS row_count,
              last.id::text AS last_id, last.hash AS last_hash
         FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1) last ON true`,
    )) as { now: Date; row_count: string; last_id: string | null; last_hash: string | null }[];
    const lastId = tail.last_id ?? '0';
    if (options.unlessUnchanged) {
      const [previous] = (await m.query(`SELECT last_id::text AS last_id FROM audit_checkpoints ORDER BY id DESC LIMIT 1`)) as {
        last_id: string;
      }[];
      if (previous?.last_id === lastId) return undefined;
    }
    const identity = this.signer.identity();
    const claim: CheckpointClaim = {
      lastId,
      lastHash: tail.last_hash ?? GENESIS_HASH,
      rowCount: tail.row_count,
      at: tail.now.toISOString(),
      keyId: identity.keyId,
    };
    const signature = this.signer.sign(checkpointText(claim));
    const [row] = (await m.query(
      `INSERT INTO audit_checkpoints (created_at, kind, last_id, last_hash, row_count, key_id, public_key, signature, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [claim.at, kind, claim.lastId, claim.lastHash, claim.rowCount, claim.keyId, identity.publicKey, signature, createdBy],
    )) as CheckpointRecord[];
    return viewOf(row);
  }

  async list(query: { limit: number; offset: number }): Promise<{ items: CheckpointView[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.dataSource.query(`SELECT ${COLUMNS} FROM audit_checkpoints ORDER BY id DESC LIMIT $1 OFFSET $2`, [
        query.limit,
        query.offset,
      ]) as Promise<CheckpointRecord[]>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM audit_checkpoints`) as Promise<{ n: number }[]>,
    ]);
    return { items: rows.map(viewOf), total: total[0].n };
  }

  /** A self-contained export; the export itself is audited. */
  async export(id: string): Promise<CheckpointExport> {
    if (!/^[1-9]\d{0,17}$/.test(id)) throw new NotFoundError('检查点');
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM audit_checkpoints WHERE id = $1`, [id])) as CheckpointRecord[];
    if (!row) throw new NotFoundError('检查点');
    await this.audit.record({ action: 'audit.checkpoint-export', objectType: 'audit_checkpoint', objectId: row.id });
    const view = viewOf(row);
    return {
      format: CHECKPOINT_FORMAT,
      checkpoint: view,
      signedText: checkpointText({ lastId: view.lastId, lastHash: view.lastHash, rowCount: view.rowCount, at: view.at, keyId: view.keyId }),
      signature: { algorithm: SIGNATURE_ALGORITHM, userId: SM2_USER_ID, encoding: 'DER, hex', value: row.signature },
      signer: this.signer.identityOf(row.public_key),
      howToVerify:
        'signedText 的 UTF-8 字节即被签名的内容；例如：openssl pkeyutl -verify -pubin -inkey signer.pem -rawin -in signed.txt ' +
        '-sigfile signature.der -digest sm3 -pkeyopt distid:1234567812345678；再以 POST /api/audit/verify-checkpoint 提交本文件核对审计链',
      exportedAt: new Date().toISOString(),
    };
  }

  /**
   * Holds an exported checkpoint (kept by the auditor outside the platform) against the chain as it is
   * now: the signature, the key, the chain intact from the start to the checkpoint's row, that row's
   * hash and position. Detects a cut tail even when the stored checkpoints were removed with it.
   */
  async verifyExport(input: {
    signedText: string;
    signature: { value: string };
    signer: { publicKey: string };
  }): Promise<ExportVerification> {
    const claim = parseCheckpointText(input.signedText);
    if (!claim) {
      throw new AppError(
        'CHECKPOINT_TEXT_INVALID',
        `signedText 不是本平台导出的检查点文本（应以 ${CHECKPOINT_FORMAT} 开头，逐行原样保留）`,
      );
    }
    const publicKey = input.signer.publicKey.toLowerCase();
    const signatureValid =
      keyIdOf(publicKey) === claim.keyId && verifyCheckpointSignature(input.signedText, input.signature.value.toLowerCase(), publicKey);
    const keyTrusted = this.signer.isTrusted(publicKey);
    const chain = await this.holdAgainstChain(claim);
    const result: ExportVerification = {
      ok: signatureValid && keyTrusted && chain.ok,
      signatureValid,
      keyTrusted,
      checkpoint: claim,
      chain,
    };
    if (!signatureValid) result.reason = 'SM2 签名验证失败：检查点文本或签名被改动，或公钥不符';
    else if (!keyTrusted) result.reason = '签名公钥不是本平台的审计密钥';
    else if (!chain.ok) result.reason = chain.reason;
    const { reason: _chainReason, ...chainView } = chain;
    result.chain = chainView;
    await this.audit.record({
      action: 'audit.checkpoint-verify',
      objectType: 'audit_checkpoint',
      outcome: result.ok ? 'success' : 'failure',
      detail: { lastId: claim.lastId, rowCount: claim.rowCount, at: claim.at, code: chain.code ?? null },
    });
    return result;
  }

  private async holdAgainstChain(claim: CheckpointClaim): Promise<ExportVerification['chain'] & { reason?: string }> {
    const walk = await this.audit.walk({ untilId: claim.lastId });
    const base = { checked: walk.checked, rows: walk.rows, lastId: walk.lastId };
    const fail = (code: CheckpointProblemCode | 'CHAIN_BROKEN', reason: string) => ({ ...base, ok: false, code, reason });
    if (claim.lastId === '0') {
      return claim.lastHash === GENESIS_HASH && claim.rowCount === '0'
        ? { ...base, ok: true }
        : fail('ROW_CHANGED', '检查点的起点与链的起点不符');
    }
    if (walk.lastId !== claim.lastId) {
      const [end] = (await this.dataSource.query(`SELECT COALESCE(max(id), 0)::text AS id FROM audit_log`)) as { id: string }[];
      if (BigInt(claim.lastId) > BigInt(end.id)) {
        return fail('TAIL_CUT', `审计链尾部被截断：检查点记录的第 ${claim.lastId} 条审计记录已不存在（现在最后一条是第 ${end.id} 条）`);
      }
      return fail('ROW_MISSING', `检查点记录的第 ${claim.lastId} 条审计记录已被删除`);
    }
    if (walk.firstBrokenId !== undefined) {
      return {
        ...fail('CHAIN_BROKEN', `第 ${walk.firstBrokenId} 条审计记录${walk.reason ?? '与链不符'}`),
        firstBrokenId: walk.firstBrokenId,
      };
    }
    if (walk.lastHash !== claim.lastHash) return fail('ROW_CHANGED', `检查点记录的第 ${claim.lastId} 条审计记录已被改动`);
    if (String(walk.rows) !== claim.rowCount) {
      return fail('COUNT_MISMATCH', `检查点时链上有 ${claim.rowCount} 条记录，现在到该处有 ${walk.rows} 条（记录被删除或插入）`);
    }
    return { ...base, ok: true };
  }
}

function viewOf(row: CheckpointRecord): CheckpointView {
  return {
    id: row.id,
    kind: row.kind,
    lastId: row.last_id,
    lastHash: row.last_hash,
    rowCount: row.row_count,
    at: row.created_at.toISOString(),
    keyId: row.key_id,
    createdBy: row.created_by,
  };
}
