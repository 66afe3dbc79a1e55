/** Validation of the 申报 form and the system ledger form, checked at the field before sending. No Angular here. */
import { PROJECT_CATEGORIES, SYSTEM_LEVELS, SYSTEM_STATUSES } from './project.model';

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export interface ProjectForm {
  name: string;
  category: string;
  budget: string;
  startYear: string;
  endYear: string;
  content: string;
  isGovernmentAffairs: boolean;
}

export type ProjectField = keyof ProjectForm | 'comment';

export interface ProjectBody {
  name: string;
  category: string;
  budget: number;
  startYear: number;
  endYear: number;
  content: string;
  isGovernmentAffairs: boolean;
}

export const MAX_BUDGET = 100000;

export function emptyProjectForm(thisYear: number): ProjectForm {
  return {
    name: '',
    category: '',
    budget: '',
    startYear: String(thisYear),
    endYear: String(thisYear),
    content: '',
    isGovernmentAffairs: false,
  };
}

export function projectFormOf(p: ProjectBody): ProjectForm {
  return {
    name: p.name,
    category: p.category,
    budget: String(p.budget),
    startYear: String(p.startYear),
    endYear: String(p.endYear),
    content: p.content,
    isGovernmentAffairs: p.isGovernmentAffairs,
  };
}

export function budgetError(text: string): string | undefined {
  const value = text.trim();
  if (!value) return '请填写预算（万元）';
  if (!/^\d+(\.\d+)?$/.test(value)) return '预算须为数字（万元），如 120.5';
  if (!/^\d+(\.\d{1,2})?$/.test(value)) return '预算最多两位小数（万元）';
  const budget = Number(value);
  if (!(budget > 0)) return '预算须大于 0';
  if (budget > MAX_BUDGET) return `预算不能超过 ${MAX_BUDGET} 万元`;
  return undefined;
}

/**
 * Years as the api checks them: a new proposal starts no earlier than last year and no later than
 * five years ahead, ends no earlier than it starts, and runs at most 10 years.
 */
export function yearErrors(
  startText: string,
  endText: string,
  thisYear: number,
): FieldErrors<'startYear' | 'endYear'> {
  const errors: FieldErrors<'startYear' | 'endYear'> = {};
  const start = /^\d{4}$/.test(startText.trim()) ? Number(startText) : NaN;
  const end = /^\d{4}$/.test(endText.trim()) ? Number(endText) : NaN;
  if (Number.isNaN(start)) errors.startYear = '请填写起始年度（四位年份，如 2026）';
  else if (start < thisYear - 1)
    errors.startYear = `起始年度不能早于 ${thisYear - 1} 年（新申报项目）`;
  else if (start > thisYear + 5) errors.startYear = `起始年度不能晚于 ${thisYear + 5} 年`;
  if (Number.isNaN(end)) errors.endYear = '请填写结束年度（四位年份，如 2027）';
  else if (!Number.isNaN(start) && end < start) errors.endYear = '结束年度不能早于起始年度';
  else if (!Number.isNaN(start) && end - start > 10) errors.endYear = '建设期不能超过 10 年';
  return errors;
}

export function validateProjectForm(
  form: ProjectForm,
  thisYear: number,
): FieldErrors<ProjectField> {
  const errors: FieldErrors<ProjectField> = {};
  const name = form.name.trim();
  if (name.length < 2) errors.name = '请填写项目名称（至少 2 个字）';
  else if (name.length > 100) errors.name = '项目名称不能超过 100 个字';
  if (!(PROJECT_CATEGORIES as readonly string[]).includes(form.category))
    errors.category = '请选择项目类别';
  const budget = budgetError(form.budget);
  if (budget) errors.budget = budget;
  Object.assign(errors, yearErrors(form.startYear, form.endYear, thisYear));
  const content = form.content.trim();
  if (content.length < 10) errors.content = '建设内容至少 10 个字，请说明建设目标和主要内容';
  else if (content.length > 5000) errors.content = '建设内容不能超过 5000 个字';
  return errors;
}

export function toProjectBody(form: ProjectForm): ProjectBody {
  return {
    name: form.name.trim(),
    category: form.category,
    budget: Number(form.budget.trim()),
    startYear: Number(form.startYear.trim()),
    endYear: Number(form.endYear.trim()),
    content: form.content.trim(),
    isGovernmentAffairs: form.isGovernmentAffairs,
  };
}

export function reasonError(text: string, label = '变更原因'): string | undefined {
  const value = text.trim();
  if (value.length < 2) return `请填写${label}（至少 2 个字）`;
  if (value.length > 2000) return `${label}不能超过 2000 个字`;
  return undefined;
}

export interface SystemForm {
  name: string;
  unitId: string;
  level: string;
  version: string;
  goLiveDate: string;
  status: string;
  projectId: string;
  description: string;
  reason: string;
}

export type SystemField = keyof SystemForm;

export function emptySystemForm(): SystemForm {
  return {
    name: '',
    unitId: '',
    level: '',
    version: '',
    goLiveDate: '',
    status: '运行',
    projectId: '',
    description: '',
    reason: '',
  };
}

/** The unit kind decides the level: provinces 省级, cities 市级, counties 县级, everything else 部级. */
export function levelOfUnitKind(kind: string): string {
  return (
    ({ province: '省级', city: '市级', county: '县级' } as Record<string, string>)[kind] ?? '部级'
  );
}

function isRealDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Editing needs a reason; creating picks the unit and level, which are fixed afterwards. */
export function validateSystemForm(form: SystemForm, editing: boolean): FieldErrors<SystemField> {
  const errors: FieldErrors<SystemField> = {};
  const name = form.name.trim();
  if (name.length < 2) errors.name = '请填写系统名称（至少 2 个字）';
  else if (name.length > 100) errors.name = '系统名称不能超过 100 个字';
  if (!editing) {
    if (!form.unitId) errors.unitId = '请选择部署单位';
    if (!(SYSTEM_LEVELS as readonly string[]).includes(form.level)) errors.level = '请选择部署层级';
  }
  const version = form.version.trim();
  if (!version) errors.version = '请填写版本号';
  else if (version.length > 32) errors.version = '版本号不能超过 32 个字符';
  if (!isRealDate(form.goLiveDate.trim())) errors.goLiveDate = '请填写上线日期，如 2026-03-01';
  if (!(SYSTEM_STATUSES as readonly string[]).includes(form.status))
    errors.status = '请选择运行状态';
  if (form.description.trim().length > 2000) errors.description = '说明不能超过 2000 个字';
  if (editing) {
    const reason = reasonError(form.reason);
    if (reason) errors.reason = reason;
  }
  return errors;
}

export function toSystemBody(form: SystemForm, editing: boolean): Record<string, string> {
  const body: Record<string, string> = {
    name: form.name.trim(),
    version: form.version.trim(),
    goLiveDate: form.goLiveDate.trim(),
    status: form.status,
    description: form.description.trim(),
  };
  if (form.projectId) body['projectId'] = form.projectId;
  if (editing) body['reason'] = form.reason.trim();
  else {
    body['unitId'] = form.unitId;
    body['level'] = form.level;
  }
  return body;
}
