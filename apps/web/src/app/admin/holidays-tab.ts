import {
  ChangeDetectionStrategy,
  Component,
  OnInit,
  computed,
  inject,
  signal,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzDatePickerModule } from 'ng-zorro-antd/date-picker';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzPopconfirmModule } from 'ng-zorro-antd/popconfirm';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import {
  hasErrors,
  toDay,
  validateHoliday,
  type HolidayErrors,
  type HolidayForm,
} from './admin.logic';
import { errorText } from './error-message';

interface Holiday {
  day: string;
  kind: 'holiday' | 'workday';
  name: string;
}

/** 节假日: the 法定节假日 and 调休 workdays the due dates count with (sysadmin edits). */
@Component({
  selector: 'zw-holidays-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    FormsModule,
    NzTableModule,
    NzTagModule,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzInputNumberModule,
    NzSelectModule,
    NzDatePickerModule,
    NzPopconfirmModule,
  ],
  template: `
    <div class="toolbar">
      <label for="holiday-year">年份</label>
      <nz-input-number
        nzId="holiday-year"
        [(ngModel)]="year"
        [nzMin]="2000"
        [nzMax]="2999"
        (ngModelChange)="load()"
      />
    </div>

    @if (canEdit()) {
      <form nz-form nzLayout="inline" class="toolbar" (ngSubmit)="save()">
        <nz-form-item>
          <nz-form-label nzFor="holiday-day" nzRequired>日期</nz-form-label>
          <nz-form-control
            [nzErrorTip]="errors().day"
            [nzValidateStatus]="errors().day ? 'error' : ''"
          >
            <nz-date-picker
              nzId="holiday-day"
              name="day"
              [(ngModel)]="date"
              nzFormat="yyyy-MM-dd"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="holiday-kind" nzRequired>类型</nz-form-label>
          <nz-form-control
            [nzErrorTip]="errors().kind"
            [nzValidateStatus]="errors().kind ? 'error' : ''"
          >
            <nz-select
              nzId="holiday-kind"
              name="kind"
              [(ngModel)]="kind"
              nzPlaceHolder="请选择"
              style="width: 130px"
            >
              <nz-option nzValue="holiday" nzLabel="放假" />
              <nz-option nzValue="workday" nzLabel="调休上班" />
            </nz-select>
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="holiday-name" nzRequired>名称</nz-form-label>
          <nz-form-control
            [nzErrorTip]="errors().name"
            [nzValidateStatus]="errors().name ? 'error' : ''"
          >
            <input
              nz-input
              id="holiday-name"
              name="name"
              [(ngModel)]="name"
              placeholder="如 春节"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <button nz-button nzType="primary" type="submit" [nzLoading]="saving()">
            保存节假日
          </button>
        </nz-form-item>
      </form>
    }

    <nz-table
      #t
      [nzData]="items()"
      [nzLoading]="loading()"
      nzSize="small"
      [nzPageSize]="50"
      [nzScroll]="{ x: '600px' }"
    >
      <thead>
        <tr>
          <th nzWidth="140px">日期</th>
          <th nzWidth="120px">类型</th>
          <th>名称</th>
          @if (canEdit()) {
            <th nzWidth="140px">操作</th>
          }
        </tr>
      </thead>
      <tbody>
        @for (h of t.data; track h.day) {
          <tr>
            <td>{{ h.day }}</td>
            <td>
              <nz-tag [nzColor]="h.kind === 'holiday' ? 'red' : 'blue'">{{
                h.kind === 'holiday' ? '放假' : '调休上班'
              }}</nz-tag>
            </td>
            <td>{{ h.name }}</td>
            @if (canEdit()) {
              <td>
                <button nz-button nzType="link" type="button" (click)="edit(h)">修改</button>
                <button
                  nz-button
                  nzType="link"
                  nzDanger
                  type="button"
                  nz-popconfirm
                  [nzPopconfirmTitle]="'删除 ' + h.day + '？'"
                  (nzOnConfirm)="remove(h)"
                >
                  删除
                </button>
              </td>
            }
          </tr>
        }
      </tbody>
    </nz-table>
  `,
})
export class HolidaysTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  private readonly auth = inject(Auth);
  protected readonly canEdit = computed(() => this.auth.hasRole('sysadmin'));
  protected year = new Date().getFullYear();
  protected date: Date | null = null;
  protected kind: HolidayForm['kind'] = '';
  protected name = '';
  protected readonly items = signal<Holiday[]>([]);
  protected readonly loading = signal(false);
  protected readonly saving = signal(false);
  protected readonly errors = signal<HolidayErrors>({});

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    if (!Number.isInteger(this.year)) return;
    this.loading.set(true);
    try {
      this.items.set(await this.api.get<Holiday[]>('/holidays', { year: this.year }));
    } catch (error) {
      this.message.error(errorText(error, '节假日加载失败，请刷新页面重试'));
    } finally {
      this.loading.set(false);
    }
  }

  edit(h: Holiday): void {
    const [y, m, d] = h.day.split('-').map(Number);
    this.date = new Date(y, m - 1, d);
    this.kind = h.kind;
    this.name = h.name;
    document.getElementById('holiday-name')?.focus();
  }

  async save(): Promise<void> {
    const form: HolidayForm = {
      day: this.date ? toDay(this.date) : '',
      kind: this.kind,
      name: this.name,
    };
    const errors = validateHoliday(form);
    this.errors.set(errors);
    if (hasErrors(errors)) return;
    this.saving.set(true);
    try {
      await this.api.put(`/holidays/${form.day}`, { kind: form.kind, name: form.name.trim() });
      this.message.success(`已保存 ${form.day}`);
      this.date = null;
      this.kind = '';
      this.name = '';
      if (Number(form.day.slice(0, 4)) !== this.year) this.year = Number(form.day.slice(0, 4));
      await this.load();
    } catch (error) {
      if (error instanceof ApiError) {
        this.errors.set({
          day: error.fieldMessage('day'),
          kind: error.fieldMessage('kind'),
          name: error.fieldMessage('name'),
        });
      }
      this.message.error(errorText(error, '保存失败，请稍后重试'));
    } finally {
      this.saving.set(false);
    }
  }

  async remove(h: Holiday): Promise<void> {
    try {
      await this.api.delete(`/holidays/${h.day}`);
      this.message.success(`已删除 ${h.day}`);
      await this.load();
    } catch (error) {
      this.message.error(errorText(error, '删除失败，请稍后重试'));
    }
  }
}
