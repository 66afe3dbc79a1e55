import { DatePipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzResultModule } from 'ng-zorro-antd/result';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzStepsModule } from 'ng-zorro-antd/steps';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { AttachmentsPanel } from '../documents/attachments-panel';
import { CaseHistory, type OpenStep } from '../documents/case-history';
import type { UnitNode } from '../documents/document-form.logic';
import { Files } from '../documents/files';
import { PdfPreview } from '../documents/pdf-preview';
import {
  DATA_REQUEST_STEPS,
  dataRequestStatusColor,
  isEditable,
  myOpenTasks,
  progressOf,
  secrecyColor,
  statusHint,
} from './data-request-form.logic';
import type { DataRequestDetail, TaskSummary } from './data-request.model';

type Action = 'confirm' | 'resubmit';

/** One request: what was asked for, where it stands, what was provided, its history; 确认接收 and 重新提交 here. */
@Component({
  selector: 'zw-data-request-detail-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzModalModule,
    NzResultModule,
    NzSpinModule,
    NzStepsModule,
    NzTableModule,
    NzTagModule,
    AttachmentsPanel,
    CaseHistory,
    PdfPreview,
  ],
  template: `
    <div class="page">
      @if (failed()) {
        <nz-result nzStatus="warning" [nzTitle]="failed()!">
          <div nz-result-extra>
            <a nz-button routerLink="/data-requests" [queryParams]="{ tab: 'requests' }"
              >返回列表</a
            >
          </div>
        </nz-result>
      } @else if (!request()) {
        <nz-spin nzSimple />
      } @else {
        @let r = request()!;
        <div class="page-header">
          <h2>{{ r.title }}</h2>
          <div class="toolbar actions">
            @for (t of todo(); track t.id) {
              <a nz-button nzType="primary" [routerLink]="['/tasks', t.id]" data-testid="dr-todo"
                >去办理（{{ t.name }}）</a
              >
            }
            @if (canConfirm()) {
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="open('confirm')"
                data-testid="dr-confirm"
              >
                <nz-icon nzType="check" />确认接收
              </button>
            }
            @if (canChange()) {
              <a
                nz-button
                nzType="primary"
                [routerLink]="['/data-requests', r.id, 'edit']"
                data-testid="dr-edit"
                >修改</a
              >
              <button nz-button type="button" (click)="open('resubmit')" data-testid="dr-resubmit">
                重新提交
              </button>
            }
            <a nz-button routerLink="/data-requests" [queryParams]="{ tab: 'requests' }"
              >返回列表</a
            >
          </div>
        </div>

        <div class="status">
          <nz-tag [nzColor]="color(r.status)" data-testid="dr-status">{{ r.status }}</nz-tag>
          <span>{{ hint(r.status) }}</span>
        </div>

        <nz-card nzSize="small" class="block">
          <nz-steps [nzCurrent]="progress().current" [nzStatus]="progress().status" nzSize="small">
            @for (s of steps; track s) {
              <nz-step [nzTitle]="s" />
            }
          </nz-steps>
        </nz-card>

        @if (r.lastOpinion && r.status === '退回修改') {
          <nz-alert
            class="block"
            nzType="warning"
            nzShowIcon
            nzMessage="退回意见"
            [nzDescription]="r.lastOpinion"
          />
        }
        @if (r.lastOpinion && r.status === '不予提供') {
          <nz-alert
            class="block"
            nzType="error"
            nzShowIcon
            nzMessage="不予提供理由"
            [nzDescription]="r.lastOpinion"
          />
        }

        @if (r.provision; as p) {
          <nz-card nzSize="small" nzTitle="数据提供" class="block" data-testid="dr-provision">
            <nz-descriptions
              nzBordered
              nzSize="small"
              [nzColumn]="{ xxl: 2, xl: 2, lg: 2, md: 1, sm: 1, xs: 1 }"
            >
              <nz-descriptions-item nzTitle="数据文件">{{
                p.fileName || '—'
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="下载地址">
                @if (p.link) {
                  <a [href]="p.link" target="_blank" rel="noopener noreferrer" class="break">{{
                    p.link
                  }}</a>
                } @else {
                  —
                }
              </nz-descriptions-item>
              <nz-descriptions-item nzTitle="有效期至">{{
                p.expiresAt || '—'
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="提供时间">{{
                p.providedAt | date: 'yyyy-MM-dd HH:mm'
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="确认接收">
                {{ p.receivedAt ? (p.receivedAt | date: 'yyyy-MM-dd HH:mm') : '尚未确认' }}
              </nz-descriptions-item>
              <nz-descriptions-item nzTitle="数据提供交接单">
                @if (r.handoverAttachmentId; as hid) {
                  <span class="ops">
                    <button type="button" class="link" (click)="downloadHandover(hid)">下载</button>
                    <zw-pdf-preview [attachmentId]="hid" title="数据提供交接单" />
                  </span>
                } @else {
                  确认接收后生成
                }
              </nz-descriptions-item>
            </nz-descriptions>
          </nz-card>
        }

        <nz-card nzSize="small" nzTitle="申请信息" class="block">
          <nz-descriptions
            nzBordered
            nzSize="small"
            [nzColumn]="{ xxl: 3, xl: 3, lg: 3, md: 1, sm: 1, xs: 1 }"
          >
            <nz-descriptions-item nzTitle="申请单位">{{ r.unitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申请人">{{ applicantName() }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申请时间">{{
              r.createdAt | date: 'yyyy-MM-dd HH:mm'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="数据范围">
              {{ r.regionName }}{{ r.regionCode ? '（' + r.regionCode + '）' : '' }}
            </nz-descriptions-item>
            <nz-descriptions-item nzTitle="使用期限"
              >{{ r.periodFrom }} 至 {{ r.periodTo }}</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="数据格式">{{ r.format }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="联系人">{{ r.contactName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="联系电话">{{ r.contactPhone }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="办结时间">{{
              r.closedAt ? (r.closedAt | date: 'yyyy-MM-dd HH:mm') : '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="用途" [nzSpan]="3"
              ><span class="pre">{{ r.purpose }}</span></nz-descriptions-item
            >
          </nz-descriptions>
        </nz-card>

        <nz-card nzSize="small" nzTitle="申请的数据资源" class="block">
          <div class="scroll">
            <nz-table
              #ds
              [nzData]="r.datasets"
              [nzShowPagination]="false"
              nzSize="small"
              data-testid="dr-datasets-table"
            >
              <thead>
                <tr>
                  <th nzWidth="130px">编码</th>
                  <th>数据资源</th>
                  <th nzWidth="80px">密级</th>
                  <th nzWidth="200px">主管单位（审核）</th>
                </tr>
              </thead>
              <tbody>
                @for (d of ds.data; track d.id) {
                  <tr>
                    <td class="code">{{ d.code }}</td>
                    <td>{{ d.name }}</td>
                    <td>
                      <nz-tag [nzColor]="secrecy(d.secrecy)">{{ d.secrecy }}</nz-tag>
                    </td>
                    <td>{{ d.ownerUnitName }}</td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </div>
        </nz-card>

        <nz-card nzSize="small" nzTitle="附件" class="block">
          <zw-attachments-panel
            ownerKind="data-request"
            [ownerId]="r.id"
            [canUpload]="canUpload()"
          />
        </nz-card>

        <nz-card nzSize="small" nzTitle="流程" class="block">
          <zw-case-history processKey="data-request" [entries]="r.history" [steps]="openSteps()" />
        </nz-card>

        <nz-modal
          [nzVisible]="!!action()"
          [nzTitle]="action() === 'confirm' ? '确认接收数据' : '重新提交申请'"
          [nzOkText]="action() === 'confirm' ? '确认接收' : '重新提交'"
          nzCancelText="取消"
          [nzOkLoading]="busy()"
          (nzOnOk)="act()"
          (nzOnCancel)="action.set(null)"
        >
          <ng-container *nzModalContent>
            @if (action() === 'confirm') {
              <p>
                确认已收到信息中心提供的数据{{
                  r.provision?.fileName ? '“' + r.provision?.fileName + '”' : ''
                }}？确认后办结，并生成数据提供交接单。
              </p>
            } @else {
              <p>按原内容重新提交，送本单位领导签批。如需修改内容，请先点“修改”。</p>
            }
            @if (actionError()) {
              <nz-alert nzType="error" nzShowIcon [nzMessage]="actionError()!" class="block" />
            }
            <form nz-form nzLayout="vertical" (ngSubmit)="act()">
              <nz-form-item>
                <nz-form-label nzFor="action-comment">说明</nz-form-label>
                <nz-form-control nzExtra="可不填">
                  <textarea
                    nz-input
                    id="action-comment"
                    name="comment"
                    rows="3"
                    maxlength="2000"
                    [(ngModel)]="comment"
                    [placeholder]="action() === 'confirm' ? '已接收数据' : '修改后重新提交'"
                  ></textarea>
                </nz-form-control>
              </nz-form-item>
            </form>
          </ng-container>
        </nz-modal>
      }
    </div>
  `,
  styles: `
    .block {
      margin-bottom: 16px;
      display: block;
    }
    .status {
      display: flex;
      gap: 8px;
      align-items: center;
      margin-bottom: 12px;
      color: #555;
    }
    .actions {
      margin-bottom: 0;
      justify-content: flex-end;
    }
    .page-header {
      gap: 16px;
      align-items: flex-start;
    }
    .pre {
      white-space: pre-wrap;
    }
    .break {
      word-break: break-all;
    }
    .code {
      font-family: ui-monospace, Consolas, monospace;
      font-size: 12px;
    }
    .scroll {
      overflow-x: auto;
    }
    .ops {
      display: inline-flex;
      gap: 12px;
    }
    .link {
      border: 0;
      background: none;
      padding: 0;
      color: #0958d9;
      cursor: pointer;
    }
  `,
})
export class DataRequestDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly files = inject(Files);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly steps = DATA_REQUEST_STEPS;
  protected readonly request = signal<DataRequestDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  /** Ids of the caller's 待办 tasks on this case. */
  private readonly todoIds = signal<string[]>([]);
  private readonly unitNames = signal<Map<string, string>>(new Map());
  protected readonly action = signal<Action | null>(null);
  protected readonly actionError = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected comment = '';
  private readonly attachments = viewChild<AttachmentsPanel>('attachments');
  /** The api gives the applicant's id only; the first entry of the history is their application. */
  protected readonly applicantName = computed(() => this.request()?.history[0]?.userName ?? '—');

  private readonly isApplicant = computed(
    () => this.request()?.applicantId === this.auth.user()?.id,
  );
  private readonly mine = computed(() =>
    myOpenTasks(this.request()?.currentTasks ?? [], this.todoIds()),
  );
  /** Steps handled on the task page (签批, 审核, 会签, 提供); 修改 and 确认接收 are handled here. */
  protected readonly todo = computed(() =>
    this.mine().filter((t) => t.activityId !== 'apply' && t.activityId !== 'confirm'),
  );
  protected readonly canConfirm = computed(
    () =>
      this.request()?.status === '待确认' &&
      (this.isApplicant() || this.mine().some((t) => t.activityId === 'confirm')),
  );
  protected readonly canChange = computed(
    () => isEditable(this.request()?.status ?? '') && this.isApplicant(),
  );
  /** As the api allows: the applicant until the leader acts or while returned, 信息中心 while providing. */
  protected readonly canUpload = computed(
    () =>
      (this.isApplicant() && ['待签批', '退回修改'].includes(this.request()?.status ?? '')) ||
      this.mine().some((t) => t.activityId === 'provide'),
  );
  protected readonly progress = computed(() => {
    const r = this.request();
    return r ? progressOf(r.status, r.history) : { current: 0, status: 'process' as const };
  });
  protected readonly openSteps = computed<OpenStep[]>(() => {
    const r = this.request();
    if (!r) return [];
    const names = this.unitNames();
    return r.currentTasks.map((t) => ({
      id: t.id,
      name: t.name,
      dueAt: t.dueAt,
      assigneeName: t.assigneeName,
      // A step without candidate units is offered to the applicant's own unit (单位领导签批).
      unitName: t.candidateUnits.length
        ? t.candidateUnits.map((u) => names.get(u) ?? '相关单位').join('、')
        : r.unitName,
    }));
  });

  ngOnInit(): void {
    void this.load();
    void this.loadUnitNames();
  }

  async load(): Promise<void> {
    try {
      const [request] = await Promise.all([
        this.api.get<DataRequestDetail>(`/data-requests/${this.id()}`),
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

  open(action: Action): void {
    this.comment = '';
    this.actionError.set(null);
    this.action.set(action);
  }

  async act(): Promise<void> {
    const action = this.action();
    if (!action || this.busy()) return;
    this.busy.set(true);
    this.actionError.set(null);
    const comment = this.comment.trim();
    try {
      const path = action === 'confirm' ? 'confirm' : 'submit';
      const updated = await this.api.post<DataRequestDetail>(
        `/data-requests/${this.id()}/${path}`,
        comment ? { comment } : {},
      );
      this.action.set(null);
      await this.loadTodo();
      this.request.set(updated);
      // Confirming adds the generated 数据提供交接单 to the attachments.
      void this.attachments()?.load();
      this.message.success(
        action === 'confirm' ? '已确认接收，数据提供交接单已生成' : '已重新提交，等待单位领导签批',
      );
    } catch (error) {
      this.actionError.set(error instanceof ApiError ? error.message : '操作失败，请刷新后重试');
    } finally {
      this.busy.set(false);
    }
  }

  async downloadHandover(id: string): Promise<void> {
    try {
      await this.files.download(id, '数据提供交接单.pdf');
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请重试');
    }
  }

  protected color(status: string): string {
    return dataRequestStatusColor(status);
  }

  protected secrecy(level: string): string {
    return secrecyColor(level);
  }

  protected hint(status: string): string {
    return statusHint(status);
  }

  /** The caller's 待办 on this case, from the inbox (it knows roles, units and 代理); none if it cannot tell. */
  private async loadTodo(): Promise<void> {
    try {
      const res = await this.api.get<{ items: TaskSummary[] }>('/tasks', {
        view: 'todo',
        process: 'data-request',
        q: this.id(),
        limit: 50,
      });
      this.todoIds.set(res.items.filter((t) => t.businessKey === this.id()).map((t) => t.id));
    } catch {
      this.todoIds.set([]);
    }
  }

  /** Names for the units the open steps are offered to (the request only gives their ids). */
  private async loadUnitNames(): Promise<void> {
    try {
      const tree = await this.api.get<UnitNode[]>('/org/units');
      const names = new Map<string, string>();
      const walk = (nodes: UnitNode[]) =>
        nodes.forEach((n) => (names.set(n.id, n.name), walk(n.children ?? [])));
      walk(tree);
      this.unitNames.set(names);
    } catch {
      // Without names the steps still show, as 相关单位.
    }
  }
}
