import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import {
  APPROVAL_STATUSES,
  LEVEL_LABELS,
  LEVELS,
  MATTER_TYPES,
  type ApprovalSummary,
  type Page,
} from './approval.model';

/** 三级联网审批: the cases of my jurisdiction, with their level, due date and overdue marks. */
@Component({
  selector: 'zw-approval-list',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzIconModule,
    NzInputModule,
    NzSelectModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>三级联网审批</h2>
        @if (canAccept) {
          <button nz-button nzType="primary" type="button" (click)="accept()">
            <nz-icon nzType="plus" />受理案件
          </button>
        }
      </div>
      <form class="toolbar" role="search" aria-label="筛选审批案件" (ngSubmit)="search()">
        <label class="sr-only" for="approval-status">状态</label>
        <nz-select
          nzId="approval-status"
          name="status"
          [(ngModel)]="status"
          nzAllowClear
          nzPlaceHolder="全部状态"
          (ngModelChange)="search()"
          class="filter"
        >
          @for (s of statuses; track s) {
            <nz-option [nzValue]="s" [nzLabel]="s" />
          }
        </nz-select>
        <label class="sr-only" for="approval-matter">事项类型</label>
        <nz-select
          nzId="approval-matter"
          name="matterType"
          [(ngModel)]="matterType"
          nzAllowClear
          nzPlaceHolder="全部事项类型"
          (ngModelChange)="search()"
          class="filter wide"
        >
          @for (m of matterTypes; track m) {
            <nz-option [nzValue]="m" [nzLabel]="m" />
          }
        </nz-select>
        <label class="sr-only" for="approval-level">当前层级</label>
        <nz-select
          nzId="approval-level"
          name="level"
          [(ngModel)]="level"
          nzAllowClear
          nzPlaceHolder="全部层级"
          (ngModelChange)="search()"
          class="filter"
        >
          @for (l of levels; track l) {
            <nz-option [nzValue]="l" [nzLabel]="levelLabels[l]" />
          }
        </nz-select>
        <label class="sr-only" for="approval-overdue">是否超期</label>
        <nz-select
          nzId="approval-overdue"
          name="overdue"
          [(ngModel)]="overdue"
          nzAllowClear
          nzPlaceHolder="是否超期"
          (ngModelChange)="search()"
          class="filter"
        >
          <nz-option nzValue="true" nzLabel="有超期" />
          <nz-option nzValue="false" nzLabel="未超期" />
        </nz-select>
        <label class="sr-only" for="approval-keyword">关键词</label>
        <input
          nz-input
          id="approval-keyword"
          name="keyword"
          [(ngModel)]="keyword"
          placeholder="受理编号、事项名称、申请人或坐落"
          class="keyword"
        />
        <button nz-button type="submit"><nz-icon nzType="search" />查询</button>
      </form>
      <nz-table
        #table
        [nzData]="items()"
        [nzTotal]="total()"
        [nzLoading]="loading()"
        [nzFrontPagination]="false"
        [nzPageIndex]="pageIndex()"
        [nzPageSize]="pageSize()"
        [nzShowSizeChanger]="true"
        [nzShowTotal]="totalTpl"
        [nzScroll]="{ x: '1200px' }"
        nzSize="middle"
        (nzPageIndexChange)="changePage($event)"
        (nzPageSizeChange)="changeSize($event)"
      >
        <thead>
          <tr>
            <th nzWidth="150px">受理编号</th>
            <th>事项名称</th>
            <th nzWidth="120px">事项类型</th>
            <th nzWidth="150px">申请人</th>
            <th nzWidth="110px">用地面积（公顷）</th>
            <th nzWidth="110px">受理单位</th>
            <th nzWidth="110px">当前层级</th>
            <th nzWidth="100px">状态</th>
            <th nzWidth="120px">办理期限</th>
            <th nzWidth="110px">受理日期</th>
          </tr>
        </thead>
        <tbody>
          @for (row of table.data; track row.id) {
            <tr>
              <td>{{ row.caseNo }}</td>
              <td>
                <a [routerLink]="['/approvals', row.id]">{{ row.title }}</a>
                @if (row.overdueLevels.length) {
                  <nz-tag nzColor="red" class="mark">超期</nz-tag>
                } @else if (row.warnedLevels.length && row.currentLevel) {
                  <nz-tag nzColor="orange" class="mark">预警</nz-tag>
                }
              </td>
              <td>{{ row.matterType }}</td>
              <td>{{ row.applicant }}</td>
              <td>{{ row.landArea }}</td>
              <td>{{ row.unitName }}</td>
              <td>{{ row.currentLevel ? levelLabels[row.currentLevel] : '—' }}</td>
              <td>{{ row.status }}</td>
              <td [class.overdue]="isOverdue(row)">
                @if (row.dueAt && row.currentLevel) {
                  {{ row.dueAt | date: 'yyyy-MM-dd' }}
                  @if (isOverdue(row)) {
                    <span>（超期）</span>
                  }
                } @else {
                  —
                }
              </td>
              <td>{{ row.acceptedAt | date: 'yyyy-MM-dd' }}</td>
            </tr>
          }
        </tbody>
      </nz-table>
      <ng-template #totalTpl let-total>共 {{ total }} 件</ng-template>
    </div>
  `,
  styles: `
    .filter {
      width: 140px;
    }
    .filter.wide {
      width: 160px;
    }
    .keyword {
      width: 260px;
    }
    .mark {
      margin-left: 6px;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `,
})
export class ApprovalList implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  private readonly router = inject(Router);
  protected readonly canAccept = inject(Auth).hasRole('clerk', 'drafter');
  protected readonly statuses = APPROVAL_STATUSES;
  protected readonly matterTypes = MATTER_TYPES;
  protected readonly levels = LEVELS;
  protected readonly levelLabels = LEVEL_LABELS;

  protected status: string | null = null;
  protected matterType: string | null = null;
  protected level: string | null = null;
  protected overdue: string | null = null;
  protected keyword = '';

  protected readonly items = signal<ApprovalSummary[]>([]);
  protected readonly total = signal(0);
  protected readonly loading = signal(false);
  protected readonly pageIndex = signal(1);
  protected readonly pageSize = signal(20);

  ngOnInit(): void {
    void this.load();
  }

  protected accept(): void {
    void this.router.navigate(['/approvals/new']);
  }

  protected search(): void {
    this.pageIndex.set(1);
    void this.load();
  }

  protected changePage(index: number): void {
    this.pageIndex.set(index);
    void this.load();
  }

  protected changeSize(size: number): void {
    this.pageSize.set(size);
    this.pageIndex.set(1);
    void this.load();
  }

  protected isOverdue(row: ApprovalSummary): boolean {
    if (!row.currentLevel) return false;
    return (
      row.overdueLevels.includes(row.currentLevel) ||
      (!!row.dueAt && new Date(row.dueAt) < new Date())
    );
  }

  private async load(): Promise<void> {
    this.loading.set(true);
    try {
      const page = await this.api.get<Page<ApprovalSummary>>('/approvals', {
        status: this.status,
        matterType: this.matterType,
        level: this.level,
        overdue: this.overdue,
        q: this.keyword.trim(),
        limit: this.pageSize(),
        offset: (this.pageIndex() - 1) * this.pageSize(),
      });
      this.items.set(page.items);
      this.total.set(page.total);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '加载审批案件失败，请刷新重试',
      );
    } finally {
      this.loading.set(false);
    }
  }
}
