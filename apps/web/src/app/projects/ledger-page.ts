import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
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
import { csvFileName, toCsv } from './csv';
import { Downloads } from '../core/downloads';
import {
  PROJECT_CSV_COLUMNS,
  emptyProjectFilters,
  fetchAll,
  formatBudget,
  maySubmit,
  projectQuery,
  projectStatusColor,
  yearsText,
  type ProjectFilters,
} from './ledger.logic';
import { LedgerTabs } from './ledger-tabs';
import {
  PROJECT_CATEGORIES,
  PROJECT_STATUSES,
  flattenUnits,
  type Page,
  type ProjectSummary,
  type UnitNode,
  type UnitOption,
} from './project.model';

/** 项目台账: every 信息化项目 the person may see (信息办, 信息中心 and the group see all), filtered, paged, exported. */
@Component({
  selector: 'zw-ledger-page',
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
    LedgerTabs,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>项目立项与台账</h2>
        @if (canSubmit()) {
          <a nz-button nzType="primary" routerLink="/projects/new" data-testid="new-project"
            ><nz-icon nzType="plus" />新建立项申请</a
          >
        }
      </div>
      <zw-ledger-tabs active="projects" />

      <form class="toolbar" (ngSubmit)="search()">
        <input
          nz-input
          name="keyword"
          [(ngModel)]="filters.keyword"
          placeholder="项目名称、编号或建设内容"
          aria-label="搜索项目名称、编号或建设内容"
          class="search"
        />
        <nz-select
          name="category"
          [(ngModel)]="filters.category"
          nzAllowClear
          nzPlaceHolder="项目类别"
          aria-label="项目类别"
          class="category"
        >
          @for (c of categories; track c) {
            <nz-option [nzValue]="c" [nzLabel]="c" />
          }
        </nz-select>
        <nz-select
          name="status"
          [(ngModel)]="filters.status"
          nzAllowClear
          nzPlaceHolder="状态"
          aria-label="状态"
          class="status"
        >
          @for (s of statuses; track s) {
            <nz-option [nzValue]="s" [nzLabel]="s" />
          }
        </nz-select>
        <nz-select
          name="unitId"
          [(ngModel)]="filters.unitId"
          nzAllowClear
          nzShowSearch
          nzPlaceHolder="申报或实施单位"
          aria-label="申报或实施单位"
          class="unit"
        >
          @for (u of units(); track u.id) {
            <nz-option nzCustomContent [nzValue]="u.id" [nzLabel]="u.label.trim()"
              ><span class="tree">{{ u.label }}</span></nz-option
            >
          }
        </nz-select>
        <nz-input-number
          name="year"
          [(ngModel)]="filters.year"
          [nzMin]="2000"
          [nzMax]="2100"
          [nzPrecision]="0"
          nzPlaceHolder="建设年度"
          aria-label="建设年度"
        />
        <button nz-button nzType="primary" type="submit"><nz-icon nzType="search" />查询</button>
        <button nz-button type="button" (click)="reset()">重置</button>
        <span class="spacer"></span>
        <button
          nz-button
          type="button"
          data-testid="export-csv"
          [nzLoading]="exporting()"
          [disabled]="total() === 0"
          (click)="exportCsv()"
        >
          <nz-icon nzType="download" />导出 CSV
        </button>
      </form>

      <div class="scroll">
        <nz-table
          #table
          data-testid="ledger-table"
          [nzData]="items()"
          [nzFrontPagination]="false"
          [nzTotal]="total()"
          [nzPageIndex]="page()"
          [nzPageSize]="pageSize"
          [nzLoading]="loading()"
          [nzShowTotal]="totalText"
          (nzPageIndexChange)="goTo($event)"
          nzSize="middle"
          nzNoResult="没有符合条件的项目"
          [nzScroll]="{ x: '1080px' }"
        >
          <thead>
            <tr>
              <th nzWidth="115px">项目编号</th>
              <th>项目名称</th>
              <th nzWidth="110px">项目类别</th>
              <th nzWidth="125px">申报单位</th>
              <th nzWidth="125px">实施单位</th>
              <th nzWidth="90px" nzAlign="right">预算（万元）</th>
              <th nzWidth="100px">建设年度</th>
              <th nzWidth="115px">状态</th>
              <th nzWidth="95px">申报日期</th>
            </tr>
          </thead>
          <tbody>
            @for (p of table.data; track p.id) {
              <tr data-testid="ledger-row" [attr.data-project-id]="p.id">
                <td class="nowrap">{{ p.projectNo || '—' }}</td>
                <td>
                  <a [routerLink]="['/projects', p.id]">{{ p.name }}</a>
                  @if (p.isGovernmentAffairs) {
                    <nz-tag class="gov">政务管理</nz-tag>
                  }
                </td>
                <td>{{ p.category }}</td>
                <td>{{ p.unitName }}</td>
                <td>{{ p.implementingUnitName || '—' }}</td>
                <td class="num">{{ budget(p.budget) }}</td>
                <td class="nowrap">{{ years(p.startYear, p.endYear) }}</td>
                <td>
                  <nz-tag [nzColor]="color(p.status)">{{ p.status }}</nz-tag>
                  @if (p.stage) {
                    <div class="stage">{{ p.stage }}</div>
                  }
                </td>
                <td>{{ p.createdAt | date: 'yyyy-MM-dd' }}</td>
              </tr>
            }
          </tbody>
        </nz-table>
        <ng-template #totalText let-total>共 {{ total }} 项</ng-template>
      </div>
    </div>
  `,
  styles: `
    .tree {
      white-space: pre;
    }
    .search {
      width: 220px;
    }
    .category {
      width: 170px;
    }
    .status {
      width: 110px;
    }
    .unit {
      width: 200px;
    }
    .spacer {
      flex: 1;
    }
    .scroll {
      overflow-x: auto;
    }
    .num {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    .nowrap {
      white-space: nowrap;
    }
    .stage {
      color: #595959;
      font-size: 12px;
      margin-top: 2px;
    }
    .gov {
      margin-left: 6px;
    }
  `,
})
export class LedgerPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly downloads = inject(Downloads);
  private readonly message = inject(NzMessageService);
  protected readonly categories = PROJECT_CATEGORIES;
  protected readonly statuses = PROJECT_STATUSES;
  protected readonly pageSize = 20;
  protected readonly items = signal<ProjectSummary[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly loading = signal(false);
  protected readonly exporting = signal(false);
  protected readonly units = signal<UnitOption[]>([]);
  protected readonly canSubmit = signal(maySubmit(this.auth.roles(), undefined));
  protected filters: ProjectFilters = emptyProjectFilters();
  /** The filters of the rows on screen: 导出 exports these, not what is typed but not yet searched. */
  private applied: ProjectFilters = emptyProjectFilters();

  ngOnInit(): void {
    // Filters live in the address, so 返回 from a project comes back to the same rows.
    const q = this.route.snapshot.queryParamMap;
    const year = Number(q.get('year'));
    this.filters = {
      keyword: q.get('keyword') ?? '',
      category: q.get('category'),
      status: q.get('status'),
      unitId: q.get('unitId'),
      year: q.get('year') && Number.isInteger(year) ? year : null,
    };
    this.applied = { ...this.filters };
    this.page.set(Math.max(1, Number(q.get('page')) || 1));
    void this.load();
    void this.loadUnits();
  }

  private async loadUnits(): Promise<void> {
    try {
      const options = flattenUnits(await this.api.get<UnitNode[]>('/org/units'));
      this.units.set(options);
      const mine = options.find((u) => u.id === this.auth.user()?.unitId);
      this.canSubmit.set(maySubmit(this.auth.roles(), mine?.kind));
    } catch {
      // The unit filter stays empty; the ledger itself still works.
    }
  }

  search(): void {
    this.applied = { ...this.filters };
    this.page.set(1);
    void this.load();
  }

  reset(): void {
    this.filters = emptyProjectFilters();
    this.search();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    const query = projectQuery(this.applied, this.pageSize, (this.page() - 1) * this.pageSize);
    const { limit: _l, offset: _o, ...shown } = query;
    void this.router.navigate([], {
      queryParams: { ...shown, page: this.page() > 1 ? this.page() : undefined },
      replaceUrl: true,
    });
    try {
      const res = await this.api.get<Page<ProjectSummary>>('/projects', query);
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '项目台账加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  /** All rows of the applied filters, every page, as a CSV that Excel opens in Chinese. */
  async exportCsv(): Promise<void> {
    this.exporting.set(true);
    try {
      const rows = await fetchAll((limit, offset) =>
        this.api.get<Page<ProjectSummary>>('/projects', projectQuery(this.applied, limit, offset)),
      );
      this.downloads.text(toCsv(rows, PROJECT_CSV_COLUMNS), csvFileName('项目台账'));
      this.message.success(`已导出 ${rows.length} 项`);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '导出失败，请重试');
    } finally {
      this.exporting.set(false);
    }
  }

  protected color(status: string): string {
    return projectStatusColor(status);
  }

  protected budget(value: number): string {
    return formatBudget(value);
  }

  protected years(start: number, end: number): string {
    return yearsText(start, end);
  }
}
