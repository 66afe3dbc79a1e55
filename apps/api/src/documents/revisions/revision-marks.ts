import { diffChars } from 'diff';

/**
 * 痕迹保留 as data: a revision's serialised body (see `serializeBody`) kept as runs that are unchanged ('='),
 * inserted ('+') or deleted ('-') since the last accepted text, each change with the number of the revision
 * that made it. What the document reads now is '=' and '+'; what was last accepted is '=' and '-'.
 * Pure functions, character-level (code points, so any CJK character is one unit).
 */
export interface Span {
  k: '=' | '+' | '-';
  t: string;
  /** The revision that made this change; absent on unchanged text. */
  r?: number;
}

/** One reviewable change: adjacent inserted/deleted runs of one revision (a replacement is one change). */
export interface Change {
  id: string;
  rev: number;
  inserted: string;
  deleted: string;
  /** Indexes into the (normalised) spans. */
  spans: number[];
}

export type DiffOp = { op: '=' | '+' | '-'; text: string };

export function visibleText(spans: readonly Span[]): string {
  return spans
    .filter((s) => s.k !== '-')
    .map((s) => s.t)
    .join('');
}

export function acceptedText(spans: readonly Span[]): string {
  return spans
    .filter((s) => s.k !== '+')
    .map((s) => s.t)
    .join('');
}

/** Merges neighbours of the same kind and revision and drops empty runs. */
export function normalize(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    if (s.t === '') continue;
    const last = out[out.length - 1];
    if (last && last.k === s.k && last.r === s.r) last.t += s.t;
    else out.push(s.k === '=' ? { k: '=', t: s.t } : { k: s.k, t: s.t, r: s.r });
  }
  return out;
}

/** Beyond this many edits the exact diff is too slow for a request: the changed middle is replaced as a whole. */
const MAX_EDIT_LENGTH = 20_000;

/**
 * Character diff of two texts, then the semantic clean-up of diff-match-patch (an equality no longer than the
 * edits on both its sides is folded into them), so "甲的乙 → 丙的丁" reads as one replacement, not three.
 */
export function diffText(from: string, to: string): DiffOp[] {
  const a = Array.from(from);
  const b = Array.from(to);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail).join('');
  const midB = b.slice(head, b.length - tail).join('');
  const ops: DiffOp[] = [];
  if (head > 0) ops.push({ op: '=', text: a.slice(0, head).join('') });
  if (midA !== '' || midB !== '') {
    const changes = midA === '' || midB === '' ? undefined : diffChars(midA, midB, { maxEditLength: MAX_EDIT_LENGTH });
    if (changes) {
      for (const c of changes) ops.push({ op: c.added ? '+' : c.removed ? '-' : '=', text: c.value });
    } else {
      ops.push({ op: '-', text: midA }, { op: '+', text: midB });
    }
  }
  if (tail > 0) ops.push({ op: '=', text: a.slice(a.length - tail).join('') });
  return alignToParagraphs(cleanupSemantic(ops.filter((o) => o.text !== '')));
}

/**
 * A lone insertion or deletion can often slide along text that repeats around it ("。\n[\n甲]" is "。\n[甲\n]"):
 * slide it to where it covers whole paragraphs, so a new paragraph reads as one inserted paragraph, not as a
 * break inserted into the paragraph before it (diff-match-patch's lossless clean-up, for breaks only).
 */
function alignToParagraphs(ops: DiffOp[]): DiffOp[] {
  const out = ops.map((o) => ({ ...o }));
  for (let i = 0; i < out.length; i++) {
    if (out[i].op === '=') continue;
    const before = out[i - 1]?.op === '=' ? out[i - 1] : undefined;
    const after = out[i + 1]?.op === '=' ? out[i + 1] : undefined;
    if ((i > 0 && !before) || (i < out.length - 1 && !after)) continue;
    let a = Array.from(before?.text ?? '');
    let x = Array.from(out[i].text);
    let b = Array.from(after?.text ?? '');
    // Leftmost position first, then each step right, keeping the best.
    while (a.length > 0 && a[a.length - 1] === x[x.length - 1]) {
      b = [x[x.length - 1], ...b];
      x = [a[a.length - 1], ...x.slice(0, -1)];
      a = a.slice(0, -1);
    }
    const score = (aa: string[], xx: string[]) =>
      (aa.length === 0 || aa[aa.length - 1] === '\n' ? 1 : 0) + (xx[xx.length - 1] === '\n' ? 1 : 0);
    let best = { a, x, b, score: score(a, x) };
    while (b.length > 0 && b[0] === x[0]) {
      a = [...a, x[0]];
      x = [...x.slice(1), b[0]];
      b = b.slice(1);
      const s = score(a, x);
      if (s > best.score) best = { a, x, b, score: s };
    }
    if (before) before.text = best.a.join('');
    out[i].text = best.x.join('');
    if (after) after.text = best.b.join('');
  }
  return out.filter((o) => o.text !== '');
}

const len = (s: string) => Array.from(s).length;

/** Groups each run of edits between equalities into one deletion followed by one insertion. */
function regroup(ops: DiffOp[]): DiffOp[] {
  const out: DiffOp[] = [];
  let del = '';
  let ins = '';
  const flush = () => {
    if (del) out.push({ op: '-', text: del });
    if (ins) out.push({ op: '+', text: ins });
    del = ins = '';
  };
  for (const o of ops) {
    if (o.op === '-') del += o.text;
    else if (o.op === '+') ins += o.text;
    else {
      flush();
      const last = out[out.length - 1];
      if (last && last.op === '=') last.text += o.text;
      else out.push({ ...o });
    }
  }
  flush();
  return out;
}

function cleanupSemantic(input: DiffOp[]): DiffOp[] {
  let ops = regroup(input);
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 1; i < ops.length - 1; i++) {
      if (ops[i].op !== '=') continue;
      const side = (from: number, step: number) => {
        let ins = 0;
        let del = 0;
        for (let j = from; j >= 0 && j < ops.length && ops[j].op !== '='; j += step) {
          if (ops[j].op === '+') ins += len(ops[j].text);
          else del += len(ops[j].text);
        }
        return Math.max(ins, del);
      };
      const before = side(i - 1, -1);
      const after = side(i + 1, 1);
      const size = len(ops[i].text);
      if (before > 0 && after > 0 && size <= before && size <= after) {
        const text = ops[i].text;
        ops.splice(i, 1, { op: '-', text }, { op: '+', text });
        ops = regroup(ops);
        changed = true;
        break;
      }
    }
  }
  return ops;
}

interface Cell {
  ch: string;
  k: Span['k'];
  r?: number;
}

function cells(spans: readonly Span[]): Cell[] {
  return spans.flatMap((s) => Array.from(s.t, (ch) => ({ ch, k: s.k, r: s.r })));
}

function spansOf(list: readonly Cell[]): Span[] {
  return normalize(list.map((c) => ({ k: c.k, t: c.ch, r: c.r })));
}

/**
 * A save: the text now reads `next`. Text kept keeps its marks; new text is inserted by `rev`; removed accepted
 * text becomes deleted by `rev`; removed pending insertions simply go (taking back an insertion is not a
 * deletion of accepted text). Untracked (the first draft before anyone else saw it), the result is all accepted.
 */
export function applyEdit(spans: readonly Span[], next: string, rev: number, tracked = true): Span[] {
  if (!tracked) return normalize([{ k: '=', t: next }]);
  const from = cells(spans);
  const out: Cell[] = [];
  let i = 0;
  // Deleted cells are not part of the visible text: they pass through wherever the walk meets them.
  const passDeleted = () => {
    while (i < from.length && from[i].k === '-') out.push(from[i++]);
  };
  for (const { op, text } of diffText(visibleText(spans), next)) {
    if (op === '+') {
      for (const ch of text) out.push({ ch, k: '+', r: rev });
      continue;
    }
    for (let n = len(text); n > 0; n--) {
      passDeleted();
      const cell = from[i++];
      if (op === '=') out.push(cell);
      else if (cell.k === '=') out.push({ ch: cell.ch, k: '-', r: rev });
    }
  }
  while (i < from.length) out.push(from[i++]);
  return spansOf(out);
}

/** The reviewable changes, in reading order, with stable ids within one revision (c1, c2, …). */
export function listChanges(spans: readonly Span[]): Change[] {
  const changes: Change[] = [];
  let current: Change | undefined;
  spans.forEach((s, index) => {
    if (s.k === '=') {
      current = undefined;
      return;
    }
    if (!current || current.rev !== s.r) {
      current = { id: `c${changes.length + 1}`, rev: s.r ?? 0, inserted: '', deleted: '', spans: [] };
      changes.push(current);
    }
    current.spans.push(index);
    if (s.k === '+') current.inserted += s.t;
    else current.deleted += s.t;
  });
  return changes;
}

/**
 * 接受 / 拒绝 changes. Accepting an insertion makes it plain text and a deletion final; rejecting takes an
 * insertion out and puts deleted text back. Unknown ids are the caller's error (checked before).
 */
export function decide(spans: readonly Span[], ids: readonly string[], decision: 'accept' | 'reject'): Span[] {
  const chosen = new Set(listChanges(spans).flatMap((c) => (ids.includes(c.id) ? c.spans : [])));
  const out: Span[] = [];
  spans.forEach((s, index) => {
    if (!chosen.has(index)) return out.push(s);
    const keep = decision === 'accept' ? s.k === '+' : s.k === '-';
    if (keep) out.push({ k: '=', t: s.t });
  });
  return normalize(out);
}

/** Spans comparing two texts (for "compare any two revisions"): deletions and insertions of `to` against `from`. */
export function compare(from: string, to: string, rev?: number): Span[] {
  return normalize(diffText(from, to).map((o) => (o.op === '=' ? { k: '=', t: o.text } : { k: o.op, t: o.text, r: rev })));
}
