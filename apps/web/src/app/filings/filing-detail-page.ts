import { DatePipe } from '@angular/common';
import { Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { NzAlertModule } from 'ng-zorro-antd/alert';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzCardModule } from 'ng-zorro-antd/card';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzPopconfirmModule } from 'ng-zorro-antd/popconfirm';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Auth } from '../core/auth';
import { AttachmentsPanel } from '../documents/attachments-panel';
import { CaseHistory, type HistoryEntry, type OpenStep } from '../documents/case-history';
import { Files } from '../documents/files';
import { PdfPreview } from '../documents/pdf-preview';
import { EDITABLE_STATUSES, filingStatusColor } from './filing-form.logic';

interface Filing {
  id: string;
  kind: string;
  title: string;
  periodStart: number;
  periodEnd: number;
  summary: string;
  content: string;
  contactName: string;
  contactPhone: string;
  status: string;
  filingNo: string | null;
  unitId: string;
  unitName: string;
  drafterId: string;
  lastOpinion: string | null;
  submittedAt: string | null;
  registeredAt: string | null;
  createdAt: string;
  history: HistoryEntry[];
  currentTasks: OpenStep[];
}

interface FilingReceipt {
  title: string;
  pdfAttachmentId: string | null;
  filingNo: string;
  filing: { kind: string; title: string; periodStart: number; periodEnd: number; summary: string };
  filingUnit: { name: string };
  registrarUnit: { name: string };
  registrar: { name: string };
  submittedAt: string | null;
  registeredAt: string;
  text: string;
}

/** One filing: its content, 提交 / 修改 while the province holds it, attachments, and the 备案回执. */
@Component({
  selector: 'zw-filing-detail-page',
  imports: [
    DatePipe,
    RouterLink,
    NzAlertModule,
    NzButtonModule,
    NzCardModule,
    NzDescriptionsModule,
    NzIconModule,
    NzPopconfirmModule,
    NzTagModule,
    AttachmentsPanel,
    CaseHistory,
    PdfPreview,
  ],
  template: `
    <div class="page">
      @if (filing(); as f) {
        <div class="page-header">
          <h2>{{ f.title }}</h2>
          <div class="toolbar">
            @if (canEdit()) {
              <button
                nz-button
                nzType="primary"
                type="button"
                [nzLoading]="submitting()"
                nz-popconfirm
                [nzPopconfirmTitle]="
                  f.status === '需补正' ? '补正后重新报送信息办备案？' : '报送单位领导签发？'
                "
                nzOkText="提交"
                nzCancelText="取消"
                (nzOnConfirm)="submit()"
              >
                提交
              </button>
              <a nz-button [routerLink]="['/filings', f.id, 'edit']">修改</a>
            }
            <a nz-button routerLink="/filings">返回列表</a>
          </div>
        </div>
        @if (f.status === '需补正' && f.lastOpinion) {
          <nz-alert
            nzType="warning"
            nzShowIcon
            [nzMessage]="'信息办要求补正：' + f.lastOpinion"
            class="alert"
          />
        }
        <nz-card nzTitle="备案信息" nzSize="small">
          <nz-descriptions
            nzBordered
            nzSize="small"
            [nzColumn]="{ xxl: 3, xl: 3, lg: 2, md: 2, sm: 1, xs: 1 }"
          >
            <nz-descriptions-item nzTitle="状态"
              ><nz-tag [nzColor]="color(f.status)">{{ f.status }}</nz-tag></nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="备案号"
              ><span class="filing-no">{{
                f.filingNo || '（登记时编号）'
              }}</span></nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="类别">{{ f.kind }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="规划期"
              >{{ f.periodStart }}—{{ f.periodEnd }} 年</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="报送单位">{{ f.unitName }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="联系人"
              >{{ f.contactName }}（{{ f.contactPhone }}）</nz-descriptions-item
            >
            <nz-descriptions-item nzTitle="报送时间">{{
              f.submittedAt ? (f.submittedAt | date: 'yyyy-MM-dd HH:mm') : '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="备案时间">{{
              f.registeredAt ? (f.registeredAt | date: 'yyyy-MM-dd HH:mm') : '—'
            }}</nz-descriptions-item>
            <nz-descriptions-item nzTitle="内容摘要" [nzSpan]="3">{{
              f.summary
            }}</nz-descriptions-item>
          </nz-descriptions>
          <div class="content">{{ f.content }}</div>
        </nz-card>

        @if (receipt(); as r) {
          <nz-card nzTitle="备案回执" nzSize="small">
            <nz-descriptions nzBordered nzSize="small" [nzColumn]="2">
              <nz-descriptions-item nzTitle="备案号"
                ><span class="filing-no">{{ r.filingNo }}</span></nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="登记日期">{{
                r.registeredAt | date: 'yyyy-MM-dd'
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="报送单位">{{
                r.filingUnit.name
              }}</nz-descriptions-item>
              <nz-descriptions-item nzTitle="登记单位"
                >{{ r.registrarUnit.name }}（{{ r.registrar.name }}）</nz-descriptions-item
              >
              <nz-descriptions-item nzTitle="回执内容" [nzSpan]="2">{{
                r.text
              }}</nz-descriptions-item>
            </nz-descriptions>
            @if (r.pdfAttachmentId; as pdf) {
              <div class="toolbar pdf">
                <button
                  nz-button
                  type="button"
                  (click)="download(pdf, '备案回执-' + r.filingNo + '.pdf')"
                >
                  <nz-icon nzType="download" />下载备案回执
                </button>
                <zw-pdf-preview [attachmentId]="pdf" title="备案回执" label="预览备案回执" />
              </div>
            } @else {
              <p class="muted">回执 PDF 正在生成，请稍后刷新。</p>
            }
          </nz-card>
        }

        <nz-card nzTitle="附件" nzSize="small">
          <zw-attachments-panel ownerKind="filing" [ownerId]="f.id" [canUpload]="canEdit()" />
        </nz-card>
        <nz-card nzTitle="流程" nzSize="small">
          <zw-case-history
            processKey="plan-filing"
            [entries]="f.history"
            [steps]="f.currentTasks"
          />
        </nz-card>
      } @else if (failed()) {
        <div class="page-header"><h2>规划备案</h2></div>
        <p>{{ failed() }}</p>
        <a nz-button routerLink="/filings">返回列表</a>
      } @else {
        <p>正在加载…</p>
      }
    </div>
  `,
  styles: `
    /* A 备案号 is read and copied whole: it never breaks inside. */
    .filing-no {
      white-space: nowrap;
    }
    nz-card,
    .alert {
      margin-bottom: 16px;
    }
    .content {
      white-space: pre-wrap;
      margin-top: 16px;
      line-height: 1.8;
    }
    .pdf {
      margin-top: 12px;
    }
    .muted {
      color: #595959;
    }
  `,
})
export class FilingDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  private readonly files = inject(Files);
  private readonly message = inject(NzMessageService);
  /** Route parameter `:id`. */
  readonly id = input.required<string>();
  protected readonly filing = signal<Filing | null>(null);
  protected readonly receipt = signal<FilingReceipt | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly submitting = signal(false);
  /** The filing unit's drafter, while 草稿 or 需补正 (as the api allows). */
  protected readonly canEdit = computed(() => {
    const f = this.filing();
    const me = this.auth.user();
    return (
      !!f &&
      !!me &&
      f.unitId === me.unitId &&
      this.auth.hasRole('drafter') &&
      EDITABLE_STATUSES.includes(f.status)
    );
  });

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const filing = await this.api.get<Filing>(`/filings/${this.id()}`);
      this.filing.set(filing);
      this.receipt.set(
        filing.status === '已备案'
          ? await this.api.get<FilingReceipt>(`/filings/${filing.id}/receipt`)
          : null,
      );
    } catch (error) {
      if (this.filing()) {
        this.message.error(error instanceof ApiError ? error.message : '加载失败，请刷新页面');
        return;
      }
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '没有找到该备案，或您无权查看。请从列表重新打开。'
          : error instanceof ApiError
            ? error.message
            : '备案加载失败，请刷新页面',
      );
    }
  }

  async submit(): Promise<void> {
    const f = this.filing();
    if (!f) return;
    this.submitting.set(true);
    try {
      await this.api.post(
        `/filings/${f.id}/submit`,
        f.status === '需补正' ? { comment: '已按要求补正，重新报送' } : {},
      );
      this.message.success('已提交');
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '提交失败，请刷新后重试');
    } finally {
      this.submitting.set(false);
    }
  }

  async download(id: string, name: string): Promise<void> {
    try {
      await this.files.download(id, name);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请重试');
    }
  }

  protected color(status: string): string {
    return filingStatusColor(status);
  }
}
