import { Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzFormModule } from 'ng-zorro-antd/form';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzSelectModule } from 'ng-zorro-antd/select';
import { NzSpinModule } from 'ng-zorro-antd/spin';
import { Api, ApiError } from '../core/api';
import {
  AUDIENCE_TYPES,
  emptyReleaseForm,
  releasable,
  releaseBlock,
  releaseFormErrors,
  releaseUnitOf,
  type CatalogueDataset,
  type ReleaseField,
} from './data-release.logic';
import type { ReleaseRequestDetail } from './data-release.model';

const FIELDS: ReleaseField[] = ['datasetId', 'audienceType', 'audience', 'purpose', 'scope'];

/** 新建数据发布申请 (`/data-release/requests/new`): one catalogue dataset, to whom, why and how much. */
@Component({
  selector: 'zw-release-request-form-page',
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
        <h2>新建数据发布申请</h2>
        <a nz-button routerLink="/data-release" [queryParams]="{ tab: 'requests' }">返回</a>
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
            data-testid="rel-form-error"
          />
        }
        <form
          nz-form
          nzLayout="vertical"
          class="form"
          (ngSubmit)="submit()"
          novalidate
          data-testid="rel-form"
        >
          <nz-form-item>
            <nz-form-label nzFor="datasetId" nzRequired>发布的数据资源</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errorOf('datasetId') ? 'error' : ''"
              [nzErrorTip]="errorOf('datasetId') ?? ''"
              nzExtra="从数据目录选择；涉密数据不得发布"
            >
              <nz-select
                nzId="datasetId"
                name="datasetId"
                nzShowSearch
                nzPlaceHolder="从数据目录中选择"
                [(ngModel)]="form.datasetId"
                (ngModelChange)="changed()"
                data-testid="rel-dataset"
              >
                @for (d of catalogue(); track d.id) {
                  <nz-option
                    [nzValue]="d.id"
                    [nzLabel]="d.name + '（' + d.code + '，' + d.secrecy + '）'"
                  />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>
          @if (chosen(); as d) {
            <p class="note" data-testid="rel-route">
              由{{ d.ownerUnitName || '主管单位' }}审核，信息办以部名义批准，{{
                releaseUnit()
              }}发布。
            </p>
          }
          @if (block()) {
            <nz-alert class="top" nzType="warning" nzShowIcon [nzMessage]="block()!" />
          }

          <nz-form-item>
            <nz-form-label nzFor="audienceType" nzRequired>发布对象类别</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errorOf('audienceType') ? 'error' : ''"
              [nzErrorTip]="errorOf('audienceType') ?? ''"
            >
              <nz-select
                nzId="audienceType"
                name="audienceType"
                nzPlaceHolder="请选择"
                [(ngModel)]="form.audienceType"
                (ngModelChange)="changed()"
                data-testid="rel-audience-type"
              >
                @for (a of audienceTypes; track a) {
                  <nz-option [nzValue]="a" [nzLabel]="a" />
                }
              </nz-select>
            </nz-form-control>
          </nz-form-item>

          <nz-form-item>
            <nz-form-label nzFor="audience" nzRequired>发布对象</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errorOf('audience') ? 'error' : ''"
              [nzErrorTip]="errorOf('audience') ?? ''"
            >
              <input
                nz-input
                id="audience"
                name="audience"
                maxlength="200"
                [(ngModel)]="form.audience"
                (ngModelChange)="changed()"
                placeholder="如：社会公众（部门户网站数据开放栏目）"
                data-testid="rel-audience"
              />
            </nz-form-control>
          </nz-form-item>

          <nz-form-item>
            <nz-form-label nzFor="scope" nzRequired>发布范围</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errorOf('scope') ? 'error' : ''"
              [nzErrorTip]="errorOf('scope') ?? ''"
            >
              <input
                nz-input
                id="scope"
                name="scope"
                maxlength="500"
                [(ngModel)]="form.scope"
                (ngModelChange)="changed()"
                placeholder="区域、年度、字段等，如：全国，2025 年度省级汇总"
                data-testid="rel-scope"
              />
            </nz-form-control>
          </nz-form-item>

          <nz-form-item>
            <nz-form-label nzFor="purpose" nzRequired>发布目的</nz-form-label>
            <nz-form-control
              [nzValidateStatus]="errorOf('purpose') ? 'error' : ''"
              [nzErrorTip]="errorOf('purpose') ?? ''"
            >
              <textarea
                nz-input
                id="purpose"
                name="purpose"
                rows="4"
                maxlength="2000"
                [(ngModel)]="form.purpose"
                (ngModelChange)="changed()"
                data-testid="rel-purpose"
              ></textarea>
            </nz-form-control>
          </nz-form-item>

          <div class="toolbar">
            <button
              nz-button
              nzType="primary"
              type="submit"
              [nzLoading]="busy()"
              data-testid="rel-submit"
            >
              提交申请
            </button>
          </div>
        </form>
      }
    </div>
  `,
  styles: `
    .form {
      max-width: 760px;
    }
    .top {
      margin-bottom: 16px;
    }
    .note {
      color: #595959;
      margin: -8px 0 16px;
    }
  `,
})
export class ReleaseRequestFormPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  protected readonly audienceTypes = AUDIENCE_TYPES;
  protected readonly catalogue = signal<CatalogueDataset[]>([]);
  protected readonly loading = signal(true);
  protected readonly busy = signal(false);
  protected readonly formError = signal<string | null>(null);
  private readonly serverErrors = signal<Partial<Record<ReleaseField, string>>>({});
  private readonly submitted = signal(false);
  private readonly version = signal(0);
  protected form = emptyReleaseForm(inject(ActivatedRoute).snapshot.queryParamMap.get('dataset'));

  protected readonly chosen = computed(() => {
    this.version();
    return this.catalogue().find((d) => d.id === this.form.datasetId);
  });
  protected readonly releaseUnit = computed(() => releaseUnitOf(this.chosen()?.category ?? ''));
  protected readonly block = computed(() => {
    this.version();
    return releaseBlock(this.chosen(), this.form.audienceType);
  });

  constructor() {
    void this.loadCatalogue();
  }

  protected errorOf(field: ReleaseField): string | undefined {
    this.version();
    if (this.serverErrors()[field]) return this.serverErrors()[field];
    return this.submitted() ? releaseFormErrors(this.form)[field] : undefined;
  }

  changed(): void {
    this.serverErrors.set({});
    this.version.update((v) => v + 1);
  }

  async loadCatalogue(): Promise<void> {
    try {
      const res = await this.api.get<{ items: CatalogueDataset[] }>('/datasets');
      this.catalogue.set(releasable(res.items));
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
    if (Object.keys(releaseFormErrors(this.form)).length > 0 || this.block()) return;
    this.busy.set(true);
    try {
      const created = await this.api.post<ReleaseRequestDetail>('/data-release/requests', {
        datasetId: this.form.datasetId,
        audienceType: this.form.audienceType,
        audience: this.form.audience.trim(),
        purpose: this.form.purpose.trim(),
        scope: this.form.scope.trim(),
      });
      this.message.success('已提交，等待主管单位审核');
      void this.router.navigate(['/data-release/requests', created.id]);
    } catch (error) {
      if (error instanceof ApiError) {
        this.serverErrors.set(error.fieldErrors(FIELDS));
        this.formError.set(error.message);
      } else this.formError.set('提交失败，请重试');
    } finally {
      this.busy.set(false);
    }
  }
}
