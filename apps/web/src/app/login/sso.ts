import { Component, OnInit, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { Auth } from '../core/auth';
import { readSsoLanding } from './sso.logic';

/**
 * Where the api sends the browser back after a single sign-on: the refresh cookie is set, so the
 * session is fetched like after a reload; or the account needs its second factor next; or the
 * sign-on was refused and the page says why.
 */
@Component({
  selector: 'zw-sso-landing',
  imports: [NzCardModule, NzAlertModule, NzButtonModule, NzSpinModule, RouterLink],
  template: `
    <div class="login">
      <nz-card class="box">
        <h1>政务办公平台</h1>
        @if (error(); as message) {
          <nz-alert nzType="error" [nzMessage]="message" nzShowIcon class="error" />
          <a nz-button nzType="primary" nzBlock routerLink="/login" id="sso-back">返回登录</a>
        } @else {
          <p class="sub"><nz-spin nzSimple /> 正在完成统一身份认证登录…</p>
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
      margin: 0 0 16px;
      text-align: center;
    }
    .sub {
      text-align: center;
      color: #595959;
    }
    .error {
      margin-bottom: 16px;
    }
  `,
})
export class SsoLanding implements OnInit {
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  protected readonly error = signal<string | null>(null);

  async ngOnInit(): Promise<void> {
    const landing = readSsoLanding(location.search, location.hash);
    // The challenge must not stay in the address bar or the history.
    history.replaceState(null, '', '/login/sso');
    if (landing.kind === 'error') {
      this.error.set(landing.message);
      return;
    }
    if (landing.kind === 'second-factor') {
      // The login page's second-factor step (动态口令, or enrolment) takes it from here, as after a password.
      this.auth.pendingChallenge.set(landing.challenge);
      await this.router.navigateByUrl('/login');
      return;
    }
    if (!(await this.auth.refresh())) {
      this.error.set('登录已失效，请重新登录');
      return;
    }
    await this.router.navigateByUrl(this.auth.user()?.mustChangePassword ? '/password' : '/inbox');
  }
}
