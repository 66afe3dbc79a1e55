import { DatePipe } from '@angular/common';
import { Component, OnDestroy, OnInit, computed, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { AttachmentsPanel } from './attachments-panel';
import { BodyRevisions } from './body-editor/body-revisions';
import { CaseHistory, type HistoryEntry, type OpenStep } from './case-history';
import { statusColor } from './document-form.logic';
import { type Attachment, Files } from './files';
import { type ItReviewState, ItReviewCard } from './it-review-card';
import { PartnerRecipientsStatus } from './partner-recipients-status';
import { PdfPreview } from './pdf-preview';
import { type Receipt, ReceiptStatusTable } from './receipt-status-table';
import { SheetPrint } from './sheet-print';
import { SealPanel } from './seal-panel';
import { SuperviseButton } from '../supervision/supervise-button';

interface UnitRef {
  id: string;
  name: string;
}

interface DocumentDetail {
  id: string;
  docType: string;
  title: string;
  secrecy: string;
  secrecyTerm: string | null;
  urgency: string;
  disclosure: string | null;
  body: string;
  attachmentNote: string | null;
  status: string;
  docNumber: string | null;
  createdAt: string;
  signedAt: string | null;
  closedAt: string | null;
  unitName: string;
  drafterName: string;
  signerName: string | null;
  mainRecipients: UnitRef[] | null;
  ccRecipients: UnitRef[] | null;
  countersignUnits: UnitRef[] | null;
  isSender: boolean;
  receipts: Receipt[];
  history: HistoryEntry[];
  openTasks: (OpenStep & { activityId: string })[];
  attachments: Attachment[];
  itReview?: ItReviewState | null;
}

/** Refreshed this often while open, so the sender watches each recipient sign for the document. */
const REFRESH_MS = 10_000;

@Component({
  selector: 'zw-document-detail-page',
  imports: [
    DatePipe,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzIconModule,
    NzTagModule,
    AttachmentsPanel,
    BodyRevisions,
    CaseHistory,
    ItReviewCard,
    PartnerRecipientsStatus,
    PdfPreview,
    ReceiptStatusTable,
    SheetPrint,
    SealPanel,
    SuperviseButton,
  ],
  template: `
    <div class="page">
      @if (doc(); as d) {
        <div class="page-header">
          <h2>{{ d.title }}</h2>
          <div class="toolbar">
            @if (canEdit()) {
              <a nz-button nzType="primary" [routerLink]="['/documents', d.id, 'edit']">修改</a>
            }
            @if (myDraftTask(); as t) {
              <a nz-button [routerLink]="['/tasks', t.id]">送核稿（到待办办理）</a>
            }
            <!-- 发文稿纸 for the drafting unit and the 会签 units; a recipient prints its own 收文处理笺. -->
            @if (d.isSender || d.receipts.length === 0) {
              <zw-sheet-print
                [path]="'/api/documents/' + d.id + '/sheet.pdf'"
                title="发文稿纸"
                [fileName]="'发文稿纸-' + (d.docNumber || d.title) + '.pdf'"
              />
            } @else {
              @for (r of d.receipts; track r.id) {
                <zw-sheet-print
                  [path]="'/api/documents/receipts/' + r.id + '/sheet.pdf'"
                  title="收文处理笺"
                  [fileName]="'收文处理笺-' + (r.receiptNumber || d.title) + '.pdf'"
                />
              }
            }
            <zw-supervise-button targetKind="document" [targetId]="d.id" />
            <a nz-button routerLink="/documents">返回列表</a>
          </div>
        </div>

        <nz-card nzTitle="公文" nzSize="small">
          <nz-descriptions
            nzBordered
            nzSize="small"
            [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
          >
            <nz-descriptions-item nzTitle="发文字号">{{
              d.docNumber || '（签发时编号）'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="文种">{{ d.docType }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="状态"
              ><nz-tag [nzColor]="color(d.status)">{{ d.status }}</nz-tag></nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="密级"
              >{{ d.secrecy }}{{ d.secrecyTerm ? '★' + d.secrecyTerm : '' }}</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="紧急程度">{{ d.urgency }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="公开属性">{{
              d.disclosure || '未确定'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="发文单位">{{ d.unitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="拟稿人"
              >{{ d.drafterName }}（{{
                d.createdAt | date: 'yyyy-MM-dd HH:mm'
              }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="签发人">
              {{ d.signerName || '—' }}
              @if (d.signedAt) {
                （{{ d.signedAt | date: 'yyyy-MM-dd HH:mm' }}）
              }
            </nz-descriptions-item>
            <nz-descriptions-item nzTitle="会签单位">{{
              names(d.countersignUnits)
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="主送机关" [nzSpan]="3">{{
              names(d.mainRecipients)
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="抄送机关" [nzSpan]="3">{{
              names(d.ccRecipients)
            }}</nz-descriptions-item>
          </nz-descriptions>
        </nz-card>

        @if (d.itReview?.informatization && d.itReview; as it) {
          <zw-it-review-card [state]="it" />
        }

        <nz-card nzTitle="正文（痕迹保留）" nzSize="small">
          <zw-body-revisions [documentId]="d.id" (changed)="load(true)" />
        </nz-card>

        @if (official(); as pdf) {
          <nz-card nzTitle="正式公文" nzSize="small">
            <div class="toolbar">
              <button nz-button type="button" (click)="download(pdf)">
                <nz-icon nzType="download" />下载正式公文
              </button>
              <zw-pdf-preview [attachmentId]="pdf.id" [title]="d.title" label="预览正式公文" />
            </div>
          </nz-card>
          <nz-card nzTitle="电子印章" nzSize="small">
            <zw-seal-panel [documentId]="d.id" [fileName]="d.docNumber || d.title" />
          </nz-card>
        }

        <nz-card nzTitle="附件" nzSize="small">
          <zw-attachments-panel ownerKind="document" [ownerId]="d.id" [canUpload]="canEdit()" />
        </nz-card>

        <nz-card
          nzSize="small"
          [nzTitle]="d.isSender ? '收文单位办理情况' : '本单位收文情况'"
          [nzExtra]="refreshed"
        >
          <zw-receipt-status-table [receipts]="d.receipts" />
        </nz-card>
        @if (d.isSender) {
          <zw-partner-recipients-status [documentId]="d.id" />
        }
        <ng-template #refreshed>
          <span class="muted">每 10 秒自动刷新 · {{ loadedAt() | date: 'HH:mm:ss' }}</span>
        </ng-template>

        <nz-card nzTitle="流程" nzSize="small">
          <zw-case-history
            processKey="document-exchange"
            [entries]="d.history"
            [steps]="d.openTasks"
          />
        </nz-card>
      } @else if (failed()) {
        <div class="page-header"><h2>公文交换</h2></div>
        <p>{{ failed() }}</p>
        <a nz-button routerLink="/documents">返回列表</a>
      } @else {
        <p>正在加载…</p>
      }
    </div>
  `,
  styles: `
    nz-card {
      margin-bottom: 16px;
    }
    .muted {
      color: #595959;
      font-size: 12px;
    }
  `,
})
export class DocumentDetailPage implements OnInit, OnDestroy {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly files = inject(Files);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly doc = signal<DocumentDetail | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly loadedAt = signal<Date | null>(null);
  private timer: ReturnType<typeof setInterval> | undefined;

  /** The drafter's open 拟稿 step (the api names holders, not ids: matched by the signed-in person's name). */
  protected readonly myDraftTask = computed(() => {
    const d = this.doc();
    const me = this.auth.user();
    if (!d || !me || d.status !== '拟稿') return undefined;
    return d.openTasks.find((t) => t.activityId === 'draft' && t.assigneeName === me.displayName);
  });
  protected readonly canEdit = computed(() => !!this.myDraftTask() && this.auth.hasRole('drafter'));
  protected readonly official = computed(() =>
    // The official PDF (the OFD beside it is generated too).
    this.doc()?.attachments.find((a) => a.isGenerated && a.mime === 'application/pdf'),
  );

  ngOnInit(): void {
    void this.load();
    this.timer = setInterval(() => {
      if (!document.hidden) void this.load(true);
    }, REFRESH_MS);
  }

  ngOnDestroy(): void {
    clearInterval(this.timer);
  }

  async load(quiet = false): Promise<void> {
    try {
      this.doc.set(await this.api.get<DocumentDetail>(`/documents/${this.id()}`));
      this.loadedAt.set(new Date());
    } catch (error) {
      if (quiet) return;
      const message = error instanceof ApiError ? error.message : '公文加载失败，请刷新页面';
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该公文，或您无权查看。请从列表重新打开。'
          : message,
      );
    }
  }

  async download(a: Attachment): Promise<void> {
    try {
      await this.files.download(a.id, a.name);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请重试');
    }
  }

  protected names(units: UnitRef[] | null): string {
    return units?.length ? units.map((u) => u.name).join('、') : '—';
  }

  protected color(status: string): string {
    return statusColor(status);
  }
}
