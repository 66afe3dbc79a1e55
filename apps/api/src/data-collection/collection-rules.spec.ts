import { boardState, bulletinBody, csvCell, figuresOf, regionPrefix, type BoardRow } from './collection-rules';

const row = (over: Partial<BoardRow>): BoardRow => ({
  submissionId: 's',
  unitId: 'u1',
  unitName: '江苏省厅',
  provinceId: 'p1',
  provinceName: '江苏省',
  itemCode: 'HJ-A',
  itemName: '甲数据',
  status: '待提交',
  dueAt: '2026-03-01T00:00:00Z',
  firstSubmittedAt: null,
  acceptedAt: null,
  ...over,
});

describe('基础数据汇交 rules', () => {
  it('counts a submission by when it first came in, returned ones as 退回 and absent ones as 未报', () => {
    expect(boardState(row({ status: '已通过', firstSubmittedAt: '2026-02-28T00:00:00Z' }))).toBe('按时');
    expect(boardState(row({ status: '待审核', firstSubmittedAt: '2026-03-02T00:00:00Z' }))).toBe('逾期');
    expect(boardState(row({ status: '已退回', firstSubmittedAt: '2026-02-28T00:00:00Z' }))).toBe('退回');
    expect(boardState(row({ status: '检查未通过', firstSubmittedAt: '2026-02-28T00:00:00Z' }))).toBe('退回');
    expect(boardState(row({}))).toBe('未报');
  });

  it('works out the rate per province and whom to praise and correct', () => {
    const f = figuresOf([
      row({ unitId: 'a', unitName: '甲局', status: '已通过', firstSubmittedAt: '2026-02-01T00:00:00Z' }),
      row({ unitId: 'b', unitName: '乙局', provinceName: '浙江省' }),
      row({ unitId: 'c', unitName: '丙局', status: '待审核', firstSubmittedAt: '2026-02-01T00:00:00Z' }),
    ]);
    expect(f.provinces).toEqual([
      { provinceName: '江苏省', total: 2, onTime: 2, late: 0, returned: 0, missing: 0, onTimeRate: 100 },
      { provinceName: '浙江省', total: 1, onTime: 0, late: 0, returned: 0, missing: 1, onTimeRate: 0 },
    ]);
    // 丙局 came in on time but is not accepted yet: neither praised nor to correct.
    expect(f.praise).toEqual(['甲局']);
    expect(f.correct).toEqual([{ unitName: '乙局', problems: ['甲数据未报'] }]);
    expect(bulletinBody(2026, '清单', f)).toContain('总体按时汇交率66.7%');
  });

  it('neutralises spreadsheet formulas in CSV and reads region prefixes', () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('a"b')).toBe('"a""b"');
    expect([regionPrefix('320000'), regionPrefix('320100'), regionPrefix('320102')]).toEqual(['32', '3201', '320102']);
  });
});
