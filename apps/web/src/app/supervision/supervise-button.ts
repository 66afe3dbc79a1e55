import { Component, effect, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { Api } from '../core/api';
import { SupervisionForm } from './supervision-form';
import type { SupervisionCapabilities, SupervisionSummary } from './supervision.model';

/**
 * 督办 on a 公文 or a case: a link to its live item when there is one, else the button that opens the form — for
 * leaders and 办公厅 only (the api says who).
 */
@Component({
  selector: 'zw-supervise-button',
  imports: [RouterLink, NzButtonModule, NzModalModule, SupervisionForm],
  template: `
    @if (live(); as item) {
      <a nz-button [routerLink]="['/supervision', item.id]" data-testid="supervision-link"
        >督办：{{ item.status }}</a
      >
    } @else if (capabilities()?.canCreate) {
      <button nz-button type="button" (click)="open.set(true)" data-testid="supervise">督办</button>
    }
    <nz-modal
      [nzVisible]="open()"
      nzTitle="督办"
      [nzFooter]="null"
      (nzOnCancel)="open.set(false)"
      [nzWidth]="560"
    >
      <ng-container *nzModalContent>
        @if (capabilities(); as c) {
          <zw-supervision-form
            [targetKind]="targetKind()"
            [targetId]="targetId()"
            [capabilities]="c"
            (saved)="saved($event)"
            (cancelled)="open.set(false)"
          />
        }
      </ng-container>
    </nz-modal>
  `,
})
export class SuperviseButton {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly message = inject(NzMessageService);
  readonly targetKind = input.required<'case' | 'document'>();
  readonly targetId = input.required<string>();
  protected readonly capabilities = signal<SupervisionCapabilities | null>(null);
  protected readonly live = signal<SupervisionSummary | null>(null);
  protected readonly open = signal(false);

  constructor() {
    effect(() => {
      const id = this.targetId();
      if (id) void this.load(id);
    });
  }

  private async load(targetId: string): Promise<void> {
    try {
      const [capabilities, items] = await Promise.all([
        this.api.get<SupervisionCapabilities>('/supervision/capabilities'),
        this.api.get<{ items: SupervisionSummary[] }>('/supervision', { targetId, limit: 20 }),
      ]);
      this.capabilities.set(capabilities);
      this.live.set(
        items.items.find((i) => i.stage !== 'closed' && i.targetKind === this.targetKind()) ?? null,
      );
    } catch {
      // Without the answer the page simply offers no 督办; the rest of it works.
      this.capabilities.set(null);
    }
  }

  protected saved(id: string): void {
    this.open.set(false);
    this.message.success('已督办');
    void this.router.navigate(['/supervision', id]);
  }
}
