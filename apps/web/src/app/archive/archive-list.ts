import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import {
  RETENTION_OPTIONS,
  archiveQuery,
  validateFilter,
  type ArchiveFilter,
  type FilterErrors,
} from './archive.logic';
import type { ArchiveAlert, ArchivePackage } from './archive.types';

/** 电子档案: search the packages of the archivist's organ, and the open fixity alerts. */
@Component({
  selector: 'zw-archive-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    FormsModule,
    RouterLink,
    DatePipe,
    NzFormModule,
    NzInputModule,
    NzSelectModule,
    NzButtonModule,
    NzTableModule,
    NzTagModule,
    NzCardModule,
    NzAlertModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>电子档案</h2>
        <div class="toolbar"><a nz-button routerLink="/archive/transfers">移交与接收</a></div>
      </div>

      @if (alerts().length) {
        <nz-card nzTitle="检测告警" nzSize="small" class="alerts">
          <ul>
            @for (a of alerts(); track a.id) {
              <li>
                <a [routerLink]="['/archive', a.packageId]">{{ a.archiveNumber }}</a>
                <span class="overdue">{{ a.message }}</span>
                <span class="muted">{{ a.createdAt | date: 'yyyy-MM-dd HH:mm' }}</span>
              </li>
            }
          </ul>
        </nz-card>
      }

      <form nz-form nzLayout="inline" class="toolbar" (ngSubmit)="search()">
        <nz-form-item>
          <nz-form-label nzFor="archive-year">年度</nz-form-label>
          <nz-form-control
            [nzErrorTip]="errors().year"
            [nzValidateStatus]="errors().year ? 'error' : ''"
          >
            <input
              nz-input
              id="archive-year"
              name="year"
              [(ngModel)]="filter.year"
              placeholder="如 2026"
              inputmode="numeric"
              style="width: 110px"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="archive-retention">保管期限</nz-form-label>
          <nz-form-control>
            <nz-select
              nzId="archive-retention"
              name="retention"
              [(ngModel)]="filter.retention"
              nzAllowClear
              nzPlaceHolder="全部"
              style="width: 110px"
            >
              @for (o of retentions; track o.value) {
                <nz-option [nzValue]="o.value" [nzLabel]="o.label" />
              }
            </nz-select>
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="archive-unit">机构代码</nz-form-label>
          <nz-form-control
            [nzErrorTip]="errors().unit"
            [nzValidateStatus]="errors().unit ? 'error' : ''"
          >
            <input
              nz-input
              id="archive-unit"
              name="unit"
              [(ngModel)]="filter.unit"
              placeholder="如 GHS"
              style="width: 110px"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="archive-keyword">关键词</nz-form-label>
          <nz-form-control
            [nzErrorTip]="errors().keyword"
            [nzValidateStatus]="errors().keyword ? 'error' : ''"
          >
            <input
              nz-input
              id="archive-keyword"
              name="keyword"
              [(ngModel)]="filter.keyword"
              placeholder="题名、档号或文件编号"
              style="width: 220px"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <button nz-button nzType="primary" type="submit">查询</button>
          <button nz-button type="button" (click)="reset()">重置</button>
        </nz-form-item>
      </form>

      <nz-table
        #t
        [nzData]="items()"
        [nzLoading]="loading()"
        [nzFrontPagination]="false"
        [nzTotal]="total()"
        [nzPageIndex]="page()"
        [nzPageSize]="pageSize()"
        [nzShowSizeChanger]="true"
        (nzPageIndexChange)="goTo($event)"
        (nzPageSizeChange)="resize($event)"
        [nzScroll]="{ x: '1100px' }"
        nzSize="middle"
      >
        <thead>
          <tr>
            <th nzWidth="220px">档号</th>
            <th>题名</th>
            <th nzWidth="160px">文件编号</th>
            <th nzWidth="120px">机构</th>
            <th nzWidth="80px">保管期限</th>
            <th nzWidth="110px">日期</th>
            <th nzWidth="100px">最近检测</th>
          </tr>
        </thead>
        <tbody>
          @for (p of t.data; track p.id) {
            <tr>
              <td>
                <a [routerLink]="['/archive', p.id]">{{ p.archiveNumber }}</a>
              </td>
              <td>{{ p.title }}</td>
              <td>{{ p.docNumber ?? '—' }}</td>
              <td>{{ p.unitName }}</td>
              <td>{{ p.retentionLabel }}</td>
              <td>{{ p.date }}</td>
              <td>
                @if (p.lastCheckOk === null) {
                  <span class="muted">未检测</span>
                } @else {
                  <nz-tag [nzColor]="p.lastCheckOk ? 'green' : 'red'">{{
                    p.lastCheckOk ? '通过' : '未通过'
                  }}</nz-tag>
                }
              </td>
            </tr>
          }
        </tbody>
      </nz-table>
    </div>
  `,
  styles: `
    .alerts {
      margin-bottom: 12px;
    }
    .alerts ul {
      margin: 0;
      padding-left: 18px;
    }
    .alerts li span {
      margin-left: 8px;
    }
    .muted {
      color: #595959;
    }
  `,
})
export class ArchiveList implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly retentions = RETENTION_OPTIONS;
  protected filter: ArchiveFilter = { year: '', retention: '', unit: '', keyword: '' };
  protected readonly errors = signal<FilterErrors>({});
  protected readonly items = signal<ArchivePackage[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly pageSize = signal(20);
  protected readonly loading = signal(false);
  protected readonly alerts = signal<ArchiveAlert[]>([]);

  ngOnInit(): void {
    void this.load();
    void this.loadAlerts();
  }

  search(): void {
    this.page.set(1);
    void this.load();
  }

  reset(): void {
    this.filter = { year: '', retention: '', unit: '', keyword: '' };
    this.search();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  resize(size: number): void {
    this.pageSize.set(size);
    this.page.set(1);
    void this.load();
  }

  private async load(): Promise<void> {
    const errors = validateFilter(this.filter);
    this.errors.set(errors);
    if (Object.keys(errors).length) return;
    this.loading.set(true);
    try {
      const res = await this.api.get<{ items: ArchivePackage[]; total: number }>(
        '/archive',
        archiveQuery(this.filter, this.page(), this.pageSize()),
      );
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.showError(error);
    } finally {
      this.loading.set(false);
    }
  }

  private async loadAlerts(): Promise<void> {
    try {
      this.alerts.set(await this.api.get<ArchiveAlert[]>('/archive/alerts'));
    } catch (error) {
      this.showError(error);
    }
  }

  private showError(error: unknown): void {
    if (!(error instanceof ApiError)) {
      this.message.error('加载失败，请刷新页面重试');
      return;
    }
    this.errors.set({
      year: error.fieldMessage('year'),
      unit: error.fieldMessage('unit'),
      keyword: error.fieldMessage('keyword'),
    });
    this.message.error(error.message);
  }
}
