/**
 * Line breaking shared by the 公文 layout and the forms: characters (a run of Latin letters or digits stays whole),
 * 避头尾 by moving characters to the next line. The caller measures: the layout by font metrics, the forms through
 * pdfkit.
 */

/** Characters that may not start a line, and ones that may not end one (避头尾). */
export const NO_START = new Set([...'，。、；：？！）》」』”’】〕…—％,.;:?!)]}%·']);
export const NO_END = new Set([...'（《「『“‘【〔([{']);

/** Breakable units: a run of Latin letters/digits stays whole, everything else is one character. */
function units(text: string): string[] {
  return text.match(/[A-Za-z0-9]+(?:[.\-/:%][A-Za-z0-9]+)*%?|[\s\S]/gu) ?? [];
}

export interface StyledRun<S> {
  text: string;
  style: S;
}

export interface BrokenLine<S> {
  runs: StyledRun<S>[];
  /** Natural width of the line. */
  width: number;
  /** True for the last line of a paragraph (not justified). */
  last: boolean;
}

/**
 * Breaks styled runs into lines of at most `width` points, the first one narrower by `indent`; `measure` gives a
 * unit's advance without the style's letter spacing, which is added after every character but the line's last.
 */
export function breakStyledLines<S extends { spacing?: number }>(
  runs: StyledRun<S>[],
  width: number,
  indent: number,
  measure: (unit: string, style: S) => number,
): BrokenLine<S>[] {
  type U = { text: string; style: S; w: number };
  const all: U[] = [];
  for (const r of runs) {
    for (const u of units(r.text)) {
      if (u === '\n') continue;
      all.push({ text: u, style: r.style, w: measure(u, r.style) + (r.style.spacing ?? 0) });
    }
  }
  const lines: BrokenLine<S>[] = [];
  let i = 0;
  let first = true;
  while (i < all.length) {
    const avail = width - (first ? indent : 0);
    let j = i;
    let used = 0;
    // The trailing spacing of the last character on a line is not visible.
    while (j < all.length && used + all[j].w - (all[j].style.spacing ?? 0) <= avail + 0.01) {
      used += all[j].w;
      j++;
    }
    if (j === i) j = i + 1; // a unit wider than the line: place it alone
    if (j < all.length) {
      let k = j;
      while (k > i + 1 && (NO_START.has(all[k].text) || NO_END.has(all[k - 1].text))) k--;
      j = k;
    }
    const slice = all.slice(i, j);
    const lineRuns: StyledRun<S>[] = [];
    for (const u of slice) {
      const prev = lineRuns[lineRuns.length - 1];
      if (prev && prev.style === u.style) prev.text += u.text;
      else lineRuns.push({ text: u.text, style: u.style });
    }
    const w = slice.reduce((s, u) => s + u.w, 0) - (slice.length ? (slice[slice.length - 1].style.spacing ?? 0) : 0);
    lines.push({ runs: lineRuns, width: w, last: j >= all.length });
    i = j;
    first = false;
  }
  return lines;
}
