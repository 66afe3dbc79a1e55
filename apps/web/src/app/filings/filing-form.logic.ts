/** The 规划备案 form: plain data and the api's rules, free of Angular so jest can test them. */

export const FILING_KINDS = ['信息化规划', '重大项目方案'] as const;
export const FILING_STATUSES = ['草稿', '待审核', '待登记', '需补正', '已备案', '已终止'] as const;
/** The filing unit may change the filing and its attachments only in these statuses. */
export const EDITABLE_STATUSES = ['草稿', '需补正'];

const PHONE = /^[0-9+\-() ]{7,20}$/;

export interface FilingForm {
  kind: string;
  title: string;
  periodStart: number | null;
  periodEnd: number | null;
  summary: string;
  content: string;
  contactName: string;
  contactPhone: string;
}

export type FilingField = keyof FilingForm;
export type FilingErrors = Partial<Record<FilingField, string>>;

export interface FilingBody {
  kind: string;
  title: string;
  periodStart: number;
  periodEnd: number;
  summary: string;
  content: string;
  contactName: string;
  contactPhone: string;
}

export function emptyFilingForm(thisYear = new Date().getFullYear()): FilingForm {
  return {
    kind: '信息化规划',
    title: '',
    periodStart: thisYear,
    periodEnd: thisYear + 4,
    summary: '',
    content: '',
    contactName: '',
    contactPhone: '',
  };
}

function isYear(value: number | null): value is number {
  return value !== null && Number.isInteger(value) && value >= 2000 && value <= 2100;
}

export function validateFilingForm(form: FilingForm): FilingErrors {
  const errors: FilingErrors = {};
  if (!(FILING_KINDS as readonly string[]).includes(form.kind)) errors.kind = '请选择备案类别';
  const title = form.title.trim();
  if (!title) errors.title = '请填写标题';
  else if (title.length < 4) errors.title = '标题至少 4 个字';
  else if (title.length > 200) errors.title = '标题不能超过 200 个字';
  if (!isYear(form.periodStart)) errors.periodStart = '请填写起始年（2000—2100）';
  if (!isYear(form.periodEnd)) errors.periodEnd = '请填写终止年（2000—2100）';
  else if (isYear(form.periodStart) && form.periodEnd < form.periodStart)
    errors.periodEnd = '终止年不能早于起始年';
  else if (isYear(form.periodStart) && form.periodEnd - form.periodStart > 9)
    errors.periodEnd = '规划期跨度不能超过 10 年';
  const summary = form.summary.trim();
  if (summary.length < 10) errors.summary = summary ? '内容摘要至少 10 个字' : '请填写内容摘要';
  else if (summary.length > 2000) errors.summary = '内容摘要不能超过 2000 个字';
  const content = form.content.trim();
  if (content.length < 10) errors.content = content ? '正文至少 10 个字' : '请填写正文';
  const contact = form.contactName.trim();
  if (contact.length < 2) errors.contactName = '请填写联系人姓名';
  else if (contact.length > 32) errors.contactName = '联系人不能超过 32 个字';
  const phone = form.contactPhone.trim();
  if (!phone) errors.contactPhone = '请填写联系电话';
  else if (!PHONE.test(phone))
    errors.contactPhone = '联系电话须为 7-20 位数字（可含 - + 括号和空格）';
  return errors;
}

export function toFilingBody(form: FilingForm): FilingBody {
  return {
    kind: form.kind,
    title: form.title.trim(),
    periodStart: Number(form.periodStart),
    periodEnd: Number(form.periodEnd),
    summary: form.summary.trim(),
    content: form.content,
    contactName: form.contactName.trim(),
    contactPhone: form.contactPhone.trim(),
  };
}

export function fromFiling(f: FilingBody): FilingForm {
  return {
    kind: f.kind,
    title: f.title,
    periodStart: f.periodStart,
    periodEnd: f.periodEnd,
    summary: f.summary,
    content: f.content,
    contactName: f.contactName,
    contactPhone: f.contactPhone,
  };
}

const COLORS: Record<string, string> = {
  草稿: 'default',
  待审核: 'processing',
  待登记: 'processing',
  需补正: 'warning',
  已备案: 'success',
  已终止: 'error',
};

export function filingStatusColor(status: string): string {
  return COLORS[status] ?? 'default';
}
