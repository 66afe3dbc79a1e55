import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthProviders, SecondFactorChallenge } from '@zhengwu/contracts';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig, type OidcConfig } from '../platform/config';
import { AppError } from '../platform/errors';
import { returning } from '../platform/sql';
import { openIdClient, type OidcConfiguration } from './oidc-client';
import { AuthService, type ClientInfo, type IssuedSession } from './auth.service';

/** How long a redirect to the provider may take to come back. */
const ATTEMPT_TTL_SECONDS = 600;

export const OIDC_LOGIN_PATH = '/api/auth/oidc/login';

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Why a single sign-on was refused: the code goes to the login page, the message to people and the audit. */
export class OidcError extends AppError {
  constructor(code: string, message: string, status: number = HttpStatus.UNAUTHORIZED, details?: unknown) {
    super(code, message, status, details);
  }
}

/** What a completed sign-on yields: the platform's session, or the second-factor step when the person's roles need TOTP. */
export type SsoLoginOutcome = IssuedSession | SecondFactorChallenge;

/**
 * Single sign-on with the province's OpenID provider: authorization code flow with PKCE, state and
 * nonce through openid-client, which validates the ID token (signature against the provider's keys,
 * issuer, audience, expiry, nonce). The provider's person becomes a local account by one claim
 * (OIDC_USER_CLAIM) matched to a username; nobody is created here.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private discovered?: Promise<OidcConfiguration>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  providers(): AuthProviders {
    const oidc = this.config.oidc;
    return { localLogin: this.config.localLogin, sso: oidc ? { name: oidc.name, loginUrl: OIDC_LOGIN_PATH } : null };
  }

  /** Starts a login: remembers state, nonce and PKCE verifier, and returns where to send the browser. */
  async begin(): Promise<{ redirectTo: string; browserSecret: string }> {
    const oidc = this.requireOidc();
    const configuration = await this.configuration(oidc);
    const { lib } = openIdClient();
    const state = lib.randomState();
    const nonce = lib.randomNonce();
    const codeVerifier = lib.randomPKCECodeVerifier();
    const browserSecret = randomBytes(32).toString('base64url');
    await this.dataSource.transaction(async (m) => {
      await m.query('DELETE FROM oidc_logins WHERE expires_at < now()');
      await m.query(
        `INSERT INTO oidc_logins (state_hash, browser_hash, nonce, code_verifier, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [sha256(state), sha256(browserSecret), nonce, codeVerifier, ATTEMPT_TTL_SECONDS],
      );
    });
    const url = lib.buildAuthorizationUrl(configuration, {
      redirect_uri: oidc.redirectUri,
      scope: oidc.scope,
      state,
      nonce,
      code_challenge: await lib.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { redirectTo: url.href, browserSecret };
  }

  /**
   * The provider's redirect back. The attempt is taken (deleted) before anything else, so a callback
   * can be used once; it must come from the browser that started it (the cookie's hash).
   */
  async complete(query: string, browserSecret: string | undefined, client: ClientInfo): Promise<SsoLoginOutcome> {
    const oidc = this.requireOidc();
    try {
      return await this.completeOrThrow(oidc, query, browserSecret, client);
    } catch (error) {
      const refusal = error instanceof AppError ? error : this.unexpected(error);
      await this.audit.record({
        action: 'auth.login',
        outcome: refusal.status === HttpStatus.FORBIDDEN ? 'denied' : 'failure',
        actor: this.actorOf(refusal),
        detail: { method: 'oidc', reason: refusal.code, issuer: oidc.issuer, ...(refusal.details as Record<string, unknown> | undefined) },
      });
      throw refusal;
    }
  }

  private async completeOrThrow(
    oidc: OidcConfig,
    query: string,
    browserSecret: string | undefined,
    client: ClientInfo,
  ): Promise<SsoLoginOutcome> {
    const { lib, URL } = openIdClient();
    // The configured redirect plus the provider's parameters: what the provider redirected to, whatever proxy is in between.
    const callbackUrl = new URL(oidc.redirectUri);
    callbackUrl.search = query;
    const state = callbackUrl.searchParams.get('state');
    if (!state) throw new OidcError('OIDC_STATE_INVALID', '单点登录请求无效（缺少 state），请重新登录');
    const attempt = await this.takeAttempt(state);
    if (!attempt) throw new OidcError('OIDC_STATE_INVALID', '单点登录请求无效或已使用，请重新登录');
    if (attempt.expired) throw new OidcError('OIDC_STATE_EXPIRED', '单点登录请求已过期，请重新登录');
    if (!browserSecret || sha256(browserSecret) !== attempt.browser_hash) {
      throw new OidcError('OIDC_STATE_INVALID', '单点登录请求不是从本浏览器发起的，请重新登录');
    }
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError) {
      const description = callbackUrl.searchParams.get('error_description');
      throw new OidcError('OIDC_PROVIDER_REFUSED', `统一身份认证平台拒绝了登录：${providerError}`, HttpStatus.UNAUTHORIZED, {
        error: providerError.slice(0, 100),
        description: description?.slice(0, 300),
      });
    }
    const configuration = await this.configuration(oidc);
    let tokens: Awaited<ReturnType<typeof lib.authorizationCodeGrant>>;
    try {
      tokens = await lib.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: attempt.code_verifier,
        expectedState: state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw this.tokenRefusal(error);
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcError('OIDC_TOKEN_INVALID', '统一身份认证平台未返回身份令牌');
    let value: unknown = claims[oidc.userClaim];
    if (value === undefined && tokens.access_token) {
      // Providers that follow the spec strictly put profile claims only in the userinfo answer.
      try {
        const info = await lib.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        value = info[oidc.userClaim];
      } catch (error) {
        throw this.tokenRefusal(error);
      }
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw new OidcError(
        'OIDC_CLAIM_MISSING',
        `统一身份认证平台未提供用于匹配账户的信息（${oidc.userClaim}），请联系管理员`,
        HttpStatus.FORBIDDEN,
        {
          subject: claims.sub,
        },
      );
    }
    const username = value.trim().toLowerCase();
    const [user] = await this.dataSource.query<{ id: string; username: string; unit_id: string; is_active: boolean }[]>(
      'SELECT id, username, unit_id, is_active FROM users WHERE username = $1',
      [username],
    );
    if (!user) {
      throw new OidcError(
        'OIDC_USER_UNKNOWN',
        `统一身份认证账户“${username.slice(0, 64)}”在本平台没有对应的账户，请联系安全管理员开通`,
        HttpStatus.FORBIDDEN,
        {
          username: username.slice(0, 64),
          subject: claims.sub,
        },
      );
    }
    if (!user.is_active) {
      throw new OidcError('OIDC_USER_INACTIVE', '本平台的对应账户已停用，请联系安全管理员', HttpStatus.FORBIDDEN, {
        username: user.username,
        userId: user.id,
        unitId: user.unit_id,
      });
    }
    // Which provider account vouched for whom; the login itself is audited by AuthService with method 'oidc'.
    await this.audit.record({
      action: 'auth.oidc-verified',
      actor: { userId: user.id, username: user.username, unitId: user.unit_id },
      detail: { issuer: oidc.issuer, subject: claims.sub, claim: oidc.userClaim },
    });
    // The one door after a first factor: a session, or the TOTP step for roles that need it.
    return this.auth.completePrimaryLogin(user.id, client, 'oidc');
  }

  /** Deletes and returns the attempt of this state: the only use it will ever get. */
  private async takeAttempt(
    state: string,
  ): Promise<{ browser_hash: string; nonce: string; code_verifier: string; expired: boolean } | undefined> {
    const rows = await returning<{ browser_hash: string; nonce: string; code_verifier: string; expired: boolean }>(
      this.dataSource,
      'DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING browser_hash, nonce, code_verifier, expires_at < now() AS expired',
      [sha256(state)],
    );
    return rows[0];
  }

  /** The provider's metadata and keys, fetched on first use (not at start: the api must not depend on the provider being up). */
  private configuration(oidc: OidcConfig): Promise<OidcConfiguration> {
    if (!this.discovered) {
      const { lib, URL } = openIdClient();
      const issuer = new URL(oidc.issuer);
      // Plain http is the intranet case (like PUBLIC_URL); openid-client refuses it unless told.
      // The library trusts an ID token from the token endpoint on TLS alone unless non-repudiation
      // checks are on (OIDC Core 3.1.3.7 allows that); we check its signature against the provider's
      // published keys too, so a token not signed by the provider is refused even over plain http.
      const execute = [lib.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' ? [lib.allowInsecureRequests] : [])];
      this.discovered = lib.discovery(issuer, oidc.clientId, undefined, lib.ClientSecretBasic(oidc.clientSecret), { execute });
      this.discovered.catch((error: unknown) => {
        this.discovered = undefined;
        this.logger.warn(`OpenID provider ${oidc.issuer} not reachable: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return this.discovered.catch(() => {
      throw new OidcError('OIDC_UNAVAILABLE', '统一身份认证平台暂时无法访问，请稍后重试', HttpStatus.SERVICE_UNAVAILABLE);
    });
  }

  private requireOidc(): OidcConfig {
    if (!this.config.oidc) throw new OidcError('OIDC_NOT_CONFIGURED', '本平台未启用统一身份认证登录', HttpStatus.NOT_FOUND);
    return this.config.oidc;
  }

  /** openid-client's refusals (bad signature, issuer, audience, expiry, nonce, a used code) become one code; the reason goes to the audit. */
  private tokenRefusal(error: unknown): OidcError {
    const failure = error as { message?: unknown; code?: unknown; error?: unknown } | null;
    // The library wraps its checks' errors: the chain's messages say what failed (a signature, a
    // claim), and the innermost names the claim (exp, aud, iss, nonce…).
    const messages: string[] = [];
    let claim: unknown;
    let link: unknown = error;
    for (let depth = 0; depth < 4 && link && typeof link === 'object'; depth++) {
      const { message, cause } = link as { message?: unknown; cause?: unknown; claim?: unknown };
      if (typeof message === 'string') messages.push(message);
      claim ??= (link as { claim?: unknown }).claim;
      link = cause;
    }
    return new OidcError('OIDC_TOKEN_INVALID', '统一身份认证平台返回的身份凭据未通过校验，请重新登录', HttpStatus.UNAUTHORIZED, {
      failure: (messages.length > 0 ? messages.join(': ') : String(error)).slice(0, 300),
      ...(typeof failure?.code === 'string' ? { libraryCode: failure.code } : {}),
      ...(typeof failure?.error === 'string' ? { providerError: failure.error } : {}),
      ...(typeof claim === 'string' ? { claim } : {}),
    });
  }

  private unexpected(error: unknown): OidcError {
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return new OidcError('OIDC_FAILED', '统一身份认证登录失败，请稍后重试', HttpStatus.BAD_GATEWAY);
  }

  private actorOf(error: AppError): { userId?: string; username?: string; unitId?: string } | undefined {
    const details = error.details as { userId?: string; username?: string; unitId?: string } | undefined;
    if (!details?.username) return undefined;
    return { userId: details.userId, username: details.username, unitId: details.unitId };
  }
}
