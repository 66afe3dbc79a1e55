import { DatePipe } from '@angular/common';
import { Component, effect, inject, model, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import {
  NOTIFICATION_KIND_LABELS,
  NOTIFICATION_KINDS,
  type InAppNotification,
  type NotificationKind,
} from '@zhengwu/contracts';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCheckboxModule } from 'ng-zorro-antd/checkbox';
import { NzDrawerModule } from 'ng-zorro-antd/drawer';
import { NzEmptyModule } from 'ng-zorro-antd/empty';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSwitchModule } from 'ng-zorro-antd/switch';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { ApiError } from '../core/api';
import { NotificationCenter } from './notification-center';

const KIND_COLORS: Record<NotificationKind, string> = {
  assigned: 'blue',
  returned: 'orange',
  urged: 'volcano',
  overdue: 'red',
  result: 'green',
  cc: 'purple',
};

/**
 * The bell's drawer: the list with read marks and links, 全部已读, and 通知设置 (the mail choice). Loaded on the
 * first click of the bell (its own chunk), so the header stays light.
 */
@Component({
  selector: 'zw-notification-panel',
  imports: [
    DatePipe,
    FormsModule,
    NzButtonModule,
    NzCheckboxModule,
    NzDrawerModule,
    NzEmptyModule,
    NzSwitchModule,
    NzTagModule,
  ],
  template: `
    <nz-drawer
      [nzVisible]="visible()"
      [nzWidth]="drawerWidth"
      [nzTitle]="settings() ? '通知设置' : '消息通知'"
      [nzExtra]="extra"
      (nzOnClose)="visible.set(false)"
    >
      <ng-container *nzDrawerContent>
        @if (settings()) {
          <section class="settings" data-notification-settings>
            <p class="hint">站内通知总会出现在这里；邮件通知可以按类别关闭。</p>
            <label class="row">
              <nz-switch [(ngModel)]="mailEnabled" data-mail-enabled />
              <span>接收邮件通知</span>
            </label>
            <div class="kinds" [class.off]="!mailEnabled">
              <div class="kinds-title">以下类别发送邮件：</div>
              @for (kind of kinds; track kind) {
                <label
                  nz-checkbox
                  [nzDisabled]="!mailEnabled"
                  [ngModel]="!mailOff.has(kind)"
                  (ngModelChange)="toggleKind(kind, $event)"
                  [attr.data-kind]="kind"
                >
                  {{ labels[kind] }}
                </label>
              }
            </div>
            <div class="actions">
              <button nz-button nzType="primary" [nzLoading]="saving()" (click)="save()">
                保存设置
              </button>
              <button nz-button (click)="settings.set(false)">返回通知列表</button>
            </div>
          </section>
        } @else {
          @if (center.items().length === 0 && !center.loading()) {
            <nz-empty nzNotFoundContent="暂无通知" />
          }
          <ul class="list" aria-label="通知列表">
            @for (n of center.items(); track n.id) {
              <li>
                <a
                  class="item"
                  [class.unread]="!n.readAt"
                  [attr.href]="n.link"
                  [attr.data-notification]="n.id"
                  (click)="follow($event, n)"
                >
                  <span class="dot" aria-hidden="true"></span>
                  <span class="body">
                    <span class="title">{{ n.title }}</span>
                    <span class="meta">
                      <nz-tag [nzColor]="colors[n.kind]">{{ labels[n.kind] }}</nz-tag>
                      <time>{{ n.createdAt | date: 'yyyy-MM-dd HH:mm' }}</time>
                      <span class="state">{{ n.readAt ? '已读' : '未读' }}</span>
                    </span>
                  </span>
                </a>
              </li>
            }
          </ul>
          @if (center.hasMore()) {
            <button nz-button nzBlock [nzLoading]="center.loading()" (click)="center.loadMore()">
              加载更多
            </button>
          }
        }
      </ng-container>
    </nz-drawer>
    <ng-template #extra>
      @if (!settings()) {
        <button
          nz-button
          nzType="link"
          data-read-all
          [disabled]="center.unread() === 0"
          (click)="readAll()"
        >
          全部已读
        </button>
        <button nz-button nzType="link" data-open-settings (click)="openSettings()">
          通知设置
        </button>
      }
    </ng-template>
  `,
  styles: `
    :host {
      display: inline-flex;
    }
    .list {
      list-style: none;
      margin: 0 0 12px;
      padding: 0;
    }
    .item {
      display: flex;
      gap: 10px;
      padding: 10px 4px;
      min-height: 44px;
      border-bottom: 1px solid #f0f0f0;
      color: rgba(0, 0, 0, 0.65);
    }
    .item.unread {
      color: rgba(0, 0, 0, 0.88);
    }
    .item.unread .title {
      font-weight: 600;
    }
    .dot {
      flex: none;
      width: 8px;
      height: 8px;
      margin-top: 8px;
      border-radius: 50%;
      background: transparent;
    }
    .item.unread .dot {
      background: #cf1322;
    }
    .body {
      display: flex;
      flex-direction: column;
      gap: 4px;
      min-width: 0;
    }
    .title {
      overflow-wrap: anywhere;
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px;
      font-size: 12px;
      color: rgba(0, 0, 0, 0.55);
    }
    .settings .row {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 12px 0;
    }
    .kinds {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin-bottom: 16px;
    }
    .kinds.off {
      opacity: 0.6;
    }
    .hint,
    .kinds-title {
      color: rgba(0, 0, 0, 0.65);
    }
    .actions {
      display: flex;
      gap: 8px;
      flex-wrap: wrap;
    }
  `,
})
export class NotificationPanel {
  protected readonly center = inject(NotificationCenter);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Opened by the bell, closed here. */
  readonly visible = model(false);
  protected readonly settings = signal(false);
  protected readonly saving = signal(false);
  protected readonly kinds = NOTIFICATION_KINDS;
  protected readonly labels = NOTIFICATION_KIND_LABELS;
  protected readonly colors = KIND_COLORS;
  protected mailEnabled = true;
  protected mailOff = new Set<NotificationKind>();
  /** A phone gets the whole width; a desktop a side panel. */
  protected readonly drawerWidth =
    typeof window !== 'undefined' && window.innerWidth < 480 ? '100%' : 420;

  constructor() {
    // Each opening starts at the list, fresh from the server.
    effect(() => {
      if (!this.visible()) return;
      this.settings.set(false);
      void this.center.refresh().catch((error: unknown) => this.fail(error));
    });
  }

  /** Marks it read and opens its page (a plain click; a modified click opens a tab as a link does). */
  protected follow(event: MouseEvent, n: InAppNotification): void {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      void this.center.markRead(n).catch(() => undefined);
      return;
    }
    event.preventDefault();
    this.visible.set(false);
    void this.center
      .markRead(n)
      .catch(() => undefined)
      .then(() => this.router.navigateByUrl(n.link));
  }

  protected async readAll(): Promise<void> {
    try {
      await this.center.markAllRead();
      this.message.success('已全部标记为已读');
    } catch (error) {
      this.fail(error);
    }
  }

  protected async openSettings(): Promise<void> {
    try {
      const preferences = await this.center.preferences();
      this.mailEnabled = preferences.mailEnabled;
      this.mailOff = new Set(preferences.mailOffKinds);
      this.settings.set(true);
    } catch (error) {
      this.fail(error);
    }
  }

  protected toggleKind(kind: NotificationKind, mailed: boolean): void {
    const next = new Set(this.mailOff);
    if (mailed) next.delete(kind);
    else next.add(kind);
    this.mailOff = next;
  }

  protected async save(): Promise<void> {
    this.saving.set(true);
    try {
      await this.center.savePreferences({
        mailEnabled: this.mailEnabled,
        mailOffKinds: [...this.mailOff],
      });
      this.message.success('通知设置已保存');
      this.settings.set(false);
    } catch (error) {
      this.fail(error);
    } finally {
      this.saving.set(false);
    }
  }

  private fail(error: unknown): void {
    this.message.error(error instanceof ApiError ? error.message : '操作失败，请稍后重试');
  }
}
