/** Where a case stands on the county → city → province ladder, for the steps display. No Angular here. */
import {
  REVIEW_LEVELS,
  REVIEW_LEVEL_NAMES,
  type ApprovalLevelRecord,
  type Level,
} from './approval.model';

export type StepState = 'wait' | 'process' | 'finish' | 'error';

export interface LevelStep {
  level: (typeof REVIEW_LEVELS)[number];
  title: string;
  state: StepState;
  /** The latest visit to this level, if any. */
  record?: ApprovalLevelRecord;
}

export function levelSteps(
  levels: ApprovalLevelRecord[],
  currentLevel: Level | null,
  result: string | null,
): LevelStep[] {
  const order = (l: Level | null) =>
    l === null ? -1 : (REVIEW_LEVELS as readonly string[]).indexOf(l);
  const current = order(currentLevel);
  return REVIEW_LEVELS.map((level, index) => {
    const record = [...levels].reverse().find((r) => r.level === level);
    let state: StepState = 'wait';
    if (currentLevel !== null) {
      if (index === current) state = record?.overdue ? 'error' : 'process';
      else if (index < current) state = 'finish';
    } else if (result === '批准') {
      state = 'finish';
    } else if (record?.decidedAt) {
      state = record.decision === 'reject' ? 'error' : 'finish';
    }
    return { level, title: REVIEW_LEVEL_NAMES[level], state, record };
  });
}

/** The ant-design steps index of the level being worked on (or the last one reached). */
export function currentStepIndex(steps: LevelStep[]): number {
  const active = steps.findIndex((s) => s.state === 'process' || s.state === 'error');
  if (active >= 0) return active;
  const reached = steps.map((s) => s.state).lastIndexOf('finish');
  return Math.max(reached, 0);
}
