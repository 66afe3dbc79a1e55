/** 信息化项目立项 and the ledgers as the api returns them (apps/api/src/projects). Plain types, no Angular. */
export const PROJECT_CATEGORIES = [
  '数据采集及建库',
  '系统开发和运行维护',
  '数据共享服务',
  '网络建设',
] as const;
export const PROJECT_STATUSES = [
  '申报中',
  '已立项',
  '不予立项',
  '在建',
  '已建成',
  '已撤回',
] as const;
export const SYSTEM_LEVELS = ['部级', '省级', '市级', '县级'] as const;
export const SYSTEM_STATUSES = ['运行', '停用'] as const;

export const STEP_LABELS: Record<string, string> = {
  leader: '单位领导审批',
  revise: '修改申报',
  office: '信息办审查',
  secretary: '记录集体决定',
};

export const OUTCOME_LABELS: Record<string, string> = {
  approve: '同意',
  return: '退回',
  reject: '不同意',
};

export const HISTORY_LABELS: Record<string, string> = {
  submit: '申报',
  correct: '修改并重新申报',
  status: '状态变更',
  create: '登记',
  update: '修改',
  decide: '立项决定',
};

export interface ProjectSummary {
  id: string;
  projectNo: string | null;
  name: string;
  category: string;
  budget: number;
  startYear: number;
  endYear: number;
  isGovernmentAffairs: boolean;
  status: string;
  stage: string | null;
  unitId: string;
  unitName: string;
  implementingUnitId: string | null;
  implementingUnitName: string | null;
  submittedBy: string;
  submitterName: string;
  decision: string | null;
  decidedAt: string | null;
  createdAt: string;
}

export interface Duplicate {
  id: string;
  projectNo: string | null;
  name: string;
  status: string;
  unitName: string;
  nameSimilarity: number;
  contentSimilarity: number;
}

export interface ProjectOpinion {
  step: string;
  outcome: string;
  opinion: string | null;
  duplicates: Duplicate[] | null;
  at: string;
  userName: string;
  unitName: string | null;
}

export interface ProjectVote {
  vote: string;
  opinion: string | null;
  referToSecretary: boolean;
  votedAt: string;
  voterName: string;
}

export interface ProjectHistoryEntry {
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  changes: Record<string, { from: unknown; to: unknown }> | null;
  reason: string | null;
  at: string;
  userName: string | null;
  unitName: string | null;
}

export interface OpenTask {
  id: string;
  activityId: string;
  name: string;
  assignee: string | null;
  dueAt: string | null;
}

export interface ProjectDetail extends ProjectSummary {
  content: string;
  noticeAttachmentId: string | null;
  history: ProjectHistoryEntry[];
  opinions: ProjectOpinion[];
  votes: ProjectVote[];
  tally: { approve: number; reject: number };
  openTasks: OpenTask[];
  possibleDuplicates: Duplicate[];
}

export interface DeployedSystem {
  id: string;
  name: string;
  projectId: string | null;
  projectNo: string | null;
  projectName: string | null;
  unitId: string;
  unitName: string;
  level: string;
  version: string;
  goLiveDate: string;
  status: string;
  description: string | null;
  updatedAt: string;
}

export interface Attachment {
  id: string;
  name: string;
  mime: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
  isGenerated: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface UnitNode {
  id: string;
  name: string;
  kind: string;
  children?: UnitNode[];
}

export interface UnitOption {
  id: string;
  label: string;
  kind: string;
}

/** The unit tree as select options, indented by depth. */
export function flattenUnits(nodes: readonly UnitNode[], depth = 0): UnitOption[] {
  return nodes.flatMap((n) => [
    { id: n.id, label: `${'\u3000'.repeat(depth)}${n.name}`, kind: n.kind },
    ...flattenUnits(n.children ?? [], depth + 1),
  ]);
}

export interface SystemHistoryEntry {
  action: string;
  changes: Record<string, unknown> | null;
  reason: string | null;
  at: string;
  userName: string;
  unitName: string | null;
}

export interface DeployedSystemDetail extends DeployedSystem {
  history: SystemHistoryEntry[];
}

/** A row of GET /tasks (the caller's 待办), enough to find the caller's task in a project's case. */
export interface TaskRow {
  id: string;
  name: string;
  businessKey: string | null;
  processKey: string;
}
