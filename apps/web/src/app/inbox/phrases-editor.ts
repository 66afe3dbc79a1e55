import { Component, inject, input, model, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzMessageService } from 'ng-zorro-antd/message';
import { NzModalModule } from 'ng-zorro-antd/modal';
import { Api, ApiError } from '../core/api';
import { phraseErrors } from './task-actions.logic';

/** 常用语 of the signed-in person: add, change, reorder and remove; 恢复默认 goes back to the platform's list. */
@Component({
  selector: 'zw-phrases-editor',
  imports: [FormsModule, NzButtonModule, NzInputModule, NzModalModule],
  template: `
    <nz-modal
      [nzVisible]="open()"
      nzTitle="管理常用语"
      [nzFooter]="footer"
      (nzOnCancel)="open.set(false)"
      (nzAfterOpen)="reset()"
    >
      <ng-container *nzModalContent>
        <ol class="list">
          @for (p of rows(); track $index; let i = $index) {
            <li>
              <label class="visually-hidden" [for]="'phrase-' + i">第 {{ i + 1 }} 条常用语</label>
              <input
                nz-input
                [id]="'phrase-' + i"
                [ngModel]="p"
                (ngModelChange)="change(i, $event)"
                maxlength="100"
                [attr.aria-invalid]="!!errors()[i]"
              />
              <button
                nz-button
                type="button"
                (click)="move(i, -1)"
                [disabled]="i === 0"
                [attr.aria-label]="'上移第' + (i + 1) + '条'"
              >
                ↑
              </button>
              <button
                nz-button
                type="button"
                (click)="move(i, 1)"
                [disabled]="i === rows().length - 1"
                [attr.aria-label]="'下移第' + (i + 1) + '条'"
              >
                ↓
              </button>
              <button
                nz-button
                nzDanger
                type="button"
                (click)="remove(i)"
                [attr.aria-label]="'删除第' + (i + 1) + '条'"
              >
                删除
              </button>
              @if (errors()[i]) {
                <div class="error" role="alert">{{ errors()[i] }}</div>
              }
            </li>
          }
        </ol>
        <button nz-button type="button" (click)="add()" [disabled]="rows().length >= 30">
          添加一条
        </button>
      </ng-container>
    </nz-modal>
    <ng-template #footer>
      <button nz-button type="button" (click)="restoreDefaults()">恢复默认</button>
      <button nz-button type="button" (click)="open.set(false)">取消</button>
      <button nz-button nzType="primary" type="button" [nzLoading]="saving()" (click)="save()">
        保存
      </button>
    </ng-template>
  `,
  styles: `
    .list {
      padding-left: 20px;
    }
    .list li {
      margin-bottom: 8px;
    }
    .list input {
      width: calc(100% - 190px);
      min-width: 160px;
      margin-right: 4px;
    }
    .error {
      color: #cf1322;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `,
})
export class PhrasesEditor {
  private readonly api = inject(Api);
  private readonly message = inject(NzMessageService);
  readonly open = model(false);
  /** The list as the page shows it now. */
  readonly phrases = input<string[]>([]);
  readonly saved = output<string[]>();
  protected readonly rows = signal<string[]>([]);
  protected readonly errors = signal<(string | undefined)[]>([]);
  protected readonly saving = signal(false);

  protected reset(): void {
    this.rows.set([...this.phrases()]);
    this.errors.set([]);
  }

  protected change(i: number, value: string): void {
    this.rows.update((rows) => rows.map((r, j) => (j === i ? value : r)));
  }

  protected move(i: number, by: number): void {
    this.rows.update((rows) => {
      const next = [...rows];
      [next[i], next[i + by]] = [next[i + by], next[i]];
      return next;
    });
  }

  protected remove(i: number): void {
    this.rows.update((rows) => rows.filter((_, j) => j !== i));
  }

  protected add(): void {
    this.rows.update((rows) => [...rows, '']);
  }

  protected async save(): Promise<void> {
    const errors = phraseErrors(this.rows());
    this.errors.set(errors);
    if (errors.some(Boolean)) return;
    await this.send(() =>
      this.api.put<{ phrases: string[] }>('/personal/phrases', {
        phrases: this.rows().map((p) => p.trim()),
      }),
    );
  }

  protected async restoreDefaults(): Promise<void> {
    await this.send(() => this.api.delete<{ phrases: string[] }>('/personal/phrases'));
  }

  private async send(call: () => Promise<{ phrases: string[] }>): Promise<void> {
    this.saving.set(true);
    try {
      const result = await call();
      this.saved.emit(result.phrases);
      this.open.set(false);
      this.message.success('常用语已保存');
    } catch (error) {
      this.message.error(error instanceof ApiError ? error.message : '保存失败，请重试');
    } finally {
      this.saving.set(false);
    }
  }
}
