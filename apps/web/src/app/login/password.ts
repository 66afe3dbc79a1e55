import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { passwordProblem } from './password-rules';

@Component({
  selector: 'zw-password',
  imports: [FormsModule, NzCardModule, NzFormModule, NzInputModule, NzButtonModule, NzAlertModule],
  template: `
    <div class="page">
      <nz-card nzTitle="修改密码" class="box">
        @if (auth.user()?.mustChangePassword) {
          <nz-alert
            nzType="warning"
            nzMessage="首次登录或密码已重置，请先设置新密码再使用平台"
            nzShowIcon
            class="gap"
          />
        }
        <form nz-form nzLayout="vertical" (ngSubmit)="submit()">
          <nz-form-item>
            <nz-form-label nzRequired nzFor="current">当前密码</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors()['currentPassword']"
              [nzValidateStatus]="errors()['currentPassword'] ? 'error' : ''"
            >
              <input
                nz-input
                id="current"
                name="current"
                type="password"
                [(ngModel)]="current"
                autocomplete="current-password"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzRequired nzFor="next">新密码</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors()['newPassword']"
              [nzValidateStatus]="errors()['newPassword'] ? 'error' : ''"
            >
              <input
                nz-input
                id="next"
                name="next"
                type="password"
                [(ngModel)]="next"
                autocomplete="new-password"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzRequired nzFor="again">再次输入新密码</nz-form-label>
            <nz-form-control
              [nzErrorTip]="errors()['again']"
              [nzValidateStatus]="errors()['again'] ? 'error' : ''"
            >
              <input
                nz-input
                id="again"
                name="again"
                type="password"
                [(ngModel)]="again"
                autocomplete="new-password"
              />
            </nz-form-control>
          </nz-form-item>
          <button nz-button nzType="primary" type="submit" [nzLoading]="busy()">保存</button>
        </form>
      </nz-card>
    </div>
  `,
  styles: `
    .box {
      max-width: 480px;
    }
    .gap {
      margin-bottom: 16px;
    }
  `,
})
export class Password {
  protected readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  protected current = '';
  protected next = '';
  protected again = '';
  protected readonly busy = signal(false);
  protected readonly errors = signal<Record<string, string>>({});

  async submit(): Promise<void> {
    const problem = passwordProblem(this.next, this.again, this.auth.user()?.username);
    const errors: Record<string, string> = {};
    if (!this.current) errors['currentPassword'] = '请输入当前密码';
    if (problem) errors[problem.field] = problem.message;
    this.errors.set(errors);
    if (Object.keys(errors).length > 0) return;
    this.busy.set(true);
    try {
      await this.auth.changePassword(this.current, this.next);
      this.message.success('密码已修改');
      await this.router.navigateByUrl('/inbox');
    } catch (error) {
      if (error instanceof ApiError && error.details?.length) {
        this.errors.set(Object.fromEntries(error.details.map((d) => [d.field, d.message])));
      } else {
        this.message.error(error instanceof ApiError ? error.message : '修改失败，请稍后重试');
      }
    } finally {
      this.busy.set(false);
    }
  }
}
