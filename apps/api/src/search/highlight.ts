import type { HighlightedText, SearchRange } from '@zhengwu/contracts';

/** Characters that structure a stored 正文 (paragraph level marks): never shown in a snippet. */
const STRUCTURE = /[\uE000-\uE0FF]/g;
const BEFORE = 30;
const WINDOW = 120;

/** The query as terms: trimmed, lower-cased, split on whitespace, duplicates and terms inside others dropped. */
export function searchTerms(query: string): string[] {
  const words = [
    ...new Set(
      query
        .trim()
        .toLowerCase()
        .split(/\s+/u)
        .filter((w) => w.length > 0),
    ),
  ];
  return words.filter((w) => !words.some((other) => other !== w && other.includes(w)));
}

/** Every occurrence of every term in `text`, case-insensitively, merged into sorted, non-overlapping ranges. */
export function findRanges(text: string, terms: readonly string[]): SearchRange[] {
  const lower = text.toLowerCase();
  // Lower-casing may change the length of a few letters (İ); then positions are only exact for the original case.
  const haystack = lower.length === text.length ? lower : text;
  const found: SearchRange[] = [];
  for (const term of terms) {
    if (term.length === 0) continue;
    for (let at = haystack.indexOf(term); at >= 0; at = haystack.indexOf(term, at + term.length)) {
      found.push({ start: at, end: at + term.length });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: SearchRange[] = [];
  for (const range of found) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

export function highlight(text: string, terms: readonly string[]): HighlightedText {
  return { text, highlights: findRanges(text, terms) };
}

/**
 * A window of `text` around its first hit: whitespace collapsed, structure marks removed, cut at both ends with "…".
 * Ranges refer to the snippet's own text.
 */
export function snippet(raw: string, terms: readonly string[]): HighlightedText {
  const text = raw.replace(STRUCTURE, ' ').replace(/\s+/gu, ' ').trim();
  const first = findRanges(text, terms)[0];
  const start = first ? Math.max(0, first.start - BEFORE) : 0;
  const end = Math.min(text.length, start + WINDOW);
  const head = start > 0 ? '…' : '';
  const tail = end < text.length ? '…' : '';
  return highlight(`${head}${text.slice(start, end)}${tail}`.replace(/^… /u, '…'), terms);
}
