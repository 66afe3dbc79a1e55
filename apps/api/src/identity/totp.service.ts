import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import { toDataURL } from 'qrcode';
import { DataSource, EntityManager } from 'typeorm';
import type { Role, TotpEnrolment, TotpStatus } from '@zhengwu/contracts';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError, ConflictError } from '../platform/errors';
import { returning } from '../platform/sql';

export const TOTP_PERIOD_SECONDS = 30;
const TOTP_DIGITS = 6;
const TOTP_ISSUER = '政务办公平台';
const RECOVERY_CODE_COUNT = 10;
/** Base32 without look-alikes' trouble: 16 characters = 80 bits, enough that a SHA-256 of it is safe to store. */
const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * TOTP (RFC 6238, SHA-1, 6 digits, 30 s) with a ±1 step window. The last accepted step is stored per
 * person and a code is accepted only for a later step, so an observed code cannot be replayed, not
 * even within its own 30 seconds. Secrets are kept encrypted (AES-256-GCM under MFA_ENCRYPTION_KEY)
 * and shown only while enrolling.
 */
@Injectable()
export class TotpService {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = createHash('sha256').update(config.mfaEncryptionKey).digest();
  }

  /** Whether a person with these roles must pass a second factor (MFA_REQUIRED_ROLES). */
  isRequired(roles: readonly Role[]): boolean {
    const required = this.config.mfaRequiredRoles;
    return required === '*' || roles.some((role) => required.includes(role));
  }

  async isEnrolled(userId: string, m?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (m ?? this.dataSource).query('SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL', [
      userId,
    ]);
    return rows.length > 0;
  }

  async status(userId: string, roles: readonly Role[]): Promise<TotpStatus> {
    const rows: { confirmed: boolean; left: string }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL) AS confirmed,
              (SELECT count(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL) AS left`,
      [userId],
    );
    return { enrolled: rows[0].confirmed, required: this.isRequired(roles), recoveryCodesLeft: Number(rows[0].left) };
  }

  /** A new pending secret (replacing an unconfirmed one); refused once enrolled — a reset comes from the 安全管理员. */
  async begin(userId: string, username: string): Promise<TotpEnrolment> {
    const secret = new Secret({ size: 20 });
    const stored = await returning<{ user_id: string }>(
      this.dataSource,
      `INSERT INTO user_totp (user_id, secret_enc) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, last_step = NULL, created_at = now()
         WHERE user_totp.confirmed_at IS NULL
       RETURNING user_id`,
      [userId, this.encrypt(secret.base32)],
    );
    if (!stored[0]) throw new ConflictError('TOTP_ALREADY_ENROLLED', '已启用双因素认证；如需更换设备，请联系安全管理员重置');
    const otpauthUrl = this.totp(secret, username).toString();
    const qrCode = await toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 1, width: 220 });
    return { secret: secret.base32, otpauthUrl, qrCode };
  }

  /**
   * Confirms the pending secret with a first code; returns the recovery codes (plain, this once).
   * False when the code is wrong (the caller decides whether that counts as a failed login).
   */
  async confirm(m: EntityManager, userId: string, code: string): Promise<string[] | false> {
    const rows: { secret_enc: string; confirmed_at: Date | null }[] = await m.query(
      'SELECT secret_enc, confirmed_at FROM user_totp WHERE user_id = $1 FOR UPDATE',
      [userId],
    );
    const row = rows[0];
    if (!row) throw new AppError('TOTP_NOT_STARTED', '请先开始绑定（获取二维码）', HttpStatus.BAD_REQUEST);
    if (row.confirmed_at) throw new ConflictError('TOTP_ALREADY_ENROLLED', '已启用双因素认证');
    const step = this.matchingStep(this.decrypt(row.secret_enc), code, null);
    if (step === undefined) return false;
    await m.query('UPDATE user_totp SET confirmed_at = now(), last_step = $2 WHERE user_id = $1', [userId, step]);
    return this.replaceRecoveryCodes(m, userId);
  }

  /** Checks a code and consumes its time step (atomically, so two requests with one code cannot both pass). */
  async verify(userId: string, code: string): Promise<boolean> {
    const rows: { secret_enc: string; last_step: string | null }[] = await this.dataSource.query(
      'SELECT secret_enc, last_step FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL',
      [userId],
    );
    const row = rows[0];
    if (!row) return false;
    const last = row.last_step === null ? null : Number(row.last_step);
    const step = this.matchingStep(this.decrypt(row.secret_enc), code, last);
    if (step === undefined) return false;
    const taken = await returning<{ user_id: string }>(
      this.dataSource,
      'UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2) RETURNING user_id',
      [userId, step],
    );
    return taken.length > 0;
  }

  /** Uses one recovery code: each works once. */
  async useRecoveryCode(userId: string, code: string): Promise<boolean> {
    const used = await returning<{ id: string }>(
      this.dataSource,
      `UPDATE user_recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
          AND EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = $1 AND t.confirmed_at IS NOT NULL)
        RETURNING id`,
      [userId, hashRecoveryCode(code)],
    );
    return used.length > 0;
  }

  /** A fresh set of recovery codes; the old ones stop working. */
  async replaceRecoveryCodes(m: EntityManager, userId: string): Promise<string[]> {
    await m.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [userId]);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode());
    for (const code of codes) {
      await m.query('INSERT INTO user_recovery_codes (user_id, code_hash) VALUES ($1, $2)', [userId, hashRecoveryCode(code)]);
    }
    return codes;
  }

  /** The time step (within ±1 of now) whose code is `code` and which is later than `lastStep`. */
  private matchingStep(secretBase32: string, code: string, lastStep: number | null): number | undefined {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return undefined;
    const secret = Secret.fromBase32(secretBase32);
    const now = Math.floor(Date.now() / 1000 / TOTP_PERIOD_SECONDS);
    for (const step of [now - 1, now, now + 1]) {
      if (lastStep !== null && step <= lastStep) continue;
      const expected = HOTP.generate({ secret, algorithm: 'SHA1', digits: TOTP_DIGITS, counter: step });
      if (timingSafeEqual(Buffer.from(expected), Buffer.from(token))) return step;
    }
    return undefined;
  }

  private totp(secret: Secret, username: string): TOTP {
    return new TOTP({
      issuer: TOTP_ISSUER,
      label: username,
      secret,
      algorithm: 'SHA1',
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
    });
  }

  private encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  private decrypt(stored: string): string {
    const [version, iv, tag, data] = stored.split(':');
    if (version !== 'v1') throw new Error('unknown TOTP secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}

function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
  return (chars.match(/.{4}/g) ?? []).join('-');
}

/** Case, spaces and dashes do not matter when a person types a code back. */
function hashRecoveryCode(code: string): string {
  const normalised = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return createHash('sha256').update(normalised).digest('hex');
}
