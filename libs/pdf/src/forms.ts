import { A4_H, A4_W, breakLines, chineseDate, createPdf, dateTime, drawLine, EM_ASCENT, mm, putText, textWidth, TextStyle } from './doc';
import { footPageNumbers, formHeading } from './processing-sheet';
import { drawTable, PAGE_MARGIN } from './table';
import { DataHandoverSheet, FilingReceipt, ProjectApprovalNotice } from './types';

const BODY: TextStyle = { face: 'fs', size: 12 };
const HEAD: TextStyle = { face: 'ht', size: 12 };
const LINE_H = 18;
const WIDTH = A4_W - 2 * PAGE_MARGIN;
const BOTTOM = A4_H - PAGE_MARGIN;

function keyValues(doc: PDFKit.PDFDocument, rows: [string, string][], y: number): number {
  const label = mm(35);
  const newPage = () => {
    doc.addPage({ size: 'A4', margin: 0 });
    return PAGE_MARGIN;
  };
  return drawTable(
    doc,
    { x: PAGE_MARGIN, widths: [label, WIDTH - label], style: BODY, lineHeight: LINE_H, bottom: BOTTOM, newPage, shaded: [0] },
    rows,
    y,
  );
}

/** A wrapped paragraph across the form width; returns the y below it. */
function paragraph(doc: PDFKit.PDFDocument, text: string, y: number, indent = 2 * BODY.size): number {
  const lines = breakLines(doc, [{ text, style: BODY }], WIDTH, indent);
  lines.forEach((l, i) => {
    drawLine(doc, l, PAGE_MARGIN + (i === 0 ? indent : 0), y + i * LINE_H + EM_ASCENT * BODY.size + 3, WIDTH - (i === 0 ? indent : 0));
  });
  return y + lines.length * LINE_H;
}

/** Issuer and date flush right under the content. */
function signOff(doc: PDFKit.PDFDocument, lines: string[], y: number): number {
  y += mm(10);
  for (const l of lines) {
    putText(doc, l, A4_W - PAGE_MARGIN - mm(10) - textWidth(doc, l, BODY), y + EM_ASCENT * BODY.size, BODY);
    y += LINE_H + 4;
  }
  return y;
}

/** 备案回执: proof that a filing was registered, with its 备案号. */
export async function renderFilingReceipt(r: FilingReceipt): Promise<Buffer> {
  const { doc, finish } = await createPdf(r.metadata);
  let y = formHeading(doc, '备案回执');
  const no = `备案号：${r.filingNumber}`;
  putText(doc, no, A4_W - PAGE_MARGIN - textWidth(doc, no, HEAD), y + EM_ASCENT * 12, HEAD);
  y += 12 + mm(4);
  y = keyValues(
    doc,
    [
      ['备案事项', r.title],
      ['备案类型', r.kind],
      ['报送单位', r.filingUnit],
      ['报送时间', dateTime(r.submittedAt)],
      ['登记单位', r.registrarUnit],
      ['登记人', r.registrar],
      ['登记时间', dateTime(r.registeredAt)],
    ],
    y,
  );
  y = paragraph(doc, `${r.filingUnit}报送的“${r.title}”已收悉，经审核予以备案登记，备案号为${r.filingNumber}。特此回执。`, y + mm(6));
  signOff(doc, [r.registrarUnit, chineseDate(r.registeredAt)], y);
  footPageNumbers(doc);
  return finish();
}

/** 立项通知 for an approved informatization project. */
export async function renderProjectApprovalNotice(n: ProjectApprovalNotice): Promise<Buffer> {
  const { doc, finish } = await createPdf(n.metadata);
  let y = formHeading(doc, '信息化项目立项通知');
  const no = `项目编号：${n.projectNumber}`;
  putText(doc, no, A4_W - PAGE_MARGIN - textWidth(doc, no, HEAD), y + EM_ASCENT * 12, HEAD);
  y += 12 + mm(4);
  putText(doc, `${n.submittingUnit}：`, PAGE_MARGIN, y + EM_ASCENT * BODY.size + 3, BODY);
  y += LINE_H;
  y = paragraph(doc, `你单位报送的“${n.name}”项目，经审议，${n.decision}。现将立项信息通知如下：`, y);
  y = keyValues(
    doc,
    [
      ['项目名称', n.name],
      ['项目类别', n.category],
      ['申报单位', n.submittingUnit],
      ['承建单位', n.implementingUnit],
      ['批复预算', n.budget],
      ['建设周期', n.period],
      ['审议结论', n.decision],
    ],
    y + mm(3),
  );
  y = paragraph(doc, '请按照批复内容组织实施，严格执行项目管理有关规定，重大事项变更须按程序报批。', y + mm(6));
  signOff(doc, [n.issuer, chineseDate(n.decidedAt)], y);
  footPageNumbers(doc);
  return finish();
}

/** 数据提供交接单: what was provided for a data request, with both sides' confirmation. */
export async function renderDataHandoverSheet(s: DataHandoverSheet): Promise<Buffer> {
  const { doc, finish } = await createPdf(s.metadata);
  const newPage = () => {
    doc.addPage({ size: 'A4', margin: 0 });
    return PAGE_MARGIN;
  };
  let y = formHeading(doc, '数据提供交接单');
  y = keyValues(
    doc,
    [
      ['申请事项', s.requestTitle],
      ['申请单位', s.applicantUnit],
      ['数据范围', s.region],
      ['数据时段', s.period],
      ['交付方式', s.delivery],
      ['使用期限至', chineseDate(s.expiresAt)],
    ],
    y,
  );
  y += mm(6);
  putText(doc, '提供的数据资源', PAGE_MARGIN, y + EM_ASCENT * 12, HEAD);
  y += 12 + mm(3);
  const widths = [mm(12), mm(40)];
  widths.push((WIDTH - widths[0] - widths[1]) * 0.6, (WIDTH - widths[0] - widths[1]) * 0.4);
  y = drawTable(
    doc,
    {
      x: PAGE_MARGIN,
      widths,
      header: ['序号', '目录编码', '数据资源名称', '权属单位'],
      headerStyle: HEAD,
      style: BODY,
      lineHeight: LINE_H,
      bottom: BOTTOM,
      newPage,
    },
    s.datasets.map((d, i) => [String(i + 1), d.code, d.name, d.owner]),
    y,
  );
  y += mm(6);
  if (y + 4 * LINE_H > BOTTOM) y = newPage();
  y = keyValues(
    doc,
    [
      ['提供方', `${s.providedBy}（${dateTime(s.providedAt)}）`],
      ['接收方', s.receivedBy ? `${s.receivedBy}（${s.receivedAt ? dateTime(s.receivedAt) : ''}）` : '（待接收确认）'],
    ],
    y,
  );
  paragraph(doc, '接收方应按申请用途使用数据，不得超范围使用或向第三方提供，使用期满后及时销毁并反馈。', y + mm(4));
  footPageNumbers(doc);
  return finish();
}
