import { DatePipe } from '@angular/common';
import { Component, computed, input } from '@angular/core';
import { NzTimelineModule } from 'ng-zorro-antd/timeline';
import { historySteps } from '../inbox/step-forms.logic';

export interface HistoryEntry {
  action: string;
  comment: string | null;
  at: string;
  taskName: string | null;
  userName: string;
  unitName: string | null;
}

export interface OpenStep {
  id: string;
  name: string;
  dueAt: string | null;
  assigneeName: string | null;
  unitName?: string | null;
}

const ACTION_LABELS: Record<string, string> = {
  approve: '同意',
  return: '退回',
  reject: '驳回',
  transfer: '转办',
  delegate: '委派',
  resolve: '委派办结',
  'add-signer': '加签',
  'remove-signer': '减签',
  cc: '抄送',
  withdraw: '撤回',
  urge: '催办',
  claim: '认领',
  unclaim: '释放',
  assign: '管理员指派',
};

/** The case's history (every operation with its opinion) and the steps open now. */
@Component({
  selector: 'zw-case-history',
  imports: [DatePipe, NzTimelineModule],
  template: `
    @if (steps().length) {
      <h4>当前环节</h4>
      <ul class="steps">
        @for (s of steps(); track s.id) {
          <li>
            <strong>{{ s.name }}</strong>
            — {{ s.assigneeName || (s.unitName ? s.unitName + '（待认领）' : '待认领') }}
            @if (s.dueAt) {
              <span class="due" [class.overdue]="isPast(s.dueAt)"
                >（期限 {{ s.dueAt | date: 'yyyy-MM-dd HH:mm' }}）</span
              >
            }
          </li>
        }
      </ul>
    }
    <h4>办理过程</h4>
    @if (entries().length) {
      <nz-timeline>
        @for (h of entries(); track $index) {
          <nz-timeline-item [nzColor]="color(h.action)">
            <div>
              <strong>{{ view()[$index]?.step }}</strong> · {{ view()[$index]?.text }} ·
              {{ h.userName }}
              @if (h.unitName) {
                （{{ h.unitName }}）
              }
            </div>
            <div class="time">{{ h.at | date: 'yyyy-MM-dd HH:mm' }}</div>
            @if (h.comment) {
              <div class="opinion">意见：{{ h.comment }}</div>
            }
          </nz-timeline-item>
        }
      </nz-timeline>
    } @else {
      <p class="empty">尚无办理记录</p>
    }
  `,
  styles: `
    .steps {
      padding-left: 20px;
    }
    .time,
    .empty {
      color: #595959;
    }
    .opinion {
      margin-top: 2px;
    }
  `,
})
export class CaseHistory {
  readonly entries = input<HistoryEntry[]>([]);
  readonly steps = input<OpenStep[]>([]);
  /** The process the entries belong to, for the words of each step (提交, 核稿同意, 签发 …). */
  readonly processKey = input('');
  protected readonly view = computed(() =>
    historySteps(this.processKey(), this.entries(), (action) => ACTION_LABELS[action] ?? action),
  );

  protected color(action: string): string {
    if (action === 'reject') return 'red';
    if (action === 'return' || action === 'urge') return 'orange';
    return 'blue';
  }

  protected isPast(at: string): boolean {
    return new Date(at).getTime() < Date.now();
  }
}
