/** 三级联网审批 as the api returns it (apps/api/src/approvals). Plain types and labels, no Angular. */
export const MATTER_TYPES = [
  '建设用地报批',
  '土地征收',
  '农用地转用',
  '采矿权登记',
  '探矿权登记',
  '土地复垦方案',
  '土地整治项目',
] as const;
export type MatterType = (typeof MATTER_TYPES)[number];

export const APPROVAL_STATUSES = [
  '补正材料',
  '县级审查',
  '市级审核',
  '省级审批',
  '批准',
  '不予批准',
  '已终止',
] as const;

export const LEVELS = ['accept', 'county', 'city', 'province'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_LABELS: Record<Level, string> = {
  accept: '县级受理',
  county: '县级审查',
  city: '市级审核',
  province: '省级审批',
};

/** The three reviewing levels in the order a case climbs them. */
export const REVIEW_LEVELS = ['county', 'city', 'province'] as const;
export const REVIEW_LEVEL_NAMES: Record<(typeof REVIEW_LEVELS)[number], string> = {
  county: '县级',
  city: '市级',
  province: '省级',
};

export const DECISION_LABELS: Record<string, string> = {
  approve: '同意',
  return: '退回',
  reject: '不予批准',
  cancelled: '已终止',
};

export const ACTION_LABELS: Record<string, string> = {
  approve: '同意',
  return: '退回',
  reject: '驳回',
  claim: '认领',
  unclaim: '释放',
  transfer: '转办',
  delegate: '委派',
  resolve: '委派办结',
  cc: '抄送',
  withdraw: '撤回',
  urge: '催办',
  'add-signer': '加签',
  'remove-signer': '减签',
  assign: '管理员指派',
};

export interface ApprovalSummary {
  id: string;
  caseNo: string;
  matterType: string;
  title: string;
  applicant: string;
  location: string;
  landArea: number;
  status: string;
  currentLevel: Level | null;
  result: string | null;
  acceptedAt: string;
  decidedAt: string | null;
  warnedLevels: string[];
  overdueLevels: string[];
  unitId: string;
  unitName: string;
  dueAt: string | null;
}

export interface ApprovalLevelRecord {
  id: string;
  level: Level;
  levelName: string;
  round: number;
  unitName: string;
  limitDays: number | null;
  receivedAt: string;
  dueAt: string | null;
  handlerName: string | null;
  decidedAt: string | null;
  decision: string | null;
  opinion: string | null;
  workingDaysUsed: number | null;
  warned: boolean;
  overdue: boolean;
}

export interface ApprovalCurrentStep {
  level: Level;
  name: string;
  unitName: string;
  receivedAt: string;
  dueAt: string | null;
  remainingWorkingDays: number | null;
  isOverdue: boolean;
}

export interface ApprovalHistoryEntry {
  action: string;
  comment: string | null;
  at: string;
  userName: string;
  unitName: string | null;
  taskName: string | null;
}

export interface ApprovalDetail extends ApprovalSummary {
  applicantContact: string | null;
  description: string;
  resultOpinion: string | null;
  acceptedByName: string;
  cityUnitName: string;
  provinceUnitName: string;
  limits: Record<string, { days: number; warnBefore: number }>;
  levels: ApprovalLevelRecord[];
  currentStep: ApprovalCurrentStep | null;
  history: ApprovalHistoryEntry[];
}

export interface Page<T> {
  items: T[];
  total: number;
}
