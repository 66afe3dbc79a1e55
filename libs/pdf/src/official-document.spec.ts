import { renderOfficialDocument } from './official-document';
import { Extracted, extractPdf, linesOf, TextLine, toMm } from './testing/extract';
import { sampleDocument } from './testing/samples';

const TOL = 1.5; // mm
const LINE_MM = 225 / 22;
const CH3_MM = 156 / 28; // nominal character step of 3号 body text
const CH4_MM = (14 * 25.4) / 72; // one 4号 character
const emTop = (l: TextLine) => toMm(l.baseline - 0.88 * l.size);
const emBottom = (l: TextLine) => toMm(l.baseline + 0.12 * l.size);
const emMiddle = (l: TextLine) => (emTop(l) + emBottom(l)) / 2;
const compact = (s: string) => s.replace(/\s+/g, '');
const isPageNumber = (l: TextLine) => /^—\s*\d+\s*—$/.test(l.text);
/** All text in reading order without page numbers, so paragraphs read on across page breaks. */
const textOf = (pdf: Extracted) =>
  compact(
    pdf.pages
      .flatMap((p) => linesOf(p).filter((l) => !isPageNumber(l)))
      .map((l) => l.text)
      .join(''),
  );

function find(pdf: Extracted, text: string, page?: number): TextLine {
  for (const p of pdf.pages) {
    if (page && p.number !== page) continue;
    const hit = linesOf(p).find((l) => compact(l.text).includes(compact(text)));
    if (hit) return hit;
  }
  throw new Error(`text not found: ${text}`);
}

describe('renderOfficialDocument (GB/T 9704-2012)', () => {
  const doc = sampleDocument(4);
  let pdf: Extracted;
  let all: string;

  beforeAll(async () => {
    pdf = extractPdf(await renderOfficialDocument(doc));
    all = textOf(pdf);
  }, 60000);

  it('prints every element of the 版头, 主体 and 版记', () => {
    for (const t of [
      '000123',
      '秘密★1年',
      '特急',
      '自然资源部文件',
      '自然资发〔2026〕3号',
      doc.title,
      `${doc.mainRecipients}：`,
      '附件：1.政务办公平台建设任务分工表',
      '2.全国自然资源政务办公平台应用推广工作方案（试行）及各省级单位联络人名单',
      '自然资源部',
      '2026年3月5日',
      '（此件公开发布）',
      '抄送：国务院办公厅，国家发展改革委，财政部，各省、自治区、直辖市人民政府办公厅。',
      '自然资源部办公厅',
      '2026年3月6日印发',
    ]) {
      expect(all).toContain(compact(t));
    }
    for (const p of doc.body.split('\n')) expect(all).toContain(compact(p));
    expect(pdf.pages.length).toBeGreaterThanOrEqual(3);
  });

  it('puts the 版头 on the grid: 份号, 密级, 紧急程度 flush left on lines 1–3', () => {
    ['000123', '秘密★1年', '特急'].forEach((t, i) => {
      const l = find(pdf, t, 1);
      expect(toMm(l.x)).toBeCloseTo(28, 0);
      // em box centred in grid line i (0-based): top = 37 + i·pitch + (pitch − 16 pt)/2
      expect(Math.abs(emTop(l) - (37 + i * LINE_MM + (LINE_MM - toMm(16)) / 2))).toBeLessThan(TOL);
    });
  });

  it('places the red 标志 35 mm below the 版心 top, the 发文字号 two lines below it and the red line 4 mm below that', () => {
    const mark = find(pdf, '自然资源部文件', 1);
    expect(Math.abs(emTop(mark) - (37 + 35))).toBeLessThan(TOL);
    expect(Math.abs(toMm((mark.x + mark.right) / 2) - 106)).toBeLessThan(TOL);
    const num = find(pdf, '自然资发〔2026〕3号', 1);
    expect(emTop(num) - emBottom(mark)).toBeGreaterThan(2 * LINE_MM - TOL);
    expect(emTop(num) - emBottom(mark)).toBeLessThan(3 * LINE_MM + TOL);
    expect(Math.abs(toMm((num.x + num.right) / 2) - 106)).toBeLessThan(TOL);
    const red = pdf.pages[0].shapes.filter((s) => s.fill?.toLowerCase() === '#e60012');
    expect(red).toHaveLength(1);
    const sepMm = toMm((red[0].top + red[0].bottom) / 2);
    expect(Math.abs(sepMm - (emBottom(num) + 4))).toBeLessThan(TOL);
    expect(toMm(red[0].x0)).toBeCloseTo(28, 1);
    expect(toMm(red[0].x1)).toBeCloseTo(184, 1);
    // 标题 two lines below the line, 2号, centred; 主送 one line below the title, flush left.
    // The title breaks only between words: "自然资源部关于 / 推进…建设 / 与应用工作的通知".
    const title = find(pdf, '自然资源部关于', 1);
    expect(compact(title.text)).toBe('自然资源部关于');
    expect(title.size).toBeCloseTo(22, 1);
    expect(emTop(title) - sepMm).toBeGreaterThan(2 * LINE_MM - TOL);
    expect(emTop(title) - sepMm).toBeLessThan(3 * LINE_MM + TOL);
    expect(Math.abs(toMm((title.x + title.right) / 2) - 106)).toBeLessThan(TOL);
    const lastTitle = find(pdf, '工作的通知', 1);
    const recipients = find(pdf, '各省、自治区', 1);
    expect(emMiddle(recipients) - emMiddle(lastTitle)).toBeCloseTo(2 * LINE_MM, 1);
    expect(toMm(recipients.x)).toBeCloseTo(28, 1);
  });

  it('fills a body page with 22 lines of 28 characters from 订口 28 mm and 天头 37 mm', () => {
    const page2 = linesOf(pdf.pages[1]).filter((l) => l.size === 16);
    expect(page2).toHaveLength(22);
    expect(Math.abs(emTop(page2[0]) - (37 + (LINE_MM - toMm(16)) / 2))).toBeLessThan(TOL);
    expect(emTop(page2[0])).toBeGreaterThanOrEqual(37);
    expect(emBottom(page2[21])).toBeLessThanOrEqual(262);
    for (let i = 1; i < page2.length; i++) {
      expect(toMm(page2[i].baseline - page2[i - 1].baseline)).toBeCloseTo(LINE_MM, 1);
    }
    const full = page2.filter((l) => [...l.text].length === 28);
    expect(full.length).toBeGreaterThan(10);
    for (const l of full) {
      expect(Math.abs(toMm(l.x) - 28)).toBeLessThan(TOL);
      expect(Math.abs(toMm(l.right) - 184)).toBeLessThan(TOL);
    }
    // Paragraph starts are indented two characters.
    const starts = page2.filter((l) => l.text.startsWith('为贯彻'));
    expect(starts.length).toBeGreaterThan(0);
    for (const l of starts) expect(Math.abs(toMm(l.x) - (28 + 2 * CH3_MM))).toBeLessThan(TOL);
  });

  it('right-aligns 署名 and 成文日期 per 7.3.5.2 and writes the date with Arabic numerals without leading zeros', () => {
    const date = find(pdf, '2026年3月5日');
    const sig = pdf.pages
      .flatMap((p) => linesOf(p))
      .find((l) => l.text === '自然资源部' && Math.abs(l.baseline - date.baseline + (LINE_MM * 72) / 25.4) < 1)!;
    expect(sig).toBeDefined();
    // The date is longer than the 署名: it ends two characters from the right, the 署名 starts two characters left of it.
    expect(Math.abs(toMm(date.right) - (184 - 2 * CH3_MM))).toBeLessThan(TOL);
    expect(Math.abs(toMm(date.x - sig.x) - 2 * CH3_MM)).toBeLessThan(TOL);
    expect(all).not.toContain('2026年03月');
  });

  it('closes with the 版记 between 0.35/0.25/0.35 mm rules, the last on the 版心 bottom of the last page', () => {
    const last = pdf.pages[pdf.pages.length - 1];
    const rules = last.shapes.filter((s) => s.fill === '#000000' && toMm(s.x1 - s.x0) > 150).sort((a, b) => a.top - b.top);
    expect(rules).toHaveLength(3);
    expect(toMm(rules[0].bottom - rules[0].top)).toBeCloseTo(0.35, 1);
    expect(toMm(rules[1].bottom - rules[1].top)).toBeCloseTo(0.25, 1);
    expect(toMm(rules[2].bottom - rules[2].top)).toBeCloseTo(0.35, 1);
    expect(Math.abs(toMm((rules[2].top + rules[2].bottom) / 2) - 262)).toBeLessThan(0.5);
    const cc = find(pdf, '抄送：', last.number);
    expect(cc.size).toBe(14);
    expect(Math.abs(toMm(cc.x) - (28 + CH4_MM))).toBeLessThan(TOL);
    expect(cc.baseline).toBeGreaterThan(rules[0].bottom);
    expect(cc.baseline).toBeLessThan(rules[1].top);
    const organ = find(pdf, '自然资源部办公厅', last.number);
    expect(Math.abs(toMm(organ.x) - (28 + CH4_MM))).toBeLessThan(TOL);
    const printed = find(pdf, '2026年3月6日印发', last.number);
    expect(Math.abs(toMm(printed.right) - (184 - CH4_MM))).toBeLessThan(TOL);
    expect(printed.baseline).toBeGreaterThan(rules[1].bottom);
    expect(printed.baseline).toBeLessThan(rules[2].top);
  });

  it('numbers pages "— n —" 7 mm below the 版心, odd pages right and even pages left, one character in', () => {
    for (const p of pdf.pages) {
      const num = linesOf(p).find(isPageNumber);
      expect(num?.text.replace(/\s/g, '')).toBe(`—${p.number}—`);
      expect(num!.size).toBe(14);
      // the dashes sit at the middle of the em box
      const middle = toMm(num!.baseline - 0.38 * num!.size);
      expect(Math.abs(middle - (262 + 7))).toBeLessThan(TOL);
      if (p.number % 2 === 1) expect(Math.abs(toMm(num!.right) - (184 - CH4_MM))).toBeLessThan(TOL);
      else expect(Math.abs(toMm(num!.x) - (28 + CH4_MM))).toBeLessThan(TOL);
    }
  });

  it('embeds font subsets and carries the metadata', () => {
    expect(pdf.fonts.length).toBeGreaterThanOrEqual(3);
    for (const f of pdf.fonts) expect(f).toMatch(/^[A-Z]{6}\+/);
    expect(pdf.info.Title).toBe(doc.metadata.title);
    expect(pdf.info.Author).toBe('自然资源部');
    expect(pdf.info.Subject).toBe('公文');
    expect(pdf.info.Keywords).toBe('政务办公, 通知');
    // 2026-03-05 in Beijing = 2026-03-04T16:00Z
    expect(pdf.info.CreationDate).toMatch(/^D:20260304160000/);
  });
});

describe('renderOfficialDocument variants', () => {
  it('lays out an upward document: 标志 35 mm down (GB/T 9704-2012; 80 mm was the 1999 rule), 发文字号 one character in, 签发人 one character from the right', async () => {
    const doc = sampleDocument(0, {
      isUpward: true,
      signers: ['张三'],
      copyNumber: undefined,
      secrecy: '非密',
      urgency: '平急',
      issuerMark: '江苏省自然资源厅文件',
      docNumber: '苏自然资〔2026〕12号',
      title: '江苏省自然资源厅关于申请开展政务办公平台试点的请示',
      mainRecipients: '自然资源部',
      cc: [],
      attachments: [],
      note: undefined,
    });
    const pdf = extractPdf(await renderOfficialDocument(doc));
    const text = compact(
      linesOf(pdf.pages[0])
        .map((l) => l.text)
        .join(''),
    );
    expect(text).not.toContain('非密');
    expect(text).not.toContain('平急');
    const mark = find(pdf, '江苏省自然资源厅文件', 1);
    expect(Math.abs(emTop(mark) - (37 + 35))).toBeLessThan(TOL);
    const line = find(pdf, '苏自然资〔2026〕12号', 1);
    expect(compact(line.text)).toBe('苏自然资〔2026〕12号签发人：张三');
    expect(Math.abs(toMm(line.x) - (28 + CH3_MM))).toBeLessThan(TOL);
    expect(Math.abs(toMm(line.right) - (184 - CH3_MM))).toBeLessThan(TOL);
    // No 抄送: two rules only, around the 印发 line.
    const last = pdf.pages[pdf.pages.length - 1];
    expect(last.shapes.filter((s) => s.fill === '#000000')).toHaveLength(2);
    expect(text).not.toContain('抄送');
  });

  it('flows a long body over many pages, keeping every paragraph whole in reading order', async () => {
    const doc = sampleDocument(9, { attachments: [] });
    const pdf = extractPdf(await renderOfficialDocument(doc));
    expect(pdf.pages.length).toBeGreaterThanOrEqual(7);
    const body = textOf(pdf);
    let from = 0;
    for (const p of doc.body.split('\n')) {
      const at = body.indexOf(compact(p), from);
      expect(at).toBeGreaterThanOrEqual(from);
      from = at + compact(p).length;
    }
    // Every page between the first and the one where the body ends is full, but the one whose last line
    // went over to keep the 署名 company.
    const sigPage = pdf.pages.find((p) => linesOf(p).some((l) => l.text === '2026年3月5日'))!;
    for (const p of pdf.pages.slice(1, sigPage.number - 2)) {
      const body16 = linesOf(p).filter((l) => l.size === 16);
      expect(body16).toHaveLength(22);
    }
  }, 60000);

  it('puts the 版记 on an even page: a blank page first when it does not fit under a body ending on page 2, neither numbered', async () => {
    // 23 one-line paragraphs end the body so low on page 2 that the 版记 does not fit under it.
    const body = Array.from({ length: 23 }, (_, i) => `第${i + 1}段，本段只有一行文字。`).join('\n');
    const pdf = extractPdf(await renderOfficialDocument(sampleDocument(0, { body, attachments: [], note: undefined })));
    expect(pdf.pages).toHaveLength(4);
    expect(linesOf(pdf.pages[2])).toHaveLength(0);
    const last = linesOf(pdf.pages[3]);
    expect(last.every((l) => l.size === 14)).toBe(true);
    expect(last.some(isPageNumber)).toBe(false);
    expect(compact(last.map((l) => l.text).join(''))).toContain('2026年3月6日印发');
    expect(linesOf(pdf.pages[1]).find(isPageNumber)?.text.replace(/\s/g, '')).toBe('—2—');
  }, 60000);
});
