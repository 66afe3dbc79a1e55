import { classify, isReportDue, periodEnd, periodOf } from './work-plan-rules';

describe('工作要点 rules', () => {
  it('names the reporting period of a day, monthly or quarterly, and its last day', () => {
    expect(periodOf('2026-02-14', 'monthly')).toBe('2026-02');
    expect(periodOf('2026-02-14', 'quarterly')).toBe('2026-Q1');
    expect(periodOf('2026-12-31', 'quarterly')).toBe('2026-Q4');
    expect(periodEnd('2026-02')).toBe('2026-02-28');
    expect(periodEnd('2028-02')).toBe('2028-02-29');
    expect(periodEnd('2026-Q2')).toBe('2026-06-30');
    expect(periodEnd('2026-Q4')).toBe('2026-12-31');
  });

  it('makes a missing report due from five days before its period ends', () => {
    expect(isReportDue('2026-03-25', 'monthly')).toBe(false);
    expect(isReportDue('2026-03-26', 'monthly')).toBe(true);
    expect(isReportDue('2026-03-31', 'monthly')).toBe(true);
    expect(isReportDue('2026-05-31', 'quarterly')).toBe(false);
    expect(isReportDue('2026-06-25', 'quarterly')).toBe(true);
  });

  it('judges an item by its 办结: confirmed before the deadline, after it, or not at all', () => {
    const dueAt = new Date('2026-07-01T00:00:00+08:00');
    expect(classify({ stage: 'closed', dueAt, reportedAt: new Date('2026-06-30T10:00:00+08:00') })).toBe('on-time');
    expect(classify({ stage: 'closed', dueAt, reportedAt: new Date('2026-07-02T10:00:00+08:00') })).toBe('late');
    expect(classify({ stage: 'reported', dueAt, reportedAt: new Date('2026-06-30T10:00:00+08:00') })).toBe('not-done');
    expect(classify({ stage: 'open', dueAt, reportedAt: null })).toBe('not-done');
    expect(classify({ stage: null, dueAt: null, reportedAt: null })).toBe('not-done');
  });
});
