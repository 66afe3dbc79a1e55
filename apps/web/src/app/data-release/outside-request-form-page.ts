import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { Api, ApiError } from '../core/api';
import {
  ORGAN_KINDS,
  emptyOutsideForm,
  outsideBody,
  outsideFormErrors,
  type CatalogueDataset,
  type OutsideField,
} from './data-release.logic';
import type { OutsideRequestDetail } from './data-release.model';

const FIELDS: OutsideField[] = [
  'organName',
  'organKind',
  'contactName',
  'contactPhone',
  'letterRef',
  'receivedOn',
  'purpose',
  'datasetIds',
  'partnerOrganCode',
  'partnerUnitCode',
];

/** A day as YYYY-MM-DD in local time. */
function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** 登记外部门数据需求 (`/data-release/outside/new`): 信息办 records the letter it received. */
@Component({
  selector: 'zw-outside-request-form-page',
  imports: [
    FormsModule,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzFormModule,
    NzInputModule,
    NzSelectModule,
    NzSpinModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>登记外部门数据需求</h2>
        <a nz-button routerLink="/data-release" [queryParams]="{ tab: 'outside' }">返回</a>
      </div>
      @if (loading()) {
        <nz-spin nzSimple />
      } @else {
        @if (formError()) {
          <nz-alert
            class="top"
            nzType="error"
            nzShowIcon
            [nzMessage]="formError()!"
            data-testid="out-form-error"
          />
        }
        <form
          nz-form
          nzLayout="vertical"
          class="form"
          (ngSubmit)="submit()"
          novalidate
          data-testid="out-form"
        >
          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="organName" nzRequired>来函单位</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('organName') ? 'error' : ''"
                [nzErrorTip]="errorOf('organName') ?? ''"
              >
                <input
                  nz-input
                  id="organName"
                  name="organName"
                  maxlength="100"
                  [(ngModel)]="form.organName"
                  (ngModelChange)="changed()"
                  data-testid="out-organ"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="organKind" nzRequired>类别</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('organKind') ? 'error' : ''"
                [nzErrorTip]="errorOf('organKind') ?? ''"
              >
                <nz-select
                  nzId="organKind"
                  name="organKind"
                  nzPlaceHolder="请选择"
                  [(ngModel)]="form.organKind"
                  (ngModelChange)="changed()"
                  data-testid="out-kind"
                >
                  @for (k of organKinds; track k) {
                    <nz-option [nzValue]="k" [nzLabel]="k" />
                  }
                </nz-select>
              </nz-form-control>
            </nz-form-item>
          </div>
          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="letterRef" nzRequired>来函文号</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('letterRef') ? 'error' : ''"
                [nzErrorTip]="errorOf('letterRef') ?? ''"
              >
                <input
                  nz-input
                  id="letterRef"
                  name="letterRef"
                  maxlength="100"
                  [(ngModel)]="form.letterRef"
                  (ngModelChange)="changed()"
                  placeholder="如：环办函〔2026〕118号"
                  data-testid="out-letter"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="receivedOn" nzRequired>收文日期</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('receivedOn') ? 'error' : ''"
                [nzErrorTip]="errorOf('receivedOn') ?? ''"
              >
                <input
                  nz-input
                  type="date"
                  id="receivedOn"
                  name="receivedOn"
                  [max]="today"
                  [(ngModel)]="form.receivedOn"
                  (ngModelChange)="changed()"
                />
              </nz-form-control>
            </nz-form-item>
          </div>
          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="contactName" nzRequired>联系人</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('contactName') ? 'error' : ''"
                [nzErrorTip]="errorOf('contactName') ?? ''"
              >
                <input
                  nz-input
                  id="contactName"
                  name="contactName"
                  maxlength="32"
                  [(ngModel)]="form.contactName"
                  (ngModelChange)="changed()"
                  data-testid="out-contact"
                />
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="contactPhone" nzRequired>联系电话</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('contactPhone') ? 'error' : ''"
                [nzErrorTip]="errorOf('contactPhone') ?? ''"
              >
                <input
                  nz-input
                  id="contactPhone"
                  name="contactPhone"
                  maxlength="20"
                  [(ngModel)]="form.contactPhone"
                  (ngModelChange)="changed()"
                  data-testid="out-phone"
                />
              </nz-form-control>
            </nz-form-item>
          </div>
          <nz-form-item>
            <nz-form-label nzFor="datasetIds" nzRequired>所需数据资源</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errorOf('datasetIds') ? 'error' : ''"
              [nzErrorTip]="errorOf('datasetIds') ?? ''"
              nzExtra="各项数据的生产单位将分别提出意见"
            >
              <nz-select
                nzId="datasetIds"
                name="datasetIds"
                nzMode="multiple"
                nzShowSearch
                nzPlaceHolder="从数据目录中选择"
                [nzMaxMultipleCount]="20"
                [(ngModel)]="form.datasetIds"
                (ngModelChange)="changed()"
                data-testid="out-datasets"
              >
                @for (d of catalogue(); track d.id) {
                  <nz-option
                    [nzValue]="d.id"
                    [nzLabel]="d.name + '（' + (d.ownerUnitName || d.code) + '）'"
                  />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          <nz-form-item>
            <nz-form-label nzFor="purpose" nzRequired>用途</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errorOf('purpose') ? 'error' : ''"
              [nzErrorTip]="errorOf('purpose') ?? ''"
            >
              <textarea
                nz-input
                id="purpose"
                name="purpose"
                rows="3"
                maxlength="2000"
                [(ngModel)]="form.purpose"
                (ngModelChange)="changed()"
                data-testid="out-purpose"
              ></textarea>
            </nz-form-control>
          </nz-form-item>
          <p class="note">
            来函单位是公文交换方（有自己的政务办公平台并已登记）时，填写其机构代码和单位代码，复函将通过公文交换送达；否则复函以邮寄等方式送达。
          </p>
          <div class="row">
            <nz-form-item>
              <nz-form-label nzFor="partnerOrganCode">交换方机构代码</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('partnerOrganCode') ? 'error' : ''"
                [nzErrorTip]="errorOf('partnerOrganCode') ?? ''"
              >
                <nz-select
                  nzId="partnerOrganCode"
                  name="partnerOrganCode"
                  nzAllowClear
                  nzPlaceHolder="不是交换方"
                  [(ngModel)]="form.partnerOrganCode"
                  (ngModelChange)="changed()"
                >
                  @for (p of partners(); track p.organCode) {
                    <nz-option
                      [nzValue]="p.organCode"
                      [nzLabel]="p.name + '（' + p.organCode + '）'"
                    />
                  }
                </nz-select>
              </nz-form-control>
            </nz-form-item>
            <nz-form-item>
              <nz-form-label nzFor="partnerUnitCode">对方单位代码</nz-form-label>
              <nz-form-control
                [nzValidateStatus]="errorOf('partnerUnitCode') ? 'error' : ''"
                [nzErrorTip]="errorOf('partnerUnitCode') ?? ''"
              >
                <input
                  nz-input
                  id="partnerUnitCode"
                  name="partnerUnitCode"
                  maxlength="32"
                  [(ngModel)]="form.partnerUnitCode"
                  (ngModelChange)="changed()"
                />
              </nz-form-control>
            </nz-form-item>
          </div>
          <div class="toolbar">
            <button
              nz-button
              nzType="primary"
              type="submit"
              [nzLoading]="busy()"
              data-testid="out-submit"
            >
              登记并征求意见
            </button>
          </div>
        </form>
      }
    </div>
  `,
  styles: `
    .form {
      max-width: 860px;
    }
    .top {
      margin-bottom: 16px;
    }
    .row {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 260px), 1fr));
      column-gap: 16px;
    }
    .note {
      color: #595959;
    }
  `,
})
export class OutsideRequestFormPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  protected readonly organKinds = ORGAN_KINDS;
  protected readonly today = today();
  protected readonly catalogue = signal<CatalogueDataset[]>([]);
  protected readonly partners = signal<{ organCode: string; name: string }[]>([]);
  protected readonly loading = signal(true);
  protected readonly busy = signal(false);
  protected readonly formError = signal<string | null>(null);
  private readonly serverErrors = signal<Partial<Record<OutsideField, string>>>({});
  private readonly submitted = signal(false);
  private readonly version = signal(0);
  protected form = emptyOutsideForm(this.today);

  constructor() {
    void this.loadLists();
  }

  protected errorOf(field: OutsideField): string | undefined {
    this.version();
    if (this.serverErrors()[field]) return this.serverErrors()[field];
    return this.submitted() ? outsideFormErrors(this.form, this.today)[field] : undefined;
  }

  changed(): void {
    this.form.partnerOrganCode ??= '';
    this.serverErrors.set({});
    this.version.update((v) => v + 1);
  }

  async loadLists(): Promise<void> {
    try {
      const res = await this.api.get<{ items: CatalogueDataset[] }>('/datasets');
      this.catalogue.set(res.items);
      // The partners' directory answers only while 公文交换 is configured; without it no organ is a partner.
      this.partners.set(
        await this.api
          .get<{ organCode: string; name: string }[]>('/exchange/partners/directory')
          .catch(() => []),
      );
    } catch (error) {
      this.formError.set(
        error instanceof ApiError ? error.message : '数据目录加载失败，请刷新页面',
      );
    } finally {
      this.loading.set(false);
    }
  }

  async submit(): Promise<void> {
    this.submitted.set(true);
    this.formError.set(null);
    this.form.partnerOrganCode ??= '';
    if (Object.keys(outsideFormErrors(this.form, this.today)).length > 0) {
      this.version.update((v) => v + 1);
      return;
    }
    this.busy.set(true);
    try {
      const created = await this.api.post<OutsideRequestDetail>(
        '/data-release/outside-requests',
        outsideBody(this.form),
      );
      this.message.success('已登记，已征求数据生产单位意见');
      void this.router.navigate(['/data-release/outside', created.id]);
    } catch (error) {
      if (error instanceof ApiError) {
        this.serverErrors.set(error.fieldErrors(FIELDS));
        this.formError.set(error.message);
      } else this.formError.set('登记失败，请重试');
    } finally {
      this.busy.set(false);
    }
  }
}
