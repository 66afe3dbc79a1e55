import { Component, OnInit, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { Api, ApiError } from '../core/api';
import {
  FILING_KINDS,
  emptyFilingForm,
  fromFiling,
  toFilingBody,
  validateFilingForm,
  type FilingBody,
  type FilingErrors,
  type FilingField,
  type FilingForm,
} from './filing-form.logic';

const FIELDS: FilingField[] = [
  'kind',
  'title',
  'periodStart',
  'periodEnd',
  'summary',
  'content',
  'contactName',
  'contactPhone',
];

/** 新建备案 (`/filings/new`, a province's drafter) and 修改 (`/filings/:id/edit`, while 草稿/需补正). */
@Component({
  selector: 'zw-filing-form-page',
  imports: [
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzInputNumberModule,
    NzSelectModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>{{ id() ? '修改备案' : '新建备案' }}</h2>
      </div>
      <form nz-form nzLayout="vertical" class="form" (ngSubmit)="save()" novalidate>
        <div class="row">
          <nz-form-item>
            <nz-form-label nzFor="kind" nzRequired>备案类别</nz-form-label>
            <nz-form-control [nzValidateStatus]="st('kind')" [nzErrorTip]="errors().kind ?? ''">
              <nz-select
                nzId="kind"
                name="kind"
                [(ngModel)]="form.kind"
                (ngModelChange)="changed()"
              >
                @for (k of kinds; track k) {
                  <nz-option [nzValue]="k" [nzLabel]="k" />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="periodStart" nzRequired>规划期起始年</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="st('periodStart')"
              [nzErrorTip]="errors().periodStart ?? ''"
            >
              <nz-input-number
                nzId="periodStart"
                name="periodStart"
                [(ngModel)]="form.periodStart"
                (ngModelChange)="changed()"
                [nzMin]="2000"
                [nzMax]="2100"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="periodEnd" nzRequired>规划期终止年</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="st('periodEnd')"
              [nzErrorTip]="errors().periodEnd ?? ''"
            >
              <nz-input-number
                nzId="periodEnd"
                name="periodEnd"
                [(ngModel)]="form.periodEnd"
                (ngModelChange)="changed()"
                [nzMin]="2000"
                [nzMax]="2100"
              />
            </nz-form-control>
          </nz-form-item>
        </div>
        <nz-form-item>
          <nz-form-label nzFor="title" nzRequired>标题</nz-form-label>
          <nz-form-control [nzValidateStatus]="st('title')" [nzErrorTip]="errors().title ?? ''">
            <input
              nz-input
              id="title"
              name="title"
              [(ngModel)]="form.title"
              (ngModelChange)="changed()"
              maxlength="200"
            />
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="summary" nzRequired>内容摘要</nz-form-label>
          <nz-form-control [nzValidateStatus]="st('summary')" [nzErrorTip]="errors().summary ?? ''">
            <textarea
              nz-input
              id="summary"
              name="summary"
              rows="3"
              [(ngModel)]="form.summary"
              (ngModelChange)="changed()"
            ></textarea>
          </nz-form-control>
        </nz-form-item>
        <nz-form-item>
          <nz-form-label nzFor="content" nzRequired>正文</nz-form-label>
          <nz-form-control
            [nzValidateStatus]="st('content')"
            [nzErrorTip]="errors().content ?? ''"
            nzExtra="规划文本等材料可在保存后作为附件上传"
          >
            <textarea
              nz-input
              id="content"
              name="content"
              rows="10"
              [(ngModel)]="form.content"
              (ngModelChange)="changed()"
            ></textarea>
          </nz-form-control>
        </nz-form-item>
        <div class="row">
          <nz-form-item>
            <nz-form-label nzFor="contactName" nzRequired>联系人</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="st('contactName')"
              [nzErrorTip]="errors().contactName ?? ''"
            >
              <input
                nz-input
                id="contactName"
                name="contactName"
                [(ngModel)]="form.contactName"
                (ngModelChange)="changed()"
              />
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="contactPhone" nzRequired>联系电话</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="st('contactPhone')"
              [nzErrorTip]="errors().contactPhone ?? ''"
            >
              <input
                nz-input
                id="contactPhone"
                name="contactPhone"
                [(ngModel)]="form.contactPhone"
                (ngModelChange)="changed()"
              />
            </nz-form-control>
          </nz-form-item>
        </div>
        <div class="toolbar">
          <button nz-button nzType="primary" type="submit" [nzLoading]="saving()">保存</button>
          <a nz-button [routerLink]="id() ? ['/filings', id()] : ['/filings']">取消</a>
        </div>
      </form>
    </div>
  `,
  styles: `
    .form {
      max-width: 960px;
    }
    .row {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: 0 16px;
    }
    nz-input-number {
      width: 100%;
    }
  `,
})
export class FilingFormPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id` when editing. */
  readonly id = input<string>();
  protected readonly kinds = FILING_KINDS;
  protected form: FilingForm = emptyFilingForm();
  protected readonly errors = signal<FilingErrors>({});
  protected readonly saving = signal(false);
  private submitted = false;

  async ngOnInit(): Promise<void> {
    const id = this.id();
    if (!id) return;
    try {
      this.form = fromFiling(await this.api.get<FilingBody>(`/filings/${id}`));
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '备案加载失败，请刷新页面');
    }
  }

  changed(): void {
    if (this.submitted) this.errors.set(validateFilingForm(this.form));
  }

  protected st(field: FilingField): 'error' | '' {
    return this.errors()[field] ? 'error' : '';
  }

  async save(): Promise<void> {
    this.submitted = true;
    const errors = validateFilingForm(this.form);
    this.errors.set(errors);
    if (Object.keys(errors).length) {
      this.message.warning('请按提示修改标红的项目后再保存');
      return;
    }
    this.saving.set(true);
    try {
      const body = toFilingBody(this.form);
      const id = this.id();
      const saved = id
        ? await this.api.put<{ id: string }>(`/filings/${id}`, body)
        : await this.api.post<{ id: string }>('/filings', body);
      this.message.success(id ? '已保存修改' : '已保存为草稿，上传材料后点“提交”报送');
      await this.router.navigate(['/filings', saved.id]);
    } catch (error) {
      if (error instanceof ApiError) {
        const atFields: FilingErrors = error.fieldErrors(FIELDS);
        this.errors.set(atFields);
        this.message.error(error.message);
      } else {
        this.message.error('保存失败，请重试');
      }
    } finally {
      this.saving.set(false);
    }
  }
}
