import { Component, OnDestroy, computed, inject, input, signal } from '@angular/core';
import { DomSanitizer } from '@angular/platform-browser';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { ApiError } from '../core/api';
import { Files } from './files';

/** A button that opens a PDF attachment in a modal, shown in an <iframe> from an object URL. */
@Component({
  selector: 'zw-pdf-preview',
  imports: [NzModalModule],
  template: `
    <button type="button" class="link" (click)="open()">{{ label() }}</button>
    <nz-modal
      [nzVisible]="!!url()"
      [nzTitle]="title()"
      [nzFooter]="null"
      nzWidth="90vw"
      (nzOnCancel)="close()"
      [nzBodyStyle]="{ padding: '0', height: '75vh' }"
    >
      <ng-container *nzModalContent>
        @if (safeUrl(); as src) {
          <iframe [src]="src" [title]="title()" class="frame"></iframe>
        }
      </ng-container>
    </nz-modal>
  `,
  styles: `
    .link {
      border: 0;
      background: none;
      padding: 0;
      color: #0958d9;
      cursor: pointer;
    }
    .frame {
      width: 100%;
      height: 75vh;
      border: 0;
    }
  `,
})
export class PdfPreview implements OnDestroy {
  private readonly files = inject(Files);
  private readonly sanitizer = inject(DomSanitizer);
  private readonly message = inject(NzMessageService);
  readonly attachmentId = input.required<string>();
  readonly title = input('预览');
  readonly label = input('预览');
  protected readonly url = signal<string | null>(null);
  protected readonly safeUrl = computed(() => {
    const url = this.url();
    return url ? this.sanitizer.bypassSecurityTrustResourceUrl(url) : null;
  });

  async open(): Promise<void> {
    try {
      this.url.set(await this.files.pdfUrl(this.attachmentId()));
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '无法打开文件，请下载后查看');
    }
  }

  close(): void {
    const url = this.url();
    if (url) URL.revokeObjectURL(url);
    this.url.set(null);
  }

  ngOnDestroy(): void {
    this.close();
  }
}
