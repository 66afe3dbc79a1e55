import { ChangeDetectionStrategy, Component, OnInit, inject, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { TotpEnrolment } from '@zhengwu/contracts';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { ApiError } from '../core/api';
import { Auth } from '../core/auth';

/**
 * TOTP enrolment: QR code and manual key, a first code to confirm, then the recovery codes shown this
 * once. Used by the login page (with the pending challenge) and by the 双因素认证 page (signed in).
 */
@Component({
  selector: 'zw-totp-enrol',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, NzAlertModule, NzButtonModule, NzFormModule, NzInputModule],
  template: `
    @if (error()) {
      <nz-alert nzType="error" [nzMessage]="error()!" nzShowIcon class="gap" />
    }
    @if (recoveryCodes(); as codes) {
      <nz-alert
        nzType="warning"
        nzShowIcon
        nzMessage="请立即保存恢复码"
        nzDescription="每个恢复码只能使用一次，手机丢失时可代替动态口令登录。恢复码只显示这一次。"
        class="gap"
      />
      <ol class="codes" data-recovery-codes>
        @for (code of codes; track code) {
          <li>
            <code>{{ code }}</code>
          </li>
        }
      </ol>
      <button nz-button nzType="primary" nzBlock type="button" (click)="finished.emit()">
        我已保存恢复码
      </button>
    } @else if (enrolment(); as e) {
      <p>
        1. 在手机上用验证器应用（如 FreeOTP、Google
        Authenticator、微信小程序“腾讯身份验证器”）扫描二维码：
      </p>
      <img class="qr" [src]="e.qrCode" alt="双因素认证二维码" />
      <p>
        无法扫码时手动输入密钥：<code class="key" data-totp-secret>{{ e.secret }}</code>
      </p>
      <p>2. 输入验证器显示的 6 位动态口令完成绑定：</p>
      <form nz-form nzLayout="vertical" (ngSubmit)="confirm()">
        <nz-form-item>
          <nz-form-label nzFor="enrol-code">动态口令</nz-form-label>
          <nz-form-control>
            <input
              nz-input
              id="enrol-code"
              name="code"
              inputmode="numeric"
              autocomplete="one-time-code"
              maxlength="6"
              [(ngModel)]="code"
            />
          </nz-form-control>
        </nz-form-item>
        <button
          nz-button
          nzType="primary"
          nzBlock
          type="submit"
          [nzLoading]="busy()"
          [disabled]="!codeOk()"
        >
          确认绑定
        </button>
      </form>
    } @else {
      <p>正在生成密钥…</p>
    }
  `,
  styles: `
    .gap {
      margin-bottom: 16px;
    }
    .qr {
      display: block;
      margin: 8px auto 12px;
      width: 200px;
      height: 200px;
    }
    .key {
      word-break: break-all;
      user-select: all;
    }
    .codes {
      columns: 2;
      margin-bottom: 16px;
      font-size: 15px;
    }
  `,
})
export class TotpEnrol implements OnInit {
  private readonly auth = inject(Auth);
  /** Enrolment is done and the recovery codes were acknowledged. */
  readonly finished = output<void>();
  protected readonly enrolment = signal<TotpEnrolment | null>(null);
  protected readonly recoveryCodes = signal<string[] | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected code = '';

  ngOnInit(): void {
    this.auth
      .beginTotp()
      .then((e) => this.enrolment.set(e))
      .catch((error: unknown) =>
        this.error.set(messageOf(error, '无法开始绑定，请重新登录后再试')),
      );
  }

  protected codeOk(): boolean {
    return /^\d{6}$/.test(this.code.trim());
  }

  async confirm(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      const res = await this.auth.confirmTotp(this.code.trim());
      this.recoveryCodes.set(res.recoveryCodes);
    } catch (error) {
      this.error.set(messageOf(error, '绑定失败，请稍后重试'));
    } finally {
      this.busy.set(false);
    }
  }
}

function messageOf(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.message : fallback;
}
