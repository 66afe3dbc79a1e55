import { highlightRuns } from '@zhengwu/contracts';
import { findRanges, searchTerms, snippet } from './highlight';

describe('search highlighting', () => {
  it('splits a query into lower-cased terms, dropping duplicates and terms inside others', () => {
    expect(searchTerms('  耕地保护  耕地 GIS gis ')).toEqual(['耕地保护', 'gis']);
  });

  it('marks every occurrence of every term, case-insensitively, merging overlaps', () => {
    expect(findRanges('GIS 平台与 gis 数据', ['gis'])).toEqual([
      { start: 0, end: 3 },
      { start: 8, end: 11 },
    ]);
    expect(findRanges('基本农田保护', ['基本农田', '农田保护'])).toEqual([{ start: 0, end: 6 }]);
  });

  it('cuts a window around the first hit and marks it there, without the 正文 structure marks', () => {
    const body = `\uE000${'甲'.repeat(100)}\n\uE001永久基本农田${'乙'.repeat(200)}`;
    const result = snippet(body, ['永久基本农田']);
    expect(result.text.startsWith('…')).toBe(true);
    expect(result.text.endsWith('…')).toBe(true);
    expect(result.text).not.toMatch(/[\uE000-\uE0FF]/);
    const [range] = result.highlights;
    expect(result.text.slice(range.start, range.end)).toBe('永久基本农田');
  });

  it('renders runs in order for the web (no markup)', () => {
    expect(highlightRuns({ text: '<b>耕地</b>', highlights: [{ start: 3, end: 5 }] })).toEqual([
      { text: '<b>', isHit: false },
      { text: '耕地', isHit: true },
      { text: '</b>', isHit: false },
    ]);
  });
});
