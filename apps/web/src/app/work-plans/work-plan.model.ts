/** 年度信息化工作要点 as the api answers it (apps/api/src/work-plans), and the pages' plain logic. */
export type PlanStatus = '草拟' | '审议中' | '退回修改' | '执行中' | '评估中' | '已评估' | '已撤回';
export type ItemStatus = '待审议' | '进行中' | '已报办结' | '已完成' | '逾期';
export type Cadence = 'monthly' | 'quarterly';

export const CADENCES: { value: Cadence; label: string }[] = [
  { value: 'monthly', label: '每月' },
  { value: 'quarterly', label: '每季度' },
];

export interface PlanSummary {
  id: string;
  year: number;
  title: string;
  status: PlanStatus;
  itemCount: number;
  doneCount: number;
  overdueCount: number;
  draftedByName: string;
  decidedAt: string | null;
  createdAt: string;
}

export interface Progress {
  percent: number;
  note: string;
  at: string;
  period: string;
}

export interface PlanItem {
  id: string;
  planId: string;
  seq: number;
  title: string;
  measures: string;
  unitId: string;
  unitName: string;
  deadline: string;
  cadence: Cadence;
  status: ItemStatus;
  supervisionItemId: string | null;
  escalated: boolean;
  latestProgress: Progress | null;
  summary: string | null;
  summaryAt: string | null;
  summaryByName: string | null;
  reportDue?: boolean;
  mine?: boolean;
}

export interface Plan {
  id: string;
  year: number;
  title: string;
  intro: string;
  status: PlanStatus;
  instanceId: string | null;
  decision: string | null;
  decidedAt: string | null;
  acknowledgement: string | null;
  acknowledgedAt: string | null;
  bulletinDocumentId: string | null;
  items: PlanItem[];
  rollup: {
    unitId: string;
    unitName: string;
    total: number;
    done: number;
    overdue: number;
    averagePercent: number;
  }[];
  votes: {
    round: number;
    vote: 'approve' | 'reject';
    opinion: string | null;
    voterName: string;
    votedAt: string;
  }[];
  history: { action: string; note: string | null; at: string; userName: string | null }[];
  openTasks: { id: string; activityId: string; name: string }[];
  allowedActions: ('edit' | 'submit' | 'resubmit' | 'evaluate' | 'bulletin')[];
}

export interface ItemDetail extends PlanItem {
  plan: { id: string; year: number; title: string; status: PlanStatus };
  currentPeriod: string;
  progress: (Progress & { id: string; userName: string })[];
  allowedActions: ('progress' | 'summary')[];
}

export interface Evaluation {
  year: number;
  title: string;
  conclusion: string | null;
  assembledAt: string;
  counts: { total: number; onTime: number; late: number; notDone: number; escalated: number };
  items: {
    itemId: string;
    seq: number;
    title: string;
    unitName: string;
    deadline: string;
    resultLabel: string;
    result: 'on-time' | 'late' | 'not-done';
    escalated: boolean;
    latestPercent: number | null;
    summary: string | null;
  }[];
  units: {
    unitId: string;
    unitName: string;
    total: number;
    onTime: number;
    late: number;
    notDone: number;
  }[];
}

export interface Capabilities {
  canDraft: boolean;
  seesWhole: boolean;
  units: { id: string; name: string; depth: number }[];
}

/** An item row of the editor. */
export interface ItemDraft {
  title: string;
  measures: string;
  unitId: string | null;
  deadline: string;
  cadence: Cadence;
}

export function emptyItem(year: number): ItemDraft {
  return { title: '', measures: '', unitId: null, deadline: `${year}-12-31`, cadence: 'monthly' };
}

/** Messages per field before sending (the api checks again): `items.N.field` as the api names them. */
export function validatePlan(plan: {
  year: number | null;
  title: string;
  items: ItemDraft[];
}): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!plan.year) errors['year'] = '请填写年度';
  if (plan.title.trim().length < 2) errors['title'] = '请填写标题（至少 2 个字）';
  if (plan.items.length === 0) errors['items'] = '请至少填写一项工作要点';
  plan.items.forEach((item, i) => {
    if (item.title.trim().length < 2) errors[`items.${i}.title`] = '请填写工作要点';
    if (item.measures.trim().length < 2) errors[`items.${i}.measures`] = '请填写工作措施';
    if (!item.unitId) errors[`items.${i}.unitId`] = '请选择责任单位';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(item.deadline))
      errors[`items.${i}.deadline`] = '请填写完成时限';
    else if (plan.year && !item.deadline.startsWith(`${plan.year}-`))
      errors[`items.${i}.deadline`] = `完成时限须在 ${plan.year} 年内`;
  });
  return errors;
}

export function planStatusColor(status: string): string {
  switch (status) {
    case '审议中':
    case '评估中':
      return 'blue';
    case '退回修改':
      return 'orange';
    case '执行中':
      return 'processing';
    case '已评估':
      return 'green';
    case '已撤回':
      return 'default';
    default:
      return 'default';
  }
}

export function itemStatusColor(status: string): string {
  switch (status) {
    case '逾期':
      return 'red';
    case '已报办结':
      return 'purple';
    case '已完成':
      return 'green';
    case '进行中':
      return 'blue';
    default:
      return 'default';
  }
}

export function resultColor(result: string): string {
  return result === 'on-time' ? 'green' : result === 'late' ? 'orange' : 'red';
}

const HISTORY: Record<string, string> = {
  create: '起草',
  update: '修改',
  submit: '提请领导小组审议',
  resubmit: '修改后重新提请审议',
  withdraw: '撤回',
  'collective-approve': '领导小组集体决定通过',
  'collective-return': '领导小组集体决定退回修改',
  approve: '审议通过，各项要点转督办',
  evaluate: '提交年度评估，报领导小组',
  acknowledge: '领导小组审阅年度评估',
  bulletin: '拟制通报',
};

export function historyLabel(action: string): string {
  return HISTORY[action] ?? action;
}

export function cadenceLabel(cadence: Cadence): string {
  return cadence === 'quarterly' ? '每季度' : '每月';
}
