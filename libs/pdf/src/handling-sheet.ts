import { A4_H, A4_W, breakLines, createPdf, drawLine, EM_ASCENT, mm, putText, textWidth, TextStyle } from './doc';
import { footPageNumbers, formHeading } from './processing-sheet';
import { drawTable, PAGE_MARGIN } from './table';
import { PdfMetadata } from './types';

/** One fact of a 处理单's head: paired two to a row, or across the whole width when `wide`. */
export interface HandlingField {
  label: string;
  value: string;
  wide?: boolean;
}

/** A titled table of a 处理单 (the steps, the recipients, the opinions). */
export interface HandlingSection {
  title: string;
  /** Column headings with widths in mm; the last column without a width takes the rest. */
  columns: { title: string; width?: number }[];
  rows: string[][];
  /** Printed in place of an empty table, e.g. "尚未分发". */
  empty?: string;
}

/**
 * A 处理单 of the 公文 process as offices print it: 发文稿纸 (发文处理单) or 收文处理笺. The head holds the
 * document's facts, the sections every step in order with person, time and opinion; `notes` say what the
 * platform does not record, so a blank is never mistaken for a step that was skipped.
 */
export interface HandlingSheet {
  /** "发文稿纸", "收文处理笺". */
  heading: string;
  /** The unit whose sheet it is, printed above the heading. */
  organ?: string;
  /** Right-aligned under the heading, e.g. "收文编号：苏国土收〔2026〕12号". */
  number?: string;
  fields: HandlingField[];
  sections: HandlingSection[];
  notes?: string[];
  metadata: PdfMetadata;
}

const BODY: TextStyle = { face: 'fs', size: 10.5 };
const LABEL: TextStyle = { face: 'ht', size: 10.5 };
const LINE_H = 15;
const WIDTH = A4_W - 2 * PAGE_MARGIN;
const BOTTOM = A4_H - PAGE_MARGIN - mm(6);
const LABEL_W = mm(24);

/** Renders a 发文稿纸 or 收文处理笺 on A4, with page numbers and the PDF's document information. */
export async function renderHandlingSheet(s: HandlingSheet): Promise<Buffer> {
  const { doc, finish } = await createPdf(s.metadata);
  const newPage = () => {
    doc.addPage({ size: 'A4', margin: 0 });
    return PAGE_MARGIN;
  };
  let y = PAGE_MARGIN;
  if (s.organ) {
    const style: TextStyle = { face: 'xbs', size: 16, color: '#C00000' };
    putText(doc, s.organ, (A4_W - textWidth(doc, s.organ, style)) / 2, y + EM_ASCENT * 16, style);
    y += 16 + mm(3);
  }
  y = formHeading(doc, s.heading, y);
  if (s.number) {
    putText(doc, s.number, A4_W - PAGE_MARGIN - textWidth(doc, s.number, BODY), y - mm(2) + EM_ASCENT * BODY.size, BODY);
    y += BODY.size + mm(1);
  }

  // The head: label | value | label | value, a wide field across the row.
  const pairW = (WIDTH - 2 * LABEL_W) / 2;
  const table = (widths: number[], rows: string[][], shaded: number[]) =>
    drawTable(doc, { x: PAGE_MARGIN, widths, style: BODY, lineHeight: LINE_H, bottom: BOTTOM, newPage, shaded }, rows, y);
  for (let i = 0; i < s.fields.length;) {
    const f = s.fields[i];
    const next = s.fields[i + 1];
    if (f.wide || !next || next.wide) {
      y = table([LABEL_W, WIDTH - LABEL_W], [[f.label, f.value]], [0]);
      i += 1;
    } else {
      y = table([LABEL_W, pairW, LABEL_W, pairW], [[f.label, f.value, next.label, next.value]], [0, 2]);
      i += 2;
    }
  }

  for (const section of s.sections) {
    y += mm(5);
    if (y + 12 + mm(3) + 3 * LINE_H > BOTTOM) y = newPage();
    putText(doc, section.title, PAGE_MARGIN, y + EM_ASCENT * 12, { face: 'ht', size: 12 });
    y += 12 + mm(3);
    if (section.rows.length === 0) {
      y = table([WIDTH], [[section.empty ?? '无']], []);
      continue;
    }
    const fixed = section.columns.reduce((sum, c) => sum + (c.width ? mm(c.width) : 0), 0);
    const free = section.columns.filter((c) => !c.width).length;
    const widths = section.columns.map((c) => (c.width ? mm(c.width) : (WIDTH - fixed) / Math.max(1, free)));
    y = drawTable(
      doc,
      {
        x: PAGE_MARGIN,
        widths,
        header: section.columns.map((c) => c.title),
        headerStyle: LABEL,
        style: BODY,
        lineHeight: LINE_H,
        bottom: BOTTOM,
        newPage,
      },
      section.rows,
      y,
    );
  }

  if (s.notes?.length) {
    y += mm(4);
    const style: TextStyle = { face: 'fs', size: 9 };
    for (const line of s.notes.flatMap((note) => breakLines(doc, [{ text: `注：${note}`, style }], WIDTH))) {
      if (y + 12 > BOTTOM) y = newPage();
      drawLine(doc, line, PAGE_MARGIN, y + EM_ASCENT * 9);
      y += 13;
    }
  }
  footPageNumbers(doc);
  return finish();
}
