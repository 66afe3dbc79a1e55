import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzInputNumberModule } from 'ng-zorro-antd/input-number';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzProgressModule } from 'ng-zorro-antd/progress';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { Api, ApiError } from '../core/api';
import { Viewport } from '../core/viewport';
import { cadenceLabel, itemStatusColor, type ItemDetail } from './work-plan.model';

/** One 工作要点: its 督办, the unit's periodic progress reports and its year-end summary (自评). */
@Component({
  selector: 'zw-work-plan-item-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzInputModule,
    NzInputNumberModule,
    NzProgressModule,
    NzTagModule,
    NzTimelineModule,
  ],
  template: `
    <div class="page">
      @if (item(); as i) {
        <div class="page-header">
          <h2>{{ i.plan.year }}年工作要点（{{ i.seq }}）：{{ i.title }}</h2>
          <div class="toolbar">
            <nz-tag [nzColor]="color(i.status)" data-testid="work-plan-item-status">{{
              i.status
            }}</nz-tag>
            <a nz-button [routerLink]="['/work-plans', i.plan.id]">返回工作要点</a>
          </div>
        </div>
        <nz-card nzSize="small" nzTitle="要点">
          <nz-descriptions nzBordered nzSize="small" [nzColumn]="viewport.isPhone() ? 1 : 2">
            <nz-descriptions-item nzTitle="工作措施" [nzSpan]="2"
              ><span class="text">{{ i.measures }}</span></nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="责任单位">{{ i.unitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="完成时限">{{ i.deadline }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="进展报送"
              >{{ cadence() }}（本期 {{ i.currentPeriod }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="督办">
              @if (i.supervisionItemId) {
                <a [routerLink]="['/supervision', i.supervisionItemId]">查看督办（报告办结）</a>
                @if (i.escalated) {
                  <nz-tag nzColor="red">逾期已提醒单位负责人</nz-tag>
                }
              } @else {
                —
              }
            </nz-descriptions-item>
          </nz-descriptions>
        </nz-card>

        @if (can('progress')) {
          <nz-card nzSize="small" nzTitle="报送进展">
            <div class="row">
              <label for="wp-percent">完成进度（%）</label>
              <nz-input-number
                nzId="wp-percent"
                [(ngModel)]="percent"
                [nzMin]="0"
                [nzMax]="100"
                [nzStep]="10"
              />
            </div>
            <label for="wp-note" class="label">进展情况</label>
            <textarea
              id="wp-note"
              nz-input
              rows="3"
              maxlength="2000"
              [(ngModel)]="note"
              placeholder="本期完成的工作、存在的问题和下一步安排"
            ></textarea>
            <div class="actions">
              <button
                nz-button
                nzType="primary"
                type="button"
                (click)="report()"
                [nzLoading]="busy()"
              >
                报送进展
              </button>
            </div>
          </nz-card>
        }

        <nz-card nzSize="small" nzTitle="进展记录">
          @if (i.progress.length === 0) {
            <p class="muted">尚未报送进展。</p>
          }
          <nz-timeline data-testid="work-plan-progress">
            @for (g of i.progress; track g.id) {
              <nz-timeline-item>
                <b>{{ g.period }}</b> · {{ g.userName }} · {{ g.at | date: 'yyyy-MM-dd HH:mm' }}
                <nz-progress [nzPercent]="g.percent" nzSize="small" />
                <div class="text">{{ g.note }}</div>
              </nz-timeline-item>
            }
          </nz-timeline>
        </nz-card>

        <nz-card nzSize="small" nzTitle="年度工作总结（单位自评）">
          @if (i.summary) {
            <p class="text">{{ i.summary }}</p>
            <p class="muted">
              {{ i.summaryByName }} · {{ i.summaryAt | date: 'yyyy-MM-dd HH:mm' }}
            </p>
          } @else if (!can('summary')) {
            <p class="muted">尚未报送。</p>
          }
          @if (can('summary')) {
            <label for="wp-summary" class="label">{{ i.summary ? '修改总结' : '年度总结' }}</label>
            <textarea
              id="wp-summary"
              nz-input
              rows="4"
              maxlength="5000"
              [(ngModel)]="summary"
            ></textarea>
            <div class="actions">
              <button nz-button type="button" (click)="saveSummary()" [nzLoading]="busy()">
                报送总结
              </button>
            </div>
          }
        </nz-card>
      } @else if (failed()) {
        <div class="page-header"><h2>工作要点事项</h2></div>
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
    }
    .row {
      display: flex;
      align-items: center;
      gap: 8px;
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
export class WorkPlanItemPage implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  protected readonly viewport = inject(Viewport);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly item = signal<ItemDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected percent = 0;
  protected note = '';
  protected summary = '';

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const item = await this.api.get<ItemDetail>(`/work-plans/items/${this.id()}`);
      this.item.set(item);
      this.percent = item.latestProgress?.percent ?? 0;
      this.summary = item.summary ?? '';
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该工作要点事项，或您无权查看。'
          : error instanceof ApiError
            ? error.message
            : '加载失败，请刷新页面',
      );
    }
  }

  protected can(action: 'progress' | 'summary'): boolean {
    return this.item()?.allowedActions.includes(action) ?? false;
  }

  protected cadence(): string {
    const item = this.item();
    return item ? cadenceLabel(item.cadence) : '';
  }

  async report(): Promise<void> {
    if (this.note.trim().length < 2) {
      this.message.error('请填写进展情况（至少 2 个字）');
      return;
    }
    if (
      await this.act(
        `/work-plans/items/${this.id()}/progress`,
        { percent: this.percent, note: this.note.trim() },
        '已报送进展',
      )
    ) {
      this.note = '';
    }
  }

  async saveSummary(): Promise<void> {
    if (this.summary.trim().length < 2) {
      this.message.error('请填写年度工作总结（至少 2 个字）');
      return;
    }
    await this.act(
      `/work-plans/items/${this.id()}/summary`,
      { summary: this.summary.trim() },
      '已报送年度总结',
    );
  }

  private async act(path: string, body: object, done: string): Promise<boolean> {
    this.busy.set(true);
    try {
      await this.api.post(path, body);
      this.message.success(done);
      return true;
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '操作失败，请重试');
      return false;
    } finally {
      this.busy.set(false);
      await this.load();
    }
  }

  protected color(status: string): string {
    return itemStatusColor(status);
  }
}
