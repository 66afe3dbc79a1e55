import { breakLines, chineseDate, createPdf, drawLine, EM_ASCENT, Line, mm, putText, Run, textWidth, TextStyle } from './doc';
import { OfficialDocument } from './types';

/**
 * GB/T 9704-2012 geometry. The 版心 is a grid of 22 lines × 28 characters of 3号 (16 pt): the line
 * pitch is 225 mm / 22 and the character spacing is chosen so 28 full-width characters run exactly
 * from the left to the right edge of the 156 mm 版心. Text sits vertically centred in its grid line.
 */
export const GBT9704 = {
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
  pageNumberBelow: mm(7),
  separatorBelow: mm(4),
  markTop: mm(35),
  markTopUpward: mm(80),
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

const FS: TextStyle = { face: 'fs', size: G.size, spacing: SPACING };
const HT: TextStyle = { face: 'ht', size: G.size, spacing: SPACING };
const KT: TextStyle = { face: 'kt', size: G.size, spacing: SPACING };

/** Baseline of grid line `i` (0-based) for text of `size`: the em box is centred in the line. */
export function gridBaseline(i: number, size: number = G.size): number {
  return G.top + i * LINE + (LINE - size) / 2 + EM_ASCENT * size;
}

/** Splits a paragraph into styled runs: "一、…" heading in 黑体, "（一）…" in 楷体 up to the first 。. */
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

export async function renderOfficialDocument(d: OfficialDocument): Promise<Buffer> {
  const { doc, finish } = createPdf(d.metadata);
  /** Grid line index on the current page; 22 means the page is full. */
  let line = 0;
  let page = 0;
  const unnumbered = new Set<number>();

  const nextPage = () => {
    doc.addPage({ size: 'A4', margin: 0 });
    page++;
    line = 0;
  };
  const take = (): number => {
    if (line >= G.lines) nextPage();
    return line++;
  };
  const skip = (n: number) => {
    line += n;
    if (line > G.lines) line = G.lines;
  };
  /** Lays broken lines onto the grid, one per grid line, flowing across pages. */
  const flow = (lines: Line[], x: (l: Line, i: number) => number, justify = true) => {
    lines.forEach((l, i) => {
      const at = take();
      const left = x(l, i);
      drawLine(doc, l, left, gridBaseline(at), justify ? RIGHT - left : undefined);
    });
  };

  // 版头: 份号, 密级★期限, 紧急程度 on the first lines, flush left.
  const head: [string, TextStyle][] = [];
  if (d.copyNumber) head.push([d.copyNumber, FS]);
  if (d.secrecy && d.secrecy !== '非密') head.push([d.secrecyTerm ? `${d.secrecy}★${d.secrecyTerm}` : d.secrecy, HT]);
  if (d.urgency && d.urgency !== '平急') head.push([d.urgency, HT]);
  for (const [text, style] of head) putText(doc, text, G.left, gridBaseline(take()), style);

  // 发文机关标志: red, centred, its top edge 35 mm (上行文 80 mm) below the 版心 top.
  const markChars = [...d.issuerMark].length;
  const markStyle: TextStyle = { face: 'xbs', size: Math.min(mm(15), G.width / Math.max(markChars, 1)), color: G.red };
  const markTop = G.top + (d.isUpward ? G.markTopUpward : G.markTop);
  const markW = textWidth(doc, d.issuerMark, markStyle);
  putText(doc, d.issuerMark, G.left + (G.width - markW) / 2, markTop + EM_ASCENT * markStyle.size, markStyle);
  const markBottom = markTop + markStyle.size;

  // 发文字号 two empty lines below the 标志; 上行文: number one character in from the left,
  // 签发人 one character in from the right, several signers on lines of their own above it.
  line = Math.ceil((markBottom - G.top) / LINE - 1e-6) + 2;
  let numberLine: number;
  if (d.isUpward) {
    const signers = d.signers && d.signers.length ? d.signers : [''];
    const label = '签发人：';
    const labelW = textWidth(doc, label, FS) + SPACING;
    const nameW = Math.max(...signers.map((s) => textWidth(doc, s, KT)));
    const x0 = RIGHT - CH - nameW - labelW;
    signers.forEach((s, i) => {
      const at = take();
      if (i === 0) putText(doc, label, x0, gridBaseline(at), FS);
      putText(doc, s, x0 + labelW, gridBaseline(at), KT);
    });
    numberLine = line - 1;
    putText(doc, d.docNumber, G.left + CH, gridBaseline(numberLine), FS);
  } else {
    numberLine = take();
    const w = textWidth(doc, d.docNumber, FS);
    putText(doc, d.docNumber, G.left + (G.width - w) / 2, gridBaseline(numberLine), FS);
  }

  // The red separator 4 mm below the 发文字号 (below its em box), as wide as the 版心.
  const numberBottom = gridBaseline(numberLine) + (1 - EM_ASCENT) * G.size;
  const sepY = numberBottom + G.separatorBelow;
  const sepThickness = mm(0.5);
  doc
    .save()
    .rect(G.left, sepY - sepThickness / 2, G.width, sepThickness)
    .fill(G.red)
    .restore();

  // 标题 two empty lines below the separator, 2号 小标宋, centred, wrapped.
  line = Math.ceil((sepY - G.top) / LINE - 1e-6) + 2;
  const titleStyle: TextStyle = { face: 'xbs', size: G.titleSize, spacing: 0 };
  for (const l of breakLines(doc, [{ text: d.title, style: titleStyle }], G.width - 2 * CH)) {
    const at = take();
    putText(doc, l.runs.map((r) => r.text).join(''), G.left + (G.width - l.width) / 2, gridBaseline(at, G.titleSize), titleStyle);
  }

  // 主送机关 one empty line below the title, flush left, with a full-width colon.
  skip(1);
  const recipients = d.mainRecipients.replace(/[:：]$/, '') + '：';
  flow(breakLines(doc, [{ text: recipients, style: FS }], G.width), () => G.left, false);

  // 正文: paragraphs indented two characters.
  for (const p of d.body
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    flow(breakLines(doc, paragraphRuns(p), G.width, 2 * CH), (_l, i) => G.left + (i === 0 ? 2 * CH : 0));
  }

  // 附件说明: one empty line, two characters in, "附件：1.名称"; wrapped names align with the name.
  const attachments = d.attachments ?? [];
  if (attachments.length) {
    skip(1);
    const label = '附件：';
    const labelW = textWidth(doc, label, FS) + SPACING;
    attachments.forEach((name, k) => {
      const prefix = attachments.length > 1 ? `${k + 1}.` : '';
      const prefixW = prefix ? textWidth(doc, prefix, FS) + SPACING : 0;
      const x0 = G.left + 2 * CH + labelW;
      const lines = breakLines(doc, [{ text: name.replace(/[。；，]$/, ''), style: FS }], RIGHT - x0 - prefixW);
      lines.forEach((l, i) => {
        const at = take();
        if (k === 0 && i === 0) putText(doc, label, G.left + 2 * CH, gridBaseline(at), FS);
        if (i === 0 && prefix) putText(doc, prefix, x0, gridBaseline(at), FS);
        drawLine(doc, l, x0 + prefixW, gridBaseline(at), RIGHT - x0 - prefixW);
      });
    });
  }

  // 署名 and 成文日期 (no seal): one empty line, 署名 two characters from the right; the date on the
  // next line starts two characters right of the 署名 unless it is longer, then it ends two
  // characters from the right and the 署名 moves right with it (GB/T 9704 7.3.5.2).
  skip(1);
  const date = chineseDate(d.date);
  const sigW = textWidth(doc, d.signatureUnit, FS);
  const dateW = textWidth(doc, date, FS);
  let sigX = RIGHT - 2 * CH - sigW;
  let dateX = sigX + 2 * CH;
  if (dateX + dateW > RIGHT - 2 * CH) {
    dateX = RIGHT - 2 * CH - dateW;
    sigX = dateX - 2 * CH;
  }
  // Keep 署名 and date on one page.
  if (line + 2 > G.lines) nextPage();
  putText(doc, d.signatureUnit, sigX, gridBaseline(take()), FS);
  putText(doc, date, dateX, gridBaseline(take()), FS);

  // 附注 on the next line, two characters in, in parentheses.
  if (d.note) {
    const note = `（${d.note.replace(/^[（(]|[）)]$/g, '')}）`;
    flow(breakLines(doc, [{ text: note, style: FS }], G.width, 2 * CH), (_l, i) => G.left + (i === 0 ? 2 * CH : 0));
  }

  // 版记 at the foot of the last page: 抄送 (4号, one character in each side) and 印发机关/日期
  // between rules of 0.35 mm (first, last) and 0.25 mm (between); the last rule on the 版心 bottom.
  const vs = G.versionNoteSize;
  const VN: TextStyle = { face: 'fs', size: vs, spacing: 0 };
  const cc = d.cc ?? [];
  const ccLines: Line[] = [];
  if (cc.length) {
    const label = '抄送：';
    const labelW = textWidth(doc, label, VN);
    const lines = breakLines(doc, [{ text: `${cc.join('，')}。`, style: VN }], G.width - 2 * vs - labelW);
    ccLines.push(...lines);
  }
  const noteLines = ccLines.length + 1;
  if (line + noteLines > G.lines) {
    nextPage();
    // A page holding only the 版记 carries no page number (GB/T 9704 7.5).
    unnumbered.add(page);
  }
  const firstCell = G.lines - noteLines;
  const rule = (y: number, t: number) =>
    doc
      .save()
      .rect(G.left, y - t / 2, G.width, t)
      .fill('#000000')
      .restore();
  rule(G.top + firstCell * LINE, mm(0.35));
  const ccLabelW = textWidth(doc, '抄送：', VN);
  ccLines.forEach((l, i) => {
    const b = gridBaseline(firstCell + i, vs);
    if (i === 0) putText(doc, '抄送：', G.left + vs, b, VN);
    drawLine(doc, l, G.left + vs + ccLabelW, b, G.width - 2 * vs - ccLabelW);
  });
  if (ccLines.length) rule(G.top + (G.lines - 1) * LINE, mm(0.25));
  const printed = `${chineseDate(d.printingDate)}印发`;
  const pb = gridBaseline(G.lines - 1, vs);
  putText(doc, d.printingOrgan, G.left + vs, pb, VN);
  putText(doc, printed, RIGHT - vs - textWidth(doc, printed, VN), pb, VN);
  rule(BOTTOM, mm(0.35));

  // 页码 "— n —", 4号, the dashes 7 mm below the 版心; odd pages right, even pages left, one character in.
  const range = doc.bufferedPageRange();
  const PN: TextStyle = { face: 'fs', size: G.pageNumberSize, spacing: 0 };
  for (let p = range.start; p < range.start + range.count; p++) {
    if (unnumbered.has(p)) continue;
    doc.switchToPage(p);
    const n = p + 1;
    const text = `— ${n} —`;
    const w = textWidth(doc, text, PN);
    const x = n % 2 === 1 ? RIGHT - PN.size - w : G.left + PN.size;
    const baseline = BOTTOM + G.pageNumberBelow + (EM_ASCENT - 0.5) * PN.size;
    putText(doc, text, x, baseline, PN);
  }
  return finish();
}
