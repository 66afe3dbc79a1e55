import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, input, signal } from '@angular/core';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api } from '../core/api';
import { partnerStatusColor } from './partner-recipients.logic';

interface PartnerRecipientStatus {
  organCode: string;
  partnerName: string;
  unitCode: string;
  unitName: string;
  kind: string;
  status: string;
  attempts: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  statusAt: string | null;
  refuseReason: string | null;
}

/** The sender's live view of units on partner deployments (公文交换): 待分发 → 待送达 → 已送达 → 已签收 / 退文 / 被拒收. */
@Component({
  selector: 'zw-partner-recipients-status',
  imports: [DatePipe, NzCardModule, NzTagModule],
  template: `
    @if (rows().length > 0) {
      <nz-card nzTitle="外部系统收文单位（公文交换）" nzSize="small">
        <ul class="zw-partner-list">
          @for (r of rows(); track r.organCode + r.unitCode) {
            <li data-testid="partner-recipient">
              <strong>{{ r.unitName }}</strong>
              <span class="muted">{{ r.partnerName }} · {{ r.kind }}</span>
              <nz-tag [nzColor]="color(r.status)">{{ r.status }}</nz-tag>
              @if (r.statusAt) {
                <span class="muted">{{ r.statusAt | date: 'yyyy-MM-dd HH:mm' }}</span>
              } @else if (r.deliveredAt) {
                <span class="muted">送达 {{ r.deliveredAt | date: 'yyyy-MM-dd HH:mm' }}</span>
              }
              @if (r.refuseReason) {
                <span>理由：{{ r.refuseReason }}</span>
              }
              @if (r.status === '待送达' && r.attempts) {
                <span class="muted"
                  >已尝试 {{ r.attempts }} 次{{ r.lastError ? '：' + r.lastError : '' }}</span
                >
              }
            </li>
          }
        </ul>
      </nz-card>
    }
  `,
  styles: `
    nz-card {
      margin-bottom: 16px;
    }
    .zw-partner-list {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    .zw-partner-list li {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      padding: 6px 0;
      border-top: 1px solid #f0f0f0;
    }
    .muted {
      color: #666;
      font-size: 12px;
      word-break: break-all;
    }
  `,
})
export class PartnerRecipientsStatus implements OnInit {
  private readonly api = inject(Api);
  readonly documentId = input.required<string>();
  protected readonly rows = signal<PartnerRecipientStatus[]>([]);

  ngOnInit(): void {
    void this.reload();
  }

  async reload(): Promise<void> {
    try {
      this.rows.set(
        await this.api.get<PartnerRecipientStatus[]>(
          `/exchange/documents/${this.documentId()}/partner-recipients`,
        ),
      );
    } catch {
      // Only the issuing unit sees its partner recipients; others simply have none to show.
      this.rows.set([]);
    }
  }

  protected color(status: string): string {
    return partnerStatusColor(status);
  }
}
