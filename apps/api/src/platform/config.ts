import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ADMIN_ROLES, isRole, ROLES, type Role } from '@zhengwu/contracts';

/** Every setting the platform reads. Nothing else in the code reads process.env. */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  smtpUrl?: string;
  archiveDir: string;
  workerToken: string;
  demoPassword?: string;
  seedDemo: boolean;
  adminPassword?: string;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  maxLoginFailures: number;
  lockMinutes: number;
  passwordMinLength: number;
  logLevel: string;
  publicUrl: string;
  /** The built web application the api serves beside /api (WEB_DIR, default apps/web/dist/web/browser). */
  webDir: string;
  /** `npm start` runs the workers beside the api (RUN_WORKERS, default true). */
  runWorkers: boolean;
  /**
   * How many api processes `npm start` runs on the one port (API_PROCESSES, default one per core;
   * 1 = everything in one process). Each is a complete api; see platform/cluster.ts.
   */
  apiProcesses: number;
  /**
   * Database connections each api process may open (DATABASE_POOL_SIZE; default 20, less when many
   * api processes share the server: at most 150 together, at least 5 each).
   */
  databasePoolSize: number;
  /** How long an api process may answer a request from a session it checked before (0: never); see identity/session-cache.ts. */
  sessionCacheSeconds: number;
  /** Largest attachment accepted, in bytes (ATTACHMENT_MAX_MB, default 50). */
  attachmentMaxBytes: number;
  /** 全宗号 of the archive numbers (ARCHIVE_FONDS, default Z001). */
  archiveFonds: string;
  /** Code of the unit acting as 办公厅 for 督办 (SUPERVISION_OFFICE_UNIT, default MLR-BGT): its people mark items and see the whole ledger. */
  supervisionOfficeUnit: string;
  /** 公文交换 identity (EXCHANGE_ORGAN_CODE / EXCHANGE_ORGAN_NAME); exchange is off while the code is unset. */
  exchange: { organCode?: string; organName: string; pollMs: number };
  /** SM2 private key (64 hex digits) signing archive manifests; without it one is generated into DATA_DIR. */
  archiveSm2PrivateKey?: string;
  /** Seconds between fixity audits of the stored archive packages (ARCHIVE_AUDIT_INTERVAL, default 24h). */
  archiveAuditIntervalSeconds: number;
  /** SM2 private key (64 hex digits) signing audit checkpoints; without it one is generated into DATA_DIR. */
  auditSm2PrivateKey?: string;
  /** Former audit checkpoint public keys still trusted after a key change (AUDIT_SM2_TRUSTED_PUBLIC_KEYS, comma-separated). */
  auditSm2TrustedPublicKeys: string[];
  /** Seconds between signed checkpoints of the audit chain (AUDIT_CHECKPOINT_INTERVAL, default 1h). */
  auditCheckpointIntervalSeconds: number;
  /** Mail retry: first wait after a failed send (MAIL_RETRY_BASE_MS, default 30 s), doubled per attempt. */
  mailRetryBaseMs: number;
  /** Mail retry: longest wait between attempts (MAIL_RETRY_MAX_MS, default 1 h). */
  mailRetryMaxMs: number;
  /** Failed sends before a message is set aside for an administrator (MAIL_MAX_ATTEMPTS, default 10). */
  mailMaxAttempts: number;
  /** Roles that must pass a second factor (TOTP) at login (MFA_REQUIRED_ROLES, default the three administrators; `*` = everyone). */
  mfaRequiredRoles: readonly Role[] | '*';
  /** Key that encrypts stored TOTP secrets (MFA_ENCRYPTION_KEY; generated once into DATA_DIR without it). */
  mfaEncryptionKey: string;
  /** Key that encrypts the seals' SM2 private keys at rest (SEAL_ENCRYPTION_KEY; generated once into DATA_DIR without it). */
  sealEncryptionKey: string;
  /** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES: addresses, CIDRs or loopback/linklocal/uniquelocal; none by default). */
  trustedProxies: string[];
  /** Single sign-on through an OpenID Connect provider (OIDC_*); absent when OIDC_ISSUER is not set. */
  oidc?: OidcConfig;
  /** Password login at POST /api/auth/login (LOCAL_LOGIN, default true; false only with OIDC configured). */
  localLogin: boolean;
}

export interface OidcConfig {
  /** The provider's issuer URL; its /.well-known/openid-configuration is discovered on first use. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claim whose value is a local username (OIDC_USER_CLAIM, default preferred_username). */
  userClaim: string;
  /** Scopes asked for (OIDC_SCOPE, default "openid profile"). */
  scope: string;
  /** The label of the login page's button (OIDC_NAME, default 统一身份认证). */
  name: string;
  /** PUBLIC_URL + /api/auth/oidc/callback: register exactly this at the provider. */
  redirectUri: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `*` (everyone) or a comma-separated list of role codes; an empty value requires no second factor. */
function readRoles(env: Env, name: string, fallback: readonly Role[]): readonly Role[] | '*' {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (raw.trim() === '*') return '*';
  const roles = raw
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length > 0)
    throw new ConfigError(name, `unknown role ${unknown.join(', ')} (expected * or role codes such as ${ROLES.join(',')})`);
  return [...new Set(roles)] as Role[];
}

/** Names Express's `trust proxy` understands: addresses, CIDR ranges and its three named ranges. */
function readProxies(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const entries = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const entry of entries) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || extra !== undefined) {
      throw new ConfigError(name, `"${entry}" is not an address, a CIDR range or one of loopback, linklocal, uniquelocal`);
    }
  }
  return entries;
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL (expected ${protocols.join(' or ')}//...)`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.join(' or ')}// (got ${url.protocol}//)`);
  }
  return raw;
}

function readDuration(env: Env, name: string, fallbackSeconds: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackSeconds;
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(name, `must be a duration like 900, 15m, 8h or 7d, got "${raw}"`);
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * factor;
  if (seconds < 1) throw new ConfigError(name, 'must be at least one second');
  return seconds;
}

/**
 * The JWT secret must survive restarts (or every session dies with the process) but must never
 * live in the repo: without JWT_SECRET we generate one once into DATA_DIR.
 */
function loadOrCreateSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  createOnce(file, randomBytes(48).toString('base64url'));
  return readFileSync(file, 'utf8').trim();
}

/**
 * Writes `content` to `file` unless it exists, so that processes starting together on one DATA_DIR
 * all end up with the same value: written aside and linked into place (a reader sees all or
 * nothing), and whoever links second keeps the first one's.
 */
export function createOnce(file: string, content: string): void {
  const pending = `${file}.${process.pid}.tmp`;
  writeFileSync(pending, content, { mode: 0o600 });
  try {
    linkSync(pending, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(pending, { force: true });
  }
}

/** OIDC_ISSUER switches single sign-on on; the client's id and secret must then be given too. */
function readOidc(env: Env, publicUrl: string): OidcConfig | undefined {
  const issuer = readUrl(env, 'OIDC_ISSUER', ['https:', 'http:']);
  if (!issuer) {
    for (const name of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET']) {
      if (env[name]) throw new ConfigError(name, "is set but OIDC_ISSUER is not (set the provider's issuer URL, or remove it)");
    }
    return undefined;
  }
  const clientId = env.OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID', 'is required when OIDC_ISSUER is set');
  const clientSecret = env.OIDC_CLIENT_SECRET;
  if (!clientSecret) throw new ConfigError('OIDC_CLIENT_SECRET', 'is required when OIDC_ISSUER is set');
  const userClaim = env.OIDC_USER_CLAIM?.trim() || 'preferred_username';
  if (!/^[A-Za-z_][\w.:-]{0,99}$/.test(userClaim)) {
    throw new ConfigError('OIDC_USER_CLAIM', `must be a claim name such as preferred_username, got "${userClaim}"`);
  }
  const scope = env.OIDC_SCOPE?.trim() || 'openid profile';
  if (!scope.split(/\s+/).includes('openid') || !/^[\x21\x23-\x5b\x5d-\x7e ]+$/.test(scope)) {
    throw new ConfigError('OIDC_SCOPE', `must be space-separated scopes including openid, got "${scope}"`);
  }
  const name = env.OIDC_NAME?.trim() || '统一身份认证';
  if (name.length > 30) throw new ConfigError('OIDC_NAME', 'must be at most 30 characters (it labels the login button)');
  return { issuer, clientId, clientSecret, userClaim, scope, name, redirectUri: `${publicUrl}/api/auth/oidc/callback` };
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const port = readInt(env, 'PORT', 3000, 0, 65535);
  const dataDirRaw = env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : '.data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const databaseUrl = readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const smtpUrl = readUrl(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  const archiveRaw = env.ARCHIVE_DIR && env.ARCHIVE_DIR !== '' ? env.ARCHIVE_DIR : join(dataDir, 'archive');
  const archiveDir = isAbsolute(archiveRaw) ? archiveRaw : resolve(cwd, archiveRaw);
  const workerToken = env.WORKER_TOKEN || undefined;
  if (workerToken !== undefined && workerToken.length < 16) {
    throw new ConfigError('WORKER_TOKEN', 'must be at least 16 characters long');
  }
  const passwordMinLength = readInt(env, 'PASSWORD_MIN_LENGTH', 10, 8, 128);
  const demoPassword = env.DEMO_PASSWORD || undefined;
  if (demoPassword !== undefined && demoPassword.length < passwordMinLength) {
    throw new ConfigError('DEMO_PASSWORD', `must be at least ${passwordMinLength} characters long`);
  }
  const adminPassword = env.ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < passwordMinLength) {
    throw new ConfigError('ADMIN_PASSWORD', `must be at least ${passwordMinLength} characters long`);
  }
  const jwtSecretRaw = env.JWT_SECRET || undefined;
  if (jwtSecretRaw !== undefined && jwtSecretRaw.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters long');
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const archiveFonds = env.ARCHIVE_FONDS || 'Z001';
  if (!/^[A-Z0-9]{1,12}$/.test(archiveFonds)) {
    throw new ConfigError('ARCHIVE_FONDS', `must be 1-12 capital letters or digits (a 全宗号 like Z001), got "${archiveFonds}"`);
  }
  const exchangeOrganCode = env.EXCHANGE_ORGAN_CODE || undefined;
  if (exchangeOrganCode !== undefined && !/^[A-Za-z0-9-]{1,32}$/.test(exchangeOrganCode)) {
    throw new ConfigError('EXCHANGE_ORGAN_CODE', `must be 1-32 letters, digits or hyphens, got "${exchangeOrganCode}"`);
  }
  const auditSm2PrivateKey = env.AUDIT_SM2_PRIVATE_KEY || undefined;
  if (auditSm2PrivateKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(auditSm2PrivateKey)) {
    throw new ConfigError('AUDIT_SM2_PRIVATE_KEY', 'must be an SM2 private key of 64 hex digits');
  }
  const auditSm2TrustedPublicKeys = (env.AUDIT_SM2_TRUSTED_PUBLIC_KEYS ?? '')
    .split(',')
    .map((k) => k.trim().toLowerCase())
    .filter((k) => k !== '');
  if (auditSm2TrustedPublicKeys.some((k) => !/^04[0-9a-f]{128}$/.test(k))) {
    throw new ConfigError('AUDIT_SM2_TRUSTED_PUBLIC_KEYS', 'must be SM2 public keys (04 + 128 hex digits), comma-separated');
  }
  const archiveSm2PrivateKey = env.ARCHIVE_SM2_PRIVATE_KEY || undefined;
  if (archiveSm2PrivateKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(archiveSm2PrivateKey)) {
    throw new ConfigError('ARCHIVE_SM2_PRIVATE_KEY', 'must be an SM2 private key of 64 hex digits');
  }
  const mfaKeyRaw = env.MFA_ENCRYPTION_KEY || undefined;
  if (mfaKeyRaw !== undefined && mfaKeyRaw.length < 32) {
    throw new ConfigError('MFA_ENCRYPTION_KEY', 'must be at least 32 characters long');
  }
  const sealKeyRaw = env.SEAL_ENCRYPTION_KEY || undefined;
  if (sealKeyRaw !== undefined && sealKeyRaw.length < 32) {
    throw new ConfigError('SEAL_ENCRYPTION_KEY', 'must be at least 32 characters long');
  }
  const apiProcesses = readInt(env, 'API_PROCESSES', availableParallelism(), 1, 64);
  const host = env.HOST || '0.0.0.0';
  const publicUrl = readUrl(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  const oidc = readOidc(env, publicUrl.replace(/\/$/, ''));
  const localLogin = readBool(env, 'LOCAL_LOGIN', true);
  if (!localLogin && !oidc) {
    throw new ConfigError(
      'LOCAL_LOGIN',
      'can be false only when single sign-on is configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)',
    );
  }
  return {
    port,
    host,
    dataDir,
    databaseUrl,
    smtpUrl,
    archiveDir,
    workerToken: workerToken ?? loadOrCreateSecret(dataDir, 'worker-token'),
    demoPassword,
    seedDemo: readBool(env, 'SEED_DEMO', databaseUrl === undefined),
    adminPassword,
    jwtSecret: jwtSecretRaw ?? loadOrCreateSecret(dataDir, 'jwt-secret'),
    accessTokenTtlSeconds: readDuration(env, 'ACCESS_TOKEN_TTL', 15 * 60),
    refreshTokenTtlSeconds: readDuration(env, 'REFRESH_TOKEN_TTL', 8 * 3600),
    maxLoginFailures: readInt(env, 'LOGIN_MAX_FAILURES', 5, 1, 100),
    lockMinutes: readInt(env, 'LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
    passwordMinLength,
    logLevel,
    publicUrl: publicUrl.replace(/\/$/, ''),
    runWorkers: readBool(env, 'RUN_WORKERS', true),
    apiProcesses,
    databasePoolSize: readInt(env, 'DATABASE_POOL_SIZE', Math.max(5, Math.min(20, Math.floor(150 / apiProcesses))), 2, 500),
    sessionCacheSeconds: readInt(env, 'SESSION_CACHE_SECONDS', 5, 0, 60),
    webDir: resolve(cwd, env.WEB_DIR || join('apps', 'web', 'dist', 'web', 'browser')),
    attachmentMaxBytes: readInt(env, 'ATTACHMENT_MAX_MB', 50, 1, 2048) * 1024 * 1024,
    archiveFonds,
    supervisionOfficeUnit: env.SUPERVISION_OFFICE_UNIT?.trim() || 'MLR-BGT',
    exchange: {
      organCode: exchangeOrganCode,
      organName: env.EXCHANGE_ORGAN_NAME || exchangeOrganCode || '',
      pollMs: readInt(env, 'EXCHANGE_POLL_MS', 5000, 100, 3_600_000),
    },
    archiveSm2PrivateKey: archiveSm2PrivateKey?.toLowerCase(),
    archiveAuditIntervalSeconds: readDuration(env, 'ARCHIVE_AUDIT_INTERVAL', 24 * 3600),
    auditSm2PrivateKey: auditSm2PrivateKey?.toLowerCase(),
    auditSm2TrustedPublicKeys,
    auditCheckpointIntervalSeconds: readDuration(env, 'AUDIT_CHECKPOINT_INTERVAL', 3600),
    mailRetryBaseMs: readInt(env, 'MAIL_RETRY_BASE_MS', 30_000, 10, 3_600_000),
    mailRetryMaxMs: readInt(env, 'MAIL_RETRY_MAX_MS', 3_600_000, 10, 24 * 3_600_000),
    mailMaxAttempts: readInt(env, 'MAIL_MAX_ATTEMPTS', 10, 1, 100),
    mfaRequiredRoles: readRoles(env, 'MFA_REQUIRED_ROLES', ADMIN_ROLES),
    mfaEncryptionKey: mfaKeyRaw ?? loadOrCreateSecret(dataDir, 'mfa-key'),
    sealEncryptionKey: sealKeyRaw ?? loadOrCreateSecret(dataDir, 'seal-key'),
    trustedProxies: readProxies(env, 'TRUSTED_PROXIES'),
    oidc,
    localLogin,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
