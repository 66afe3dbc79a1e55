import {
  ChangeDetectionStrategy,
  Component,
  OnInit,
  computed,
  inject,
  signal,
} from '@angular/core';
import { NgxEchartsDirective } from 'ngx-echarts';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzEmptyModule } from 'ng-zorro-antd/empty';
import { NzGridModule } from 'ng-zorro-antd/grid';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzStatisticModule } from 'ng-zorro-antd/statistic';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import {
  avgHandlingOption,
  openByUnitOption,
  overdueRateOption,
  percent,
  totals,
  weeklyOption,
} from './dashboard-charts';
import type { DashboardFigures } from './dashboard.types';

/** 工作台: figures of the person's unit tree (the ministry sees all). */
@Component({
  selector: 'zw-dashboard',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    NgxEchartsDirective,
    NzCardModule,
    NzGridModule,
    NzStatisticModule,
    NzButtonModule,
    NzEmptyModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>工作台</h2>
        <button nz-button type="button" [nzLoading]="loading()" (click)="load()">刷新</button>
      </div>
      <p class="scope">统计范围：{{ auth.user()?.unitName }}及下级单位</p>
      @if (figures(); as f) {
        <div nz-row [nzGutter]="[16, 16]">
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="在办事项" [nzValue]="sum().open"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic
                nzTitle="超期事项"
                [nzValue]="sum().overdue"
                [nzValueStyle]="{ color: '#cf1322' }"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="近8周发起" [nzValue]="sum().started"
            /></nz-card>
          </div>
          <div nz-col [nzXs]="12" [nzMd]="6">
            <nz-card nzSize="small"
              ><nz-statistic nzTitle="近8周办结" [nzValue]="sum().finished"
            /></nz-card>
          </div>

          <div nz-col [nzXs]="24" [nzLg]="16">
            <nz-card nzTitle="各单位在办事项" nzSize="small">
              @if (f.openByUnit.length) {
                <div
                  echarts
                  class="chart"
                  [options]="unitOption()"
                  role="img"
                  [attr.aria-label]="'各单位在办事项：' + unitSummary()"
                ></div>
              } @else {
                <nz-empty nzNotFoundContent="暂无在办事项" />
              }
            </nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="8">
            <nz-card nzTitle="超期率" nzSize="small">
              <div
                echarts
                class="chart"
                [options]="rateOption()"
                role="img"
                [attr.aria-label]="'超期率 ' + rateText()"
              ></div>
            </nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="12">
            <nz-card nzTitle="各环节平均办理时长" nzSize="small">
              @if (f.avgHandlingHoursByStep.length) {
                <div
                  echarts
                  class="chart"
                  [options]="stepOption()"
                  role="img"
                  aria-label="各环节平均办理时长（小时）"
                ></div>
              } @else {
                <nz-empty nzNotFoundContent="暂无已办结环节" />
              }
            </nz-card>
          </div>
          <div nz-col [nzXs]="24" [nzLg]="12">
            <nz-card nzTitle="每周发起与办结" nzSize="small">
              <div
                echarts
                class="chart"
                [options]="weekOption()"
                role="img"
                aria-label="每周发起与办结的案件数"
              ></div>
            </nz-card>
          </div>
        </div>
      }
    </div>
  `,
  styles: `
    .chart {
      height: 300px;
      width: 100%;
    }
    .scope {
      color: #595959;
      margin-top: -8px;
    }
  `,
})
export class DashboardPage implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly auth = inject(Auth);
  protected readonly figures = signal<DashboardFigures | null>(null);
  protected readonly loading = signal(false);
  protected readonly sum = computed(() => {
    const f = this.figures();
    return f ? totals(f) : { open: 0, overdue: 0, started: 0, finished: 0 };
  });
  protected readonly unitOption = computed(() =>
    openByUnitOption(this.figures()?.openByUnit ?? []),
  );
  protected readonly rateOption = computed(() =>
    overdueRateOption(this.figures()?.overdueRate ?? 0),
  );
  protected readonly stepOption = computed(() =>
    avgHandlingOption(this.figures()?.avgHandlingHoursByStep ?? []),
  );
  protected readonly weekOption = computed(() => weeklyOption(this.figures()?.weekly ?? []));
  protected readonly rateText = computed(() => percent(this.figures()?.overdueRate ?? 0));
  protected readonly unitSummary = computed(() =>
    (this.figures()?.openByUnit ?? [])
      .map((u) => `${u.unit} ${u.open} 件（超期 ${u.overdue}）`)
      .join('，'),
  );

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      this.figures.set(await this.api.get<DashboardFigures>('/dashboard'));
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '统计数据加载失败，请点击“刷新”重试',
      );
    } finally {
      this.loading.set(false);
    }
  }
}
