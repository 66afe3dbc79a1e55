import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { LoginOutcome, LoginResponse, SessionUser, TotpConfirmation, TotpEnrolment, TotpStatus } from '@zhengwu/contracts';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError } from '../platform/errors';
import { BeginTotpDto, ChangePasswordDto, ConfirmTotpDto, LoginDto, SecondFactorDto } from './auth.dto';
import { AuthService, IssuedSession } from './auth.service';
import { AllowedBeforePasswordChange, CurrentUser, Public } from './decorators';
import { LoginRateLimiter } from './login-rate-limit';
import type { Principal } from './principal';
import { TotpService } from './totp.service';

export const REFRESH_COOKIE = 'zw_refresh';
/** Where the refresh cookie is sent (the single sign-on callback sets it too). */
export const COOKIE_PATH = '/api/auth';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
    private readonly totp: TotpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `{accessToken, user}` as always; or, when a second factor is needed, `{secondFactor, challenge}` instead. */
  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginOutcome> {
    if (!this.config.localLogin) {
      throw new AppError('LOCAL_LOGIN_DISABLED', '本平台已关闭用户名密码登录，请使用统一身份认证登录', HttpStatus.FORBIDDEN);
    }
    return this.limited(req, res, async () => {
      const outcome = await this.auth.login(dto.username, dto.password, this.client(req));
      return 'challenge' in outcome ? outcome : this.respond(outcome, res);
    });
  }

  /** The second step: the first step's challenge with a 6-digit code or a recovery code. */
  @Public()
  @Post('login/second-factor')
  @HttpCode(200)
  async secondFactor(@Body() dto: SecondFactorDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
    return this.limited(req, res, async () => {
      const issued = await this.auth.verifySecondFactor(
        dto.challenge,
        { code: dto.code, recoveryCode: dto.recoveryCode },
        this.client(req),
      );
      return this.respond(issued, res);
    });
  }

  @ApiBearerAuth()
  @Get('totp')
  totpStatus(@CurrentUser() me: Principal): Promise<TotpStatus> {
    return this.totp.status(me.userId, me.roles);
  }

  /**
   * Starts enrolment: a new secret as QR code and manual key. Signed in (Bearer), or with the login
   * challenge of an account that must enrol before it gets a session.
   */
  @Public()
  @ApiBearerAuth()
  @Post('totp/enrol')
  @HttpCode(200)
  async beginTotp(@Body() dto: BeginTotpDto, @Req() req: Request): Promise<TotpEnrolment> {
    if (dto.challenge) return this.auth.beginEnrolmentWithChallenge(dto.challenge);
    return this.auth.beginEnrolment(await this.signedIn(req));
  }

  /** Confirms with the first code; answers the recovery codes (shown once) and, with a challenge, the session. */
  @Public()
  @ApiBearerAuth()
  @Post('totp/confirm')
  @HttpCode(200)
  async confirmTotp(
    @Body() dto: ConfirmTotpDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TotpConfirmation> {
    if (!dto.challenge) return this.auth.confirmEnrolment(await this.signedIn(req), dto.code);
    const challenge = dto.challenge;
    return this.limited(req, res, async () => {
      const { recoveryCodes, issued } = await this.auth.confirmEnrolmentWithChallenge(challenge, dto.code, this.client(req));
      return { recoveryCodes, session: this.respond(issued, res) };
    });
  }

  private client(req: Request): { ip?: string; userAgent?: string } {
    return { ip: req.ip, userAgent: req.headers['user-agent'] };
  }

  /** The Bearer session of a public route that also serves signed-in people (the guard let it through unchecked). */
  private async signedIn(req: Request): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new AppError('UNAUTHENTICATED', '请先登录', HttpStatus.UNAUTHORIZED);
    const principal = await this.auth.authenticate(match[1]);
    if (principal.mustChangePassword)
      throw new AppError('PASSWORD_CHANGE_REQUIRED', '首次登录或密码已重置，请先修改密码', HttpStatus.FORBIDDEN);
    return principal;
  }

  /**
   * The per-address limit around every step that checks a secret (password, code): counted before the
   * check, so attempts arriving together see each other; given back when the step did not fail.
   */
  private async limited<T>(req: Request, res: Response, attempt: () => Promise<T>): Promise<T> {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = this.limiter.retryAfterSeconds(address);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new AppError(
        'TOO_MANY_LOGIN_ATTEMPTS',
        `登录失败次数过多，请 ${Math.ceil(wait / 60)} 分钟后再试`,
        HttpStatus.TOO_MANY_REQUESTS,
        { retryAfterSeconds: wait },
      );
    }
    // Counted before the password is checked, so attempts arriving together see each other; given back on success.
    const reachedLimit = this.limiter.recordFailure(address);
    let failed = false;
    try {
      return await attempt();
    } catch (error) {
      failed = error instanceof AppError && ['INVALID_CREDENTIALS', 'INVALID_SECOND_FACTOR', 'ACCOUNT_LOCKED'].includes(error.code);
      if (failed && reachedLimit) {
        await this.audit.record({
          action: 'auth.login-rate-limited',
          outcome: 'denied',
          detail: { ip: address, failures: this.limiter.max, windowMinutes: this.limiter.windowMs / 60000 },
        });
      }
      throw error;
    } finally {
      if (!failed) this.limiter.forgive(address);
    }
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
    const cookies = req.cookies as Record<string, string> | undefined;
    const issued = await this.auth.refresh(cookies?.[REFRESH_COOKIE]);
    return this.respond(issued, res);
  }

  /** Public so an expired access token can still end the session held by the cookie. */
  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const cookies = req.cookies as Record<string, string> | undefined;
    const token = cookies?.[REFRESH_COOKIE];
    const sessionId = token?.split('.')[0];
    await this.auth.logout(sessionId && /^[0-9a-f-]{36}$/.test(sessionId) ? sessionId : undefined);
    res.clearCookie(REFRESH_COOKIE, this.cookieOptions());
  }

  @ApiBearerAuth()
  @AllowedBeforePasswordChange()
  @Post('password')
  @HttpCode(204)
  async changePassword(@CurrentUser() me: Principal, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(me, dto.currentPassword, dto.newPassword);
  }

  @ApiBearerAuth()
  @AllowedBeforePasswordChange()
  @Get('me')
  me(@CurrentUser() me: Principal): Omit<SessionUser, 'unitName' | 'mustChangePassword'> {
    return { id: me.userId, username: me.username, displayName: me.displayName, unitId: me.unitId, roles: me.roles };
  }

  private respond(issued: IssuedSession, res: Response): LoginResponse {
    res.cookie(REFRESH_COOKIE, issued.refreshToken, { ...this.cookieOptions(), expires: issued.refreshExpiresAt });
    return { accessToken: issued.accessToken, expiresIn: issued.expiresIn, user: issued.user };
  }

  private cookieOptions(): { httpOnly: true; sameSite: 'strict'; secure: boolean; path: string } {
    return { httpOnly: true, sameSite: 'strict', secure: this.config.publicUrl.startsWith('https:'), path: COOKIE_PATH };
  }
}
