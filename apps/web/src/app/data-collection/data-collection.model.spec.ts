import {
  boardChartOption,
  nextChunk,
  parseRegions,
  percentOf,
  sizeText,
  type Board,
} from './data-collection.model';

describe('data-collection model', () => {
  it('plans chunks from the server offset and stops at the end', () => {
    expect(nextChunk(0, 10, 4)).toEqual({ start: 0, end: 4 });
    expect(nextChunk(8, 10, 4)).toEqual({ start: 8, end: 10 });
    expect(nextChunk(10, 10, 4)).toBeNull();
  });

  it('counts the chunk in flight in the progress, never past 100', () => {
    expect(percentOf(50, 25, 100)).toBe(75);
    expect(percentOf(100, 5, 100)).toBe(100);
    expect(percentOf(0, 0, 0)).toBe(0);
  });

  it('reads regions typed with any separator, once each', () => {
    expect(parseRegions('320000, 330000、320000 ')).toEqual(['320000', '330000']);
  });

  it('shows sizes in people’s units', () => {
    expect([sizeText(12), sizeText(2048), sizeText(5 * 1024 * 1024)]).toEqual([
      '12 B',
      '2 KB',
      '5.0 MB',
    ]);
  });

  it('stacks the four states per province', () => {
    const board = {
      figures: {
        provinces: [
          {
            provinceName: '江苏',
            total: 4,
            onTime: 1,
            late: 1,
            returned: 0,
            missing: 2,
            onTimeRate: 25,
          },
        ],
      },
    } as unknown as Board;
    const series = boardChartOption(board)['series'] as { name: string; data: number[] }[];
    expect(series.map((s) => [s.name, s.data[0]])).toEqual([
      ['按时', 1],
      ['逾期', 1],
      ['退回', 0],
      ['未报', 2],
    ]);
  });
});
