import { DatePipe } from '@angular/common';
import { Component, effect, inject, input, signal } from '@angular/core';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzTableModule } from 'ng-zorro-antd/table';
import { NzTagModule } from 'ng-zorro-antd/tag';
import { Api, ApiError } from '../core/api';
import { type Attachment, Files, formatSize } from './files';
import { PdfPreview } from './pdf-preview';

/**
 * The attachments of one record: list, download, PDF preview and — while the record is editable —
 * upload. Loads the list itself unless the page passes it in.
 */
@Component({
  selector: 'zw-attachments-panel',
  imports: [DatePipe, NzTableModule, NzButtonModule, NzIconModule, NzTagModule, PdfPreview],
  template: `
    @if (canUpload()) {
      <div class="toolbar">
        <label class="upload" [class.busy]="busy()">
          <nz-icon nzType="upload" />
          <span>{{ busy() ? '正在上传…' : '上传附件' }}</span>
          <input type="file" (change)="upload($event)" [disabled]="busy()" aria-label="上传附件" />
        </label>
        <span class="hint">支持 PDF、OFD、Word、Excel、WPS、图片、文本和 ZIP</span>
      </div>
    }
    <div class="scroll">
      <nz-table
        #t
        [nzData]="items()"
        [nzShowPagination]="false"
        nzSize="small"
        [nzNoResult]="'暂无附件'"
        class="zw-cards"
      >
        <thead>
          <tr>
            <th>文件名</th>
            <th nzWidth="90px">大小</th>
            <th nzWidth="160px">上传人 / 时间</th>
            <th nzWidth="140px">操作</th>
          </tr>
        </thead>
        <tbody>
          @for (a of t.data; track a.id) {
            <tr>
              <td class="zw-card-title">
                {{ a.name }}
                @if (a.isGenerated) {
                  <nz-tag nzColor="red">正式文件</nz-tag>
                }
              </td>
              <td data-label="大小">{{ size(a.size) }}</td>
              <td data-label="上传">
                {{ a.uploadedBy }}<br />{{ a.uploadedAt | date: 'yyyy-MM-dd HH:mm' }}
              </td>
              <td class="ops">
                <button type="button" class="link" (click)="download(a)">下载</button>
                @if (isPdf(a)) {
                  <zw-pdf-preview [attachmentId]="a.id" [title]="a.name" />
                }
              </td>
            </tr>
          }
        </tbody>
      </nz-table>
    </div>
  `,
  styles: `
    .upload {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 4px 15px;
      border: 1px solid #d9d9d9;
      border-radius: 6px;
      cursor: pointer;
    }
    .upload:focus-within {
      outline: 2px solid #0958d9;
    }
    .upload.busy {
      opacity: 0.6;
    }
    .upload input {
      position: absolute;
      width: 1px;
      height: 1px;
      opacity: 0;
    }
    .hint {
      color: #595959;
      align-self: center;
    }
    .scroll {
      overflow-x: auto;
    }
    .ops {
      display: flex;
      gap: 12px;
    }
    .link {
      border: 0;
      background: none;
      padding: 0;
      color: #0958d9;
      cursor: pointer;
    }
    @media (max-width: 767.98px) {
      .upload,
      .link {
        min-height: 40px;
      }
    }
  `,
})
export class AttachmentsPanel {
  private readonly api = inject(Api);
  private readonly files = inject(Files);
  private readonly message = inject(NzMessageService);
  readonly ownerKind = input.required<string>();
  readonly ownerId = input.required<string>();
  readonly canUpload = input(false);
  protected readonly items = signal<Attachment[]>([]);
  protected readonly busy = signal(false);

  constructor() {
    effect(() => {
      const kind = this.ownerKind();
      const id = this.ownerId();
      if (id) void this.load(kind, id);
    });
  }

  async load(kind = this.ownerKind(), id = this.ownerId()): Promise<void> {
    try {
      this.items.set(
        await this.api.get<Attachment[]>('/attachments', { ownerKind: kind, ownerId: id }),
      );
    } catch (error) {
      this.message.error(
        error instanceof ApiError ? error.message : '附件列表加载失败，请刷新页面',
      );
    }
  }

  async upload(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.busy.set(true);
    try {
      await this.api.upload('/attachments', file, {
        ownerKind: this.ownerKind(),
        ownerId: this.ownerId(),
      });
      this.message.success(`已上传：${file.name}`);
      await this.load();
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '上传失败，请重试');
    } finally {
      input.value = '';
      this.busy.set(false);
    }
  }

  async download(a: Attachment): Promise<void> {
    try {
      await this.files.download(a.id, a.name);
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '下载失败，请重试');
    }
  }

  protected isPdf(a: Attachment): boolean {
    return a.mime === 'application/pdf' || a.name.toLowerCase().endsWith('.pdf');
  }

  protected size(bytes: number): string {
    return formatSize(bytes);
  }
}
