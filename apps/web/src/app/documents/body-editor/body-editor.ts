import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  computed,
  inject,
  model,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { numberParagraphs, type BodyParagraph, type ParagraphLevel } from '@zhengwu/contracts';
import { NzButtonModule } from 'ng-zorro-antd/button';
import { NzInputModule } from 'ng-zorro-antd/input';
import { NzSelectModule } from 'ng-zorro-antd/select';
import {
  LEVEL_OPTIONS,
  mergeWithPrevious,
  moveParagraph,
  pasteLines,
  splitParagraph,
} from './revisions.logic';

/**
 * The structured 正文 editor: one row per paragraph with its level (一、 / （一） / 1. / （1） / 附件说明) and the
 * number it gets, computed, never typed. Enter splits a paragraph, Backspace at its start joins it to the one
 * before, pasted lines become paragraphs with levels read from their typed numbers.
 */
@Component({
  selector: 'zw-body-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, NzButtonModule, NzInputModule, NzSelectModule],
  template: `
    <div class="editor" data-testid="body-editor">
      @for (p of paragraphs(); track $index; let i = $index) {
        <div class="row" data-testid="body-paragraph">
          <nz-select
            class="level"
            nzSize="small"
            [ngModel]="p.level"
            (ngModelChange)="setLevel(i, $event)"
            [attr.aria-label]="'第' + (i + 1) + '段层次'"
          >
            @for (o of levels; track o.level) {
              <nz-option [nzValue]="o.level" [nzLabel]="o.label" />
            }
          </nz-select>
          <span class="number">{{ numbers()[i] }}</span>
          <textarea
            nz-input
            class="text"
            rows="1"
            [nzAutosize]="{ minRows: 1, maxRows: 12 }"
            [ngModel]="p.text"
            (ngModelChange)="setText(i, $event)"
            (keydown.enter)="onEnter($event, i)"
            (keydown.backspace)="onBackspace($event, i)"
            (paste)="onPaste($event, i)"
            [attr.aria-label]="'第' + (i + 1) + '段'"
          ></textarea>
          <span class="tools">
            <button
              nz-button
              nzSize="small"
              type="button"
              title="上移"
              (click)="move(i, -1)"
              [disabled]="i === 0"
            >
              ↑
            </button>
            <button
              nz-button
              nzSize="small"
              type="button"
              title="下移"
              (click)="move(i, 1)"
              [disabled]="i === paragraphs().length - 1"
            >
              ↓
            </button>
            <button
              nz-button
              nzSize="small"
              type="button"
              title="在下方插入段落"
              (click)="insertAfter(i)"
            >
              ＋
            </button>
            <button
              nz-button
              nzSize="small"
              nzDanger
              type="button"
              title="删除本段"
              (click)="remove(i)"
            >
              删
            </button>
          </span>
        </div>
      }
      <button
        nz-button
        nzType="dashed"
        type="button"
        class="add"
        (click)="insertAfter(paragraphs().length - 1)"
      >
        添加段落
      </button>
    </div>
  `,
  styles: `
    .row {
      display: flex;
      align-items: flex-start;
      gap: 6px;
      margin-bottom: 6px;
    }
    .level {
      width: 150px;
      flex: none;
    }
    .number {
      flex: none;
      min-width: 3em;
      text-align: right;
      line-height: 32px;
      font-family: 'FangSong', '仿宋', serif;
    }
    .text {
      flex: 1;
      font-family: 'FangSong', 'STFangsong', '仿宋', serif;
      font-size: 16px;
    }
    .tools {
      flex: none;
      display: flex;
      gap: 2px;
    }
    .add {
      width: 100%;
    }
  `,
})
export class BodyEditor {
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  readonly paragraphs = model.required<BodyParagraph[]>();
  protected readonly levels = LEVEL_OPTIONS;
  protected readonly numbers = computed(() => numberParagraphs(this.paragraphs()));

  protected setLevel(i: number, level: ParagraphLevel): void {
    this.paragraphs.update((ps) => ps.map((p, j) => (j === i ? { ...p, level } : p)));
  }

  protected setText(i: number, text: string): void {
    this.paragraphs.update((ps) => ps.map((p, j) => (j === i ? { ...p, text } : p)));
  }

  protected move(i: number, by: -1 | 1): void {
    this.paragraphs.update((ps) => moveParagraph(ps, i, by));
  }

  protected insertAfter(i: number): void {
    this.paragraphs.update((ps) => [
      ...ps.slice(0, i + 1),
      { level: 'text', text: '' },
      ...ps.slice(i + 1),
    ]);
    this.focus(i + 1, 0);
  }

  protected remove(i: number): void {
    this.paragraphs.update((ps) =>
      ps.length > 1 ? ps.filter((_, j) => j !== i) : [{ level: 'text', text: '' }],
    );
  }

  protected onEnter(event: Event, i: number): void {
    const e = event as KeyboardEvent;
    if (e.shiftKey || e.isComposing) return;
    e.preventDefault();
    const at = (e.target as HTMLTextAreaElement).selectionStart ?? this.paragraphs()[i].text.length;
    this.paragraphs.update((ps) => splitParagraph(ps, i, at));
    this.focus(i + 1, 0);
  }

  protected onBackspace(event: Event, i: number): void {
    const target = event.target as HTMLTextAreaElement;
    if (i === 0 || target.selectionStart !== 0 || target.selectionEnd !== 0) return;
    event.preventDefault();
    const at = this.paragraphs()[i - 1].text.length;
    this.paragraphs.update((ps) => mergeWithPrevious(ps, i));
    this.focus(i - 1, at);
  }

  protected onPaste(event: ClipboardEvent, i: number): void {
    const text = event.clipboardData?.getData('text/plain') ?? '';
    if (!/\r?\n/.test(text.trim())) return;
    event.preventDefault();
    const target = event.target as HTMLTextAreaElement;
    const p = this.paragraphs()[i];
    const start = target.selectionStart ?? p.text.length;
    const end = target.selectionEnd ?? start;
    const withoutSelection = { ...p, text: p.text.slice(0, start) + p.text.slice(end) };
    this.paragraphs.update((ps) =>
      pasteLines(
        ps.map((q, j) => (j === i ? withoutSelection : q)),
        i,
        start,
        text,
      ),
    );
  }

  /** After the list re-renders, put the cursor where the person expects it. */
  private focus(index: number, at: number): void {
    setTimeout(() => {
      const areas = this.host.nativeElement.querySelectorAll<HTMLTextAreaElement>('textarea');
      const area = areas[index];
      if (!area) return;
      area.focus();
      area.setSelectionRange(at, at);
    });
  }
}
