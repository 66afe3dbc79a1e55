import { DatePipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzEmptyModule } from 'ng-zorro-antd/empty';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzPopconfirmModule } from 'ng-zorro-antd/popconfirm';
import { NzRadioModule } from 'ng-zorro-antd/radio';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { FormsModule } from '@angular/forms';
import { Api, ApiError } from '../core/api';
import { AnnouncementForm } from './announcement-form';
import { announcementState, type Announcement, type AnnouncementList } from './announcements.model';

/**
 * 公告: the current ones for everyone (unread in bold; opening one marks it read), and for 办公厅 the publish form,
 * edit and withdraw, and the full list with expired and withdrawn ones. `/announcements/:id` opens one.
 */
@Component({
  selector: 'zw-announcements-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzEmptyModule,
    NzPopconfirmModule,
    NzRadioModule,
    NzTagModule,
    AnnouncementForm,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>公告</h2>
        @if (canPublish()) {
          <button
            nz-button
            nzType="primary"
            type="button"
            data-testid="new-announcement"
            (click)="startNew()"
          >
            发布公告
          </button>
        }
      </div>
      @if (canPublish()) {
        <nz-radio-group
          [(ngModel)]="view"
          (ngModelChange)="load()"
          aria-label="公告范围"
          class="view"
        >
          <label nz-radio-button nzValue="current">有效公告</label>
          <label nz-radio-button nzValue="all">全部（含过期、撤回）</label>
        </nz-radio-group>
      }
      @if (formOpen()) {
        <section class="form" aria-label="公告编辑">
          <h3>{{ editing() ? '修改公告' : '发布公告' }}</h3>
          <zw-announcement-form
            [editing]="editing()"
            (saved)="onSaved($event)"
            (cancelled)="formOpen.set(false)"
          />
        </section>
      }
      @if (list(); as l) {
        <p class="summary" aria-live="polite">共 {{ l.total }} 条，未读 {{ l.unread }} 条</p>
        @if (l.items.length === 0) {
          <nz-empty nzNotFoundContent="暂无公告" />
        }
        <ul class="items">
          @for (a of l.items; track a.id) {
            <li
              [class.unread]="!a.readAt && !a.withdrawnAt && !a.expired"
              data-testid="announcement"
            >
              <div class="head">
                <a
                  [routerLink]="['/announcements', a.id]"
                  class="title"
                  (click)="opened(a)"
                  [attr.aria-expanded]="openId() === a.id"
                  >{{ a.title }}</a
                >
                @if (state(a); as s) {
                  <nz-tag [nzColor]="s.color">{{ s.text }}</nz-tag>
                }
                @if (!a.readAt && !a.withdrawnAt && !a.expired) {
                  <nz-tag nzColor="blue">未读</nz-tag>
                }
              </div>
              <div class="meta">
                {{ a.unitName }} · {{ a.publishedByName }} ·
                {{ a.publishedAt | date: 'yyyy-MM-dd HH:mm' : '+0800' }}
                @if (a.expiresOn) {
                  · 有效期至 {{ a.expiresOn }}
                }
              </div>
              @if (openId() === a.id) {
                <div class="body" data-testid="announcement-body">{{ a.body }}</div>
                <div class="actions">
                  @if (!a.readAt && !a.withdrawnAt && !a.expired) {
                    <button nz-button nzSize="small" type="button" (click)="markRead(a)">
                      标为已读
                    </button>
                  }
                  @if (canPublish() && !a.withdrawnAt) {
                    <button nz-button nzSize="small" type="button" (click)="edit(a)">修改</button>
                    <button
                      nz-button
                      nzSize="small"
                      nzDanger
                      type="button"
                      nz-popconfirm
                      nzPopconfirmTitle="撤回后所有人将不再看到此公告，确定撤回？"
                      (nzOnConfirm)="withdraw(a)"
                    >
                      撤回
                    </button>
                  }
                </div>
              }
            </li>
          }
        </ul>
      }
    </div>
  `,
  styles: `
    .view {
      margin-bottom: 12px;
    }
    .form {
      border: 1px solid #f0f0f0;
      padding: 12px 16px;
      margin-bottom: 16px;
      max-width: 720px;
    }
    .summary {
      color: rgba(0, 0, 0, 0.65);
    }
    .items {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    .items li {
      border-bottom: 1px solid #f0f0f0;
      padding: 12px 0;
    }
    .head {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
    }
    .title {
      overflow-wrap: anywhere;
    }
    .unread .title {
      font-weight: 700;
    }
    .meta {
      color: rgba(0, 0, 0, 0.6);
      font-size: 13px;
      margin-top: 4px;
    }
    .body {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      margin-top: 8px;
      padding: 12px;
      background: #fafafa;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      margin-top: 8px;
    }
  `,
})
export class AnnouncementsPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** The route's `:id` (component input binding): the 公告 shown open. */
  readonly id = input<string | undefined>(undefined);
  protected readonly list = signal<AnnouncementList | null>(null);
  protected readonly canPublish = signal(false);
  protected readonly formOpen = signal(false);
  protected readonly editing = signal<Announcement | null>(null);
  protected readonly openId = computed(() => this.id() ?? null);
  protected view: 'current' | 'all' = 'current';
  protected readonly state = announcementState;

  async ngOnInit(): Promise<void> {
    try {
      this.canPublish.set(
        (await this.api.get<{ canPublish: boolean }>('/announcements/capabilities')).canPublish,
      );
    } catch {
      this.canPublish.set(false);
    }
    await this.load();
  }

  async load(): Promise<void> {
    try {
      const l = await this.api.get<AnnouncementList>('/announcements', {
        view: this.view,
        limit: 100,
      });
      this.list.set(l);
      // Opening a 公告 is reading it.
      const open = l.items.find((a) => a.id === this.openId());
      if (open && !open.readAt && !open.withdrawnAt && !open.expired) await this.markRead(open);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '公告加载失败，请刷新重试');
    }
  }

  async markRead(a: Announcement): Promise<void> {
    try {
      await this.api.post(`/announcements/${a.id}/read`);
      this.list.update((l) =>
        l
          ? {
              ...l,
              unread: Math.max(0, l.unread - 1),
              items: l.items.map((x) =>
                x.id === a.id ? { ...x, readAt: new Date().toISOString() } : x,
              ),
            }
          : l,
      );
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '操作失败，请重试');
    }
  }

  /** Following a title opens it; it is read from then on. */
  opened(a: Announcement): void {
    if (!a.readAt && !a.withdrawnAt && !a.expired) void this.markRead(a);
  }

  startNew(): void {
    this.editing.set(null);
    this.formOpen.set(true);
  }

  edit(a: Announcement): void {
    this.editing.set(a);
    this.formOpen.set(true);
  }

  async onSaved(a: Announcement): Promise<void> {
    this.formOpen.set(false);
    this.message.success(this.editing() ? '公告已修改' : '公告已发布');
    this.editing.set(null);
    await this.router.navigate(['/announcements', a.id]);
    await this.load();
  }

  async withdraw(a: Announcement): Promise<void> {
    try {
      await this.api.post(`/announcements/${a.id}/withdraw`);
      this.message.success('公告已撤回');
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '撤回失败，请重试');
    }
  }
}
