import { chineseDate, EM_ASCENT, mm, A4_H, A4_W } from './doc';
import { Face, faceMetrics, prepareFonts } from './fonts';
import { Layout, LayoutItem, LayoutPage } from './layout';
import { OfficialDocument, OfficialFormat } from './types';
import { breakStyledLines, NO_END, NO_START, type BrokenLine, type StyledRun } from './line-break';

/**
 * GB/T 9704-2012 geometry. The 版心 is a grid of 22 lines × 28 characters of 3号 (16 pt) (§5.2.2): the
 * line pitch is 225 mm / 22 and the character spacing is chosen so 28 full-width characters run exactly
 * from the left to the right edge of the 156 mm 版心. Text sits vertically centred in its grid line.
 */
export const GBT9704 = {
  /** 订口 28 mm, 天头 37 mm, 版心 156 × 225 mm (§5.2.1). */
  left: mm(28),
  top: mm(37),
  width: mm(156),
  height: mm(225),
  lines: 22,
  chars: 28,
  size: 16,
  titleSize: 22,
  versionNoteSize: 14,
  pageNumberSize: 14,
  /** 页码 7 mm below the 版心 (§7.5). */
  pageNumberBelow: mm(7),
  /** The red separator 4 mm below the 发文字号 (§7.2.5). */
  separatorBelow: mm(4),
  /** 发文机关标志 35 mm below the 版心 top, 上行文 too (§7.2.3; the 80 mm of the 1999 edition is gone). */
  markTop: mm(35),
  /** 信函格式: 标志 30 mm below the page's top edge (§10.1). */
  letterMarkTop: mm(30),
  /** 信函格式: red double rules 170 mm long, the second 20 mm above the page's bottom edge (§10.1). */
  letterRuleLength: mm(170),
  letterRuleAboveBottom: mm(20),
  /** The diameter of a seal place (a 42 mm round 公章). */
  sealDiameter: mm(42),
  red: '#E60012',
} as const;

const G = GBT9704;
export const LINE = G.height / G.lines;
export const RIGHT = G.left + G.width;
export const BOTTOM = G.top + G.height;
/** Spacing after each 3号 character so 28 of them span the 版心 width. */
export const SPACING = (G.width - G.chars * G.size) / (G.chars - 1);
/** One character step of body text. */
export const CH = G.size + SPACING;

export interface Style {
  face: Face;
  size: number;
  color?: string;
  /** Extra space after each character, in points (negative tightens). */
  spacing?: number;
}

const FS: Style = { face: 'fs', size: G.size, spacing: SPACING };
const HT: Style = { face: 'ht', size: G.size, spacing: SPACING };
const KT: Style = { face: 'kt', size: G.size, spacing: SPACING };
const TITLE: Style = { face: 'xbs', size: G.titleSize, spacing: 0 };
const VN: Style = { face: 'fs', size: G.versionNoteSize, spacing: 0 };

/** Baseline of grid line `i` (0-based) for text of `size`: the em box is centred in the line. */
export function gridBaseline(i: number, size: number = G.size): number {
  return G.top + i * LINE + (LINE - size) / 2 + EM_ASCENT * size;
}

/** The first grid line whose top is at or below y (points from the page top). */
function lineAtOrBelow(y: number): number {
  return Math.ceil((y - G.top) / LINE - 1e-6);
}

// ---- measuring --------------------------------------------------------------------------------

const advCache = new Map<string, number>();

/** Advance of one character at 1 pt, from the face's own metrics. */
function advance1(face: Face, ch: string): number {
  const font = faceMetrics(face);
  const key = `${font.postscriptName}\0${ch}`;
  let a = advCache.get(key);
  if (a === undefined) {
    a = font.glyphForCodePoint(ch.codePointAt(0)!).advanceWidth / font.unitsPerEm;
    advCache.set(key, a);
  }
  return a;
}

export function advance(ch: string, s: Style): number {
  return advance1(s.face, ch) * s.size;
}

/** Width of a string including `spacing` after every character but the last. */
export function widthOf(text: string, s: Style): number {
  const chars = [...text];
  if (!chars.length) return 0;
  return chars.reduce((w, c) => w + advance(c, s), 0) + (s.spacing ?? 0) * (chars.length - 1);
}

// ---- line breaking ---------------------------------------------------------------------------

export type Run = StyledRun<Style>;
export type Line = BrokenLine<Style>;

/**
 * Breaks styled runs into lines of at most `width` points, the first one narrower by `indent`, keeping
 * 避头尾 rules by moving characters to the next line.
 */
export function breakLines(runs: Run[], width: number, indent = 0): Line[] {
  return breakStyledLines(runs, width, indent, widthOf);
}

/** Verbs that open the subject of a 公文 title ("关于申请…", "关于印发…"): a line may start with them. */
const TITLE_VERBS = [
  '申请',
  '请求',
  '商请',
  '增加',
  '推进',
  '加强',
  '做好',
  '开展',
  '建立',
  '建设',
  '印发',
  '转发',
  '批转',
  '发布',
  '公布',
  '调整',
  '设立',
  '成立',
  '表彰',
  '同意',
  '批准',
  '报送',
  '进一步',
  '规范',
  '完善',
  '实施',
  '落实',
  '召开',
  '举办',
  '提供',
  '下达',
  '核定',
  '征求',
];

/**
 * Breaks a 标题 without splitting a word, with no dictionary (only the title verbs above): lines may only end at a punctuation mark,
 * before "关于" or after it, before a title verb, after "的", before a conjunction (和, 与, 及, 暨, 并), or before a number that
 * follows Chinese. Among the breaks that fit, the most even lines win (GB/T 9704 §7.3.1: 回行时词意完整，
 * 排列对称，长短适宜, 梯形或菱形). Only when no such break fits does it fall back to 避头尾 breaking.
 */
export function breakTitle(text: string, style: Style, maxWidth: number): string[] {
  const chars = [...text];
  if (widthOf(text, style) <= maxWidth) return [text];
  const cost = new Map<number, number>(); // break position (a line ends before chars[i]) → penalty
  const punct = /[，、；：。！？）》」』”’〕】]/;
  const at = (i: number, s: string) => chars.slice(i, i + s.length).join('') === s;
  for (let i = 1; i < chars.length; i++) {
    const prev = chars[i - 1];
    const cur = chars[i];
    let p: number | undefined;
    if (punct.test(prev) && !NO_START.has(cur)) p = 0;
    else if (/[（《「『“‘〔【]/.test(cur)) p = 0;
    else if (at(i, '关于')) p = 0;
    else if (TITLE_VERBS.some((v) => at(i, v))) p = 1;
    else if (i >= 2 && chars[i - 2] + prev === '关于') p = 2;
    else if (prev === '的') p = 1;
    else if (/[和与及暨并]/.test(cur) && i > 1) p = 2;
    // Before a number ("商请提供 / 2026年度"), never after one: "2025 / 年度" would split a word.
    else if (/[0-9A-Za-z]/.test(cur) && /[\u4e00-\u9fff]/.test(prev)) p = 3;
    // Never leave the 文种 ("请示", "通知") or two characters alone on a line.
    if (i < 3 || chars.length - i < 4) continue;
    if (p !== undefined && !NO_START.has(cur) && !NO_END.has(prev)) cost.set(i, p);
  }
  const w = (a: number, b: number) => widthOf(chars.slice(a, b).join(''), style);
  const total = widthOf(text, style);
  // Dynamic programming over the allowed breaks for k = the fewest lines, then one more.
  const minLines = Math.ceil(total / maxWidth);
  for (let k = minLines; k <= minLines + 1; k++) {
    const target = total / k;
    const points = [0, ...[...cost.keys()].sort((a, b) => a - b), chars.length];
    // best[j][n] = cheapest way to set chars[0..points[j]) in n lines
    const best: { c: number; from: number }[][] = points.map(() => []);
    best[0][0] = { c: 0, from: -1 };
    for (let j = 1; j < points.length; j++) {
      for (let n = 1; n <= k; n++) {
        for (let i = 0; i < j; i++) {
          const prev = best[i][n - 1];
          if (!prev) continue;
          const lw = w(points[i], points[j]);
          if (lw > maxWidth + 0.01) continue;
          const dev = (lw - target) / style.size;
          const c = prev.c + dev * dev + (j < points.length - 1 ? 4 * (cost.get(points[j]) ?? 0) : 0);
          if (!best[j][n] || c < best[j][n].c) best[j][n] = { c, from: i };
        }
      }
    }
    const end = best[points.length - 1][k];
    if (!end) continue;
    const out: string[] = [];
    let j = points.length - 1;
    for (let n = k; n > 0; n--) {
      const i = best[j][n].from;
      out.unshift(chars.slice(points[i], points[j]).join(''));
      j = i;
    }
    return out;
  }
  // No word boundary fits: balanced lines by character, still keeping 避头尾.
  const lines = breakLines([{ text, style }], Math.min(maxWidth, total / minLines + style.size));
  return lines.map((l) => l.runs.map((r) => r.text).join(''));
}

// ---- the document as rows on the grid ------------------------------------------------------------

interface Piece {
  text: string;
  style: Style;
  x: number;
  /** Extra spacing after each character (justification). */
  extra?: number;
}

type RowKind = 'title' | 'content' | 'blank' | 'sig' | 'note' | 'pagebreak';

interface Row {
  kind: RowKind;
  pieces: Piece[];
  /** Size whose em box is centred in the grid line. */
  size: number;
  /** Seal places on this row: centre x, organ. */
  seals?: { organ: string; cx: number }[];
}

function piecesOfLine(l: Line, x: number, justifyTo?: number): Piece[] {
  const count = l.runs.reduce((s, r) => s + [...r.text].length, 0);
  let extra = 0;
  if (justifyTo !== undefined && !l.last && count > 1) {
    const gap = justifyTo - l.width;
    // Only small gaps (a character pushed by 避头尾) are spread; anything bigger stays ragged.
    if (gap > 0 && gap < 3 * G.size) extra = gap / (count - 1);
  }
  const out: Piece[] = [];
  let cx = x;
  for (const r of l.runs) {
    out.push({ text: r.text, style: r.style, x: cx, extra });
    const n = [...r.text].length;
    cx += widthOf(r.text, r.style) + extra * (n - 1) + (r.style.spacing ?? 0) + extra;
  }
  return out;
}

/** Splits a paragraph into styled runs: "一、…" heading in 黑体, "（一）…" in 楷体 up to the first 。 (§7.3.3). */
function paragraphRuns(p: string): Run[] {
  const heading = /^[一二三四五六七八九十]+、/.test(p) ? HT : /^（[一二三四五六七八九十]+）/.test(p) ? KT : null;
  if (!heading) return [{ text: p, style: FS }];
  const stop = p.indexOf('。');
  if (stop < 0 || stop === p.length - 1) return [{ text: p, style: heading }];
  return [
    { text: p.slice(0, stop + 1), style: heading },
    { text: p.slice(stop + 1), style: FS },
  ];
}

function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Body paragraphs as rows: indented two characters, justified. */
function bodyRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const p of paragraphs(text)) {
    breakLines(paragraphRuns(p), G.width, 2 * CH).forEach((l, i) => {
      const x = G.left + (i === 0 ? 2 * CH : 0);
      rows.push({ kind: 'content', pieces: piecesOfLine(l, x, RIGHT - x), size: G.size });
    });
  }
  return rows;
}

/** "1.名称" / "1．名称" / "附件1：名称" → "名称": the layout numbers the list itself (§7.3.4). */
export function attachmentName(name: string): string {
  return name
    .trim()
    .replace(/^附件\s*\d*\s*[:：]?\s*/, '')
    .replace(/^\d+\s*[.．、]\s*/, '')
    .replace(/^[（(]\d+[）)]\s*/, '')
    .replace(/[。；，;,]$/, '');
}

export function formatOf(d: OfficialDocument): OfficialFormat {
  if (d.format) return d.format;
  if (d.docType === '函') return 'letter';
  if (d.docType === '纪要') return 'minutes';
  if (d.isUpward || d.docType === '请示' || d.docType === '报告') return 'upward';
  return 'file';
}

// ---- the layout ----------------------------------------------------------------------------------

class Pages {
  pages: LayoutPage[] = [];
  page(i: number): LayoutPage {
    while (this.pages.length <= i) this.pages.push({ width: A4_W, height: A4_H, items: [] });
    return this.pages[i];
  }
  text(p: number, piece: Piece, baseline: number): void {
    const chars = [...piece.text];
    if (!chars.length) return;
    const s = piece.style;
    const xs: number[] = [];
    let x = piece.x;
    for (const c of chars) {
      xs.push(x);
      x += advance(c, s) + (s.spacing ?? 0) + (piece.extra ?? 0);
    }
    this.page(p).items.push({ kind: 'text', face: s.face, size: s.size, color: s.color ?? '#000000', y: baseline, text: piece.text, xs });
  }
  /** A filled band drawn as a rule: y is its centre line, t its thickness. */
  rule(p: number, x1: number, x2: number, y: number, t: number, color: string): void {
    this.page(p).items.push({ kind: 'rule', x1, y1: y, x2, y2: y, width: t, color });
  }
  add(p: number, item: LayoutItem): void {
    this.page(p).items.push(item);
  }
}

/** Lays out an official document per GB/T 9704-2012 as positioned marks (see layout.ts). */
export async function layoutOfficialDocument(d: OfficialDocument): Promise<Layout> {
  await prepareFonts();
  const out = new Pages();
  out.page(0);
  const format = formatOf(d);
  const firstLine = format === 'letter' ? letterHead(d, out) : fileHead(d, out, format);
  const rows = mainRows(d, format);
  const placed = paginate(rows, firstLine);

  let lastPage = 0;
  let nextLine = firstLine;
  rows.forEach((r, i) => {
    const at = placed[i];
    if (!at) return;
    for (const piece of r.pieces) out.text(at.page, piece, gridBaseline(at.line, r.size));
    for (const s of r.seals ?? []) {
      // GB/T 9704 §7.3.5.1: the seal presses on 署名 and 成文日期 from above, both sitting a little
      // below its centre: the centre is level with the top of the 署名's em box.
      const sigTop = gridBaseline(at.line) - EM_ASCENT * G.size;
      out.add(at.page, { kind: 'seal-place', organ: s.organ, cx: s.cx, cy: sigTop, diameter: G.sealDiameter });
    }
    if (at.page > lastPage || (at.page === lastPage && at.line + 1 > nextLine)) {
      lastPage = at.page;
      nextLine = at.line + 1;
    }
  });
  out.page(lastPage);

  const unnumbered = new Set<number>();
  if (format === 'letter') unnumbered.add(0); // §10.1: the first page of a 信函 carries no page number
  versionNote(d, format, out, lastPage, nextLine, unnumbered);
  pageNumbers(out, unnumbered);
  return { metadata: d.metadata, pages: out.pages };
}

/** 份号, 密级★期限, 紧急程度 (§7.2.1, §7.2.2): 份号 6 digits, 密级 and 紧急程度 in 黑体. */
function headElements(d: OfficialDocument): [string, Style][] {
  const head: [string, Style][] = [];
  if (d.copyNumber) head.push([d.copyNumber.replace(/\D/g, '').padStart(6, '0').slice(-6), FS]);
  if (d.secrecy && d.secrecy !== '非密') head.push([d.secrecyTerm ? `${d.secrecy}★${d.secrecyTerm}` : d.secrecy, HT]);
  if (d.urgency && d.urgency !== '平急') head.push([d.urgency, HT]);
  return head;
}

/** Draws the red 发文机关标志 (single or joint) with its top edge at `top`; returns its bottom edge. */
function drawMark(d: OfficialDocument, out: Pages, top: number, format: OfficialFormat): number {
  const joint = d.jointIssuers && d.jointIssuers.length > 1 && format !== 'letter' ? d.jointIssuers : null;
  if (!joint) {
    const n = Math.max([...d.issuerMark].length, 1);
    const style: Style = { face: 'xbs', size: Math.min(mm(15), G.width / n), color: G.red, spacing: 0 };
    const w = widthOf(d.issuerMark, style);
    out.text(0, { text: d.issuerMark, style, x: G.left + (G.width - w) / 2 }, top + EM_ASCENT * style.size);
    return top + style.size;
  }
  // 联合行文 (§7.2.3): the organs' names stacked, 主办 first; "文件" right of them, centred on them.
  const suffix = d.markSuffix ?? (format === 'minutes' ? '' : '文件');
  const longest = Math.max(...joint.map((j) => [...j.mark].length));
  const suffixChars = [...suffix].length;
  const gap = suffix ? mm(3) : 0;
  const size = Math.min(mm(15), (G.width - gap) / Math.max(longest + suffixChars, 1));
  const style: Style = { face: 'xbs', size, color: G.red, spacing: 0 };
  const pitch = size * 1.25;
  const namesW = Math.max(...joint.map((j) => widthOf(j.mark, style)));
  const suffixW = widthOf(suffix, style);
  const x0 = G.left + (G.width - namesW - gap - suffixW) / 2;
  joint.forEach((j, i) => {
    // Names of different lengths are spread to the longest so the block is a rectangle.
    const n = [...j.mark].length;
    const extra = n > 1 ? (namesW - widthOf(j.mark, style)) / (n - 1) : 0;
    out.text(0, { text: j.mark, style, x: x0, extra }, top + i * pitch + EM_ASCENT * size);
  });
  const height = (joint.length - 1) * pitch + size;
  if (suffix) out.text(0, { text: suffix, style, x: x0 + namesW + gap }, top + (height - size) / 2 + EM_ASCENT * size);
  return top + height;
}

/** 文件格式, 上行文 and 纪要格式 版头; returns the grid line of the 标题. */
function fileHead(d: OfficialDocument, out: Pages, format: OfficialFormat): number {
  headElements(d).forEach(([text, style], i) => out.text(0, { text, style, x: G.left }, gridBaseline(i)));
  const markBottom = drawMark(d, out, G.top + G.markTop, format);
  // 发文字号 two empty lines below the 标志 (§7.2.4).
  let line = lineAtOrBelow(markBottom) + 2;
  let numberLine = line;
  if (format === 'upward') {
    // 上行文 (§7.2.4, §7.2.6): 发文字号 one character in from the left, "签发人：" + names in 楷体 one
    // character in from the right on the same line; several signers one per line, the number on the last.
    // Several signers: two names a line, left to right and top down, each line starting under the first
    // name of the line above (§7.2.6).
    const signers = d.signers && d.signers.length ? d.signers : [''];
    const label = '签发人：';
    const labelW = widthOf(label, FS) + SPACING;
    const colW = Math.max(...signers.map((s) => widthOf(s, KT))) + CH;
    const perLine = signers.length > 1 ? 2 : 1;
    const nameW = colW * (perLine - 1) + Math.max(...signers.map((s) => widthOf(s, KT)));
    const x0 = RIGHT - CH - nameW - labelW;
    for (let i = 0; i < signers.length; i += perLine) {
      if (i === 0) out.text(0, { text: label, style: FS, x: x0 }, gridBaseline(line));
      signers.slice(i, i + perLine).forEach((s, k) => out.text(0, { text: s, style: KT, x: x0 + labelW + k * colW }, gridBaseline(line)));
      line++;
    }
    numberLine = line - 1;
    out.text(0, { text: d.docNumber, style: FS, x: G.left + CH }, gridBaseline(numberLine));
  } else if (format === 'file') {
    const w = widthOf(d.docNumber, FS);
    out.text(0, { text: d.docNumber, style: FS, x: G.left + (G.width - w) / 2 }, gridBaseline(numberLine));
  }
  // 纪要 (§10.3) has no 发文字号: its separator stays where the 文件格式 puts it, so every 版头 has one height.
  // The red separator 4 mm below the 发文字号's em box, as wide as the 版心 (§7.2.5).
  const numberBottom = gridBaseline(numberLine) + (1 - EM_ASCENT) * G.size;
  const sepY = numberBottom + G.separatorBelow;
  out.rule(0, G.left, RIGHT, sepY, mm(0.5), G.red);
  // 标题 two empty lines below the separator (§7.3.1).
  return lineAtOrBelow(sepY) + 2;
}

/** 信函格式 版头 (§10.1); returns the grid line of the 标题. */
function letterHead(d: OfficialDocument, out: Pages): number {
  const markBottom = drawMark(d, out, G.letterMarkTop, 'letter');
  const ruleX1 = G.left + (G.width - G.letterRuleLength) / 2;
  const ruleX2 = ruleX1 + G.letterRuleLength;
  const thick = mm(0.8);
  const thin = mm(0.3);
  const gap = mm(0.6);
  // First double rule 4 mm below the 标志, thick over thin.
  const r1 = markBottom + mm(4);
  out.rule(0, ruleX1, ruleX2, r1 + thick / 2, thick, G.red);
  out.rule(0, ruleX1, ruleX2, r1 + thick + gap + thin / 2, thin, G.red);
  const ruleBottom = r1 + thick + gap + thin;
  // Second double rule 20 mm above the page's bottom edge, thin over thick.
  const r2 = A4_H - G.letterRuleAboveBottom;
  out.rule(0, ruleX1, ruleX2, r2 - thick / 2, thick, G.red);
  out.rule(0, ruleX1, ruleX2, r2 - thick - gap - thin / 2, thin, G.red);
  // 份号, 密级, 紧急程度 flush left and 发文字号 flush right under the first rule, the first line's em box
  // 7/8 of a 3号 character below it.
  const firstTop = ruleBottom + (7 / 8) * G.size;
  const head = headElements(d);
  let lastBottom = firstTop + G.size;
  head.forEach(([text, style], i) => {
    const top = firstTop + i * LINE;
    out.text(0, { text, style, x: G.left }, top + EM_ASCENT * G.size);
    lastBottom = top + G.size;
  });
  if (d.docNumber) {
    out.text(0, { text: d.docNumber, style: FS, x: RIGHT - widthOf(d.docNumber, FS) }, firstTop + EM_ASCENT * G.size);
  }
  // 标题 two lines below the last of them.
  return lineAtOrBelow(lastBottom) + 2;
}

/** The 主体 as rows: 标题, 主送, 正文, 附件说明, 出席…, 署名, 成文日期, 附注, then the 附件 pages. */
function mainRows(d: OfficialDocument, format: OfficialFormat): Row[] {
  const rows: Row[] = [];
  const blank = (): Row => ({ kind: 'blank', pieces: [], size: G.size });
  // 标题 2号 小标宋, centred, broken only between words (§7.3.1).
  if (d.title) {
    for (const t of breakTitle(d.title, TITLE, G.width - 2 * CH)) {
      const w = widthOf(t, TITLE);
      rows.push({ kind: 'title', pieces: [{ text: t, style: TITLE, x: G.left + (G.width - w) / 2 }], size: G.titleSize });
    }
  }
  // 主送机关 one empty line below the title, flush left, with a full-width colon (§7.3.2).
  const recipients = d.mainRecipients.trim().replace(/[:：]$/, '');
  if (recipients) {
    if (rows.length) rows.push(blank());
    for (const l of breakLines([{ text: `${recipients}：`, style: FS }], G.width)) {
      rows.push({ kind: 'content', pieces: piecesOfLine(l, G.left), size: G.size });
    }
  }
  // 正文 (§7.3.3). A first paragraph that only repeats the 主送 line is dropped.
  let body = paragraphs(d.body);
  if (body.length && recipients && body[0].replace(/[:：]$/, '') === recipients) body = body.slice(1);
  // Without a 主送 (纪要) the 正文 keeps one empty line under the title.
  if (!recipients && rows.length && body.length) rows.push(blank());
  rows.push(...bodyRows(body.join('\n')));

  // 附件说明 one empty line below the 正文, two characters in: "附件：1.名称" (§7.3.4).
  const names = (d.attachments ?? []).map(attachmentName).filter(Boolean);
  if (names.length) {
    rows.push(blank());
    const label = '附件：';
    const labelW = widthOf(label, FS) + SPACING;
    const x0 = G.left + 2 * CH + labelW;
    names.forEach((name, k) => {
      const prefix = names.length > 1 ? `${k + 1}.` : '';
      const prefixW = prefix ? widthOf(prefix, FS) + SPACING : 0;
      breakLines([{ text: name, style: FS }], RIGHT - x0 - prefixW).forEach((l, i) => {
        const pieces: Piece[] = [];
        if (k === 0 && i === 0) pieces.push({ text: label, style: FS, x: G.left + 2 * CH });
        if (i === 0 && prefix) pieces.push({ text: prefix, style: FS, x: x0 });
        pieces.push(...piecesOfLine(l, x0 + prefixW, RIGHT - x0 - prefixW));
        rows.push({ kind: 'content', pieces, size: G.size });
      });
    });
  }

  // 纪要 (§10.3): 出席/请假/列席 one empty line below, two characters in, the label in 黑体 with a
  // full-width colon, the names in 仿宋 aligned after it when they wrap.
  if (format === 'minutes' && d.attendance?.length) {
    rows.push(blank());
    for (const a of d.attendance) {
      const label = `${a.label}：`;
      const x0 = G.left + 2 * CH + widthOf(label, HT) + SPACING;
      breakLines([{ text: a.names, style: FS }], RIGHT - x0).forEach((l, i) => {
        const pieces: Piece[] = [];
        if (i === 0) pieces.push({ text: label, style: HT, x: G.left + 2 * CH });
        pieces.push(...piecesOfLine(l, x0, RIGHT - x0));
        rows.push({ kind: 'content', pieces, size: G.size });
      });
    }
  }

  // 纪要格式 omits 署名, 成文日期 and 印章 (§10.3: 其他要素从略).
  if (format !== 'minutes') rows.push(...signatureRows(d));

  // 附注 one line below the 成文日期, two characters in, in parentheses (§7.3.6).
  if (d.note) {
    const note = `（${d.note.trim().replace(/^[（(]|[）)]$/g, '')}）`;
    breakLines([{ text: note, style: FS }], G.width, 2 * CH).forEach((l, i) => {
      const x = G.left + (i === 0 ? 2 * CH : 0);
      rows.push({ kind: 'note', pieces: piecesOfLine(l, x, RIGHT - x), size: G.size });
    });
  }

  // 附件 (§8): each on a page of its own; "附件" / "附件1" in 3号黑体 on the first line flush left, the
  // title centred on the third line, the text one empty line below.
  const annexes = d.annexes ?? [];
  annexes.forEach((a, k) => {
    rows.push({ kind: 'pagebreak', pieces: [], size: G.size });
    const label = annexes.length > 1 ? `附件${k + 1}` : '附件';
    rows.push({ kind: 'content', pieces: [{ text: label, style: HT, x: G.left }], size: G.size });
    rows.push(blank());
    for (const t of breakTitle(a.title, TITLE, G.width - 2 * CH)) {
      const w = widthOf(t, TITLE);
      rows.push({ kind: 'title', pieces: [{ text: t, style: TITLE, x: G.left + (G.width - w) / 2 }], size: G.titleSize });
    }
    if (a.body) {
      rows.push(blank());
      rows.push(...bodyRows(a.body));
    }
  });
  return rows;
}

/** 署名, 成文日期 and the seal places (§7.3.5). */
function signatureRows(d: OfficialDocument): Row[] {
  const rows: Row[] = [];
  const date = chineseDate(d.date);
  const dateW = widthOf(date, FS);
  const organs = d.jointIssuers && d.jointIssuers.length > 1 ? d.jointIssuers.map((j) => j.signature) : [d.signatureUnit];
  const blank = (): Row => ({ kind: 'sig', pieces: [], size: G.size });
  if (d.sealed) {
    // §7.3.5.1: 成文日期 右空四字; the 署名 centred over it; seals one per organ, never touching, the last
    // pressing on the last 署名 and the date; the first row's top within one line of the 正文.
    rows.push(blank(), blank());
    const dateX = RIGHT - 4 * CH - dateW;
    const cxRight = dateX + dateW / 2;
    const cxLeft = cxRight - G.sealDiameter - mm(14);
    const rowsOf: string[][] = [];
    const rest = [...organs];
    // Two seals a row; an odd count leaves the first row with one so the last row ends over the date.
    if (rest.length % 2 === 1) rowsOf.push([rest.shift()!]);
    while (rest.length) rowsOf.push(rest.splice(0, 2));
    rowsOf.forEach((names, r) => {
      const row: Row = { kind: 'sig', pieces: [], size: G.size, seals: [] };
      const slots = names.length === 2 ? [cxLeft, cxRight] : [cxRight];
      names.forEach((name, i) => {
        const w = widthOf(name, FS);
        row.pieces.push({ text: name, style: FS, x: slots[i] - w / 2 });
        row.seals!.push({ organ: name, cx: slots[i] });
      });
      rows.push(row);
      // Rows of seals 5 lines apart (a 42 mm seal spans 4.1 lines) so they neither cross nor touch.
      if (r < rowsOf.length - 1) rows.push(blank(), blank(), blank(), blank());
    });
    rows.push({ kind: 'sig', pieces: [{ text: date, style: FS, x: dateX }], size: G.size });
    return rows;
  }
  // §7.3.5.2 (no seal): one empty line, 署名 右空二字; the date on the next line starts two characters
  // right of the 署名's first character unless it is longer, then it ends 右空二字 and the 署名 moves
  // with it. 联合行文: the 主办 organ's 署名 first, the others below it.
  rows.push(blank());
  const sigW = Math.max(...organs.map((o) => widthOf(o, FS)));
  let sigX = RIGHT - 2 * CH - sigW;
  let dateX = sigX + 2 * CH;
  if (dateX + dateW > RIGHT - 2 * CH) {
    dateX = RIGHT - 2 * CH - dateW;
    sigX = dateX - 2 * CH;
  }
  for (const o of organs) {
    // Shorter names end where the longest ends.
    const x = sigX + sigW - widthOf(o, FS);
    rows.push({ kind: 'sig', pieces: [{ text: o, style: FS, x }], size: G.size, seals: [{ organ: o, cx: x + widthOf(o, FS) / 2 }] });
  }
  rows.push({ kind: 'sig', pieces: [{ text: date, style: FS, x: dateX }], size: G.size });
  return rows;
}

interface Place {
  page: number;
  line: number;
}

/**
 * Puts rows on grid lines, page after page. A blank row at the top of a page is dropped. The 署名 block
 * (its empty lines, 署名, 成文日期) stays on one page and never opens a page alone: when it would, the
 * last line of the 正文 (or 附件说明) goes over with it.
 */
function paginate(rows: Row[], firstLine: number): (Place | null)[] {
  const breakBefore = new Set<number>();
  const sigStart = rows.findIndex((r) => r.kind === 'sig');
  for (let attempt = 0; attempt < 3; attempt++) {
    const placed = paginateOnce(rows, firstLine, breakBefore);
    if (placed) return placed;
    // Pull the last content line before the 署名 block over to the next page with it.
    let k = sigStart - 1;
    while (k >= 0 && rows[k].kind !== 'content' && rows[k].kind !== 'title') k--;
    if (k <= 0 || breakBefore.has(k)) breakBefore.add(sigStart);
    else breakBefore.add(k);
  }
  return paginateOnce(rows, firstLine, breakBefore, true)!;
}

function paginateOnce(rows: Row[], firstLine: number, breakBefore: Set<number>, force = false): (Place | null)[] | null {
  const placed: (Place | null)[] = [];
  let page = 0;
  let line = firstLine;
  let ok = true;
  const sigStart = rows.findIndex((r) => r.kind === 'sig');
  let sigEnd = sigStart;
  while (sigEnd + 1 < rows.length && rows[sigEnd + 1].kind === 'sig') sigEnd++;
  rows.forEach((r, i) => {
    if (r.kind === 'pagebreak') {
      page++;
      line = 0;
      placed.push(null);
      return;
    }
    if (breakBefore.has(i) && line > 0) {
      page++;
      line = 0;
    }
    if (i === sigStart && line + (sigEnd - sigStart + 1) > G.lines) ok = false;
    if (line >= G.lines) {
      page++;
      line = 0;
    }
    if ((r.kind === 'blank' || (r.kind === 'sig' && !r.pieces.length)) && line === 0 && page > 0) {
      placed.push(null);
      return;
    }
    placed.push({ page, line });
    line++;
  });
  return ok || force ? placed : null;
}

/**
 * 版记 (§7.4) at the foot of the last page, which must be an even page (the back of the last sheet):
 * 抄送 (4号, one character in each side) and 印发机关/印发日期 between rules of 0.35 mm (first, last) and
 * 0.25 mm (between), the last rule on the 版心's bottom edge. When the body ends on an odd page the 版记
 * goes on the next page; when it does not fit under a body ending on an even page, a blank page comes
 * first, and then neither page is numbered (§7.5). 信函 (§10.1): no rules, no 印发 line.
 */
function versionNote(
  d: OfficialDocument,
  format: OfficialFormat,
  out: Pages,
  lastPage: number,
  nextLine: number,
  unnumbered: Set<number>,
): void {
  const cc = d.cc ?? [];
  const letter = format === 'letter';
  const vs = G.versionNoteSize;
  const label = '抄送：';
  const labelW = widthOf(label, VN);
  const ccLines = cc.length ? breakLines([{ text: `${cc.join('，')}。`, style: VN }], G.width - 2 * vs - labelW) : [];
  const n = ccLines.length + (letter ? 0 : 1);
  if (n === 0) return;
  let page = nextLine + n <= G.lines ? lastPage : lastPage + 1;
  if (page % 2 === 0) {
    // Page index 0 is page 1: an even index is an odd page number.
    page++;
    if (page - 1 > lastPage) {
      unnumbered.add(page - 1);
      unnumbered.add(page);
    }
  }
  out.page(page);
  const firstCell = G.lines - n;
  if (!letter) out.rule(page, G.left, RIGHT, G.top + firstCell * LINE, mm(0.35), '#000000');
  ccLines.forEach((l, i) => {
    const b = gridBaseline(firstCell + i, vs);
    if (i === 0) out.text(page, { text: label, style: VN, x: G.left + vs }, b);
    for (const p of piecesOfLine(l, G.left + vs + labelW, G.width - 2 * vs - labelW)) out.text(page, p, b);
  });
  if (letter) return;
  if (ccLines.length) out.rule(page, G.left, RIGHT, G.top + (G.lines - 1) * LINE, mm(0.25), '#000000');
  const printed = `${chineseDate(d.printingDate)}印发`;
  const pb = gridBaseline(G.lines - 1, vs);
  out.text(page, { text: d.printingOrgan, style: VN, x: G.left + vs }, pb);
  out.text(page, { text: printed, style: VN, x: RIGHT - vs - widthOf(printed, VN) }, pb);
  out.rule(page, G.left, RIGHT, BOTTOM, mm(0.35), '#000000');
}

/** 页码 "— n —" (§7.5): 4号, the dashes 7 mm below the 版心; odd pages right, even pages left, one character in. */
function pageNumbers(out: Pages, unnumbered: Set<number>): void {
  const PN: Style = { face: 'fs', size: G.pageNumberSize, spacing: 0 };
  out.pages.forEach((_p, i) => {
    if (unnumbered.has(i)) return;
    const n = i + 1;
    const text = `— ${n} —`;
    const w = widthOf(text, PN);
    const x = n % 2 === 1 ? RIGHT - PN.size - w : G.left + PN.size;
    const baseline = BOTTOM + G.pageNumberBelow + (EM_ASCENT - 0.5) * PN.size;
    out.text(i, { text, style: PN, x }, baseline);
  });
}
