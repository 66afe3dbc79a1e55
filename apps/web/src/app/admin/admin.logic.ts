/** Pure rules of the 系统管理 pages (no Angular), tested in admin.logic.spec.ts. */

export type AdminTab =
  'units' | 'users' | 'holidays' | 'definitions' | 'incidents' | 'unowned' | 'mailbox' | 'exchange';

export const TAB_LABELS: Record<AdminTab, string> = {
  units: '组织机构',
  users: '人员与角色',
  holidays: '节假日',
  definitions: '流程定义',
  incidents: '异常事件',
  unowned: '无人办理的任务',
  mailbox: '本地邮箱',
  exchange: '公文交换',
};

/**
 * 三员分立: the system administrator runs the platform, the security administrator grants roles
 * and unlocks accounts, the auditor only reads. Each sees the tabs the api lets them use.
 */
const TABS_BY_ROLE: Record<string, AdminTab[]> = {
  sysadmin: [
    'units',
    'users',
    'holidays',
    'definitions',
    'incidents',
    'unowned',
    'mailbox',
    'exchange',
  ],
  secadmin: ['units', 'users'],
  auditor: ['units', 'holidays'],
};

const ORDER: AdminTab[] = [
  'units',
  'users',
  'holidays',
  'definitions',
  'incidents',
  'unowned',
  'mailbox',
  'exchange',
];

export function tabsFor(roles: readonly string[]): AdminTab[] {
  const allowed = new Set(roles.flatMap((r) => TABS_BY_ROLE[r] ?? []));
  return ORDER.filter((tab) => allowed.has(tab));
}

export interface HolidayForm {
  day: string;
  kind: 'holiday' | 'workday' | '';
  name: string;
}

export type HolidayErrors = Partial<Record<keyof HolidayForm, string>>;

/** A real calendar day as YYYY-MM-DD. */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export function validateHoliday(form: HolidayForm): HolidayErrors {
  const errors: HolidayErrors = {};
  if (!form.day.trim()) errors.day = '请选择日期';
  else if (!isDay(form.day.trim())) errors.day = '日期应为存在的日期，格式 YYYY-MM-DD';
  if (!form.kind) errors.kind = '请选择类型：放假或调休上班';
  const name = form.name.trim();
  if (!name) errors.name = '请输入名称，如 春节';
  else if (name.length > 50) errors.name = '名称不能超过 50 个字符';
  return errors;
}

/** A Date from the date picker as the YYYY-MM-DD the api expects (local calendar day). */
export function toDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export interface NewUserForm {
  username: string;
  displayName: string;
  unitId: string;
  title: string;
  password: string;
}

export type NewUserErrors = Partial<Record<keyof NewUserForm, string>>;

export function validateNewUser(form: NewUserForm): NewUserErrors {
  const errors: NewUserErrors = {};
  if (!form.username.trim()) errors.username = '请输入用户名';
  else if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(form.username.trim()))
    errors.username = '用户名须为 2-64 位小写字母、数字、点、下划线或连字符';
  if (!form.displayName.trim()) errors.displayName = '请输入姓名';
  else if (form.displayName.trim().length > 64) errors.displayName = '姓名不能超过 64 个字符';
  if (!form.unitId) errors.unitId = '请选择单位';
  if (form.title.trim().length > 64) errors.title = '职务不能超过 64 个字符';
  if (!form.password) errors.password = '请输入初始密码（首次登录须修改）';
  else if (form.password.length > 128) errors.password = '密码不能超过 128 个字符';
  return errors;
}

export function hasErrors(errors: object): boolean {
  return Object.values(errors).some(Boolean);
}

/** ng-zorro tree nodes from the unit tree. */
export interface UnitNode {
  id: string;
  code: string;
  name: string;
  shortName: string | null;
  kind: string;
  divisionCode: string | null;
  children: UnitNode[];
}

export interface TreeNode {
  key: string;
  title: string;
  isLeaf: boolean;
  expanded: boolean;
  children: TreeNode[];
}

export function toTreeNodes(
  units: UnitNode[],
  kindLabels: Record<string, string>,
  depth = 0,
): TreeNode[] {
  return units.map((u) => ({
    key: u.id,
    title: `${u.name}（${kindLabels[u.kind] ?? u.kind}${u.divisionCode ? ' · ' + u.divisionCode : ''}）`,
    isLeaf: u.children.length === 0,
    expanded: depth < 1,
    children: toTreeNodes(u.children, kindLabels, depth + 1),
  }));
}

/** Flat options "省 / 市 / 县" for a unit select. */
export function unitOptions(units: UnitNode[], prefix = ''): { value: string; label: string }[] {
  return units.flatMap((u) => {
    const label = prefix ? `${prefix} / ${u.shortName ?? u.name}` : (u.shortName ?? u.name);
    return [{ value: u.id, label }, ...unitOptions(u.children, label)];
  });
}

export interface DefinitionRow {
  id: string;
  key: string;
  version: number;
  name: string | null;
  deployed_at: string;
  source: string;
  running: number;
}

export interface DefinitionGroup {
  key: string;
  name: string;
  latest: number;
  running: number;
  versions: DefinitionRow[];
}

/** One row per process key, newest version first, with the running cases of every version. */
export function groupDefinitions(rows: DefinitionRow[]): DefinitionGroup[] {
  const groups = new Map<string, DefinitionGroup>();
  for (const row of rows) {
    const group = groups.get(row.key) ?? {
      key: row.key,
      name: row.name ?? row.key,
      latest: 0,
      running: 0,
      versions: [],
    };
    group.versions.push(row);
    group.running += Number(row.running) || 0;
    if (row.version > group.latest) {
      group.latest = row.version;
      group.name = row.name ?? row.key;
    }
    groups.set(row.key, group);
  }
  for (const group of groups.values()) group.versions.sort((a, b) => b.version - a.version);
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * A deployment's warnings about people: names and groups the platform lacks (the steps will reach nobody
 * until assigned from 无人办理的任务). Other warnings are style and stay out of the way.
 */
export function peopleWarnings(
  warnings: readonly { rule: string; message: string }[] | undefined,
): string[] {
  return (warnings ?? [])
    .filter((w) => w.rule === 'unknown-user' || w.rule === 'unknown-group')
    .map((w) => w.message);
}

/** A partner deployment as the administrator registers it (公文交换). */
export interface PartnerForm {
  organCode: string;
  name: string;
  baseUrl: string;
  caCertificate: string;
}

/** The api's own rules for a partner, checked before sending so the person sees them at the field. */
export function partnerFormErrors(form: PartnerForm): Partial<Record<keyof PartnerForm, string>> {
  const errors: Partial<Record<keyof PartnerForm, string>> = {};
  if (!/^[A-Za-z0-9-]{1,32}$/.test(form.organCode.trim()))
    errors.organCode = '机构代码为 1–32 位字母、数字或连字符';
  const name = form.name.trim();
  if (!name) errors.name = '请填写交换方名称';
  else if (name.length > 100) errors.name = '名称不能超过 100 个字';
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(form.baseUrl.trim()))
    errors.baseUrl = '地址须以 http:// 或 https:// 开头';
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(form.caCertificate))
    errors.caCertificate = '请粘贴对方的 CA 证书（PEM，以 -----BEGIN CERTIFICATE----- 开头）';
  return errors;
}
