// Reads a PDF (path in argv[2]) with pdfjs-dist and prints its text with positions, the filled
// shapes (rules) with their colours, the document information and the embedded font names as JSON.
// Runs as its own process because pdfjs-dist is ESM-only and jest's module loader cannot import it.
// Coordinates are in PDF points measured from the TOP-left corner of the page.
import { readFileSync } from 'node:fs';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

const data = new Uint8Array(readFileSync(process.argv[2]));
const pdf = await getDocument({ data, verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
const meta = await pdf.getMetadata();
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.getPage(n);
  const [, , width, height] = page.view;
  const text = await page.getTextContent();
  const items = text.items
    .filter((it) => 'str' in it && it.str.length > 0)
    .map((it) => ({
      str: it.str,
      x: it.transform[4],
      baseline: height - it.transform[5],
      width: it.width,
      size: Math.hypot(it.transform[2], it.transform[3]),
      font: it.fontName,
    }));
  // Filled rectangles: pdfkit draws our rules as `re f`; pdfjs reports them as constructPath with a
  // bounding box [minX, minY, maxX, maxY] in user space, which the tracked CTM maps to the page.
  const ops = await page.getOperatorList();
  const shapes = [];
  let fill = null;
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack = [];
  const mul = (m, n) => [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
  const apply = (x, y) => [ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5]];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i];
    if (fn === OPS.save) stack.push({ ctm, fill });
    else if (fn === OPS.restore) ({ ctm, fill } = stack.pop() ?? { ctm, fill });
    else if (fn === OPS.transform) ctm = mul(args, ctm);
    else if (fn === OPS.setFillRGBColor) fill = typeof args[0] === 'string' ? args[0] : `rgb(${args.join(',')})`;
    else if (fn === OPS.constructPath) {
      const mm = args[args.length - 1];
      if (mm && mm.length === 4) {
        const [ax, ay] = apply(mm[0], mm[1]);
        const [bx, by] = apply(mm[2], mm[3]);
        shapes.push({
          fill,
          x0: Math.min(ax, bx),
          x1: Math.max(ax, bx),
          top: height - Math.max(ay, by),
          bottom: height - Math.min(ay, by),
        });
      }
    }
  }
  pages.push({ number: n, width, height, items, shapes });
}
const fonts = [
  ...new Set(
    [
      ...readFileSync(process.argv[2])
        .toString('latin1')
        .matchAll(/\/BaseFont\s*\/([^\s/<>[\]]+)/g),
    ].map((m) => m[1]),
  ),
];
const raw = readFileSync(process.argv[2]).toString('latin1');
const version = /^%PDF-(\d\.\d)/.exec(raw)?.[1] ?? null;
// The XMP stream as pdfjs parsed it (dc:title, dc:creator, …) — null when the catalog has none.
const xmp = meta.metadata ? Object.fromEntries([...meta.metadata]) : null;
process.stdout.write(JSON.stringify({ info: meta.info, pages, fonts, version, xmp }));
