import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { LoginResponse, SessionUser } from '@zhengwu/contracts';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AppError } from '../platform/errors';
import { ChangePasswordDto, LoginDto } from './auth.dto';
import { AuthService, IssuedSession } from './auth.service';
import { CurrentUser, Public } from './decorators';
import { LoginRateLimiter } from './login-rate-limit';
import type { Principal } from './principal';

export const REFRESH_COOKIE = 'zw_refresh';
const COOKIE_PATH = '/api/auth';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
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
      const issued = await this.auth.login(dto.username, dto.password, { ip: req.ip, userAgent: req.headers['user-agent'] });
      return this.respond(issued, res);
    } catch (error) {
      failed = error instanceof AppError && (error.code === 'INVALID_CREDENTIALS' || error.code === 'ACCOUNT_LOCKED');
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
  @Post('password')
  @HttpCode(204)
  async changePassword(@CurrentUser() me: Principal, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(me, dto.currentPassword, dto.newPassword);
  }

  @ApiBearerAuth()
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
