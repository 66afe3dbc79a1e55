import { DatePipe } from '@angular/common';
import { Component, computed, input } from '@angular/core';
import { NzStepsModule } from 'ng-zorro-antd/steps';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { DECISION_LABELS, type ApprovalLevelRecord, type Level } from './approval.model';
import { currentStepIndex, levelSteps } from './approval-steps.logic';

/** The ladder 县级 → 市级 → 省级 and every visit to a level, with 预警/超期 marks. Presentational. */
@Component({
  selector: 'zw-approval-levels',
  imports: [DatePipe, NzStepsModule, NzTagModule, NzTimelineModule],
  template: `
    <nz-steps [nzCurrent]="current()" [nzStatus]="currentStatus()" nzSize="small" class="steps">
      @for (step of steps(); track step.level) {
        <nz-step
          [nzTitle]="step.title"
          [nzDescription]="step.record?.unitName ?? ''"
          [nzStatus]="step.state"
        />
      }
    </nz-steps>
    <h3>各级办理记录</h3>
    @if (levels().length === 0) {
      <p class="empty">暂无办理记录</p>
    }
    <nz-timeline>
      @for (l of levels(); track l.id) {
        <nz-timeline-item [nzColor]="color(l)">
          <div class="head">
            <strong>{{ l.levelName }}</strong>
            @if (l.round > 1) {
              <span class="muted">（第 {{ l.round }} 次）</span>
            }
            · {{ l.unitName }}
            @if (l.decision) {
              <nz-tag
                [nzColor]="
                  l.decision === 'approve' ? 'green' : l.decision === 'return' ? 'orange' : 'red'
                "
                >{{ decisionLabel(l.decision) }}</nz-tag
              >
            } @else {
              <nz-tag nzColor="blue">办理中</nz-tag>
            }
            @if (l.warned) {
              <nz-tag nzColor="orange">预警</nz-tag>
            }
            @if (l.overdue) {
              <nz-tag nzColor="red">超期</nz-tag>
            }
          </div>
          <dl class="facts">
            <dt>办理人</dt>
            <dd>{{ l.handlerName ?? '—' }}</dd>
            <dt>收到</dt>
            <dd>{{ l.receivedAt | date: 'yyyy-MM-dd HH:mm' }}</dd>
            @if (l.dueAt) {
              <dt>期限</dt>
              <dd [class.overdue]="l.overdue">
                {{ l.dueAt | date: 'yyyy-MM-dd' }}（{{ l.limitDays }} 个工作日）
              </dd>
            }
            <dt>办结</dt>
            <dd>{{ l.decidedAt ? (l.decidedAt | date: 'yyyy-MM-dd HH:mm') : '—' }}</dd>
            @if (l.workingDaysUsed !== null) {
              <dt>用时</dt>
              <dd>{{ l.workingDaysUsed }} 个工作日</dd>
            }
          </dl>
          @if (l.opinion) {
            <p class="opinion">意见：{{ l.opinion }}</p>
          }
        </nz-timeline-item>
      }
    </nz-timeline>
  `,
  styles: `
    .steps {
      max-width: 720px;
      margin-bottom: 24px;
    }
    .head nz-tag {
      margin-left: 8px;
    }
    .muted,
    .empty {
      color: #595959;
    }
    .facts {
      display: grid;
      grid-template-columns: repeat(
        auto-fill,
        minmax(60px, max-content) minmax(120px, max-content)
      );
      gap: 2px 8px;
      margin: 6px 0;
    }
    .facts dt {
      color: #595959;
    }
    .facts dd {
      margin: 0 16px 0 0;
    }
    .opinion {
      margin: 0;
      white-space: pre-wrap;
    }
  `,
})
export class ApprovalLevels {
  readonly levels = input.required<ApprovalLevelRecord[]>();
  readonly currentLevel = input<Level | null>(null);
  readonly result = input<string | null>(null);

  protected readonly steps = computed(() =>
    levelSteps(this.levels(), this.currentLevel(), this.result()),
  );
  protected readonly current = computed(() => currentStepIndex(this.steps()));
  protected readonly currentStatus = computed(() => this.steps()[this.current()]?.state ?? 'wait');

  protected decisionLabel(decision: string): string {
    return DECISION_LABELS[decision] ?? decision;
  }

  protected color(l: ApprovalLevelRecord): string {
    if (l.overdue || l.decision === 'reject') return 'red';
    if (l.decision === 'return' || l.warned) return 'orange';
    return l.decidedAt ? 'green' : 'blue';
  }
}
