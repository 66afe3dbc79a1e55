import type { WorkingCalendar } from '@zhengwu/engine';

const DAY_MS = 24 * 3600 * 1000;

/** The ledger's statuses, as the office says them. 已报办结 waits for the creator to close or send it back. */
export const SUPERVISION_STATUSES = ['督办中', '临期', '已逾期', '已报办结', '已办结'] as const;
export type SupervisionStatus = (typeof SUPERVISION_STATUSES)[number];

export type SupervisionStage = 'open' | 'reported' | 'closed';

/** A deadline is a calendar day: the item is due at the end of it, China Standard Time. */
export function dueAtOf(deadline: string): Date {
  return new Date(new Date(`${deadline}T00:00:00+08:00`).getTime() + DAY_MS);
}

/**
 * 临期 begins one working day before the item is due: on the deadline day itself when that is a working day, else
 * at the start of the last working day before it (a Sunday deadline is 临期 from Friday).
 */
export function remindAtOf(dueAt: Date, calendar: WorkingCalendar): Date {
  let at = dueAt.getTime();
  for (let guard = 0; guard < 60; guard++) {
    at -= DAY_MS;
    if (calendar.isWorkingDay(new Date(at + 8 * 3600 * 1000).toISOString().slice(0, 10))) return new Date(at);
  }
  // Sixty days without a working day is a broken calendar; remind a day early rather than never.
  return new Date(dueAt.getTime() - DAY_MS);
}

/** The deadline day N working days from now (the same rule the engine's timers use). */
export function deadlineInWorkingDays(now: Date, count: number, calendar: WorkingCalendar): string {
  return new Date(calendar.addWorkingDays(now, count).getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** Today's date in China Standard Time. */
export function todayCst(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The status an item shows at `now` (the ledger computes the same in SQL: STATUS_SQL). */
export function statusAt(item: { stage: SupervisionStage; dueAt: Date; remindAt: Date }, now: Date): SupervisionStatus {
  if (item.stage === 'closed') return '已办结';
  if (item.stage === 'reported') return '已报办结';
  if (now >= item.dueAt) return '已逾期';
  if (now >= item.remindAt) return '临期';
  return '督办中';
}

/** statusAt in SQL over an item aliased `s`. */
export const STATUS_SQL = `(CASE WHEN s.stage = 'closed' THEN '已办结' WHEN s.stage = 'reported' THEN '已报办结'
  WHEN now() >= s.due_at THEN '已逾期' WHEN now() >= s.remind_at THEN '临期' ELSE '督办中' END)`;

/** Roles that do a unit's work: the 临期 reminder goes to their holders in the responsible unit. */
export const HANDLING_ROLES = ['clerk', 'drafter', 'reviewer', 'dept-approver', 'signer', 'office-reviewer', 'data-admin'];

/** Roles that may mark an item 督办 anywhere in their data scope (besides the people of 办公厅). */
export const LEADER_ROLES = ['signer', 'dept-approver'] as const;

/** The 办结 report comes from the responsible unit's leaders (or the holder of the supervised case's current step). */
export const REPORTING_ROLES = ['dept-approver', 'signer'] as const;
