import { A4_H, A4_W, createPdf, dateTime, mm, putText, TextStyle } from './doc';
import { footPageNumbers, formHeading } from './processing-sheet';
import { drawTable, PAGE_MARGIN } from './table';

/** One DA/T 70 item of a 四性检测 report. */
export interface CheckReportItem {
  /** GD-1-1, YJ-2-3, BC-4-2 … */
  code: string;
  /** 真实性, 完整性, 可用性, 安全性. */
  property: string;
  /** The item's name without property and code. */
  title: string;
  status: 'pass' | 'fail' | 'na';
  detail: string;
}

/** A 四性检测 report as printed: the package, the stage, every item with its result and why. */
export interface CheckReportSheet {
  /** 归档, 移交与接收 or 长期保存. */
  stageLabel: string;
  standard: string;
  archiveNumber: string;
  packageTitle: string;
  /** 立档单位 / 全宗名称. */
  organ: string;
  checkedAt: string;
  /** Who ran it: a person, or the system for the ingest check and the periodic audit. */
  checkedBy: string;
  ok: boolean;
  items: CheckReportItem[];
}

const BODY: TextStyle = { face: 'fs', size: 10 };
const HEAD: TextStyle = { face: 'ht', size: 10 };
const LINE_H = 14;
const STATUS: Record<CheckReportItem['status'], string> = { pass: '通过', fail: '不通过', na: '不适用' };

/** 电子档案四性检测报告 (DA/T 70): a key-value head, a summary, then one table row per item. */
export async function renderCheckReport(r: CheckReportSheet): Promise<Buffer> {
  const { doc, finish } = await createPdf({
    title: `${r.archiveNumber} 四性检测报告（${r.stageLabel}）`,
    author: r.organ,
    subject: `${r.standard} 四性检测（${r.stageLabel}环节）`,
    createdAt: r.checkedAt,
  });
  const width = A4_W - 2 * PAGE_MARGIN;
  const bottom = A4_H - PAGE_MARGIN;
  const newPage = () => {
    doc.addPage({ size: 'A4', margin: 0 });
    return PAGE_MARGIN;
  };
  let y = formHeading(doc, `电子档案四性检测报告（${r.stageLabel}）`);
  const count = (s: CheckReportItem['status']) => r.items.filter((i) => i.status === s).length;
  const label = mm(28);
  y = drawTable(
    doc,
    { x: PAGE_MARGIN, widths: [label, width - label], style: BODY, lineHeight: LINE_H, bottom, newPage, shaded: [0] },
    [
      ['档号', r.archiveNumber],
      ['题名', r.packageTitle],
      ['立档单位', r.organ],
      ['检测环节', `${r.stageLabel}（${r.standard}）`],
      ['检测时间', dateTime(r.checkedAt)],
      ['检测人', r.checkedBy],
      ['检测结论', `${r.ok ? '通过' : '不通过'}（通过 ${count('pass')} 项，不通过 ${count('fail')} 项，不适用 ${count('na')} 项）`],
    ],
    y,
  );
  y += mm(6);
  putText(doc, '检测项目', PAGE_MARGIN, y + 12, { face: 'ht', size: 12 });
  y += 12 + mm(3);
  const widths = [mm(20), mm(14), mm(46), mm(14)];
  widths.push(width - widths.reduce((a, b) => a + b, 0));
  drawTable(
    doc,
    {
      x: PAGE_MARGIN,
      widths,
      header: ['编号', '性质', '检测项目', '结果', '说明'],
      headerStyle: HEAD,
      style: BODY,
      lineHeight: LINE_H,
      bottom,
      newPage,
    },
    r.items.map((i) => [i.code, i.property, i.title, STATUS[i.status], i.detail]),
    y,
  );
  footPageNumbers(doc);
  return finish();
}
