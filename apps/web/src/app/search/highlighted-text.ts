import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { highlightRuns, type HighlightedText } from '@zhengwu/contracts';

/** Text with its hits marked: plain interpolation per run, so no user text is ever read as markup. */
@Component({
  selector: 'zw-highlighted-text',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // Elements only (no bare text in the blocks): whitespace between them is dropped, so no space creeps around a hit.
  template: `@for (run of runs(); track $index) {
    @if (run.isHit) {
      <mark>{{ run.text }}</mark>
    } @else {
      <span>{{ run.text }}</span>
    }
  }`,
  styles: `
    mark {
      background: #ffe58f;
      color: inherit;
      padding: 0 1px;
    }
  `,
})
export class HighlightedTextView {
  readonly value = input.required<HighlightedText>();
  protected readonly runs = computed(() => highlightRuns(this.value()));
}
