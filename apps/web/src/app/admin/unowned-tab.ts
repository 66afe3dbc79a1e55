import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzTableModule } from 'ng-zorro-antd/table';
import { Api, ApiError } from '../core/api';
import { PersonPicker } from '../inbox/person-picker';
import { errorText } from './error-message';

interface UnownedTask {
  id: string;
  name: string;
  instanceId: string;
  processKey: string;
  processName: string | null;
  title: string | null;
  createdAt: string;
  dueAt: string | null;
  reason: string;
}

/**
 * 无人办理的任务: steps whose assignee or candidates are nobody on the platform (diagrams written elsewhere name
 * `demo` or group `management`, or the person left); 指派 gives one to a real person, on the case's record.
 */
@Component({
  selector: 'zw-unowned-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    FormsModule,
    NzTableModule,
    NzButtonModule,
    NzModalModule,
    NzFormModule,
    NzInputModule,
    PersonPicker,
  ],
  template: `
    <div class="toolbar">
      <button nz-button type="button" (click)="load()">刷新</button>
    </div>
    <nz-table
      #t
      [nzData]="items()"
      [nzLoading]="loading()"
      [nzFrontPagination]="false"
      [nzTotal]="total()"
      [nzPageIndex]="page()"
      [nzPageSize]="pageSize"
      (nzPageIndexChange)="goTo($event)"
      nzSize="small"
      [nzScroll]="{ x: '1000px' }"
      nzNoResult="没有无人办理的任务"
    >
      <thead>
        <tr>
          <th nzWidth="150px">到达时间</th>
          <th nzWidth="170px">流程</th>
          <th nzWidth="150px">环节</th>
          <th>无人办理的原因</th>
          <th nzWidth="90px">操作</th>
        </tr>
      </thead>
      <tbody>
        @for (task of t.data; track task.id) {
          <tr>
            <td>{{ task.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
            <td>
              {{ task.title ?? task.processName ?? task.processKey }}
              @if (task.title) {
                <div class="sub">{{ task.processName ?? task.processKey }}</div>
              }
            </td>
            <td>{{ task.name }}</td>
            <td class="msg">{{ task.reason }}</td>
            <td>
              <button nz-button nzType="link" type="button" (click)="open(task)">指派</button>
            </td>
          </tr>
        }
      </tbody>
    </nz-table>

    <nz-modal
      [nzVisible]="!!assigning()"
      nzTitle="指派办理人"
      (nzOnCancel)="assigning.set(null)"
      (nzOnOk)="assign()"
      [nzOkLoading]="saving()"
      nzOkText="指派"
    >
      <ng-container *nzModalContent>
        <p>{{ assigning()?.title ?? assigning()?.processName }} · {{ assigning()?.name }}</p>
        <form nz-form nzLayout="vertical" (ngSubmit)="assign()">
          <nz-form-item>
            <nz-form-label nzFor="unowned-assignee" nzRequired>办理人</nz-form-label>
            <nz-form-control [nzErrorTip]="errors().assignee">
              <zw-person-picker
                inputId="unowned-assignee"
                [invalid]="!!errors().assignee"
                [(value)]="assignee"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="unowned-comment">指派说明</nz-form-label>
            <nz-form-control [nzErrorTip]="errors().comment">
              <textarea
                nz-input
                id="unowned-comment"
                name="comment"
                rows="2"
                [(ngModel)]="comment"
                placeholder="如：原流程中的“management”由本单位领导办理"
              ></textarea>
            </nz-form-control>
          </nz-form-item>
        </form>
      </ng-container>
    </nz-modal>
  `,
  styles: `
    .msg {
      word-break: break-all;
    }
    .sub {
      color: #595959;
      font-size: 12px;
    }
  `,
})
export class UnownedTab implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly items = signal<UnownedTask[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly pageSize = 20;
  protected readonly loading = signal(false);
  protected readonly saving = signal(false);
  protected readonly assigning = signal<UnownedTask | null>(null);
  protected readonly errors = signal<{ assignee?: string; comment?: string }>({});
  protected assignee: string | string[] | null = null;
  protected comment = '';

  ngOnInit(): void {
    void this.load();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  open(task: UnownedTask): void {
    this.assignee = null;
    this.comment = '';
    this.errors.set({});
    this.assigning.set(task);
  }

  async assign(): Promise<void> {
    const task = this.assigning();
    if (!task) return;
    const assignee = typeof this.assignee === 'string' ? this.assignee : null;
    if (!assignee) {
      this.errors.set({ assignee: '请选择办理人' });
      return;
    }
    this.saving.set(true);
    try {
      const res = await this.api.post<{ assignee: { displayName: string } }>(
        `/admin/unowned-tasks/${task.id}/assign`,
        { assignee, comment: this.comment.trim() || undefined },
      );
      this.message.success(`已指派给${res.assignee.displayName}`);
      this.assigning.set(null);
      await this.load();
    } catch (error) {
      if (error instanceof ApiError && error.details?.length)
        this.errors.set(error.fieldErrors(['assignee', 'comment']));
      this.message.error(errorText(error, '指派失败，请稍后再试'));
    } finally {
      this.saving.set(false);
    }
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: UnownedTask[]; total: number }>(
        '/admin/unowned-tasks',
        { limit: this.pageSize, offset: (this.page() - 1) * this.pageSize },
      );
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(errorText(error, '无人办理的任务加载失败，请点击“刷新”重试'));
    } finally {
      this.loading.set(false);
    }
  }
}
