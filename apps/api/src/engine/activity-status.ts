import type { ActivityStatus } from './engine.port';

/** One element's history rows, counted by event. */
export interface HistoryCounts {
  activity_id: string;
  started: number;
  ended: number;
  discarded: number;
}

/**
 * What an element's history says of it: completed only when it ran to completion (an `end` row), skipped when it
 * was discarded (a branch not taken, a boundary timer whose task completed, a task its boundary event interrupted),
 * active while it started and has neither. On a case that has ended nothing is active: a start without an outcome
 * there was cancelled with the case (终止) or predates the runtime recording cancellations, so it counts as skipped.
 */
export function activityStatus(counts: HistoryCounts, isRunning: boolean): ActivityStatus {
  const open = Math.max(0, counts.started - counts.ended - counts.discarded);
  return {
    activityId: counts.activity_id,
    active: isRunning ? open : 0,
    completed: counts.ended,
    skipped: counts.discarded + (isRunning ? 0 : open),
  };
}
