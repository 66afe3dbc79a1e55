import { Component, effect, inject, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCheckboxModule } from 'ng-zorro-antd/checkbox';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { Api, ApiError } from '../core/api';
import type { Announcement } from './announcements.model';

const FIELDS = ['title', 'body', 'expiresOn', 'pinned'] as const;
type Field = (typeof FIELDS)[number];

/** 发布 / 修改公告 (办公厅): title, plain-text body, optional last day, pinned. */
@Component({
  selector: 'zw-announcement-form',
  imports: [FormsModule, NzButtonModule, NzCheckboxModule, NzFormModule, NzInputModule],
  template: `
    <form nz-form nzLayout="vertical" (ngSubmit)="submit()" data-testid="announcement-form">
      <nz-form-item>
        <nz-form-label nzRequired nzFor="ann-title">标题</nz-form-label>
        <nz-form-control
          [nzValidateStatus]="errors().title ? 'error' : ''"
          [nzErrorTip]="errors().title || ''"
        >
          <input nz-input id="ann-title" name="title" [(ngModel)]="title" maxlength="100" />
        </nz-form-control>
      </nz-form-item>
      <nz-form-item>
        <nz-form-label nzRequired nzFor="ann-body">正文</nz-form-label>
        <nz-form-control
          [nzValidateStatus]="errors().body ? 'error' : ''"
          [nzErrorTip]="errors().body || ''"
        >
          <textarea
            nz-input
            id="ann-body"
            name="body"
            rows="6"
            [(ngModel)]="body"
            maxlength="5000"
          ></textarea>
        </nz-form-control>
      </nz-form-item>
      <nz-form-item>
        <nz-form-label nzFor="ann-expires">有效期至（不填为长期有效）</nz-form-label>
        <nz-form-control
          [nzValidateStatus]="errors().expiresOn ? 'error' : ''"
          [nzErrorTip]="errors().expiresOn || ''"
        >
          <input
            nz-input
            type="date"
            id="ann-expires"
            name="expiresOn"
            [min]="today"
            [(ngModel)]="expiresOn"
            class="date"
          />
        </nz-form-control>
      </nz-form-item>
      <nz-form-item>
        <nz-form-control
          [nzValidateStatus]="errors().pinned ? 'error' : ''"
          [nzErrorTip]="errors().pinned || ''"
        >
          <label nz-checkbox name="pinned" [(ngModel)]="pinned">置顶</label>
        </nz-form-control>
      </nz-form-item>
      @if (failure()) {
        <p class="failure" role="alert">{{ failure() }}</p>
      }
      <div class="actions">
        <button nz-button type="button" (click)="cancelled.emit()">取消</button>
        <button nz-button nzType="primary" type="submit" [nzLoading]="busy()">
          {{ editing() ? '保存修改' : '发布' }}
        </button>
      </div>
    </form>
  `,
  styles: `
    .date {
      max-width: 200px;
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
export class AnnouncementForm {
  private readonly api = inject(Api);
  /** The 公告 being edited; null publishes a new one. */
  readonly editing = input<Announcement | null>(null);
  readonly saved = output<Announcement>();
  readonly cancelled = output<void>();

  protected readonly today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  protected title = '';
  protected body = '';
  protected expiresOn = '';
  protected pinned = false;
  protected readonly errors = signal<Partial<Record<Field, string>>>({});
  protected readonly failure = signal<string | null>(null);
  protected readonly busy = signal(false);

  constructor() {
    effect(() => {
      const a = this.editing();
      this.title = a?.title ?? '';
      this.body = a?.body ?? '';
      this.expiresOn = a?.expiresOn ?? '';
      this.pinned = a?.pinned ?? false;
    });
  }

  async submit(): Promise<void> {
    this.errors.set({});
    this.failure.set(null);
    const payload = {
      title: this.title,
      body: this.body,
      pinned: this.pinned,
      expiresOn: this.expiresOn || null,
    };
    this.busy.set(true);
    try {
      const id = this.editing()?.id;
      this.saved.emit(
        id
          ? await this.api.put<Announcement>(`/announcements/${id}`, payload)
          : await this.api.post<Announcement>('/announcements', payload),
      );
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
