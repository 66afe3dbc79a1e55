/** The ledgers' filters, columns, CSV and the detail page's case history. Pure: no Angular, no DOM. */
import type { CsvColumn } from './csv';
import {
  HISTORY_LABELS,
  OUTCOME_LABELS,
  STEP_LABELS,
  type DeployedSystem,
  type Page,
  type ProjectDetail,
  type ProjectSummary,
} from './project.model';

/** The largest page GET /projects and GET /deployed-systems give (their `limit` maximum). */
export const MAX_PAGE = 200;

export interface ProjectFilters {
  keyword: string;
  category: string | null;
  status: string | null;
  unitId: string | null;
  year: number | null;
}

export interface SystemFilters {
  keyword: string;
  level: string | null;
  status: string | null;
  unitId: string | null;
}

export type QueryParams = Record<string, string | number | undefined>;

export function emptyProjectFilters(): ProjectFilters {
  return { keyword: '', category: null, status: null, unitId: null, year: null };
}

export function emptySystemFilters(): SystemFilters {
  return { keyword: '', level: null, status: null, unitId: null };
}

/** The query of GET /projects: empty filters are left out (the api refuses an empty enum value). */
export function projectQuery(f: ProjectFilters, limit: number, offset: number): QueryParams {
  const year = f.year !== null && Number.isInteger(f.year) ? f.year : undefined;
  return clean({
    keyword: f.keyword.trim() || undefined,
    category: f.category ?? undefined,
    status: f.status ?? undefined,
    unitId: f.unitId ?? undefined,
    year,
    limit,
    offset,
  });
}

export function systemQuery(f: SystemFilters, limit: number, offset: number): QueryParams {
  return clean({
    keyword: f.keyword.trim() || undefined,
    level: f.level ?? undefined,
    status: f.status ?? undefined,
    unitId: f.unitId ?? undefined,
    limit,
    offset,
  });
}

function clean(q: QueryParams): QueryParams {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== ''));
}

/**
 * Every row the filters match, page after page, for 导出: the export holds the whole filtered
 * ledger, not only the page on screen. Stops when a page comes back short, or at `max` rows.
 */
export async function fetchAll<T>(
  fetchPage: (limit: number, offset: number) => Promise<Page<T>>,
  pageSize = MAX_PAGE,
  max = 20000,
): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; offset < max; offset += pageSize) {
    const page = await fetchPage(pageSize, offset);
    rows.push(...page.items);
    if (page.items.length < pageSize || rows.length >= page.total) break;
  }
  return rows;
}

/** 120.5 → "120.5", 1800 → "1,800" (万元). */
export function formatBudget(budget: number | null | undefined): string {
  if (budget === null || budget === undefined || !Number.isFinite(budget)) return '—';
  return budget.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
}

export function yearsText(start: number, end: number): string {
  return start === end ? `${start}` : `${start}—${end}`;
}

export function projectStatusColor(status: string): string {
  return (
    (
      {
        申报中: 'processing',
        已立项: 'green',
        不予立项: 'red',
        在建: 'blue',
        已建成: 'cyan',
        已撤回: 'default',
      } as Record<string, string>
    )[status] ?? 'default'
  );
}

export function systemStatusColor(status: string): string {
  return status === '运行' ? 'green' : 'default';
}

/** Local date and time as 2026-03-05 14:08, for the CSV (the browser's time zone). */
export function dateTimeText(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const PROJECT_CSV_COLUMNS: CsvColumn<ProjectSummary>[] = [
  { header: '项目编号', value: (p) => p.projectNo ?? '' },
  { header: '项目名称', value: (p) => p.name },
  { header: '项目类别', value: (p) => p.category },
  { header: '申报单位', value: (p) => p.unitName },
  { header: '实施单位', value: (p) => p.implementingUnitName ?? '' },
  { header: '预算（万元）', value: (p) => p.budget },
  { header: '起始年度', value: (p) => p.startYear },
  { header: '结束年度', value: (p) => p.endYear },
  { header: '政务管理类', value: (p) => p.isGovernmentAffairs },
  { header: '状态', value: (p) => p.status },
  { header: '当前环节', value: (p) => p.stage ?? '' },
  { header: '申报人', value: (p) => p.submitterName },
  { header: '申报时间', value: (p) => dateTimeText(p.createdAt) },
  { header: '决定', value: (p) => p.decision ?? '' },
  { header: '决定时间', value: (p) => dateTimeText(p.decidedAt) },
];

export const SYSTEM_CSV_COLUMNS: CsvColumn<DeployedSystem>[] = [
  { header: '系统名称', value: (s) => s.name },
  { header: '部署单位', value: (s) => s.unitName },
  { header: '部署层级', value: (s) => s.level },
  { header: '版本号', value: (s) => s.version },
  { header: '上线日期', value: (s) => s.goLiveDate },
  { header: '运行状态', value: (s) => s.status },
  { header: '来源项目编号', value: (s) => s.projectNo ?? '' },
  { header: '来源项目', value: (s) => s.projectName ?? '' },
  { header: '说明', value: (s) => s.description ?? '' },
  { header: '更新时间', value: (s) => dateTimeText(s.updatedAt) },
];

/** The lifecycle step after 立项 that POST /projects/:id/status may take from this status. */
export function nextLifecycleStatus(status: string): '在建' | '已建成' | null {
  if (status === '已立项') return '在建';
  if (status === '在建') return '已建成';
  return null;
}

/**
 * Who may change the lifecycle status, as the api decides it: 信息办's reviewers, or the
 * implementing unit's staff. The api checks again; this only hides a button that would fail.
 */
export function mayChangeStatus(
  p: Pick<ProjectSummary, 'status' | 'implementingUnitId'>,
  me: { unitId: string; roles: readonly string[] },
): boolean {
  if (!nextLifecycleStatus(p.status)) return false;
  // office-reviewer is held only in 信息办.
  const isOffice = me.roles.includes('office-reviewer');
  const staff = ['dept-approver', 'signer', 'reviewer', 'drafter', 'data-admin'];
  const isImplementer =
    p.implementingUnitId === me.unitId && me.roles.some((r) => staff.includes(r));
  return isOffice || isImplementer;
}

/** Unit kinds that may propose a project (the api's rule): 司局, 办公厅/信息办, 督察局, 直属单位. */
export const PROPOSING_KINDS = ['department', 'office', 'inspection', 'affiliated', 'center'];
export const SUBMIT_ROLES = ['drafter', 'reviewer', 'dept-approver', 'signer'] as const;

/** The 新建立项申请 button: a role POST /projects allows, in a unit that may propose (unknown kind: let the api decide). */
export function maySubmit(roles: readonly string[], unitKind: string | undefined): boolean {
  if (!roles.some((r) => (SUBMIT_ROLES as readonly string[]).includes(r))) return false;
  return unitKind === undefined || PROPOSING_KINDS.includes(unitKind);
}

/** One line of the case history, in the shape ../documents/case-history.ts shows. */
export interface CaseEntry {
  action: string;
  comment: string | null;
  at: string;
  taskName: string | null;
  userName: string;
  unitName: string | null;
}

const FIELD_LABELS: Record<string, string> = {
  name: '项目名称',
  category: '项目类别',
  budget: '预算',
  startYear: '起始年度',
  endYear: '结束年度',
  content: '建设内容',
  isGovernmentAffairs: '政务管理类',
};

/** What each step's outcome means in this process (信息办 approves = 建议立项 and sends it to the vote). */
function outcomeLabel(step: string, outcome: string): string {
  if (step === 'office')
    return (
      (
        { approve: '建议立项', reject: '建议不予立项', return: '退回修改' } as Record<
          string,
          string
        >
      )[outcome] ?? outcome
    );
  if (step === 'secretary')
    return (
      ({ approve: '决定立项', reject: '决定不予立项' } as Record<string, string>)[outcome] ??
      outcome
    );
  if (step === 'revise')
    return (
      ({ approve: '重新提交', reject: '撤回申报' } as Record<string, string>)[outcome] ?? outcome
    );
  if (step === 'leader')
    return (
      ({ approve: '同意申报', return: '退回修改', reject: '不同意申报' } as Record<string, string>)[
        outcome
      ] ?? outcome
    );
  return OUTCOME_LABELS[outcome] ?? outcome;
}

/** The ledger's history, the steps' opinions and the votes, merged into one timeline by time. */
export function caseEntries(d: Pick<ProjectDetail, 'history' | 'opinions' | 'votes'>): CaseEntry[] {
  const entries: CaseEntry[] = [];
  for (const h of d.history) {
    const label = HISTORY_LABELS[h.action] ?? (h.action === 'decide' ? '决定' : h.action);
    let action = h.action === 'submit' ? '提交申报' : label;
    if (h.action === 'correct' && h.changes) {
      const fields = Object.keys(h.changes).map((k) => FIELD_LABELS[k] ?? k);
      action = fields.length ? `修改了${fields.join('、')}` : '未修改内容';
    } else if (h.toStatus && h.action !== 'submit') {
      action = h.fromStatus ? `${h.fromStatus} → ${h.toStatus}` : h.toStatus;
    }
    entries.push({
      action,
      comment: h.action === 'correct' ? null : h.reason,
      at: h.at,
      taskName:
        h.action === 'decide'
          ? '立项决定'
          : h.action === 'correct'
            ? '修改申报'
            : h.action === 'submit'
              ? '立项申报'
              : label,
      userName: h.userName ?? '系统',
      unitName: h.unitName,
    });
  }
  for (const o of d.opinions) {
    entries.push({
      action: outcomeLabel(o.step, o.outcome),
      comment: o.opinion,
      at: o.at,
      taskName: STEP_LABELS[o.step] ?? o.step,
      userName: o.userName,
      unitName: o.unitName,
    });
  }
  for (const v of d.votes) {
    entries.push({
      action:
        (v.vote === 'approve' ? '同意' : '不同意') + (v.referToSecretary ? '（提请集体决定）' : ''),
      comment: v.opinion,
      at: v.votedAt,
      taskName: '领导小组表决',
      userName: v.voterName,
      unitName: null,
    });
  }
  // Stable by time; a decision recorded in the same transaction as the last vote comes after it.
  return entries
    .map((e, i) => ({
      e,
      i,
      t: new Date(e.at).getTime(),
      decide: e.taskName === '立项决定' ? 1 : 0,
    }))
    .sort((a, b) => a.t - b.t || a.decide - b.decide || a.i - b.i)
    .map((x) => x.e);
}

/** The open steps, one line each; the vote's many tasks (one per member) become one line with the count. */
export function openStepsText(
  d: Pick<ProjectDetail, 'openTasks' | 'votes'>,
): { name: string; detail: string; dueAt: string | null }[] {
  const votes = d.openTasks.filter((t) => t.activityId === 'vote');
  const others = d.openTasks.filter((t) => t.activityId !== 'vote');
  const lines = others.map((t) => ({
    name: t.name,
    detail: t.assignee ? '已指定办理人' : '待认领',
    dueAt: t.dueAt,
  }));
  if (votes.length) {
    const cast = d.votes.length;
    lines.push({
      name: votes[0].name,
      detail: `已表决 ${cast} 人，待表决 ${votes.length} 人`,
      dueAt: votes.map((t) => t.dueAt).find((x) => x) ?? null,
    });
  }
  return lines;
}

/** The latest 退回 opinion, for the submitter correcting the proposal. */
export function returnedOpinion(d: Pick<ProjectDetail, 'opinions'>): string | null {
  const last = [...d.opinions].reverse().find((o) => o.outcome === 'return');
  if (!last) return null;
  return `${STEP_LABELS[last.step] ?? last.step}（${last.userName}）：${last.opinion ?? '请修改后重新提交'}`;
}

const SYSTEM_FIELD_LABELS: Record<string, string> = {
  name: '系统名称',
  projectId: '来源项目',
  version: '版本号',
  goLiveDate: '上线日期',
  status: '运行状态',
  description: '说明',
};

/** An update of the system ledger in words: 版本号 V1.0 → V1.1；运行状态 运行 → 停用. */
export function systemChangesText(changes: Record<string, unknown> | null): string {
  if (!changes) return '';
  const show = (v: unknown) => (v === null || v === undefined || v === '' ? '（空）' : String(v));
  return Object.entries(changes)
    .map(([field, change]) => {
      const label = SYSTEM_FIELD_LABELS[field] ?? field;
      const c = change as { from?: unknown; to?: unknown } | null;
      if (!c || typeof c !== 'object' || !('to' in c)) return label;
      // Project ids mean nothing to a reader: say only that the link changed.
      if (field === 'projectId') return `${label}已变更`;
      return `${label} ${show(c.from)} → ${show(c.to)}`;
    })
    .join('；');
}
