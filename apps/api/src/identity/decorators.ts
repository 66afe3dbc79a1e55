import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Role } from '@zhengwu/contracts';
import type { Principal } from './principal';

export const IS_PUBLIC = 'zw:isPublic';
export const REQUIRED_ROLES = 'zw:roles';
export const ALLOWED_BEFORE_PASSWORD_CHANGE = 'zw:allowedBeforePasswordChange';

/** The route needs no login (health, login itself). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Reachable while the account must still change its password (the change itself, the own profile). */
export const AllowedBeforePasswordChange = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOWED_BEFORE_PASSWORD_CHANGE, true);

/** The person must hold at least one of these roles. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('CurrentUser used on a public route');
  return request.principal;
});
