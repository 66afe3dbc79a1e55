import {
  archiveQuery,
  downloadName,
  formatSize,
  transferYearError,
  validateFilter,
} from './archive.logic';

describe('archive search form', () => {
  const empty = { year: '', retention: '' as const, unit: '', keyword: '' };

  it('accepts an empty search', () => {
    expect(validateFilter(empty)).toEqual({});
    expect(archiveQuery(empty, 1, 20)).toEqual({ page: 1, pageSize: 20 });
  });

  it('names the field of a bad year or unit code', () => {
    expect(validateFilter({ ...empty, year: '26' }).year).toContain('四位数年份');
    expect(validateFilter({ ...empty, unit: '规划司' }).unit).toContain('字母和数字');
  });

  it('sends only the filled filters, trimmed, with the unit code in capitals', () => {
    expect(
      archiveQuery({ year: ' 2026 ', retention: 'D30', unit: 'ghs', keyword: ' 通知 ' }, 2, 10),
    ).toEqual({
      page: 2,
      pageSize: 10,
      year: 2026,
      retention: 'D30',
      unit: 'GHS',
      keyword: '通知',
    });
  });
});

describe('file sizes and names', () => {
  it('reads sizes in B, KB and MB', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(20 * 1024 * 1024)).toBe('20 MB');
  });

  it('prefixes a downloaded file with its 档号', () => {
    expect(downloadName('Z001-2026-Y-GHS-0001', '办理单.pdf')).toBe(
      'Z001-2026-Y-GHS-0001-办理单.pdf',
    );
  });
});

describe('移交 helpers', () => {
  it('accepts a four-digit year only', () => {
    expect(transferYearError(2025)).toBeNull();
    expect(transferYearError(1900)).toBe('年度必须是四位数年份');
    expect(transferYearError(2025.5)).toBe('年度必须是四位数年份');
    expect(transferYearError(null)).toBe('年度必须是四位数年份');
  });
});
