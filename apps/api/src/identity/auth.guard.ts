import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ROLE_LABELS, type Role } from '@zhengwu/contracts';
import { AppError, ForbiddenError } from '../platform/errors';
import { requestContext } from '../platform/request-context';
import { AuthService } from './auth.service';
import { ALLOWED_BEFORE_PASSWORD_CHANGE, IS_PUBLIC, REQUIRED_ROLES } from './decorators';
import type { Principal } from './principal';

/**
 * Global guard: every route needs a valid access token and an open session unless it is @Public();
 * @Roles() narrows it further. Routes are closed by default so a new one cannot forget.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new AppError('UNAUTHENTICATED', '请先登录', HttpStatus.UNAUTHORIZED);
    const principal = await this.auth.authenticate(match[1]);
    request.principal = principal;
    const ctx = requestContext.current();
    if (ctx) Object.assign(ctx, { userId: principal.userId, username: principal.username, unitId: principal.unitId });
    // Enforced here, not only in the browser: a first-login account (the bootstrap admin included) can do nothing else.
    if (principal.mustChangePassword && !this.reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_PASSWORD_CHANGE, targets)) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED', '首次登录或密码已重置，请先修改密码', HttpStatus.FORBIDDEN);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenError(`此操作需要以下角色之一：${roles.map((role) => ROLE_LABELS[role]).join('、')}`);
    }
    return true;
  }
}
