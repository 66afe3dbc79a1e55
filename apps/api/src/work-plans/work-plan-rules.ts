import type { Cadence } from './work-plans.dto';

/** A plan's life: 草拟 → 审议中 (the group votes) → 执行中 (items are 督办) → 评估中 (reported to the group) → 已评估. */
export const PLAN_STATUSES = ['草拟', '审议中', '退回修改', '执行中', '评估中', '已评估', '已撤回'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** An item as 信息办's board shows it; 未完成 only in the 年度评估 (the year is over and it was not done). */
export type ItemStatus = '待审议' | '进行中' | '已报办结' | '已完成' | '逾期';

/**
 * The item's status from its 督办 item (aliased `s`, null before approval): closed is 已完成, past the deadline and not
 * closed is 逾期 (reported but not yet confirmed included: the deadline is for the work, not for the paper).
 */
export const ITEM_STATUS_SQL = `(CASE WHEN s.id IS NULL THEN '待审议' WHEN s.stage = 'closed' THEN '已完成'
  WHEN now() >= s.due_at THEN '逾期' WHEN s.stage = 'reported' THEN '已报办结' ELSE '进行中' END)`;

/** Roles that do a unit's work: they report its progress and summary, and get the reminder when a report is due. */
export const UNIT_WORK_ROLES = ['clerk', 'drafter', 'reviewer', 'dept-approver', 'signer', 'office-reviewer', 'data-admin'];

/** Roles of 信息办 that draft and keep the plan. */
export const OFFICE_ROLES = ['office-reviewer', 'drafter', 'group-secretary'] as const;

/** Days before the end of a reporting period from which a missing progress report is reminded. */
export const REMIND_DAYS_BEFORE_END = 5;

/** The reporting period a day falls in: 2026-03 (monthly) or 2026-Q1 (quarterly). */
export function periodOf(day: string, cadence: Cadence): string {
  const year = day.slice(0, 4);
  const month = Number(day.slice(5, 7));
  return cadence === 'monthly' ? `${year}-${day.slice(5, 7)}` : `${year}-Q${Math.ceil(month / 3)}`;
}

/** The last day of a period (YYYY-MM-DD). */
export function periodEnd(period: string): string {
  const year = Number(period.slice(0, 4));
  const lastMonth = period[5] === 'Q' ? Number(period[6]) * 3 : Number(period.slice(5, 7));
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, lastMonth, 0)).toISOString().slice(0, 10);
}

/** Whether a missing report of the period that `day` falls in is to be reminded on `day`. */
export function isReportDue(day: string, cadence: Cadence): boolean {
  const end = new Date(`${periodEnd(periodOf(day, cadence))}T00:00:00Z`).getTime();
  return new Date(`${day}T00:00:00Z`).getTime() >= end - REMIND_DAYS_BEFORE_END * 86_400_000;
}

export type EvaluationClass = 'on-time' | 'late' | 'not-done';
export const EVALUATION_LABELS: Record<EvaluationClass, string> = { 'on-time': '按期完成', late: '逾期完成', 'not-done': '未完成' };

/** The 年度评估's verdict on an item: done by its deadline, done after it, or not done (not confirmed 办结). */
export function classify(item: { stage: string | null; dueAt: Date | null; reportedAt: Date | null }): EvaluationClass {
  if (item.stage !== 'closed' || !item.dueAt) return 'not-done';
  return item.reportedAt && item.reportedAt < item.dueAt ? 'on-time' : 'late';
}
