import { DatePipe } from '@angular/common';
import {
  Component,
  ElementRef,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzCheckboxModule } from 'ng-zorro-antd/checkbox';
import { NzDatePickerModule } from 'ng-zorro-antd/date-picker';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzRadioModule } from 'ng-zorro-antd/radio';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { AttachmentsPanel } from '../documents/attachments-panel';
import {
  INBOX_URL_KEY,
  formSummary,
  holderText,
  inboxLink,
  isOverdue,
  isoDay,
  ministryToday,
  outcomeText,
  recordOf,
  urgencyColor,
} from './inbox.logic';
import { PersonPicker } from './person-picker';
import {
  contractErrors,
  contractVariables,
  editableFields,
  initialValues,
  type ContractValues,
} from './contract-form.logic';
import type { FormField } from '@zhengwu/contracts';
import { PhrasesEditor } from './phrases-editor';
import { RecordPanel } from './record-panel';
import { recordApiPath } from './record-fields.logic';
import { ProcessDiagram } from './process-diagram';
import { SuperviseButton } from '../supervision/supervise-button';
import {
  STEP_FIELDS,
  historySteps,
  stepForm,
  stepVariables,
  validateStep,
  voteTally,
  canReferToSecretary,
  type StepExtras,
} from './step-forms.logic';
import {
  COMMON_PHRASES,
  actionBody,
  actionButtons,
  actionInputs,
  actionLabel,
  doneMessage,
  historyLabel,
  insertPhrase,
  needsDialog,
  staysOnPage,
  validateAction,
  type ActionContext,
  type TaskAction,
} from './task-actions.logic';

interface HistoryRow {
  action: string;
  comment: string | null;
  target: string | null;
  at: string;
  userId: string;
  userName: string;
  unitName: string | null;
  taskName: string | null;
  onBehalfOf: string | null;
  onBehalfOfName: string | null;
}

interface Signer {
  userId: string;
  displayName: string;
  position: 'before' | 'after';
  seq: number;
  status: string;
  addedBy: string;
  addedByName: string;
  addedAt: string;
  actedAt: string | null;
  comment: string | null;
}

interface TaskDetail {
  id: string;
  name: string;
  instanceId: string;
  processKey: string;
  processName: string | null;
  title: string | null;
  urgency: string | null;
  businessKey: string | null;
  assignee: string | null;
  /** Given by newer api versions; else the page finds the name itself. */
  assigneeName?: string | null;
  activityId?: string | null;
  status: string;
  createdAt: string;
  dueAt: string | null;
  isOverdue: boolean;
  completedAt: string | null;
  outcome: string | null;
  form: Record<string, unknown>;
  formKey: string | null;
  delegationState: string | null;
  returnTargets: { activityId: string; name: string }[];
  allowedActions: string[];
  /** Why this person may not decide the step (职责分离), when that is so. */
  separationOfDuties?: string | null;
  /** The step's contract: the only variables its holder may supply. */
  fields?: FormField[];
  onBehalfOf: { userId: string; displayName: string } | null;
  assigneeSubstitutes: { userId: string; displayName: string; endsOn: string }[];
  signing: 'before' | 'after' | null;
  signers: Signer[];
  history: HistoryRow[];
}

interface Duplicate {
  id: string;
  projectNo: string | null;
  name: string;
  status: string;
  unitName: string;
  nameSimilarity: number;
  contentSimilarity: number;
}

const SIGNER_STATUS: Record<string, string> = {
  pending: '待办理',
  signed: '已同意',
  returned: '已退回',
  disagreed: '不同意',
  removed: '已减签',
  cancelled: '已取消',
};

/** The fields an operation's dialog holds. */
interface DialogState {
  action: TaskAction;
  target: string | null;
  targets: string[];
  position: 'before' | 'after' | null;
}

/**
 * 办理: one task with its header, the business form and its record, attachments, every opinion so far, the diagram
 * (bpmn-js, loaded only when scrolled to), the opinion box with 常用语 and exactly the operations the api allows.
 */
@Component({
  selector: 'zw-task-page',
  imports: [
    PhrasesEditor,
    RecordPanel,
    DatePipe,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCardModule,
    NzCheckboxModule,
    NzDatePickerModule,
    NzDescriptionsModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzModalModule,
    NzRadioModule,
    NzSelectModule,
    NzTableModule,
    NzTagModule,
    NzTimelineModule,
    AttachmentsPanel,
    PersonPicker,
    ProcessDiagram,
    SuperviseButton,
  ],
  template: `
    <div class="page">
      @if (task(); as t) {
        <div class="page-header">
          <div class="heading">
            <h2 data-testid="task-title">{{ t.title || t.name }}</h2>
            <div class="subtitle">
              <span>{{ t.processName || t.processKey }}</span>
              <span class="sep">·</span>
              <span
                >环节：<strong data-testid="task-step">{{ t.name }}</strong></span
              >
              @if (t.urgency) {
                <nz-tag [nzColor]="urgencyTag(t.urgency)">{{ t.urgency }}</nz-tag>
              }
              @if (overdue()) {
                <nz-tag nzColor="red" data-testid="overdue-tag">已超期</nz-tag>
              }
              @if (t.status !== 'open') {
                <nz-tag>已办结</nz-tag>
              }
            </div>
          </div>
          <div class="toolbar head-ops">
            @if (record(); as r) {
              <a nz-button [routerLink]="r.link" data-testid="record-link">{{ r.label }}</a>
            }
            <zw-supervise-button targetKind="case" [targetId]="t.instanceId" />
            <a nz-button [routerLink]="backTree()" data-testid="back-to-inbox">返回列表</a>
          </div>
        </div>

        @if (notice(); as n) {
          <nz-alert
            class="notice"
            [nzType]="n.type"
            nzShowIcon
            [nzMessage]="n.message"
            nzCloseable
            (nzOnClose)="notice.set(null)"
            data-testid="task-notice"
          />
        }

        <nz-descriptions
          class="facts"
          nzBordered
          nzSize="small"
          [nzColumn]="{ xxl: 3, xl: 3, lg: 3, md: 2, sm: 1, xs: 1 }"
        >
          <nz-descriptions-item nzTitle="流程">{{
            t.processName || t.processKey
          }}</nz-descriptions-item>
          <nz-descriptions-item [nzTitle]="t.status === 'open' ? '当前环节' : '办理环节'">{{
            t.name
          }}</nz-descriptions-item>
          <nz-descriptions-item nzTitle="办理人"
            ><span data-testid="task-holder">{{ holder() }}</span></nz-descriptions-item
          >
          <nz-descriptions-item nzTitle="到达时间">{{
            t.createdAt | date: 'yyyy-MM-dd HH:mm'
          }}</nz-descriptions-item>
          <nz-descriptions-item nzTitle="办理期限">
            <span [class.overdue]="overdue()" data-testid="task-due">{{
              t.dueAt ? (t.dueAt | date: 'yyyy-MM-dd HH:mm') : '不限'
            }}</span>
            @if (overdue()) {
              <span class="overdue">（已超期）</span>
            }
          </nz-descriptions-item>
          <nz-descriptions-item nzTitle="紧急程度">{{ t.urgency || '—' }}</nz-descriptions-item>
          @if (t.status !== 'open') {
            <nz-descriptions-item nzTitle="办理结果"
              >{{ outcomeText(t.outcome, step().labels) }}（{{
                t.completedAt | date: 'yyyy-MM-dd HH:mm'
              }}）</nz-descriptions-item
            >
          }
          @if (t.onBehalfOf) {
            <nz-descriptions-item nzTitle="代理"
              >您正在代理 {{ t.onBehalfOf.displayName }} 办理此任务</nz-descriptions-item
            >
          }
          @for (s of t.assigneeSubstitutes; track s.userId) {
            <nz-descriptions-item nzTitle="代理人"
              >{{ s.displayName }}（至 {{ s.endsOn }}）</nz-descriptions-item
            >
          }
          @if (t.delegationState === 'pending') {
            <nz-descriptions-item nzTitle="委派"
              >受委派办理，办完后点“委派办结”交回</nz-descriptions-item
            >
          }
          @if (t.signing) {
            <nz-descriptions-item nzTitle="加签"
              >{{ t.signing === 'before' ? '前加签' : '后加签' }}办理中</nz-descriptions-item
            >
          }
        </nz-descriptions>

        <div class="layout">
          <div class="main">
            <nz-card
              nzTitle="业务表单"
              nzSize="small"
              [nzExtra]="recordExtra"
              data-testid="task-form"
            >
              @if (recordPath(); as r) {
                <zw-record-panel [link]="r" />
              } @else if (summary().length) {
                <nz-descriptions
                  nzBordered
                  nzSize="small"
                  [nzColumn]="{ xxl: 2, xl: 2, lg: 2, md: 1, sm: 1, xs: 1 }"
                >
                  @for (row of summary(); track row.label) {
                    <nz-descriptions-item [nzTitle]="row.label">{{
                      row.value
                    }}</nz-descriptions-item>
                  }
                </nz-descriptions>
              } @else {
                <p class="muted">
                  此流程没有可显示的表单字段{{ record() ? '，请查看业务页面' : '' }}。
                </p>
              }
              @if (step().kind === 'vote' && tally(); as v) {
                <p class="tally" data-testid="vote-tally">
                  表决进度：已表决 {{ v.cast }}/{{ v.voters }} 人，同意 {{ v.approve }}，不同意
                  {{ v.reject }}
                </p>
              }
              @if (step().kind === 'office-review') {
                <h4 class="sub">疑似重复项目</h4>
                @if (duplicates() === null) {
                  <p class="muted">正在查重…</p>
                } @else if (duplicates()!.length === 0) {
                  <p class="muted" data-testid="duplicates-none">
                    未发现同类别中名称或内容相近的项目。
                  </p>
                } @else {
                  <div class="scroll">
                    <nz-table
                      #dups
                      [nzData]="duplicates()!"
                      [nzShowPagination]="false"
                      nzSize="small"
                      data-testid="duplicates"
                    >
                      <thead>
                        <tr>
                          <th>项目名称</th>
                          <th nzWidth="120px">项目编号</th>
                          <th nzWidth="140px">申报单位</th>
                          <th nzWidth="80px">状态</th>
                          <th nzWidth="90px">名称相似度</th>
                          <th nzWidth="90px">内容相似度</th>
                        </tr>
                      </thead>
                      <tbody>
                        @for (d of dups.data; track d.id) {
                          <tr>
                            <td>
                              <a [routerLink]="['/projects', d.id]">{{ d.name }}</a>
                            </td>
                            <td>{{ d.projectNo || '—' }}</td>
                            <td>{{ d.unitName }}</td>
                            <td>{{ d.status }}</td>
                            <td>{{ percent(d.nameSimilarity) }}</td>
                            <td>{{ percent(d.contentSimilarity) }}</td>
                          </tr>
                        }
                      </tbody>
                    </nz-table>
                  </div>
                }
              }
            </nz-card>
            <ng-template #recordExtra>
              @if (record(); as r) {
                <a [routerLink]="r.link">{{ r.label }}</a>
              }
            </ng-template>

            @if (record(); as r) {
              <nz-card nzTitle="附件" nzSize="small" data-testid="task-attachments">
                <zw-attachments-panel
                  [ownerKind]="r.ownerKind"
                  [ownerId]="r.ownerId"
                  [canUpload]="canUpload()"
                />
              </nz-card>
            }

            <nz-card nzTitle="办理过程" nzSize="small" data-testid="task-history">
              @if (t.history.length) {
                <nz-timeline>
                  @for (h of t.history; track $index) {
                    <nz-timeline-item [nzColor]="historyColor(h.action)">
                      <div data-testid="history-item">
                        <strong>{{ historyView()[$index]?.step }}</strong>
                        <span class="sep">·</span>
                        <span class="action">{{ historyView()[$index]?.text }}</span>
                        <span class="sep">·</span>
                        {{ h.userName }}
                        @if (h.unitName) {
                          <span class="muted">（{{ h.unitName }}）</span>
                        }
                        @if (h.onBehalfOfName) {
                          <nz-tag nzColor="orange">代 {{ h.onBehalfOfName }}</nz-tag>
                        }
                        <span class="time">{{ h.at | date: 'yyyy-MM-dd HH:mm' }}</span>
                      </div>
                      @if (h.comment) {
                        <div class="opinion-text">意见：{{ h.comment }}</div>
                      }
                    </nz-timeline-item>
                  }
                </nz-timeline>
              } @else {
                <p class="muted">尚无办理记录。</p>
              }
            </nz-card>

            <nz-card nzTitle="流程图" nzSize="small" data-testid="task-diagram">
              @defer (on viewport) {
                <zw-process-diagram [taskId]="t.id" />
              } @placeholder {
                <div class="diagram-placeholder">流程图将在滚动到此处时加载</div>
              } @loading (minimum 200ms) {
                <div class="diagram-placeholder">正在加载流程图…</div>
              }
            </nz-card>
          </div>

          <aside class="side">
            <nz-card nzTitle="办理" nzSize="small" class="act-card" data-testid="task-actions">
              @if (t.separationOfDuties) {
                <nz-alert
                  nzType="warning"
                  nzShowIcon
                  [nzMessage]="t.separationOfDuties"
                  data-testid="separation-of-duties"
                />
              }
              @if (buttons().length) {
                @if (step().hint && decides()) {
                  <p class="hint">{{ step().hint }}</p>
                }
                @if (step().kind === 'record' && decides() && record(); as r) {
                  <p class="hint">
                    <a [routerLink]="r.link">打开{{ r.label.replace('查看', '') }}页面</a>
                  </p>
                }
                <form nz-form nzLayout="vertical" (ngSubmit)="$event.preventDefault()">
                  @if (step().kind === 'handler' && canApprove()) {
                    <nz-form-item>
                      <nz-form-label nzFor="handler" nzRequired>承办人</nz-form-label>
                      <nz-form-control
                        [nzValidateStatus]="status('handler')"
                        [nzErrorTip]="err('handler')"
                      >
                        <zw-person-picker
                          inputId="handler"
                          [unitId]="me()?.unitId ?? null"
                          [invalid]="!!errors()['handler']"
                          placeholder="选择本单位的承办人"
                          [(value)]="handler"
                          data-testid="handler-picker"
                        />
                      </nz-form-control>
                    </nz-form-item>
                  }
                  @if (step().kind === 'provide' && canApprove()) {
                    <nz-form-item>
                      <nz-form-label nzFor="provide-file" nzRequired>数据文件名</nz-form-label>
                      <nz-form-control
                        [nzValidateStatus]="status('fileName')"
                        [nzErrorTip]="err('fileName')"
                      >
                        <input
                          nz-input
                          id="provide-file"
                          name="fileName"
                          maxlength="200"
                          [(ngModel)]="fileName"
                          placeholder="如：耕地质量等别数据2026.zip"
                          data-testid="provide-file"
                        />
                      </nz-form-control>
                    </nz-form-item>
                    <nz-form-item>
                      <nz-form-label nzFor="provide-link">下载地址</nz-form-label>
                      <nz-form-control
                        [nzValidateStatus]="status('link')"
                        [nzErrorTip]="err('link')"
                      >
                        <input
                          nz-input
                          id="provide-link"
                          name="link"
                          maxlength="500"
                          [(ngModel)]="link"
                          placeholder="https:// 或 sftp://（可不填）"
                          data-testid="provide-link"
                        />
                      </nz-form-control>
                    </nz-form-item>
                    <nz-form-item>
                      <nz-form-label nzFor="provide-expires" nzRequired>数据有效期至</nz-form-label>
                      <nz-form-control
                        [nzValidateStatus]="status('expiresAt')"
                        [nzErrorTip]="err('expiresAt')"
                        [nzExtra]="periodTo() ? '不能晚于申请的使用期限 ' + periodTo() : ''"
                      >
                        <nz-date-picker
                          nzId="provide-expires"
                          name="expiresAt"
                          [(ngModel)]="expiresAt"
                          [nzDisabledDate]="expiryDisabled"
                          nzPlaceHolder="选择日期"
                          class="full"
                          data-testid="provide-expires"
                        />
                      </nz-form-control>
                    </nz-form-item>
                  }
                  @if (step().kind === 'plain' && canApprove()) {
                    @for (f of contractFields(); track f.id) {
                      <nz-form-item>
                        <nz-form-label [nzFor]="'field-' + f.id" [nzRequired]="f.required">{{
                          f.label
                        }}</nz-form-label>
                        <nz-form-control [nzValidateStatus]="status(f.id)" [nzErrorTip]="err(f.id)">
                          @switch (f.type) {
                            @case ('boolean') {
                              <label
                                nz-checkbox
                                [id]="'field-' + f.id"
                                [name]="'field-' + f.id"
                                [(ngModel)]="contractValues[f.id]"
                                >{{ f.label }}</label
                              >
                            }
                            @case ('enum') {
                              <nz-select
                                [nzId]="'field-' + f.id"
                                [name]="'field-' + f.id"
                                nzAllowClear
                                [(ngModel)]="contractValues[f.id]"
                              >
                                @for (v of f.values ?? []; track v.id) {
                                  <nz-option [nzValue]="v.id" [nzLabel]="v.name" />
                                }
                              </nz-select>
                            }
                            @default {
                              <input
                                nz-input
                                [id]="'field-' + f.id"
                                [name]="'field-' + f.id"
                                [type]="
                                  f.type === 'long' || f.type === 'double'
                                    ? 'number'
                                    : f.type === 'date'
                                      ? 'date'
                                      : 'text'
                                "
                                [attr.maxlength]="f.maxLength ?? null"
                                [(ngModel)]="contractValues[f.id]"
                              />
                            }
                          }
                        </nz-form-control>
                      </nz-form-item>
                    }
                  }
                  @if (step().kind === 'vote' && canRefer()) {
                    <nz-form-item>
                      <nz-form-control
                        [nzValidateStatus]="status('referToSecretary')"
                        [nzErrorTip]="err('referToSecretary')"
                        nzExtra="仅领导小组组长可用：全体表决后改由集体决定"
                      >
                        <label
                          nz-checkbox
                          name="refer"
                          [(ngModel)]="referToSecretary"
                          data-testid="vote-refer"
                          >提请以集体决定方式议定</label
                        >
                      </nz-form-control>
                    </nz-form-item>
                  }
                  <nz-form-item>
                    <nz-form-label nzFor="opinion" [nzRequired]="opinionRequired()"
                      >办理意见</nz-form-label
                    >
                    <nz-form-control
                      [nzValidateStatus]="status('comment')"
                      [nzErrorTip]="err('comment')"
                    >
                      <textarea
                        #opinionBox
                        nz-input
                        id="opinion"
                        name="comment"
                        rows="4"
                        maxlength="2000"
                        [placeholder]="
                          decides() ? '请填写' + step().opinionLabel : '可填写说明（随操作记录）'
                        "
                        [(ngModel)]="comment"
                        (blur)="rememberCaret()"
                        data-testid="opinion"
                      ></textarea>
                    </nz-form-control>
                  </nz-form-item>
                  @if (decides()) {
                    <div class="phrases" role="group" aria-label="常用语">
                      <span class="muted">常用语：</span>
                      @for (p of phrases(); track p) {
                        <button
                          type="button"
                          class="phrase"
                          (click)="usePhrase(p)"
                          data-testid="phrase"
                        >
                          {{ p }}
                        </button>
                      }
                      <button
                        nz-button
                        nzType="link"
                        type="button"
                        (click)="editingPhrases.set(true)"
                        data-testid="phrases-manage"
                      >
                        管理常用语
                      </button>
                    </div>
                    <zw-phrases-editor
                      [(open)]="editingPhrases"
                      [phrases]="phrases()"
                      (saved)="phrases.set($event)"
                    />
                  }
                </form>
                <div class="buttons">
                  @for (b of buttons(); track b.action) {
                    <button
                      nz-button
                      type="button"
                      [nzType]="b.action === 'approve' ? 'primary' : 'default'"
                      [nzDanger]="b.action === 'reject'"
                      [nzLoading]="acting() === b.action"
                      [disabled]="!!acting() && acting() !== b.action"
                      (click)="act(b.action)"
                      [attr.data-testid]="'action-' + b.action"
                    >
                      {{ b.label }}
                    </button>
                  }
                </div>
              } @else {
                <p class="muted" data-testid="no-actions">{{ readOnlyText() }}</p>
              }
            </nz-card>

            @if (t.signers.length) {
              <nz-card nzTitle="加签人员" nzSize="small" data-testid="task-signers">
                <ul class="signers">
                  @for (s of t.signers; track $index) {
                    <li>
                      {{ s.displayName }}
                      <span class="muted"
                        >{{ s.position === 'before' ? '前加签' : '后加签' }} ·
                        {{ signerStatus(s.status) }}</span
                      >
                      @if (s.comment) {
                        <div class="opinion-text">意见：{{ s.comment }}</div>
                      }
                    </li>
                  }
                </ul>
              </nz-card>
            }
          </aside>
        </div>

        <nz-modal
          [nzVisible]="!!dialog()"
          [nzTitle]="dialogTitle()"
          [nzOkText]="'确定' + dialogLabel()"
          nzCancelText="取消"
          [nzOkDanger]="dialog()?.action === 'reject'"
          [nzOkLoading]="!!acting()"
          (nzOnOk)="confirmDialog()"
          (nzOnCancel)="dialog.set(null)"
        >
          <ng-container *nzModalContent>
            @if (dialog(); as d) {
              <form
                nz-form
                nzLayout="vertical"
                (ngSubmit)="confirmDialog()"
                data-testid="action-dialog"
              >
                @if (d.action === 'return') {
                  @if (t.returnTargets.length > 1) {
                    <nz-form-item>
                      <nz-form-label nzRequired>退回到</nz-form-label>
                      <nz-form-control
                        [nzValidateStatus]="status('target')"
                        [nzErrorTip]="err('target')"
                      >
                        <nz-radio-group
                          name="target"
                          [(ngModel)]="d.target"
                          aria-label="退回到的环节"
                          data-testid="return-target"
                        >
                          @for (r of t.returnTargets; track r.activityId) {
                            <label nz-radio [nzValue]="r.activityId">{{ r.name }}</label>
                          }
                        </nz-radio-group>
                      </nz-form-control>
                    </nz-form-item>
                  } @else if (t.returnTargets.length === 1) {
                    <p>将退回到“{{ t.returnTargets[0].name }}”环节。</p>
                  }
                }
                @if (d.action === 'transfer' || d.action === 'delegate') {
                  <nz-form-item>
                    <nz-form-label nzFor="dialog-person" nzRequired>{{
                      d.action === 'transfer' ? '转办给' : '委派给'
                    }}</nz-form-label>
                    <nz-form-control
                      [nzValidateStatus]="status('target')"
                      [nzErrorTip]="err('target')"
                      [nzExtra]="
                        d.action === 'transfer'
                          ? '转办后由对方办理，任务不再回到您'
                          : '委派对方办理后，任务交回您决定'
                      "
                    >
                      <zw-person-picker
                        inputId="dialog-person"
                        [exclude]="selfIds()"
                        [invalid]="!!errors()['target']"
                        [(value)]="personValue"
                        data-testid="dialog-person"
                      />
                    </nz-form-control>
                  </nz-form-item>
                }
                @if (d.action === 'cc' || d.action === 'add-signer') {
                  <nz-form-item>
                    <nz-form-label nzFor="dialog-people" nzRequired>{{
                      d.action === 'cc' ? '抄送人员' : '加签人员'
                    }}</nz-form-label>
                    <nz-form-control
                      [nzValidateStatus]="status('targets')"
                      [nzErrorTip]="err('targets')"
                      [nzExtra]="d.action === 'add-signer' ? '按选择的先后顺序依次办理' : ''"
                    >
                      <zw-person-picker
                        inputId="dialog-people"
                        [multiple]="true"
                        [exclude]="d.action === 'add-signer' ? selfIds() : []"
                        [invalid]="!!errors()['targets']"
                        [(value)]="peopleValue"
                        data-testid="dialog-people"
                      />
                    </nz-form-control>
                  </nz-form-item>
                }
                @if (d.action === 'add-signer') {
                  <nz-form-item>
                    <nz-form-label nzRequired>加签位置</nz-form-label>
                    <nz-form-control
                      [nzValidateStatus]="status('position')"
                      [nzErrorTip]="err('position')"
                    >
                      <nz-radio-group
                        name="position"
                        [(ngModel)]="d.position"
                        aria-label="加签位置"
                        data-testid="signer-position"
                      >
                        <label nz-radio nzValue="before">前加签（先由加签人办理，再回到您）</label>
                        <label nz-radio nzValue="after">后加签（您同意后再由加签人签署）</label>
                      </nz-radio-group>
                    </nz-form-control>
                  </nz-form-item>
                }
                @if (d.action === 'remove-signer') {
                  <nz-form-item>
                    <nz-form-label nzFor="dialog-remove" nzRequired>减签人员</nz-form-label>
                    <nz-form-control
                      [nzValidateStatus]="status('targets')"
                      [nzErrorTip]="err('targets')"
                    >
                      <nz-select
                        nzId="dialog-remove"
                        nzMode="multiple"
                        name="remove"
                        [(ngModel)]="d.targets"
                        nzPlaceHolder="选择您加签且尚未办理的人员"
                        class="full"
                        data-testid="dialog-remove"
                      >
                        @for (s of removableSigners(); track s.userId) {
                          <nz-option [nzValue]="s.userId" [nzLabel]="s.displayName" />
                        }
                      </nz-select>
                    </nz-form-control>
                  </nz-form-item>
                }
                @if (needsComment(d.action)) {
                  <nz-form-item>
                    <nz-form-label nzFor="dialog-opinion" nzRequired>{{
                      d.action === 'return' ? '退回意见' : dialogLabel() + '理由'
                    }}</nz-form-label>
                    <nz-form-control
                      [nzValidateStatus]="status('comment')"
                      [nzErrorTip]="err('comment')"
                    >
                      <textarea
                        nz-input
                        id="dialog-opinion"
                        name="dialogComment"
                        rows="4"
                        maxlength="2000"
                        [(ngModel)]="comment"
                        data-testid="dialog-opinion"
                      ></textarea>
                    </nz-form-control>
                  </nz-form-item>
                } @else if (comment.trim() && d.action !== 'withdraw') {
                  <p class="muted">办理意见：{{ comment.trim() }}</p>
                }
                @if (d.action === 'withdraw') {
                  <p>撤回后任务回到您上一步办理的环节，由您重新办理。确定撤回？</p>
                }
                @if (dialogError(); as e) {
                  <nz-alert nzType="error" nzShowIcon [nzMessage]="e" />
                }
              </form>
            }
          </ng-container>
        </nz-modal>
      } @else if (failed()) {
        <div class="page-header"><h2>办理</h2></div>
        <nz-alert nzType="warning" nzShowIcon [nzMessage]="failed()!" data-testid="task-missing" />
        <p><a nz-button [routerLink]="backTree()">返回列表</a></p>
      } @else {
        <p class="muted">正在加载…</p>
      }
    </div>
  `,
  styles: `
    .heading h2 {
      margin: 0;
    }
    .subtitle {
      margin-top: 4px;
      color: #555;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px;
    }
    .head-ops {
      margin-bottom: 0;
      flex-shrink: 0;
    }
    .sep {
      color: #8c8c8c;
      margin: 0 2px;
    }
    .notice,
    .facts {
      margin-bottom: 16px;
    }
    .facts {
      background: #fff;
    }
    .layout {
      display: grid;
      grid-template-columns: minmax(0, 1fr) 340px;
      gap: 16px;
      align-items: start;
    }
    .main nz-card,
    .side nz-card {
      display: block;
      margin-bottom: 16px;
    }
    .side {
      position: sticky;
      top: 16px;
    }
    @media (max-width: 1100px) {
      .layout {
        grid-template-columns: minmax(0, 1fr);
      }
      .side {
        position: static;
        order: -1;
      }
    }
    .muted {
      color: #595959;
    }
    .hint {
      color: #555;
      margin-bottom: 8px;
    }
    .tally {
      margin: 12px 0 0;
      font-weight: 600;
    }
    .sub {
      margin: 16px 0 8px;
    }
    .scroll {
      overflow-x: auto;
    }
    .time {
      color: #595959;
      margin-left: 8px;
    }
    .opinion-text {
      margin-top: 2px;
      white-space: pre-wrap;
    }
    .action {
      font-weight: 600;
    }
    .phrases {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      align-items: center;
      margin: -8px 0 12px;
    }
    .phrase {
      border: 1px solid #d9d9d9;
      background: #fafafa;
      border-radius: 4px;
      padding: 0 8px;
      line-height: 22px;
      cursor: pointer;
      font-size: 12px;
    }
    .phrase:hover,
    .phrase:focus-visible {
      border-color: #0958d9;
      color: #0958d9;
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    .full {
      width: 100%;
    }
    .diagram-placeholder {
      height: 120px;
      display: flex;
      align-items: center;
      justify-content: center;
      color: #595959;
      background: #fafafa;
    }
    .signers {
      padding-left: 18px;
      margin: 0;
    }
    /* Phone: the step's buttons share the width two to a line, 常用语 and buttons are 40 px touch targets. */
    @media (max-width: 767.98px) {
      .head-ops {
        width: 100%;
      }
      .buttons > button {
        flex: 1 1 calc(50% - 4px);
        min-height: 44px;
      }
      .phrase {
        min-height: 40px;
        font-size: 14px;
        padding: 0 12px;
      }
      .time {
        display: block;
        margin-left: 0;
      }
    }
  `,
})
export class TaskPage {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  private readonly opinionBox = viewChild<ElementRef<HTMLTextAreaElement>>('opinionBox');

  /** The person's own 常用语 (the platform's until they keep their own). */
  protected readonly phrases = signal<string[]>([...COMMON_PHRASES]);
  protected readonly editingPhrases = signal(false);
  protected readonly outcomeText = outcomeText;
  protected readonly task = signal<TaskDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly notice = signal<{
    type: 'warning' | 'error' | 'info';
    message: string;
  } | null>(null);
  protected readonly acting = signal<TaskAction | null>(null);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly dialog = signal<DialogState | null>(null);
  protected readonly dialogError = signal<string | null>(null);
  protected readonly duplicates = signal<Duplicate[] | null>(null);
  protected readonly periodTo = signal<string | null>(null);
  protected readonly lookedUpName = signal<Record<string, string>>({});
  protected readonly me = this.auth.user;

  // The opinion and the step's inputs, kept while the page stays on this task.
  protected comment = '';
  protected handler: string | string[] | null = null;
  protected fileName = '';
  protected link = '';
  protected expiresAt: Date | null = null;
  protected referToSecretary = false;
  /** A step without a page of its own: the values of its declared fields (its contract). */
  protected contractValues: ContractValues = {};
  protected readonly contractFields = computed(() => editableFields(this.task()?.fields));
  protected personValue: string | string[] | null = null;
  protected peopleValue: string | string[] | null = [];
  private caret: { start: number; end: number } | null = null;

  protected readonly step = computed(() => {
    const t = this.task();
    return stepForm({
      processKey: t?.processKey ?? '',
      name: t?.name ?? '',
      formKey: t?.formKey,
      activityId: t?.activityId,
    });
  });
  protected readonly buttons = computed(() =>
    actionButtons(this.task()?.allowedActions ?? [], this.step().labels),
  );
  protected readonly canApprove = computed(
    () => this.task()?.allowedActions.includes('approve') ?? false,
  );
  /** The caller decides this step (not only 催办/撤回/抄送 on someone else's): the step's guidance and 常用语 apply. */
  protected readonly decides = computed(() =>
    ['approve', 'return', 'reject', 'resolve'].some((a) => this.task()?.allowedActions.includes(a)),
  );
  protected readonly opinionRequired = computed(
    () => this.step().opinionRequired.includes('approve') && this.canApprove(),
  );
  protected readonly record = computed(() => {
    const t = this.task();
    return t ? recordOf(t.processKey, t.businessKey, t.form) : null;
  });
  protected readonly canUpload = computed(() => this.step().canUpload && this.canApprove());
  protected readonly summary = computed(() => formSummary(this.task()?.form ?? {}));
  /** The record's page when its feature has one the task page can show in full (else the case's form summary). */
  protected readonly recordPath = computed(() => {
    const link = this.record()?.link;
    return link && recordApiPath(link) ? link : null;
  });
  protected readonly tally = computed(() => voteTally(this.task()?.form ?? {}));
  protected readonly canRefer = computed(() =>
    canReferToSecretary(this.task()?.form ?? {}, this.me()?.id),
  );
  protected readonly overdue = computed(() => {
    const t = this.task();
    return t ? isOverdue(t) : false;
  });
  protected readonly holder = computed(() => {
    const t = this.task();
    if (!t) return '';
    const me = this.me();
    const names: Record<string, string> = { ...this.lookedUpName() };
    for (const h of t.history) names[h.userId] = h.userName;
    for (const s of t.signers) names[s.userId] = s.displayName;
    return holderText(t, me ? { id: me.id, displayName: me.displayName } : null, names);
  });
  protected readonly selfIds = computed(() => {
    const t = this.task();
    const ids = [this.me()?.id ?? ''];
    if (t?.onBehalfOf) ids.push(t.onBehalfOf.userId);
    return ids.filter(Boolean);
  });
  protected readonly removableSigners = computed(() => {
    const t = this.task();
    const mine = new Set(this.selfIds());
    return (t?.signers ?? []).filter((s) => s.status === 'pending' && mine.has(s.addedBy));
  });
  protected readonly backLink = computed(() => inboxLink(sessionStorage.getItem(INBOX_URL_KEY)));
  /** The same as a tree, so routerLink keeps its query rather than encoding it into the path. */
  protected readonly backTree = computed(() => this.router.parseUrl(this.backLink()));
  protected readonly dialogLabel = computed(() => {
    const d = this.dialog();
    return d ? actionLabel(d.action, this.step().labels) : '';
  });
  protected readonly dialogTitle = computed(() => {
    const t = this.task();
    return `${this.dialogLabel()}：${t?.title || t?.name || ''}`;
  });
  protected readonly readOnlyText = computed(() => {
    const t = this.task();
    if (!t) return '';
    if (t.status !== 'open')
      return `该任务已办理完毕（${outcomeText(t.outcome, this.step().labels)}），可查看办理过程和流程图。`;
    if (t.signing && t.assignee !== this.me()?.id)
      return '任务正在由加签人员办理，办理完毕后回到办理人。';
    return `该任务当前由${this.holder()}办理，您可以查看办理过程和流程图。`;
  });
  /** Dates the data may be kept until: after today, and not past the request's period of use. */
  protected readonly expiryDisabled = (date: Date): boolean => {
    const d = isoDay(date);
    const to = this.periodTo();
    return d <= ministryToday() || (!!to && d > to);
  };

  constructor() {
    void this.loadPhrases();
    effect(() => {
      const id = this.id();
      untracked(() => {
        this.resetInputs();
        void this.load(id);
      });
    });
  }

  protected err(field: string): string {
    return this.errors()[field] ?? '';
  }

  protected status(field: string): 'error' | '' {
    return this.errors()[field] ? 'error' : '';
  }

  protected urgencyTag(urgency: string): string {
    return urgencyColor(urgency) ?? 'default';
  }

  protected percent(x: number): string {
    return `${Math.round(x * 100)}%`;
  }

  protected signerStatus(status: string): string {
    return SIGNER_STATUS[status] ?? status;
  }

  protected historyColor(action: string): string {
    if (action === 'reject' || action === 'sign-reject') return 'red';
    if (
      action === 'return' ||
      action === 'sign-return' ||
      action === 'withdraw' ||
      action === 'urge'
    )
      return 'orange';
    if (action === 'approve' || action === 'sign') return 'green';
    return 'blue';
  }

  /** Each recorded operation in the words of its step and pass (提交 then 补正, 核稿同意, 交承办 …). */
  protected readonly historyView = computed(() => {
    const t = this.task();
    return t ? historySteps(t.processKey, t.history, historyLabel) : [];
  });

  protected needsComment(action: TaskAction): boolean {
    return actionInputs(action).needsComment;
  }

  protected rememberCaret(): void {
    const box = this.opinionBox()?.nativeElement;
    if (box) this.caret = { start: box.selectionStart, end: box.selectionEnd };
  }

  /** 常用语 go in where the caret was (or at the end), and the box keeps the focus for more typing. */
  protected usePhrase(phrase: string): void {
    const { text, caret } = insertPhrase(this.comment, phrase, this.caret);
    this.comment = text;
    this.caret = { start: caret, end: caret };
    this.errors.update(({ comment: _c, ...rest }) => rest);
    const box = this.opinionBox()?.nativeElement;
    if (box) {
      box.value = text;
      box.focus();
      box.setSelectionRange(caret, caret);
    }
  }

  protected act(action: TaskAction): void {
    this.errors.set({});
    this.dialogError.set(null);
    const inputs = actionInputs(action);
    if (needsDialog(action) || inputs.needsComment || inputs.confirm) {
      this.personValue = null;
      this.peopleValue = [];
      const only =
        this.task()?.returnTargets.length === 1 ? this.task()!.returnTargets[0].activityId : null;
      this.dialog.set({
        action,
        target: action === 'return' ? only : null,
        targets: [],
        position: null,
      });
      return;
    }
    void this.send(action, {});
  }

  protected confirmDialog(): void {
    const d = this.dialog();
    if (!d || this.acting()) return;
    const person = typeof this.personValue === 'string' ? this.personValue : null;
    const people = Array.isArray(this.peopleValue)
      ? this.peopleValue
      : this.peopleValue
        ? [this.peopleValue]
        : [];
    void this.send(d.action, {
      target: d.action === 'transfer' || d.action === 'delegate' ? person : d.target,
      targets: d.action === 'remove-signer' ? d.targets : people,
      position: d.position,
    });
  }

  private context(): ActionContext {
    const t = this.task();
    const step = this.step();
    return {
      returnTargets: t?.returnTargets ?? [],
      selfId: this.me()?.id,
      labels: step.labels,
      opinionRequired: step.opinionRequired,
      opinionLabel: step.opinionLabel,
    };
  }

  private extras(): StepExtras {
    return {
      handler: typeof this.handler === 'string' ? this.handler : null,
      fileName: this.fileName,
      link: this.link,
      expiresAt: this.expiresAt,
      referToSecretary: this.referToSecretary && this.canRefer(),
    };
  }

  private async send(
    action: TaskAction,
    fields: { target?: string | null; targets?: string[]; position?: 'before' | 'after' | null },
  ): Promise<void> {
    const t = this.task();
    if (!t || this.acting()) return;
    const step = this.step();
    const context = this.context();
    const input = {
      comment: this.comment,
      ...fields,
      variables:
        step.kind === 'plain'
          ? contractVariables(this.task()?.fields, this.contractValues, action)
          : stepVariables(step.kind, action, this.extras()),
    };
    const errors = {
      ...(step.kind === 'plain'
        ? contractErrors(this.task()?.fields, this.contractValues, action)
        : {}),
      ...validateStep(step.kind, action, this.extras(), {
        today: ministryToday(),
        periodTo: this.periodTo(),
      }),
      ...validateAction(action, input, context),
    };
    if (Object.keys(errors).length > 0) {
      this.errors.set(errors);
      if (!this.dialog()) this.focusFirstError(errors);
      return;
    }
    this.acting.set(action);
    try {
      await this.api.post(`/tasks/${t.id}/actions`, actionBody(action, input, context));
      this.message.success(doneMessage(action, step.labels));
      this.dialog.set(null);
      if (staysOnPage(action, fields.position)) {
        this.comment = action === 'cc' || action === 'urge' ? this.comment : '';
        await this.load(t.id);
      } else {
        await this.router.navigateByUrl(this.backLink());
      }
    } catch (error) {
      await this.failedWith(error, action);
    } finally {
      this.acting.set(null);
    }
  }

  /** The api's answer in the right place: at the field, in the dialog, or on top with a reload when the task moved on. */
  private async failedWith(error: unknown, action: TaskAction): Promise<void> {
    if (!(error instanceof ApiError)) {
      this.message.error('办理失败，请稍后重试');
      return;
    }
    if (error.status === 409 || error.code === 'ACTION_NOT_ALLOWED' || error.status === 404) {
      // Someone else handled it, or it moved on: show why and what the task looks like now.
      this.dialog.set(null);
      const message = `${error.message.replace(/[，,]?请刷新[^，。]*$/, '')}。页面已自动刷新，显示任务的最新状态。`;
      this.notice.set({ type: 'warning', message });
      this.message.warning(error.message);
      await this.load(this.task()!.id);
      return;
    }
    const fieldErrors: Record<string, string> = {};
    for (const field of [
      'comment',
      'target',
      'targets',
      'position',
      ...STEP_FIELDS,
      ...this.contractFields().map((f) => f.id),
    ]) {
      const text = error.fieldMessage(field) ?? error.fieldMessage(`variables.${field}`);
      // The api's field word is short (必填); the message says what to do.
      if (text) fieldErrors[field] = text.length <= 4 ? error.message : text;
    }
    if (Object.keys(fieldErrors).length > 0) {
      this.errors.set(fieldErrors);
      const inDialog =
        ['target', 'targets', 'position'].some((f) => fieldErrors[f]) ||
        (this.dialog() && fieldErrors['comment']);
      if (this.dialog() && !inDialog) this.dialog.set(null);
      if (!this.dialog()) this.focusFirstError(fieldErrors);
      return;
    }
    if (this.dialog()) this.dialogError.set(error.message);
    else
      this.notice.set({
        type: 'error',
        message: `${actionLabel(action, this.step().labels)}未成功：${error.message}`,
      });
  }

  private focusFirstError(errors: Record<string, string>): void {
    const ids: Record<string, string> = {
      comment: 'opinion',
      handler: 'handler',
      fileName: 'provide-file',
      link: 'provide-link',
      expiresAt: 'provide-expires',
    };
    const first = Object.keys(errors).find((k) => ids[k]);
    if (first) setTimeout(() => document.getElementById(ids[first])?.focus());
    if (errors['referToSecretary']) this.message.error(errors['referToSecretary']);
  }

  private resetInputs(): void {
    this.comment = '';
    this.handler = null;
    this.fileName = '';
    this.link = '';
    this.expiresAt = null;
    this.referToSecretary = false;
    this.caret = null;
    this.errors.set({});
    this.notice.set(null);
    this.duplicates.set(null);
    this.periodTo.set(null);
    this.failed.set(null);
    this.task.set(null);
  }

  private async loadPhrases(): Promise<void> {
    try {
      this.phrases.set((await this.api.get<{ phrases: string[] }>('/personal/phrases')).phrases);
    } catch {
      // The platform's phrases stay: the opinion box works without the person's own.
    }
  }

  async load(id: string): Promise<void> {
    try {
      const task = await this.api.get<TaskDetail>(`/tasks/${id}`);
      if (id !== this.id()) return;
      this.task.set(task);
      this.contractValues = initialValues(task.fields);
      void this.lookUps(task);
    } catch (error) {
      if (id !== this.id()) return;
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该任务，或您无权查看。请从待办列表重新打开。'
          : error instanceof ApiError
            ? error.message
            : '任务加载失败，请刷新页面',
      );
    }
  }

  /** What the step shows besides the task: duplicates for 信息办, the period of use for 提供数据, the holder's name. */
  private async lookUps(task: TaskDetail): Promise<void> {
    const kind = stepForm({
      processKey: task.processKey,
      name: task.name,
      formKey: task.formKey,
      activityId: task.activityId,
    }).kind;
    const projectId =
      typeof task.form['projectId'] === 'string' ? task.form['projectId'] : task.businessKey;
    const requestId =
      typeof task.form['requestId'] === 'string' ? task.form['requestId'] : task.businessKey;
    const jobs: Promise<unknown>[] = [];
    if (kind === 'office-review' && projectId)
      jobs.push(
        this.api
          .get<{ possibleDuplicates: Duplicate[] }>(`/projects/${projectId}`)
          .then((p) => this.duplicates.set(p.possibleDuplicates ?? []))
          .catch(() => this.duplicates.set([])),
      );
    if (kind === 'provide' && requestId)
      jobs.push(
        this.api
          .get<{ periodTo: string }>(`/data-requests/${requestId}`)
          .then((r) => this.periodTo.set(r.periodTo ?? null))
          .catch(() => undefined),
      );
    const known = new Set([
      ...task.history.map((h) => h.userId),
      ...task.signers.map((s) => s.userId),
      this.me()?.id,
    ]);
    if (
      task.status === 'open' &&
      task.assignee &&
      !task.assigneeName &&
      !known.has(task.assignee) &&
      !task.onBehalfOf
    ) {
      // The task gives the holder's id only; the diagram names who holds the case's open steps.
      const who = task.assignee;
      jobs.push(
        this.api
          .get<{ holders: { activityId: string; name: string }[] }>(`/tasks/${task.id}/diagram`)
          .then(({ holders }) => {
            const names = [...new Set(holders.map((h) => h.name))];
            if (names.length === 1)
              this.lookedUpName.update((current) => ({ ...current, [who]: names[0] }));
          })
          .catch(() => undefined),
      );
    }
    await Promise.all(jobs);
  }
}
