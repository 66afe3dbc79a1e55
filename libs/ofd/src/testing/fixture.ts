import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { Layout, LayoutText } from '@zhengwu/pdf';
import type { Face, OfdFontSource } from '../writer';

/**
 * The font files libs/pdf embeds (its fonts.ts: Noto Serif SC / Noto Sans SC from npm), resolved here
 * the same way so the test's PDF and OFD use the same glyphs.
 */
const FILES: Record<Face, [string, string]> = {
  xbs: ['@expo-google-fonts/noto-serif-sc', '700Bold/NotoSerifSC_700Bold.ttf'],
  fs: ['@expo-google-fonts/noto-serif-sc', '400Regular/NotoSerifSC_400Regular.ttf'],
  ht: ['@expo-google-fonts/noto-sans-sc', '400Regular/NotoSansSC_400Regular.ttf'],
  kt: ['@expo-google-fonts/noto-serif-sc', '600SemiBold/NotoSerifSC_600SemiBold.ttf'],
};
const cache = new Map<Face, OfdFontSource>();

export function testFonts(face: Face): OfdFontSource {
  let f = cache.get(face);
  if (!f) {
    const [pkg, rel] = FILES[face];
    f = { data: readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), rel)) };
    cache.set(face, f);
  }
  return f;
}

const MM = 72 / 25.4;

/** Characters of a run on a fixed pitch from x (points), like the GB/T 9704 grid. */
function run(face: Face, size: number, color: string, x: number, y: number, text: string, pitch = size): LayoutText {
  return { kind: 'text', face, size, color, y, text, xs: Array.from(text).map((_, i) => x + i * pitch) };
}

/** A two-page layout with the marks of a 公文: red 标志, title, body with mixed digits, rules, an image and a seal place. */
export function sampleLayout(png: Buffer): Layout {
  const w = 210 * MM;
  const h = 297 * MM;
  const left = 28 * MM;
  return {
    metadata: {
      title: '关于开展二〇二六年度档案检查的通知',
      author: '示范部办公厅',
      subject: '通知',
      keywords: ['档案', '检查'],
      createdAt: '2026-03-02',
    },
    pages: [
      {
        width: w,
        height: h,
        items: [
          run('xbs', 48, '#E60012', 46 * MM, 72 * MM + 40, '示范部文件', 48 * 1.1),
          run('fs', 16, '#000000', 75 * MM, 112 * MM, '示范办发〔2026〕12号', 10),
          { kind: 'rule', x1: left, y1: 116 * MM, x2: 184 * MM, y2: 116 * MM, width: 1, color: '#E60012' },
          run('xbs', 22, '#000000', 40 * MM, 135 * MM, '关于开展2026年度档案检查的通知'),
          run('fs', 16, '#000000', left, 150 * MM, '各司局、各直属单位：'),
          run('fs', 16, '#000000', left + 32, 160.2 * MM, '为做好档案管理工作，现将有关事项通知如下。'),
          run('ht', 16, '#000000', left + 32, 170.4 * MM, '一、检查范围'),
          { kind: 'image', x: 120 * MM, y: 200 * MM, width: 42 * MM, height: 42 * MM, png },
          { kind: 'seal-place', organ: '示范部', cx: 141 * MM, cy: 221 * MM, diameter: 42 * MM },
        ],
      },
      {
        width: w,
        height: h,
        items: [
          run('kt', 16, '#000000', left + 32, 47 * MM, '（一）楷体二级标题'),
          { kind: 'rule', x1: left, y1: 250 * MM, x2: 184 * MM, y2: 250 * MM, width: 0.35 * MM, color: '#000000' },
          run('fs', 14, '#000000', left + 14, 256 * MM, '示范部办公厅　　2026年3月2日印发'),
        ],
      },
    ],
  };
}

/**
 * Draws a layout with pdfkit, every character at its layout x and baseline, until libs/pdf draws
 * layouts itself: the reference the OFD's positions are compared with.
 */
export async function drawPdf(layout: Layout): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, margin: 0 });
  for (const face of Object.keys(FILES) as Face[]) doc.registerFont(face, testFonts(face).data);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  for (const page of layout.pages) {
    doc.addPage({ size: [page.width, page.height], margin: 0 });
    for (const item of page.items) {
      if (item.kind === 'text') {
        doc.font(item.face).fontSize(item.size).fillColor(item.color);
        const ascender = (doc as unknown as { _font: { ascender: number } })._font.ascender;
        Array.from(item.text).forEach((ch, i) => {
          doc.text(ch, item.xs[i], item.y - (ascender / 1000) * item.size, { lineBreak: false });
        });
      } else if (item.kind === 'rule') {
        doc.moveTo(item.x1, item.y1).lineTo(item.x2, item.y2).lineWidth(item.width).strokeColor(item.color).stroke();
      } else if (item.kind === 'image') {
        doc.image(item.png, item.x, item.y, { width: item.width, height: item.height });
      }
    }
  }
  doc.end();
  return done;
}
