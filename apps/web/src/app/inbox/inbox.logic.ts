/**
 * The inbox's plain logic: views, filters to query parameters, the record a case belongs to, the form summary and
 * the batch result. No Angular here; tested in inbox.logic.spec.ts.
 */

export type TaskView = 'todo' | 'done' | 'started' | 'cc';

export const VIEWS: { view: TaskView; label: string }[] = [
  { view: 'todo', label: '待办' },
  { view: 'done', label: '已办' },
  { view: 'started', label: '我发起的' },
  { view: 'cc', label: '抄送我的' },
];

export const URGENCIES = ['特急', '加急', '平急'] as const;

export const PROCESSES: { key: string; name: string }[] = [
  { key: 'document-exchange', name: '公文交换（发文）' },
  { key: 'document-receipt', name: '公文交换（收文）' },
  { key: 'three-level-approval', name: '三级联网审批' },
  { key: 'project-initiation', name: '信息化项目立项' },
  { key: 'work-plan', name: '年度信息化工作要点' },
  { key: 'plan-filing', name: '规划备案' },
  { key: 'data-request', name: '数据使用申请' },
  { key: 'data-release', name: '数据发布' },
  { key: 'data-outside-request', name: '外部门数据需求' },
  { key: 'data-collection-list', name: '基础数据汇交清单' },
  { key: 'data-collection-submission', name: '基础数据汇交' },
];

export type SortKey = 'created' | 'due' | 'priority';

export const SORTS: { key: SortKey; label: string }[] = [
  { key: 'created', label: '按到达时间' },
  { key: 'due', label: '按办理期限' },
  { key: 'priority', label: '按优先级' },
];

export interface InboxFilters {
  process?: string | null;
  urgency?: string | null;
  /** '' any, 'true' only overdue, 'false' only not overdue. */
  overdue?: '' | 'true' | 'false' | null;
  q?: string | null;
  /** Created from … to … (inclusive days). */
  range?: (Date | null)[] | null;
  sort?: SortKey;
}

/** A day as YYYY-MM-DD in local time (what the person picked). */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * Today where the ministry works (Beijing time) as YYYY-MM-DD: the api judges "today" there (代理 ranges, data
 * expiry), whatever the browser's own time zone.
 */
export function ministryToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** The query of GET /api/tasks; `to` is exclusive in the api, so the picked last day is included by adding one. */
export function listQuery(
  view: TaskView,
  filters: InboxFilters,
  page: { index: number; size: number },
): Record<string, string | number> {
  const query: Record<string, string | number> = {
    view,
    sort: filters.sort ?? 'created',
    limit: page.size,
    offset: (Math.max(page.index, 1) - 1) * page.size,
  };
  if (filters.process) query['process'] = filters.process;
  if (filters.urgency) query['urgency'] = filters.urgency;
  if (filters.overdue) query['overdue'] = filters.overdue;
  const q = filters.q?.trim();
  if (q) query['q'] = q.slice(0, 64);
  const [from, to] = filters.range ?? [];
  if (from) query['from'] = isoDay(from);
  if (to) {
    const next = new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1);
    query['to'] = isoDay(next);
  }
  return query;
}

export interface TaskCounts {
  todo: number;
  done: number;
  started: number;
  cc: number;
}

export interface RecordRef {
  /** Router link of the record page. */
  link: string;
  label: string;
  /** Where its attachments live (GET /api/attachments?ownerKind=&ownerId=). */
  ownerKind: string;
  ownerId: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The business record behind a case, when the process is one of the platform's. */
export function recordOf(
  processKey: string,
  businessKey: string | null,
  variables: Record<string, unknown>,
): RecordRef | null {
  switch (processKey) {
    case 'document-exchange':
    case 'document-receipt': {
      const id = str(variables['documentId']);
      const receiptId = str(variables['receiptId']);
      // A document from a partner deployment (公文交换) has no local record: its 收文 page shows what arrived.
      if (!id && receiptId && str(variables['exchangePackageId'])) {
        return {
          link: `/documents/received/${receiptId}`,
          label: '查看来文',
          ownerKind: 'document-receipt',
          ownerId: receiptId,
        };
      }
      return id
        ? { link: `/documents/${id}`, label: '查看公文', ownerKind: 'document', ownerId: id }
        : null;
    }
    case 'plan-filing': {
      const id = businessKey ?? str(variables['filingId']);
      return id
        ? { link: `/filings/${id}`, label: '查看备案', ownerKind: 'filing', ownerId: id }
        : null;
    }
    case 'project-initiation': {
      const id = businessKey ?? str(variables['projectId']);
      return id
        ? { link: `/projects/${id}`, label: '查看项目', ownerKind: 'project', ownerId: id }
        : null;
    }
    case 'work-plan': {
      const id = businessKey ?? str(variables['planId']);
      return id
        ? { link: `/work-plans/${id}`, label: '查看工作要点', ownerKind: 'work-plan', ownerId: id }
        : null;
    }
    case 'data-request': {
      const id = businessKey ?? str(variables['requestId']);
      return id
        ? {
            link: `/data-requests/${id}`,
            label: '查看申请',
            ownerKind: 'data-request',
            ownerId: id,
          }
        : null;
    }
    case 'data-release': {
      const id = businessKey ?? str(variables['requestId']);
      return id
        ? {
            link: `/data-release/requests/${id}`,
            label: '查看发布申请',
            ownerKind: 'data-release',
            ownerId: id,
          }
        : null;
    }
    case 'data-collection-list': {
      const id = businessKey ?? str(variables['listId']);
      return id
        ? {
            link: `/data-collection/lists/${id}`,
            label: '查看清单',
            ownerKind: 'data-collection-list',
            ownerId: id,
          }
        : null;
    }
    case 'data-outside-request': {
      const id = businessKey ?? str(variables['requestId']);
      return id
        ? {
            link: `/data-release/outside/${id}`,
            label: '查看数据需求',
            ownerKind: 'data-outside-request',
            ownerId: id,
          }
        : null;
    }
    case 'data-collection-submission': {
      const id = businessKey ?? str(variables['submissionId']);
      return id
        ? {
            link: `/data-collection/submissions/${id}`,
            label: '查看汇交',
            ownerKind: 'data-collection',
            ownerId: id,
          }
        : null;
    }
    case 'three-level-approval': {
      const id = str(variables['approvalId']);
      return id
        ? { link: `/approvals/${id}`, label: '查看审批案件', ownerKind: 'approval', ownerId: id }
        : null;
    }
    default:
      return null;
  }
}

/** The form variables worth showing, in this order, with Chinese labels. */
const FORM_FIELDS: [string, string][] = [
  ['title', '标题'],
  ['docType', '文种'],
  ['docNumber', '文号'],
  ['urgency', '紧急程度'],
  ['secrecy', '密级'],
  ['senderUnit', '来文单位'],
  ['kind', '类别'],
  ['caseNo', '案件编号'],
  ['matterType', '事项类型'],
  ['category', '项目类别'],
  ['budget', '预算（万元）'],
  ['isGovernmentAffairs', '政务管理项目'],
];

export function formSummary(
  variables: Record<string, unknown>,
): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  for (const [key, label] of FORM_FIELDS) {
    const value = variables[key];
    if (value === undefined || value === null || value === '') continue;
    if (key === 'kind' && variables['receiptId']) {
      rows.push({
        label: '收文类别',
        value: value === 'cc' ? '抄送' : value === 'main' ? '主送' : String(value),
      });
      continue;
    }
    if (typeof value === 'boolean') rows.push({ label, value: value ? '是' : '否' });
    else if (typeof value === 'string' || typeof value === 'number')
      rows.push({ label, value: String(value) });
  }
  return rows;
}

export interface BatchResult {
  results: { taskId: string; ok: boolean; code?: string; message?: string }[];
  succeeded: number;
  failed: number;
}

/** The batch outcome in words, with each failure named by its task's title. */
export function batchReport(
  result: BatchResult,
  titles: Record<string, string>,
): { summary: string; failures: { title: string; message: string }[] } {
  const failures = result.results
    .filter((r) => !r.ok)
    .map((r) => ({
      title: titles[r.taskId] ?? r.taskId,
      message: r.message ?? '办理失败，请打开该任务查看',
    }));
  const summary =
    result.failed === 0
      ? `已批量同意 ${result.succeeded} 项`
      : `成功 ${result.succeeded} 项，失败 ${result.failed} 项`;
  return { summary, failures };
}

/** Overdue when it is still open and its due time has passed (the api's isOverdue, or derived for older rows). */
export function isOverdue(
  task: { isOverdue?: boolean; dueAt?: string | null; status?: string },
  now = new Date(),
): boolean {
  if (task.isOverdue !== undefined) return task.isOverdue;
  return task.status === 'open' && !!task.dueAt && new Date(task.dueAt).getTime() < now.getTime();
}

export function urgencyColor(urgency: string | null | undefined): string | null {
  if (urgency === '特急') return 'red';
  if (urgency === '加急') return 'orange';
  return null;
}

// ---- the list's state in the URL, so back and reload keep the view, filters and page ----------------------------

export const PAGE_SIZES = [10, 20, 50, 100];

export interface InboxState {
  view: TaskView;
  filters: InboxFilters;
  page: number;
  size: number;
}

/** A picked day (YYYY-MM-DD) as a local date; null when it is not a real day. */
export function parseDay(value: string | null | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  if (!m) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return isoDay(date) === value ? date : null;
}

const positive = (value: string | null, fallback: number): number => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/** The state from the URL's query parameters; anything unknown falls back to the default. */
export function stateFromParams(get: (name: string) => string | null): InboxState {
  const view = VIEWS.some((v) => v.view === get('view')) ? (get('view') as TaskView) : 'todo';
  const process = PROCESSES.some((p) => p.key === get('process')) ? get('process') : null;
  const urgency = (URGENCIES as readonly string[]).includes(get('urgency') ?? '')
    ? get('urgency')
    : null;
  const overdue =
    get('overdue') === 'true' || get('overdue') === 'false'
      ? (get('overdue') as 'true' | 'false')
      : '';
  const sort = SORTS.some((s) => s.key === get('sort')) ? (get('sort') as SortKey) : 'created';
  const from = parseDay(get('from'));
  const to = parseDay(get('to'));
  const size = positive(get('size'), 20);
  return {
    view,
    filters: {
      process,
      urgency,
      overdue,
      q: (get('q') ?? '').slice(0, 64),
      range: from || to ? [from, to] : null,
      sort,
    },
    page: positive(get('page'), 1),
    size: PAGE_SIZES.includes(size) ? size : 20,
  };
}

/** The query parameters of a state; defaults are left out (null removes them from the URL). */
export function paramsOfState(state: InboxState): Record<string, string | null> {
  const f = state.filters;
  const [from, to] = f.range ?? [];
  const q = f.q?.trim();
  return {
    view: state.view === 'todo' ? null : state.view,
    process: f.process || null,
    urgency: f.urgency || null,
    overdue: f.overdue || null,
    q: q ? q.slice(0, 64) : null,
    from: from ? isoDay(from) : null,
    to: to ? isoDay(to) : null,
    sort: !f.sort || f.sort === 'created' ? null : f.sort,
    page: state.page > 1 ? String(state.page) : null,
    size: state.size === 20 ? null : String(state.size),
  };
}

/** How many filters narrow the list (for the 重置 button and the empty text). */
export function activeFilters(filters: InboxFilters): number {
  const [from, to] = filters.range ?? [];
  return [filters.process, filters.urgency, filters.overdue, filters.q?.trim(), from || to].filter(
    Boolean,
  ).length;
}

/** What the list says when it is empty. */
export function emptyText(view: TaskView, filtered: boolean): string {
  if (filtered) return '没有符合条件的事项，可点“重置”查看全部';
  return {
    todo: '暂无待办事项',
    done: '暂无已办事项',
    started: '暂无我发起且在办的事项',
    cc: '暂无抄送给我的事项',
  }[view];
}

/** A finished task's outcome in words (已办), in the step's own words when given (step-forms.logic). */
export function outcomeText(
  outcome: string | null | undefined,
  labels: Partial<Record<string, string>> = {},
): string {
  const words: Record<string, string> = { approve: '同意', return: '退回', reject: '驳回' };
  return outcome ? (labels[outcome] ?? words[outcome] ?? outcome) : '—';
}

/** sessionStorage key of the list's URL as the person last saw it (set by the list page). */
export const INBOX_URL_KEY = 'zw.inbox.url';

/** Where the task page's “返回” goes: the list as last seen (kept by the list page), else the inbox. */
export function inboxLink(stored: string | null | undefined): string {
  return stored && /^\/(inbox|tasks)(\?|$)/.test(stored) ? stored : '/inbox';
}

export interface HolderInfo {
  status: string;
  assignee: string | null;
  assigneeName?: string | null;
  onBehalfOf?: { userId: string; displayName: string } | null;
  signing?: string | null;
}

/**
 * Who holds the task now, in words: oneself, the person one stands in for, a known name, or 待认领. `names` maps
 * people's ids to names the page already knows (history, signers).
 */
export function holderText(
  task: HolderInfo,
  me: { id: string; displayName: string } | null,
  names: Record<string, string>,
): string {
  if (task.status !== 'open') return '—';
  if (task.assignee === null) return '待认领';
  if (task.onBehalfOf && task.onBehalfOf.userId === task.assignee)
    return `${task.onBehalfOf.displayName}（由您代理）`;
  const name = task.assigneeName ?? names[task.assignee] ?? null;
  if (me && task.assignee === me.id) return `${me.displayName}（本人）`;
  return name ?? '他人办理中';
}
