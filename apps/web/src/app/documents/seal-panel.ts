import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, input, signal } from '@angular/core';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { Files } from './files';
import { OfdPreviewButton } from './ofd-preview';

interface DocumentSeal {
  ofdAttachmentId: string | null;
  sealed: boolean;
  sealName: string | null;
  esId: string | null;
  sealedByName: string | null;
  sealedAt: string | null;
}

interface SignatureReport {
  id: string;
  status: 'valid' | 'tampered' | 'unknown';
  sealName?: string;
  esId?: string;
  signer?: string;
  signedAt?: string;
  pages: number[];
  problems: string[];
  changed: { file: string; change: 'modified' | 'missing' | 'added' }[];
}

interface SealVerification {
  status: 'valid' | 'tampered' | 'unknown' | 'unsigned';
  signatures: SignatureReport[];
  checkedAt: string;
}

const RESULT: Record<SealVerification['status'], { label: string; color: string }> = {
  valid: { label: '签章有效', color: 'green' },
  tampered: { label: '文件已被篡改', color: 'red' },
  unknown: { label: '未知印章', color: 'orange' },
  unsigned: { label: '未签章', color: 'default' },
};

const CHANGE: Record<SignatureReport['changed'][number]['change'], string> = {
  modified: '被修改',
  missing: '被删除',
  added: '被加入',
};

/** The 公文's 电子印章: whether it was sealed (用印), its OFD to download, and 验章 on demand. */
@Component({
  selector: 'zw-seal-panel',
  imports: [DatePipe, NzButtonModule, NzIconModule, NzTagModule, OfdPreviewButton],
  template: `
    @if (seal(); as s) {
      <div class="row">
        <span class="label">用印状态：</span>
        @if (s.sealed) {
          <nz-tag nzColor="red">已用印</nz-tag>
          <span
            >{{ s.sealName }}（印章编码 {{ s.esId }}），{{ s.sealedByName }}于
            {{ s.sealedAt | date: 'yyyy-MM-dd HH:mm' }} 用印</span
          >
        } @else {
          <nz-tag>未用印</nz-tag>
        }
      </div>
      <div class="toolbar">
        @if (s.ofdAttachmentId; as ofd) {
          <zw-ofd-preview
            [attachmentId]="ofd"
            label="预览 OFD 版式文件"
            title="OFD 版式文件（含电子印章）"
          />
          <button nz-button type="button" (click)="downloadOfd(ofd)">
            <nz-icon nzType="download" />下载 OFD 版式文件
          </button>
        }
        <button nz-button type="button" [nzLoading]="checking()" (click)="verify()">
          <nz-icon nzType="safety-certificate" />验章
        </button>
      </div>
      @if (result(); as r) {
        <div class="result" data-testid="seal-verification">
          <nz-tag [nzColor]="resultOf(r).color">{{ resultOf(r).label }}</nz-tag>
          <span class="muted">验章时间 {{ r.checkedAt | date: 'yyyy-MM-dd HH:mm:ss' }}</span>
          @if (r.status === 'unsigned') {
            <p>该公文的版式文件上没有电子签章。</p>
          }
          @for (sig of r.signatures; track $index) {
            <div class="signature">
              <div>
                <strong>{{ sig.sealName || '（无法识别的印章）' }}</strong>
                @if (sig.signer) {
                  · 签章人证书：{{ sig.signer }}
                }
                @if (sig.signedAt) {
                  · 签章时间：{{ sig.signedAt | date: 'yyyy-MM-dd HH:mm:ss' }}
                }
                @if (sig.pages.length) {
                  · 第 {{ sig.pages.join('、') }} 页
                }
              </div>
              @for (p of sig.problems; track $index) {
                <div class="problem">{{ p }}</div>
              }
              @for (c of sig.changed; track c.file) {
                <div class="problem">文件 {{ c.file }} {{ changeOf(c.change) }}</div>
              }
            </div>
          }
        </div>
      }
    } @else if (failed()) {
      <p class="muted">{{ failed() }}</p>
    }
  `,
  styles: `
    .row {
      margin-bottom: 8px;
    }
    .label {
      color: #666;
    }
    .toolbar {
      display: flex;
      gap: 8px;
      flex-wrap: wrap;
    }
    .result {
      margin-top: 12px;
    }
    .signature {
      margin-top: 8px;
      padding: 8px;
      background: #fafafa;
      border-radius: 4px;
    }
    .problem {
      color: #cf1322;
    }
    .muted {
      color: #595959;
      font-size: 12px;
      margin-left: 8px;
    }
  `,
})
export class SealPanel implements OnInit {
  private readonly api = inject(Api);
  private readonly files = inject(Files);
  private readonly message = inject(NzMessageService);
  readonly documentId = input.required<string>();
  /** The document's number, to name the downloaded OFD. */
  readonly fileName = input<string>('公文');
  protected readonly seal = signal<DocumentSeal | null>(null);
  protected readonly result = signal<SealVerification | null>(null);
  protected readonly checking = signal(false);
  protected readonly failed = signal<string | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.seal.set(await this.api.get<DocumentSeal>(`/documents/${this.documentId()}/seal`));
    } catch (error) {
      this.failed.set(error instanceof ApiError ? error.message : '用印信息加载失败');
    }
  }

  async verify(): Promise<void> {
    this.checking.set(true);
    try {
      this.result.set(
        await this.api.get<SealVerification>(`/documents/${this.documentId()}/seal-verification`),
      );
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '验章失败，请重试');
    } finally {
      this.checking.set(false);
    }
  }

  async downloadOfd(id: string): Promise<void> {
    try {
      await this.files.download(id, `${this.fileName()}.ofd`);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请重试');
    }
  }

  protected resultOf(r: SealVerification): { label: string; color: string } {
    return RESULT[r.status];
  }

  protected changeOf(c: SignatureReport['changed'][number]['change']): string {
    return CHANGE[c];
  }
}
