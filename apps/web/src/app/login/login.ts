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
  ],
  template: `
    <div class="login">
      <nz-card class="box">
        <h1>政务办公平台</h1>
        <p class="sub">国土资源部 · 信息化统筹</p>
        @if (error()) {
          <nz-alert nzType="error" [nzMessage]="error()!" nzShowIcon class="error" />
        }
        <form
          nz-form
          nzLayout="vertical"
          (ngSubmit)="submit()"
          [style.display]="localLogin() ? null : 'none'"
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
        @if (sso(); as sso) {
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
      color: #888;
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
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected username = '';
  protected password = '';
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
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
    this.busy.set(true);
    this.error.set(null);
    try {
      const user = await this.auth.login(this.username.trim(), this.password);
      const target = user.mustChangePassword
        ? '/password'
        : (this.route.snapshot.queryParamMap.get('returnUrl') ?? '/inbox');
      await this.router.navigateByUrl(target);
    } catch (error) {
      // The api says why: wrong password (with attempts left), locked until when, disabled account.
      this.error.set(error instanceof ApiError ? error.message : '登录失败，请稍后重试');
    } finally {
      this.busy.set(false);
    }
  }
}
