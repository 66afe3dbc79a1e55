import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LayoutItem, LayoutSealPlace } from './layout';
import { breakTitle, layoutOfficialDocument, renderOfficialDocument } from './official-document';
import { comparePicture, Extracted, extractPdf, ExtractedPage, linesOf, TextLine, toMm } from './testing/extract';
import { jointSample, sampleDocument, templateSamples } from './testing/samples';
import { OfficialDocument } from './types';

/**
 * Every template against GB/T 9704-2012, measured from the PDF's text boxes and shapes as pdfjs-dist
 * reads them back: positions within ±0.5 mm of what the standard gives.
 */
const TOL = 0.5; // mm
const LINE = 225 / 22;
const CH = 156 / 28;
const CH4 = (14 * 25.4) / 72;
const EM3 = (16 * 25.4) / 72;
/** em box top of grid line i (0-based): the 3号 em box centred in the line. */
const gridTop = (i: number, sizePt = 16) => 37 + i * LINE + (LINE - (sizePt * 25.4) / 72) / 2;
const emTop = (l: TextLine) => toMm(l.baseline - 0.88 * l.size);
const emBottom = (l: TextLine) => toMm(l.baseline + 0.12 * l.size);
const emMiddle = (l: TextLine) => (emTop(l) + emBottom(l)) / 2;
const centre = (l: TextLine) => toMm((l.x + l.right) / 2);
const compact = (s: string) => s.replace(/\s+/g, '');
const isPageNumber = (l: TextLine) => /^—\s*\d+\s*—$/.test(l.text);
const near = (actual: number, expected: number, tol = TOL) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol);

function find(pdf: Extracted, text: string, page?: number): TextLine {
  for (const p of pdf.pages) {
    if (page && p.number !== page) continue;
    const hit = linesOf(p).find((l) => compact(l.text).includes(compact(text)));
    if (hit) return hit;
  }
  throw new Error(`text not found: ${text}`);
}
const pageText = (p: ExtractedPage) =>
  compact(
    linesOf(p)
      .map((l) => l.text)
      .join(''),
  );
const red = (p: ExtractedPage) => p.shapes.filter((s) => s.fill?.toLowerCase() === '#e60012').sort((a, b) => a.top - b.top);
const black = (p: ExtractedPage) => p.shapes.filter((s) => s.fill === '#000000' && toMm(s.x1 - s.x0) > 150);

const samples = templateSamples();
const rendered = new Map<string, Buffer>();
const read = new Map<string, Extracted>();
const all: [string, OfficialDocument][] = [...Object.entries(samples), ['lianhe', jointSample()]];

beforeAll(async () => {
  for (const [k, d] of all) {
    const pdf = await renderOfficialDocument(d);
    rendered.set(k, pdf);
    read.set(k, extractPdf(pdf));
  }
}, 120000);

describe('文件格式 (通知, 通报, 意见, 决定)', () => {
  it('puts 份号 (6 digits), 密级★期限 and 紧急程度 on grid lines 1–3 flush left (§7.2.1, §7.2.2)', () => {
    const pdf = read.get('tongzhi')!;
    ['000123', '秘密★1年', '特急'].forEach((t, i) => {
      const l = find(pdf, t, 1);
      near(toMm(l.x), 28);
      near(emTop(l), gridTop(i));
    });
  });

  it('sets the 标志 35 mm under the 版心 top, the 发文字号 two lines below, the red line 4 mm under it, the title two lines below that (§7.2.3–§7.3.1)', () => {
    for (const k of ['tongzhi', 'tongbao', 'yijian', 'jueding']) {
      const pdf = read.get(k)!;
      const d = samples[k];
      const mark = find(pdf, d.issuerMark, 1);
      near(emTop(mark), 37 + 35);
      near(centre(mark), 106);
      const num = find(pdf, d.docNumber, 1);
      near(emTop(num), gridTop(Math.ceil((emBottom(mark) - 37) / LINE - 1e-3) + 2));
      near(centre(num), 106);
      const rules = red(pdf.pages[0]);
      expect(rules).toHaveLength(1);
      near(toMm((rules[0].top + rules[0].bottom) / 2), emBottom(num) + 4);
      near(toMm(rules[0].x0), 28);
      near(toMm(rules[0].x1), 184);
      const sep = toMm((rules[0].top + rules[0].bottom) / 2);
      const firstTitle = linesOf(pdf.pages[0]).find((l) => l.size === 22)!;
      near(emTop(firstTitle), gridTop(Math.ceil((sep - 37) / LINE - 1e-3) + 2, 22));
      near(centre(firstTitle), 106);
      // 主送 one empty line below the last title line, flush left (§7.3.2).
      const titles = linesOf(pdf.pages[0]).filter((l) => l.size === 22);
      const recipients = find(pdf, d.mainRecipients.slice(0, 6), 1);
      near(emMiddle(recipients) - emMiddle(titles[titles.length - 1]), 2 * LINE);
      near(toMm(recipients.x), 28);
    }
  });

  it('puts 附注 one line under the 成文日期, two characters in, in parentheses (§7.3.6)', () => {
    const pdf = read.get('tongzhi')!;
    const note = find(pdf, '（此件发至县级自然资源主管部门）');
    const date = find(pdf, '2026年3月5日');
    near(emMiddle(note) - emMiddle(date), LINE);
    near(toMm(note.x), 28 + 2 * CH);
  });

  it('numbers pages "— n —" 7 mm under the 版心, odd right and even left, one 4号 character in (§7.5)', () => {
    for (const [, pdf] of read) {
      for (const p of pdf.pages) {
        const num = linesOf(p).find(isPageNumber);
        if (!num) continue;
        near(toMm(num.baseline - 0.38 * num.size), 262 + 7);
        if (p.number % 2 === 1) near(toMm(num.right), 184 - CH4);
        else near(toMm(num.x), 28 + CH4);
      }
    }
  });

  it('closes with the 版记 on an even page, its last rule on the 版心 bottom (§7.4)', () => {
    for (const k of ['tongzhi', 'tongbao', 'jueding', 'qingshi', 'lianhe']) {
      const pdf = read.get(k)!;
      expect(pdf.pages.length % 2).toBe(0);
      const last = pdf.pages[pdf.pages.length - 1];
      expect(pageText(last)).toContain('印发');
      const rules = black(last).sort((a, b) => a.top - b.top);
      near(toMm((rules[rules.length - 1].top + rules[rules.length - 1].bottom) / 2), 262);
    }
  });
});

describe('上行文 (请示, 报告)', () => {
  it('keeps the 标志 35 mm down and puts 发文字号 one character from the left, 签发人 one from the right on one line (§7.2.4, §7.2.6)', () => {
    const pdf = read.get('qingshi')!;
    const mark = find(pdf, '江苏省自然资源厅文件', 1);
    near(emTop(mark), 37 + 35);
    const line = find(pdf, '苏自然资〔2026〕12号', 1);
    expect(compact(line.text)).toBe('苏自然资〔2026〕12号签发人：张三');
    near(toMm(line.x), 28 + CH);
    near(toMm(line.right), 184 - CH);
    const rules = red(pdf.pages[0]);
    near(toMm((rules[0].top + rules[0].bottom) / 2), emBottom(line) + 4);
  });

  it('sets two 签发人 names on one line, the 发文字号 on the last 签发人 line', () => {
    const pdf = read.get('baogao')!;
    const line = find(pdf, '苏自然资〔2026〕15号', 1);
    expect(compact(line.text)).toBe('苏自然资〔2026〕15号签发人：张三李四');
    near(toMm(line.right), 184 - CH);
  });
});

describe('信函格式 (函, §10.1)', () => {
  it('puts the 标志 30 mm under the page top and red double rules (thick over thin, thin over thick) 170 mm long', () => {
    const pdf = read.get('han')!;
    const mark = find(pdf, '自然资源部办公厅', 1);
    near(emTop(mark), 30);
    near(centre(mark), 106);
    const rules = red(pdf.pages[0]);
    expect(rules).toHaveLength(4);
    const h = (s: (typeof rules)[0]) => toMm(s.bottom - s.top);
    for (const r of rules) {
      near(toMm(r.x1 - r.x0), 170);
      near(toMm((r.x0 + r.x1) / 2), 106);
    }
    near(toMm(rules[0].top), emBottom(mark) + 4);
    expect(h(rules[0])).toBeGreaterThan(h(rules[1]));
    expect(h(rules[3])).toBeGreaterThan(h(rules[2]));
    near(toMm(rules[3].bottom), 297 - 20);
    // 发文字号 flush right, 7/8 of a 3号 character under the first double rule.
    const num = find(pdf, '自然资办函〔2026〕8号', 1);
    near(toMm(num.right), 184);
    near(emTop(num) - toMm(rules[1].bottom), (7 / 8) * EM3);
    const title = linesOf(pdf.pages[0]).find((l) => l.size === 22)!;
    expect(emTop(title) - emBottom(num)).toBeGreaterThanOrEqual(2 * LINE - TOL);
    expect(emTop(title) - emBottom(num)).toBeLessThan(3 * LINE + TOL);
  });

  it('leaves the first page without a number and the 版记 without rules or 印发 line', () => {
    const pdf = read.get('han')!;
    expect(linesOf(pdf.pages[0]).some(isPageNumber)).toBe(false);
    const last = pdf.pages[pdf.pages.length - 1];
    expect(pageText(last)).toContain('抄送：自然资源部信息中心。');
    expect(pageText(last)).not.toContain('印发');
    expect(black(last)).toHaveLength(0);
    const cc = find(pdf, '抄送：', last.number);
    near(emBottom(cc), gridTop(21, 14) + toMm(14), 0.5);
  });
});

describe('纪要格式 (§10.3)', () => {
  it('has the "…纪要" 标志 35 mm down, no 发文字号, and 出席/请假/列席 in 黑体 two characters in, names aligned after the colon', () => {
    const pdf = read.get('jiyao')!;
    const mark = find(pdf, '自然资源部专题会议纪要', 1);
    near(emTop(mark), 37 + 35);
    expect(pageText(pdf.pages[0])).not.toContain('〔');
    const present = find(pdf, '出席：');
    near(toMm(present.x), 28 + 2 * CH);
    const page = pdf.pages.find((p) => linesOf(p).some((l) => l.baseline === present.baseline && l.text === present.text))!;
    const label = page.items.find((i) => i.str.startsWith('出席'))!;
    const names = page.items.find((i) => i.str.startsWith('王五'))!;
    expect(label.font).not.toBe(names.font); // 黑体 label, 仿宋 names
    const wrapped = find(pdf, '周九（办公厅）');
    near(toMm(wrapped.x), toMm(names.x));
    for (const t of ['请假：吴十', '列席：郑十一（信息中心）']) near(toMm(find(pdf, t).x), 28 + 2 * CH);
    // No 署名 or 成文日期 (其他要素从略): the only date is the 印发 date.
    expect(compact(pdf.pages.map(pageText).join(''))).not.toContain('2026年3月5日');
  });
});

describe('联合行文 with seals and 附件 pages', () => {
  let seals: LayoutSealPlace[];
  let sealPage: number;
  beforeAll(async () => {
    const layout = await layoutOfficialDocument(jointSample());
    sealPage = layout.pages.findIndex((p) => p.items.some((i) => i.kind === 'seal-place'));
    seals = layout.pages[sealPage].items.filter((i: LayoutItem): i is LayoutSealPlace => i.kind === 'seal-place');
  });

  it('stacks the organs in the 标志 with "文件" centred on them (§7.2.3)', () => {
    const pdf = read.get('lianhe')!;
    const first = find(pdf, '自然资源部', 1);
    const second = linesOf(pdf.pages[0]).find((l) => compact(l.text).startsWith('财政部'))!;
    const suffix = pdf.pages[0].items.find((i) => i.str === '文件')!;
    expect(first.size).toBe(second.size);
    const mid = (emMiddle(first) + emMiddle(second)) / 2;
    near(toMm(suffix.baseline - 0.88 * suffix.size + suffix.size / 2), mid);
    near(emTop(first), 37 + 35);
  });

  it('places a 42 mm seal per 署名, centred on it, pressing on 署名 and date, never touching, inside the 版心 (§7.3.5.1)', () => {
    const pdf = read.get('lianhe')!;
    expect(seals.map((s) => s.organ)).toEqual(['自然资源部', '财政部']);
    const date = find(pdf, '2026年3月5日', sealPage + 1);
    // 成文日期 右空四字; the last seal centred on the date.
    near(toMm(date.right), 184 - 4 * CH);
    for (const s of seals) {
      near(toMm(s.diameter), 42);
      expect(toMm(s.cx - s.diameter / 2)).toBeGreaterThanOrEqual(28);
      expect(toMm(s.cx + s.diameter / 2)).toBeLessThanOrEqual(184);
      const sig = pdf.pages[sealPage].items.find((i) => i.str === s.organ && toMm(i.baseline) > 40)!;
      near(toMm(sig.x + sig.width / 2), toMm(s.cx));
      // 署名 and date sit below the seal's centre and inside it.
      expect(toMm(sig.baseline) - 0.88 * toMm(sig.size)).toBeGreaterThanOrEqual(toMm(s.cy) - 0.01);
      expect(toMm(date.baseline)).toBeLessThan(toMm(s.cy + s.diameter / 2));
    }
    near(toMm(seals[1].cx), centre(date));
    expect(Math.abs(seals[1].cx - seals[0].cx)).toBeGreaterThan(seals[0].diameter);
    // The seal's top within one line under the 附件说明's last line.
    const lines = linesOf(pdf.pages[sealPage]).filter((l) => l.baseline < seals[0].cy);
    const lastText = lines[lines.length - 1];
    const gap = toMm(seals[0].cy - seals[0].diameter / 2) - emBottom(lastText);
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThanOrEqual(LINE);
  });

  it('numbers an already numbered 附件 list once and puts each 附件 on its own page, "附件1" top left, title on line 3 (§7.3.4, §8)', () => {
    const pdf = read.get('lianhe')!;
    const text = compact(pdf.pages.map(pageText).join(''));
    expect(text).toContain('附件：1.项目资金管理办法');
    expect(text).toContain('2.项目绩效目标表');
    expect(text).not.toMatch(/1\.1\.|2\.2[.．]/);
    for (const [n, title] of [
      ['附件1', '项目资金管理办法'],
      ['附件2', '项目绩效目标表'],
    ]) {
      const page = pdf.pages.find((p) => linesOf(p)[0]?.text === n)!;
      const label = linesOf(page)[0];
      near(toMm(label.x), 28);
      near(emTop(label), gridTop(0));
      const t = linesOf(page).find((l) => l.size === 22 && compact(l.text) === title)!;
      near(emTop(t), gridTop(2, 22));
      near(centre(t), 106);
    }
  });
});

describe('breaking and keeping', () => {
  const TITLE = { face: 'xbs' as const, size: 22, spacing: 0 };
  const width = ((156 - 2 * CH) * 72) / 25.4;

  it('breaks titles only between words: "关于……的请示", "一张图", numbers', async () => {
    await layoutOfficialDocument(sampleDocument(0)); // loads the faces
    const cases: [string, string[]][] = [
      ['国家自然资源督察北京局关于申请增加土地督察信息化建设项目经费的请示', ['请示', '北京局', '经费', '信息化']],
      ['自然资源部关于推进国土空间规划“一张图”实施监督信息系统建设的通知', ['一张图', '通知', '规划']],
      ['江苏省自然资源厅关于2025年度信息化工作情况的报告', ['2025年度', '报告']],
    ];
    for (const [title, words] of cases) {
      const lines = breakTitle(title, TITLE, width);
      expect(lines.join('')).toBe(title);
      expect(lines.length).toBeGreaterThan(1);
      for (const l of lines) expect(l.length).toBeGreaterThan(2);
      for (const w of words) expect(lines.some((l) => l.includes(w))).toBe(true);
    }
  });

  it('never leaves the 署名 and date alone on a page, whatever the body length', async () => {
    for (let n = 14; n <= 40; n++) {
      const body = Array.from({ length: n }, (_, i) => `第${i + 1}段，本段只有一行文字。`).join('\n');
      const layout = await layoutOfficialDocument(sampleDocument(0, { body, attachments: [], note: undefined, cc: [] }));
      const page = layout.pages.find((p) => p.items.some((i) => i.kind === 'text' && i.text === '2026年3月5日'))!;
      const bodyLines = page.items.filter((i) => i.kind === 'text' && i.text.startsWith('第'));
      expect(bodyLines.length).toBeGreaterThan(0);
    }
  });

  it('drops a first body paragraph that repeats the 主送', async () => {
    const d = sampleDocument(0, { mainRecipients: '各有关单位', body: '各有关单位：\n现将有关事项通知如下。' });
    const layout = await layoutOfficialDocument(d);
    const texts = layout.pages.flatMap((p) => p.items.filter((i) => i.kind === 'text').map((i) => (i.kind === 'text' ? i.text : '')));
    expect(texts.filter((t) => t.startsWith('各有关单位'))).toHaveLength(1);
  });
});

describe('PDF metadata', () => {
  it('writes PDF 1.7 with Title, Author, Subject, Keywords and the same in XMP', () => {
    const pdf = read.get('qingshi')!;
    const d = samples.qingshi;
    expect(pdf.version).toBe('1.7');
    expect(pdf.info.Title).toBe(d.metadata.title);
    expect(pdf.info.Author).toBe('江苏省自然资源厅');
    expect(pdf.info.Subject).toBe('请示');
    expect(pdf.info.Keywords).toBe('政务办公, 请示');
    expect(pdf.xmp).not.toBeNull();
    expect(pdf.xmp!['dc:title']).toBe(d.metadata.title);
    expect(pdf.xmp!['dc:creator']).toEqual(['江苏省自然资源厅']);
    expect(pdf.xmp!['dc:description']).toBe('请示');
    expect(pdf.xmp!['dc:subject']).toEqual(['政务办公', '请示']);
    expect(pdf.xmp!['pdf:keywords'] ?? pdf.xmp!['pdf:Keywords']).toBe('政务办公, 请示');
  });
});

describe('picture check (page 1 against the stored reference, 600 px wide)', () => {
  const fixtures = join(__dirname, '..', 'test-fixtures');
  const update = process.env.UPDATE_PICTURES === '1';
  it.each(all.map(([k]) => k))('%s', (k) => {
    const ref = join(fixtures, `${k}.png`);
    if (!update) expect(existsSync(ref)).toBe(true);
    const diff = comparePicture(rendered.get(k)!, ref, 600, update);
    expect([diff.width, diff.height]).toEqual([diff.refWidth, diff.refHeight]);
    // Anti-aliasing may differ between Skia builds; a moved line or a changed face differs in far more.
    expect(diff.differing).toBeLessThan(0.002);
    expect(diff.meanDiff).toBeLessThan(1.5);
  });

  it('notices a change: the 通知 differs from its reference when one line moves', async () => {
    const moved = await renderOfficialDocument({ ...samples.tongzhi, mainRecipients: '各省、自治区、直辖市自然资源主管部门' });
    const diff = comparePicture(moved, join(fixtures, 'tongzhi.png'), 600);
    expect(diff.differing).toBeGreaterThan(0.002);
  });
});
