import { Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Viewport } from '../core/viewport';
import { planStatusColor, type Capabilities, type PlanSummary } from './work-plan.model';

/** 年度信息化工作要点: the plans the person sees, by year, with their progress at a glance. */
@Component({
  selector: 'zw-work-plan-list-page',
  imports: [RouterLink, NzButtonModule, NzIconModule, NzTableModule, NzTagModule],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>年度信息化工作要点</h2>
        @if (canDraft()) {
          <a nz-button nzType="primary" routerLink="/work-plans/new"
            ><nz-icon nzType="plus" />起草工作要点</a
          >
        }
      </div>
      @if (failed()) {
        <p role="alert">{{ failed() }}</p>
      }
      <nz-table
        #table
        class="zw-cards"
        [nzData]="items()"
        [nzFrontPagination]="false"
        [nzLoading]="loading()"
        nzNoResult="暂无工作要点"
        [nzScroll]="viewport.isPhone() ? {} : { x: '760px' }"
        data-testid="work-plan-list"
      >
        <thead>
          <tr>
            <th nzWidth="80px">年度</th>
            <th>标题</th>
            <th nzWidth="100px">状态</th>
            <th nzWidth="90px">要点数</th>
            <th nzWidth="90px">已完成</th>
            <th nzWidth="90px">逾期</th>
          </tr>
        </thead>
        <tbody>
          @for (p of table.data; track p.id) {
            <tr>
              <td data-label="年度">{{ p.year }}</td>
              <td data-label="标题">
                <a [routerLink]="['/work-plans', p.id]">{{ p.title }}</a>
              </td>
              <td data-label="状态">
                <nz-tag [nzColor]="color(p.status)">{{ p.status }}</nz-tag>
              </td>
              <td data-label="要点数">{{ p.itemCount }}</td>
              <td data-label="已完成">{{ p.doneCount }}</td>
              <td data-label="逾期" [class.late]="p.overdueCount > 0">{{ p.overdueCount }}</td>
            </tr>
          }
        </tbody>
      </nz-table>
    </div>
  `,
  styles: `
    .late {
      color: #cf1322;
      font-weight: 600;
    }
  `,
})
export class WorkPlanListPage {
  private readonly api = inject(Api);
  protected readonly viewport = inject(Viewport);
  protected readonly items = signal<PlanSummary[]>([]);
  protected readonly loading = signal(true);
  protected readonly canDraft = signal(false);
  protected readonly failed = signal<string | null>(null);

  constructor() {
    void this.load();
    void this.api
      .get<Capabilities>('/work-plans/capabilities')
      .then((c) => this.canDraft.set(c.canDraft))
      .catch(() => undefined);
  }

  private async load(): Promise<void> {
    try {
      const res = await this.api.get<{ items: PlanSummary[]; total: number }>('/work-plans', {
        limit: 100,
      });
      this.items.set(res.items);
    } catch (error) {
      this.failed.set(error instanceof ApiError ? error.message : '工作要点加载失败，请刷新页面');
    } finally {
      this.loading.set(false);
    }
  }

  protected color(status: string): string {
    return planStatusColor(status);
  }
}
