import { DatePipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError, toApiError } from '../core/api';
import { Auth } from '../core/auth';
import { Downloads } from '../core/downloads';
import { CaseHistory, type HistoryEntry, type OpenStep } from './case-history';
import { statusColor } from './document-form.logic';
import { formatSize } from './files';
import { SheetPrint } from './sheet-print';

interface PackageFile {
  role: 'pdf' | 'ofd';
  name: string;
  size: number;
  sm3: string;
}

/** GET /api/documents/receipts/:id — one 收文 of my unit. */
interface ReceivedDocument {
  receiptId: string;
  documentId: string | null;
  exchangePackageId: string | null;
  title: string;
  docType: string;
  secrecy: string;
  secrecyTerm: string | null;
  urgency: string;
  docNumber: string | null;
  issuedAt: string | null;
  issuer: string;
  kind: string;
  status: string;
  deliveredAt: string;
  dueAt: string | null;
  signedAt: string | null;
  signedBy: string | null;
  refusedAt: string | null;
  refuseReason: string | null;
  completedAt: string | null;
  isOverdue: boolean;
  receiptNumber: string | null;
  handlerName: string | null;
  fromOrgan: string | null;
  fromName: string | null;
  sealStatus: 'valid' | 'unsigned' | 'none' | null;
  signerFingerprint: string | null;
  files: PackageFile[];
  history: HistoryEntry[];
  openTasks: (OpenStep & { activityId: string })[];
}

const SEAL_LABELS: Record<string, string> = {
  valid: '电子印章验证通过',
  unsigned: '未加盖电子印章',
  none: '未附 OFD 版式文件',
};

/**
 * A 收文 received from a partner deployment (公文交换): what arrived, from whom and how it was verified, the
 * document as signed (PDF to view and print, OFD to download), 签收/退文, the 处理笺 and the case's steps.
 * A local 发文's receipt opens the document's own page instead.
 */
@Component({
  selector: 'zw-received-document-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzInputModule,
    NzModalModule,
    NzTagModule,
    CaseHistory,
    SheetPrint,
  ],
  template: `
    <div class="page">
      @if (doc(); as d) {
        <div class="page-header">
          <h2>{{ d.title }}</h2>
          <div class="toolbar">
            @if (canAnswer()) {
              <button
                nz-button
                nzType="primary"
                type="button"
                [nzLoading]="acting()"
                (click)="sign()"
              >
                签收
              </button>
              <button nz-button nzDanger type="button" (click)="refusing.set(true)">退文</button>
            }
            @if (myTask(); as t) {
              <a nz-button nzType="primary" [routerLink]="['/tasks', t.id]">办理（{{ t.name }}）</a>
            }
            <zw-sheet-print
              [path]="'/api/documents/receipts/' + d.receiptId + '/sheet.pdf'"
              title="收文处理笺"
              [fileName]="'收文处理笺-' + (d.receiptNumber || d.title) + '.pdf'"
            />
            <a nz-button routerLink="/documents" [queryParams]="{ box: 'received' }">返回收文</a>
          </div>
        </div>

        <nz-card nzTitle="来文" nzSize="small">
          <nz-descriptions
            nzBordered
            nzSize="small"
            [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
          >
            <nz-descriptions-item nzTitle="来文单位">{{ d.issuer }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="发文字号">{{ d.docNumber || '—' }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="文种">{{ d.docType }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="密级"
              >{{ d.secrecy }}{{ d.secrecyTerm ? '★' + d.secrecyTerm : '' }}</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="紧急程度">{{ d.urgency }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="成文日期">{{
              d.issuedAt ? (d.issuedAt | date: 'yyyy年M月d日') : '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="收文编号">{{
              d.receiptNumber || (d.refusedAt ? '（退文，未编号）' : '（签收时编号）')
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="收文类型">{{ d.kind }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="状态">
              <nz-tag [nzColor]="color(d.status)">{{ d.status }}</nz-tag>
              @if (d.isOverdue) {
                <nz-tag nzColor="red">签收超期</nz-tag>
              }
            </nz-descriptions-item>
            <nz-descriptions-item nzTitle="送达时间">{{
              d.deliveredAt | date: 'yyyy-MM-dd HH:mm'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="签收期限">{{
              d.dueAt ? (d.dueAt | date: 'yyyy-MM-dd HH:mm') : '—'
            }}</nz-descriptions-item>
            @if (d.signedAt) {
              <nz-descriptions-item nzTitle="签收"
                >{{ d.signedBy }} {{ d.signedAt | date: 'yyyy-MM-dd HH:mm' }}</nz-descriptions-item
              >
            }
            @if (d.refusedAt) {
              <nz-descriptions-item nzTitle="退文理由">{{ d.refuseReason }}</nz-descriptions-item>
            }
            @if (d.handlerName) {
              <nz-descriptions-item nzTitle="承办人">{{ d.handlerName }}</nz-descriptions-item>
            }
          </nz-descriptions>
        </nz-card>

        @if (d.exchangePackageId) {
          <nz-card nzTitle="公文交换" nzSize="small">
            <p>
              经公文交换收自 <strong>{{ d.fromName }}</strong>（机构代码
              {{ d.fromOrgan }}）。交换包的 SM2 签名已用对方部署 CA 的证书验证（签名证书指纹
              <code class="fingerprint">{{ d.signerFingerprint }}</code>），各文件的 SM3
              摘要与签名一致；{{ sealLabel() }}。
            </p>
            <ul class="files">
              @for (f of d.files; track f.name) {
                <li>
                  <span class="file-name">{{ f.name }}</span>
                  <span class="muted">{{ size(f.size) }} · SM3 {{ f.sm3.slice(0, 16) }}…</span>
                  @if (f.role === 'pdf') {
                    <zw-sheet-print
                      [path]="fileUrl(d, f)"
                      [title]="d.title"
                      label="查看正式公文"
                      [fileName]="f.name"
                    />
                  } @else {
                    <button nz-button type="button" (click)="download(d, f)">下载 OFD</button>
                  }
                </li>
              }
            </ul>
          </nz-card>
        }

        <nz-card nzTitle="办理过程" nzSize="small">
          <zw-case-history
            processKey="document-receipt"
            [entries]="d.history"
            [steps]="d.openTasks"
          />
        </nz-card>
      } @else if (failed()) {
        <div class="page-header"><h2>收文</h2></div>
        <p>{{ failed() }}</p>
        <a nz-button routerLink="/documents" [queryParams]="{ box: 'received' }">返回收文</a>
      } @else {
        <p>加载中…</p>
      }

      <nz-modal
        [nzVisible]="refusing()"
        nzTitle="退文"
        nzOkText="确定退文"
        nzCancelText="取消"
        [nzOkLoading]="acting()"
        (nzOnOk)="refuse()"
        (nzOnCancel)="refusing.set(false)"
      >
        <ng-container *nzModalContent>
          <p>
            《{{ doc()?.title }}》将退回{{
              doc()?.issuer
            }}（对方系统收到签名的退文回执），请写明理由。
          </p>
          <label for="refuse-reason">退文理由</label>
          <textarea
            nz-input
            id="refuse-reason"
            name="reason"
            rows="4"
            [(ngModel)]="reason"
            placeholder="如：非本单位职责，误送"
          ></textarea>
          @if (reasonError()) {
            <p class="error" role="alert">{{ reasonError() }}</p>
          }
        </ng-container>
      </nz-modal>
    </div>
  `,
  styles: `
    nz-card {
      margin-bottom: 16px;
    }
    .files {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    .files li {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px;
      padding: 8px 0;
      border-top: 1px solid #f0f0f0;
    }
    .file-name {
      font-weight: 500;
      word-break: break-all;
    }
    .muted {
      color: #666;
      font-size: 12px;
    }
    .fingerprint {
      word-break: break-all;
      font-size: 12px;
    }
    .error {
      color: #cf1322;
    }
  `,
})
export class ReceivedDocumentPage implements OnInit {
  private readonly api = inject(Api);
  private readonly downloads = inject(Downloads);
  private readonly auth = inject(Auth);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:receiptId`. */
  readonly receiptId = input.required<string>();
  protected readonly doc = signal<ReceivedDocument | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly acting = signal(false);
  protected readonly refusing = signal(false);
  protected readonly reasonError = signal<string | null>(null);
  protected reason = '';

  protected readonly canAnswer = computed(
    () => this.doc()?.status === '已送达' && this.auth.hasRole('clerk'),
  );
  /** An open step of the case this person can take (拟办, 批办, 承办): the task page does the work. */
  protected readonly myTask = computed(() => {
    const d = this.doc();
    const me = this.auth.user();
    if (!d || !me) return undefined;
    return d.openTasks.find(
      (t) => t.activityId !== 'receive' && (!t.assigneeName || t.assigneeName === me.displayName),
    );
  });
  protected readonly sealLabel = computed(
    () => SEAL_LABELS[this.doc()?.sealStatus ?? ''] ?? '印章状态未知',
  );

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const d = await this.api.get<ReceivedDocument>(`/documents/receipts/${this.receiptId()}`);
      // A local 发文's receipt has the document's own page, with its 正文 and attachments.
      if (d.documentId) {
        await this.router.navigate(['/documents', d.documentId], { replaceUrl: true });
        return;
      }
      this.doc.set(d);
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该收文，或您无权查看。请从收文列表重新打开。'
          : error instanceof ApiError
            ? error.message
            : '收文加载失败，请刷新页面',
      );
    }
  }

  protected fileUrl(d: ReceivedDocument, f: PackageFile): string {
    return `/api/exchange/incoming/${d.exchangePackageId}/files/${encodeURIComponent(f.name)}`;
  }

  protected async download(d: ReceivedDocument, f: PackageFile): Promise<void> {
    try {
      await this.downloads.fetch(this.fileUrl(d, f), f.name);
    } catch (error) {
      this.message.error(toApiError(error).message || '下载失败');
    }
  }

  protected async sign(): Promise<void> {
    this.acting.set(true);
    try {
      await this.api.post(`/documents/receipts/${this.receiptId()}/sign`);
      this.message.success('已签收，对方系统将收到签名的签收回执');
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '签收失败');
    } finally {
      this.acting.set(false);
    }
  }

  protected async refuse(): Promise<void> {
    const reason = this.reason.trim();
    if (!reason) {
      this.reasonError.set('请写明退文理由');
      return;
    }
    this.reasonError.set(null);
    this.acting.set(true);
    try {
      await this.api.post(`/documents/receipts/${this.receiptId()}/refuse`, { reason });
      this.refusing.set(false);
      this.message.success('已退文');
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '退文失败');
    } finally {
      this.acting.set(false);
    }
  }

  protected color(status: string): string {
    return statusColor(status);
  }

  protected size(bytes: number): string {
    return formatSize(bytes);
  }
}
