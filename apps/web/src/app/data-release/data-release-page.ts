import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
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
import { Viewport } from '../core/viewport';
import {
  OUTSIDE_STATUSES,
  RELEASE_STATUSES,
  outsideStatusColor,
  releaseStatusColor,
} from './data-release.logic';
import type { OutsideRequestRow, ReleaseRecord, ReleaseRequestRow } from './data-release.model';

type Tab = 'register' | 'requests' | 'outside';
const TABS: Tab[] = ['register', 'requests', 'outside'];

/** 数据发布: the public register of what was released in the ministry's name, the release requests, and outside requests. */
@Component({
  selector: 'zw-data-release-page',
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
        <h2>数据发布</h2>
        <div class="toolbar">
          @if (canRequest) {
            <a
              nz-button
              nzType="primary"
              routerLink="/data-release/requests/new"
              data-testid="rel-new"
              ><nz-icon nzType="plus" />发布申请</a
            >
          }
          @if (canRegister) {
            <a nz-button routerLink="/data-release/outside/new" data-testid="out-new"
              ><nz-icon nzType="mail" />登记外部门需求</a
            >
          }
        </div>
      </div>

      <nz-tabs [nzSelectedIndex]="tabIndex()" (nzSelectedIndexChange)="switchTab(tabs[$event])">
        <nz-tab nzTitle="发布登记" />
        <nz-tab nzTitle="发布申请" />
        <nz-tab nzTitle="外部门需求" />
      </nz-tabs>

      @if (tab() === 'register') {
        <form class="toolbar" (ngSubmit)="search()" role="search">
          <input
            nz-input
            name="keyword"
            [(ngModel)]="keyword"
            placeholder="数据资源、发布对象或范围"
            aria-label="搜索发布登记"
            class="search"
          />
          <button nz-button type="submit"><nz-icon nzType="search" />查询</button>
        </form>
        <p class="hint">以部名义发布的数据：发布什么、向谁发布、何时、由谁批准和发布。</p>
        @if (viewport.isPhone()) {
          <ul class="cards" data-testid="rel-register-cards">
            @for (x of releases(); track x.id) {
              <li class="card" data-testid="rel-register-card">
                <a [routerLink]="['/data-release/requests', x.requestId]">{{ x.datasetName }}</a>
                <div>{{ x.audienceType }}：{{ x.audience }}</div>
                <div class="muted">{{ x.scope }}</div>
                <div class="muted">
                  {{ x.releaseUnitName }} {{ x.releasedByName }} · {{ x.channel }} ·
                  {{ x.releasedAt | date: 'yyyy-MM-dd' }}
                </div>
              </li>
            } @empty {
              <li class="muted">{{ loading() ? '加载中…' : '暂无发布记录' }}</li>
            }
          </ul>
          @if (total() > pageSize) {
            <div class="toolbar">
              <button nz-button type="button" [disabled]="page() === 1" (click)="goTo(page() - 1)">
                上一页
              </button>
              <button
                nz-button
                type="button"
                [disabled]="page() * pageSize >= total()"
                (click)="goTo(page() + 1)"
              >
                下一页
              </button>
            </div>
          }
        } @else {
          <div class="scroll">
            <nz-table
              #reg
              data-testid="rel-register"
              [nzData]="releases()"
              [nzFrontPagination]="false"
              [nzTotal]="total()"
              [nzPageIndex]="page()"
              [nzPageSize]="pageSize"
              [nzLoading]="loading()"
              (nzPageIndexChange)="goTo($event)"
              nzSize="middle"
              nzNoResult="暂无发布记录"
              [nzScroll]="{ x: '960px' }"
            >
              <thead>
                <tr>
                  <th>数据资源</th>
                  <th nzWidth="200px">发布对象</th>
                  <th nzWidth="160px">范围</th>
                  <th nzWidth="140px">渠道</th>
                  <th nzWidth="150px">发布单位 / 人</th>
                  <th nzWidth="90px">批准</th>
                  <th nzWidth="130px">发布时间</th>
                </tr>
              </thead>
              <tbody>
                @for (x of reg.data; track x.id) {
                  <tr data-testid="rel-register-row">
                    <td>
                      <a [routerLink]="['/data-release/requests', x.requestId]">{{
                        x.datasetName
                      }}</a>
                      <div class="muted">{{ x.datasetCode }} · {{ x.category }}</div>
                    </td>
                    <td>
                      <nz-tag>{{ x.audienceType }}</nz-tag>
                      <div>{{ x.audience }}</div>
                    </td>
                    <td>{{ x.scope }}</td>
                    <td>
                      @if (x.link) {
                        <a [href]="x.link" target="_blank" rel="noopener">{{ x.channel }}</a>
                      } @else {
                        {{ x.channel }}
                      }
                    </td>
                    <td>{{ x.releaseUnitName }}<br />{{ x.releasedByName }}</td>
                    <td>{{ x.approvedByName }}</td>
                    <td>{{ x.releasedAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </div>
        }
      } @else if (tab() === 'requests') {
        <form class="toolbar" (ngSubmit)="search()" role="search">
          <nz-select
            name="status"
            [(ngModel)]="status"
            nzAllowClear
            nzPlaceHolder="状态"
            aria-label="状态"
            class="filter"
          >
            @for (s of releaseStatuses; track s) {
              <nz-option [nzValue]="s" [nzLabel]="s" />
            }
          </nz-select>
          <button nz-button type="submit"><nz-icon nzType="search" />查询</button>
          <span class="hint">本单位提出的，以及需本单位审核、批准或发布的申请</span>
        </form>
        @if (viewport.isPhone()) {
          <ul class="cards">
            @for (r of requests(); track r.id) {
              <li class="card" data-testid="rel-request-card">
                <a [routerLink]="['/data-release/requests', r.id]">{{ r.datasetName }}</a>
                <nz-tag [nzColor]="releaseColor(r.status)">{{ r.status }}</nz-tag>
                <div>{{ r.audienceType }}：{{ r.audience }}</div>
                <div class="muted">{{ r.unitName }} · {{ r.createdAt | date: 'yyyy-MM-dd' }}</div>
              </li>
            } @empty {
              <li class="muted">{{ loading() ? '加载中…' : '暂无数据发布申请' }}</li>
            }
          </ul>
        } @else {
          <div class="scroll">
            <nz-table
              #req
              data-testid="rel-requests"
              [nzData]="requests()"
              [nzFrontPagination]="false"
              [nzTotal]="total()"
              [nzPageIndex]="page()"
              [nzPageSize]="pageSize"
              [nzLoading]="loading()"
              (nzPageIndexChange)="goTo($event)"
              nzSize="middle"
              nzNoResult="暂无数据发布申请"
              [nzScroll]="{ x: '900px' }"
            >
              <thead>
                <tr>
                  <th>数据资源</th>
                  <th nzWidth="180px">发布对象</th>
                  <th nzWidth="130px">申请单位</th>
                  <th nzWidth="150px">发布单位</th>
                  <th nzWidth="90px">状态</th>
                  <th nzWidth="130px">申请时间</th>
                </tr>
              </thead>
              <tbody>
                @for (r of req.data; track r.id) {
                  <tr data-testid="rel-request-row">
                    <td>
                      <a [routerLink]="['/data-release/requests', r.id]">{{ r.datasetName }}</a>
                    </td>
                    <td>{{ r.audienceType }}：{{ r.audience }}</td>
                    <td>{{ r.unitName }}</td>
                    <td>{{ r.releaseUnitName }}</td>
                    <td>
                      <nz-tag [nzColor]="releaseColor(r.status)">{{ r.status }}</nz-tag>
                    </td>
                    <td>{{ r.createdAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </div>
        }
      } @else {
        <form class="toolbar" (ngSubmit)="search()" role="search">
          <nz-select
            name="ostatus"
            [(ngModel)]="status"
            nzAllowClear
            nzPlaceHolder="状态"
            aria-label="状态"
            class="filter"
          >
            @for (s of outsideStatuses; track s) {
              <nz-option [nzValue]="s" [nzLabel]="s" />
            }
          </nz-select>
          <button nz-button type="submit"><nz-icon nzType="search" />查询</button>
          <span class="hint"
            >其他政府部门和行业的数据需求，由信息办登记、征求数据生产单位意见后以部名义复函</span
          >
        </form>
        @if (viewport.isPhone()) {
          <ul class="cards">
            @for (o of outside(); track o.id) {
              <li class="card" data-testid="out-card">
                <a [routerLink]="['/data-release/outside', o.id]">{{ o.organName }}</a>
                <nz-tag [nzColor]="outsideColor(o.status)">{{ o.status }}</nz-tag>
                <div class="muted">{{ o.letterRef }} · {{ o.receivedOn }}</div>
                <div>{{ o.datasetNames?.join('、') || '—' }}</div>
              </li>
            } @empty {
              <li class="muted">{{ loading() ? '加载中…' : '暂无外部门数据需求' }}</li>
            }
          </ul>
        } @else {
          <div class="scroll">
            <nz-table
              #out
              data-testid="out-requests"
              [nzData]="outside()"
              [nzFrontPagination]="false"
              [nzTotal]="total()"
              [nzPageIndex]="page()"
              [nzPageSize]="pageSize"
              [nzLoading]="loading()"
              (nzPageIndexChange)="goTo($event)"
              nzSize="middle"
              nzNoResult="暂无外部门数据需求"
              [nzScroll]="{ x: '900px' }"
            >
              <thead>
                <tr>
                  <th>来函单位</th>
                  <th nzWidth="170px">来函文号</th>
                  <th>所需数据</th>
                  <th nzWidth="100px">收文日期</th>
                  <th nzWidth="100px">状态</th>
                </tr>
              </thead>
              <tbody>
                @for (o of out.data; track o.id) {
                  <tr data-testid="out-row">
                    <td>
                      <a [routerLink]="['/data-release/outside', o.id]">{{ o.organName }}</a>
                      <div class="muted">{{ o.organKind }}</div>
                    </td>
                    <td>{{ o.letterRef }}</td>
                    <td>{{ o.datasetNames?.join('、') || '—' }}</td>
                    <td>{{ o.receivedOn }}</td>
                    <td>
                      <nz-tag [nzColor]="outsideColor(o.status)">{{ o.status }}</nz-tag>
                    </td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </div>
        }
      }
    </div>
  `,
  styles: `
    .search {
      width: 260px;
      max-width: 100%;
    }
    .filter {
      width: 140px;
    }
    .hint,
    .muted {
      color: #595959;
    }
    .muted {
      font-size: 12px;
    }
    .scroll {
      overflow-x: auto;
    }
    .cards {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    .card {
      padding: 10px 0;
      border-bottom: 1px solid #f0f0f0;
      overflow-wrap: anywhere;
    }
    .card nz-tag {
      margin-left: 8px;
    }
  `,
})
export class DataReleasePage {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  protected readonly tabs = TABS;
  /** As the api: drafters ask for releases; 信息办 registers outside requests (the api checks the unit). */
  protected readonly canRequest = this.auth.hasRole('drafter');
  protected readonly canRegister = this.auth.hasRole('office-reviewer', 'drafter');
  protected readonly releaseStatuses = RELEASE_STATUSES;
  protected readonly outsideStatuses = OUTSIDE_STATUSES;
  protected readonly pageSize = 20;
  protected readonly tab = signal<Tab>(this.initialTab());
  protected readonly tabIndex = () => TABS.indexOf(this.tab());
  protected readonly releases = signal<ReleaseRecord[]>([]);
  protected readonly requests = signal<ReleaseRequestRow[]>([]);
  protected readonly outside = signal<OutsideRequestRow[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly loading = signal(false);
  protected keyword = '';
  protected status: string | null = null;

  constructor() {
    void this.load();
  }

  private initialTab(): Tab {
    const tab = this.route.snapshot.queryParamMap.get('tab');
    return TABS.includes(tab as Tab) ? (tab as Tab) : 'register';
  }

  switchTab(tab: Tab | undefined): void {
    if (!tab || tab === this.tab()) return;
    this.tab.set(tab);
    this.status = null;
    this.page.set(1);
    this.total.set(0);
    void this.router.navigate([], { queryParams: { tab }, replaceUrl: true });
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
    const paging = { limit: this.pageSize, offset: (this.page() - 1) * this.pageSize };
    try {
      const tab = this.tab();
      if (tab === 'register') {
        const res = await this.api.get<{ items: ReleaseRecord[]; total: number }>(
          '/data-release/releases',
          {
            keyword: this.keyword.trim() || null,
            ...paging,
          },
        );
        this.releases.set(res.items);
        this.total.set(res.total);
      } else if (tab === 'requests') {
        const res = await this.api.get<{ items: ReleaseRequestRow[]; total: number }>(
          '/data-release/requests',
          {
            status: this.status,
            ...paging,
          },
        );
        this.requests.set(res.items);
        this.total.set(res.total);
      } else {
        const res = await this.api.get<{ items: OutsideRequestRow[]; total: number }>(
          '/data-release/outside-requests',
          { status: this.status, ...paging },
        );
        this.outside.set(res.items);
        this.total.set(res.total);
      }
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '列表加载失败，请刷新页面');
    } finally {
      this.loading.set(false);
    }
  }

  protected releaseColor(status: string): string {
    return releaseStatusColor(status);
  }

  protected outsideColor(status: string): string {
    return outsideStatusColor(status);
  }
}
