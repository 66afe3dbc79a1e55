import { DatePipe, PercentPipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal } from '@angular/core';
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
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { AttachmentsPanel } from '../documents/attachments-panel';
import { CaseHistory } from '../documents/case-history';
import { Files } from '../documents/files';
import { PdfPreview } from '../documents/pdf-preview';
import {
  caseEntries,
  formatBudget,
  mayChangeStatus,
  nextLifecycleStatus,
  openStepsText,
  projectStatusColor,
  returnedOpinion,
  yearsText,
} from './ledger.logic';
import { reasonError } from './project-form.logic';
import type { DeployedSystem, Page, ProjectDetail, TaskRow } from './project.model';

/** One 信息化项目: the proposal, where its case stands, the opinions and votes, and its lifecycle after 立项. */
@Component({
  selector: 'zw-project-detail-page',
  imports: [
    DatePipe,
    PercentPipe,
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
          <div nz-result-extra><a nz-button routerLink="/projects">返回台账</a></div>
        </nz-result>
      } @else if (!project()) {
        <nz-spin nzSimple />
      } @else {
        @let p = project()!;
        <div class="page-header">
          <h2>{{ p.name }}</h2>
          <div class="toolbar">
            @for (t of myTasks(); track t.id) {
              <a
                nz-button
                nzType="primary"
                [routerLink]="['/tasks', t.id]"
                data-testid="handle-task"
                >办理（{{ t.name }}）</a
              >
            }
            @if (canCorrect()) {
              <a
                nz-button
                nzType="primary"
                [routerLink]="['/projects', p.id, 'edit']"
                data-testid="correct-project"
                >修改申报</a
              >
            }
            @if (next(); as n) {
              <button nz-button type="button" (click)="openStatus()" data-testid="change-status">
                标记为{{ n }}
              </button>
            }
            <a nz-button routerLink="/projects">返回台账</a>
          </div>
        </div>

        @if (canCorrect() && returned()) {
          <nz-alert
            nzType="warning"
            nzShowIcon
            nzMessage="申报被退回修改"
            [nzDescription]="returned()!"
            class="block"
          />
        }

        <nz-card nzTitle="项目信息" nzSize="small" class="block">
          <nz-descriptions
            nzBordered
            nzSize="small"
            [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
          >
            <nz-descriptions-item nzTitle="项目编号">{{
              p.projectNo || '（立项时编号）'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="状态">
              <nz-tag [nzColor]="color(p.status)" data-testid="project-status">{{
                p.status
              }}</nz-tag>
              @if (p.stage) {
                <span class="muted">{{ p.stage }}</span>
              }
            </nz-descriptions-item>
            <nz-descriptions-item nzTitle="项目类别">{{ p.category }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申报单位">{{ p.unitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="申报人"
              >{{ p.submitterName }}（{{
                p.createdAt | date: 'yyyy-MM-dd HH:mm'
              }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="实施单位">
              @if (p.implementingUnitName) {
                {{ p.implementingUnitName }}
              } @else {
                <span class="muted">{{
                  p.isGovernmentAffairs ? '立项后由信息中心实施' : '立项后由申报单位实施'
                }}</span>
              }
            </nz-descriptions-item>
            <nz-descriptions-item nzTitle="预算">{{ budget(p.budget) }} 万元</nz-descriptions-item>
            <nz-descriptions-item nzTitle="建设年度">{{
              years(p.startYear, p.endYear)
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="政务管理类">{{
              p.isGovernmentAffairs ? '是' : '否'
            }}</nz-descriptions-item>
            @if (p.decision) {
              <nz-descriptions-item nzTitle="立项决定" [nzSpan]="3">
                {{ p.decision }}
                @if (p.decidedAt) {
                  <span class="muted">（{{ p.decidedAt | date: 'yyyy-MM-dd HH:mm' }}）</span>
                }
              </nz-descriptions-item>
            }
          </nz-descriptions>
          <h4 class="content-title">建设内容</h4>
          <div class="content">{{ p.content }}</div>
        </nz-card>

        @if (p.noticeAttachmentId) {
          <nz-card nzTitle="立项通知" nzSize="small" class="block">
            <div class="toolbar">
              <button nz-button type="button" (click)="downloadNotice(p)">
                <nz-icon nzType="download" />下载立项通知
              </button>
              <zw-pdf-preview
                [attachmentId]="p.noticeAttachmentId"
                [title]="'立项通知 ' + (p.projectNo ?? '')"
                label="预览立项通知"
              />
            </div>
          </nz-card>
        }

        <nz-card nzTitle="附件" nzSize="small" class="block">
          <zw-attachments-panel ownerKind="project" [ownerId]="p.id" [canUpload]="canUpload()" />
        </nz-card>

        @if (p.possibleDuplicates.length) {
          <nz-card nzTitle="可能重复的项目" nzSize="small" class="block" data-testid="duplicates">
            <p class="muted">同类别中名称或建设内容相近的项目，供信息办审查时比对。</p>
            <div class="scroll">
              <nz-table
                #dups
                [nzData]="p.possibleDuplicates"
                [nzShowPagination]="false"
                nzSize="small"
              >
                <thead>
                  <tr>
                    <th>项目名称</th>
                    <th nzWidth="120px">项目编号</th>
                    <th nzWidth="150px">申报单位</th>
                    <th nzWidth="90px">状态</th>
                    <th nzWidth="100px">名称相似度</th>
                    <th nzWidth="100px">内容相似度</th>
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
                      <td>
                        <nz-tag [nzColor]="color(d.status)">{{ d.status }}</nz-tag>
                      </td>
                      <td>{{ d.nameSimilarity | percent: '1.0-0' }}</td>
                      <td>{{ d.contentSimilarity | percent: '1.0-0' }}</td>
                    </tr>
                  }
                </tbody>
              </nz-table>
            </div>
          </nz-card>
        }

        @if (p.votes.length || voting()) {
          <nz-card nzTitle="领导小组表决" nzSize="small" class="block">
            <p>
              同意 <strong>{{ p.tally.approve }}</strong> 票，不同意
              <strong>{{ p.tally.reject }}</strong> 票
              @if (voting()) {
                <span class="muted">，尚有 {{ voting() }} 人未表决</span>
              }
            </p>
            @if (p.votes.length) {
              <div class="scroll">
                <nz-table #votes [nzData]="p.votes" [nzShowPagination]="false" nzSize="small">
                  <thead>
                    <tr>
                      <th nzWidth="120px">成员</th>
                      <th nzWidth="100px">表决</th>
                      <th>意见</th>
                      <th nzWidth="150px">时间</th>
                    </tr>
                  </thead>
                  <tbody>
                    @for (v of votes.data; track $index) {
                      <tr>
                        <td>{{ v.voterName }}</td>
                        <td>
                          <nz-tag [nzColor]="v.vote === 'approve' ? 'green' : 'red'">{{
                            v.vote === 'approve' ? '同意' : '不同意'
                          }}</nz-tag>
                        </td>
                        <td>
                          {{ v.opinion || '—' }}
                          @if (v.referToSecretary) {
                            <nz-tag nzColor="orange">提请集体决定</nz-tag>
                          }
                        </td>
                        <td>{{ v.votedAt | date: 'yyyy-MM-dd HH:mm' }}</td>
                      </tr>
                    }
                  </tbody>
                </nz-table>
              </div>
            }
          </nz-card>
        }

        @if (systems().length) {
          <nz-card nzTitle="已部署的应用系统" nzSize="small" class="block">
            <ul class="systems">
              @for (s of systems(); track s.id) {
                <li>
                  {{ s.name }} · {{ s.unitName }}（{{ s.level }}） · {{ s.version }} ·
                  {{ s.goLiveDate }} 上线 ·
                  <nz-tag [nzColor]="s.status === '运行' ? 'green' : 'default'">{{
                    s.status
                  }}</nz-tag>
                </li>
              }
            </ul>
          </nz-card>
        }

        <nz-card nzTitle="流程" nzSize="small" class="block">
          @if (steps().length) {
            <h4>当前环节</h4>
            <ul class="steps">
              @for (s of steps(); track $index) {
                <li>
                  <strong>{{ s.name }}</strong> — {{ s.detail }}
                  @if (s.dueAt) {
                    <span class="muted" [class.overdue]="isPast(s.dueAt)"
                      >（期限 {{ s.dueAt | date: 'yyyy-MM-dd' }}）</span
                    >
                  }
                </li>
              }
            </ul>
          }
          <zw-case-history processKey="project-initiation" [entries]="entries()" />
        </nz-card>
      }

      <nz-modal
        [nzVisible]="changing()"
        [nzTitle]="'标记为' + (next() ?? '')"
        nzOkText="确定变更"
        nzCancelText="取消"
        [nzOkLoading]="saving()"
        (nzOnOk)="changeStatus()"
        (nzOnCancel)="changing.set(false)"
      >
        <ng-container *nzModalContent>
          <p>
            项目“{{ project()?.name }}”的状态将由“{{ project()?.status }}”变更为“{{
              next()
            }}”，变更记入项目台账，不能撤销。
          </p>
          <form nz-form nzLayout="vertical" (ngSubmit)="changeStatus()">
            <nz-form-item>
              <nz-form-label nzFor="status-reason" nzRequired>变更原因</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="reasonErr() ? 'error' : ''"
                [nzErrorTip]="reasonErr() ?? ''"
              >
                <textarea
                  nz-input
                  id="status-reason"
                  name="reason"
                  rows="3"
                  [(ngModel)]="reason"
                  maxlength="2000"
                  [placeholder]="
                    next() === '在建'
                      ? '如：已完成招标，合同已签订，项目开工建设'
                      : '如：已通过竣工验收'
                  "
                ></textarea>
              </nz-form-control>
            </nz-form-item>
          </form>
        </ng-container>
      </nz-modal>
    </div>
  `,
  styles: `
    .block {
      margin-bottom: 16px;
    }
    .muted {
      color: #595959;
      margin-left: 4px;
    }
    .content-title {
      margin: 16px 0 4px;
    }
    .content {
      white-space: pre-wrap;
      line-height: 1.8;
    }
    .scroll {
      overflow-x: auto;
    }
    .steps,
    .systems {
      padding-left: 20px;
    }
    .systems li {
      margin-bottom: 4px;
    }
  `,
})
export class ProjectDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly files = inject(Files);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly project = signal<ProjectDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly myTasks = signal<TaskRow[]>([]);
  protected readonly systems = signal<DeployedSystem[]>([]);
  protected readonly changing = signal(false);
  protected readonly saving = signal(false);
  protected readonly reasonErr = signal<string | null>(null);
  protected reason = '';

  private readonly mine = computed(() => this.project()?.submittedBy === this.auth.user()?.id);
  private readonly open = computed(
    () => new Set(this.project()?.openTasks.map((t) => t.activityId) ?? []),
  );
  /** A returned proposal, corrected by its submitter on the edit page (PUT /projects/:id). */
  protected readonly canCorrect = computed(
    () => this.mine() && this.project()?.status === '申报中' && this.open().has('revise'),
  );
  /** The api lets the submitter add files until the leader acts, and while the proposal is returned. */
  protected readonly canUpload = computed(
    () =>
      this.mine() &&
      this.project()?.status === '申报中' &&
      (this.open().has('leaderApproval') || this.open().has('revise')),
  );
  protected readonly next = computed(() => {
    const p = this.project();
    const me = this.auth.user();
    return p && me && mayChangeStatus(p, me) ? nextLifecycleStatus(p.status) : null;
  });
  protected readonly entries = computed(() => {
    const p = this.project();
    return p ? caseEntries(p) : [];
  });
  protected readonly steps = computed(() => {
    const p = this.project();
    return p ? openStepsText(p) : [];
  });
  protected readonly voting = computed(
    () => this.project()?.openTasks.filter((t) => t.activityId === 'vote').length ?? 0,
  );
  protected readonly returned = computed(() => {
    const p = this.project();
    return p ? returnedOpinion(p) : null;
  });

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const p = await this.api.get<ProjectDetail>(`/projects/${this.id()}`);
      this.project.set(p);
      void this.loadMyTasks(p);
      if (['已立项', '在建', '已建成'].includes(p.status)) void this.loadSystems(p.id);
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该项目，或您无权查看。请从项目台账重新打开。'
          : error instanceof ApiError
            ? error.message
            : '项目加载失败，请刷新页面',
      );
    }
  }

  /** 办理 appears only for a step of this case in the caller's own 待办 (the inbox matches roles, units and substitutes). */
  private async loadMyTasks(p: ProjectDetail): Promise<void> {
    if (!p.openTasks.length) {
      this.myTasks.set([]);
      return;
    }
    try {
      const res = await this.api.get<Page<TaskRow>>('/tasks', {
        view: 'todo',
        process: 'project-initiation',
        q: p.id,
        limit: 50,
      });
      const open = new Set(p.openTasks.map((t) => t.id));
      this.myTasks.set(res.items.filter((t) => open.has(t.id) && t.businessKey === p.id));
    } catch {
      this.myTasks.set([]);
    }
  }

  private async loadSystems(projectId: string): Promise<void> {
    try {
      this.systems.set(
        (await this.api.get<Page<DeployedSystem>>('/deployed-systems', { projectId, limit: 50 }))
          .items,
      );
    } catch {
      this.systems.set([]);
    }
  }

  openStatus(): void {
    this.reason = '';
    this.reasonErr.set(null);
    this.changing.set(true);
  }

  async changeStatus(): Promise<void> {
    const p = this.project();
    const status = this.next();
    if (!p || !status || this.saving()) return;
    const err = reasonError(this.reason);
    this.reasonErr.set(err ?? null);
    if (err) return;
    this.saving.set(true);
    try {
      await this.api.post(`/projects/${p.id}/status`, { status, reason: this.reason.trim() });
      this.message.success(`项目已标记为${status}`);
      this.changing.set(false);
      await this.load();
    } catch (error) {
      if (error instanceof ApiError && error.fieldMessage('reason'))
        this.reasonErr.set(error.fieldMessage('reason')!);
      else this.message.error(error instanceof ApiError ? error.message : '变更失败，请刷新后重试');
    } finally {
      this.saving.set(false);
    }
  }

  async downloadNotice(p: ProjectDetail): Promise<void> {
    if (!p.noticeAttachmentId) return;
    try {
      await this.files.download(p.noticeAttachmentId, `立项通知-${p.projectNo ?? p.name}.pdf`);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请重试');
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

  protected isPast(at: string): boolean {
    return new Date(at).getTime() < Date.now();
  }
}
