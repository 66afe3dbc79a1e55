import { DatePipe } from '@angular/common';
import { Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTabsModule } from 'ng-zorro-antd/tabs';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import {
  DATA_REQUEST_STATUSES,
  SECRECY_LEVELS,
  categoriesOf,
  dataRequestStatusColor,
  emptyCatalogueFilter,
  filterCatalogue,
  ownersOf,
  secrecyColor,
  type CatalogueFilter,
  type Dataset,
} from './data-request-form.logic';
import type { DataRequestRow } from './data-request.model';

type Tab = 'catalogue' | 'requests';

/** 数据使用申请: the data catalogue to choose from, and the requests the caller may see. */
@Component({
  selector: 'zw-data-requests-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzIconModule,
    NzInputModule,
    NzSelectModule,
    NzTableModule,
    NzTabsModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>数据使用申请</h2>
        @if (canApply) {
          <a nz-button nzType="primary" routerLink="/data-requests/new" data-testid="dr-new"
            ><nz-icon nzType="plus" />新建申请</a
          >
        }
      </div>

      <nz-tabs
        [nzSelectedIndex]="tab() === 'catalogue' ? 0 : 1"
        (nzSelectedIndexChange)="switchTab($event === 0 ? 'catalogue' : 'requests')"
      >
        <nz-tab nzTitle="数据目录" />
        <nz-tab nzTitle="申请列表" />
      </nz-tabs>

      @if (tab() === 'catalogue') {
        <div class="toolbar" role="search">
          <input
            nz-input
            name="ck"
            [ngModel]="filter().keyword"
            (ngModelChange)="setFilter({ keyword: $event })"
            placeholder="名称、编码、说明或主管单位"
            aria-label="搜索数据资源"
            class="search"
          />
          <nz-select
            [ngModel]="filter().category"
            (ngModelChange)="setFilter({ category: $event })"
            nzAllowClear
            nzPlaceHolder="类别"
            aria-label="类别"
            class="filter wide"
          >
            @for (c of categories(); track c) {
              <nz-option [nzValue]="c" [nzLabel]="c" />
            }
          </nz-select>
          <nz-select
            [ngModel]="filter().secrecy"
            (ngModelChange)="setFilter({ secrecy: $event })"
            nzAllowClear
            nzPlaceHolder="密级"
            aria-label="密级"
            class="filter"
          >
            @for (s of secrecyLevels; track s) {
              <nz-option [nzValue]="s" [nzLabel]="s" />
            }
          </nz-select>
          <nz-select
            [ngModel]="filter().ownerUnitId"
            (ngModelChange)="setFilter({ ownerUnitId: $event })"
            nzAllowClear
            nzPlaceHolder="主管单位"
            aria-label="主管单位"
            class="filter wide"
          >
            @for (o of owners(); track o.id) {
              <nz-option [nzValue]="o.id" [nzLabel]="o.name" />
            }
          </nz-select>
          <span class="count">共 {{ shownCatalogue().length }} 项</span>
        </div>

        <div class="scroll">
          <nz-table
            #cat
            data-testid="catalogue-table"
            [nzData]="shownCatalogue()"
            [nzLoading]="catalogueLoading()"
            [nzPageSize]="20"
            [nzHideOnSinglePage]="true"
            nzSize="middle"
            nzNoResult="没有符合条件的数据资源"
            [nzScroll]="{ x: '1080px' }"
          >
            <thead>
              <tr>
                <th nzWidth="120px">编码</th>
                <th>数据资源</th>
                <th nzWidth="140px">类别</th>
                <th nzWidth="70px">密级</th>
                <th nzWidth="170px">可提供格式</th>
                <th nzWidth="120px">主管单位</th>
                <th nzWidth="170px">操作</th>
              </tr>
            </thead>
            <tbody>
              @for (d of cat.data; track d.id) {
                <tr data-testid="catalogue-row">
                  <td class="code">{{ d.code }}</td>
                  <td>
                    <div class="name">{{ d.name }}</div>
                    @if (d.description) {
                      <div class="desc">{{ d.description }}</div>
                    }
                  </td>
                  <td>{{ d.category }}</td>
                  <td>
                    <nz-tag [nzColor]="secrecy(d.secrecy)">{{ d.secrecy }}</nz-tag>
                  </td>
                  <td>
                    @for (f of d.formats; track f) {
                      <nz-tag>{{ f }}</nz-tag>
                    }
                  </td>
                  <td>{{ d.ownerUnitName || '—' }}</td>
                  <td>
                    <div class="ops">
                      @if (canApply) {
                        <a
                          nz-button
                          nzType="primary"
                          nzSize="small"
                          [routerLink]="['/data-requests/new']"
                          [queryParams]="{ dataset: d.id }"
                          data-testid="dr-apply"
                          [attr.aria-label]="'申请使用' + d.name"
                          >申请使用</a
                        >
                      }
                      <button
                        nz-button
                        nzSize="small"
                        type="button"
                        (click)="showRequestsOf(d)"
                        [attr.aria-label]="'相关申请：' + d.name"
                      >
                        相关申请
                      </button>
                    </div>
                  </td>
                </tr>
              }
            </tbody>
          </nz-table>
        </div>
      } @else {
        <form class="toolbar" (ngSubmit)="search()" role="search">
          <input
            nz-input
            name="keyword"
            [(ngModel)]="keyword"
            placeholder="标题、用途、数据范围或申请单位"
            aria-label="搜索申请"
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
            name="datasetId"
            [(ngModel)]="datasetId"
            nzAllowClear
            nzShowSearch
            nzPlaceHolder="数据资源"
            aria-label="数据资源"
            class="filter wide"
          >
            @for (d of catalogue(); track d.id) {
              <nz-option [nzValue]="d.id" [nzLabel]="d.name" />
            }
          </nz-select>
          <button nz-button type="submit"><nz-icon nzType="search" />查询</button>
          <span class="hint">显示本单位（含下级单位）提出的申请，以及需本单位办理的申请</span>
        </form>

        <div class="scroll">
          <nz-table
            #req
            data-testid="dr-table"
            [nzData]="items()"
            [nzFrontPagination]="false"
            [nzTotal]="total()"
            [nzPageIndex]="page()"
            [nzPageSize]="pageSize"
            [nzLoading]="loading()"
            (nzPageIndexChange)="goTo($event)"
            nzSize="middle"
            nzNoResult="暂无数据使用申请"
            [nzScroll]="{ x: '1080px' }"
          >
            <thead>
              <tr>
                <th>标题</th>
                <th nzWidth="200px">数据资源</th>
                <th nzWidth="150px">申请单位</th>
                <th nzWidth="90px">数据范围</th>
                <th nzWidth="110px">使用期限</th>
                <th nzWidth="90px">状态</th>
                <th nzWidth="130px">申请时间</th>
              </tr>
            </thead>
            <tbody>
              @for (r of req.data; track r.id) {
                <tr data-testid="dr-row">
                  <td>
                    <a [routerLink]="['/data-requests', r.id]">{{ r.title }}</a>
                  </td>
                  <td>{{ r.datasetNames?.join('、') || '—' }}</td>
                  <td>{{ r.unitName }}</td>
                  <td>{{ r.regionName }}</td>
                  <td class="period">{{ r.periodFrom }}<br />至 {{ r.periodTo }}</td>
                  <td>
                    <nz-tag [nzColor]="color(r.status)">{{ r.status }}</nz-tag>
                  </td>
                  <td>{{ r.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                </tr>
              }
            </tbody>
          </nz-table>
        </div>
      }
    </div>
  `,
  styles: `
    .search {
      width: 260px;
    }
    .filter {
      width: 120px;
    }
    .filter.wide {
      width: 180px;
    }
    .count,
    .hint {
      color: #595959;
      align-self: center;
    }
    .scroll {
      overflow-x: auto;
    }
    .code {
      font-family: ui-monospace, Consolas, monospace;
      font-size: 12px;
    }
    .name {
      font-weight: 500;
    }
    .desc {
      color: #666;
      font-size: 12px;
      margin-top: 2px;
    }
    .period {
      white-space: nowrap;
    }
    .ops {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    nz-tag {
      margin-bottom: 2px;
    }
  `,
})
export class DataRequestsPage {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly message = inject(NzMessageService);
  /** POST /data-requests is for drafters (承办人). */
  protected readonly canApply = this.auth.hasRole('drafter');
  protected readonly statuses = DATA_REQUEST_STATUSES;
  protected readonly secrecyLevels = SECRECY_LEVELS;
  protected readonly pageSize = 20;
  protected readonly tab = signal<Tab>(
    this.route.snapshot.queryParamMap.get('tab') === 'requests' ? 'requests' : 'catalogue',
  );

  protected readonly catalogue = signal<Dataset[]>([]);
  protected readonly catalogueLoading = signal(false);
  protected readonly filter = signal<CatalogueFilter>(emptyCatalogueFilter());
  protected readonly categories = computed(() => categoriesOf(this.catalogue()));
  protected readonly owners = computed(() => ownersOf(this.catalogue()));
  protected readonly shownCatalogue = computed(() =>
    filterCatalogue(this.catalogue(), this.filter()),
  );

  protected readonly items = signal<DataRequestRow[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly loading = signal(false);
  protected keyword = '';
  protected status: string | null = null;
  protected datasetId: string | null = this.route.snapshot.queryParamMap.get('datasetId');

  constructor() {
    // The catalogue also feeds the list's 数据资源 filter, so it loads on either tab.
    void this.loadCatalogue();
    if (this.tab() === 'requests') void this.load();
  }

  switchTab(tab: Tab): void {
    if (tab === this.tab()) return;
    this.tab.set(tab);
    void this.router.navigate([], {
      queryParams: { tab, datasetId: null },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
    if (tab === 'requests') void this.load();
  }

  setFilter(patch: Partial<CatalogueFilter>): void {
    this.filter.update((f) => ({ ...f, ...patch }));
  }

  /** From a catalogue row to the requests for that dataset. */
  showRequestsOf(d: Dataset): void {
    this.datasetId = d.id;
    this.keyword = '';
    this.status = null;
    this.page.set(1);
    this.tab.set('requests');
    void this.router.navigate([], {
      queryParams: { tab: 'requests', datasetId: d.id },
      replaceUrl: true,
    });
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

  async loadCatalogue(): Promise<void> {
    this.catalogueLoading.set(true);
    try {
      this.catalogue.set((await this.api.get<{ items: Dataset[] }>('/datasets')).items);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '数据目录加载失败，请刷新页面',
      );
    } finally {
      this.catalogueLoading.set(false);
    }
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: DataRequestRow[]; total: number }>('/data-requests', {
        keyword: this.keyword.trim(),
        status: this.status,
        datasetId: this.datasetId,
        limit: this.pageSize,
        offset: (this.page() - 1) * this.pageSize,
      });
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '申请列表加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  protected color(status: string): string {
    return dataRequestStatusColor(status);
  }

  protected secrecy(level: string): string {
    return secrecyColor(level);
  }
}
