import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { TotpStatus } from '@zhengwu/contracts';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { Api, ApiError } from '../core/api';
import { TotpEnrol } from './totp-enrol';

/** 双因素认证: the person's TOTP status, and enrolment when there is none yet. */
@Component({
  selector: 'zw-two-factor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [NzAlertModule, NzButtonModule, NzCardModule, TotpEnrol],
  template: `
    <div class="page">
      <nz-card nzTitle="双因素认证" class="box">
        @if (error()) {
          <nz-alert nzType="error" [nzMessage]="error()!" nzShowIcon />
        } @else if (status(); as s) {
          @if (s.enrolled) {
            <nz-alert
              nzType="success"
              nzShowIcon
              nzMessage="已启用双因素认证"
              [nzDescription]="
                '登录时除密码外还需输入动态口令。剩余恢复码 ' +
                s.recoveryCodesLeft +
                ' 个。更换手机或丢失验证器时，请联系安全管理员重置。'
              "
            />
          } @else if (enrolling()) {
            <zw-totp-enrol (finished)="load()" />
          } @else {
            <p>
              启用后，登录时除密码外还需输入手机验证器上的 6 位动态口令。{{
                s.required ? '您的角色要求启用双因素认证。' : ''
              }}
            </p>
            <button nz-button nzType="primary" type="button" (click)="enrolling.set(true)">
              启用双因素认证
            </button>
          }
        } @else {
          <p>正在加载…</p>
        }
      </nz-card>
    </div>
  `,
  styles: `
    .page {
      padding: 24px;
    }
    .box {
      max-width: 560px;
    }
  `,
})
export class TwoFactor {
  private readonly api = inject(Api);
  protected readonly status = signal<TotpStatus | null>(null);
  protected readonly enrolling = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.load();
  }

  async load(): Promise<void> {
    this.enrolling.set(false);
    try {
      this.status.set(await this.api.get<TotpStatus>('/auth/totp'));
    } catch (error) {
      this.error.set(error instanceof ApiError ? error.message : '加载失败，请稍后重试');
    }
  }
}
