/** CSV built in the browser for the ledgers' 导出. Pure: no Angular, no DOM. */

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

/** Excel reads a UTF-8 file as the local code page (GBK) unless it starts with a byte order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * RFC 4180 text (CRLF, fields with a comma, quote or line break quoted, quotes doubled), with the BOM.
 * Text beginning with = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.
 */
export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  const lines = [
    columns.map((c) => cell(c.header)),
    ...rows.map((row) => columns.map((c) => cell(c.value(row)))),
  ];
  return UTF8_BOM + lines.map((fields) => fields.join(',')).join('\r\n') + '\r\n';
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'boolean') text = value ? '是' : '否';
  else if (value instanceof Date) text = value.toISOString();
  else {
    text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A file name like 项目台账-20260315.csv (local date). */
export function csvFileName(prefix: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${prefix}-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}.csv`;
}
