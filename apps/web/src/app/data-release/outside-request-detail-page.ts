import { DatePipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzResultModule } from 'ng-zorro-antd/result';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzStepsModule } from 'ng-zorro-antd/steps';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Viewport } from '../core/viewport';
import { AttachmentsPanel } from '../documents/attachments-panel';
import { CaseHistory, type OpenStep } from '../documents/case-history';
import {
  OUTSIDE_STEPS,
  opinionColor,
  outsideProgress,
  outsideStatusColor,
  replyDraft,
} from './data-release.logic';
import type { OutsideRequestDetail, TaskSummary } from './data-release.model';

/** A 函 that will never be distributed: 信息办 may draft another reply. */
const DEAD = ['不予签发', '已撤销'];

/** One outside request: the letter, the producing units' opinions, the 复函 (drafted here, linked once it exists). */
@Component({
  selector: 'zw-outside-request-detail-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzFormModule,
    NzInputModule,
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
            <a nz-button routerLink="/data-release" [queryParams]="{ tab: 'outside' }">返回列表</a>
          </div>
        </nz-result>
      } @else if (!request()) {
        <nz-spin nzSimple />
      } @else {
        @let r = request()!;
        <div class="page-header">
          <h2>{{ r.organName }}数据需求</h2>
          <div class="toolbar">
            @for (t of opinionTodo(); track t.id) {
              <a nz-button nzType="primary" [routerLink]="['/tasks', t.id]" data-testid="out-todo"
                >提出意见（{{ t.unitNames }}）</a
              >
            }
            <a nz-button routerLink="/data-release" [queryParams]="{ tab: 'outside' }">返回列表</a>
          </div>
        </div>
        <div class="status">
          <nz-tag [nzColor]="color(r.status)" data-testid="out-status">{{ r.status }}</nz-tag>
          <span>{{ r.letterRef }}，{{ r.receivedOn }} 收文</span>
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

        @if (r.reply; as f) {
          <nz-card nzTitle="复函" nzSize="small" class="block" data-testid="out-reply">
            <nz-descriptions
              [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
              nzSize="small"
            >
              <nz-descriptions-item nzTitle="复函">
                <a [routerLink]="['/documents', f.documentId]" data-testid="out-reply-link">{{
                  f.title || '查看复函'
                }}</a>
              </nz-descriptions-item>
              <nz-descriptions-item nzTitle="发文字号">{{
                f.docNumber || '（签发后编号）'
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="公文状态">{{ f.status || '—' }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="送达方式">{{ f.channel }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="答复时间">{{
                f.repliedAt ? (f.repliedAt | date: 'yyyy-MM-dd HH:mm') : '分发后答复'
              }}</nz-descriptions-item>
            </nz-descriptions>
          </nz-card>
        }

        @if (canReply()) {
          <nz-card nzTitle="拟复函" nzSize="small" class="block" data-testid="out-reply-form">
            <p class="muted">
              复函以信息办名义起草为“函”，经核稿、签发后分发{{
                r.partnerOrganCode
                  ? '，并通过公文交换送达' + r.organName
                  : '；来函单位不是交换方，请在分发后邮寄或以其他方式送达'
              }}。各数据生产单位抄送。
            </p>
            @if (replyError()) {
              <nz-alert class="top" nzType="error" nzShowIcon [nzMessage]="replyError()!" />
            }
            <form nz-form nzLayout="vertical" (ngSubmit)="reply()" novalidate>
              <nz-form-item>
                <nz-form-label nzFor="replyTitle" nzRequired>标题</nz-form-label>
                <nz-form-control>
                  <input
                    nz-input
                    id="replyTitle"
                    name="replyTitle"
                    maxlength="200"
                    [(ngModel)]="title"
                    data-testid="out-reply-title"
                  />
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="replyBody" nzRequired>正文</nz-form-label>
                <nz-form-control>
                  <textarea
                    nz-input
                    id="replyBody"
                    name="replyBody"
                    rows="8"
                    maxlength="20000"
                    [(ngModel)]="body"
                    data-testid="out-reply-body"
                  ></textarea>
                </nz-form-control>
              </nz-form-item>
              <button
                nz-button
                nzType="primary"
                type="submit"
                [nzLoading]="busy()"
                data-testid="out-reply-submit"
              >
                起草复函
              </button>
            </form>
          </nz-card>
        }

        <nz-card nzTitle="生产单位意见" nzSize="small" class="block" data-testid="out-opinions">
          @for (o of r.opinions; track o.unitId) {
            <div class="opinion">
              <strong>{{ o.unitName }}</strong>
              <nz-tag [nzColor]="opinionTone(o.opinion)">{{ o.opinion }}</nz-tag>
              <span class="muted">{{ o.userName }} · {{ o.at | date: 'yyyy-MM-dd HH:mm' }}</span>
              @if (o.comment) {
                <div class="pre">{{ o.comment }}</div>
              }
            </div>
          } @empty {
            <p class="muted">尚无意见</p>
          }
          @for (t of pendingOpinions(); track t.id) {
            <div class="opinion muted">{{ t.unitNames }}：待提出意见</div>
          }
        </nz-card>

        <nz-card nzTitle="来函内容" nzSize="small" class="block">
          <nz-descriptions
            [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
            nzSize="small"
          >
            <nz-descriptions-item nzTitle="来函单位"
              >{{ r.organName }}（{{ r.organKind }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="来函文号">{{ r.letterRef }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="收文日期">{{ r.receivedOn }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="联系人"
              >{{ r.contactName }}（{{ r.contactPhone }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="公文交换">{{
              r.partnerOrganCode ? r.partnerOrganCode + ' / ' + r.partnerUnitCode : '非交换方'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="登记人">{{
              r.registeredByName || '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="所需数据" [nzSpan]="3">
              @for (d of r.datasets; track d.id) {
                <div>{{ d.name }}（{{ d.code }}，{{ d.secrecy }}）— {{ d.ownerUnitName }}</div>
              }
            </nz-descriptions-item>
            <nz-descriptions-item nzTitle="用途" [nzSpan]="3"
              ><span class="pre">{{ r.purpose }}</span></nz-descriptions-item
            >
          </nz-descriptions>
        </nz-card>

        <nz-card nzTitle="附件（来函扫描件等）" nzSize="small" class="block">
          <zw-attachments-panel
            ownerKind="data-outside-request"
            [ownerId]="r.id"
            [canUpload]="canUpload()"
          />
        </nz-card>

        <nz-card nzTitle="办理过程" nzSize="small" class="block">
          <zw-case-history
            processKey="data-outside-request"
            [entries]="r.history"
            [steps]="openSteps()"
          />
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
    .top {
      margin-bottom: 12px;
    }
    .muted {
      color: #595959;
    }
    .pre {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .opinion {
      padding: 6px 0;
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: baseline;
    }
    .opinion .pre {
      flex-basis: 100%;
    }
  `,
})
export class OutsideRequestDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  protected readonly viewport = inject(Viewport);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly steps = OUTSIDE_STEPS;
  protected readonly request = signal<OutsideRequestDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly replyError = signal<string | null>(null);
  private readonly todoIds = signal<string[]>([]);
  protected title = '';
  protected body = '';
  private readonly mine = computed(() =>
    (this.request()?.currentTasks ?? []).filter((t) => this.todoIds().includes(t.id)),
  );
  protected readonly opinionTodo = computed(() =>
    this.mine().filter((t) => t.activityId === 'opinion'),
  );
  protected readonly pendingOpinions = computed(() =>
    (this.request()?.currentTasks ?? []).filter((t) => t.activityId === 'opinion'),
  );
  /** 信息办's drafter at 拟复函, or again once the 函 was not signed or was withdrawn (the api decides). */
  protected readonly canReply = computed(() => {
    const r = this.request();
    if (!r) return false;
    if (r.status === '待拟复函') return this.mine().some((t) => t.activityId === 'draftReply');
    return (
      r.status === '复函办理中' &&
      DEAD.includes(r.reply?.status ?? '') &&
      this.auth.hasRole('drafter')
    );
  });
  protected readonly canUpload = computed(
    () =>
      this.request()?.registeredBy === this.auth.user()?.id &&
      !['已答复', '已终止'].includes(this.request()?.status ?? ''),
  );
  protected readonly progress = computed(() => outsideProgress(this.request()?.status ?? ''));
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
        this.api.get<OutsideRequestDetail>(`/data-release/outside-requests/${this.id()}`),
        this.loadTodo(),
      ]);
      this.request.set(request);
      const draft = replyDraft(request, request.opinions);
      this.title = draft.title;
      this.body = draft.body;
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该数据需求，或您无权查看。请从列表重新打开。'
          : error instanceof ApiError
            ? error.message
            : '数据需求加载失败，请刷新页面',
      );
    }
  }

  async reply(): Promise<void> {
    if (this.busy()) return;
    if (this.title.trim().length < 2 || this.body.trim().length < 10) {
      this.replyError.set('请填写复函标题和正文（正文至少 10 个字）');
      return;
    }
    this.busy.set(true);
    this.replyError.set(null);
    try {
      const updated = await this.api.post<OutsideRequestDetail>(
        `/data-release/outside-requests/${this.id()}/reply`,
        {
          title: this.title.trim(),
          body: this.body,
        },
      );
      this.request.set(updated);
      await this.loadTodo();
      this.message.success('复函已起草，请在公文中送核稿、签发');
    } catch (error) {
      this.replyError.set(error instanceof ApiError ? error.message : '起草失败，请刷新后重试');
    } finally {
      this.busy.set(false);
    }
  }

  protected color(status: string): string {
    return outsideStatusColor(status);
  }

  protected opinionTone(opinion: string): string {
    return opinionColor(opinion);
  }

  private async loadTodo(): Promise<void> {
    try {
      const res = await this.api.get<{ items: TaskSummary[] }>('/tasks', {
        view: 'todo',
        process: 'data-outside-request',
        q: this.id(),
        limit: 50,
      });
      this.todoIds.set(res.items.filter((t) => t.businessKey === this.id()).map((t) => t.id));
    } catch {
      this.todoIds.set([]);
    }
  }
}
