import {
  LEVEL_LABELS,
  parseBodyText,
  type BodyParagraph,
  type MarkedParagraph,
  type ParagraphLevel,
} from '@zhengwu/contracts';

/** A revision as the api lists it. */
export interface RevisionSummary {
  number: number;
  kind: 'edit' | 'accept' | 'reject' | 'clean';
  step: string;
  authorId: string;
  authorName: string;
  note: string | null;
  createdAt: string;
  updatedAt: string;
  pendingChanges?: number;
}

export interface RevisionList {
  items: RevisionSummary[];
  latest: number;
  clean: number | null;
  permissions: { canSave: boolean; canDecide: boolean; step: string | null };
}

export interface RevisionChange {
  id: string;
  rev: number;
  authorId: string | null;
  authorName: string | null;
  step: string | null;
  at: string | null;
  inserted: string;
  deleted: string;
}

export interface RevisionDetail extends RevisionSummary {
  isLatest: boolean;
  paragraphs: BodyParagraph[];
  marked: MarkedParagraph[];
  changes: RevisionChange[];
  authors: { rev: number; authorId: string; authorName: string; step: string; at: string }[];
}

export interface RevisionDiff {
  from: RevisionSummary;
  to: RevisionSummary;
  marked: MarkedParagraph[];
  inserted: number;
  deleted: number;
}

export const KIND_LABELS: Record<RevisionSummary['kind'], string> = {
  edit: '修改',
  accept: '接受修订',
  reject: '拒绝修订',
  clean: '清稿',
};

/** Distinct, readable on white (each at least 4.5:1, WCAG AA), and never the red of deletions. */
const PALETTE = [
  '#0958d9',
  '#237804',
  '#722ed1',
  '#ad4e00',
  '#006d75',
  '#c41d7f',
  '#5b6300',
  '#5b3cc4',
];

/** One colour per person, in the order they first revised this document, so a person keeps a colour on the page. */
export function authorColors(
  revisions: readonly Pick<RevisionSummary, 'authorId'>[],
): Map<string, string> {
  const colors = new Map<string, string>();
  for (const r of revisions) {
    if (!colors.has(r.authorId)) colors.set(r.authorId, PALETTE[colors.size % PALETTE.length]);
  }
  return colors;
}

/** "将“12”改为“11”", "插入“一名”", "删除“年度”". */
export function describeChange(c: Pick<RevisionChange, 'inserted' | 'deleted'>): string {
  const quote = (s: string) => `“${s.length > 40 ? `${s.slice(0, 40)}…` : s}”`;
  if (c.inserted && c.deleted) return `将${quote(c.deleted)}改为${quote(c.inserted)}`;
  if (c.inserted) return `插入${quote(c.inserted)}`;
  if (c.deleted) return `删除${quote(c.deleted)}`;
  return '调整段落层次';
}

export const LEVEL_OPTIONS = (Object.keys(LEVEL_LABELS) as ParagraphLevel[]).map((level) => ({
  level,
  label: LEVEL_LABELS[level],
}));

// ---- the editor's operations: pure, so the component only wires them ------------------------------------

/** Enter at `at` in paragraph `index`: the rest becomes a new paragraph (a heading is followed by body text). */
export function splitParagraph(
  paragraphs: readonly BodyParagraph[],
  index: number,
  at: number,
): BodyParagraph[] {
  const p = paragraphs[index];
  const nextLevel: ParagraphLevel = p.level === 'attachment' ? 'attachment' : 'text';
  return [
    ...paragraphs.slice(0, index),
    { level: p.level, text: p.text.slice(0, at) },
    { level: nextLevel, text: p.text.slice(at) },
    ...paragraphs.slice(index + 1),
  ];
}

/** Backspace at the start of paragraph `index`: it joins the one before. */
export function mergeWithPrevious(
  paragraphs: readonly BodyParagraph[],
  index: number,
): BodyParagraph[] {
  if (index <= 0) return [...paragraphs];
  const prev = paragraphs[index - 1];
  return [
    ...paragraphs.slice(0, index - 1),
    { level: prev.level, text: prev.text + paragraphs[index].text },
    ...paragraphs.slice(index + 1),
  ];
}

export function moveParagraph(
  paragraphs: readonly BodyParagraph[],
  index: number,
  by: -1 | 1,
): BodyParagraph[] {
  const to = index + by;
  if (to < 0 || to >= paragraphs.length) return [...paragraphs];
  const out = [...paragraphs];
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

/**
 * Pasting several lines into a paragraph: the lines become paragraphs of their own, their levels read from the
 * numbers typed in them (一、 （一） 1. （1）); the first joins the text before the cursor.
 */
export function pasteLines(
  paragraphs: readonly BodyParagraph[],
  index: number,
  at: number,
  pasted: string,
): BodyParagraph[] {
  const lines = parseBodyText(pasted);
  if (lines.length === 0) return [...paragraphs];
  const p = paragraphs[index];
  const before = p.text.slice(0, at);
  const after = p.text.slice(at);
  const first = before.trim() === '' ? lines[0] : { level: p.level, text: before + lines[0].text };
  const rest = lines.slice(1);
  const last = rest.length > 0 ? rest[rest.length - 1] : first;
  const merged = [first, ...rest];
  merged[merged.length - 1] = { ...last, text: last.text + after };
  return [...paragraphs.slice(0, index), ...merged, ...paragraphs.slice(index + 1)];
}

/** What is saved: trimmed, without empty paragraphs. */
export function cleanParagraphs(paragraphs: readonly BodyParagraph[]): BodyParagraph[] {
  return paragraphs
    .map((p) => ({ level: p.level, text: p.text.replace(/[\r\n]+/g, ' ').trim() }))
    .filter((p) => p.text !== '');
}
