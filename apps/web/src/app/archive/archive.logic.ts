/** Pure helpers of the 电子档案 pages (no Angular), tested in archive.logic.spec.ts. */

export type Retention = 'Y' | 'D30' | 'D10';

export const RETENTION_OPTIONS: { value: Retention; label: string }[] = [
  { value: 'Y', label: '永久' },
  { value: 'D30', label: '30年' },
  { value: 'D10', label: '10年' },
];

export interface ArchiveFilter {
  year: string;
  retention: Retention | '';
  unit: string;
  keyword: string;
}

export type FilterErrors = Partial<Record<keyof ArchiveFilter, string>>;

/** Field messages for the search form; empty when it may be sent. */
export function validateFilter(filter: ArchiveFilter): FilterErrors {
  const errors: FilterErrors = {};
  const year = filter.year.trim();
  if (year && (!/^\d{4}$/.test(year) || Number(year) < 1949 || Number(year) > 2999))
    errors.year = '请输入四位数年份，如 2026';
  const unit = filter.unit.trim();
  if (unit && !/^[A-Za-z0-9]{1,20}$/.test(unit)) errors.unit = '机构代码只能包含字母和数字，如 GHS';
  if (filter.keyword.trim().length > 100) errors.keyword = '关键词不能超过100个字，请缩短';
  return errors;
}

/** The query of GET /api/archive from the form and the page. */
export function archiveQuery(
  filter: ArchiveFilter,
  page: number,
  pageSize: number,
): Record<string, string | number> {
  const query: Record<string, string | number> = { page, pageSize };
  if (filter.year.trim()) query['year'] = Number(filter.year.trim());
  if (filter.retention) query['retention'] = filter.retention;
  if (filter.unit.trim()) query['unit'] = filter.unit.trim().toUpperCase();
  if (filter.keyword.trim()) query['keyword'] = filter.keyword.trim();
  return query;
}

/** 1536 → "1.5 KB". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(value >= 10 ? 0 : 1)} ${units[i]}`;
}

/** A file name from the package as it should be saved by the browser. */
export function downloadName(archiveNumber: string, fileName: string): string {
  return fileName.startsWith(archiveNumber) ? fileName : `${archiveNumber}-${fileName}`;
}

/** 移交 of a year: a four-digit year the api accepts (1949–2999). */
export function transferYearError(year: unknown): string | null {
  return typeof year === 'number' && Number.isInteger(year) && year >= 1949 && year <= 2999
    ? null
    : '年度必须是四位数年份';
}
