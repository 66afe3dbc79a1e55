import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { csvFileName, toCsv } from './csv';
import { Downloads } from '../core/downloads';
import {
  SYSTEM_CSV_COLUMNS,
  emptySystemFilters,
  fetchAll,
  systemChangesText,
  systemQuery,
  systemStatusColor,
  type SystemFilters,
} from './ledger.logic';
import { LedgerTabs } from './ledger-tabs';
import {
  emptySystemForm,
  levelOfUnitKind,
  toSystemBody,
  validateSystemForm,
  type FieldErrors,
  type SystemField,
  type SystemForm,
} from './project-form.logic';
import {
  SYSTEM_LEVELS,
  SYSTEM_STATUSES,
  flattenUnits,
  type DeployedSystem,
  type DeployedSystemDetail,
  type Page,
  type ProjectSummary,
  type UnitNode,
  type UnitOption,
} from './project.model';

const FIELDS: SystemField[] = [
  'name',
  'unitId',
  'level',
  'version',
  'goLiveDate',
  'status',
  'projectId',
  'description',
  'reason',
];

/** 应用系统部署台账: systems deployed at 部/省/市/县 level, kept by 信息办 and 信息中心; every change with its reason. */
@Component({
  selector: 'zw-systems-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzDescriptionsModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzModalModule,
    NzSelectModule,
    NzTableModule,
    NzTagModule,
    NzTimelineModule,
    LedgerTabs,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>项目立项与台账</h2>
        @if (isKeeper) {
          <button
            nz-button
            nzType="primary"
            type="button"
            (click)="openCreate()"
            data-testid="new-system"
          >
            <nz-icon nzType="plus" />登记系统
          </button>
        }
      </div>
      <zw-ledger-tabs active="systems" />

      <form class="toolbar" (ngSubmit)="search()">
        <input
          nz-input
          name="keyword"
          [(ngModel)]="filters.keyword"
          placeholder="系统名称或说明"
          aria-label="搜索系统名称或说明"
          class="search"
        />
        <nz-select
          name="level"
          [(ngModel)]="filters.level"
          nzAllowClear
          nzPlaceHolder="部署层级"
          aria-label="部署层级"
          class="short"
        >
          @for (l of levels; track l) {
            <nz-option [nzValue]="l" [nzLabel]="l" />
          }
        </nz-select>
        <nz-select
          name="status"
          [(ngModel)]="filters.status"
          nzAllowClear
          nzPlaceHolder="运行状态"
          aria-label="运行状态"
          class="short"
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
          nzPlaceHolder="部署单位（含下级）"
          aria-label="部署单位"
          class="unit"
        >
          @for (u of units(); track u.id) {
            <nz-option nzCustomContent [nzValue]="u.id" [nzLabel]="u.label.trim()"
              ><span class="tree">{{ u.label }}</span></nz-option
            >
          }
        </nz-select>
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
          data-testid="systems-table"
          [nzData]="items()"
          [nzFrontPagination]="false"
          [nzTotal]="total()"
          [nzPageIndex]="page()"
          [nzPageSize]="pageSize"
          [nzLoading]="loading()"
          [nzShowTotal]="totalText"
          (nzPageIndexChange)="goTo($event)"
          nzSize="middle"
          nzNoResult="没有符合条件的系统"
          [nzScroll]="{ x: '1060px' }"
        >
          <thead>
            <tr>
              <th>系统名称</th>
              <th nzWidth="180px">部署单位</th>
              <th nzWidth="80px">层级</th>
              <th nzWidth="90px">版本</th>
              <th nzWidth="110px">上线日期</th>
              <th nzWidth="90px">运行状态</th>
              <th nzWidth="200px">来源项目</th>
              <th nzWidth="110px">操作</th>
            </tr>
          </thead>
          <tbody>
            @for (s of table.data; track s.id) {
              <tr data-testid="system-row" [attr.data-system-id]="s.id">
                <td>{{ s.name }}</td>
                <td>{{ s.unitName }}</td>
                <td>{{ s.level }}</td>
                <td>{{ s.version }}</td>
                <td>{{ s.goLiveDate }}</td>
                <td>
                  <nz-tag [nzColor]="color(s.status)">{{ s.status }}</nz-tag>
                </td>
                <td>
                  @if (s.projectId) {
                    <a [routerLink]="['/projects', s.projectId]"
                      >{{ s.projectNo }} {{ s.projectName }}</a
                    >
                  } @else {
                    —
                  }
                </td>
                <td class="ops">
                  <button type="button" class="link" (click)="view(s)">查看</button>
                  @if (isKeeper) {
                    <button type="button" class="link" (click)="openEdit(s)">修改</button>
                  }
                </td>
              </tr>
            }
          </tbody>
        </nz-table>
        <ng-template #totalText let-total>共 {{ total }} 个系统</ng-template>
      </div>

      <!-- 查看: the record and every change with its reason -->
      <nz-modal
        [nzVisible]="!!viewing()"
        [nzTitle]="viewing()?.name ?? ''"
        nzWidth="760px"
        (nzOnCancel)="viewing.set(null)"
        [nzFooter]="viewFooter"
      >
        <ng-container *nzModalContent>
          @if (viewing(); as s) {
            <nz-descriptions nzBordered nzSize="small" [nzColumn]="2">
              <nz-descriptions-item nzTitle="部署单位">{{ s.unitName }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="部署层级">{{ s.level }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="版本号">{{ s.version }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="上线日期">{{ s.goLiveDate }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="运行状态"
                ><nz-tag [nzColor]="color(s.status)">{{ s.status }}</nz-tag></nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="来源项目">
                @if (s.projectId) {
                  <a [routerLink]="['/projects', s.projectId]" (click)="viewing.set(null)"
                    >{{ s.projectNo }} {{ s.projectName }}</a
                  >
                } @else {
                  —
                }
              </nz-descriptions-item>
              <nz-descriptions-item nzTitle="说明" [nzSpan]="2">{{
                s.description || '—'
              }}</nz-descriptions-item>
            </nz-descriptions>
            <h4 class="history-title">变更记录</h4>
            <nz-timeline>
              @for (h of s.history; track $index) {
                <nz-timeline-item>
                  <div>
                    <strong>{{ h.action === 'create' ? '登记' : '修改' }}</strong> ·
                    {{ h.userName }}
                    @if (h.unitName) {
                      （{{ h.unitName }}）
                    }
                    <span class="muted">{{ h.at | date: 'yyyy-MM-dd HH:mm' }}</span>
                  </div>
                  @if (h.action !== 'create') {
                    <div>{{ changes(h.changes) }}</div>
                  }
                  @if (h.reason) {
                    <div>原因：{{ h.reason }}</div>
                  }
                </nz-timeline-item>
              }
            </nz-timeline>
          }
        </ng-container>
      </nz-modal>
      <ng-template #viewFooter>
        @if (isKeeper && viewing()) {
          <button nz-button type="button" (click)="openEdit(viewing()!)">修改</button>
        }
        <button nz-button nzType="primary" type="button" (click)="viewing.set(null)">关闭</button>
      </ng-template>

      <!-- 登记 / 修改 -->
      <nz-modal
        [nzVisible]="editing()"
        [nzTitle]="editId() ? '修改系统信息' : '登记应用系统'"
        nzWidth="720px"
        nzOkText="保存"
        nzCancelText="取消"
        [nzOkLoading]="saving()"
        (nzOnOk)="save()"
        (nzOnCancel)="editing.set(false)"
      >
        <ng-container *nzModalContent>
          @if (formError()) {
            <nz-alert nzType="error" nzShowIcon [nzMessage]="formError()!" class="alert" />
          }
          <form
            nz-form
            nzLayout="vertical"
            (ngSubmit)="save()"
            novalidate
            data-testid="system-form"
          >
            <nz-form-item>
              <nz-form-label nzFor="sys-name" nzRequired>系统名称</nz-form-label>
              <nz-form-control [nzValidateStatus]="st('name')" [nzErrorTip]="errors().name ?? ''">
                <input
                  nz-input
                  id="sys-name"
                  name="name"
                  [(ngModel)]="form.name"
                  (ngModelChange)="retouch()"
                  maxlength="100"
                />
              </nz-form-control>
            </nz-form-item>
            <div class="row">
              <nz-form-item>
                <nz-form-label nzFor="sys-unit" nzRequired>部署单位</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="st('unitId')"
                  [nzErrorTip]="errors().unitId ?? ''"
                  [nzExtra]="editId() ? '登记后不能修改' : ''"
                >
                  <nz-select
                    nzId="sys-unit"
                    name="unitId"
                    [(ngModel)]="form.unitId"
                    (ngModelChange)="unitPicked($event)"
                    nzShowSearch
                    nzPlaceHolder="选择部署单位"
                    [nzDisabled]="!!editId()"
                  >
                    @for (u of units(); track u.id) {
                      <nz-option nzCustomContent [nzValue]="u.id" [nzLabel]="u.label.trim()"
                        ><span class="tree">{{ u.label }}</span></nz-option
                      >
                    }
                  </nz-select>
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="sys-level" nzRequired>部署层级</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="st('level')"
                  [nzErrorTip]="errors().level ?? ''"
                  nzExtra="由部署单位确定"
                >
                  <nz-select
                    nzId="sys-level"
                    name="level"
                    [(ngModel)]="form.level"
                    (ngModelChange)="retouch()"
                    nzPlaceHolder="部署层级"
                    [nzDisabled]="!!editId()"
                  >
                    @for (l of levels; track l) {
                      <nz-option [nzValue]="l" [nzLabel]="l" />
                    }
                  </nz-select>
                </nz-form-control>
              </nz-form-item>
            </div>
            <div class="row three">
              <nz-form-item>
                <nz-form-label nzFor="sys-version" nzRequired>版本号</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="st('version')"
                  [nzErrorTip]="errors().version ?? ''"
                >
                  <input
                    nz-input
                    id="sys-version"
                    name="version"
                    [(ngModel)]="form.version"
                    (ngModelChange)="retouch()"
                    maxlength="32"
                    placeholder="如：V2.1"
                  />
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="sys-date" nzRequired>上线日期</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="st('goLiveDate')"
                  [nzErrorTip]="errors().goLiveDate ?? ''"
                >
                  <input
                    nz-input
                    type="date"
                    id="sys-date"
                    name="goLiveDate"
                    [(ngModel)]="form.goLiveDate"
                    (ngModelChange)="retouch()"
                  />
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="sys-status" nzRequired>运行状态</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="st('status')"
                  [nzErrorTip]="errors().status ?? ''"
                >
                  <nz-select
                    nzId="sys-status"
                    name="status"
                    [(ngModel)]="form.status"
                    (ngModelChange)="retouch()"
                  >
                    @for (s of statuses; track s) {
                      <nz-option [nzValue]="s" [nzLabel]="s" />
                    }
                  </nz-select>
                </nz-form-control>
              </nz-form-item>
            </div>
            <nz-form-item>
              <nz-form-label nzFor="sys-project">来源项目</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="st('projectId')"
                [nzErrorTip]="errors().projectId ?? ''"
                nzExtra="已立项、在建或已建成的信息化项目"
              >
                <nz-select
                  nzId="sys-project"
                  name="projectId"
                  [(ngModel)]="form.projectId"
                  (ngModelChange)="retouch()"
                  nzAllowClear
                  nzShowSearch
                  nzPlaceHolder="（可不选）"
                >
                  @for (p of projects(); track p.id) {
                    <nz-option [nzValue]="p.id" [nzLabel]="(p.projectNo ?? '') + ' ' + p.name" />
                  }
                </nz-select>
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="sys-desc">说明</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="st('description')"
                [nzErrorTip]="errors().description ?? ''"
              >
                <textarea
                  nz-input
                  id="sys-desc"
                  name="description"
                  rows="2"
                  [(ngModel)]="form.description"
                  (ngModelChange)="retouch()"
                  maxlength="2000"
                ></textarea>
              </nz-form-control>
            </nz-form-item>
            @if (editId()) {
              <nz-form-item>
                <nz-form-label nzFor="sys-reason" nzRequired>变更原因</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="st('reason')"
                  [nzErrorTip]="errors().reason ?? ''"
                >
                  <textarea
                    nz-input
                    id="sys-reason"
                    name="reason"
                    rows="2"
                    [(ngModel)]="form.reason"
                    (ngModelChange)="retouch()"
                    maxlength="2000"
                    placeholder="如：升级至 V2.2"
                  ></textarea>
                </nz-form-control>
              </nz-form-item>
            }
          </form>
        </ng-container>
      </nz-modal>
    </div>
  `,
  styles: `
    .tree {
      white-space: pre;
    }
    .search {
      width: 220px;
    }
    .short {
      width: 120px;
    }
    .unit {
      width: 220px;
    }
    .spacer {
      flex: 1;
    }
    .scroll {
      overflow-x: auto;
    }
    .ops {
      display: flex;
      gap: 12px;
    }
    .link {
      border: 0;
      background: none;
      padding: 0;
      color: #0958d9;
      cursor: pointer;
    }
    .muted {
      color: #595959;
      margin-left: 8px;
    }
    .history-title {
      margin: 16px 0 8px;
    }
    .alert {
      margin-bottom: 12px;
    }
    .row {
      display: grid;
      grid-template-columns: repeat(2, minmax(0, 1fr));
      gap: 0 16px;
    }
    .row.three {
      grid-template-columns: repeat(3, minmax(0, 1fr));
    }
  `,
})
export class SystemsPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly downloads = inject(Downloads);
  private readonly message = inject(NzMessageService);
  protected readonly levels = SYSTEM_LEVELS;
  protected readonly statuses = SYSTEM_STATUSES;
  /** 信息办's reviewers and 信息中心's data administrators keep this ledger (the api checks the unit too). */
  protected readonly isKeeper = this.auth.hasRole('office-reviewer', 'data-admin');
  protected readonly pageSize = 20;
  protected readonly items = signal<DeployedSystem[]>([]);
  protected readonly total = signal(0);
  protected readonly page = signal(1);
  protected readonly loading = signal(false);
  protected readonly exporting = signal(false);
  protected readonly units = signal<UnitOption[]>([]);
  protected readonly projects = signal<ProjectSummary[]>([]);
  protected readonly viewing = signal<DeployedSystemDetail | null>(null);
  protected readonly editing = signal(false);
  protected readonly editId = signal<string | null>(null);
  protected readonly saving = signal(false);
  protected readonly errors = signal<FieldErrors<SystemField>>({});
  protected readonly formError = signal<string | null>(null);
  protected filters: SystemFilters = emptySystemFilters();
  protected form: SystemForm = emptySystemForm();
  private applied: SystemFilters = emptySystemFilters();
  private projectsLoaded = false;
  private tried = false;

  ngOnInit(): void {
    const q = this.route.snapshot.queryParamMap;
    this.filters = {
      keyword: q.get('keyword') ?? '',
      level: q.get('level'),
      status: q.get('status'),
      unitId: q.get('unitId'),
    };
    this.applied = { ...this.filters };
    this.page.set(Math.max(1, Number(q.get('page')) || 1));
    void this.load();
    void this.loadUnits();
  }

  private async loadUnits(): Promise<void> {
    try {
      this.units.set(flattenUnits(await this.api.get<UnitNode[]>('/org/units')));
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
    this.filters = emptySystemFilters();
    this.search();
  }

  goTo(page: number): void {
    this.page.set(page);
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    const query = systemQuery(this.applied, this.pageSize, (this.page() - 1) * this.pageSize);
    const { limit: _l, offset: _o, ...shown } = query;
    void this.router.navigate([], {
      queryParams: { ...shown, page: this.page() > 1 ? this.page() : undefined },
      replaceUrl: true,
    });
    try {
      const res = await this.api.get<Page<DeployedSystem>>('/deployed-systems', query);
      this.items.set(res.items);
      this.total.set(res.total);
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '系统部署台账加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  async exportCsv(): Promise<void> {
    this.exporting.set(true);
    try {
      const rows = await fetchAll((limit, offset) =>
        this.api.get<Page<DeployedSystem>>(
          '/deployed-systems',
          systemQuery(this.applied, limit, offset),
        ),
      );
      this.downloads.text(toCsv(rows, SYSTEM_CSV_COLUMNS), csvFileName('应用系统部署台账'));
      this.message.success(`已导出 ${rows.length} 个系统`);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '导出失败，请重试');
    } finally {
      this.exporting.set(false);
    }
  }

  async view(s: DeployedSystem): Promise<void> {
    try {
      this.viewing.set(await this.api.get<DeployedSystemDetail>(`/deployed-systems/${s.id}`));
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '加载失败，请重试');
    }
  }

  openCreate(): void {
    this.editId.set(null);
    this.form = emptySystemForm();
    this.openForm();
  }

  openEdit(s: DeployedSystem): void {
    this.viewing.set(null);
    this.editId.set(s.id);
    this.form = {
      name: s.name,
      unitId: s.unitId,
      level: s.level,
      version: s.version,
      goLiveDate: s.goLiveDate,
      status: s.status,
      projectId: s.projectId ?? '',
      description: s.description ?? '',
      reason: '',
    };
    this.openForm();
  }

  private openForm(): void {
    this.tried = false;
    this.errors.set({});
    this.formError.set(null);
    this.editing.set(true);
    if (!this.projectsLoaded) void this.loadProjects();
  }

  /** The projects a system may come from: 已立项, 在建 and 已建成. */
  private async loadProjects(): Promise<void> {
    try {
      const lists = await Promise.all(
        ['已立项', '在建', '已建成'].map((status) =>
          fetchAll(
            (limit, offset) =>
              this.api.get<Page<ProjectSummary>>('/projects', { status, limit, offset }),
            undefined,
            1000,
          ),
        ),
      );
      this.projects.set(
        lists.flat().sort((a, b) => (a.projectNo ?? '').localeCompare(b.projectNo ?? '')),
      );
      this.projectsLoaded = true;
    } catch {
      // The project select stays empty; a system can be registered without one.
    }
  }

  unitPicked(unitId: string): void {
    const unit = this.units().find((u) => u.id === unitId);
    if (unit) this.form.level = levelOfUnitKind(unit.kind);
    this.retouch();
  }

  /** After the first 保存, errors follow the typing. */
  retouch(): void {
    if (this.tried) this.errors.set(validateSystemForm(this.form, !!this.editId()));
  }

  protected st(field: SystemField): 'error' | '' {
    return this.errors()[field] ? 'error' : '';
  }

  async save(): Promise<void> {
    if (this.saving()) return;
    const id = this.editId();
    const editing = !!id;
    this.formError.set(null);
    this.tried = true;
    const errors = validateSystemForm(this.form, editing);
    this.errors.set(errors);
    if (Object.keys(errors).length) return;
    this.saving.set(true);
    try {
      const body = toSystemBody(this.form, editing);
      if (id) await this.api.put(`/deployed-systems/${id}`, body);
      else await this.api.post('/deployed-systems', body);
      this.message.success(id ? '已保存修改' : `已登记：${this.form.name.trim()}`);
      this.editing.set(false);
      await this.load();
    } catch (error) {
      if (error instanceof ApiError) {
        const atFields: FieldErrors<SystemField> = error.fieldErrors(FIELDS);
        this.errors.set(atFields);
        if (Object.keys(atFields).length === 0) this.formError.set(error.message);
      } else {
        this.formError.set('保存失败，请重试');
      }
    } finally {
      this.saving.set(false);
    }
  }

  protected color(status: string): string {
    return systemStatusColor(status);
  }

  protected changes(changes: Record<string, unknown> | null): string {
    return systemChangesText(changes);
  }
}
