import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { FILING_KINDS, FILING_STATUSES, filingStatusColor } from './filing-form.logic';

interface FilingRow {
  id: string;
  kind: string;
  title: string;
  periodStart: number;
  periodEnd: number;
  status: string;
  filingNo: string | null;
  unitName: string;
  submittedAt: string | null;
  registeredAt: string | null;
  createdAt: string;
}

/** 规划备案: the provinces' filings with their status and 备案号. */
@Component({
  selector: 'zw-filings-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzIconModule,
    NzInputModule,
    NzInputNumberModule,
    NzSelectModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>规划备案</h2>
        @if (canFile) {
          <a nz-button nzType="primary" routerLink="/filings/new"
            ><nz-icon nzType="plus" />新建备案</a
          >
        }
      </div>
      <form class="toolbar" (ngSubmit)="search()">
        <input
          nz-input
          name="keyword"
          [(ngModel)]="keyword"
          placeholder="标题、备案号或报送单位"
          aria-label="搜索"
          class="search"
        />
        <nz-select
          name="status"
          [(ngModel)]="status"
          nzAllowClear
          nzPlaceHolder="状态"
          aria-label="状态"
          class="filter"
        >
          @for (s of statuses; track s) {
            <nz-option [nzValue]="s" [nzLabel]="s" />
          }
        </nz-select>
        <nz-select
          name="kind"
          [(ngModel)]="kind"
          nzAllowClear
          nzPlaceHolder="备案类别"
          aria-label="备案类别"
          class="filter"
        >
          @for (k of kinds; track k) {
            <nz-option [nzValue]="k" [nzLabel]="k" />
          }
        </nz-select>
        <nz-input-number
          name="year"
          [(ngModel)]="year"
          [nzMin]="2000"
          [nzMax]="2100"
          nzPlaceHolder="年度"
          aria-label="年度"
        />
        <button nz-button type="submit"><nz-icon nzType="search" />查询</button>
      </form>
      <div class="scroll">
        <nz-table
          #table
          [nzData]="items()"
          [nzFrontPagination]="false"
          [nzTotal]="total()"
          [nzPageIndex]="page()"
          [nzPageSize]="pageSize"
          [nzLoading]="loading()"
          (nzPageIndexChange)="goTo($event)"
          nzNoResult="暂无备案"
          [nzScroll]="{ x: '1050px' }"
        >
          <thead>
            <tr>
              <th>标题</th>
              <th nzWidth="110px">类别</th>
              <th nzWidth="110px">规划期</th>
              <th nzWidth="160px">报送单位</th>
              <th nzWidth="90px">状态</th>
              <th nzWidth="230px">备案号</th>
              <th nzWidth="140px">报送时间</th>
            </tr>
          </thead>
          <tbody>
            @for (f of table.data; track f.id) {
              <tr>
                <td>
                  <a [routerLink]="['/filings', f.id]">{{ f.title }}</a>
                </td>
                <td>{{ f.kind }}</td>
                <td>{{ f.periodStart }}—{{ f.periodEnd }}</td>
                <td>{{ f.unitName }}</td>
                <td>
                  <nz-tag [nzColor]="color(f.status)">{{ f.status }}</nz-tag>
                </td>
                <td class="filing-no">{{ f.filingNo || '—' }}</td>
                <td>{{ f.submittedAt ? (f.submittedAt | date: 'yyyy-MM-dd HH:mm') : '—' }}</td>
              </tr>
            }
          </tbody>
        </nz-table>
      </div>
    </div>
  `,
  styles: `
    /* A 备案号 is read and copied whole: it never breaks inside. */
    .filing-no {
      white-space: nowrap;
    }
    .search {
      width: 240px;
    }
    .filter {
      width: 140px;
    }
    .scroll {
      overflow-x: auto;
    }
  `,
})
export class FilingsPage {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly canFile = inject(Auth).hasRole('drafter');
  protected readonly statuses = FILING_STATUSES;
  protected readonly kinds = FILING_KINDS;
  protected readonly pageSize = 20;
  protected readonly items = signal<FilingRow[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly loading = signal(false);
  protected keyword = '';
  protected status: string | null = null;
  protected kind: string | null = null;
  protected year: number | null = null;

  constructor() {
    void this.load();
  }

  search(): void {
    this.page.set(1);
    void this.load();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: FilingRow[]; total: number }>('/filings', {
        keyword: this.keyword.trim(),
        status: this.status,
        kind: this.kind,
        year: this.year,
        limit: this.pageSize,
        offset: (this.page() - 1) * this.pageSize,
      });
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '备案列表加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  protected color(status: string): string {
    return filingStatusColor(status);
  }
}
