import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { LoginResponse, SessionUser } from '@zhengwu/contracts';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { ChangePasswordDto, LoginDto } from './auth.dto';
import { AuthService, IssuedSession } from './auth.service';
import { CurrentUser, Public } from './decorators';
import type { Principal } from './principal';

export const REFRESH_COOKIE = 'zw_refresh';
const COOKIE_PATH = '/api/auth';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
    const issued = await this.auth.login(dto.username, dto.password, { ip: req.ip, userAgent: req.headers['user-agent'] });
    return this.respond(issued, res);
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
