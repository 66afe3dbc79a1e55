import type { ApprovalLevelRecord } from './approval.model';
import { currentStepIndex, levelSteps } from './approval-steps.logic';

const record = (
  level: ApprovalLevelRecord['level'],
  extra: Partial<ApprovalLevelRecord> = {},
): ApprovalLevelRecord => ({
  id: level,
  level,
  levelName: level,
  round: 1,
  unitName: 'u',
  limitDays: 5,
  receivedAt: '2026-01-05T00:00:00Z',
  dueAt: null,
  handlerName: null,
  decidedAt: null,
  decision: null,
  opinion: null,
  workingDaysUsed: null,
  warned: false,
  overdue: false,
  ...extra,
});

describe('the county → city → province steps', () => {
  it('shows the county done and the city working when the case is at the city', () => {
    const steps = levelSteps(
      [record('county', { decidedAt: 'x', decision: 'approve' }), record('city')],
      'city',
      null,
    );
    expect(steps.map((s) => s.state)).toEqual(['finish', 'process', 'wait']);
    expect(currentStepIndex(steps)).toBe(1);
  });

  it('marks an overdue current level as an error', () => {
    const steps = levelSteps([record('county', { overdue: true })], 'county', null);
    expect(steps[0].state).toBe('error');
  });

  it('marks the refusing level when the case was 不予批准', () => {
    const steps = levelSteps(
      [
        record('county', { decidedAt: 'x', decision: 'approve' }),
        record('city', { decidedAt: 'y', decision: 'reject' }),
      ],
      null,
      '不予批准',
    );
    expect(steps.map((s) => s.state)).toEqual(['finish', 'error', 'wait']);
  });

  it('uses the latest visit when a level was visited twice after a return', () => {
    const steps = levelSteps(
      [
        record('county', { round: 1, decidedAt: 'a', decision: 'approve' }),
        record('city', { decidedAt: 'b', decision: 'return' }),
        record('county', { round: 2 }),
      ],
      'county',
      null,
    );
    expect(steps[0].record?.round).toBe(2);
    expect(steps.map((s) => s.state)).toEqual(['process', 'wait', 'wait']);
  });
});
