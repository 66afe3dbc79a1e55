import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { LEVEL_LABELS, type MarkedParagraph, type MarkedRun } from '@zhengwu/contracts';

/** Who made a revision, for the colour and the "by whom, when" of each mark. */
export interface RevisionAuthor {
  authorId: string;
  authorName: string;
  step: string;
  at: string;
}

/**
 * A body with its marks: insertions underlined in the colour of the person who made them, deletions struck
 * through, each with its person, step and time on hover; level changes and paragraph breaks named.
 */
@Component({
  selector: 'zw-marked-body',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  template: `
    <div class="marked" data-testid="marked-body">
      @for (p of paragraphs(); track $index) {
        <p
          class="para"
          [class.heading]="p.level !== 'text' && p.level !== 'attachment'"
          [class]="'level-' + p.level"
          [class.gone]="p.isDeleted"
        >
          @if (p.number) {
            <span class="number">{{ p.number }}</span>
          }
          @if (p.levelChange; as lc) {
            <span
              class="level-change"
              [style.color]="color(lc.rev)"
              [attr.title]="who(lc.rev) + ' 调整层次'"
              >〔{{ label(lc.from) }} → {{ label(lc.to) }}〕</span
            >
          }
          @for (r of p.runs; track $index) {
            @switch (r.kind) {
              @case ('ins') {
                <ins
                  [style.color]="color(r.rev)"
                  [style.text-decoration-color]="color(r.rev)"
                  [attr.title]="who(r.rev) + ' 插入'"
                  [attr.data-change]="r.change"
                  >{{ r.text }}</ins
                >
              }
              @case ('del') {
                <del [attr.title]="who(r.rev) + ' 删除'" [attr.data-change]="r.change">{{
                  r.text
                }}</del>
              }
              @default {
                <span>{{ r.text }}</span>
              }
            }
          }
          @if (p.breakChange; as bc) {
            <span
              class="break"
              [class.break-del]="bc.kind === 'del'"
              [style.color]="bc.kind === 'ins' ? color(bc.rev) : null"
              [attr.title]="who(bc.rev) + (bc.kind === 'ins' ? ' 分段' : ' 合并段落')"
              >¶</span
            >
          }
        </p>
      } @empty {
        <p class="muted">（正文为空）</p>
      }
    </div>
    @if (legend().length > 0) {
      <div class="legend">
        @for (a of legend(); track $index) {
          <span class="who" [style.border-color]="a.color" [style.color]="a.color"
            >{{ a.authorName }}（{{ a.step }}，{{ a.at | date: 'MM-dd HH:mm' }}）</span
          >
        }
        <span class="who"><del>删除</del> <ins>插入</ins></span>
      </div>
    }
  `,
  styles: `
    .marked {
      font-family: 'FangSong', 'STFangsong', '仿宋', serif;
      font-size: 16px;
      line-height: 2;
    }
    .para {
      margin: 0;
      text-indent: 2em;
      white-space: pre-wrap;
    }
    .level-h1 {
      font-family: 'SimHei', '黑体', sans-serif;
    }
    .level-h2 {
      font-family: 'KaiTi', '楷体', serif;
    }
    .gone {
      opacity: 0.75;
    }
    ins {
      text-decoration: underline;
      text-decoration-thickness: 2px;
      text-underline-offset: 3px;
    }
    del {
      color: #cf1322;
      text-decoration: line-through;
    }
    .level-change,
    .break {
      font-size: 12px;
      margin: 0 2px;
    }
    .break-del {
      color: #cf1322;
      text-decoration: line-through;
    }
    .legend {
      margin-top: 8px;
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      font-size: 12px;
    }
    .who {
      border: 1px solid #d9d9d9;
      border-radius: 4px;
      padding: 0 6px;
    }
    .muted {
      color: #595959;
    }
  `,
})
export class MarkedBody {
  readonly paragraphs = input.required<MarkedParagraph[]>();
  /** Revision number → who made it. */
  readonly authors = input<Map<number, RevisionAuthor>>(new Map());
  /** Person → colour. */
  readonly colors = input<Map<string, string>>(new Map());

  protected legend(): (RevisionAuthor & { color: string })[] {
    const seen = new Set<number>();
    for (const p of this.paragraphs()) {
      for (const r of p.runs as MarkedRun[]) if (r.kind !== 'same' && r.rev) seen.add(r.rev);
      if (p.levelChange?.rev) seen.add(p.levelChange.rev);
      if (p.breakChange?.rev) seen.add(p.breakChange.rev);
    }
    return [...seen]
      .sort((a, b) => a - b)
      .flatMap((rev) => {
        const a = this.authors().get(rev);
        return a ? [{ ...a, color: this.colors().get(a.authorId) ?? '#0958d9' }] : [];
      });
  }

  protected color(rev: number | undefined): string | null {
    const a = rev ? this.authors().get(rev) : undefined;
    return a ? (this.colors().get(a.authorId) ?? '#0958d9') : '#0958d9';
  }

  protected who(rev: number | undefined): string {
    const a = rev ? this.authors().get(rev) : undefined;
    if (!a) return '';
    return `${a.authorName}（${a.step}，${new Date(a.at).toLocaleString('zh-CN', { hour12: false })}）`;
  }

  protected label(level: keyof typeof LEVEL_LABELS): string {
    return LEVEL_LABELS[level];
  }
}
