import { renderDataHandoverSheet, renderFilingReceipt, renderProjectApprovalNotice } from './forms';
import { renderProcessingSheet } from './processing-sheet';
import { Extracted, extractPdf, linesOf } from './testing/extract';
import { sampleSheet } from './testing/samples';

const compact = (s: string) => s.replace(/\s+/g, '');
/** Page text without the "第 n 页 共 m 页" footers. */
const textOf = (pdf: Extracted) =>
  compact(
    pdf.pages
      .flatMap((p) => linesOf(p).filter((l) => !/^第\s*\d+\s*页/.test(l.text)))
      .map((l) => l.text)
      .join(''),
  );
/** Text of one table column, from the header cell `from` up to the header cell `to`. */
function column(pdf: Extracted, from: string, to?: string): string {
  const xs = (h: string) => pdf.pages[0].items.filter((it) => it.str === h).map((it) => it.x);
  const x0 = Math.max(...xs(from)) - 5;
  const x1 = to ? Math.max(...xs(to)) - 5 : Infinity;
  return compact(
    pdf.pages
      .flatMap((p) => linesOf({ ...p, items: p.items.filter((it) => it.x >= x0 && it.x < x1 && it.str !== from) }))
      .map((l) => l.text)
      .join(''),
  );
}
const meta = (title: string) => ({ title, author: '信息化工作办公室', subject: title, keywords: ['测试'], createdAt: '2026-03-06' });

function expectWellFormed(pdf: Extracted, title: string) {
  expect(pdf.info.Title).toBe(title);
  expect(pdf.info.Author).toBe('信息化工作办公室');
  expect(pdf.info.Keywords).toBe('测试');
  expect(pdf.info.CreationDate).toMatch(/^D:20260305160000/);
  expect(pdf.fonts.length).toBeGreaterThan(0);
  for (const f of pdf.fonts) expect(f).toMatch(/^[A-Z]{6}\+/);
  for (const p of pdf.pages) {
    expect(Math.round(p.width)).toBe(595);
    expect(Math.round(p.height)).toBe(842);
  }
}

describe('renderProcessingSheet', () => {
  it('lists every step with person, unit, time, action and opinion, wrapping long opinions across pages', async () => {
    const sheet = { ...sampleSheet(30), metadata: meta('公文处理单') };
    const pdf = extractPdf(await renderProcessingSheet(sheet));
    expect(pdf.pages.length).toBeGreaterThan(2);
    const pageTexts = pdf.pages.map((p) =>
      compact(
        linesOf(p)
          .map((l) => l.text)
          .join(''),
      ),
    );
    pageTexts.forEach((t, i) => {
      // the table header repeats on every page, and each page says where it is
      expect(t).toContain('序号环节办理人单位时间操作意见');
      expect(t).toContain(`第${i + 1}页共${pdf.pages.length}页`);
    });
    const all = textOf(pdf);
    expect(all).toContain('公文处理单');
    for (const [k, v] of sheet.fields) expect(all).toContain(compact(k + v));
    // every step's person, time (Beijing) and action, in order
    let from = 0;
    sheet.steps.forEach((st, i) => {
      const at = all.indexOf(compact(st.person), from);
      expect(at).toBeGreaterThanOrEqual(from);
      from = at;
      expect(all).toContain(st.action);
      expect(all.indexOf(String(i + 1))).toBeGreaterThanOrEqual(0);
    });
    expect(column(pdf, '时间', '操作')).toContain('2026-03-0109:052026-03-0210:05');
    expect(column(pdf, '单位', '时间')).toContain('信息化工作办公室信息化工作办公室');
    // long opinions wrap inside their cell: each opinion's characters appear in order in the
    // opinion column even when the row continues on the next page
    const opinions = column(pdf, '意见');
    for (const st of sheet.steps) expect(opinions).toContain(compact(st.opinion ?? ''));
    // at least one opinion does not fit a page and is continued on the next
    const long = sheet.steps.map((s) => compact(s.opinion ?? '')).filter((o) => o.length > 200);
    const split = long.some((o) => pageTexts.every((t) => !t.includes(o)));
    expect(split).toBe(true);
    expectWellFormed(pdf, '公文处理单');
  }, 60000);
});

describe('short forms', () => {
  it('renders the 备案回执', async () => {
    const pdf = extractPdf(
      await renderFilingReceipt({
        filingNumber: '自然资备〔2026〕7号',
        title: '江苏省自然资源信息化发展规划（2026—2030年）',
        kind: '省级信息化规划',
        filingUnit: '江苏省自然资源厅',
        registrarUnit: '信息化工作办公室',
        registrar: '王强',
        submittedAt: '2026-03-02T02:00:00Z',
        registeredAt: '2026-03-05T08:30:00Z',
        metadata: meta('备案回执'),
      }),
    );
    const all = textOf(pdf);
    for (const t of [
      '备案回执',
      '备案号：自然资备〔2026〕7号',
      '江苏省自然资源信息化发展规划（2026—2030年）',
      '省级信息化规划',
      '江苏省自然资源厅',
      '王强',
      '2026-03-0210:00',
      '2026年3月5日',
    ]) {
      expect(all).toContain(compact(t));
    }
    expectWellFormed(pdf, '备案回执');
  });

  it('renders the 立项通知', async () => {
    const pdf = extractPdf(
      await renderProjectApprovalNotice({
        projectNumber: 'XM-2026-003',
        name: '自然资源政务办公平台二期',
        category: '应用系统',
        submittingUnit: '信息中心',
        implementingUnit: '信息中心',
        budget: '380万元',
        period: '2026年4月至2027年3月',
        decision: '同意立项',
        decidedAt: '2026-03-05',
        issuer: '网络安全和信息化领导小组办公室',
        metadata: meta('立项通知'),
      }),
    );
    const all = textOf(pdf);
    for (const t of [
      '信息化项目立项通知',
      '项目编号：XM-2026-003',
      '信息中心：',
      '自然资源政务办公平台二期',
      '380万元',
      '同意立项',
      '网络安全和信息化领导小组办公室',
      '2026年3月5日',
    ]) {
      expect(all).toContain(compact(t));
    }
    expectWellFormed(pdf, '立项通知');
  });

  it('renders the 数据提供交接单 with every dataset and the pending receipt', async () => {
    const datasets = Array.from({ length: 12 }, (_, i) => ({
      code: `ZY-${100 + i}`,
      name: `第三次全国国土调查成果数据集第${i + 1}部分`,
      owner: '国土调查司',
    }));
    const pdf = extractPdf(
      await renderDataHandoverSheet({
        requestTitle: '关于申请使用国土调查数据的函',
        applicantUnit: '规划司',
        datasets,
        region: '江苏省南京市',
        period: '2020年至2025年',
        delivery: '专线推送',
        expiresAt: '2026-12-31',
        providedBy: '信息中心 张伟',
        providedAt: '2026-03-05T02:00:00Z',
        metadata: meta('数据提供交接单'),
      }),
    );
    const all = textOf(pdf);
    for (const t of [
      '数据提供交接单',
      '关于申请使用国土调查数据的函',
      '规划司',
      '江苏省南京市',
      '2026年12月31日',
      '信息中心张伟',
      '（待接收确认）',
    ]) {
      expect(all).toContain(compact(t));
    }
    const names = column(pdf, '数据资源名称', '权属单位');
    const codes = column(pdf, '目录编码', '数据资源名称');
    let from = 0;
    for (const d of datasets) {
      expect(codes).toContain(d.code);
      const at = names.indexOf(compact(d.name), from);
      expect(at).toBeGreaterThanOrEqual(from);
      from = at;
    }
    expect(pdf.pages.length).toBe(2);
    expectWellFormed(pdf, '数据提供交接单');
  });
});
