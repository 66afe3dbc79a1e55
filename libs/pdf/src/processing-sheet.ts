import { A4_H, A4_W, createPdf, dateTime, EM_ASCENT, mm, putText, textWidth, TextStyle } from './doc';
import { drawTable, PAGE_MARGIN } from './table';
import { ProcessingSheet } from './types';

const BODY: TextStyle = { face: 'fs', size: 10.5 };
const HEAD: TextStyle = { face: 'ht', size: 10.5 };
const LINE_H = 15;

/** Draws "第 n 页 共 m 页" at the foot of every page of a buffered document. */
export function footPageNumbers(doc: PDFKit.PDFDocument): void {
  const range = doc.bufferedPageRange();
  const style: TextStyle = { face: 'fs', size: 9 };
  for (let p = range.start; p < range.start + range.count; p++) {
    doc.switchToPage(p);
    const text = `第 ${p + 1} 页  共 ${range.count} 页`;
    putText(doc, text, (A4_W - textWidth(doc, text, style)) / 2, A4_H - mm(12), style);
  }
}

/** Centred heading at the top of a form; returns the y below it. */
export function formHeading(doc: PDFKit.PDFDocument, heading: string, top: number = PAGE_MARGIN): number {
  const style: TextStyle = { face: 'xbs', size: 22, spacing: 2 };
  putText(doc, heading, (A4_W - textWidth(doc, heading, style)) / 2, top + EM_ASCENT * 22, style);
  return top + 22 + mm(8);
}

/** 办理单: the key facts of the case, then every step with person, unit, time, action and opinion. */
export async function renderProcessingSheet(s: ProcessingSheet): Promise<Buffer> {
  const { doc, finish } = await createPdf(s.metadata);
  const width = A4_W - 2 * PAGE_MARGIN;
  const bottom = A4_H - PAGE_MARGIN;
  const newPage = () => {
    doc.addPage({ size: 'A4', margin: 0 });
    return PAGE_MARGIN;
  };
  let y = formHeading(doc, s.heading);

  if (s.fields.length) {
    const label = mm(30);
    y = drawTable(
      doc,
      { x: PAGE_MARGIN, widths: [label, width - label], style: BODY, lineHeight: LINE_H, bottom, newPage, shaded: [0] },
      s.fields.map(([k, v]) => [k, v]),
      y,
    );
    y += mm(6);
  }

  putText(doc, '办理过程', PAGE_MARGIN, y + EM_ASCENT * 12, { face: 'ht', size: 12 });
  y += 12 + mm(3);
  const widths = [11, 22, 16, 34, 23, 12].map(mm);
  widths.push(width - widths.reduce((a, b) => a + b, 0));
  drawTable(
    doc,
    {
      x: PAGE_MARGIN,
      widths,
      header: ['序号', '环节', '办理人', '单位', '时间', '操作', '意见'],
      headerStyle: HEAD,
      style: BODY,
      lineHeight: LINE_H,
      bottom,
      newPage,
    },
    s.steps.map((st, i) => [String(i + 1), st.step, st.person, st.unit, dateTime(st.at), st.action, st.opinion ?? '']),
    y,
  );
  footPageNumbers(doc);
  return finish();
}
