import { HttpClient, HttpInterceptorFn, HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import type { LoginResponse, Role, SessionUser } from '@zhengwu/contracts';
import { catchError, firstValueFrom, from, switchMap, throwError } from 'rxjs';
import { toApiError } from './api';

/**
 * The signed-in person. The access token lives in memory only; the refresh token is an httpOnly
 * cookie the browser sends to /api/auth/refresh, so a reload keeps the session without exposing it.
 */
@Injectable({ providedIn: 'root' })
export class Auth {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private token: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  readonly user = signal<SessionUser | null>(null);
  readonly roles = computed(() => this.user()?.roles ?? []);

  accessToken(): string | null {
    return this.token;
  }

  hasRole(...roles: Role[]): boolean {
    return roles.some((r) => this.roles().includes(r));
  }

  async login(username: string, password: string): Promise<SessionUser> {
    try {
      const res = await firstValueFrom(
        this.http.post<LoginResponse>('/api/auth/login', { username, password }),
      );
      this.accept(res);
      return res.user;
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** One refresh at a time, shared by everyone who needs it. */
  refresh(): Promise<boolean> {
    this.refreshing ??= firstValueFrom(this.http.post<LoginResponse>('/api/auth/refresh', {}))
      .then((res) => {
        this.accept(res);
        return true;
      })
      .catch(() => {
        this.token = null;
        this.user.set(null);
        return false;
      })
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async logout(): Promise<void> {
    await firstValueFrom(this.http.post('/api/auth/logout', {})).catch(() => undefined);
    this.token = null;
    this.user.set(null);
    await this.router.navigate(['/login']);
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    try {
      await firstValueFrom(this.http.post('/api/auth/password', { currentPassword, newPassword }));
      const user = this.user();
      if (user) this.user.set({ ...user, mustChangePassword: false });
    } catch (error) {
      throw toApiError(error);
    }
  }

  private accept(res: LoginResponse): void {
    this.token = res.accessToken;
    this.user.set(res.user);
  }
}

const SESSION_ENDPOINTS = ['/api/auth/login', '/api/auth/refresh', '/api/auth/logout'];

/** Adds the access token; on 401 refreshes once and repeats the request, else back to the login page. */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(Auth);
  const router = inject(Router);
  // The session endpoints work from the refresh cookie; a 401 there must not trigger another refresh.
  if (SESSION_ENDPOINTS.includes(req.url)) return next(req);
  const withToken = () => {
    const token = auth.accessToken();
    return next(token ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : req);
  };
  return withToken().pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || error.status !== 401)
        return throwError(() => error);
      return from(auth.refresh()).pipe(
        switchMap((ok) => {
          if (ok) return withToken();
          void router.navigate(['/login'], { queryParams: { returnUrl: router.url } });
          return throwError(() => error);
        }),
      );
    }),
  );
};

/** Pages need a session: restored from the refresh cookie after a reload, else the login page. */
export const signedIn: CanActivateFn = async (_route, state) => {
  const auth = inject(Auth);
  const router = inject(Router);
  if (auth.user() || (await auth.refresh())) {
    if (auth.user()?.mustChangePassword && !state.url.startsWith('/password'))
      return router.createUrlTree(['/password']);
    return true;
  }
  return router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
};

/** A page only for some roles. */
export function withRoles(...roles: Role[]): CanActivateFn {
  return () => {
    const auth = inject(Auth);
    return auth.hasRole(...roles) || inject(Router).createUrlTree(['/']);
  };
}
