import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 法定节假日 for 2026 (国务院办公厅 arrangement, with 调休 working weekends) and the statutory
 * days of 2027. The 2027 调休 arrangement is published by the State Council late in 2026 and must
 * be entered by an administrator through PUT /api/holidays/:day when it is.
 */
const HOLIDAYS: [string, 'holiday' | 'workday', string][] = [
  ['2026-01-01', 'holiday', '元旦'],
  ['2026-01-02', 'holiday', '元旦'],
  ['2026-01-03', 'holiday', '元旦'],
  ['2026-01-04', 'workday', '元旦调休'],
  ...range('2026-02-15', 9).map((d): [string, 'holiday', string] => [d, 'holiday', '春节']),
  ['2026-02-14', 'workday', '春节调休'],
  ['2026-02-28', 'workday', '春节调休'],
  ['2026-04-04', 'holiday', '清明节'],
  ['2026-04-05', 'holiday', '清明节'],
  ['2026-04-06', 'holiday', '清明节'],
  ...range('2026-05-01', 5).map((d): [string, 'holiday', string] => [d, 'holiday', '劳动节']),
  ['2026-05-09', 'workday', '劳动节调休'],
  ['2026-06-19', 'holiday', '端午节'],
  ['2026-06-20', 'holiday', '端午节'],
  ['2026-06-21', 'holiday', '端午节'],
  ['2026-09-25', 'holiday', '中秋节'],
  ['2026-09-26', 'holiday', '中秋节'],
  ['2026-09-27', 'holiday', '中秋节'],
  ...range('2026-10-01', 7).map((d): [string, 'holiday', string] => [d, 'holiday', '国庆节']),
  ['2026-09-20', 'workday', '国庆节调休'],
  ['2026-10-10', 'workday', '国庆节调休'],
  ['2027-01-01', 'holiday', '元旦'],
  ...range('2027-02-05', 4).map((d): [string, 'holiday', string] => [d, 'holiday', '春节']),
  ['2027-04-05', 'holiday', '清明节'],
  ['2027-05-01', 'holiday', '劳动节'],
  ['2027-05-02', 'holiday', '劳动节'],
  ['2027-06-09', 'holiday', '端午节'],
  ['2027-09-15', 'holiday', '中秋节'],
  ['2027-10-01', 'holiday', '国庆节'],
  ['2027-10-02', 'holiday', '国庆节'],
  ['2027-10-03', 'holiday', '国庆节'],
];

function range(start: string, days: number): string[] {
  const first = new Date(`${start}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(first.getTime() + i * 86_400_000).toISOString().slice(0, 10));
}

export class HolidaysSeed1764115300000 implements MigrationInterface {
  name = 'HolidaysSeed1764115300000';

  async up(q: QueryRunner): Promise<void> {
    for (const [day, kind, name] of HOLIDAYS) {
      await q.query('INSERT INTO holidays (day, kind, name) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING', [day, kind, name]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM holidays WHERE day = ANY($1::date[])', [HOLIDAYS.map(([day]) => day)]);
  }
}
