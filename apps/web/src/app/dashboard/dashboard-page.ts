import {
  ChangeDetectionStrategy,
  Component,
  OnInit,
  computed,
  inject,
  signal,
} from '@angular/core';
import { DatePipe } from '@angular/common';
import { RouterLink } from '@angular/router';
import { NgxEchartsDirective } from 'ngx-echarts';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzEmptyModule } from 'ng-zorro-antd/empty';
import { NzGridModule } from 'ng-zorro-antd/grid';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzStatisticModule } from 'ng-zorro-antd/statistic';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Viewport } from '../core/viewport';
import type { AnnouncementList } from '../announcements/announcements.model';
import { supervisionStatusColor } from '../supervision/supervision.model';
import { shortcutsFor, type MyDesk } from './desk.model';
import {
  avgHandlingOption,
  openByUnitOption,
  overdueRateOption,
  percent,
  totals,
  weeklyOption,
} from './dashboard-charts';
import type { DashboardFigures } from './dashboard.types';

/**
 * 工作台: the person's own desk (待办 overdue first, 督办, 公告, shortcuts to start what they may start), then the
 * figures of their unit tree (the ministry sees all).
 */
@Component({
  selector: 'zw-dashboard',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    RouterLink,
    NzIconModule,
    NzTagModule,
    NgxEchartsDirective,
    NzCardModule,
    NzGridModule,
    NzStatisticModule,
    NzButtonModule,
    NzEmptyModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>工作台</h2>
        <button nz-button type="button" [nzLoading]="loading()" (click)="load()">刷新</button>
      </div>
      @if (shortcuts().length) {
        <nav class="shortcuts" aria-label="发起办理">
          @for (s of shortcuts(); track s.path) {
            <a nz-button [routerLink]="s.path"><nz-icon [nzType]="s.icon" />{{ s.label }}</a>
          }
        </nav>
      }
      @if (desk(); as d) {
        <div nz-row [nzGutter]="[16, 16]" class="desk">
          <div nz-col [nzXs]="8">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="待办" [nzValue]="d.counts.todo"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="8">
            <nz-card nzSize="small"
              ><nz-statistic
                nzTitle="超期"
                [nzValue]="d.counts.overdue"
                [nzValueStyle]="{ color: d.counts.overdue ? '#cf1322' : undefined }"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="8">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="督办" [nzValue]="d.counts.supervision"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="12">
            <nz-card nzTitle="我的待办" nzSize="small" [nzExtra]="todoMore">
              @if (d.todo.length) {
                <ul class="rows" data-testid="desk-todo">
                  @for (t of d.todo; track t.id) {
                    <li>
                      <a [routerLink]="['/tasks', t.id]" class="row-title">{{
                        t.title || t.name
                      }}</a>
                      <span class="row-meta">
                        {{ t.processName }} · {{ t.name }}
                        @if (t.dueAt) {
                          ·
                          <span [class.overdue]="t.isOverdue"
                            >{{ t.isOverdue ? '已超期，' : '' }}期限
                            {{ t.dueAt | date: 'MM-dd HH:mm' : '+0800' }}</span
                          >
                        }
                      </span>
                    </li>
                  }
                </ul>
              } @else {
                <nz-empty nzNotFoundContent="暂无待办" />
              }
            </nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="12">
            <nz-card nzTitle="督办事项" nzSize="small" [nzExtra]="supervisionMore">
              @if (d.supervision.length) {
                <ul class="rows" data-testid="desk-supervision">
                  @for (s of d.supervision; track s.id) {
                    <li>
                      <a [routerLink]="['/supervision', s.id]" class="row-title">{{ s.title }}</a>
                      <span class="row-meta">
                        <nz-tag [nzColor]="statusColor(s.status)">{{ s.status }}</nz-tag>
                        {{ s.unitName }} · 办结期限 {{ s.deadline }}
                      </span>
                    </li>
                  }
                </ul>
              } @else {
                <nz-empty nzNotFoundContent="暂无督办事项" />
              }
            </nz-card>
          </div>
        </div>
      }
      <ng-template #todoMore><a routerLink="/inbox">全部待办</a></ng-template>
      <ng-template #supervisionMore><a routerLink="/supervision">督办台账</a></ng-template>
      <ng-template #noticeMore><a routerLink="/announcements">全部公告</a></ng-template>
      @if (notices(); as n) {
        <nz-card
          [nzTitle]="'公告' + (n.unread ? '（' + n.unread + ' 条未读）' : '')"
          nzSize="small"
          [nzExtra]="noticeMore"
          class="notices"
        >
          @if (n.items.length) {
            <ul class="rows" data-testid="desk-announcements">
              @for (a of n.items; track a.id) {
                <li [class.unread]="!a.readAt">
                  <a [routerLink]="['/announcements', a.id]" class="row-title"
                    >{{ a.pinned ? '【置顶】' : '' }}{{ a.title }}</a
                  >
                  <span class="row-meta"
                    >{{ a.unitName }} · {{ a.publishedAt | date: 'yyyy-MM-dd' : '+0800' }}
                    @if (!a.readAt) {
                      · 未读
                    }
                  </span>
                </li>
              }
            </ul>
          } @else {
            <nz-empty nzNotFoundContent="暂无公告" />
          }
        </nz-card>
      }
      <h3 class="section">统计</h3>
      <p class="scope">统计范围：{{ auth.user()?.unitName }}及下级单位，含其办理过的事项</p>
      @if (figures(); as f) {
        <div nz-row [nzGutter]="[16, 16]">
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="在办事项" [nzValue]="sum().open"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic
                nzTitle="超期事项"
                [nzValue]="sum().overdue"
                [nzValueStyle]="{ color: '#cf1322' }"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="近8周发起" [nzValue]="sum().started"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="近8周办结" [nzValue]="sum().finished"
            /></nz-card>
          </div>

          <div nz-col [nzXs]="24" [nzLg]="16">
            <nz-card nzTitle="各单位在办事项" nzSize="small">
              @if (f.openByUnit.length) {
                <div
                  echarts
                  class="chart"
                  [options]="unitOption()"
                  role="img"
                  [attr.aria-label]="'各单位在办事项：' + unitSummary()"
                ></div>
              } @else {
                <nz-empty nzNotFoundContent="暂无在办事项" />
              }
            </nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="8">
            <nz-card nzTitle="超期率" nzSize="small">
              <div
                echarts
                class="chart"
                [options]="rateOption()"
                role="img"
                [attr.aria-label]="'超期率 ' + rateText()"
              ></div>
            </nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="12">
            <nz-card nzTitle="各环节平均办理时长" nzSize="small">
              @if (f.avgHandlingHoursByStep.length) {
                <div
                  echarts
                  class="chart"
                  [options]="stepOption()"
                  role="img"
                  aria-label="各环节平均办理时长（小时）"
                ></div>
              } @else {
                <nz-empty nzNotFoundContent="暂无已办结环节" />
              }
            </nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="12">
            <nz-card nzTitle="每周发起与办结" nzSize="small">
              <div
                echarts
                class="chart"
                [options]="weekOption()"
                role="img"
                aria-label="每周发起与办结的案件数"
              ></div>
            </nz-card>
          </div>
        </div>
      }
    </div>
  `,
  styles: `
    .chart {
      height: 300px;
      width: 100%;
    }
    .shortcuts {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      margin-bottom: 16px;
    }
    .desk,
    .notices {
      margin-bottom: 16px;
    }
    .rows {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .rows li {
      display: flex;
      flex-direction: column;
      padding: 8px 0;
      border-bottom: 1px solid #f0f0f0;
      min-width: 0;
    }
    .row-title {
      overflow-wrap: anywhere;
    }
    .unread .row-title {
      font-weight: 700;
    }
    .row-meta {
      color: rgba(0, 0, 0, 0.6);
      font-size: 13px;
    }
    .overdue {
      color: #cf1322;
      font-weight: 600;
    }
    .section {
      margin-top: 8px;
    }
    .scope {
      color: #595959;
      margin-top: -8px;
    }
  `,
})
export class DashboardPage implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly auth = inject(Auth);
  protected readonly figures = signal<DashboardFigures | null>(null);
  protected readonly loading = signal(false);
  protected readonly desk = signal<MyDesk | null>(null);
  protected readonly notices = signal<AnnouncementList | null>(null);
  private readonly viewport = inject(Viewport);
  protected readonly shortcuts = computed(() => shortcutsFor(this.auth.roles()));
  protected readonly statusColor = supervisionStatusColor;
  protected readonly sum = computed(() => {
    const f = this.figures();
    return f ? totals(f) : { open: 0, overdue: 0, started: 0, finished: 0 };
  });
  protected readonly unitOption = computed(() =>
    openByUnitOption(this.figures()?.openByUnit ?? [], this.viewport.isPhone()),
  );
  protected readonly rateOption = computed(() =>
    overdueRateOption(this.figures()?.overdueRate ?? 0),
  );
  protected readonly stepOption = computed(() =>
    avgHandlingOption(this.figures()?.avgHandlingHoursByStep ?? [], 12, this.viewport.isPhone()),
  );
  protected readonly weekOption = computed(() => weeklyOption(this.figures()?.weekly ?? []));
  protected readonly rateText = computed(() => percent(this.figures()?.overdueRate ?? 0));
  protected readonly unitSummary = computed(() =>
    (this.figures()?.openByUnit ?? [])
      .map((u) => `${u.unit} ${u.open} 件（超期 ${u.overdue}）`)
      .join('，'),
  );

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const [figures, desk, notices] = await Promise.all([
        this.api.get<DashboardFigures>('/dashboard'),
        this.api.get<MyDesk>('/dashboard/mine'),
        this.api.get<AnnouncementList>('/announcements', { limit: 5 }),
      ]);
      this.figures.set(figures);
      this.desk.set(desk);
      this.notices.set(notices);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '工作台加载失败，请点击“刷新”重试',
      );
    } finally {
      this.loading.set(false);
    }
  }
}
