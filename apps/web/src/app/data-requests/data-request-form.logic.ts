/** The 数据使用申请 form: plain data and the api's rules, free of Angular so jest can test them. */

export const DATA_FORMATS = [
  'Shapefile',
  'FileGDB',
  'GeoPackage',
  'GeoTIFF',
  'CSV',
  'Excel',
  'PDF',
  '在线服务',
] as const;
export const DATA_REQUEST_STATUSES = [
  '待签批',
  '待审核',
  '待会商',
  '待提供',
  '待确认',
  '已完成',
  '退回修改',
  '不予提供',
  '已终止',
] as const;

const PHONE = /^[0-9+\-() ]{7,20}$/;
const REGION_CODE = /^[1-8]\d{5}$/;
/** The api allows at most three years (counted as 3 × 366 days). */
const MAX_PERIOD_DAYS = 3 * 366;
const DAY_MS = 86_400_000;

export interface DataRequestForm {
  title: string;
  datasetIds: string[];
  regionCode: string;
  regionName: string;
  purpose: string;
  /** [from, to] as the range picker gives it. */
  period: (Date | null)[];
  format: string;
  contactName: string;
  contactPhone: string;
}

export type DataRequestField = keyof DataRequestForm;
export type DataRequestErrors = Partial<Record<DataRequestField, string>>;

export interface DataRequestBody {
  title: string;
  datasetIds: string[];
  regionCode?: string;
  regionName: string;
  purpose: string;
  periodFrom: string;
  periodTo: string;
  format: string;
  contactName: string;
  contactPhone: string;
}

export function emptyDataRequestForm(): DataRequestForm {
  return {
    title: '',
    datasetIds: [],
    regionCode: '',
    regionName: '',
    purpose: '',
    period: [],
    format: 'Shapefile',
    contactName: '',
    contactPhone: '',
  };
}

/** YYYY-MM-DD of the calendar day the person picked (local time, as shown in the picker). */
export function toIsoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A YYYY-MM-DD (or ISO timestamp) from the api as a local date at midnight, for the picker. */
export function fromIsoDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // A DATE column serialised as a timestamp (local midnight of the server): the person's calendar day.
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return null;
  return new Date(at.getFullYear(), at.getMonth(), at.getDate());
}

/** The usage period: both dates, in order, not already over, at most three years. */
export function validatePeriod(
  period: (Date | null)[],
  today: Date = new Date(),
): string | undefined {
  const [from, to] = period;
  if (!from || !to) return '请选择使用期限（起止日期）';
  const start = fromIsoDate(toIsoDate(from))!;
  const end = fromIsoDate(toIsoDate(to))!;
  if (end < start) return '使用期限止不能早于起';
  if (toIsoDate(end) < toIsoDate(today)) return '使用期限已过，请选择今天或以后的日期';
  const days = Math.round(
    (Date.UTC(end.getFullYear(), end.getMonth(), end.getDate()) -
      Date.UTC(start.getFullYear(), start.getMonth(), start.getDate())) /
      DAY_MS,
  );
  if (days > MAX_PERIOD_DAYS) return '使用期限不能超过 3 年';
  return undefined;
}

export function validateDataRequestForm(
  form: DataRequestForm,
  today: Date = new Date(),
): DataRequestErrors {
  const errors: DataRequestErrors = {};
  const title = form.title.trim();
  if (!title) errors.title = '请填写申请标题';
  else if (title.length < 4) errors.title = '申请标题至少 4 个字';
  else if (title.length > 200) errors.title = '申请标题不能超过 200 个字';
  if (form.datasetIds.length === 0) errors.datasetIds = '请至少选择一项数据资源';
  else if (form.datasetIds.length > 10) errors.datasetIds = '一次最多申请 10 项数据资源';
  if (form.regionCode.trim() && !REGION_CODE.test(form.regionCode.trim()))
    errors.regionCode = '行政区划代码须为 6 位数字，如 320000';
  const region = form.regionName.trim();
  if (region.length < 2) errors.regionName = '请填写数据范围（行政区），如“江苏省”';
  else if (region.length > 100) errors.regionName = '数据范围不能超过 100 个字';
  const purpose = form.purpose.trim();
  if (purpose.length < 10)
    errors.purpose = purpose ? '请具体说明用途（至少 10 个字）' : '请填写用途';
  else if (purpose.length > 2000) errors.purpose = '用途不能超过 2000 个字';
  const period = validatePeriod(form.period, today);
  if (period) errors.period = period;
  if (!(DATA_FORMATS as readonly string[]).includes(form.format)) errors.format = '请选择数据格式';
  const contact = form.contactName.trim();
  if (contact.length < 2) errors.contactName = '请填写联系人姓名';
  else if (contact.length > 32) errors.contactName = '联系人不能超过 32 个字';
  const phone = form.contactPhone.trim();
  if (!phone) errors.contactPhone = '请填写联系电话';
  else if (!PHONE.test(phone))
    errors.contactPhone = '联系电话须为 7-20 位数字（可含 - + 括号和空格）';
  return errors;
}

export function toDataRequestBody(form: DataRequestForm): DataRequestBody {
  const [from, to] = form.period;
  const body: DataRequestBody = {
    title: form.title.trim(),
    datasetIds: [...form.datasetIds],
    regionName: form.regionName.trim(),
    purpose: form.purpose.trim(),
    periodFrom: from ? toIsoDate(from) : '',
    periodTo: to ? toIsoDate(to) : '',
    format: form.format,
    contactName: form.contactName.trim(),
    contactPhone: form.contactPhone.trim(),
  };
  if (form.regionCode.trim()) body.regionCode = form.regionCode.trim();
  return body;
}

export function fromDataRequest(r: {
  title: string;
  datasets: { id: string }[];
  regionCode: string | null;
  regionName: string;
  purpose: string;
  periodFrom: string;
  periodTo: string;
  format: string;
  contactName: string;
  contactPhone: string;
}): DataRequestForm {
  return {
    title: r.title,
    datasetIds: r.datasets.map((d) => d.id),
    regionCode: r.regionCode ?? '',
    regionName: r.regionName,
    purpose: r.purpose,
    period: [fromIsoDate(r.periodFrom), fromIsoDate(r.periodTo)],
    format: r.format,
    contactName: r.contactName,
    contactPhone: r.contactPhone,
  };
}

/** Which api field errors show at which form field (the two dates share the range picker). */
export function formFieldOf(apiField: string): DataRequestField | undefined {
  if (apiField === 'periodFrom' || apiField === 'periodTo') return 'period';
  const fields: DataRequestField[] = [
    'title',
    'datasetIds',
    'regionCode',
    'regionName',
    'purpose',
    'format',
    'contactName',
    'contactPhone',
  ];
  return fields.find((f) => f === apiField);
}

const COLORS: Record<string, string> = {
  待签批: 'processing',
  待审核: 'processing',
  待会商: 'processing',
  待提供: 'cyan',
  待确认: 'orange',
  已完成: 'success',
  退回修改: 'warning',
  不予提供: 'error',
  已终止: 'default',
};

export function dataRequestStatusColor(status: string): string {
  return COLORS[status] ?? 'default';
}

export function hasErrors(errors: DataRequestErrors): boolean {
  return Object.values(errors).some(Boolean);
}

/* ---------- 数据资源目录 ---------- */

export const SECRECY_LEVELS = ['公开', '内部', '秘密', '机密'] as const;

/** One entry of the catalogue as GET /api/datasets lists it. */
export interface Dataset {
  id: string;
  code: string;
  name: string;
  category: string;
  description: string | null;
  secrecy: string;
  formats: string[];
  ownerUnitCode: string | null;
  ownerUnitId: string | null;
  ownerUnitName: string | null;
}

export interface CatalogueFilter {
  keyword: string;
  category: string | null;
  secrecy: string | null;
  ownerUnitId: string | null;
}

export function emptyCatalogueFilter(): CatalogueFilter {
  return { keyword: '', category: null, secrecy: null, ownerUnitId: null };
}

/** The api lists the whole (small) catalogue; searching and filtering happen here. */
export function filterCatalogue(items: Dataset[], filter: CatalogueFilter): Dataset[] {
  const words = filter.keyword.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((d) => {
    if (filter.category && d.category !== filter.category) return false;
    if (filter.secrecy && d.secrecy !== filter.secrecy) return false;
    if (filter.ownerUnitId && d.ownerUnitId !== filter.ownerUnitId) return false;
    const text =
      `${d.code} ${d.name} ${d.description ?? ''} ${d.ownerUnitName ?? ''}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The categories of the catalogue in their first-seen order, for the filter. */
export function categoriesOf(items: Dataset[]): string[] {
  return [...new Set(items.map((d) => d.category))];
}

/** The owner units of the catalogue, for the filter. */
export function ownersOf(items: Dataset[]): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const d of items)
    if (d.ownerUnitId && !seen.has(d.ownerUnitId))
      seen.set(d.ownerUnitId, d.ownerUnitName ?? d.ownerUnitCode ?? '');
  return [...seen].map(([id, name]) => ({ id, name }));
}

export function secrecyColor(secrecy: string): string {
  return { 公开: 'green', 内部: 'blue', 秘密: 'orange', 机密: 'red' }[secrecy] ?? 'default';
}

/** The formats the chosen datasets are offered in, in the api's order. */
export function offeredFormats(catalogue: Dataset[], ids: string[]): string[] {
  const chosen = catalogue.filter((d) => ids.includes(d.id));
  const offered = new Set(chosen.flatMap((d) => d.formats));
  return DATA_FORMATS.filter((f) => offered.has(f));
}

/**
 * A warning (not an error: the api accepts any format) when some chosen dataset is not offered in the
 * chosen format, so the applicant knows 信息中心 may have to convert it.
 */
export function formatWarning(
  catalogue: Dataset[],
  ids: string[],
  format: string,
): string | undefined {
  const missing = catalogue.filter(
    (d) => ids.includes(d.id) && d.formats.length > 0 && !d.formats.includes(format),
  );
  if (missing.length === 0) return undefined;
  return `${missing.map((d) => `“${d.name}”`).join('、')}目录中未提供 ${format} 格式（可提供：${offeredFormats(
    missing,
    missing.map((d) => d.id),
  ).join('、')}）`;
}

/** 关于申请使用……数据的函, from the chosen datasets' names. */
export function suggestTitle(names: string[]): string {
  if (names.length === 0) return '';
  const short = names.map((n) => n.replace(/（[^）]*）$/, ''));
  const list = short.length > 3 ? `${short.slice(0, 3).join('、')}等` : short.join('、');
  return `关于申请使用${list}数据的函`;
}

/* ---------- the case ---------- */

/** The steps of the data-request diagram, as its tasks are named. */
export const DATA_REQUEST_STEPS = [
  '提出申请',
  '单位领导签批',
  '信息办审核',
  '数据主管司局审核',
  '信息中心提供数据',
  '申请单位确认接收',
] as const;

const STEP_AT: Record<string, number> = {
  退回修改: 0,
  待签批: 1,
  待审核: 2,
  待会商: 3,
  待提供: 4,
  待确认: 5,
};

export interface Progress {
  current: number;
  status: 'process' | 'finish' | 'error';
}

/** Where the case stands for the step bar; a refused or ended case shows red at the step that ended it. */
export function progressOf(
  status: string,
  history: { action: string; taskName: string | null }[] = [],
): Progress {
  if (status === '已完成') return { current: DATA_REQUEST_STEPS.length - 1, status: 'finish' };
  if (status in STEP_AT) return { current: STEP_AT[status], status: 'process' };
  const last = [...history]
    .reverse()
    .find((h) => (status === '不予提供' ? h.action === 'reject' : true));
  const name = last?.taskName ?? '';
  const at = name.startsWith('填写申请') ? 0 : DATA_REQUEST_STEPS.findIndex((s) => s === name);
  return { current: Math.max(at, 0), status: 'error' };
}

/** What the applicant is waiting for, in words. */
export function statusHint(status: string): string {
  return (
    {
      待签批: '等待本单位领导签批',
      待审核: '等待信息办审核',
      待会商: '等待数据主管司局审核',
      待提供: '等待信息中心提供数据',
      待确认: '数据已提供，等待申请人确认接收',
      已完成: '申请人已确认接收，办结',
      退回修改: '已退回申请人修改，修改后重新提交',
      不予提供: '不予提供，办理结束',
      已终止: '已终止办理',
    }[status] ?? ''
  );
}

/** Only a returned request can be changed and submitted again (the api creates and submits in one step). */
export function isEditable(status: string): boolean {
  return status === '退回修改';
}

export interface CurrentTask {
  id: string;
  name: string;
  activityId: string;
  dueAt: string | null;
  candidateUnits: string[];
  assigneeName: string | null;
}

/** The case's open steps that are in the caller's 待办 (the api's todo list, matched by task id). */
export function myOpenTasks(current: CurrentTask[], todoTaskIds: string[]): CurrentTask[] {
  return current.filter((t) => todoTaskIds.includes(t.id));
}

/**
 * The api keeps a stored 行政区划代码 when the change leaves it out, so once given it can be corrected
 * but not removed; say so at the field rather than let the old code silently come back.
 */
export function regionCodeClearError(
  stored: string | null | undefined,
  form: DataRequestForm,
): string | undefined {
  return stored && !form.regionCode.trim()
    ? '已填写的行政区划代码不能清空，如需更正请填写正确的 6 位代码'
    : undefined;
}
