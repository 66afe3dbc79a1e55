import { DatePipe } from '@angular/common';
import { Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Downloads } from '../core/downloads';
import { Api, ApiError } from '../core/api';
import { Viewport } from '../core/viewport';
import {
  SUPERVISION_STATUSES,
  supervisionStatusColor,
  targetKindLabel,
  type SupervisionCapabilities,
  type SupervisionSummary,
} from './supervision.model';

/** 督办台账: the items within the person's scope, by status, unit and year, with the CSV export. */
@Component({
  selector: 'zw-supervision-list-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzIconModule,
    NzInputNumberModule,
    NzSelectModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>督办台账</h2>
        <button nz-button type="button" (click)="exportCsv()" [nzLoading]="exporting()">
          <nz-icon nzType="download" />导出 CSV
        </button>
      </div>
      <form class="toolbar" (ngSubmit)="search()">
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
          name="unitId"
          [(ngModel)]="unitId"
          nzAllowClear
          nzShowSearch
          nzPlaceHolder="承办单位"
          aria-label="承办单位"
          class="unit"
        >
          @for (u of units(); track u.id) {
            <nz-option [nzValue]="u.id" [nzLabel]="u.name" />
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
      <nz-table
        #table
        class="zw-cards"
        [nzData]="items()"
        [nzFrontPagination]="false"
        [nzTotal]="total()"
        [nzPageIndex]="page()"
        [nzPageSize]="pageSize"
        [nzLoading]="loading()"
        (nzPageIndexChange)="goTo($event)"
        nzNoResult="暂无督办事项"
        [nzScroll]="viewport.isPhone() ? {} : { x: '960px' }"
        [nzSimple]="viewport.isPhone()"
        data-testid="supervision-ledger"
      >
        <thead>
          <tr>
            <th>督办事项</th>
            <th nzWidth="80px">类型</th>
            <th nzWidth="150px">承办单位</th>
            <th nzWidth="110px">办结期限</th>
            <th nzWidth="100px">状态</th>
            <th nzWidth="150px">督办人</th>
            <th nzWidth="140px">督办时间</th>
          </tr>
        </thead>
        <tbody>
          @for (s of table.data; track s.id) {
            <tr>
              <td data-label="督办事项">
                <a [routerLink]="['/supervision', s.id]">{{ s.title }}</a>
              </td>
              <td data-label="类型">{{ kind(s.targetKind) }}</td>
              <td data-label="承办单位">{{ s.unitName }}</td>
              <td data-label="办结期限" class="nowrap">{{ s.deadline }}</td>
              <td data-label="状态">
                <nz-tag [nzColor]="color(s.status)">{{ s.status }}</nz-tag>
              </td>
              <td data-label="督办人">{{ s.createdByName }}（{{ s.creatorUnitName }}）</td>
              <td data-label="督办时间" class="nowrap">
                {{ s.createdAt | date: 'yyyy-MM-dd HH:mm' }}
              </td>
            </tr>
          }
        </tbody>
      </nz-table>
    </div>
  `,
  styles: `
    .filter {
      width: 140px;
    }
    .unit {
      width: 200px;
    }
    .nowrap {
      white-space: nowrap;
    }
    @media (max-width: 767.98px) {
      .filter,
      .unit {
        width: 100%;
      }
    }
  `,
})
export class SupervisionListPage {
  private readonly api = inject(Api);
  private readonly downloads = inject(Downloads);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  protected readonly statuses = SUPERVISION_STATUSES;
  protected readonly pageSize = 20;
  protected readonly items = signal<SupervisionSummary[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly loading = signal(false);
  protected readonly exporting = signal(false);
  private readonly scopeUnits = signal<{ id: string; name: string }[]>([]);
  /** The units the person may supervise, and those of the items they see (a unit that only answers sees its own). */
  protected readonly units = computed(() => {
    const all = new Map<string, string>();
    for (const u of this.scopeUnits()) all.set(u.id, u.name);
    for (const s of this.items()) all.set(s.unitId, s.unitName);
    return [...all].map(([id, name]) => ({ id, name }));
  });
  protected status: string | null = null;
  protected unitId: string | null = null;
  protected year: number | null = null;

  constructor() {
    void this.load();
    void this.api
      .get<SupervisionCapabilities>('/supervision/capabilities')
      .then((c) => this.scopeUnits.set(c.units))
      .catch(() => undefined);
  }

  protected kind(targetKind: SupervisionSummary['targetKind']): string {
    return targetKindLabel(targetKind);
  }

  search(): void {
    this.page.set(1);
    void this.load();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  private filters(): Record<string, string | number | null> {
    return { status: this.status, unitId: this.unitId, year: this.year };
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: SupervisionSummary[]; total: number }>(
        '/supervision',
        {
          ...this.filters(),
          limit: this.pageSize,
          offset: (this.page() - 1) * this.pageSize,
        },
      );
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '督办台账加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  /** The export comes with the login token (the interceptor adds it), so it is fetched and saved as a blob. */
  async exportCsv(): Promise<void> {
    this.exporting.set(true);
    try {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(this.filters()))
        if (value !== null && value !== '') params.set(key, String(value));
      await this.downloads.fetch(`/api/supervision/export.csv?${params}`, '督办台账.csv');
    } catch {
      this.message.error('导出失败，请重试');
    } finally {
      this.exporting.set(false);
    }
  }

  protected color(status: string): string {
    return supervisionStatusColor(status);
  }
}
