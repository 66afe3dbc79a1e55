import { Component, effect, inject, input, signal, untracked } from '@angular/core';
import { NzDescriptionsModule } from 'ng-zorro-antd/descriptions';
import { Api, ApiError } from '../core/api';
import { recordApiPath, recordRows, type RecordRow } from './record-fields.logic';

/** The business record behind a task, complete, read from the feature's own route (so its own access rule applies). */
@Component({
  selector: 'zw-record-panel',
  imports: [NzDescriptionsModule],
  template: `
    @if (rows().length) {
      <nz-descriptions
        nzBordered
        nzSize="small"
        [nzColumn]="{ xxl: 2, xl: 2, lg: 2, md: 1, sm: 1, xs: 1 }"
        data-testid="record-panel"
      >
        @for (row of rows(); track row.label) {
          <nz-descriptions-item [nzTitle]="row.label" [nzSpan]="row.wide ? 2 : 1">
            <span [class.pre]="row.wide">{{ row.value }}</span>
          </nz-descriptions-item>
        }
      </nz-descriptions>
    } @else if (failed()) {
      <p class="muted">{{ failed() }}</p>
    } @else {
      <p class="muted">正在读取业务记录…</p>
    }
  `,
  styles: `
    .pre {
      white-space: pre-wrap;
      word-break: break-word;
    }
    .muted {
      color: #595959;
    }
  `,
})
export class RecordPanel {
  private readonly api = inject(Api);
  /** The record's page, e.g. /projects/:id (RecordRef.link). */
  readonly link = input.required<string>();
  protected readonly rows = signal<RecordRow[]>([]);
  protected readonly failed = signal<string | null>(null);

  constructor() {
    effect(() => {
      const link = this.link();
      untracked(() => void this.load(link));
    });
  }

  private async load(link: string): Promise<void> {
    const path = recordApiPath(link);
    this.rows.set([]);
    this.failed.set(null);
    if (!path) return;
    try {
      this.rows.set(recordRows(link, await this.api.get<Record<string, unknown>>(path)));
    } catch (error) {
      this.failed.set(
        error instanceof ApiError && error.status === 404
          ? '业务记录不在您的查看范围内'
          : '业务记录暂时无法读取，请打开业务页面查看',
      );
    }
  }
}
