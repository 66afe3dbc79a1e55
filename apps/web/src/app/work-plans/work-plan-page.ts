import { DatePipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzProgressModule } from 'ng-zorro-antd/progress';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { Api, ApiError } from '../core/api';
import { Viewport } from '../core/viewport';
import {
  cadenceLabel,
  historyLabel,
  itemStatusColor,
  planStatusColor,
  type Plan,
  type PlanItem,
} from './work-plan.model';

/** One year's 工作要点: where its approval stands, and 信息办's progress board (per item and per unit). */
@Component({
  selector: 'zw-work-plan-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzInputModule,
    NzProgressModule,
    NzTableModule,
    NzTagModule,
    NzTimelineModule,
  ],
  template: `
    <div class="page">
      @if (plan(); as p) {
        <div class="page-header">
          <h2>{{ p.title }}</h2>
          <div class="toolbar">
            <nz-tag [nzColor]="planColor(p.status)" data-testid="work-plan-status">{{
              p.status
            }}</nz-tag>
            @if (can('edit')) {
              <a nz-button [routerLink]="['/work-plans', p.id, 'edit']">修改</a>
            }
            @if (can('submit')) {
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="submit()"
                [nzLoading]="busy()"
              >
                提请领导小组审议
              </button>
            }
            @if (p.status === '执行中' || p.status === '评估中' || p.status === '已评估') {
              @if (seesEvaluation()) {
                <a nz-button [routerLink]="['/work-plans', p.id, 'evaluation']">年度评估</a>
              }
            }
            <a nz-button routerLink="/work-plans">返回</a>
          </div>
        </div>

        <nz-card nzSize="small" nzTitle="概况">
          <nz-descriptions nzBordered nzSize="small" [nzColumn]="viewport.isPhone() ? 1 : 2">
            <nz-descriptions-item nzTitle="年度">{{ p.year }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="要点">{{ p.items.length }} 项</nz-descriptions-item>
            @if (p.intro) {
              <nz-descriptions-item nzTitle="总体要求" [nzSpan]="2"
                ><span class="text">{{ p.intro }}</span></nz-descriptions-item
              >
            }
            @if (p.decision) {
              <nz-descriptions-item nzTitle="审议结果" [nzSpan]="2">{{
                p.decision
              }}</nz-descriptions-item>
            }
            @if (p.acknowledgement) {
              <nz-descriptions-item nzTitle="领导小组审阅意见" [nzSpan]="2">{{
                p.acknowledgement
              }}</nz-descriptions-item>
            }
            @if (p.bulletinDocumentId) {
              <nz-descriptions-item nzTitle="通报" [nzSpan]="2">
                <a [routerLink]="['/documents', p.bulletinDocumentId]">查看通报公文</a>
              </nz-descriptions-item>
            }
          </nz-descriptions>
          @for (t of p.openTasks; track t.id) {
            <p class="task">
              当前环节：<a [routerLink]="['/tasks', t.id]">{{ t.name }}</a>
            </p>
          }
        </nz-card>

        @if (can('resubmit')) {
          <nz-card nzSize="small" nzTitle="重新提请审议">
            <p>领导小组退回修改。请先“修改”要点，再重新提请审议。</p>
            <label for="wp-comment" class="label">修改说明</label>
            <textarea
              id="wp-comment"
              nz-input
              rows="2"
              maxlength="1000"
              [(ngModel)]="comment"
            ></textarea>
            <div class="actions">
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="resubmit()"
                [nzLoading]="busy()"
              >
                重新提请审议
              </button>
            </div>
          </nz-card>
        }

        @if (p.rollup.length > 0 && p.status !== '草拟') {
          <nz-card nzSize="small" nzTitle="各单位落实情况">
            <nz-table
              #units
              class="zw-cards"
              [nzData]="p.rollup"
              [nzShowPagination]="false"
              nzSize="small"
              data-testid="work-plan-rollup"
            >
              <thead>
                <tr>
                  <th>责任单位</th>
                  <th nzWidth="80px">要点</th>
                  <th nzWidth="80px">已完成</th>
                  <th nzWidth="80px">逾期</th>
                  <th nzWidth="180px">平均进度</th>
                </tr>
              </thead>
              <tbody>
                @for (r of units.data; track r.unitId) {
                  <tr>
                    <td data-label="责任单位">{{ r.unitName }}</td>
                    <td data-label="要点">{{ r.total }}</td>
                    <td data-label="已完成">{{ r.done }}</td>
                    <td data-label="逾期" [class.late]="r.overdue > 0">{{ r.overdue }}</td>
                    <td data-label="平均进度">
                      <nz-progress [nzPercent]="r.averagePercent" nzSize="small" />
                    </td>
                  </tr>
                }
              </tbody>
            </nz-table>
          </nz-card>
        }

        <nz-card nzSize="small" nzTitle="工作要点及进展">
          <div class="counts" data-testid="work-plan-counts">
            @for (c of counts(); track c.status) {
              <nz-tag [nzColor]="itemColor(c.status)">{{ c.status }} {{ c.n }}</nz-tag>
            }
          </div>
          <nz-table
            #table
            class="zw-cards"
            [nzData]="p.items"
            [nzShowPagination]="false"
            nzSize="small"
            [nzScroll]="viewport.isPhone() ? {} : { x: '900px' }"
            data-testid="work-plan-items"
          >
            <thead>
              <tr>
                <th nzWidth="50px">序号</th>
                <th>工作要点</th>
                <th nzWidth="150px">责任单位</th>
                <th nzWidth="110px">完成时限</th>
                <th nzWidth="100px">状态</th>
                <th nzWidth="220px">最新进展</th>
              </tr>
            </thead>
            <tbody>
              @for (i of table.data; track i.id) {
                <tr>
                  <td data-label="序号">{{ i.seq }}</td>
                  <td data-label="工作要点">
                    @if (i.supervisionItemId) {
                      <a [routerLink]="['/work-plans/items', i.id]">{{ i.title }}</a>
                    } @else {
                      {{ i.title }}
                    }
                    <div class="muted">{{ i.measures }}</div>
                  </td>
                  <td data-label="责任单位">{{ i.unitName }}</td>
                  <td data-label="完成时限" class="nowrap">{{ i.deadline }}</td>
                  <td data-label="状态">
                    <nz-tag [nzColor]="itemColor(i.status)">{{ i.status }}</nz-tag>
                    @if (i.escalated && i.status === '逾期') {
                      <nz-tag nzColor="red">已提醒单位负责人</nz-tag>
                    }
                    @if (i.reportDue && p.status === '执行中') {
                      <nz-tag nzColor="orange">本期未报进展</nz-tag>
                    }
                  </td>
                  <td data-label="最新进展">
                    @if (i.latestProgress; as g) {
                      <nz-progress [nzPercent]="g.percent" nzSize="small" />
                      <div class="muted">{{ g.period }}：{{ g.note }}</div>
                    } @else {
                      <span class="muted">{{
                        p.status === '执行中' ? '尚未报送（' + cadence(i) + '报送）' : '—'
                      }}</span>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </nz-table>
        </nz-card>

        @if (p.votes.length > 0) {
          <nz-card nzSize="small" nzTitle="领导小组表决">
            <ul class="votes">
              @for (v of p.votes; track $index) {
                <li>
                  第{{ v.round }}轮 · {{ v.voterName }}：<b>{{
                    v.vote === 'approve' ? '同意' : '不同意'
                  }}</b>
                  @if (v.opinion) {
                    （{{ v.opinion }}）
                  }
                </li>
              }
            </ul>
          </nz-card>
        }
        @if (p.history.length > 0) {
          <nz-card nzSize="small" nzTitle="办理记录">
            <nz-timeline>
              @for (h of p.history; track $index) {
                <nz-timeline-item>
                  <b>{{ label(h.action) }}</b> · {{ h.userName || '系统' }} ·
                  {{ h.at | date: 'yyyy-MM-dd HH:mm' }}
                  @if (h.note) {
                    <div class="text">{{ h.note }}</div>
                  }
                </nz-timeline-item>
              }
            </nz-timeline>
          </nz-card>
        }
      } @else if (failed()) {
        <div class="page-header"><h2>工作要点</h2></div>
        <p role="alert">{{ failed() }}</p>
        <a nz-button routerLink="/work-plans">返回</a>
      }
    </div>
  `,
  styles: `
    nz-card {
      margin-bottom: 12px;
    }
    .text {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .muted {
      color: #595959;
      font-size: 12px;
      overflow-wrap: anywhere;
    }
    .late {
      color: #cf1322;
      font-weight: 600;
    }
    .nowrap {
      white-space: nowrap;
    }
    .counts {
      margin-bottom: 8px;
    }
    .task {
      margin: 8px 0 0;
    }
    .label {
      display: block;
      margin-bottom: 4px;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
      margin-top: 8px;
    }
    .votes {
      margin: 0;
      padding-left: 20px;
    }
  `,
})
export class WorkPlanPage implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly plan = signal<Plan | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly seesEvaluation = signal(false);
  protected comment = '';
  protected readonly counts = computed(() => {
    const n = new Map<string, number>();
    for (const i of this.plan()?.items ?? []) n.set(i.status, (n.get(i.status) ?? 0) + 1);
    return [...n].map(([status, count]) => ({ status, n: count }));
  });

  ngOnInit(): void {
    void this.load();
    void this.api
      .get<{ seesWhole: boolean }>('/work-plans/capabilities')
      .then((c) => this.seesEvaluation.set(c.seesWhole))
      .catch(() => undefined);
  }

  async load(): Promise<void> {
    try {
      this.plan.set(await this.api.get<Plan>(`/work-plans/${this.id()}`));
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该工作要点，或您无权查看。'
          : error instanceof ApiError
            ? error.message
            : '工作要点加载失败，请刷新页面',
      );
    }
  }

  protected can(action: Plan['allowedActions'][number]): boolean {
    return this.plan()?.allowedActions.includes(action) ?? false;
  }

  async submit(): Promise<void> {
    await this.act(`/work-plans/${this.id()}/submit`, {}, '已提请领导小组审议');
  }

  async resubmit(): Promise<void> {
    await this.act(
      `/work-plans/${this.id()}/resubmit`,
      { comment: this.comment },
      '已重新提请审议',
    );
  }

  private async act(path: string, body: object, done: string): Promise<void> {
    this.busy.set(true);
    try {
      await this.api.post(path, body);
      this.message.success(done);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '操作失败，请重试');
    } finally {
      this.busy.set(false);
      await this.load();
    }
  }

  protected planColor(status: string): string {
    return planStatusColor(status);
  }

  protected itemColor(status: string): string {
    return itemStatusColor(status);
  }

  protected label(action: string): string {
    return historyLabel(action);
  }

  protected cadence(item: PlanItem): string {
    return cadenceLabel(item.cadence);
  }
}
