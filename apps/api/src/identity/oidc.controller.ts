import { Controller, Get, HttpStatus, Inject, Logger, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { isSecondFactorChallenge, type AuthProviders } from '@zhengwu/contracts';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError } from '../platform/errors';
import { COOKIE_PATH as REFRESH_COOKIE_PATH, REFRESH_COOKIE } from './auth.controller';
import { Public } from './decorators';
import { OidcService } from './oidc.service';

/** Ties a redirect to the provider to the browser that started it; Lax, so the provider's top-level redirect back carries it. */
const ATTEMPT_COOKIE = 'zw_oidc';
const ATTEMPT_COOKIE_PATH = '/api/auth/oidc';
/** The web page that finishes a single sign-on (stores the session, or shows why not). */
const LANDING = '/login/sso';

@ApiTags('auth')
@Controller('auth')
export class OidcController {
  private readonly logger = new Logger(OidcController.name);

  constructor(
    private readonly oidc: OidcService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** For the login page: is single sign-on on (and its button's label), is password login on. */
  @Public()
  @Get('providers')
  providers(): AuthProviders {
    return this.oidc.providers();
  }

  /** The login button's target: off to the provider with a fresh state, nonce and PKCE challenge. */
  @Public()
  @Get('oidc/login')
  async login(@Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const { redirectTo, browserSecret } = await this.oidc.begin();
      res.cookie(ATTEMPT_COOKIE, browserSecret, { ...this.attemptCookie(), maxAge: 600_000 });
      res.redirect(HttpStatus.FOUND, redirectTo);
    } catch (error) {
      this.refuse(res, error);
    }
  }

  /** The provider's redirect back: a session (refresh cookie, then the landing page fetches the access token) or the reason why not. */
  @Public()
  @Get('oidc/callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const cookies = req.cookies as Record<string, string> | undefined;
    res.clearCookie(ATTEMPT_COOKIE, this.attemptCookie());
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    try {
      const outcome = await this.oidc.complete(query, cookies?.[ATTEMPT_COOKIE], {
        ip: req.ip,
        userAgent: req.headers['user-agent'],
      });
      if (isSecondFactorChallenge(outcome)) {
        // In the fragment: never sent to a server, so it stays out of logs and Referer headers.
        const fragment = new URLSearchParams({
          secondFactor: outcome.secondFactor,
          challenge: outcome.challenge,
          expiresIn: String(outcome.expiresIn),
        });
        res.redirect(HttpStatus.FOUND, `${LANDING}#${fragment.toString()}`);
        return;
      }
      res.cookie(REFRESH_COOKIE, outcome.refreshToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: this.isHttps(),
        path: REFRESH_COOKIE_PATH,
        expires: outcome.refreshExpiresAt,
      });
      res.redirect(HttpStatus.FOUND, LANDING);
    } catch (error) {
      this.refuse(res, error);
    }
  }

  /** A browser navigation cannot show a JSON error: the landing page shows the code's message. */
  private refuse(res: Response, error: unknown): void {
    if (!(error instanceof AppError)) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const code = error instanceof AppError ? error.code : 'OIDC_FAILED';
    res.redirect(HttpStatus.FOUND, `${LANDING}?error=${encodeURIComponent(code)}`);
  }

  private attemptCookie(): CookieOptions {
    return { httpOnly: true, sameSite: 'lax', secure: this.isHttps(), path: ATTEMPT_COOKIE_PATH };
  }

  private isHttps(): boolean {
    return this.config.publicUrl.startsWith('https:');
  }
}
