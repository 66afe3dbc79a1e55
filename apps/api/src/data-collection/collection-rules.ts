/** The pure rules of 基础数据汇交: how a submission counts on the board, and what the 通报 says. */

export type BoardState = '按时' | '逾期' | '退回' | '未报';
export const BOARD_STATES: BoardState[] = ['按时', '逾期', '退回', '未报'];

export interface BoardRow {
  submissionId: string;
  unitId: string;
  unitName: string;
  provinceId: string | null;
  provinceName: string | null;
  itemCode: string;
  itemName: string;
  status: string;
  dueAt: string;
  firstSubmittedAt: string | null;
  acceptedAt: string | null;
}

/**
 * 退回 while the unit owes a corrected submission (检查未通过 or 已退回), 未报 while it never submitted, otherwise 按时 or
 * 逾期 by when it first submitted (a returned and corrected submission keeps the date it first came in).
 */
export function boardState(row: Pick<BoardRow, 'status' | 'dueAt' | 'firstSubmittedAt'>): BoardState {
  if (row.status === '检查未通过' || row.status === '已退回') return '退回';
  if (!row.firstSubmittedAt) return '未报';
  return Date.parse(row.firstSubmittedAt) <= Date.parse(row.dueAt) ? '按时' : '逾期';
}

export interface ProvinceFigure {
  provinceName: string;
  total: number;
  onTime: number;
  late: number;
  returned: number;
  missing: number;
  /** 按时率 in percent, one decimal. */
  onTimeRate: number;
}

export interface BulletinFigures {
  total: number;
  counts: Record<BoardState, number>;
  provinces: ProvinceFigure[];
  /** Units whose every dataset came on time and was accepted. */
  praise: string[];
  /** Units with anything late, returned or missing, with what. */
  correct: { unitName: string; problems: string[] }[];
}

export function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

export function figuresOf(rows: BoardRow[]): BulletinFigures {
  const counts: Record<BoardState, number> = { 按时: 0, 逾期: 0, 退回: 0, 未报: 0 };
  const provinces = new Map<string, ProvinceFigure>();
  const units = new Map<string, { unitName: string; allAccepted: boolean; problems: string[] }>();
  for (const row of rows) {
    const state = boardState(row);
    counts[state] += 1;
    const name = row.provinceName ?? row.unitName;
    const p = provinces.get(name) ?? { provinceName: name, total: 0, onTime: 0, late: 0, returned: 0, missing: 0, onTimeRate: 0 };
    p.total += 1;
    if (state === '按时') p.onTime += 1;
    if (state === '逾期') p.late += 1;
    if (state === '退回') p.returned += 1;
    if (state === '未报') p.missing += 1;
    provinces.set(name, p);
    const u = units.get(row.unitId) ?? { unitName: row.unitName, allAccepted: true, problems: [] };
    if (state !== '按时' || row.status !== '已通过') u.allAccepted = false;
    if (state !== '按时') u.problems.push(`${row.itemName}${state}`);
    units.set(row.unitId, u);
  }
  for (const p of provinces.values()) p.onTimeRate = rate(p.onTime, p.total);
  const all = [...units.values()];
  return {
    total: rows.length,
    counts,
    provinces: [...provinces.values()].sort((a, b) => b.onTimeRate - a.onTimeRate || a.provinceName.localeCompare(b.provinceName, 'zh')),
    praise: all.filter((u) => u.allAccepted).map((u) => u.unitName),
    correct: all.filter((u) => u.problems.length > 0).map((u) => ({ unitName: u.unitName, problems: u.problems })),
  };
}

/** The 通报's 正文, from the board's figures (the drafter may still edit it at 拟稿). */
export function bulletinBody(year: number, title: string, f: BulletinFigures): string {
  const lines = [
    `根据《${title}》，现将${year}年度基础数据汇交情况通报如下。`,
    `一、总体情况`,
    `本年度应汇交数据${f.total}项，按时汇交${f.counts['按时']}项，逾期汇交${f.counts['逾期']}项，被退回待重报${f.counts['退回']}项，未汇交${f.counts['未报']}项，总体按时汇交率${rate(f.counts['按时'], f.total)}%。`,
    `二、各省按时汇交率`,
    ...f.provinces.map(
      (p) =>
        `${p.provinceName}：应汇交${p.total}项，按时${p.onTime}项，逾期${p.late}项，退回${p.returned}项，未汇交${p.missing}项，按时汇交率${p.onTimeRate}%。`,
    ),
    `三、予以表扬的单位`,
    f.praise.length > 0 ? `${f.praise.join('、')}按时汇交全部数据且审核通过，予以表扬。` : '本年度无全部按时汇交且审核通过的单位。',
    `四、需要整改的单位`,
    ...(f.correct.length > 0
      ? f.correct.map((c) => `${c.unitName}：${c.problems.join('，')}，请于收到本通报后十个工作日内完成整改。`)
      : ['无。']),
  ];
  return lines.join('\n');
}

/** One CSV cell: quoted, and a leading formula character neutralised (a spreadsheet must not run it). */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/** Where an item's region covers a division code: 320000 covers 32xxxx, 320100 covers 3201xx. */
export function regionPrefix(code: string): string {
  let prefix = code;
  while (prefix.length > 2 && prefix.endsWith('00')) prefix = prefix.slice(0, -2);
  return prefix;
}
