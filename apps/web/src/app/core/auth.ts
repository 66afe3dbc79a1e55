import { HttpClient, HttpInterceptorFn, HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { CanActivateFn, RedirectCommand, Router } from '@angular/router';
import type {
  LoginOutcome,
  LoginResponse,
  Role,
  SecondFactorChallenge,
  SessionUser,
  TotpConfirmation,
  TotpEnrolment,
} from '@zhengwu/contracts';
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
  /**
   * The first step passed but a second factor is needed (动态口令, or enrolment first). Set by the
   * password login, or by single sign-on's landing page; the login page shows the second step for it.
   */
  readonly pendingChallenge = signal<SecondFactorChallenge | null>(null);

  accessToken(): string | null {
    return this.token;
  }

  hasRole(...roles: Role[]): boolean {
    return roles.some((r) => this.roles().includes(r));
  }

  /** The person, or null when a second factor must follow (then `pendingChallenge` is set). */
  async login(username: string, password: string): Promise<SessionUser | null> {
    try {
      const res = await firstValueFrom(
        this.http.post<LoginOutcome>('/api/auth/login', { username, password }),
      );
      return this.acceptOutcome(res);
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Takes a first-step answer: a session, or a challenge for the second step. */
  acceptOutcome(res: LoginOutcome): SessionUser | null {
    if ('challenge' in res) {
      this.pendingChallenge.set(res);
      return null;
    }
    this.pendingChallenge.set(null);
    this.accept(res);
    return res.user;
  }

  /** The second step: a 6-digit 动态口令 or one 恢复码, with the pending challenge. */
  async secondFactor(answer: { code: string } | { recoveryCode: string }): Promise<SessionUser> {
    const challenge = this.pendingChallenge()?.challenge;
    try {
      const res = await firstValueFrom(
        this.http.post<LoginResponse>('/api/auth/login/second-factor', { challenge, ...answer }),
      );
      this.pendingChallenge.set(null);
      this.accept(res);
      return res.user;
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Starts TOTP enrolment: with the pending challenge during a login, else for the signed-in person. */
  async beginTotp(): Promise<TotpEnrolment> {
    try {
      return await firstValueFrom(
        this.http.post<TotpEnrolment>('/api/auth/totp/enrol', this.challengeBody()),
      );
    } catch (error) {
      throw toApiError(error);
    }
  }

  /** Confirms enrolment with a first code; during a login this also signs in. */
  async confirmTotp(code: string): Promise<TotpConfirmation> {
    try {
      const res = await firstValueFrom(
        this.http.post<TotpConfirmation>('/api/auth/totp/confirm', {
          ...this.challengeBody(),
          code,
        }),
      );
      // Signed in now; the challenge stays until the page moves on, so the recovery codes can be shown first.
      if (res.session) this.accept(res.session);
      return res;
    } catch (error) {
      throw toApiError(error);
    }
  }

  private challengeBody(): { challenge?: string } {
    const pending = this.pendingChallenge();
    return pending?.secondFactor === 'totp-enrol' ? { challenge: pending.challenge } : {};
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

const SESSION_ENDPOINTS = [
  '/api/auth/login',
  '/api/auth/login/second-factor',
  '/api/auth/refresh',
  '/api/auth/logout',
];

/** Adds the access token; on 401 refreshes once and repeats the request, else back to the login page. */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(Auth);
  const router = inject(Router);
  // The session endpoints work from the refresh cookie (or a login challenge); a 401 there must not trigger another refresh.
  if (SESSION_ENDPOINTS.includes(req.url) || hasChallenge(req.body)) return next(req);
  const withToken = () => {
    const token = auth.accessToken();
    return next(token ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : req);
  };
  return withToken().pipe(
    catchError((error: unknown) => {
      // The api refuses everything but the password change until it is done: go there.
      if (error instanceof HttpErrorResponse && isPasswordChangeRequired(error)) {
        const user = auth.user();
        if (user) auth.user.set({ ...user, mustChangePassword: true });
        void router.navigate(['/password']);
        return throwError(() => error);
      }
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

function hasChallenge(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'challenge' in body;
}

function isPasswordChangeRequired(error: HttpErrorResponse): boolean {
  const body: unknown = error.error;
  return (
    error.status === 403 &&
    typeof body === 'object' &&
    body !== null &&
    (body as { code?: unknown }).code === 'PASSWORD_CHANGE_REQUIRED'
  );
}

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

/** A page only for some roles; anyone else sees 无权访问 at the address they asked for. */
export function withRoles(...roles: Role[]): CanActivateFn {
  return () => {
    const auth = inject(Auth);
    if (auth.hasRole(...roles)) return true;
    return new RedirectCommand(inject(Router).parseUrl('/forbidden'), { skipLocationChange: true });
  };
}
