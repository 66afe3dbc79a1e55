import { DatePipe } from '@angular/common';
import { Component, input } from '@angular/core';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzTagModule } from 'ng-zorro-antd/tag';

/** GET /api/documents/:id → itReview: where an informatization document stands (seed （八）). */
export interface ItReviewState {
  informatization: boolean;
  required: boolean;
  markedByReviewer: boolean;
  stage: string;
  approvedAt: string | null;
  round: number;
  tally: { voters: number; approve: number; reject: number; cast: number } | null;
  entries: {
    round: number;
    step: 'office' | 'vote' | 'decision';
    outcome: string;
    opinion: string | null;
    referToSecretary: boolean;
    at: string;
    userName: string;
  }[];
}

const STEP_NAMES: Record<string, string> = {
  office: '信息办审核',
  vote: '领导小组表决',
  decision: '集体决定',
};
const OUTCOMES: Record<string, Record<string, string>> = {
  office: { approve: '审核通过，报领导小组', return: '退回修改', reject: '退回修改' },
  vote: { approve: '同意', reject: '不同意' },
  decision: { approve: '决定批准印发', reject: '决定不予批准' },
};

/** 信息化文件审核 on the document page: the stage, the group's count and every opinion and vote. */
@Component({
  selector: 'zw-it-review-card',
  imports: [DatePipe, NzCardModule, NzTagModule],
  template: `
    @let s = state();
    <nz-card nzTitle="信息化文件审核" nzSize="small" data-testid="it-review">
      <p>
        <nz-tag [nzColor]="color(s.stage)" data-testid="it-review-stage">{{ s.stage }}</nz-tag>
        @if (s.required) {
          以部或部办公厅名义印发的信息化相关文件，须经信息办审核、信息化领导小组批准后方可签发。
        } @else {
          本单位不以部或部办公厅名义发文，无需信息办审核。
        }
        @if (s.markedByReviewer) {
          <span class="muted">（由核稿人标记为信息化相关文件）</span>
        }
      </p>
      @if (s.tally; as v) {
        <p data-testid="it-review-tally">
          第 {{ s.round }} 轮表决：应表决 {{ v.voters }} 人，已表决 {{ v.cast }} 人，同意
          {{ v.approve }} 票，不同意 {{ v.reject }} 票
        </p>
      }
      @if (s.entries.length > 0) {
        <ul class="entries">
          @for (e of s.entries; track $index) {
            <li>
              <span class="when">{{ e.at | date: 'yyyy-MM-dd HH:mm' }}</span>
              <strong>{{ stepName(e.step) }}</strong> · {{ e.userName }}：{{ outcome(e) }}
              @if (e.opinion) {
                <span>——{{ e.opinion }}</span>
              }
            </li>
          }
        </ul>
      }
    </nz-card>
  `,
  styles: `
    :host {
      display: block;
      margin-bottom: 16px;
    }
    .muted,
    .when {
      color: #595959;
      font-size: 12px;
    }
    .when {
      margin-right: 8px;
    }
    .entries {
      margin: 0;
      padding-left: 18px;
      overflow-wrap: anywhere;
    }
  `,
})
export class ItReviewCard {
  readonly state = input.required<ItReviewState>();

  protected stepName(step: string): string {
    return STEP_NAMES[step] ?? step;
  }

  protected outcome(e: ItReviewState['entries'][number]): string {
    const words = OUTCOMES[e.step]?.[e.outcome] ?? e.outcome;
    return e.referToSecretary ? `${words}（提请集体决定）` : words;
  }

  protected color(stage: string): string {
    if (stage === '已批准') return 'green';
    if (stage === '退回修改') return 'orange';
    if (stage === '无需审核') return 'default';
    return 'blue';
  }
}
