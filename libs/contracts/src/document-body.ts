/**
 * The 正文 of an official document as paragraphs with the levels of GB/T 9704-2012 §7.3.3 (结构层次序数: 一、 /
 * （一） / 1. / （1）) and the 附件说明 (§7.3.4). Shared by the api (revisions, .docx, typesetting text) and the web
 * editor, so numbering is computed once: the stored text never carries its own number.
 */
export const PARAGRAPH_LEVELS = ['text', 'h1', 'h2', 'h3', 'h4', 'attachment'] as const;
export type ParagraphLevel = (typeof PARAGRAPH_LEVELS)[number];

export const LEVEL_LABELS: Record<ParagraphLevel, string> = {
  text: '正文段落',
  h1: '一级标题（一、）',
  h2: '二级标题（（一））',
  h3: '三级标题（1.）',
  h4: '四级标题（（1））',
  attachment: '附件说明',
};

export interface BodyParagraph {
  level: ParagraphLevel;
  text: string;
}

/** One private-use character per level opens each paragraph in the serialised form, so a level change is a character change. */
const LEVEL_MARK_BASE = 0xe000;
export const PARAGRAPH_BREAK = '\n';
const MARK_PATTERN = /[\uE000-\uE005]/;
/** Characters a paragraph's text may not hold: they structure the serialised body. */
export const FORBIDDEN_IN_TEXT = /[\r\n\uE000-\uE0FF]/;
const FORBIDDEN_ALL = /[\r\n\uE000-\uE0FF]/g;

/** Text as JSON and PostgreSQL can store it: lone UTF-16 surrogates become U+FFFD, NUL goes. */
export function storableText(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .split('\u0000')
    .join('');
}

export function levelMark(level: ParagraphLevel): string {
  return String.fromCharCode(LEVEL_MARK_BASE + PARAGRAPH_LEVELS.indexOf(level));
}

export function levelOfMark(ch: string): ParagraphLevel | undefined {
  return MARK_PATTERN.test(ch) ? PARAGRAPH_LEVELS[ch.charCodeAt(0) - LEVEL_MARK_BASE] : undefined;
}

/** The body as one string: for each paragraph its level mark, its text and a break. The revisions diff this string. */
export function serializeBody(paragraphs: readonly BodyParagraph[]): string {
  return paragraphs.map((p) => `${levelMark(p.level)}${p.text}${PARAGRAPH_BREAK}`).join('');
}

/**
 * Reads a serialised body back. Tolerant by design: accepting or rejecting one change of several may leave a
 * paragraph without its mark (read as 正文段落) or with two (the last one wins).
 */
export function deserializeBody(serialized: string): BodyParagraph[] {
  if (serialized === '') return [];
  const lines = serialized.split(PARAGRAPH_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => {
    let level: ParagraphLevel = 'text';
    let text = '';
    for (const ch of line) {
      const marked = levelOfMark(ch);
      if (marked) level = marked;
      else text += ch;
    }
    return { level, text };
  });
}

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; beyond 99 the Arabic number. */
export function chineseNumeral(n: number): string {
  if (n < 1 || n > 99 || !Number.isInteger(n)) return String(n);
  if (n < 10) return DIGITS[n];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones === 0 ? '' : DIGITS[ones]}`;
}

/**
 * Each paragraph's number: 一、 （一） 1. （1）, restarting under each higher level; 附件说明 lines get 附件： and,
 * when there are several, 1. 2. … (§7.3.4). Body paragraphs get ''.
 */
export function numberParagraphs(paragraphs: readonly Pick<BodyParagraph, 'level'>[]): string[] {
  const counters = [0, 0, 0, 0];
  const attachmentCount = paragraphs.filter((p) => p.level === 'attachment').length;
  let attachmentIndex = 0;
  return paragraphs.map((p) => {
    switch (p.level) {
      case 'text':
        return '';
      case 'attachment': {
        attachmentIndex++;
        const lead = attachmentIndex === 1 ? '附件：' : '\u3000\u3000\u3000';
        return attachmentCount > 1 ? `${lead}${attachmentIndex}.` : lead;
      }
      default: {
        const depth = Number(p.level.slice(1)) - 1;
        counters[depth]++;
        for (let i = depth + 1; i < counters.length; i++) counters[i] = 0;
        const n = counters[depth];
        return [`${chineseNumeral(n)}、`, `（${chineseNumeral(n)}）`, `${n}.`, `（${n}）`][depth];
      }
    }
  });
}

/**
 * The plain text the typesetting reads (`documents.body`, one paragraph a line, numbers written out) and the
 * 附件说明 lines without numbers (`documents.attachment_note`: the layout numbers them itself).
 */
export function renderBodyText(paragraphs: readonly BodyParagraph[]): { body: string; attachmentNote: string | null } {
  const numbers = numberParagraphs(paragraphs);
  const body = paragraphs
    .map((p, i) => (p.level === 'attachment' ? null : `${numbers[i]}${p.text}`))
    .filter((line): line is string => line !== null)
    .join('\n');
  const attachments = paragraphs.filter((p) => p.level === 'attachment').map((p) => p.text);
  return { body, attachmentNote: attachments.length > 0 ? attachments.join('\n') : null };
}

const CN = '[一二三四五六七八九十百零〇]+';
const LEVEL_PATTERNS: [Exclude<ParagraphLevel, 'text' | 'attachment'>, RegExp][] = [
  ['h1', new RegExp(`^${CN}、\\s*`)],
  ['h2', new RegExp(`^[（(]${CN}[）)]\\s*`)],
  ['h4', /^[（(]\d{1,3}[）)]\s*/],
  ['h3', /^\d{1,3}[.．、](?!\d)\s*/],
];

/** A line's level read from the number a drafter typed (一、 （一） 1. （1）), and the text without it. */
export function detectLevel(line: string): BodyParagraph {
  const trimmed = line.replace(/^[\s\u3000]+/, '');
  for (const [level, pattern] of LEVEL_PATTERNS) {
    const match = pattern.exec(trimmed);
    if (match && match[0].length < trimmed.length) return { level, text: trimmed.slice(match[0].length) };
  }
  return { level: 'text', text: line.trim() };
}

/** Plain text (a textarea, a .docx without styles) to paragraphs: one per non-empty line, levels from typed numbers. */
export function parseBodyText(body: string, attachmentNote?: string | null): BodyParagraph[] {
  const paragraphs = body
    .split(/\r?\n/)
    .map((line) => storableText(line.replace(FORBIDDEN_ALL, '')))
    .filter((line) => line.trim() !== '')
    .map(detectLevel);
  const attachments = (attachmentNote ?? '')
    .split(/\r?\n/)
    .map((line) => stripAttachmentNumber(storableText(line.replace(FORBIDDEN_ALL, ''))))
    .filter((line) => line !== '')
    .map((text) => ({ level: 'attachment' as const, text }));
  return [...paragraphs, ...attachments];
}

/** `附件：1．名称` and the indented `2.名称` lines after it → `名称`. */
export function stripAttachmentNumber(line: string): string {
  return line
    .replace(/^[\s\u3000]*(附件[：:])?[\s\u3000]*/, '')
    .replace(/^\d{1,3}[.．、]\s*/, '')
    .trim();
}

// ---- the marked (tracked) view ------------------------------------------------------------------

/** A run of the serialised body: unchanged, inserted or deleted, by revision `rev`, part of change `change`. */
export interface MarkedRun {
  kind: 'same' | 'ins' | 'del';
  text: string;
  rev?: number;
  change?: string;
}

export interface MarkedParagraph {
  /** The level as it reads now (a deleted paragraph keeps its old one). */
  level: ParagraphLevel;
  /** Number as it reads now; '' for a deleted paragraph. */
  number: string;
  /** Text runs, without level marks and breaks. */
  runs: MarkedRun[];
  /** The level was changed (its mark deleted and another inserted). */
  levelChange?: { from: ParagraphLevel; to: ParagraphLevel; rev?: number; change?: string };
  /** The paragraph's own break was inserted (a split) or deleted (a merge). */
  breakChange?: { kind: 'ins' | 'del'; rev?: number; change?: string };
  /** Every part of it is deleted. */
  isDeleted: boolean;
  /** Every part of it is inserted. */
  isInserted: boolean;
}

/** Splits marked runs of a serialised body into paragraphs for display: every break ends one, inserted or deleted. */
export function markedParagraphs(runs: readonly MarkedRun[]): MarkedParagraph[] {
  interface Building {
    marks: { level: ParagraphLevel; run: MarkedRun }[];
    runs: MarkedRun[];
    breakRun?: MarkedRun;
  }
  const built: Building[] = [];
  let current: Building = { marks: [], runs: [] };
  const pushText = (run: MarkedRun, text: string) => {
    if (text === '') return;
    const last = current.runs[current.runs.length - 1];
    if (last && last.kind === run.kind && last.rev === run.rev && last.change === run.change) last.text += text;
    else current.runs.push({ ...run, text });
  };
  for (const run of runs) {
    let text = '';
    for (const ch of run.text) {
      const level = levelOfMark(ch);
      if (level) {
        pushText(run, text);
        text = '';
        current.marks.push({ level, run });
      } else if (ch === PARAGRAPH_BREAK) {
        pushText(run, text);
        text = '';
        current.breakRun = run;
        built.push(current);
        current = { marks: [], runs: [] };
      } else {
        text += ch;
      }
    }
    pushText(run, text);
  }
  if (current.marks.length > 0 || current.runs.length > 0) built.push(current);

  const paragraphs = built.map((b): Omit<MarkedParagraph, 'number'> => {
    const parts = [...b.marks.map((m) => m.run.kind), ...b.runs.map((r) => r.kind), ...(b.breakRun ? [b.breakRun.kind] : [])];
    const isDeleted = parts.length > 0 && parts.every((k) => k === 'del');
    const isInserted = parts.length > 0 && parts.every((k) => k === 'ins');
    const live = b.marks.filter((m) => m.run.kind !== 'del');
    const gone = b.marks.filter((m) => m.run.kind === 'del');
    const level = (live[live.length - 1] ?? gone[gone.length - 1])?.level ?? 'text';
    const inserted = live.find((m) => m.run.kind === 'ins');
    const paragraph: Omit<MarkedParagraph, 'number'> = { level, runs: b.runs, isDeleted, isInserted };
    if (gone.length > 0 && inserted && gone[0].level !== level) {
      paragraph.levelChange = { from: gone[0].level, to: level, rev: inserted.run.rev, change: inserted.run.change };
    }
    if (b.breakRun && b.breakRun.kind !== 'same' && !isDeleted && !isInserted) {
      paragraph.breakChange = { kind: b.breakRun.kind, rev: b.breakRun.rev, change: b.breakRun.change };
    }
    return paragraph;
  });
  const visible = paragraphs.filter((p) => !p.isDeleted);
  const numbers = numberParagraphs(visible);
  let v = 0;
  return paragraphs.map((p) => ({ ...p, number: p.isDeleted ? '' : numbers[v++] }));
}
