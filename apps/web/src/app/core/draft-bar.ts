import { DatePipe } from '@angular/common';
import { Component, OnInit, inject, input, output, signal } from '@angular/core';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzMessageService } from 'ng-zorro-antd/message';
import { Api, ApiError } from './api';

/**
 * 暂存 for a start form: keeps what has been typed on the server (per person and form) so it can be finished later,
 * on another computer too; offers the kept draft back when the form opens. The page clears it once submitted.
 */
@Component({
  selector: 'zw-draft-bar',
  imports: [DatePipe, NzButtonModule],
  template: `
    <div class="draft-bar" role="status">
      <button
        nz-button
        type="button"
        [nzLoading]="saving()"
        (click)="save()"
        data-testid="draft-save"
      >
        暂存
      </button>
      @if (keptAt(); as at) {
        <span class="muted"
          >{{ restored() ? '已恢复' : '已暂存' }} {{ at | date: 'MM-dd HH:mm' }} 的内容</span
        >
        <button nz-button nzType="link" type="button" (click)="discard()">清除暂存</button>
      }
    </div>
  `,
  styles: `
    .draft-bar {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
    }
    .muted {
      color: #666;
    }
  `,
})
export class DraftBar implements OnInit {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  /** Which start form: project, filing, data-request, approval, document. */
  readonly formKey = input.required<string>();
  /** What to keep: the page's form as it stands. */
  readonly snapshot = input.required<() => object>();
  /** A kept draft was found when the form opened: the page puts it into its form. */
  readonly restore = output<Record<string, unknown>>();
  protected readonly saving = signal(false);
  protected readonly keptAt = signal<string | null>(null);
  protected readonly restored = signal(false);

  async ngOnInit(): Promise<void> {
    try {
      const draft = await this.api.get<{ payload: Record<string, unknown>; updatedAt: string }>(
        `/personal/drafts/${this.formKey()}`,
      );
      this.restore.emit(draft.payload);
      this.keptAt.set(draft.updatedAt);
      this.restored.set(true);
    } catch (error) {
      // 404: nothing kept. Anything else: the form still works without 暂存.
      if (!(error instanceof ApiError && error.status === 404))
        this.message.warning('暂存的内容暂时无法读取');
    }
  }

  async save(): Promise<void> {
    this.saving.set(true);
    try {
      const kept = await this.api.put<{ updatedAt: string }>(`/personal/drafts/${this.formKey()}`, {
        payload: this.snapshot()(),
      });
      this.keptAt.set(kept.updatedAt);
      this.restored.set(false);
      this.message.success('已暂存，下次打开此表单时自动恢复');
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '暂存失败，请重试');
    } finally {
      this.saving.set(false);
    }
  }

  async discard(): Promise<void> {
    await this.clear();
    this.message.info('已清除暂存');
  }

  /** After the record was submitted: the draft has served its purpose. */
  async clear(): Promise<void> {
    try {
      await this.api.delete(`/personal/drafts/${this.formKey()}`);
    } catch {
      // A draft left behind is offered again next time; the person can clear it then.
    }
    this.keptAt.set(null);
  }
}
