import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  isRole,
  type LoginResponse,
  type Role,
  type SecondFactorChallenge,
  type SessionUser,
  type TotpConfirmation,
  type TotpEnrolment,
} from '@zhengwu/contracts';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError } from '../platform/errors';
import { returning } from '../platform/sql';
import { AccountLocks } from './account-locks';
import { checkPassword } from './password-policy';
import type { Principal } from './principal';
import { TotpService } from './totp.service';
import { SessionCache } from './session-cache';
import { prepared } from '../platform/prepared';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  username: string;
}

/** Where a login comes from, for the session row and the audit. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

/** How the person proved who they are in the first step (the audit records it). */
export type LoginMethod = 'password' | 'oidc';

/** A short-lived token between the first step and the second factor; never an access token. */
interface ChallengeClaims {
  sub: string;
  purpose: 'totp' | 'totp-enrol';
  method: LoginMethod;
}

const CHALLENGE_AUDIENCE = 'zhengwu-second-factor';
const CHALLENGE_TTL_SECONDS = 300;

export interface IssuedSession extends LoginResponse {
  refreshToken: string;
  refreshExpiresAt: Date;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  unit_id: string;
  unit_name: string;
  unit_path: string;
  password_hash: string;
  must_change_password: boolean;
  failed_attempts: number;
  second_factor?: boolean;
  locked_until: Date | null;
  is_active: boolean;
  roles: string[] | null;
}

const USER_SELECT = `
  SELECT u.id, u.username, u.display_name, u.unit_id, un.name AS unit_name, un.path AS unit_path,
         u.password_hash, u.must_change_password, u.failed_attempts, u.locked_until, u.is_active,
         (SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles
    FROM users u JOIN units un ON un.id = u.unit_id`;

/** A request's session and person, as SESSION_SELECT reads them (and the session cache keeps them). */
type SessionRow = Omit<UserRow, 'password_hash' | 'failed_attempts' | 'locked_until'> & {
  revoked_at: Date | null;
  expires_at: Date;
  second_factor: boolean;
};

/** A request's session and person: what USER_SELECT reads, without the password hash nobody needs here. */
const SESSION_SELECT = `
  SELECT s.revoked_at, s.expires_at, s.second_factor, u.id, u.username, u.display_name, u.unit_id, un.name AS unit_name,
         un.path AS unit_path, u.must_change_password, u.is_active,
         (SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles
    FROM users u JOIN units un ON un.id = u.unit_id JOIN sessions s ON s.user_id = u.id WHERE s.id = $1 AND u.id = $2`;

export const ARGON2_OPTIONS: argon2.HashOptions & { raw?: false } = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The same answer for an unknown name and a wrong password, so the answer does not tell who exists. */
const invalidCredentials = (): AppError => new AppError('INVALID_CREDENTIALS', '用户名或密码错误', HttpStatus.UNAUTHORIZED);
const invalidSecondFactor = (): AppError =>
  new AppError('INVALID_SECOND_FACTOR', '动态口令或恢复码不正确', HttpStatus.UNAUTHORIZED, [
    { field: 'code', message: '动态口令或恢复码不正确' },
  ]);
const invalidChallenge = (): AppError =>
  new AppError('SECOND_FACTOR_CHALLENGE_INVALID', '验证已过期，请重新输入用户名和密码', HttpStatus.UNAUTHORIZED);

@Injectable()
export class AuthService {
  /** A hash to verify against when the user does not exist, so timing does not reveal who exists (made at start). */
  private readonly dummyHash: Promise<string> = hashPassword(randomBytes(16).toString('hex'));
  /** The attempt in progress per username; the next one waits for it. */
  private readonly attempts = new Map<string, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly totp: TotpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accountLocks: AccountLocks,
    private readonly sessions: SessionCache<SessionRow>,
  ) {}

  /**
   * One attempt per account at a time: guesses sent all at once would otherwise all be checked
   * against the password before the first failure's lock is written. Queued in this process, then
   * taking turns with the other api processes (AccountLocks).
   */
  async login(username: string, password: string, client: ClientInfo): Promise<IssuedSession | SecondFactorChallenge> {
    const name = username.trim().toLowerCase();
    return this.oneAtATime(name, () => this.attemptLogin(name, password, client));
  }

  private async oneAtATime<T>(key: string, attempt: () => Promise<T>): Promise<T> {
    const previous = this.attempts.get(key) ?? Promise.resolve();
    const current = previous.then(() => this.accountLocks.run(key, attempt));
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    this.attempts.set(key, settled);
    try {
      return await current;
    } finally {
      if (this.attempts.get(key) === settled) this.attempts.delete(key);
    }
  }

  private async attemptLogin(name: string, password: string, client: ClientInfo): Promise<IssuedSession | SecondFactorChallenge> {
    const user = await this.findUser('u.username = $1', name);
    if (!user || !user.is_active) {
      await argon2.verify(await this.dummyHash, password).catch(() => false);
      await this.audit.record({
        action: 'auth.login',
        outcome: 'failure',
        actor: { username: name },
        detail: { reason: user ? 'inactive' : 'unknown-user' },
      });
      throw invalidCredentials();
    }
    if (user.locked_until && user.locked_until.getTime() > Date.now()) {
      await this.audit.record({ action: 'auth.login', outcome: 'denied', actor: this.actor(user), detail: { reason: 'locked' } });
      throw this.lockedError(user.locked_until);
    }
    const ok = await argon2.verify(user.password_hash, password).catch(() => false);
    if (!ok) return this.recordFailure(user, invalidCredentials(), 'wrong-password');
    return this.completeWithUser(user, client, 'password');
  }

  /**
   * The one door after a first factor (the password here; an OpenID Connect provider's login in
   * oidc.*): call it with the local user's id once the person proved who they are. It refuses an
   * inactive or locked account, then answers either a session (`IssuedSession`, to hand out like
   * `POST /api/auth/login` does) or, when the person must pass TOTP, a `SecondFactorChallenge`
   * (`secondFactor: 'totp'` → `POST /api/auth/login/second-factor`; `'totp-enrol'` → enrol with
   * the challenge at `POST /api/auth/totp/enrol` and `/confirm`, which also signs in). `method`
   * is recorded in the audit and carried through the challenge.
   */
  async completePrimaryLogin(userId: string, client: ClientInfo, method: LoginMethod): Promise<IssuedSession | SecondFactorChallenge> {
    const user = await this.findUser('u.id = $1', userId);
    if (!user || !user.is_active) throw invalidCredentials();
    if (user.locked_until && user.locked_until.getTime() > Date.now()) throw this.lockedError(user.locked_until);
    return this.completeWithUser(user, client, method);
  }

  private async completeWithUser(user: UserRow, client: ClientInfo, method: LoginMethod): Promise<IssuedSession | SecondFactorChallenge> {
    const roles = (user.roles ?? []).filter(isRole);
    // Failures are not forgiven yet when a second factor follows: a known password must not buy endless code guesses.
    if (await this.totp.isEnrolled(user.id)) return this.challenge(user, 'totp', method);
    if (this.totp.isRequired(roles)) return this.challenge(user, 'totp-enrol', method);
    return this.signIn(user, client, method, false);
  }

  private async challenge(user: UserRow, purpose: ChallengeClaims['purpose'], method: LoginMethod): Promise<SecondFactorChallenge> {
    const claims: ChallengeClaims = { sub: user.id, purpose, method };
    await this.audit.record({ action: 'auth.login-first-step', actor: this.actor(user), detail: { method, next: purpose } });
    const challenge = this.jwt.sign(claims, { algorithm: 'HS256', audience: CHALLENGE_AUDIENCE, expiresIn: CHALLENGE_TTL_SECONDS });
    return { secondFactor: purpose, challenge, expiresIn: CHALLENGE_TTL_SECONDS };
  }

  private async readChallenge(token: string, purpose: ChallengeClaims['purpose']): Promise<{ user: UserRow; method: LoginMethod }> {
    let claims: ChallengeClaims;
    try {
      claims = await this.jwt.verifyAsync<ChallengeClaims>(token, {
        algorithms: ['HS256'],
        issuer: 'zhengwu',
        audience: CHALLENGE_AUDIENCE,
      });
    } catch {
      throw invalidChallenge();
    }
    if (claims.purpose !== purpose || !isUuid(claims.sub)) throw invalidChallenge();
    const user = await this.findUser('u.id = $1', claims.sub);
    if (!user || !user.is_active) throw invalidChallenge();
    if (user.locked_until && user.locked_until.getTime() > Date.now()) throw this.lockedError(user.locked_until);
    return { user, method: claims.method === 'oidc' ? 'oidc' : 'password' };
  }

  /** The second step: the challenge of the first plus a TOTP code or one recovery code. Wrong ones count towards the lock. */
  async verifySecondFactor(
    challenge: string,
    answer: { code?: string; recoveryCode?: string },
    client: ClientInfo,
  ): Promise<IssuedSession> {
    const { user, method } = await this.readChallenge(challenge, 'totp');
    return this.oneAtATime(`second-factor:${user.id}`, async () => {
      const fresh = await this.findUser('u.id = $1', user.id);
      if (fresh?.locked_until && fresh.locked_until.getTime() > Date.now()) throw this.lockedError(fresh.locked_until);
      let ok = false;
      if (answer.code) ok = await this.totp.verify(user.id, answer.code);
      else if (answer.recoveryCode) ok = await this.totp.useRecoveryCode(user.id, answer.recoveryCode);
      const via = answer.code ? 'totp' : 'recovery-code';
      if (!ok) return this.recordFailure(user, invalidSecondFactor(), `wrong-${via}`);
      return this.signIn(user, client, method, true, via);
    });
  }

  /** Enrolment as part of a login (the account needs TOTP and has none): the challenge stands in for a session. */
  async beginEnrolmentWithChallenge(challenge: string): Promise<TotpEnrolment> {
    const { user } = await this.readChallenge(challenge, 'totp-enrol');
    return this.totp.begin(user.id, user.username);
  }

  async confirmEnrolmentWithChallenge(
    challenge: string,
    code: string,
    client: ClientInfo,
  ): Promise<TotpConfirmation & { issued: IssuedSession }> {
    const { user, method } = await this.readChallenge(challenge, 'totp-enrol');
    const codes = await this.dataSource.transaction(async (m) => {
      const confirmed = await this.totp.confirm(m, user.id, code);
      if (confirmed)
        await this.audit.record({ action: 'auth.totp.enrol', actor: this.actor(user), objectType: 'user', objectId: user.id }, m);
      return confirmed;
    });
    if (!codes) return this.recordFailure(user, invalidSecondFactor(), 'wrong-totp-at-enrolment');
    const issued = await this.signIn(user, client, method, true, 'totp-enrol');
    return { recoveryCodes: codes, issued };
  }

  /** Voluntary enrolment from the 双因素认证 page of a signed-in person. */
  async beginEnrolment(principal: Principal): Promise<TotpEnrolment> {
    return this.totp.begin(principal.userId, principal.username);
  }

  async confirmEnrolment(principal: Principal, code: string): Promise<TotpConfirmation> {
    const confirmed = await this.dataSource.transaction(async (m) => {
      const codes = await this.totp.confirm(m, principal.userId, code);
      if (!codes)
        throw new AppError('INVALID_SECOND_FACTOR', '动态口令不正确，请核对手机时间后重试', HttpStatus.BAD_REQUEST, [
          { field: 'code', message: '动态口令不正确' },
        ]);
      // This session has now shown the second factor too.
      await m.query('UPDATE sessions SET second_factor = true WHERE id = $1', [principal.sessionId]);
      await this.audit.record({ action: 'auth.totp.enrol', objectType: 'user', objectId: principal.userId }, m);
      return { recoveryCodes: codes };
    });
    this.sessions.forgetSession(principal.sessionId);
    return confirmed;
  }

  private async signIn(
    user: UserRow,
    client: ClientInfo,
    method: LoginMethod,
    secondFactor: boolean,
    via?: string,
  ): Promise<IssuedSession> {
    return this.dataSource.transaction(async (m) => {
      // The lock may have been set since the user was read (another process's failures): it still holds.
      const unlocked = await returning<{ id: string }>(
        m,
        'UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now()) RETURNING id',
        [user.id],
      );
      if (!unlocked[0]) {
        const [row]: { locked_until: Date }[] = await m.query('SELECT locked_until FROM users WHERE id = $1', [user.id]);
        throw this.lockedError(row.locked_until);
      }
      const session = await this.openSession(m, user, client, secondFactor);
      await this.audit.record(
        {
          action: 'auth.login',
          actor: this.actor(user),
          objectType: 'session',
          objectId: session.sessionId,
          detail: via ? { method, secondFactor: via } : { method },
        },
        m,
      );
      return session.issued;
    });
  }

  private async recordFailure(user: UserRow, error: AppError, reason: string): Promise<never> {
    const max = this.config.maxLoginFailures;
    const rows = await returning<{ failed_attempts: number; locked_until: Date | null }>(
      this.dataSource,
      `UPDATE users
          SET failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
              locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
        WHERE id = $1
        RETURNING failed_attempts, locked_until`,
      [user.id, max, this.config.lockMinutes],
    );
    const row = rows[0];
    const lockedNow = row?.locked_until && row.locked_until.getTime() > Date.now();
    await this.audit.record({
      action: 'auth.login',
      outcome: 'failure',
      actor: this.actor(user),
      detail: { reason, locked: Boolean(lockedNow) },
    });
    // Only an actual lock is announced; before that the answer is the same as for an unknown name.
    if (lockedNow && row.locked_until) throw this.lockedError(row.locked_until);
    throw error;
  }

  private lockedError(until: Date): AppError {
    const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60000));
    return new AppError('ACCOUNT_LOCKED', `登录失败次数过多，账户已锁定，请 ${minutes} 分钟后再试或联系安全管理员解锁`, HttpStatus.LOCKED, {
      lockedUntil: until.toISOString(),
    });
  }

  /** Rotates the refresh token. A token that was already rotated away is a replay: the session dies. */
  async refresh(token: string | undefined): Promise<IssuedSession> {
    const parsed = parseRefreshToken(token);
    if (!parsed) throw new AppError('SESSION_EXPIRED', '登录已过期，请重新登录', HttpStatus.UNAUTHORIZED);
    const outcome = await this.dataSource.transaction(async (m): Promise<IssuedSession | 'expired' | 'replayed'> => {
      const rows: {
        id: string;
        user_id: string;
        token_hash: string;
        previous_token_hash: string | null;
        expires_at: Date;
        revoked_at: Date | null;
      }[] = await m.query(
        'SELECT id, user_id, token_hash, previous_token_hash, expires_at, revoked_at FROM sessions WHERE id = $1 FOR UPDATE',
        [parsed.sessionId],
      );
      const session = rows[0];
      const hash = sha256(parsed.secret);
      if (!session || session.revoked_at || session.expires_at.getTime() <= Date.now()) return 'expired';
      if (session.token_hash !== hash) {
        if (session.previous_token_hash !== hash) return 'expired';
        // A token that was already rotated away is being replayed: someone else holds it. End the session.
        await m.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [session.id]);
        await this.audit.record(
          {
            action: 'auth.refresh-replay',
            outcome: 'denied',
            actor: { userId: session.user_id },
            objectType: 'session',
            objectId: session.id,
          },
          m,
        );
        return 'replayed';
      }
      const user = await this.findUser('u.id = $1', session.user_id, m);
      if (!user || !user.is_active) return 'expired';
      const secret = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000);
      await m.query(
        'UPDATE sessions SET previous_token_hash = token_hash, token_hash = $2, last_used_at = now(), expires_at = $3 WHERE id = $1',
        [session.id, sha256(secret), expiresAt],
      );
      return {
        ...this.issueAccess(user, session.id),
        refreshToken: `${session.id}.${secret}`,
        refreshExpiresAt: expiresAt,
      };
    });
    if (outcome === 'expired') throw new AppError('SESSION_EXPIRED', '登录已过期，请重新登录', HttpStatus.UNAUTHORIZED);
    this.sessions.forgetSession(parsed.sessionId);
    if (outcome === 'replayed')
      throw new AppError('SESSION_REVOKED', '登录凭据已被他人使用，会话已终止，请重新登录并修改密码', HttpStatus.UNAUTHORIZED);
    return outcome;
  }

  async logout(sessionId: string | undefined): Promise<void> {
    if (!sessionId) return;
    await this.dataSource.transaction(async (m) => {
      const rows = await returning<{ user_id: string }>(
        m,
        'UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING user_id',
        [sessionId],
      );
      if (rows[0]) await this.audit.record({ action: 'auth.logout', objectType: 'session', objectId: sessionId }, m);
    });
    // Committed: this process forgets the session now; the others when PostgreSQL's notification reaches them.
    this.sessions.forgetSession(sessionId);
  }

  async changePassword(principal: Principal, current: string, next: string): Promise<void> {
    const user = await this.findUser('u.id = $1', principal.userId);
    if (!user) throw invalidCredentials();
    if (!(await argon2.verify(user.password_hash, current).catch(() => false))) {
      throw new AppError('INVALID_CREDENTIALS', '原密码不正确', HttpStatus.BAD_REQUEST, [
        { field: 'currentPassword', message: '原密码不正确' },
      ]);
    }
    const problem = checkPassword(next, { minLength: this.config.passwordMinLength }, user.username);
    if (problem) throw new AppError('PASSWORD_POLICY', problem, HttpStatus.BAD_REQUEST, [{ field: 'newPassword', message: problem }]);
    if (current === next)
      throw new AppError('PASSWORD_POLICY', '新密码不能与原密码相同', HttpStatus.BAD_REQUEST, [
        { field: 'newPassword', message: '新密码不能与原密码相同' },
      ]);
    const hash = await hashPassword(next);
    await this.dataSource.transaction(async (m) => {
      await m.query(
        'UPDATE users SET password_hash = $2, must_change_password = false, password_changed_at = now(), updated_at = now() WHERE id = $1',
        [user.id, hash],
      );
      // Other sessions end: a changed password must lock out whoever else knew the old one.
      await m.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL', [
        user.id,
        principal.sessionId,
      ]);
      await this.audit.record({ action: 'auth.change-password', objectType: 'user', objectId: user.id }, m);
    });
    this.sessions.forgetUser(user.id);
  }

  /** Resolves an access token into the request's principal; the session must still be open. */
  async authenticate(token: string): Promise<Principal> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: ['HS256'], issuer: 'zhengwu' });
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      throw new AppError(
        expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID',
        expired ? '登录已过期，请重新登录' : '登录凭据无效，请重新登录',
        HttpStatus.UNAUTHORIZED,
      );
    }
    // Signed by us, but only ids make sense here: anything else is no session (and must not reach the uuid columns).
    if (!isUuid(claims.sub) || !isUuid(claims.sid))
      throw new AppError('TOKEN_INVALID', '登录凭据无效，请重新登录', HttpStatus.UNAUTHORIZED);
    // Every request's statement (prepared once per connection), unless this process checked the session moments ago
    // and nothing about sessions, people, roles or units changed since (SessionCache). Expiry is checked below each time.
    const key = `${claims.sid}:${claims.sub}`;
    let row = this.sessions.get(key);
    if (!row) {
      const ticket = this.sessions.ticket();
      row = (await prepared<SessionRow>(this.dataSource, 'session_check', SESSION_SELECT, [claims.sid, claims.sub]))[0];
      if (row) this.sessions.put(key, row, ticket);
    }
    if (!row || !row.is_active) throw new AppError('TOKEN_INVALID', '登录凭据无效，请重新登录', HttpStatus.UNAUTHORIZED);
    if (row.revoked_at || row.expires_at.getTime() <= Date.now()) {
      throw new AppError('SESSION_EXPIRED', '会话已结束，请重新登录', HttpStatus.UNAUTHORIZED);
    }
    const roles = (row.roles ?? []).filter(isRole);
    // A session opened before a role that needs TOTP was granted (or before TOTP was required) ends here.
    if (!row.second_factor && this.totp.isRequired(roles)) {
      throw new AppError('SECOND_FACTOR_REQUIRED', '此账户须使用双因素认证，请重新登录', HttpStatus.UNAUTHORIZED);
    }
    return {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      unitId: row.unit_id,
      unitPath: row.unit_path,
      roles,
      sessionId: claims.sid,
      mustChangePassword: row.must_change_password,
    };
  }

  private async openSession(
    m: EntityManager,
    user: UserRow,
    client: ClientInfo,
    secondFactor: boolean,
  ): Promise<{ sessionId: string; issued: IssuedSession }> {
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000);
    const rows: { id: string }[] = await m.query(
      'INSERT INTO sessions (user_id, token_hash, expires_at, user_agent, ip, second_factor) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [user.id, sha256(secret), expiresAt, client.userAgent?.slice(0, 500) ?? null, client.ip ?? null, secondFactor],
    );
    const sessionId = rows[0].id;
    return {
      sessionId,
      issued: { ...this.issueAccess(user, sessionId), refreshToken: `${sessionId}.${secret}`, refreshExpiresAt: expiresAt },
    };
  }

  private issueAccess(user: UserRow, sessionId: string): LoginResponse {
    const claims: AccessTokenClaims = { sub: user.id, sid: sessionId, username: user.username };
    const accessToken = this.jwt.sign(claims, { algorithm: 'HS256', expiresIn: this.config.accessTokenTtlSeconds });
    return { accessToken, expiresIn: this.config.accessTokenTtlSeconds, user: toSessionUser(user) };
  }

  private async findUser(where: string, value: string, m?: EntityManager): Promise<UserRow | undefined> {
    const runner = m ?? this.dataSource;
    const rows: UserRow[] = await runner.query(`${USER_SELECT} WHERE ${where}`, [value]);
    return rows[0];
  }

  private actor(user: UserRow): { userId: string; username: string; unitId: string } {
    return { userId: user.id, username: user.username, unitId: user.unit_id };
  }
}

function toSessionUser(user: UserRow): SessionUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    unitId: user.unit_id,
    unitName: user.unit_name,
    roles: (user.roles ?? []).filter(isRole) as Role[],
    mustChangePassword: user.must_change_password,
  };
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function parseRefreshToken(token: string | undefined): { sessionId: string; secret: string } | undefined {
  if (!token) return undefined;
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,})$/.exec(token);
  return match ? { sessionId: match[1], secret: match[2] } : undefined;
}
