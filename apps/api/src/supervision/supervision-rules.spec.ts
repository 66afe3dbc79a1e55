import { WorkingCalendar } from '@zhengwu/engine';
import { deadlineInWorkingDays, dueAtOf, remindAtOf, statusAt } from './supervision-rules';

describe('督办 deadlines on the working-day calendar', () => {
  // 2026-10-01..08 国庆 holidays; 2026-10-10 (Saturday) an adjusted workday.
  const calendar = new WorkingCalendar([
    ...['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => ({ day: `2026-10-${d}`, kind: 'holiday' as const })),
    { day: '2026-10-10', kind: 'workday' as const },
  ]);

  it('is due at the end of the deadline day in China Standard Time', () => {
    expect(dueAtOf('2026-12-09').toISOString()).toBe('2026-12-09T16:00:00.000Z');
  });

  it('becomes 临期 on the deadline day when it is a working day', () => {
    // Wednesday 2026-12-09: from its start (CST).
    expect(remindAtOf(dueAtOf('2026-12-09'), calendar).toISOString()).toBe('2026-12-08T16:00:00.000Z');
  });

  it('becomes 临期 on the Friday before a Sunday deadline, and before a holiday week', () => {
    expect(remindAtOf(dueAtOf('2026-12-13'), calendar).toISOString()).toBe('2026-12-10T16:00:00.000Z');
    // Deadline 2026-10-05 (holiday): the last working day before it is Wednesday 2026-09-30.
    expect(remindAtOf(dueAtOf('2026-10-05'), calendar).toISOString()).toBe('2026-09-29T16:00:00.000Z');
  });

  it('counts N working days past holidays and counts an adjusted Saturday', () => {
    // From Wednesday 2026-09-30 10:00 CST: 1 → Friday 10-09, 2 → Saturday 10-10 (调休 workday).
    const from = new Date('2026-09-30T02:00:00Z');
    expect(deadlineInWorkingDays(from, 1, calendar)).toBe('2026-10-09');
    expect(deadlineInWorkingDays(from, 2, calendar)).toBe('2026-10-10');
  });

  it('shows 督办中, then 临期, then 已逾期 while open; reports and closing override the clock', () => {
    const item = { dueAt: dueAtOf('2026-12-09'), remindAt: remindAtOf(dueAtOf('2026-12-09'), calendar) };
    expect(statusAt({ ...item, stage: 'open' }, new Date('2026-12-08T10:00:00Z'))).toBe('督办中');
    expect(statusAt({ ...item, stage: 'open' }, new Date('2026-12-09T01:00:00Z'))).toBe('临期');
    expect(statusAt({ ...item, stage: 'open' }, new Date('2026-12-09T16:00:00Z'))).toBe('已逾期');
    expect(statusAt({ ...item, stage: 'reported' }, new Date('2026-12-20T00:00:00Z'))).toBe('已报办结');
    expect(statusAt({ ...item, stage: 'closed' }, new Date('2026-12-20T00:00:00Z'))).toBe('已办结');
  });
});
