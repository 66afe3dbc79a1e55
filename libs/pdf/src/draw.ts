import { createPdf } from './doc';
import { advance } from './official-layout';
import { Layout, LayoutText } from './layout';

/**
 * Draws a layout with pdfkit: every character at the x the layout gives. Characters are drawn in runs
 * that share one extra spacing (PDF's Tc), so a justified line stays one text object; a Latin letter
 * starts a run of its own so pdfkit's kerning cannot move the letters after it.
 */
export async function drawLayout(layout: Layout): Promise<Buffer> {
  const { doc, finish } = await createPdf(layout.metadata);
  layout.pages.forEach((page, i) => {
    if (i > 0) doc.addPage({ size: [page.width, page.height], margin: 0 });
    for (const item of page.items) {
      if (item.kind === 'text') drawText(doc, item);
      else if (item.kind === 'rule') {
        // Rules are filled bands (pdfjs reads them back as rectangles with their colour).
        const horizontal = Math.abs(item.y2 - item.y1) < Math.abs(item.x2 - item.x1);
        const t = item.width;
        doc.save();
        if (horizontal) doc.rect(Math.min(item.x1, item.x2), item.y1 - t / 2, Math.abs(item.x2 - item.x1), t);
        else doc.rect(item.x1 - t / 2, Math.min(item.y1, item.y2), t, Math.abs(item.y2 - item.y1));
        doc.fill(item.color).restore();
      } else if (item.kind === 'image') {
        doc.image(item.png, item.x, item.y, { width: item.width, height: item.height });
      }
      // 'seal-place' marks where sealing puts the seal: nothing to draw.
    }
  });
  return finish();
}

function drawText(doc: PDFKit.PDFDocument, t: LayoutText): void {
  const chars = [...t.text];
  doc.font(t.face).fontSize(t.size).fillColor(t.color);
  // pdfkit's y is the top of the font's hhea ascent, which differs per font.
  const ascender = (doc as unknown as { _font: { ascender: number } })._font.ascender;
  const top = t.y - (ascender / 1000) * t.size;
  const style = { face: t.face, size: t.size };
  let i = 0;
  while (i < chars.length) {
    const latin = (c: string) => /[A-Za-z]/.test(c);
    const gap = (k: number) => t.xs[k + 1] - t.xs[k] - advance(chars[k], style);
    let j = i + 1;
    const spacing = j < chars.length ? gap(i) : 0;
    while (j < chars.length && !latin(chars[j]) && !latin(chars[j - 1]) && Math.abs(gap(j - 1) - spacing) < 0.01) j++;
    doc.text(chars.slice(i, j).join(''), t.xs[i], top, { lineBreak: false, characterSpacing: spacing });
    i = j;
  }
}
