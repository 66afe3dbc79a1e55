import * as fontkit from 'fontkit';
import { PNG } from 'pngjs';
import type { Layout, LayoutText } from '@zhengwu/pdf';
import { writeOfd, PT_TO_MM } from './writer';
import { unpackOfd } from './package';
import { drawPdf, sampleLayout, testFonts } from './testing/fixture';
import { pdfText } from './testing/pdf-text';
import { deltas, readOfd, type ReadOfd } from './testing/read-ofd';

const mm = (pt: number): number => pt * PT_TO_MM;

function samplePng(): Buffer {
  const png = new PNG({ width: 16, height: 16 });
  for (let i = 0; i < 16 * 16; i++) png.data.set([230, 0, 18, i % 2 ? 255 : 0], i * 4);
  return PNG.sync.write(png);
}

describe('writeOfd (GB/T 33190)', () => {
  let layout: Layout;
  let ofd: Buffer;
  let read: ReadOfd;

  beforeAll(async () => {
    layout = sampleLayout(samplePng());
    ofd = await writeOfd(layout, { fonts: testFonts, docId: 'd2c9a1f0e6b34c0a8f6c3d4e5f607182' });
    read = await readOfd(ofd);
  });

  it('writes the package entries of GB/T 33190 §7 with the document metadata', () => {
    const files = [...unpackOfd(ofd).keys()];
    expect(files).toEqual(
      expect.arrayContaining([
        'OFD.xml',
        'Doc_0/Document.xml',
        'Doc_0/PublicRes.xml',
        'Doc_0/DocumentRes.xml',
        'Doc_0/Pages/Page_0/Content.xml',
        'Doc_0/Pages/Page_1/Content.xml',
      ]),
    );
    expect(read.docRoot).toBe('Doc_0/Document.xml');
    expect(read.info).toMatchObject({
      DocID: 'd2c9a1f0e6b34c0a8f6c3d4e5f607182',
      Title: '关于开展二〇二六年度档案检查的通知',
      Author: '示范部办公厅',
      Subject: '通知',
      CreationDate: '2026-03-02',
      Keywords: ['档案', '检查'],
      Creator: '政务办公平台',
    });
    // MaxUnitID is at least every ID used.
    const xmls = [...unpackOfd(ofd).entries()].filter(([p]) => p.endsWith('.xml')).map(([, b]) => Buffer.from(b).toString('utf8'));
    const ids = xmls.flatMap((x) => [...x.matchAll(/ ID="(\d+)"/g)].map((m) => Number(m[1])));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.max(...ids)).toBe(read.maxUnitId);
  });

  it('records the seal places in DocInfo, in mm, for 用印', () => {
    expect(JSON.parse(read.info.CustomDatas as string)).toEqual([{ page: 0, organ: '示范部', boundary: [120, 200, 42, 42] }]);
  });

  it('has the pages of the layout, A4 in millimetres, with the same text', () => {
    expect(read.pages).toHaveLength(2);
    for (const [i, page] of read.pages.entries()) {
      expect(page.box).toEqual([0, 0, 210, 297]);
      const expected = layout.pages[i].items
        .filter((it): it is LayoutText => it.kind === 'text')
        .map((t) => t.text)
        .join('');
      expect(page.chars.map((c) => c.char).join('')).toBe(expected);
    }
  });

  it('puts every character within 0.5 mm of where pdfjs reads it in the PDF of the same layout', async () => {
    const pdf = pdfText(await drawPdf(layout));
    expect(pdf.pages).toHaveLength(read.pages.length);
    let compared = 0;
    for (const [i, page] of pdf.pages.entries()) {
      const chars = read.pages[i].chars;
      // Items come in drawing order (pdfjs joins neighbouring characters into one item and reports the
      // position of its first); walk the OFD's characters alongside.
      let k = 0;
      for (const item of page.items) {
        Array.from(item.str).forEach((ch, j) => {
          if (ch.trim() === '') return;
          while (k < chars.length && chars[k].char !== ch) k++;
          expect(k).toBeLessThan(chars.length);
          if (j === 0) {
            expect(Math.abs(chars[k].x - mm(item.x))).toBeLessThan(0.5);
            expect(Math.abs(chars[k].y - mm(item.baseline))).toBeLessThan(0.5);
            compared++;
          }
          k++;
        });
      }
    }
    expect(compared).toBeGreaterThan(12);
  });

  it('places each character exactly at the layout x and baseline, in the layout size and colour', () => {
    for (const [i, page] of layout.pages.entries()) {
      const chars = read.pages[i].chars;
      let k = 0;
      for (const t of page.items.filter((it): it is LayoutText => it.kind === 'text')) {
        Array.from(t.text).forEach((char, j) => {
          const c = chars[k++];
          expect(c.char).toBe(char);
          expect(c.x).toBeCloseTo(mm(t.xs[j]), 2);
          expect(c.y).toBeCloseTo(mm(t.y), 2);
          expect(c.size).toBeCloseTo(mm(t.size), 2);
        });
        expect(chars[k - 1].color).toBe(t.color === '#E60012' ? '230 0 18' : '0 0 0');
      }
    }
  });

  it('embeds a font subset per face that maps every character it draws to a glyph', () => {
    expect(read.fonts.size).toBe(4);
    for (const [id, font] of read.fonts) {
      const used = read.pages.flatMap((p) => p.chars).filter((c) => c.fontId === id);
      expect(used.length).toBeGreaterThan(0);
      const f = fontkit.create(Buffer.from(font.bytes));
      if ('fonts' in f) throw new Error('a subset is one font, not a collection');
      expect(f.postscriptName).toBe(font.name);
      for (const c of used) expect(f.hasGlyphForCodePoint(c.char.codePointAt(0) as number)).toBe(true);
      // A subset, not the 10+ MB face.
      expect(font.bytes.length).toBeLessThan(200_000);
      // numGlyphs is fontkit's, missing from the types the pdf lib brings along.
      expect((f as unknown as { numGlyphs: number }).numGlyphs).toBeLessThan(200);
    }
    expect([...read.fonts.values()].map((f) => f.name)).toEqual(
      expect.arrayContaining(['NotoSerifSC-Bold', 'NotoSerifSC-Regular', 'NotoSansSC-Regular']),
    );
  });

  it('draws rules as paths at the layout coordinates and width, and the image in its box', () => {
    const rules = layout.pages.flatMap((p, i) => p.items.flatMap((it) => (it.kind === 'rule' ? [{ page: i, rule: it }] : [])));
    const paths = read.pages.flatMap((p, i) => p.paths.map((path) => ({ page: i, path })));
    expect(paths).toHaveLength(rules.length);
    rules.forEach(({ page, rule }, n) => {
      const { page: pp, path } = paths[n];
      expect(pp).toBe(page);
      expect(path.lineWidth).toBeCloseTo(mm(rule.width), 2);
      const [bx, by] = path.boundary;
      const m = /^M (\S+) (\S+) L (\S+) (\S+)$/.exec(path.data);
      expect(m).not.toBeNull();
      const [x1, y1, x2, y2] = (m as RegExpExecArray).slice(1).map(Number);
      expect(bx + x1).toBeCloseTo(mm(rule.x1), 2);
      expect(by + y1).toBeCloseTo(mm(rule.y1), 2);
      expect(bx + x2).toBeCloseTo(mm(rule.x2), 2);
      expect(by + y2).toBeCloseTo(mm(rule.y2), 2);
    });
    expect(paths[0].path.color).toBe('230 0 18');
    const [img] = read.pages[0].images;
    expect(img.boundary.map((v) => Math.round(v * 1000) / 1000)).toEqual([120, 200, 42, 42]);
    const png = PNG.sync.read(Buffer.from(img.bytes));
    expect([png.width, png.height]).toEqual([16, 16]);
  });

  it('reads DeltaX with the g shorthand the way the standard defines it', () => {
    expect(deltas('1 g 3 5.6 2')).toEqual([1, 5.6, 5.6, 5.6, 2]);
  });

  it('refuses a layout whose character positions do not match its text', async () => {
    const bad: Layout = {
      metadata: { title: 't', author: 'a' },
      pages: [
        {
          width: 595.28,
          height: 841.89,
          items: [{ kind: 'text', face: 'fs', size: 16, color: '#000000', y: 100, text: '三个字', xs: [10, 26] }],
        },
      ],
    };
    await expect(writeOfd(bad, { fonts: testFonts })).rejects.toThrow('字符位置数');
  });
});
