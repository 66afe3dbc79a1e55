import type { Role } from '@zhengwu/contracts';

/** The authenticated person of a request, as the guards established it. */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  unitId: string;
  /** Materialised path of the person's unit: the root of what they may see. */
  unitPath: string;
  roles: Role[];
  sessionId: string;
  /** The account must change its password first: the guard lets only a few routes through. */
  mustChangePassword?: boolean;
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}
