import { DatePipe } from '@angular/common';
import { Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCheckboxModule } from 'ng-zorro-antd/checkbox';
import { NzDatePickerModule } from 'ng-zorro-antd/date-picker';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTabsModule } from 'ng-zorro-antd/tabs';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Viewport } from '../core/viewport';
import { stepForm } from './step-forms.logic';
import {
  INBOX_URL_KEY,
  PAGE_SIZES,
  PROCESSES,
  SORTS,
  URGENCIES,
  VIEWS,
  activeFilters,
  batchReport,
  emptyText,
  isOverdue,
  listQuery,
  outcomeText,
  paramsOfState,
  stateFromParams,
  urgencyColor,
  type BatchResult,
  type InboxState,
  type SortKey,
  type TaskCounts,
} from './inbox.logic';

interface TaskRow {
  id: string;
  name: string;
  instanceId: string;
  processKey: string;
  processName: string | null;
  title: string | null;
  urgency: string | null;
  businessKey: string | null;
  assignee: string | null;
  status: string;
  createdAt: string;
  dueAt: string | null;
  isOverdue: boolean;
  completedAt: string | null;
  outcome: string | null;
  readAt?: string | null;
  onBehalfOf?: { userId: string; displayName: string } | null;
}

/** 待办事项: 待办 / 已办 / 我发起的 / 抄送我的, with filters, paging and 批量同意, all kept in the URL. */
@Component({
  selector: 'zw-inbox-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCheckboxModule,
    NzDatePickerModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzModalModule,
    NzSelectModule,
    NzTableModule,
    NzTabsModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>待办事项</h2>
        <div class="header-ops">
          <a nz-button routerLink="/substitutes"><nz-icon nzType="team" />代理设置</a>
          <button
            nz-button
            type="button"
            (click)="load()"
            [nzLoading]="loading()"
            data-testid="inbox-refresh"
          >
            <nz-icon nzType="reload" />刷新
          </button>
        </div>
      </div>

      <nz-tabs
        [nzSelectedIndex]="viewIndex()"
        (nzSelectedIndexChange)="switchView($event)"
        data-testid="inbox-tabs"
      >
        @for (v of views; track v.view) {
          <nz-tab [nzTitle]="tabTitle">
            <ng-template #tabTitle>
              <span [attr.data-testid]="'tab-' + v.view">{{ v.label }}</span>
              <span
                class="count"
                [class.count-hot]="v.view === 'todo' && counts()[v.view] > 0"
                [class.count-zero]="counts()[v.view] === 0"
                [attr.data-testid]="'count-' + v.view"
                [attr.aria-label]="
                  v.view === 'cc' ? '未读 ' + counts()[v.view] + ' 项' : counts()[v.view] + ' 项'
                "
                >{{ counts()[v.view] }}</span
              >
            </ng-template>
          </nz-tab>
        }
      </nz-tabs>

      <form
        class="toolbar filters"
        [class.filters-folded]="!filtersOpen()"
        (ngSubmit)="search()"
        data-testid="inbox-filters"
      >
        <input
          nz-input
          name="q"
          [(ngModel)]="q"
          placeholder="标题、环节或业务编号"
          aria-label="搜索标题、环节或业务编号"
          maxlength="64"
          class="search"
          data-testid="inbox-search"
        />
        <nz-select
          name="process"
          [(ngModel)]="process"
          (ngModelChange)="apply()"
          nzAllowClear
          nzPlaceHolder="全部流程"
          aria-label="流程"
          class="filter-wide optional"
          data-testid="filter-process"
        >
          @for (p of processes; track p.key) {
            <nz-option [nzValue]="p.key" [nzLabel]="p.name" />
          }
        </nz-select>
        <nz-select
          name="urgency"
          [(ngModel)]="urgency"
          (ngModelChange)="apply()"
          nzAllowClear
          nzPlaceHolder="紧急程度"
          aria-label="紧急程度"
          class="filter optional"
          data-testid="filter-urgency"
        >
          @for (u of urgencies; track u) {
            <nz-option [nzValue]="u" [nzLabel]="u" />
          }
        </nz-select>
        <nz-select
          name="overdue"
          [(ngModel)]="overdueFilter"
          (ngModelChange)="apply()"
          nzAllowClear
          nzPlaceHolder="是否超期"
          aria-label="是否超期"
          class="filter optional"
          data-testid="filter-overdue"
        >
          <nz-option nzValue="true" nzLabel="已超期" />
          <nz-option nzValue="false" nzLabel="未超期" />
        </nz-select>
        <nz-range-picker
          name="range"
          [(ngModel)]="range"
          (ngModelChange)="apply()"
          [nzPlaceHolder]="['到达日期起', '到达日期止']"
          aria-label="到达日期范围"
          class="range optional"
          data-testid="filter-range"
        />
        <nz-select
          name="sort"
          [(ngModel)]="sort"
          (ngModelChange)="apply()"
          aria-label="排序"
          class="filter optional"
          data-testid="inbox-sort"
        >
          @for (s of sorts; track s.key) {
            <nz-option [nzValue]="s.key" [nzLabel]="s.label" />
          }
        </nz-select>
        <button nz-button nzType="primary" type="submit" data-testid="inbox-search-button">
          <nz-icon nzType="search" />查询
        </button>
        @if (viewport.isPhone()) {
          <button
            nz-button
            type="button"
            [attr.aria-expanded]="filtersOpen()"
            (click)="filtersOpen.set(!filtersOpen())"
            data-testid="inbox-more-filters"
          >
            <nz-icon nzType="filter" />{{ filtersOpen() ? '收起筛选' : '筛选' }}
          </button>
        }
        @if (filtered()) {
          <button nz-button type="button" (click)="reset()" data-testid="inbox-reset">重置</button>
        }
      </form>

      @if (state().view === 'todo') {
        <div class="toolbar batch">
          <button
            nz-button
            nzType="primary"
            type="button"
            [disabled]="selected().size === 0"
            (click)="openBatch()"
            data-testid="batch-approve"
          >
            <nz-icon nzType="check" />批量同意
          </button>
          <span class="muted" aria-live="polite">
            {{ selected().size ? '已选 ' + selected().size + ' 项' : '勾选多项后可批量同意' }}
          </span>
        </div>
      }

      @if (batchOutcome(); as outcome) {
        <nz-alert
          class="batch-result"
          [nzType]="outcome.failures.length ? 'warning' : 'success'"
          nzShowIcon
          nzCloseable
          (nzOnClose)="batchOutcome.set(null)"
          [nzMessage]="outcome.summary"
          [nzDescription]="outcome.failures.length ? failureList : null"
          data-testid="batch-result"
        />
        <ng-template #failureList>
          <ul class="failures">
            @for (f of outcome.failures; track $index) {
              <li>《{{ f.title }}》：{{ f.message }}</li>
            }
          </ul>
        </ng-template>
      }

      @if (error()) {
        <nz-alert
          class="batch-result"
          nzType="error"
          nzShowIcon
          [nzMessage]="error()!"
          [nzAction]="retry"
        />
        <ng-template #retry
          ><button nz-button nzSize="small" type="button" (click)="load()">
            重试
          </button></ng-template
        >
      }

      <nz-table
        #table
        [nzData]="items()"
        [nzFrontPagination]="false"
        [nzTotal]="total()"
        [nzPageIndex]="state().page"
        [nzPageSize]="state().size"
        [nzPageSizeOptions]="pageSizes"
        nzShowSizeChanger
        [nzShowTotal]="totalText"
        [nzLoading]="loading()"
        (nzPageIndexChange)="goTo($event)"
        (nzPageSizeChange)="resize($event)"
        nzSize="middle"
        [nzNoResult]="empty()"
        [nzScroll]="viewport.isPhone() ? {} : { x: '980px' }"
        [nzSimple]="viewport.isPhone()"
        class="zw-cards"
        data-testid="inbox-table"
      >
        <thead>
          <tr>
            @if (state().view === 'todo') {
              <th
                nzWidth="44px"
                [nzChecked]="allChecked()"
                [nzIndeterminate]="someChecked()"
                (nzCheckedChange)="checkAll($event)"
                nzLabel="全选本页"
              ></th>
            }
            <th>标题</th>
            <th nzWidth="150px">流程</th>
            <th nzWidth="130px">{{ state().view === 'done' ? '办理环节' : '当前环节' }}</th>
            @switch (state().view) {
              @case ('done') {
                <th nzWidth="90px">办理结果</th>
                <th nzWidth="140px">办理时间</th>
              }
              @case ('cc') {
                <th nzWidth="80px">阅读</th>
                <th nzWidth="140px">到达时间</th>
              }
              @default {
                <th nzWidth="140px">到达时间</th>
                <th nzWidth="150px">办理期限</th>
              }
            }
          </tr>
        </thead>
        <tbody>
          @for (t of table.data; track t.id) {
            <tr
              data-testid="inbox-row"
              [attr.data-task-id]="t.id"
              [class.row-overdue]="overdue(t)"
              [class.row-unread]="state().view === 'cc' && !t.readAt"
              (click)="open($event, t)"
            >
              @if (state().view === 'todo') {
                <td
                  class="zw-card-check"
                  [nzChecked]="selected().has(t.id)"
                  (nzCheckedChange)="check(t.id, $event)"
                  [nzLabel]="'选择：' + (t.title || t.name)"
                  (click)="$event.stopPropagation()"
                ></td>
              }
              <td class="title-cell zw-card-title">
                <a [routerLink]="[t.id]" class="title-link" data-testid="inbox-open">{{
                  t.title || t.name
                }}</a>
                <span class="tags">
                  @if (overdue(t)) {
                    <nz-tag nzColor="red" data-testid="overdue-tag">已超期</nz-tag>
                  }
                  @if (t.urgency && t.urgency !== '平急') {
                    <nz-tag [nzColor]="urgencyColor(t.urgency)">{{ t.urgency }}</nz-tag>
                  }
                  @if (t.onBehalfOf) {
                    <nz-tag nzColor="orange">代 {{ t.onBehalfOf.displayName }}</nz-tag>
                  }
                  @if (!t.assignee && state().view === 'todo') {
                    <nz-tag>待认领</nz-tag>
                  }
                </span>
              </td>
              <td data-label="流程">{{ t.processName || t.processKey }}</td>
              <td [attr.data-label]="state().view === 'done' ? '办理环节' : '当前环节'">
                {{ t.name }}
              </td>
              @switch (state().view) {
                @case ('done') {
                  <td data-label="办理结果">{{ outcome(t) }}</td>
                  <td data-label="办理时间">
                    {{ t.completedAt ? (t.completedAt | date: 'yyyy-MM-dd HH:mm') : '—' }}
                  </td>
                }
                @case ('cc') {
                  <td data-label="阅读">
                    @if (t.readAt) {
                      <span class="muted">已读</span>
                    } @else {
                      <nz-tag nzColor="blue">未读</nz-tag>
                    }
                  </td>
                  <td data-label="到达时间">{{ t.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                }
                @default {
                  <td data-label="到达时间">{{ t.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                  <td data-label="办理期限" [class.overdue]="overdue(t)">
                    {{ t.dueAt ? (t.dueAt | date: 'yyyy-MM-dd HH:mm') : '不限' }}
                  </td>
                }
              }
            </tr>
          }
        </tbody>
      </nz-table>
      <ng-template #totalText let-total>共 {{ total }} 项</ng-template>

      <nz-modal
        [nzVisible]="batchOpen()"
        nzTitle="批量同意"
        nzOkText="确定同意"
        nzCancelText="取消"
        [nzOkLoading]="batching()"
        (nzOnOk)="batchApprove()"
        (nzOnCancel)="batchOpen.set(false)"
      >
        <ng-container *nzModalContent>
          <p>
            将对选中的 {{ selected().size }} 项逐项办理“同意”，每项单独生效；不能同意的会列出原因。
          </p>
          <form nz-form nzLayout="vertical" (ngSubmit)="batchApprove()">
            <nz-form-item>
              <nz-form-label nzFor="batch-opinion">办理意见</nz-form-label>
              <nz-form-control>
                <textarea
                  nz-input
                  id="batch-opinion"
                  name="batchComment"
                  rows="3"
                  maxlength="2000"
                  [(ngModel)]="batchComment"
                ></textarea>
              </nz-form-control>
            </nz-form-item>
          </form>
        </ng-container>
      </nz-modal>
    </div>
  `,
  styles: `
    .header-ops {
      display: flex;
      gap: 8px;
    }
    .filters {
      align-items: center;
    }
    .search {
      width: 180px;
    }
    .filter {
      width: 110px;
    }
    .filter-wide {
      width: 160px;
    }
    .range {
      width: 220px;
    }
    .batch {
      align-items: center;
    }
    .batch-result {
      margin-bottom: 12px;
    }
    .failures {
      margin: 0;
      padding-left: 18px;
    }
    .muted {
      color: #595959;
    }
    .count {
      display: inline-block;
      min-width: 20px;
      margin-left: 6px;
      padding: 0 6px;
      border-radius: 10px;
      background: #e6f4ff;
      color: #0958d9;
      font-size: 12px;
      line-height: 18px;
      text-align: center;
    }
    .count-hot {
      background: #ff4d4f;
      color: #fff;
    }
    .count-zero {
      background: #f0f0f0;
      color: #595959;
    }
    tr[data-testid='inbox-row'] {
      cursor: pointer;
    }
    .row-unread .title-link {
      font-weight: 600;
    }
    .title-link {
      margin-right: 6px;
    }
    .tags nz-tag {
      margin-right: 4px;
    }
    /* Phone: the search box on its own line, the other filters folded behind 筛选 and two to a line when
       shown; the title link is a 40 px touch target. */
    @media (max-width: 767.98px) {
      .filters-folded .optional {
        display: none;
      }
      .search,
      .range {
        width: 100%;
      }
      .filter,
      .filter-wide {
        width: calc(50% - 4px);
      }
      .title-link {
        display: inline-block;
        padding: 9px 0;
      }
      .zw-card-check {
        min-width: 40px;
        min-height: 40px;
        justify-content: center;
      }
    }
  `,
})
export class InboxPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  /** On a phone the filters beyond the search box are folded away until asked for. */
  protected readonly filtersOpen = signal(false);
  protected readonly views = VIEWS;
  protected readonly processes = PROCESSES;
  protected readonly urgencies = URGENCIES;
  protected readonly sorts = SORTS;
  protected readonly pageSizes = PAGE_SIZES;
  protected readonly urgencyColor = (u: string) => urgencyColor(u) ?? 'default';

  protected readonly state = signal<InboxState>(stateFromParams(() => null));
  protected readonly items = signal<TaskRow[]>([]);
  protected readonly total = signal(0);
  protected readonly counts = signal<TaskCounts>({ todo: 0, done: 0, started: 0, cc: 0 });
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly selected = signal<Set<string>>(new Set());
  protected readonly batchOpen = signal(false);
  protected readonly batching = signal(false);
  protected readonly batchOutcome = signal<{
    summary: string;
    failures: { title: string; message: string }[];
  } | null>(null);
  protected batchComment = '同意。';

  // The filter form's fields; they follow the URL and change it.
  protected q = '';
  protected process: string | null = null;
  protected urgency: string | null = null;
  protected overdueFilter: 'true' | 'false' | null = null;
  protected range: (Date | null)[] | null = null;
  protected sort: SortKey = 'created';

  protected readonly viewIndex = computed(() =>
    VIEWS.findIndex((v) => v.view === this.state().view),
  );
  protected readonly filtered = computed(() => activeFilters(this.state().filters) > 0);
  protected readonly empty = computed(() => emptyText(this.state().view, this.filtered()));
  protected readonly allChecked = computed(
    () => this.items().length > 0 && this.items().every((t) => this.selected().has(t.id)),
  );
  protected readonly someChecked = computed(
    () => !this.allChecked() && this.items().some((t) => this.selected().has(t.id)),
  );
  private seq = 0;

  constructor() {
    // The URL is the state: tabs, filters and paging navigate, and every navigation (back, reload) loads.
    this.route.queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef))).subscribe((params) => {
      const next = stateFromParams((name) => params.get(name));
      if (next.view !== this.state().view) this.selected.set(new Set());
      this.state.set(next);
      this.syncForm(next);
      void this.load();
    });
  }

  /** A finished task's outcome in its step's words (不同意, 建议立项 …). */
  protected outcome(t: TaskRow): string {
    return outcomeText(t.outcome, stepForm({ processKey: t.processKey, name: t.name }).labels);
  }

  /** The row's 已超期 mark. */
  protected overdue(t: TaskRow): boolean {
    return isOverdue(t);
  }

  protected switchView(index: number): void {
    const view = VIEWS[index]?.view;
    if (!view || view === this.state().view) return;
    this.navigate({ ...this.state(), view, page: 1 });
  }

  protected search(): void {
    this.apply();
  }

  /** Any filter change goes to the URL, back to page 1. */
  protected apply(): void {
    const current = this.state();
    this.navigate({
      ...current,
      page: 1,
      filters: {
        process: this.process,
        urgency: this.urgency,
        overdue: this.overdueFilter ?? '',
        q: this.q,
        range: this.range?.some(Boolean) ? this.range : null,
        sort: this.sort,
      },
    });
  }

  protected reset(): void {
    this.navigate({
      view: this.state().view,
      filters: { sort: this.state().filters.sort },
      page: 1,
      size: this.state().size,
    });
  }

  protected goTo(page: number): void {
    if (page !== this.state().page) this.navigate({ ...this.state(), page });
  }

  protected resize(size: number): void {
    if (size !== this.state().size) this.navigate({ ...this.state(), size, page: 1 });
  }

  protected open(event: MouseEvent, t: TaskRow): void {
    // The title is the link; a click elsewhere on the row opens the task too.
    const target = event.target as HTMLElement;
    if (target.closest('a, button, input, label')) return;
    void this.router.navigate([t.id], { relativeTo: this.route });
  }

  protected check(id: string, checked: boolean): void {
    const next = new Set(this.selected());
    if (checked) next.add(id);
    else next.delete(id);
    this.selected.set(next);
  }

  protected checkAll(checked: boolean): void {
    const next = new Set(this.selected());
    for (const t of this.items()) {
      if (checked) next.add(t.id);
      else next.delete(t.id);
    }
    this.selected.set(next);
  }

  protected openBatch(): void {
    this.batchComment = '同意。';
    this.batchOpen.set(true);
  }

  protected async batchApprove(): Promise<void> {
    const ids = [...this.selected()];
    if (ids.length === 0 || this.batching()) return;
    const titles = Object.fromEntries(this.items().map((t) => [t.id, t.title || t.name]));
    this.batching.set(true);
    try {
      const result = await this.api.post<BatchResult>('/tasks/batch-actions', {
        taskIds: ids,
        action: 'approve',
        comment: this.batchComment.trim() || undefined,
      });
      const report = batchReport(result, titles);
      this.batchOutcome.set(report);
      if (result.failed === 0) this.message.success(report.summary);
      else this.message.warning(report.summary);
      this.batchOpen.set(false);
      // Keep only the failed ones selected, so they can be opened one by one.
      this.selected.set(new Set(result.results.filter((r) => !r.ok).map((r) => r.taskId)));
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '批量办理失败，请稍后重试');
    } finally {
      this.batching.set(false);
    }
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    const state = this.state();
    this.loading.set(true);
    this.error.set(null);
    // The list as shown now, for the task page's 返回 and for after an operation.
    const url = this.router.createUrlTree([], {
      relativeTo: this.route,
      queryParams: paramsOfState(state),
    });
    sessionStorage.setItem(INBOX_URL_KEY, this.router.serializeUrl(url));
    try {
      const res = await this.api.get<{ items: TaskRow[]; total: number; counts: TaskCounts }>(
        '/tasks',
        listQuery(state.view, state.filters, { index: state.page, size: state.size }),
      );
      if (seq !== this.seq) return;
      // A page past the end (after 批量同意 emptied it): go to the last page that has rows.
      if (res.items.length === 0 && res.total > 0 && state.page > 1) {
        this.navigate({ ...state, page: Math.ceil(res.total / state.size) });
        return;
      }
      this.items.set(res.items);
      this.total.set(res.total);
      this.counts.set(res.counts);
      // Selection only of rows still in 待办.
      const open = new Set(res.items.map((t) => t.id));
      if ([...this.selected()].some((id) => !open.has(id)))
        this.selected.set(new Set([...this.selected()].filter((id) => open.has(id))));
    } catch (error) {
      if (seq !== this.seq) return;
      this.error.set(error instanceof ApiError ? error.message : '待办列表加载失败，请刷新页面');
    } finally {
      if (seq === this.seq) this.loading.set(false);
    }
  }

  private navigate(state: InboxState): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: paramsOfState(state),
      replaceUrl: true,
    });
  }

  private syncForm(state: InboxState): void {
    const f = state.filters;
    this.q = f.q ?? '';
    this.process = f.process ?? null;
    this.urgency = f.urgency ?? null;
    this.overdueFilter = f.overdue || null;
    this.range = f.range ?? null;
    this.sort = f.sort ?? 'created';
  }
}
