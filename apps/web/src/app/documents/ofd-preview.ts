import { Component, ElementRef, inject, input, signal, viewChild } from '@angular/core';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { ApiError } from '../core/api';
import { Files } from './files';
import { readOfd, type OfdPreview as Ofd } from './ofd-reader';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * A button that opens the 公文's OFD in a modal: the package is read in the browser and every page drawn as SVG in
 * millimetres with the document's own embedded fonts, and each seal's picture at its stamp annotation.
 */
@Component({
  selector: 'zw-ofd-preview',
  imports: [NzModalModule],
  template: `
    <button type="button" class="link" (click)="open()">{{ label() }}</button>
    <nz-modal
      [nzVisible]="visible()"
      [nzTitle]="title()"
      [nzFooter]="null"
      nzWidth="90vw"
      (nzOnCancel)="visible.set(false)"
      [nzBodyStyle]="{ padding: '12px', height: '75vh', overflow: 'auto', background: '#e8e8e8' }"
    >
      <ng-container *nzModalContent>
        <div #pages class="pages" data-testid="ofd-pages"></div>
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
    .pages {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 12px;
    }
  `,
})
export class OfdPreviewButton {
  private readonly files = inject(Files);
  private readonly message = inject(NzMessageService);
  readonly attachmentId = input.required<string>();
  readonly title = input('OFD 版式文件');
  readonly label = input('预览 OFD');
  protected readonly visible = signal(false);
  private readonly pages = viewChild<ElementRef<HTMLDivElement>>('pages');
  private readonly loadedFonts: FontFace[] = [];

  async open(): Promise<void> {
    let ofd: Ofd;
    try {
      const blob = await this.files.blob(this.attachmentId());
      ofd = readOfd(new Uint8Array(await blob.arrayBuffer()));
    } catch (error) {
      this.message.error(
        error instanceof ApiError
          ? error.message
          : `无法读取 OFD 文件：${(error as Error).message}`,
      );
      return;
    }
    const prefix = `zw-ofd-${Math.random().toString(36).slice(2, 8)}`;
    for (const [id, bytes] of ofd.fonts) {
      try {
        const face = new FontFace(`${prefix}-${id}`, bytes.slice().buffer);
        await face.load();
        document.fonts.add(face);
        this.loadedFonts.push(face);
      } catch {
        // A font the browser cannot read: its text falls back to the page's serif face.
      }
    }
    this.visible.set(true);
    // The modal's body exists once it is shown.
    setTimeout(() => this.draw(ofd, prefix));
  }

  private draw(ofd: Ofd, prefix: string): void {
    const host = this.pages()?.nativeElement;
    if (!host) return;
    host.replaceChildren();
    ofd.pages.forEach((page, n) => {
      const svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('viewBox', `0 0 ${page.width} ${page.height}`);
      svg.setAttribute('width', `${Math.min(800, window.innerWidth * 0.8)}`);
      svg.setAttribute('aria-label', `第 ${n + 1} 页`);
      svg.style.background = '#fff';
      svg.style.boxShadow = '0 1px 4px rgba(0,0,0,.3)';
      const image = (x: number, y: number, w: number, h: number, png: Uint8Array) => {
        // A data: URL lives as long as the element (the content security policy allows data: images).
        let binary = '';
        for (const b of png) binary += String.fromCharCode(b);
        const url = `data:image/png;base64,${btoa(binary)}`;
        const el = document.createElementNS(SVG, 'image');
        for (const [k, v] of Object.entries({ x, y, width: w, height: h, href: url }))
          el.setAttribute(k, String(v));
        svg.appendChild(el);
      };
      for (const item of page.items) {
        if (item.kind === 'text') {
          const text = document.createElementNS(SVG, 'text');
          text.setAttribute('font-family', `'${prefix}-${item.font}', serif`);
          text.setAttribute('font-size', String(item.size));
          text.setAttribute('fill', item.color);
          // Every character at its own place, as the OFD puts it.
          text.setAttribute('x', item.chars.map((c) => c.x.toFixed(3)).join(' '));
          text.setAttribute('y', item.chars.map((c) => c.y.toFixed(3)).join(' '));
          text.textContent = item.chars.map((c) => c.c).join('');
          svg.appendChild(text);
        } else if (item.kind === 'path') {
          const path = document.createElementNS(SVG, 'path');
          path.setAttribute('d', item.d);
          path.setAttribute('transform', `translate(${item.x} ${item.y})`);
          path.setAttribute('stroke', item.stroke ?? 'none');
          path.setAttribute('stroke-width', String(item.width));
          path.setAttribute('fill', item.fill ?? 'none');
          svg.appendChild(path);
        } else if (item.kind === 'image') {
          image(item.x, item.y, item.w, item.h, item.png);
        } else if (item.png) {
          image(item.x, item.y, item.w, item.h, item.png);
        } else {
          // A seal whose picture is not a PNG: its place, so the reader knows a seal is there.
          const ring = document.createElementNS(SVG, 'circle');
          for (const [k, v] of Object.entries({
            cx: item.x + item.w / 2,
            cy: item.y + item.h / 2,
            r: item.w / 2,
          }))
            ring.setAttribute(k, String(v));
          ring.setAttribute('stroke', '#e60012');
          ring.setAttribute('fill', 'none');
          svg.appendChild(ring);
        }
      }
      host.appendChild(svg);
    });
  }
}
