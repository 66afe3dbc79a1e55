import { WorkingCalendar } from './calendar';

describe('WorkingCalendar', () => {
  // 2026 劳动节: 05-01..05-05 off; Saturday 05-09 is a 调休 workday.
  const calendar = new WorkingCalendar([
    ...['01', '02', '03', '04', '05'].map((d) => ({ day: `2026-05-${d}`, kind: 'holiday' as const })),
    { day: '2026-05-09', kind: 'workday' },
  ]);

  it('knows weekends, holidays and adjusted workdays', () => {
    expect(calendar.isWorkingDay('2026-04-30')).toBe(true);
    expect(calendar.isWorkingDay('2026-05-01')).toBe(false);
    expect(calendar.isWorkingDay('2026-05-09')).toBe(true);
    expect(calendar.isWorkingDay('2026-05-10')).toBe(false);
  });

  it('adds working days across a holiday, keeping the time of day in China Standard Time', () => {
    // Thursday 2026-04-30 16:00 CST + 2 working days -> 05-07 (Thu) 16:00 CST, since 05-01..05 are off
    expect(calendar.addWorkingDays(new Date('2026-04-30T08:00:00Z'), 2).toISOString()).toBe('2026-05-07T08:00:00.000Z');
    expect(calendar.addWorkingDays(new Date('2026-04-30T08:00:00Z'), 1).toISOString()).toBe('2026-05-06T08:00:00.000Z');
  });

  it('uses the CST day for instants late in the UTC evening', () => {
    expect(WorkingCalendar.dayOf(new Date('2026-04-30T17:00:00Z'))).toBe('2026-05-01');
  });

  it('counts working days between two instants, negative when overdue', () => {
    expect(calendar.workingDaysBetween(new Date('2026-04-30T02:00:00Z'), new Date('2026-05-08T02:00:00Z'))).toBe(3);
    expect(calendar.workingDaysBetween(new Date('2026-05-08T02:00:00Z'), new Date('2026-04-30T02:00:00Z'))).toBe(-3);
  });
});
