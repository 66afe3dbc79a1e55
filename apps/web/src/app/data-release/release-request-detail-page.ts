import { DatePipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzResultModule } from 'ng-zorro-antd/result';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzStepsModule } from 'ng-zorro-antd/steps';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Viewport } from '../core/viewport';
import { AttachmentsPanel } from '../documents/attachments-panel';
import { CaseHistory, type OpenStep } from '../documents/case-history';
import { RELEASE_STEPS, releaseProgress, releaseStatusColor } from './data-release.logic';
import type { ReleaseRequestDetail, TaskSummary } from './data-release.model';

/** One release request: what, to whom, why; where it stands; the release record once released. */
@Component({
  selector: 'zw-release-request-detail-page',
  imports: [
    DatePipe,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzResultModule,
    NzSpinModule,
    NzStepsModule,
    NzTagModule,
    AttachmentsPanel,
    CaseHistory,
  ],
  template: `
    <div class="page">
      @if (failed()) {
        <nz-result nzStatus="warning" [nzTitle]="failed()!">
          <div nz-result-extra>
            <a nz-button routerLink="/data-release" [queryParams]="{ tab: 'requests' }">返回列表</a>
          </div>
        </nz-result>
      } @else if (!request()) {
        <nz-spin nzSimple />
      } @else {
        @let r = request()!;
        <div class="page-header">
          <h2>发布“{{ r.datasetName }}”</h2>
          <div class="toolbar">
            @for (t of todo(); track t.id) {
              <a nz-button nzType="primary" [routerLink]="['/tasks', t.id]" data-testid="rel-todo"
                >去办理（{{ t.name }}）</a
              >
            }
            <a nz-button routerLink="/data-release" [queryParams]="{ tab: 'requests' }">返回列表</a>
          </div>
        </div>
        <div class="status">
          <nz-tag [nzColor]="color(r.status)" data-testid="rel-status">{{ r.status }}</nz-tag>
          <span>由{{ r.ownerUnitName }}审核，信息办以部名义批准，{{ r.releaseUnitName }}发布</span>
        </div>

        <nz-card nzSize="small" class="block">
          <nz-steps
            [nzCurrent]="progress().current"
            [nzStatus]="progress().status"
            [nzDirection]="viewport.isPhone() ? 'vertical' : 'horizontal'"
            nzSize="small"
          >
            @for (s of steps; track s) {
              <nz-step [nzTitle]="s" />
            }
          </nz-steps>
        </nz-card>

        @if (r.lastOpinion && r.status === '不予发布') {
          <nz-alert
            class="block"
            nzType="error"
            nzShowIcon
            nzMessage="不予发布"
            [nzDescription]="r.lastOpinion"
          />
        }

        @if (r.release; as x) {
          <nz-card nzTitle="发布记录" nzSize="small" class="block" data-testid="rel-record">
            <nz-descriptions
              [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
              nzSize="small"
            >
              <nz-descriptions-item nzTitle="发布渠道">
                @if (x.link) {
                  <a [href]="x.link" target="_blank" rel="noopener">{{ x.channel }}</a>
                } @else {
                  {{ x.channel }}
                }
              </nz-descriptions-item>
              <nz-descriptions-item nzTitle="发布单位">{{
                x.releaseUnitName
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="发布人">{{ x.releasedByName }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="批准人">{{ x.approvedByName }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="发布时间">{{
                x.releasedAt | date: 'yyyy-MM-dd HH:mm'
              }}</nz-descriptions-item>
            </nz-descriptions>
          </nz-card>
        }

        <nz-card nzTitle="申请内容" nzSize="small" class="block">
          <nz-descriptions
            [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
            nzSize="small"
          >
            <nz-descriptions-item nzTitle="数据资源"
              >{{ r.datasetName }}（{{ r.datasetCode }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="类别">{{ r.category }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="密级">{{ r.secrecy }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="发布对象"
              >{{ r.audienceType }}：{{ r.audience }}</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="发布范围">{{ r.scope }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申请单位"
              >{{ r.unitName }}（{{ r.requesterName }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="审核">{{
              r.reviewedByName || '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="批准">{{
              r.approvedByName || '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申请时间">{{
              r.createdAt | date: 'yyyy-MM-dd HH:mm'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="发布目的" [nzSpan]="3"
              ><span class="pre">{{ r.purpose }}</span></nz-descriptions-item
            >
          </nz-descriptions>
        </nz-card>

        <nz-card nzTitle="附件" nzSize="small" class="block">
          <zw-attachments-panel
            ownerKind="data-release"
            [ownerId]="r.id"
            [canUpload]="canUpload()"
          />
        </nz-card>

        <nz-card nzTitle="办理过程" nzSize="small" class="block">
          <zw-case-history processKey="data-release" [entries]="r.history" [steps]="openSteps()" />
        </nz-card>
      }
    </div>
  `,
  styles: `
    .status {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-bottom: 12px;
      color: #595959;
    }
    .block {
      margin-bottom: 16px;
    }
    .pre {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
  `,
})
export class ReleaseRequestDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  protected readonly viewport = inject(Viewport);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly steps = RELEASE_STEPS;
  protected readonly request = signal<ReleaseRequestDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  private readonly todoIds = signal<string[]>([]);
  protected readonly todo = computed(() =>
    (this.request()?.currentTasks ?? []).filter((t) => this.todoIds().includes(t.id)),
  );
  protected readonly progress = computed(() => releaseProgress(this.request()?.status ?? ''));
  /** As the api allows: the requester until the owner unit has reviewed. */
  protected readonly canUpload = computed(
    () =>
      this.request()?.requesterId === this.auth.user()?.id && this.request()?.status === '待审核',
  );
  protected readonly openSteps = computed<OpenStep[]>(() =>
    (this.request()?.currentTasks ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      dueAt: t.dueAt,
      assigneeName: t.assigneeName,
      unitName: t.unitNames,
    })),
  );

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const [request] = await Promise.all([
        this.api.get<ReleaseRequestDetail>(`/data-release/requests/${this.id()}`),
        this.loadTodo(),
      ]);
      this.request.set(request);
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该申请，或您无权查看。请从列表重新打开。'
          : error instanceof ApiError
            ? error.message
            : '申请加载失败，请刷新页面',
      );
    }
  }

  protected color(status: string): string {
    return releaseStatusColor(status);
  }

  /** The caller's 待办 on this case, from the inbox (it knows roles, units and 代理). */
  private async loadTodo(): Promise<void> {
    try {
      const res = await this.api.get<{ items: TaskSummary[] }>('/tasks', {
        view: 'todo',
        process: 'data-release',
        q: this.id(),
        limit: 50,
      });
      this.todoIds.set(res.items.filter((t) => t.businessKey === this.id()).map((t) => t.id));
    } catch {
      this.todoIds.set([]);
    }
  }
}
