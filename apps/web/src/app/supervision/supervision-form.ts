import { Component, inject, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzRadioModule } from 'ng-zorro-antd/radio';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { Api, ApiError } from '../core/api';
import type { SupervisionCapabilities } from './supervision.model';

const FIELDS = ['deadline', 'workingDays', 'opinion', 'unitId', 'targetId'] as const;
type Field = (typeof FIELDS)[number];

/** The 督办 form: deadline (a date or N working days), 督办意见 and the responsible unit. */
@Component({
  selector: 'zw-supervision-form',
  imports: [
    FormsModule,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzInputNumberModule,
    NzRadioModule,
    NzSelectModule,
  ],
  template: `
    <form nz-form nzLayout="vertical" (ngSubmit)="submit()" data-testid="supervision-form">
      <nz-form-item>
        <nz-form-label nzRequired>办结期限</nz-form-label>
        <nz-form-control
          [nzValidateStatus]="errors().deadline || errors().workingDays ? 'error' : ''"
          [nzErrorTip]="errors().deadline || errors().workingDays || ''"
        >
          <nz-radio-group name="mode" [(ngModel)]="mode" aria-label="期限方式">
            <label nz-radio nzValue="date">按日期</label>
            <label nz-radio nzValue="days">按工作日</label>
          </nz-radio-group>
          <div class="deadline">
            @if (mode === 'date') {
              <input
                nz-input
                type="date"
                name="deadline"
                [(ngModel)]="deadline"
                [min]="today"
                aria-label="办结日期"
              />
            } @else {
              <label for="sv-days">自今日起</label>
              <nz-input-number
                nzId="sv-days"
                name="workingDays"
                [(ngModel)]="workingDays"
                [nzMin]="1"
                [nzMax]="250"
              />
              <span class="hint">个工作日内（按节假日安排计算）</span>
            }
          </div>
        </nz-form-control>
      </nz-form-item>
      <nz-form-item>
        <nz-form-label nzRequired nzFor="sv-opinion">督办意见</nz-form-label>
        <nz-form-control
          [nzValidateStatus]="errors().opinion ? 'error' : ''"
          [nzErrorTip]="errors().opinion || ''"
        >
          <textarea
            id="sv-opinion"
            nz-input
            name="opinion"
            rows="4"
            maxlength="2000"
            [(ngModel)]="opinion"
            placeholder="请写明督办要求"
          ></textarea>
        </nz-form-control>
      </nz-form-item>
      <nz-form-item>
        <nz-form-label>承办单位</nz-form-label>
        <nz-form-control
          [nzValidateStatus]="errors().unitId ? 'error' : ''"
          [nzErrorTip]="errors().unitId || ''"
        >
          <nz-select
            name="unitId"
            [(ngModel)]="unitId"
            nzAllowClear
            nzShowSearch
            nzPlaceHolder="默认为主办单位（公文为起草单位）"
            aria-label="承办单位"
          >
            @for (u of capabilities().units; track u.id) {
              <nz-option [nzValue]="u.id" [nzLabel]="u.name" />
            }
          </nz-select>
        </nz-form-control>
      </nz-form-item>
      @if (failure()) {
        <p class="failure" role="alert">{{ failure() }}</p>
      }
      <div class="actions">
        <button nz-button type="button" (click)="cancelled.emit()">取消</button>
        <button nz-button nzType="primary" type="submit" [nzLoading]="busy()">确定督办</button>
      </div>
    </form>
  `,
  styles: `
    .deadline {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      margin-top: 8px;
    }
    .deadline input[type='date'] {
      max-width: 200px;
    }
    .hint {
      color: rgba(0, 0, 0, 0.55);
    }
    .actions {
      display: flex;
      justify-content: flex-end;
      gap: 8px;
    }
    .failure {
      color: #cf1322;
    }
  `,
})
export class SupervisionForm {
  private readonly api = inject(Api);
  readonly targetKind = input.required<'case' | 'document'>();
  readonly targetId = input.required<string>();
  readonly capabilities = input.required<SupervisionCapabilities>();
  readonly saved = output<string>();
  readonly cancelled = output<void>();

  protected readonly today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  protected mode: 'date' | 'days' = 'days';
  protected deadline = '';
  protected workingDays: number | null = 5;
  protected opinion = '';
  protected unitId: string | null = null;
  protected readonly errors = signal<Partial<Record<Field, string>>>({});
  protected readonly failure = signal<string | null>(null);
  protected readonly busy = signal(false);

  async submit(): Promise<void> {
    this.errors.set({});
    this.failure.set(null);
    const body: Record<string, unknown> = {
      targetKind: this.targetKind(),
      targetId: this.targetId(),
      opinion: this.opinion,
      ...(this.mode === 'date'
        ? { deadline: this.deadline || undefined }
        : { workingDays: this.workingDays ?? undefined }),
      ...(this.unitId ? { unitId: this.unitId } : {}),
    };
    this.busy.set(true);
    try {
      const created = await this.api.post<{ id: string }>('/supervision', body);
      this.saved.emit(created.id);
    } catch (error) {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors(FIELDS);
        this.errors.set(fields);
        if (Object.keys(fields).length === 0) this.failure.set(error.message);
      } else {
        this.failure.set('提交失败，请重试');
      }
    } finally {
      this.busy.set(false);
    }
  }
}
