import { UTF8_BOM, csvFileName, toCsv } from './csv';

interface Row {
  name: string;
  budget: number | null;
  gov: boolean;
}

const columns = [
  { header: '项目名称', value: (r: Row) => r.name },
  { header: '预算（万元）', value: (r: Row) => r.budget },
  { header: '政务管理', value: (r: Row) => r.gov },
];

describe('toCsv', () => {
  it('starts with a UTF-8 byte order mark so Excel shows Chinese correctly', () => {
    const csv = toCsv([], columns);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv).toBe(`${UTF8_BOM}项目名称,预算（万元）,政务管理\r\n`);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes one CRLF line per row with numbers, empty cells and 是/否', () => {
    const csv = toCsv(
      [
        { name: '国土资源一张图', budget: 120.5, gov: true },
        { name: '数据中心', budget: null, gov: false },
      ],
      columns,
    );
    expect(csv.slice(1).split('\r\n')).toEqual([
      '项目名称,预算（万元）,政务管理',
      '国土资源一张图,120.5,是',
      '数据中心,,否',
      '',
    ]);
  });

  it('quotes fields with commas, quotes and line breaks and doubles the quotes', () => {
    const csv = toCsv([{ name: '甲,乙"丙"\n丁', budget: 1, gov: false }], columns);
    expect(csv.slice(1).split('\r\n')[1]).toBe('"甲,乙""丙""\n丁",1,否');
  });

  it('keeps a spreadsheet from running text as a formula', () => {
    const csv = toCsv([{ name: '=HYPERLINK("x")', budget: -3, gov: false }], columns);
    expect(csv.slice(1).split('\r\n')[1]).toBe(`"'=HYPERLINK(""x"")",-3,否`);
  });
});

describe('csvFileName', () => {
  it('names the file after the ledger and the date', () => {
    expect(csvFileName('项目台账', new Date(2026, 2, 5))).toBe('项目台账-20260305.csv');
  });
});
