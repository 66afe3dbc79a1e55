import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import type { CheckReport } from './archive.types';

/** 四性检测 report: every check with a green or red tag and its detail. */
@Component({
  selector: 'zw-check-report',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [NzTableModule, NzTagModule],
  template: `
    <p>
      @if (report().stageLabel) {
        检测环节：{{ report().stageLabel }}（{{ report().standard }}）&nbsp;
      }
      检测结论：
      <nz-tag [nzColor]="report().ok ? 'green' : 'red'">{{
        report().ok ? '通过' : '未通过'
      }}</nz-tag>
      @if (checkedAt()) {
        <span class="muted">（{{ checkedAt() }}）</span>
      }
    </p>
    <nz-table
      #t
      [nzData]="report().checks"
      [nzShowPagination]="false"
      nzSize="small"
      [nzScroll]="{ x: '640px' }"
    >
      <thead>
        <tr>
          <th nzWidth="260px">检测项</th>
          <th nzWidth="90px">结果</th>
          <th>说明</th>
        </tr>
      </thead>
      <tbody>
        @for (c of t.data; track $index) {
          <tr>
            <td>{{ c.name }}</td>
            <td>
              @if (c.status === 'na') {
                <nz-tag>不适用</nz-tag>
              } @else {
                <nz-tag [nzColor]="c.ok ? 'green' : 'red'">{{ c.ok ? '通过' : '未通过' }}</nz-tag>
              }
            </td>
            <td>{{ c.detail }}</td>
          </tr>
        }
      </tbody>
    </nz-table>
  `,
  styles: `
    .muted {
      color: #595959;
    }
  `,
})
export class CheckReportView {
  readonly report = input.required<CheckReport>();
  readonly checkedAt = input<string | null>(null);
}
