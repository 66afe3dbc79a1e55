import { Component, inject, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { DraftBar } from '../core/draft-bar';
import { restoreInto } from '../core/drafts.logic';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { MATTER_TYPES } from './approval.model';
import {
  emptyAcceptForm,
  toAcceptBody,
  validateAcceptForm,
  type AcceptField,
  type FieldErrors,
} from './approval-form.logic';

const FIELDS: AcceptField[] = [
  'matterType',
  'title',
  'applicant',
  'applicantContact',
  'location',
  'landArea',
  'description',
];

/** 受理: the county window records an application and sends it to 县级审查. */
@Component({
  selector: 'zw-approval-new',
  imports: [
    DraftBar,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzSelectModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>受理案件</h2>
        <a routerLink="/approvals">返回列表</a>
      </div>
      <p class="hint">
        受理单位：{{ unitName }}。受理后案件进入县级审查，法定时限：县级 5 个、市级 10 个、省级 15
        个工作日。
      </p>
      <form nz-form nzLayout="horizontal" class="form" (ngSubmit)="submit()" novalidate>
        <nz-form-item>
          <nz-form-label nzFor="matterType" nzRequired [nzSpan]="5">事项类型</nz-form-label>
          <nz-form-control
            [nzSpan]="14"
            [nzValidateStatus]="errors().matterType ? 'error' : ''"
            [nzErrorTip]="errors().matterType"
          >
            <nz-select
              nzId="matterType"
              name="matterType"
              [(ngModel)]="form.matterType"
              nzPlaceHolder="请选择事项类型"
              (ngModelChange)="clear('matterType')"
            >
              @for (m of matterTypes; track m) {
                <nz-option [nzValue]="m" [nzLabel]="m" />
              }
            </nz-select>
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="title" nzRequired [nzSpan]="5">事项名称</nz-form-label>
          <nz-form-control
            [nzSpan]="14"
            [nzValidateStatus]="errors().title ? 'error' : ''"
            [nzErrorTip]="errors().title"
          >
            <input
              nz-input
              id="title"
              name="title"
              [(ngModel)]="form.title"
              maxlength="200"
              placeholder="如：玄武区2026年第1批次建设用地报批"
              (ngModelChange)="clear('title')"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="applicant" nzRequired [nzSpan]="5">申请人</nz-form-label>
          <nz-form-control
            [nzSpan]="14"
            [nzValidateStatus]="errors().applicant ? 'error' : ''"
            [nzErrorTip]="errors().applicant"
          >
            <input
              nz-input
              id="applicant"
              name="applicant"
              [(ngModel)]="form.applicant"
              maxlength="100"
              (ngModelChange)="clear('applicant')"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="applicantContact" [nzSpan]="5">联系方式</nz-form-label>
          <nz-form-control
            [nzSpan]="14"
            [nzValidateStatus]="errors().applicantContact ? 'error' : ''"
            [nzErrorTip]="errors().applicantContact"
          >
            <input
              nz-input
              id="applicantContact"
              name="applicantContact"
              [(ngModel)]="form.applicantContact"
              maxlength="50"
              (ngModelChange)="clear('applicantContact')"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="location" nzRequired [nzSpan]="5">坐落</nz-form-label>
          <nz-form-control
            [nzSpan]="14"
            [nzValidateStatus]="errors().location ? 'error' : ''"
            [nzErrorTip]="errors().location"
          >
            <input
              nz-input
              id="location"
              name="location"
              [(ngModel)]="form.location"
              maxlength="200"
              (ngModelChange)="clear('location')"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="landArea" nzRequired [nzSpan]="5">用地面积（公顷）</nz-form-label>
          <nz-form-control
            [nzSpan]="8"
            [nzValidateStatus]="errors().landArea ? 'error' : ''"
            [nzErrorTip]="errors().landArea"
            nzExtra="单位为公顷，大于 0，最多 4 位小数"
          >
            <input
              nz-input
              id="landArea"
              name="landArea"
              inputmode="decimal"
              [(ngModel)]="form.landArea"
              (ngModelChange)="clear('landArea')"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="description" nzRequired [nzSpan]="5">申请说明</nz-form-label>
          <nz-form-control
            [nzSpan]="14"
            [nzValidateStatus]="errors().description ? 'error' : ''"
            [nzErrorTip]="errors().description"
          >
            <textarea
              nz-input
              id="description"
              name="description"
              rows="5"
              [(ngModel)]="form.description"
              maxlength="5000"
              placeholder="申请事由及材料说明"
              (ngModelChange)="clear('description')"
            ></textarea>
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-control [nzSpan]="14" [nzOffset]="5">
            <button nz-button nzType="primary" type="submit" [nzLoading]="busy()">
              受理并提交
            </button>
            <zw-draft-bar
              formKey="approval"
              [snapshot]="snapshot"
              (restore)="restoreDraft($event)"
            />
            <a nz-button routerLink="/approvals" class="cancel">取消</a>
          </nz-form-control>
        </nz-form-item>
      </form>
    </div>
  `,
  styles: `
    .form {
      max-width: 900px;
    }
    .hint {
      color: #666;
    }
    .cancel {
      margin-left: 8px;
    }
  `,
})
export class ApprovalNew {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  protected readonly unitName = inject(Auth).user()?.unitName ?? '';
  protected readonly matterTypes = MATTER_TYPES;
  protected readonly form = emptyAcceptForm();
  private readonly draftBar = viewChild(DraftBar);
  protected readonly snapshot = (): object => this.form;
  protected restoreDraft(payload: Record<string, unknown>): void {
    Object.assign(this.form, restoreInto(emptyAcceptForm(), payload));
  }
  protected readonly errors = signal<FieldErrors<AcceptField>>({});
  protected readonly busy = signal(false);

  protected clear(field: AcceptField): void {
    if (this.errors()[field]) this.errors.update((e) => ({ ...e, [field]: undefined }));
  }

  async submit(): Promise<void> {
    const errors = validateAcceptForm(this.form);
    this.errors.set(errors);
    if (Object.keys(errors).length) {
      this.message.error('请按提示修改标红的项目后再提交');
      return;
    }
    this.busy.set(true);
    try {
      const created = await this.api.post<{ id: string; caseNo: string }>(
        '/approvals',
        toAcceptBody(this.form),
      );
      await this.draftBar()?.clear();
      this.message.success(`已受理，受理编号 ${created.caseNo}`);
      await this.router.navigate(['/approvals', created.id]);
    } catch (error) {
      if (error instanceof ApiError) {
        const fieldErrors: FieldErrors<AcceptField> = error.fieldErrors(FIELDS);
        this.errors.set(fieldErrors);
        this.message.error(error.message);
      } else {
        this.message.error('受理失败，请稍后重试');
      }
    } finally {
      this.busy.set(false);
    }
  }
}
