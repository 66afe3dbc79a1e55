/** 三级联网审批: the process key, the matters a county may accept, and the statutory limits of each level. */
export const APPROVAL_PROCESS = 'three-level-approval';

export const MATTER_TYPES = ['建设用地报批', '土地征收', '农用地转用', '采矿权登记', '探矿权登记', '土地复垦方案', '土地整治项目'] as const;
export type MatterType = (typeof MATTER_TYPES)[number];

export const APPROVAL_STATUSES = ['补正材料', '县级审查', '市级审核', '省级审批', '批准', '不予批准', '已终止'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const LEVELS = ['accept', 'county', 'city', 'province'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_LABELS: Record<Level, string> = { accept: '县级受理', county: '县级审查', city: '市级审核', province: '省级审批' };

/**
 * 法定办理时限 in working days, and how many working days before the limit the 临期预警 fires.
 * The only place to change them: they reach the diagram as process variables at acceptance.
 */
export const LEVEL_LIMITS: Record<Exclude<Level, 'accept'>, { days: number; warnBefore: number }> = {
  county: { days: 5, warnBefore: 1 },
  city: { days: 10, warnBefore: 1 },
  province: { days: 15, warnBefore: 1 },
};

/** Each user task of the diagram, the level it belongs to and the case status while it waits. */
export const TASK_LEVELS: Record<string, { level: Level; status: ApprovalStatus }> = {
  accept: { level: 'accept', status: '补正材料' },
  countyReview: { level: 'county', status: '县级审查' },
  cityReview: { level: 'city', status: '市级审核' },
  provinceDecision: { level: 'province', status: '省级审批' },
};

/** The diagram's non-interrupting boundary timers. */
export const WARN_TIMERS: Record<string, Exclude<Level, 'accept'>> = { countyWarn: 'county', cityWarn: 'city', provinceWarn: 'province' };
export const OVERDUE_TIMERS: Record<string, Exclude<Level, 'accept'>> = {
  countyOverdue: 'county',
  cityOverdue: 'city',
  provinceOverdue: 'province',
};

/** The process variables carrying the limits, as the diagram names them. */
export function limitVariables(): Record<string, number> {
  const vars: Record<string, number> = {};
  for (const [level, limit] of Object.entries(LEVEL_LIMITS)) {
    vars[`${level}Days`] = limit.days;
    vars[`${level}WarnDays`] = Math.max(limit.days - limit.warnBefore, 0);
  }
  return vars;
}
