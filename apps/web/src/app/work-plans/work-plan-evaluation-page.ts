import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Viewport } from '../core/viewport';
import { resultColor, type Evaluation, type Plan } from './work-plan.model';

/**
 * 年度评估: assembled from the items (按期完成, 逾期完成, 未完成, with each unit's own summary); 信息办 adds the overall
 * conclusion and reports it to the leading group, then drafts the 通报 once the group has reviewed it.
 */
@Component({
  selector: 'zw-work-plan-evaluation-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzInputModule,
    NzTableModule,
    NzTagModule,
  ],
  template: `
    <div class="page">
      <div class="page-header">
        <h2>{{ evaluation()?.year }}年度信息化工作评估</h2>
        <div class="toolbar">
          @if (plan(); as p) {
            <nz-tag>{{ p.status }}</nz-tag>
            @if (p.bulletinDocumentId) {
              <a nz-button [routerLink]="['/documents', p.bulletinDocumentId]">查看通报</a>
            }
            @if (can('bulletin')) {
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="bulletin()"
                [nzLoading]="busy()"
              >
                拟制通报
              </button>
            }
          }
          <a nz-button [routerLink]="['/work-plans', id()]">返回工作要点</a>
        </div>
      </div>
      @if (failed()) {
        <p role="alert">{{ failed() }}</p>
      }
      @if (evaluation(); as e) {
        <nz-card nzSize="small" nzTitle="总体情况">
          <div class="counts" data-testid="evaluation-counts">
            <nz-tag>共 {{ e.counts.total }} 项</nz-tag>
            <nz-tag nzColor="green">按期完成 {{ e.counts.onTime }}</nz-tag>
            <nz-tag nzColor="orange">逾期完成 {{ e.counts.late }}</nz-tag>
            <nz-tag nzColor="red">未完成 {{ e.counts.notDone }}</nz-tag>
            <nz-tag nzColor="volcano">逾期经督办提醒 {{ e.counts.escalated }}</nz-tag>
          </div>
          @if (e.conclusion) {
            <p class="text"><b>总体评价：</b>{{ e.conclusion }}</p>
          }
          <p class="muted">
            {{ plan()?.status === '执行中' ? '实时汇总' : '报领导小组时汇总' }}于
            {{ e.assembledAt | date: 'yyyy-MM-dd HH:mm' }}
          </p>
        </nz-card>

        <nz-card nzSize="small" nzTitle="各项要点">
          <nz-table
            #table
            class="zw-cards"
            [nzData]="e.items"
            [nzShowPagination]="false"
            nzSize="small"
            [nzScroll]="viewport.isPhone() ? {} : { x: '900px' }"
            data-testid="evaluation-items"
          >
            <thead>
              <tr>
                <th nzWidth="50px">序号</th>
                <th nzWidth="220px">工作要点</th>
                <th nzWidth="140px">责任单位</th>
                <th nzWidth="110px">完成时限</th>
                <th nzWidth="110px">评估结果</th>
                <th>单位自评</th>
              </tr>
            </thead>
            <tbody>
              @for (i of table.data; track i.itemId) {
                <tr>
                  <td data-label="序号">{{ i.seq }}</td>
                  <td data-label="工作要点">
                    <a [routerLink]="['/work-plans/items', i.itemId]">{{ i.title }}</a>
                  </td>
                  <td data-label="责任单位">{{ i.unitName }}</td>
                  <td data-label="完成时限" class="nowrap">{{ i.deadline }}</td>
                  <td data-label="评估结果">
                    <nz-tag [nzColor]="color(i.result)">{{ i.resultLabel }}</nz-tag>
                    @if (i.escalated) {
                      <nz-tag nzColor="volcano">曾逾期督办</nz-tag>
                    }
                  </td>
                  <td data-label="单位自评" class="text">{{ i.summary || '未报送' }}</td>
                </tr>
              }
            </tbody>
          </nz-table>
        </nz-card>

        <nz-card nzSize="small" nzTitle="各单位情况">
          <nz-table
            #units
            class="zw-cards"
            [nzData]="e.units"
            [nzShowPagination]="false"
            nzSize="small"
          >
            <thead>
              <tr>
                <th>责任单位</th>
                <th nzWidth="80px">要点</th>
                <th nzWidth="90px">按期完成</th>
                <th nzWidth="90px">逾期完成</th>
                <th nzWidth="80px">未完成</th>
              </tr>
            </thead>
            <tbody>
              @for (u of units.data; track u.unitId) {
                <tr>
                  <td data-label="责任单位">{{ u.unitName }}</td>
                  <td data-label="要点">{{ u.total }}</td>
                  <td data-label="按期完成">{{ u.onTime }}</td>
                  <td data-label="逾期完成">{{ u.late }}</td>
                  <td data-label="未完成">{{ u.notDone }}</td>
                </tr>
              }
            </tbody>
          </nz-table>
        </nz-card>

        @if (can('evaluate')) {
          <nz-card nzSize="small" nzTitle="报领导小组">
            <p class="muted">
              提交后各项要点不再接受进展报送，评估报告送领导小组组长审阅；审阅后可拟制通报。
            </p>
            <label for="wp-conclusion" class="label">总体评价</label>
            <textarea
              id="wp-conclusion"
              nz-input
              rows="4"
              maxlength="5000"
              [(ngModel)]="conclusion"
            ></textarea>
            <div class="actions">
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="submit()"
                [nzLoading]="busy()"
              >
                提交年度评估，报领导小组
              </button>
            </div>
          </nz-card>
        }
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
    }
    .nowrap {
      white-space: nowrap;
    }
    .counts {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      margin-bottom: 8px;
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
  `,
})
export class WorkPlanEvaluationPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  /** Route parameter `:id` (the plan). */
  readonly id = input.required<string>();
  protected readonly plan = signal<Plan | null>(null);
  protected readonly evaluation = signal<Evaluation | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected conclusion = '';

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const [plan, evaluation] = await Promise.all([
        this.api.get<Plan>(`/work-plans/${this.id()}`),
        this.api.get<Evaluation>(`/work-plans/${this.id()}/evaluation`),
      ]);
      this.plan.set(plan);
      this.evaluation.set(evaluation);
    } catch (error) {
      this.failed.set(error instanceof ApiError ? error.message : '年度评估加载失败，请刷新页面');
    }
  }

  protected can(action: Plan['allowedActions'][number]): boolean {
    return this.plan()?.allowedActions.includes(action) ?? false;
  }

  protected color(result: string): string {
    return resultColor(result);
  }

  async submit(): Promise<void> {
    if (this.conclusion.trim().length < 2) {
      this.message.error('请填写总体评价（至少 2 个字）');
      return;
    }
    this.busy.set(true);
    try {
      await this.api.post(`/work-plans/${this.id()}/evaluation`, {
        conclusion: this.conclusion.trim(),
      });
      this.message.success('年度评估已报领导小组');
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '提交失败，请重试');
    } finally {
      this.busy.set(false);
      await this.load();
    }
  }

  async bulletin(): Promise<void> {
    this.busy.set(true);
    try {
      const { documentId } = await this.api.post<{ documentId: string }>(
        `/work-plans/${this.id()}/bulletin`,
      );
      this.message.success('通报已拟稿，请在公文中核对后送核稿');
      await this.router.navigate(['/documents', documentId]);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '拟制通报失败，请重试');
      await this.load();
    } finally {
      this.busy.set(false);
    }
  }
}
