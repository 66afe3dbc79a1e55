import { DatePipe } from '@angular/common';
import { Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDatePickerModule } from 'ng-zorro-antd/date-picker';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzPopconfirmModule } from 'ng-zorro-antd/popconfirm';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { ministryToday } from './inbox.logic';
import { PersonPicker } from './person-picker';
import {
  day,
  substituteBody,
  substitutionState,
  validateSubstitute,
  type Substitution,
} from './substitutes.logic';

const FIELDS = ['substituteId', 'startsOn', 'endsOn', 'reason'] as const;

/** 代理设置: name who handles my personal tasks while I am away, see whom I stand in for, and revoke. */
@Component({
  selector: 'zw-substitutes-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCardModule,
    NzDatePickerModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzPopconfirmModule,
    NzTableModule,
    NzTagModule,
    PersonPicker,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>代理设置</h2>
        <a nz-button routerLink="/inbox">返回待办</a>
      </div>
      <p class="intro">
        出差、休假期间可指定代理人：在代理期间内，直接分派给您或点名由您办理的待办，会同时出现在代理人的待办中，由代理人以“代您办理”的身份办理；
        按角色分派给本单位的任务仍由同事办理。代理对所有流程有效。
      </p>

      <nz-card nzTitle="新增代理" nzSize="small" data-testid="substitute-form">
        @if (formError()) {
          <nz-alert
            class="form-alert"
            nzType="error"
            nzShowIcon
            [nzMessage]="formError()!"
            data-testid="substitute-error"
          />
        }
        <form nz-form nzLayout="vertical" class="form" (ngSubmit)="save()">
          <nz-form-item class="person">
            <nz-form-label nzFor="substitute-person" nzRequired>代理人</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('substituteId')"
              [nzErrorTip]="err('substituteId')"
            >
              <zw-person-picker
                inputId="substitute-person"
                [exclude]="selfIds()"
                [invalid]="!!errors()['substituteId']"
                placeholder="输入姓名搜索"
                [(value)]="substituteId"
                data-testid="substitute-person"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item class="date">
            <nz-form-label nzFor="substitute-start" nzRequired>开始日期</nz-form-label>
            <nz-form-control [nzValidateStatus]="status('startsOn')" [nzErrorTip]="err('startsOn')">
              <nz-date-picker
                nzId="substitute-start"
                name="startsOn"
                [(ngModel)]="startsOn"
                [nzDisabledDate]="beforeToday"
                nzPlaceHolder="选择日期"
                class="full"
                data-testid="substitute-start"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item class="date">
            <nz-form-label nzFor="substitute-end" nzRequired>结束日期</nz-form-label>
            <nz-form-control [nzValidateStatus]="status('endsOn')" [nzErrorTip]="err('endsOn')">
              <nz-date-picker
                nzId="substitute-end"
                name="endsOn"
                [(ngModel)]="endsOn"
                [nzDisabledDate]="beforeStart"
                nzPlaceHolder="选择日期（含当天）"
                class="full"
                data-testid="substitute-end"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item class="reason">
            <nz-form-label nzFor="substitute-reason">事由</nz-form-label>
            <nz-form-control [nzValidateStatus]="status('reason')" [nzErrorTip]="err('reason')">
              <input
                nz-input
                id="substitute-reason"
                name="reason"
                maxlength="200"
                [(ngModel)]="reason"
                placeholder="如：出差、休假"
                data-testid="substitute-reason"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item class="submit">
            <button
              nz-button
              nzType="primary"
              type="submit"
              [nzLoading]="saving()"
              data-testid="substitute-save"
            >
              <nz-icon nzType="plus" />保存
            </button>
          </nz-form-item>
        </form>
      </nz-card>

      <nz-card nzTitle="我委托的代理" nzSize="small" data-testid="substitutes-given">
        <div class="scroll">
          <nz-table
            #given
            [nzData]="list().given"
            [nzShowPagination]="false"
            nzSize="small"
            [nzLoading]="loading()"
            nzNoResult="尚未设置代理"
          >
            <thead>
              <tr>
                <th>代理人</th>
                <th nzWidth="220px">代理期间</th>
                <th>事由</th>
                <th nzWidth="90px">状态</th>
                <th nzWidth="90px">操作</th>
              </tr>
            </thead>
            <tbody>
              @for (row of given.data; track row.id) {
                <tr data-testid="substitute-row">
                  <td>{{ row.substituteName }}</td>
                  <td>{{ row.startsOn }} 至 {{ row.endsOn }}</td>
                  <td>{{ row.reason || '—' }}</td>
                  <td>
                    <nz-tag [nzColor]="state(row).color">{{ state(row).label }}</nz-tag>
                  </td>
                  <td>
                    @if (row.status === 'active' && state(row).label !== '已结束') {
                      <button
                        nz-button
                        nzType="link"
                        nzDanger
                        nzSize="small"
                        type="button"
                        nz-popconfirm
                        [nzPopconfirmTitle]="'撤销 ' + row.substituteName + ' 的代理？'"
                        nzOkText="撤销"
                        nzCancelText="取消"
                        (nzOnConfirm)="revoke(row)"
                        [nzLoading]="revoking() === row.id"
                        data-testid="substitute-revoke"
                      >
                        撤销
                      </button>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </nz-table>
        </div>
      </nz-card>

      <nz-card nzTitle="我代理的" nzSize="small" data-testid="substitutes-received">
        <div class="scroll">
          <nz-table
            #received
            [nzData]="list().received"
            [nzShowPagination]="false"
            nzSize="small"
            [nzLoading]="loading()"
            nzNoResult="暂无他人委托您代理"
          >
            <thead>
              <tr>
                <th>委托人</th>
                <th nzWidth="220px">代理期间</th>
                <th>事由</th>
                <th nzWidth="90px">状态</th>
              </tr>
            </thead>
            <tbody>
              @for (row of received.data; track row.id) {
                <tr>
                  <td>{{ row.userName }}</td>
                  <td>{{ row.startsOn }} 至 {{ row.endsOn }}</td>
                  <td>{{ row.reason || '—' }}</td>
                  <td>
                    <nz-tag [nzColor]="state(row).color">{{ state(row).label }}</nz-tag>
                  </td>
                </tr>
              }
            </tbody>
          </nz-table>
        </div>
      </nz-card>
      <p class="muted">更新于 {{ loadedAt() | date: 'HH:mm:ss' }}</p>
    </div>
  `,
  styles: `
    .intro {
      color: #555;
      max-width: 1000px;
    }
    nz-card {
      margin-bottom: 16px;
    }
    .form {
      display: flex;
      flex-wrap: wrap;
      gap: 0 16px;
      align-items: flex-start;
    }
    .person {
      width: 260px;
    }
    .date {
      width: 170px;
    }
    .reason {
      width: 220px;
    }
    .submit {
      padding-top: 30px;
    }
    .full {
      width: 100%;
    }
    .form-alert {
      margin-bottom: 12px;
    }
    .scroll {
      overflow-x: auto;
    }
    .muted {
      color: #595959;
      font-size: 12px;
    }
  `,
})
export class SubstitutesPage {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly message = inject(NzMessageService);
  protected readonly list = signal<{ given: Substitution[]; received: Substitution[] }>({
    given: [],
    received: [],
  });
  protected readonly loading = signal(false);
  protected readonly saving = signal(false);
  protected readonly revoking = signal<string | null>(null);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly formError = signal<string | null>(null);
  protected readonly loadedAt = signal<Date | null>(null);
  protected readonly selfIds = computed(() => [this.auth.user()?.id ?? ''].filter(Boolean));

  protected substituteId: string | string[] | null = null;
  protected startsOn: Date | null = new Date();
  protected endsOn: Date | null = null;
  protected reason = '';

  // "Today" is Beijing time's, as the api judges it.
  protected readonly beforeToday = (date: Date): boolean => day(date) < ministryToday();
  protected readonly beforeStart = (date: Date): boolean =>
    day(date) < ministryToday() || (!!this.startsOn && day(date) < day(this.startsOn));

  constructor() {
    void this.load();
  }

  protected err(field: string): string {
    return this.errors()[field] ?? '';
  }

  protected status(field: string): 'error' | '' {
    return this.errors()[field] ? 'error' : '';
  }

  protected state(row: Substitution): { label: string; color: string } {
    return substitutionState(row, ministryToday());
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      this.list.set(
        await this.api.get<{ given: Substitution[]; received: Substitution[] }>('/substitutes'),
      );
      this.loadedAt.set(new Date());
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '代理设置加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  async save(): Promise<void> {
    if (this.saving()) return;
    this.formError.set(null);
    const form = {
      substituteId: typeof this.substituteId === 'string' ? this.substituteId : null,
      startsOn: this.startsOn,
      endsOn: this.endsOn,
      reason: this.reason,
    };
    const errors = validateSubstitute(form, ministryToday(), this.auth.user()?.id);
    this.errors.set(errors);
    if (Object.keys(errors).length > 0) return;
    this.saving.set(true);
    try {
      await this.api.post('/substitutes', substituteBody(form));
      this.message.success('已设置代理，代理人会收到通知');
      this.substituteId = null;
      this.endsOn = null;
      this.reason = '';
      await this.load();
    } catch (error) {
      if (!(error instanceof ApiError)) {
        this.formError.set('保存失败，请稍后重试');
        return;
      }
      const fieldErrors: Record<string, string> = {};
      for (const field of FIELDS) {
        const text = error.fieldMessage(field);
        if (text) fieldErrors[field] = text;
      }
      this.errors.set(fieldErrors);
      // An overlap (409) or anything not about one field goes on top of the form.
      if (Object.keys(fieldErrors).length === 0) this.formError.set(error.message);
    } finally {
      this.saving.set(false);
    }
  }

  async revoke(row: Substitution): Promise<void> {
    this.revoking.set(row.id);
    try {
      await this.api.delete(`/substitutes/${row.id}`);
      this.message.success(`已撤销 ${row.substituteName} 的代理`);
      this.formError.set(null);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '撤销失败，请稍后重试');
    } finally {
      this.revoking.set(null);
      await this.load();
    }
  }
}
