import {
  AfterViewInit,
  Component,
  Directive,
  ElementRef,
  OnInit,
  computed,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzDatePickerModule } from 'ng-zorro-antd/date-picker';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { DraftBar } from '../core/draft-bar';
import { restoreInto } from '../core/drafts.logic';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { AttachmentsPanel } from '../documents/attachments-panel';
import { formatSize, uploadEach } from '../documents/files';
import {
  DATA_FORMATS,
  emptyDataRequestForm,
  formFieldOf,
  formatWarning,
  fromDataRequest,
  hasErrors,
  isEditable,
  offeredFormats,
  regionCodeClearError,
  secrecyColor,
  suggestTitle,
  toDataRequestBody,
  validateDataRequestForm,
  type DataRequestErrors,
  type DataRequestField,
  type DataRequestForm,
  type Dataset,
} from './data-request-form.logic';
import type { DataRequestDetail } from './data-request.model';

/** The range picker's two inputs have no labels of their own (and share its id); name them for screen readers. */
@Directive({ selector: '[zwRangeLabels]' })
export class RangeLabels implements AfterViewInit {
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  readonly zwRangeLabels = input.required<[string, string]>();

  ngAfterViewInit(): void {
    const inputs = this.host.nativeElement.querySelectorAll('input');
    inputs.forEach((el, i) => {
      el.setAttribute('aria-label', this.zwRangeLabels()[i] ?? '');
      // Only the first keeps the id the <label for> points at.
      if (i > 0) el.removeAttribute('id');
    });
  }
}

/**
 * 新建数据使用申请 (`/data-requests/new`, submitted at once: the api has no drafts) and
 * 修改 (`/data-requests/:id/edit`) of a request returned to the applicant, then 重新提交.
 */
@Component({
  selector: 'zw-data-request-form-page',
  imports: [
    DraftBar,
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzDatePickerModule,
    NzFormModule,
    NzIconModule,
    NzInputModule,
    NzSelectModule,
    NzSpinModule,
    NzTagModule,
    AttachmentsPanel,
    RangeLabels,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>{{ id() ? '修改数据使用申请' : '新建数据使用申请' }}</h2>
        <a nz-button [routerLink]="id() ? ['/data-requests', id()] : ['/data-requests']">返回</a>
      </div>

      @if (loading()) {
        <nz-spin nzSimple />
      } @else if (blocked()) {
        <nz-alert nzType="warning" nzShowIcon [nzMessage]="blocked()!" />
      } @else {
        @if (returnedOpinion()) {
          <nz-alert
            class="top"
            nzType="warning"
            nzShowIcon
            nzMessage="退回意见"
            [nzDescription]="returnedOpinion()!"
          />
        }
        @if (formError()) {
          <nz-alert
            class="top"
            nzType="error"
            nzShowIcon
            [nzMessage]="formError()!"
            data-testid="dr-form-error"
          />
        }

        <form
          nz-form
          nzLayout="vertical"
          class="form"
          (ngSubmit)="submit()"
          novalidate
          data-testid="dr-form"
        >
          <nz-form-item>
            <nz-form-label nzFor="datasetIds" nzRequired>申请的数据资源</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('datasetIds')"
              [nzErrorTip]="errors().datasetIds ?? ''"
              nzExtra="可多选，一次最多 10 项；各项数据须经其主管司局审核"
            >
              <nz-select
                nzId="datasetIds"
                name="datasetIds"
                nzMode="multiple"
                nzShowSearch
                nzPlaceHolder="从数据目录中选择"
                [nzMaxMultipleCount]="10"
                [(ngModel)]="form.datasetIds"
                (ngModelChange)="datasetsChanged()"
                data-testid="dr-datasets"
              >
                @for (d of catalogue(); track d.id) {
                  <nz-option
                    nzCustomContent
                    [nzValue]="d.id"
                    [nzLabel]="d.name + '（' + d.code + '）'"
                  >
                    <span>{{ d.name }}</span>
                    <span class="muted"> {{ d.code }} · {{ d.ownerUnitName }}</span>
                    <nz-tag class="right" [nzColor]="secrecy(d.secrecy)">{{ d.secrecy }}</nz-tag>
                  </nz-option>
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          @if (secretChosen()) {
            <p class="warn">
              所选数据含{{
                secretChosen()
              }}级数据，提供后须按保密规定管理使用，不得在互联网计算机上存储处理。
            </p>
          }

          <nz-form-item>
            <nz-form-label nzFor="title" nzRequired>申请标题</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('title')"
              [nzErrorTip]="errors().title ?? ''"
            >
              <input
                nz-input
                id="title"
                name="title"
                [(ngModel)]="form.title"
                (ngModelChange)="touched('title')"
                maxlength="200"
                placeholder="如：关于申请使用土地利用现状数据的函"
              />
            </nz-form-control>
          </nz-form-item>

          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="regionName" nzRequired>数据范围（行政区）</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('regionName')"
                [nzErrorTip]="errors().regionName ?? ''"
              >
                <input
                  nz-input
                  id="regionName"
                  name="regionName"
                  [(ngModel)]="form.regionName"
                  (ngModelChange)="touched('regionName')"
                  maxlength="100"
                  placeholder="如：江苏省、全国"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="regionCode">行政区划代码</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('regionCode')"
                [nzErrorTip]="errors().regionCode ?? ''"
                nzExtra="可不填"
              >
                <input
                  nz-input
                  id="regionCode"
                  name="regionCode"
                  inputmode="numeric"
                  [(ngModel)]="form.regionCode"
                  (ngModelChange)="touched('regionCode')"
                  maxlength="6"
                  placeholder="如：320000"
                />
              </nz-form-control>
            </nz-form-item>
          </div>

          <nz-form-item>
            <nz-form-label nzFor="purpose" nzRequired>用途</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="status('purpose')"
              [nzErrorTip]="errors().purpose ?? ''"
              [nzExtra]="
                '说明使用数据开展的工作及必要性（' + form.purpose.trim().length + ' / 2000 字）'
              "
            >
              <textarea
                nz-input
                id="purpose"
                name="purpose"
                rows="4"
                [(ngModel)]="form.purpose"
                (ngModelChange)="touched('purpose')"
                maxlength="2000"
              ></textarea>
            </nz-form-control>
          </nz-form-item>

          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="period" nzRequired>使用期限</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('period')"
                [nzErrorTip]="errors().period ?? ''"
                nzExtra="最长 3 年"
              >
                <nz-range-picker
                  nzId="period"
                  name="period"
                  [zwRangeLabels]="['使用期限起', '使用期限止']"
                  [nzPlaceHolder]="['起始日期', '截止日期']"
                  [(ngModel)]="form.period"
                  (ngModelChange)="touched('period')"
                  data-testid="dr-period"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="format" nzRequired>数据格式</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('format')"
                [nzErrorTip]="errors().format ?? ''"
              >
                <nz-select
                  nzId="format"
                  name="format"
                  [(ngModel)]="form.format"
                  (ngModelChange)="touched('format')"
                >
                  @for (f of formats; track f) {
                    <nz-option
                      [nzValue]="f"
                      [nzLabel]="offered().includes(f) ? f + '（目录提供）' : f"
                    />
                  }
                </nz-select>
              </nz-form-control>
            </nz-form-item>
          </div>
          @if (formatHint(); as hint) {
            <p class="warn">{{ hint }}，信息中心可能需要转换格式。</p>
          }

          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="contactName" nzRequired>联系人</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('contactName')"
                [nzErrorTip]="errors().contactName ?? ''"
              >
                <input
                  nz-input
                  id="contactName"
                  name="contactName"
                  [(ngModel)]="form.contactName"
                  (ngModelChange)="touched('contactName')"
                  maxlength="32"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="contactPhone" nzRequired>联系电话</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="status('contactPhone')"
                [nzErrorTip]="errors().contactPhone ?? ''"
              >
                <input
                  nz-input
                  id="contactPhone"
                  name="contactPhone"
                  inputmode="tel"
                  [(ngModel)]="form.contactPhone"
                  (ngModelChange)="touched('contactPhone')"
                  maxlength="20"
                  placeholder="如：010-66558000"
                />
              </nz-form-control>
            </nz-form-item>
          </div>

          <nz-form-item>
            @if (id(); as rid) {
              <nz-form-label>附件</nz-form-label>
              <zw-attachments-panel
                class="full"
                ownerKind="data-request"
                [ownerId]="rid"
                [canUpload]="true"
              />
            } @else {
              <nz-form-label nzFor="files">附件</nz-form-label>
              <nz-form-control
                nzExtra="如签批后的申请函扫描件；提交申请时一并上传，单位领导签批前仍可在详情页补充"
              >
                <label class="upload">
                  <nz-icon nzType="upload" />
                  <span>选择文件</span>
                  <input
                    id="files"
                    type="file"
                    multiple
                    (change)="addFiles($event)"
                    aria-label="选择附件"
                  />
                </label>
                @if (pending().length) {
                  <ul class="files">
                    @for (f of pending(); track $index) {
                      <li>
                        {{ f.name }} <span class="muted">（{{ size(f.size) }}）</span>
                        <button
                          type="button"
                          class="link"
                          (click)="removeFile($index)"
                          [attr.aria-label]="'移除' + f.name"
                        >
                          移除
                        </button>
                      </li>
                    }
                  </ul>
                }
              </nz-form-control>
            }
          </nz-form-item>

          @if (id()) {
            <nz-form-item>
              <nz-form-label nzFor="comment">修改说明</nz-form-label>
              <nz-form-control nzExtra="重新提交时记入办理过程，可不填">
                <textarea
                  nz-input
                  id="comment"
                  name="comment"
                  rows="2"
                  [(ngModel)]="comment"
                  maxlength="2000"
                  placeholder="如：已补充所需规划层级和使用范围"
                ></textarea>
              </nz-form-control>
            </nz-form-item>
          }

          <div class="toolbar">
            <button
              nz-button
              nzType="primary"
              type="submit"
              [nzLoading]="saving() === 'submit'"
              [disabled]="!!saving()"
              data-testid="dr-submit"
            >
              {{ id() ? '重新提交' : '提交申请' }}
            </button>
            @if (!id()) {
              <zw-draft-bar
                formKey="data-request"
                [snapshot]="snapshot"
                (restore)="form = restoreDraft($event)"
              />
            }
            @if (id()) {
              <button
                nz-button
                type="button"
                (click)="saveOnly()"
                [nzLoading]="saving() === 'save'"
                [disabled]="!!saving()"
                data-testid="dr-save"
              >
                保存修改
              </button>
            }
            <a nz-button [routerLink]="id() ? ['/data-requests', id()] : ['/data-requests']"
              >取消</a
            >
          </div>
          @if (!id()) {
            <p class="muted">
              提交后由本单位领导签批，再经信息办审核、数据主管司局审核，由信息中心提供数据。
            </p>
          }
        </form>
      }
    </div>
  `,
  styles: `
    .form {
      max-width: 960px;
    }
    .top {
      max-width: 960px;
      margin-bottom: 16px;
    }
    .row {
      display: grid;
      grid-template-columns: repeat(2, minmax(0, 1fr));
      gap: 0 16px;
      /* A field with a hint below must not push its neighbour's input down. */
      align-items: start;
    }
    nz-range-picker {
      width: 100%;
    }
    .full {
      display: block;
      flex: 1 1 100%;
    }
    .muted {
      color: #595959;
    }
    .right {
      float: right;
    }
    .warn {
      color: #d46b08;
      margin: 0 0 16px;
    }
    .upload {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 4px 15px;
      border: 1px solid #d9d9d9;
      border-radius: 6px;
      cursor: pointer;
    }
    .upload:focus-within {
      outline: 2px solid #0958d9;
    }
    .upload input {
      position: absolute;
      width: 1px;
      height: 1px;
      opacity: 0;
    }
    .files {
      margin: 8px 0 0;
      padding-left: 20px;
    }
    .link {
      border: 0;
      background: none;
      padding: 0 0 0 8px;
      color: #0958d9;
      cursor: pointer;
    }
  `,
})
export class DataRequestFormPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id` when changing a returned request. */
  readonly id = input<string>();
  /** `?dataset=` from the catalogue's 申请使用: preselected. */
  readonly dataset = input<string>();
  protected readonly formats = DATA_FORMATS;
  protected form: DataRequestForm = emptyDataRequestForm();
  private readonly draftBar = viewChild(DraftBar);
  /** 暂存 keeps the form as typed (attachments are uploaded with the record, not kept). */
  protected readonly snapshot = (): object => this.form;
  protected restoreDraft(payload: Record<string, unknown>): DataRequestForm {
    const form = restoreInto(emptyDataRequestForm(), payload);
    // The period's dates travel as ISO text: back to dates for the picker, dropping anything unreadable.
    const period = (form.period as unknown[])
      .map((v) => new Date(String(v)))
      .filter((d) => !Number.isNaN(d.getTime()));
    return { ...form, period: period.length === 2 ? period : [] } as DataRequestForm;
  }
  protected comment = '';
  protected readonly catalogue = signal<Dataset[]>([]);
  /** Bumped on every change of the chosen datasets or format, so the hints below recompute. */
  private readonly choice = signal(0);
  protected readonly errors = signal<DataRequestErrors>({});
  protected readonly formError = signal<string | null>(null);
  protected readonly loading = signal(true);
  protected readonly blocked = signal<string | null>(null);
  protected readonly returnedOpinion = signal<string | null>(null);
  protected readonly saving = signal<'submit' | 'save' | null>(null);
  protected readonly pending = signal<File[]>([]);
  protected readonly offered = computed(
    () => (this.choice(), offeredFormats(this.catalogue(), this.form.datasetIds)),
  );
  protected readonly formatHint = computed(
    () => (this.choice(), formatWarning(this.catalogue(), this.form.datasetIds, this.form.format)),
  );
  protected readonly secretChosen = computed(() => {
    this.choice();
    const levels = this.catalogue()
      .filter((d) => this.form.datasetIds.includes(d.id))
      .map((d) => d.secrecy);
    return levels.includes('机密') ? '机密' : levels.includes('秘密') ? '秘密' : null;
  });
  private storedRegionCode: string | null = null;
  private suggestedTitle = '';
  private submitted = false;

  async ngOnInit(): Promise<void> {
    try {
      const id = this.id();
      const [catalogue, request] = await Promise.all([
        this.api.get<{ items: Dataset[] }>('/datasets'),
        id ? this.api.get<DataRequestDetail>(`/data-requests/${id}`) : Promise.resolve(null),
      ]);
      this.catalogue.set(catalogue.items);
      if (request) {
        if (request.applicantId !== this.auth.user()?.id)
          this.blocked.set('只有申请人可以修改申请');
        else if (!isEditable(request.status))
          this.blocked.set(`申请当前为“${request.status}”，只有退回修改时可以修改`);
        this.form = fromDataRequest(request);
        this.storedRegionCode = request.regionCode;
        this.returnedOpinion.set(request.lastOpinion);
        // A request the applicant named after the datasets keeps following them.
        this.suggestedTitle = suggestTitle(request.datasets.map((d) => d.name));
      } else {
        this.form.contactName = this.auth.user()?.displayName ?? '';
        const preselected = this.dataset();
        if (preselected && catalogue.items.some((d) => d.id === preselected)) {
          this.form.datasetIds = [preselected];
          this.datasetsChanged();
        }
      }
    } catch (error) {
      this.blocked.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该申请，或您无权查看'
          : error instanceof ApiError
            ? error.message
            : '加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  /** The title follows the chosen datasets until the applicant writes one of their own. */
  datasetsChanged(): void {
    const names = this.catalogue()
      .filter((d) => this.form.datasetIds.includes(d.id))
      .map((d) => d.name);
    const next = suggestTitle(names);
    if (!this.form.title.trim() || this.form.title === this.suggestedTitle) this.form.title = next;
    this.suggestedTitle = next;
    this.touched('datasetIds');
    this.touched('title');
  }

  /** After the first attempt to submit, errors follow the typing; before it, typing clears the field's error. */
  touched(field: DataRequestField): void {
    if (field === 'datasetIds' || field === 'format') this.choice.update((n) => n + 1);
    if (!this.submitted) {
      if (this.errors()[field]) this.errors.update((e) => ({ ...e, [field]: undefined }));
      return;
    }
    this.errors.set(this.validate());
  }

  protected status(field: DataRequestField): 'error' | '' {
    return this.errors()[field] ? 'error' : '';
  }

  addFiles(event: Event): void {
    const input = event.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    this.pending.update((list) => [...list, ...files]);
    input.value = '';
  }

  removeFile(index: number): void {
    this.pending.update((list) => list.filter((_, i) => i !== index));
  }

  /** 提交申请 (new: create and submit in one) or 重新提交 (returned: save the changes, then submit). */
  async submit(): Promise<void> {
    if (!this.check()) return;
    this.saving.set('submit');
    const id = this.id();
    try {
      if (id) {
        await this.api.put(`/data-requests/${id}`, toDataRequestBody(this.form));
        const comment = this.comment.trim();
        await this.api.post(`/data-requests/${id}/submit`, comment ? { comment } : {});
        this.message.success('已重新提交，等待单位领导签批');
        await this.router.navigate(['/data-requests', id]);
      } else {
        const created = await this.api.post<{ id: string }>(
          '/data-requests',
          toDataRequestBody(this.form),
        );
        await this.draftBar()?.clear();
        const failed = await this.uploadPending(created.id);
        if (failed.length)
          this.message.warning(
            `申请已提交，但附件 ${failed.join('、')} 上传失败，请在详情页重新上传`,
            { nzDuration: 8000 },
          );
        else this.message.success('申请已提交，等待单位领导签批');
        await this.router.navigate(['/data-requests', created.id]);
      }
    } catch (error) {
      this.showError(error, '提交失败，请重试');
    } finally {
      this.saving.set(null);
    }
  }

  /** 保存修改 without submitting yet (only for a returned request). */
  async saveOnly(): Promise<void> {
    const id = this.id();
    if (!id || !this.check()) return;
    this.saving.set('save');
    try {
      await this.api.put(`/data-requests/${id}`, toDataRequestBody(this.form));
      this.message.success('已保存修改，确认无误后请重新提交');
      this.submitted = false;
    } catch (error) {
      this.showError(error, '保存失败，请重试');
    } finally {
      this.saving.set(null);
    }
  }

  protected secrecy(level: string): string {
    return secrecyColor(level);
  }

  protected size(bytes: number): string {
    return formatSize(bytes);
  }

  private validate(): DataRequestErrors {
    const errors = validateDataRequestForm(this.form);
    const cleared = this.id() ? regionCodeClearError(this.storedRegionCode, this.form) : undefined;
    return cleared ? { ...errors, regionCode: cleared } : errors;
  }

  private check(): boolean {
    this.submitted = true;
    this.formError.set(null);
    const errors = this.validate();
    this.errors.set(errors);
    if (hasErrors(errors)) {
      this.message.warning('请按提示修改标红的项目');
      return false;
    }
    return true;
  }

  /** Field errors at their fields; anything else in the alert above the form. */
  private showError(error: unknown, fallback: string): void {
    if (!(error instanceof ApiError)) {
      this.formError.set(fallback);
      return;
    }
    const atFields: DataRequestErrors = {};
    for (const d of error.details ?? []) {
      const field = formFieldOf(d.field);
      if (field && !atFields[field]) atFields[field] = d.message;
    }
    if (hasErrors(atFields)) {
      this.errors.set(atFields);
      this.message.warning(error.message);
    } else {
      this.formError.set(error.message);
    }
  }

  private uploadPending(requestId: string): Promise<string[]> {
    return uploadEach(this.api, this.pending(), { ownerKind: 'data-request', ownerId: requestId });
  }
}
