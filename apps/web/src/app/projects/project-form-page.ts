import { Component, OnInit, computed, inject, input, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCheckboxModule } from 'ng-zorro-antd/checkbox';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzRadioModule } from 'ng-zorro-antd/radio';
import { NzResultModule } from 'ng-zorro-antd/result';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { DraftBar } from '../core/draft-bar';
import { restoreInto } from '../core/drafts.logic';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { AttachmentsPanel } from '../documents/attachments-panel';
import { formatSize, uploadEach } from '../documents/files';
import { returnedOpinion } from './ledger.logic';
import {
  emptyProjectForm,
  projectFormOf,
  toProjectBody,
  validateProjectForm,
  type FieldErrors,
  type ProjectField,
  type ProjectForm,
} from './project-form.logic';
import { PROJECT_CATEGORIES, type ProjectDetail } from './project.model';

const FIELDS: ProjectField[] = [
  'name',
  'category',
  'budget',
  'startYear',
  'endYear',
  'content',
  'isGovernmentAffairs',
  'comment',
];

/** The year the api checks against (Beijing time), so a proposal on 31 December is judged as the server judges it. */
function thisYear(): number {
  return Number(
    new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(
      new Date(),
    ),
  );
}

/**
 * 新建立项申请 (`/projects/new`) and 修改申报 (`/projects/:id/edit`, a proposal returned to its submitter).
 * The api has no drafts: 提交申报 starts the case at the unit's leader at once.
 */
@Component({
  selector: 'zw-project-form-page',
  imports: [
    DraftBar,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCheckboxModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzRadioModule,
    NzResultModule,
    NzSpinModule,
    AttachmentsPanel,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>{{ id() ? '修改申报' : '信息化项目立项申请' }}</h2>
        <a nz-button [routerLink]="id() ? ['/projects', id()] : ['/projects']">返回</a>
      </div>

      @if (blocked()) {
        <nz-result nzStatus="warning" [nzTitle]="blocked()!">
          <div nz-result-extra>
            <a nz-button nzType="primary" [routerLink]="id() ? ['/projects', id()] : ['/projects']"
              >返回</a
            >
          </div>
        </nz-result>
      } @else if (loading()) {
        <nz-spin nzSimple />
      } @else {
        @if (returned(); as r) {
          <nz-alert
            nzType="warning"
            nzShowIcon
            nzMessage="申报被退回修改"
            [nzDescription]="r"
            class="alert"
          />
        }
        @if (formError()) {
          <nz-alert
            nzType="error"
            nzShowIcon
            [nzMessage]="formError()!"
            class="alert"
            data-testid="form-error"
          />
        }
        <form
          nz-form
          nzLayout="vertical"
          class="form"
          (ngSubmit)="submit()"
          novalidate
          data-testid="project-form"
        >
          <p class="unit">申报单位：{{ unitName() }}</p>

          <nz-form-item>
            <nz-form-label nzFor="name" nzRequired>项目名称</nz-form-label>
            <nz-form-control [nzValidateStatus]="status('name')" [nzErrorTip]="errors().name ?? ''">
              <input
                nz-input
                id="name"
                name="name"
                [(ngModel)]="form.name"
                (ngModelChange)="touched()"
                maxlength="100"
                placeholder="如：国土资源一张图数据更新"
              />
            </nz-form-control>
          </nz-form-item>

          <nz-form-item>
            <nz-form-label nzFor="category" nzRequired>项目类别</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('category')"
              [nzErrorTip]="errors().category ?? ''"
            >
              <nz-radio-group
                id="category"
                name="category"
                [(ngModel)]="form.category"
                (ngModelChange)="touched()"
                aria-label="项目类别"
              >
                @for (c of categories; track c) {
                  <label nz-radio-button [nzValue]="c">{{ c }}</label>
                }
              </nz-radio-group>
            </nz-form-control>
          </nz-form-item>

          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="budget" nzRequired>预算（万元）</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('budget')"
                [nzErrorTip]="errors().budget ?? ''"
              >
                <input
                  nz-input
                  id="budget"
                  name="budget"
                  inputmode="decimal"
                  [(ngModel)]="form.budget"
                  (ngModelChange)="touched()"
                  placeholder="如：120.5"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="startYear" nzRequired>建设起始年度</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('startYear')"
                [nzErrorTip]="errors().startYear ?? ''"
              >
                <input
                  nz-input
                  id="startYear"
                  name="startYear"
                  inputmode="numeric"
                  maxlength="4"
                  [(ngModel)]="form.startYear"
                  (ngModelChange)="touched()"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="endYear" nzRequired>建设结束年度</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('endYear')"
                [nzErrorTip]="errors().endYear ?? ''"
              >
                <input
                  nz-input
                  id="endYear"
                  name="endYear"
                  inputmode="numeric"
                  maxlength="4"
                  [(ngModel)]="form.endYear"
                  (ngModelChange)="touched()"
                />
              </nz-form-control>
            </nz-form-item>
          </div>

          <nz-form-item>
            <nz-form-control
              [nzValidateStatus]="status('isGovernmentAffairs')"
              [nzErrorTip]="errors().isGovernmentAffairs ?? ''"
              nzExtra="政务管理类项目立项后由信息中心负责实施"
            >
              <label
                nz-checkbox
                id="isGovernmentAffairs"
                name="isGovernmentAffairs"
                [(ngModel)]="form.isGovernmentAffairs"
                (ngModelChange)="touched()"
              >
                属于政务管理类项目
              </label>
            </nz-form-control>
          </nz-form-item>

          <nz-form-item>
            <nz-form-label nzFor="content" nzRequired>建设内容</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('content')"
              [nzErrorTip]="errors().content ?? ''"
              [nzExtra]="contentCount()"
            >
              <textarea
                nz-input
                id="content"
                name="content"
                rows="8"
                [(ngModel)]="form.content"
                (ngModelChange)="touched()"
                maxlength="5000"
                placeholder="建设目标、主要内容、与现有系统的关系等"
              ></textarea>
            </nz-form-control>
          </nz-form-item>

          <nz-form-item>
            <nz-form-label>附件（可行性研究报告、建设方案等）</nz-form-label>
            @if (id()) {
              <div class="attach">
                <zw-attachments-panel ownerKind="project" [ownerId]="id()!" [canUpload]="true" />
              </div>
            } @else {
              <div class="files">
                <label class="pick">
                  <nz-icon nzType="upload" />
                  <span>选择文件</span>
                  <input type="file" multiple (change)="pick($event)" aria-label="选择附件文件" />
                </label>
                <span class="hint">提交申报后随即上传；单位领导审批前仍可在项目页补充附件</span>
                @if (pending().length) {
                  <ul class="pending">
                    @for (f of pending(); track $index) {
                      <li>
                        {{ f.name }} <span class="hint">（{{ size(f.size) }}）</span>
                        <button
                          type="button"
                          class="link"
                          (click)="unpick($index)"
                          [attr.aria-label]="'移除 ' + f.name"
                        >
                          移除
                        </button>
                      </li>
                    }
                  </ul>
                }
              </div>
            }
          </nz-form-item>

          @if (id()) {
            <nz-form-item>
              <nz-form-label nzFor="comment">修改说明</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('comment')"
                [nzErrorTip]="errors().comment ?? ''"
                nzExtra="作为重新提交的意见，送单位领导审批"
              >
                <textarea
                  nz-input
                  id="comment"
                  name="comment"
                  rows="3"
                  [(ngModel)]="comment"
                  maxlength="2000"
                  placeholder="如：已补充现有链路带宽使用情况"
                ></textarea>
              </nz-form-control>
            </nz-form-item>
          }

          <div class="toolbar">
            <button
              nz-button
              nzType="primary"
              type="submit"
              [nzLoading]="saving()"
              data-testid="project-submit"
            >
              {{ id() ? '重新提交' : '提交申报' }}
            </button>
            @if (!id()) {
              <zw-draft-bar
                formKey="project"
                [snapshot]="snapshot"
                (restore)="form = restoreDraft($event)"
              />
            }
            <a nz-button [routerLink]="id() ? ['/projects', id()] : ['/projects']">取消</a>
          </div>
          <p class="hint">提交后送本单位领导审批，再经信息办审查、领导小组表决后立项。</p>
        </form>
      }
    </div>
  `,
  styles: `
    .form {
      max-width: 960px;
    }
    .alert {
      max-width: 960px;
      margin-bottom: 16px;
    }
    .row {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: 0 16px;
    }
    .unit {
      color: #555;
    }
    .hint {
      color: #595959;
    }
    .attach {
      width: 100%;
    }
    .files {
      width: 100%;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 12px;
    }
    .pick {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 4px 15px;
      border: 1px solid #d9d9d9;
      border-radius: 6px;
      cursor: pointer;
    }
    .pick:focus-within {
      outline: 2px solid #0958d9;
    }
    .pick input {
      position: absolute;
      width: 1px;
      height: 1px;
      opacity: 0;
    }
    .pending {
      flex-basis: 100%;
      margin: 0;
      padding-left: 20px;
    }
    .link {
      border: 0;
      background: none;
      padding: 0;
      margin-left: 8px;
      color: #0958d9;
      cursor: pointer;
    }
  `,
})
export class ProjectFormPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id` when correcting a returned proposal. */
  readonly id = input<string>();
  protected readonly categories = PROJECT_CATEGORIES;
  protected form: ProjectForm = emptyProjectForm(thisYear());
  private readonly draftBar = viewChild(DraftBar);
  /** 暂存 keeps the form as typed (attachments are uploaded with the record, not kept). */
  protected readonly snapshot = (): object => this.form;
  protected restoreDraft(payload: Record<string, unknown>): ProjectForm {
    return restoreInto(emptyProjectForm(thisYear()), payload);
  }
  protected comment = '';
  protected readonly errors = signal<FieldErrors<ProjectField>>({});
  protected readonly formError = signal<string | null>(null);
  protected readonly saving = signal(false);
  protected readonly loading = signal(false);
  protected readonly blocked = signal<string | null>(null);
  protected readonly returned = signal<string | null>(null);
  protected readonly pending = signal<File[]>([]);
  protected readonly unitName = signal(this.auth.user()?.unitName ?? '');
  private readonly contentLength = signal(0);
  protected readonly contentCount = computed(() => `${this.contentLength()} / 5000 字`);
  private submitted = false;

  async ngOnInit(): Promise<void> {
    const id = this.id();
    if (!id) return;
    this.loading.set(true);
    try {
      const p = await this.api.get<ProjectDetail>(`/projects/${id}`);
      const mine = p.submittedBy === this.auth.user()?.id;
      const isReturned =
        p.status === '申报中' && p.openTasks.some((t) => t.activityId === 'revise');
      if (!mine || !isReturned) {
        this.blocked.set(
          mine
            ? `该申报当前为“${p.stage ?? p.status}”，只有被退回修改的申报才能修改`
            : '只有申报人可以修改被退回的申报',
        );
        return;
      }
      this.form = projectFormOf(p);
      this.contentLength.set(this.form.content.trim().length);
      this.unitName.set(p.unitName);
      this.returned.set(returnedOpinion(p));
    } catch (error) {
      this.blocked.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该项目，或您无权查看'
          : '加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  /** Before the first 提交 a field's error clears as it is corrected; after it, errors follow the typing. */
  touched(): void {
    this.contentLength.set(this.form.content.trim().length);
    const now = validateProjectForm(this.form, thisYear());
    if (this.submitted) this.errors.set(now);
    else
      this.errors.update((e) =>
        Object.fromEntries(Object.entries(e).filter(([k]) => now[k as ProjectField])),
      );
  }

  protected status(field: ProjectField): 'error' | '' {
    return this.errors()[field] ? 'error' : '';
  }

  pick(event: Event): void {
    const input = event.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    this.pending.update((list) => [...list, ...files]);
    input.value = '';
  }

  unpick(index: number): void {
    this.pending.update((list) => list.filter((_, i) => i !== index));
  }

  protected size(bytes: number): string {
    return formatSize(bytes);
  }

  async submit(): Promise<void> {
    this.submitted = true;
    this.formError.set(null);
    const errors = validateProjectForm(this.form, thisYear());
    if (this.comment.trim().length > 2000) errors.comment = '修改说明不能超过 2000 个字';
    this.errors.set(errors);
    if (Object.keys(errors).length) {
      this.message.warning('请按提示修改标红的项目后再提交');
      return;
    }
    this.saving.set(true);
    try {
      const body = toProjectBody(this.form);
      const id = this.id();
      if (id) {
        await this.api.put(`/projects/${id}`, {
          ...body,
          comment: this.comment.trim() || undefined,
        });
        this.message.success('已重新提交，送单位领导审批');
        await this.router.navigate(['/projects', id]);
      } else {
        const created = await this.api.post<{ id: string }>('/projects', body);
        await this.draftBar()?.clear();
        const failed = await this.uploadPending(created.id);
        if (failed.length)
          this.message.warning(
            `申报已提交，但以下附件上传失败，请在项目页重新上传：${failed.join('、')}`,
            { nzDuration: 8000 },
          );
        else this.message.success('立项申请已提交，送单位领导审批');
        await this.router.navigate(['/projects', created.id]);
      }
    } catch (error) {
      if (error instanceof ApiError) {
        const atFields: FieldErrors<ProjectField> = error.fieldErrors(FIELDS);
        this.errors.set(atFields);
        // A message that belongs to no field shows above the form; field messages show at their fields.
        if (Object.keys(atFields).length === 0) this.formError.set(error.message);
        else this.message.error(error.message);
      } else {
        this.formError.set('提交失败，请重试');
      }
    } finally {
      this.saving.set(false);
    }
  }

  /** The chosen files, one after another; returns the names that failed. */
  private async uploadPending(projectId: string): Promise<string[]> {
    const failed = await uploadEach(this.api, this.pending(), {
      ownerKind: 'project',
      ownerId: projectId,
    });
    this.pending.set([]);
    return failed;
  }
}
