import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzResultModule } from 'ng-zorro-antd/result';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { ACTION_LABELS, type ApprovalDetail as Detail } from './approval.model';
import {
  remainingText,
  toResubmitBody,
  validateResubmitForm,
  type FieldErrors,
  type ResubmitField,
  type ResubmitForm,
} from './approval-form.logic';
import { ApprovalLevels } from './approval-levels';

const RESUBMIT_FIELDS: ResubmitField[] = [
  'applicant',
  'location',
  'landArea',
  'description',
  'comment',
];

/** One case: what was applied for, the levels it climbed, where it waits now, and the history. */
@Component({
  selector: 'zw-approval-detail',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzFormModule,
    NzInputModule,
    NzResultModule,
    NzSpinModule,
    NzTagModule,
    NzTimelineModule,
    ApprovalLevels,
  ],
  template: `
    <div class="page">
      @if (failed()) {
        <nz-result nzStatus="warning" [nzTitle]="failed()!">
          <div nz-result-extra><a nz-button routerLink="/approvals">返回列表</a></div>
        </nz-result>
      } @else if (!detail()) {
        <nz-spin nzSimple />
      } @else {
        @let d = detail()!;
        <div class="page-header">
          <h2>{{ d.title }}</h2>
          <a routerLink="/approvals">返回列表</a>
        </div>
        <div class="status">
          <nz-tag [nzColor]="statusColor(d.status)">{{ d.status }}</nz-tag>
          <span>受理编号 {{ d.caseNo }}</span>
          @if (d.overdueLevels.length) {
            <nz-tag nzColor="red">超期</nz-tag>
          }
        </div>

        @if (d.currentStep; as step) {
          <nz-card nzSize="small" nzTitle="当前环节" class="block">
            <p>
              <strong>{{ step.name }}</strong> · {{ step.unitName }} · 收到于
              {{ step.receivedAt | date: 'yyyy-MM-dd HH:mm' }}
            </p>
            @if (step.dueAt) {
              <p [class.overdue]="step.isOverdue">
                办理期限 {{ step.dueAt | date: 'yyyy-MM-dd' }}，{{ remaining(step) }}
                @if (step.isOverdue) {
                  <nz-tag nzColor="red">超期</nz-tag>
                }
              </p>
            }
            @if (step.level === 'accept') {
              <p class="warn">该案件已退回受理窗口补正材料。</p>
              @if (canResubmit && !resubmitting()) {
                <button nz-button nzType="primary" type="button" (click)="openResubmit(d)">
                  补正后重新提交
                </button>
              }
            }
          </nz-card>
        } @else if (d.result) {
          <nz-card nzSize="small" nzTitle="审批结果" class="block">
            <p>
              <nz-tag [nzColor]="d.result === '批准' ? 'green' : 'red'">{{ d.result }}</nz-tag>
              {{ d.decidedAt | date: 'yyyy-MM-dd HH:mm' }}
            </p>
            @if (d.resultOpinion) {
              <p>意见：{{ d.resultOpinion }}</p>
            }
          </nz-card>
        }

        @if (resubmitting()) {
          <nz-card nzSize="small" nzTitle="补正材料" class="block">
            <form nz-form nzLayout="vertical" (ngSubmit)="resubmit()" novalidate class="resubmit">
              <nz-form-item>
                <nz-form-label nzFor="rs-applicant" nzRequired>申请人</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="errors().applicant ? 'error' : ''"
                  [nzErrorTip]="errors().applicant"
                >
                  <input
                    nz-input
                    id="rs-applicant"
                    name="applicant"
                    [(ngModel)]="form.applicant"
                    maxlength="100"
                  />
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="rs-location" nzRequired>坐落</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="errors().location ? 'error' : ''"
                  [nzErrorTip]="errors().location"
                >
                  <input
                    nz-input
                    id="rs-location"
                    name="location"
                    [(ngModel)]="form.location"
                    maxlength="200"
                  />
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="rs-landArea" nzRequired>用地面积（公顷）</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="errors().landArea ? 'error' : ''"
                  [nzErrorTip]="errors().landArea"
                >
                  <input
                    nz-input
                    id="rs-landArea"
                    name="landArea"
                    inputmode="decimal"
                    [(ngModel)]="form.landArea"
                  />
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="rs-description" nzRequired>申请说明</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="errors().description ? 'error' : ''"
                  [nzErrorTip]="errors().description"
                >
                  <textarea
                    nz-input
                    id="rs-description"
                    name="description"
                    rows="4"
                    [(ngModel)]="form.description"
                    maxlength="5000"
                  ></textarea>
                </nz-form-control>
              </nz-form-item>
              <nz-form-item>
                <nz-form-label nzFor="rs-comment" nzRequired>补正说明</nz-form-label>
                <nz-form-control
                  [nzValidateStatus]="errors().comment ? 'error' : ''"
                  [nzErrorTip]="errors().comment"
                >
                  <textarea
                    nz-input
                    id="rs-comment"
                    name="comment"
                    rows="2"
                    [(ngModel)]="form.comment"
                    maxlength="1000"
                    placeholder="说明补正了哪些材料"
                  ></textarea>
                </nz-form-control>
              </nz-form-item>
              <button nz-button nzType="primary" type="submit" [nzLoading]="busy()">
                提交县级审查
              </button>
              <button nz-button type="button" class="gap" (click)="resubmitting.set(false)">
                取消
              </button>
            </form>
          </nz-card>
        }

        <nz-card nzSize="small" nzTitle="案件信息" class="block">
          <nz-descriptions
            nzBordered
            nzSize="small"
            [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
          >
            <nz-descriptions-item nzTitle="事项类型">{{ d.matterType }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申请人">{{ d.applicant }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="联系方式">{{
              d.applicantContact || '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="坐落">{{ d.location }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="用地面积">{{ d.landArea }} 公顷</nz-descriptions-item>
            <nz-descriptions-item nzTitle="受理日期">{{
              d.acceptedAt | date: 'yyyy-MM-dd HH:mm'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="受理单位"
              >{{ d.unitName }}（{{ d.acceptedByName }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="市级审核">{{ d.cityUnitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="省级审批">{{ d.provinceUnitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申请说明" [nzSpan]="3"
              ><span class="pre">{{ d.description }}</span></nz-descriptions-item
            >
          </nz-descriptions>
        </nz-card>

        <nz-card nzSize="small" nzTitle="三级审批进度" class="block">
          <zw-approval-levels
            [levels]="d.levels"
            [currentLevel]="d.currentLevel"
            [result]="d.result"
          />
        </nz-card>

        <nz-card nzSize="small" nzTitle="办理历史" class="block">
          @if (d.history.length === 0) {
            <p class="muted">暂无记录</p>
          }
          <nz-timeline>
            @for (h of d.history; track $index) {
              <nz-timeline-item>
                {{ h.at | date: 'yyyy-MM-dd HH:mm' }} · {{ h.unitName ?? '' }} {{ h.userName }} ·
                {{ h.taskName ?? '' }} <strong>{{ actionLabel(h.action) }}</strong>
                @if (h.comment) {
                  <div class="pre">{{ h.comment }}</div>
                }
              </nz-timeline-item>
            }
          </nz-timeline>
        </nz-card>
      }
    </div>
  `,
  styles: `
    .status {
      display: flex;
      gap: 8px;
      align-items: center;
      margin-bottom: 12px;
    }
    .block {
      margin-bottom: 16px;
    }
    .warn {
      color: #d46b08;
    }
    .muted {
      color: #595959;
    }
    .pre {
      white-space: pre-wrap;
    }
    .gap {
      margin-left: 8px;
    }
    .resubmit {
      max-width: 720px;
    }
  `,
})
export class ApprovalDetail implements OnInit {
  /** The route's :id (component input binding). */
  readonly id = input.required<string>();
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly canResubmit = inject(Auth).hasRole('clerk', 'drafter');
  protected readonly detail = signal<Detail | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly resubmitting = signal(false);
  protected readonly busy = signal(false);
  protected readonly errors = signal<FieldErrors<ResubmitField>>({});
  protected form: ResubmitForm = {
    applicant: '',
    location: '',
    landArea: '',
    description: '',
    comment: '',
  };

  ngOnInit(): void {
    void this.load();
  }

  protected remaining = remainingText;

  protected actionLabel(action: string): string {
    return ACTION_LABELS[action] ?? action;
  }

  protected statusColor(status: string): string {
    if (status === '批准') return 'green';
    if (status === '不予批准' || status === '已终止') return 'red';
    if (status === '补正材料') return 'orange';
    return 'blue';
  }

  protected openResubmit(d: Detail): void {
    this.form = {
      applicant: d.applicant,
      location: d.location,
      landArea: String(d.landArea),
      description: d.description,
      comment: '',
    };
    this.errors.set({});
    this.resubmitting.set(true);
  }

  async resubmit(): Promise<void> {
    const errors = validateResubmitForm(this.form);
    this.errors.set(errors);
    if (Object.keys(errors).length) {
      this.message.error('请按提示修改标红的项目后再提交');
      return;
    }
    this.busy.set(true);
    try {
      await this.api.post(`/approvals/${this.id()}/resubmit`, toResubmitBody(this.form));
      this.message.success('已补正并重新提交县级审查');
      this.resubmitting.set(false);
      await this.load();
    } catch (error) {
      if (error instanceof ApiError) {
        const fieldErrors: FieldErrors<ResubmitField> = error.fieldErrors(RESUBMIT_FIELDS);
        this.errors.set(fieldErrors);
        this.message.error(error.message);
      } else {
        this.message.error('提交失败，请稍后重试');
      }
    } finally {
      this.busy.set(false);
    }
  }

  private async load(): Promise<void> {
    try {
      this.detail.set(await this.api.get<Detail>(`/approvals/${this.id()}`));
      this.failed.set(null);
    } catch (error) {
      this.failed.set(error instanceof ApiError ? error.message : '加载案件失败，请刷新重试');
    }
  }
}
