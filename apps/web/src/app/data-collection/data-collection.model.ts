/** 基础数据汇交: what the pages show, and the pure rules of the resumable uploader. */

export const FORMATS = ['Shapefile', 'FileGDB', 'GeoJSON', 'CSV'] as const;
export const LEVELS = [
  { value: 'province', label: '省级' },
  { value: 'city', label: '市级' },
  { value: 'county', label: '县级' },
] as const;
export const BOARD_STATES = ['按时', '逾期', '退回', '未报'] as const;
export type BoardState = (typeof BOARD_STATES)[number];

export interface CollectionItem {
  id?: string;
  code: string;
  name: string;
  kind: string;
  format: string;
  coordinateSystem: string;
  maxSizeMb: number;
  dueWorkingDays: number;
  levels: string[];
  regions: string[];
  secrecy?: string;
}

export interface CollectionList {
  id: string;
  year: number;
  title: string;
  status: string;
  lastOpinion: string | null;
  noticeDocumentId: string | null;
  bulletinDocumentId: string | null;
  issuedAt: string | null;
  isDrafter: boolean;
  items: CollectionItem[];
  history: {
    action: string;
    comment: string | null;
    at: string;
    taskName: string;
    userName: string;
  }[];
}

export interface ListSummary {
  id: string;
  year: number;
  title: string;
  status: string;
  issuedAt: string | null;
  drafterName: string;
  itemCount: number;
  submissionCount: number;
}

export interface Submission {
  id: string;
  status: string;
  dueAt: string;
  responsibleUnit: string | null;
  contactName: string | null;
  contactPhone: string | null;
  version: string | null;
  areaCode: string | null;
  areaName: string | null;
  fileName: string | null;
  fileSize: number | null;
  sha256: string | null;
  checkReason: string | null;
  reviewOpinion: string | null;
  firstSubmittedAt: string | null;
  acceptedAt: string | null;
  unitId: string;
  unitName: string;
  divisionCode: string | null;
  listId: string;
  listTitle: string;
  year: number;
  itemCode: string;
  itemName: string;
  itemKind: string;
  format: string;
  coordinateSystem: string;
  maxSizeMb: number;
  canEdit?: boolean;
  canReview?: boolean;
  history?: {
    action: string;
    comment: string | null;
    at: string;
    taskName: string | null;
    userName: string;
  }[];
}

export interface BoardRow {
  submissionId: string;
  unitName: string;
  provinceName: string | null;
  itemCode: string;
  itemName: string;
  status: string;
  state: BoardState;
  dueAt: string;
  firstSubmittedAt: string | null;
}

export interface Board {
  year: number;
  title: string;
  rows: BoardRow[];
  figures: {
    total: number;
    counts: Record<BoardState, number>;
    provinces: {
      provinceName: string;
      total: number;
      onTime: number;
      late: number;
      returned: number;
      missing: number;
      onTimeRate: number;
    }[];
    praise: string[];
    correct: { unitName: string; problems: string[] }[];
  };
}

export function submissionColor(status: string): string {
  return (
    (
      {
        待提交: 'default',
        待检查: 'processing',
        检查未通过: 'error',
        待审核: 'processing',
        已退回: 'warning',
        已通过: 'success',
      } as Record<string, string>
    )[status] ?? 'default'
  );
}

export function stateColor(state: string): string {
  return (
    (
      { 按时: 'success', 逾期: 'warning', 退回: 'error', 未报: 'default' } as Record<string, string>
    )[state] ?? 'default'
  );
}

/** 1.5 MB, 320 KB, 12 B. */
export function sizeText(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** The next chunk to send: from the server's offset, at most `chunk` bytes, never past the end. */
export function nextChunk(
  offset: number,
  length: number,
  chunk: number,
): { start: number; end: number } | null {
  if (offset >= length) return null;
  return { start: offset, end: Math.min(length, offset + chunk) };
}

/** Percent done, counting the bytes of the chunk in flight. */
export function percentOf(offset: number, inFlight: number, length: number): number {
  if (length <= 0) return 0;
  return Math.min(100, Math.floor(((offset + inFlight) / length) * 100));
}

/** Regions typed as "320000, 330000" (commas, 、 or spaces). */
export function parseRegions(text: string): string[] {
  return [...new Set(text.split(/[\s,，、]+/).filter(Boolean))];
}

/** The board's counts as a stacked bar per province, for ECharts. */
export function boardChartOption(board: Board): Record<string, unknown> {
  const provinces = board.figures.provinces.map((p) => p.provinceName);
  const field: Record<BoardState, 'onTime' | 'late' | 'returned' | 'missing'> = {
    按时: 'onTime',
    逾期: 'late',
    退回: 'returned',
    未报: 'missing',
  };
  const colors: Record<BoardState, string> = {
    按时: '#52c41a',
    逾期: '#faad14',
    退回: '#ff4d4f',
    未报: '#bfbfbf',
  };
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [...BOARD_STATES] },
    grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: provinces },
    yAxis: { type: 'value', minInterval: 1 },
    series: BOARD_STATES.map((s) => ({
      name: s,
      type: 'bar',
      stack: 'all',
      barMaxWidth: 56,
      itemStyle: { color: colors[s] },
      data: board.figures.provinces.map((p) => p[field[s]]),
    })),
  };
}
