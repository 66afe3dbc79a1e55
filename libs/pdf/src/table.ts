import { breakLines, drawLine, EM_ASCENT, Line, mm, TextStyle } from './doc';

export const PAGE_MARGIN = mm(20);
export const CELL_PAD = 4;

export interface TableSpec {
  x: number;
  widths: number[];
  header?: string[];
  headerStyle?: TextStyle;
  style: TextStyle;
  /** Line pitch inside cells. */
  lineHeight: number;
  /** Lowest y a row may reach on a page. */
  bottom: number;
  /** Called after a page break; returns the y where the table continues. */
  newPage: () => number;
  /** Columns whose cells get a light fill (labels of key–value tables). */
  shaded?: number[];
}

/**
 * Draws a bordered table from `y`, wrapping long cell text; a row taller than the space left is
 * split line by line across pages, and the header is repeated on each new page.
 */
export function drawTable(doc: PDFKit.PDFDocument, t: TableSpec, rows: string[][], y: number): number {
  const total = t.widths.reduce((a, b) => a + b, 0);
  const wrap = (text: string, col: number, style: TextStyle): Line[] =>
    text.split('\n').flatMap((part) => (part ? breakLines(doc, [{ text: part, style }], t.widths[col] - 2 * CELL_PAD) : []));

  const drawChunk = (cells: Line[][], from: number, count: number, top: number, style: TextStyle, fill?: string): number => {
    const h = count * t.lineHeight + 2 * CELL_PAD;
    let x = t.x;
    cells.forEach((lines, c) => {
      const shade = fill ?? (t.shaded?.includes(c) ? '#F2F2F2' : undefined);
      if (shade) doc.save().rect(x, top, t.widths[c], h).fill(shade).restore();
      lines.slice(from, from + count).forEach((l, k) => {
        const base = top + CELL_PAD + k * t.lineHeight + (t.lineHeight - style.size) / 2 + EM_ASCENT * style.size;
        drawLine(doc, l, x + CELL_PAD, base);
      });
      x += t.widths[c];
    });
    doc.save().lineWidth(0.6).strokeColor('#000000');
    doc.rect(t.x, top, total, h).stroke();
    let cx = t.x;
    for (const w of t.widths.slice(0, -1)) {
      cx += w;
      doc
        .moveTo(cx, top)
        .lineTo(cx, top + h)
        .stroke();
    }
    doc.restore();
    return top + h;
  };

  const header = () => {
    if (!t.header) return;
    const hs = t.headerStyle ?? t.style;
    const cells = t.header.map((h, c) => wrap(h, c, hs));
    const n = Math.max(1, ...cells.map((l) => l.length));
    y = drawChunk(cells, 0, n, y, hs, '#E8E8E8');
  };

  header();
  for (const row of rows) {
    const cells = row.map((text, c) => wrap(text ?? '', c, t.style));
    const n = Math.max(1, ...cells.map((l) => l.length));
    let done = 0;
    while (done < n) {
      const fit = Math.floor((t.bottom - y - 2 * CELL_PAD) / t.lineHeight);
      // Do not leave a lone line of a row at the foot of a page unless the row is a single line.
      if (fit < Math.min(2, n - done)) {
        y = t.newPage();
        header();
        continue;
      }
      const count = Math.min(fit, n - done);
      y = drawChunk(cells, done, count, y, t.style);
      done += count;
    }
  }
  return y;
}
