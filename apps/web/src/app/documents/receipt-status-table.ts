import { DatePipe } from '@angular/common';
import { Component, inject, input } from '@angular/core';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Viewport } from '../core/viewport';
import { statusColor } from './document-form.logic';

export interface Receipt {
  id: string;
  unitId: string;
  unitName: string;
  kind: string;
  status: string;
  deliveredAt: string | null;
  dueAt: string | null;
  signedAt: string | null;
  signedBy: string | null;
  refusedAt: string | null;
  refuseReason: string | null;
  completedAt: string | null;
  isOverdue: boolean;
  urgeCount: number | null;
  handlerName: string | null;
  /** 收文编号, given at 签收. */
  receiptNumber?: string | null;
}

/** Each recipient unit's live status of one document (the sender sees all, a recipient its own). */
@Component({
  selector: 'zw-receipt-status-table',
  imports: [DatePipe, NzTableModule, NzTagModule],
  template: `
    <div class="scroll">
      <nz-table
        #t
        [nzData]="receipts()"
        [nzShowPagination]="false"
        nzSize="small"
        nzNoResult="签发后分发至各收文单位"
        [nzScroll]="viewport.isPhone() ? {} : { x: '1000px' }"
        class="zw-cards"
      >
        <thead>
          <tr>
            <th nzWidth="180px">单位</th>
            <th nzWidth="80px">主送/抄送</th>
            <th nzWidth="110px">状态</th>
            <th nzWidth="130px">送达时间</th>
            <th nzWidth="130px">签收期限</th>
            <th nzWidth="150px">签收</th>
            <th nzWidth="130px">办结时间</th>
            <th>退文理由</th>
          </tr>
        </thead>
        <tbody>
          @for (r of t.data; track r.id) {
            <tr [attr.data-unit]="r.unitName">
              <td class="zw-card-title">{{ r.unitName }}</td>
              <td data-label="主送/抄送">{{ r.kind }}</td>
              <td data-label="状态">
                <nz-tag [nzColor]="color(r.status)">{{ r.status }}</nz-tag>
                @if (r.isOverdue) {
                  <span class="overdue">超期</span>
                }
              </td>
              <td data-label="送达时间">{{ r.deliveredAt | date: 'MM-dd HH:mm' }}</td>
              <td data-label="签收期限" [class.overdue]="r.isOverdue">
                {{ r.dueAt ? (r.dueAt | date: 'MM-dd HH:mm') : '—' }}
                @if (r.urgeCount) {
                  <span class="overdue">（已催办 {{ r.urgeCount }} 次）</span>
                }
              </td>
              <td data-label="签收">
                @if (r.signedAt) {
                  {{ r.signedAt | date: 'MM-dd HH:mm' }} {{ r.signedBy }}
                } @else if (r.refusedAt) {
                  退文 {{ r.refusedAt | date: 'MM-dd HH:mm' }}
                } @else {
                  —
                }
                @if (r.receiptNumber) {
                  <div class="muted">收文编号：{{ r.receiptNumber }}</div>
                }
                @if (r.handlerName) {
                  <div class="muted">承办人：{{ r.handlerName }}</div>
                }
              </td>
              <td data-label="办结时间">
                {{ r.completedAt ? (r.completedAt | date: 'MM-dd HH:mm') : '—' }}
              </td>
              <td data-label="退文理由">{{ r.refuseReason || '' }}</td>
            </tr>
          }
        </tbody>
      </nz-table>
    </div>
  `,
  styles: `
    .scroll {
      overflow-x: auto;
    }
    .muted {
      color: #595959;
    }
  `,
})
export class ReceiptStatusTable {
  readonly receipts = input<Receipt[]>([]);
  protected readonly viewport = inject(Viewport);

  protected color(status: string): string {
    return statusColor(status);
  }
}
