import { HttpClient } from '@angular/common/http';
import { Component, OnDestroy, computed, inject, input, signal } from '@angular/core';
import { DomSanitizer } from '@angular/platform-browser';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzIconModule } from 'ng-zorro-antd/icon';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { firstValueFrom } from 'rxjs';
import { toApiError } from '../core/api';

/**
 * 打印处理单: fetches the sheet's PDF with the token (the api answers 404 to whoever may not see it) and shows it
 * in a modal, where the browser's viewer prints it; 下载 saves it.
 */
@Component({
  selector: 'zw-sheet-print',
  imports: [NzButtonModule, NzIconModule, NzModalModule],
  template: `
    <button nz-button type="button" [nzLoading]="loading()" (click)="open()">
      <nz-icon nzType="file-text" />{{ label() }}
    </button>
    <nz-modal
      [nzVisible]="!!url()"
      [nzTitle]="title()"
      [nzFooter]="footer"
      nzWidth="90vw"
      (nzOnCancel)="close()"
      [nzBodyStyle]="{ padding: '0', height: '75vh' }"
    >
      <ng-container *nzModalContent>
        @if (safeUrl(); as src) {
          <iframe #frame [src]="src" [title]="title()" class="sheet-frame"></iframe>
        }
      </ng-container>
    </nz-modal>
    <ng-template #footer>
      <button nz-button type="button" (click)="download()">下载</button>
      <button nz-button nzType="primary" type="button" (click)="print()">打印</button>
    </ng-template>
  `,
  styles: `
    .sheet-frame {
      width: 100%;
      height: 75vh;
      border: 0;
    }
  `,
})
export class SheetPrint implements OnDestroy {
  private readonly http = inject(HttpClient);
  private readonly sanitizer = inject(DomSanitizer);
  private readonly message = inject(NzMessageService);
  /** The api path of the PDF, e.g. `/api/documents/:id/sheet.pdf`. */
  readonly path = input.required<string>();
  readonly title = input('处理单');
  readonly label = input('打印处理单');
  /** The file name for 下载. */
  readonly fileName = input('处理单.pdf');
  protected readonly loading = signal(false);
  protected readonly url = signal<string | null>(null);
  protected readonly safeUrl = computed(() => {
    const url = this.url();
    return url ? this.sanitizer.bypassSecurityTrustResourceUrl(url) : null;
  });

  async open(): Promise<void> {
    this.loading.set(true);
    try {
      const blob = await firstValueFrom(this.http.get(this.path(), { responseType: 'blob' }));
      this.close();
      this.url.set(URL.createObjectURL(new Blob([blob], { type: 'application/pdf' })));
    } catch (error) {
      const e = toApiError(error);
      this.message.error(
        e.status === 404 ? '没有找到处理单，或您无权查看' : e.message || '处理单生成失败，请重试',
      );
    } finally {
      this.loading.set(false);
    }
  }

  print(): void {
    const frame = document.querySelector<HTMLIFrameElement>('iframe.sheet-frame');
    try {
      frame?.contentWindow?.print();
    } catch {
      this.message.info('请使用预览窗口中的打印按钮');
    }
  }

  download(): void {
    const url = this.url();
    if (!url) return;
    const a = document.createElement('a');
    a.href = url;
    a.download = this.fileName();
    document.body.appendChild(a);
    a.click();
    a.remove();
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
