import { Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import type { AuthProviders } from '@zhengwu/contracts';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { TotpEnrol } from './totp-enrol';

@Component({
  selector: 'zw-login',
  imports: [
    FormsModule,
    NzCardModule,
    NzFormModule,
    NzInputModule,
    NzButtonModule,
    NzAlertModule,
    NzIconModule,
    TotpEnrol,
  ],
  template: `
    <div class="login">
      <nz-card class="box">
        <h1>政务办公平台</h1>
        <p class="sub">国土资源部 · 信息化统筹</p>
        @if (error()) {
          <nz-alert nzType="error" [nzMessage]="error()!" nzShowIcon class="error" />
        }
        @if (auth.pendingChallenge()?.secondFactor === 'totp-enrol') {
          <nz-alert
            nzType="info"
            nzShowIcon
            nzMessage="您的账户须启用双因素认证，绑定后即可登录"
            class="error"
          />
          <zw-totp-enrol (finished)="enter()" />
          <button nz-button nzType="link" nzBlock type="button" (click)="restart()">返回</button>
        } @else if (auth.pendingChallenge()) {
          <form nz-form nzLayout="vertical" (ngSubmit)="verify()">
            @if (useRecovery()) {
              <nz-form-item>
                <nz-form-label nzFor="recovery">恢复码</nz-form-label>
                <nz-form-control>
                  <input
                    nz-input
                    id="recovery"
                    name="recovery"
                    autocomplete="off"
                    [(ngModel)]="recoveryCode"
                  />
                </nz-form-control>
              </nz-form-item>
            } @else {
              <nz-form-item>
                <nz-form-label nzFor="code">动态口令</nz-form-label>
                <nz-form-control nzExtra="请输入手机验证器上的 6 位数字">
                  <input
                    nz-input
                    id="code"
                    name="code"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="6"
                    [(ngModel)]="code"
                    autofocus
                  />
                </nz-form-control>
              </nz-form-item>
            }
            <button nz-button nzType="primary" nzBlock type="submit" [nzLoading]="busy()">
              验证
            </button>
            <button nz-button nzType="link" nzBlock type="button" (click)="toggleRecovery()">
              {{ useRecovery() ? '使用动态口令' : '手机不在身边？使用恢复码' }}
            </button>
            <button nz-button nzType="link" nzBlock type="button" (click)="restart()">返回</button>
          </form>
        }
        <form
          nz-form
          nzLayout="vertical"
          (ngSubmit)="submit()"
          [style.display]="localLogin() && !auth.pendingChallenge() ? null : 'none'"
        >
          <nz-form-item>
            <nz-form-label nzFor="username">用户名</nz-form-label>
            <nz-form-control>
              <input
                nz-input
                id="username"
                name="username"
                [(ngModel)]="username"
                autocomplete="username"
                required
                autofocus
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="password">密码</nz-form-label>
            <nz-form-control>
              <input
                nz-input
                id="password"
                name="password"
                type="password"
                [(ngModel)]="password"
                autocomplete="current-password"
                required
              />
            </nz-form-control>
          </nz-form-item>
          <button
            nz-button
            nzType="primary"
            nzBlock
            type="submit"
            [nzLoading]="busy()"
            [disabled]="!username || !password"
          >
            登录
          </button>
        </form>
        @if (!auth.pendingChallenge() && sso(); as sso) {
          <button
            nz-button
            nzBlock
            nzSize="large"
            type="button"
            id="sso-login"
            class="sso"
            (click)="signInWithSso(sso.loginUrl)"
          >
            {{ sso.name }}登录
          </button>
        }
      </nz-card>
    </div>
  `,
  styles: `
    .login {
      min-height: 100vh;
      display: flex;
      align-items: center;
      justify-content: center;
      background: linear-gradient(135deg, #0b3d91, #1e6fd9);
    }
    .box {
      width: 360px;
    }
    h1 {
      margin: 0;
      text-align: center;
    }
    .sub {
      text-align: center;
      color: #595959;
    }
    .error {
      margin-bottom: 16px;
    }
    .sso {
      margin-top: 12px;
    }
  `,
})
export class Login {
  protected readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected username = '';
  protected password = '';
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected code = '';
  protected recoveryCode = '';
  protected readonly useRecovery = signal(false);
  /** Whether single sign-on is on (its button) and whether password login is (its form); both until the api says. */
  private readonly providers = signal<AuthProviders | null>(null);
  protected readonly sso = computed(() => this.providers()?.sso ?? null);
  protected readonly localLogin = computed(() => this.providers()?.localLogin !== false);

  constructor() {
    inject(Api)
      .get<AuthProviders>('/auth/providers')
      .then((providers) => this.providers.set(providers))
      .catch(() => undefined);
  }

  /** A full navigation: the api redirects on to the provider's login page. */
  signInWithSso(loginUrl: string): void {
    location.assign(loginUrl);
  }

  async submit(): Promise<void> {
    await this.attempt(async () => {
      const user = await this.auth.login(this.username.trim(), this.password);
      // null: a second factor follows (动态口令 or enrolment), shown in place of the password form.
      if (user) await this.enter();
    });
  }

  async verify(): Promise<void> {
    await this.attempt(async () => {
      await this.auth.secondFactor(
        this.useRecovery()
          ? { recoveryCode: this.recoveryCode.trim() }
          : { code: this.code.trim() },
      );
      await this.enter();
    });
  }

  /** Signed in: the forced password change first, else where the person was going. */
  async enter(): Promise<void> {
    this.auth.pendingChallenge.set(null);
    const target = this.auth.user()?.mustChangePassword
      ? '/password'
      : (this.route.snapshot.queryParamMap.get('returnUrl') ?? '/inbox');
    await this.router.navigateByUrl(target);
  }

  toggleRecovery(): void {
    this.useRecovery.update((v) => !v);
    this.error.set(null);
  }

  /** Back to the password form (a challenge expires after five minutes anyway). */
  restart(): void {
    this.auth.pendingChallenge.set(null);
    this.code = '';
    this.recoveryCode = '';
    this.password = '';
    this.error.set(null);
  }

  private async attempt(step: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await step();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SECOND_FACTOR_CHALLENGE_INVALID')
        this.restart();
      if (error instanceof ApiError && error.code === 'ACCOUNT_LOCKED')
        this.auth.pendingChallenge.set(null);
      // The api says why: wrong password or code, locked until when, an expired challenge.
      this.error.set(error instanceof ApiError ? error.message : '登录失败，请稍后重试');
    } finally {
      this.busy.set(false);
    }
  }
}
