/** Validation of the 受理 and 补正 forms, checked at the field before anything is sent. No Angular here. */
import { MATTER_TYPES, type ApprovalCurrentStep, type MatterType } from './approval.model';

export interface AcceptForm {
  matterType: string;
  title: string;
  applicant: string;
  applicantContact: string;
  location: string;
  landArea: string;
  description: string;
}

export type AcceptField = keyof AcceptForm;
export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export interface AcceptBody {
  matterType: MatterType;
  title: string;
  applicant: string;
  applicantContact?: string;
  location: string;
  landArea: number;
  description: string;
}

export function emptyAcceptForm(): AcceptForm {
  return {
    matterType: '',
    title: '',
    applicant: '',
    applicantContact: '',
    location: '',
    landArea: '',
    description: '',
  };
}

/** 公顷: a number above 0, at most 4 decimals, at most 100000 (larger is almost always 平方米 typed by mistake). */
export function landAreaError(text: string): string | undefined {
  const value = text.trim();
  if (!value) return '请填写用地面积（公顷）';
  if (!/^\d+(\.\d+)?$/.test(value)) return '用地面积须为数字（公顷），如 12.5';
  if (!/^\d+(\.\d{1,4})?$/.test(value)) return '用地面积最多 4 位小数';
  const area = Number(value);
  if (!(area > 0)) return '用地面积须大于 0 公顷';
  if (area > 100000) return '用地面积不能超过 100000 公顷，请核对单位（公顷）';
  return undefined;
}

function lengthError(text: string, label: string, min: number, max: number): string | undefined {
  const value = text.trim();
  if (value.length < min) return `请填写${label}（至少 ${min} 个字）`;
  if (value.length > max) return `${label}不能超过 ${max} 个字`;
  return undefined;
}

export function validateAcceptForm(form: AcceptForm): FieldErrors<AcceptField> {
  const errors: FieldErrors<AcceptField> = {};
  if (!(MATTER_TYPES as readonly string[]).includes(form.matterType))
    errors.matterType = '请选择事项类型';
  errors.title = lengthError(form.title, '事项名称', 2, 200);
  errors.applicant = lengthError(form.applicant, '申请人', 2, 100);
  if (form.applicantContact.trim().length > 50)
    errors.applicantContact = '联系方式不能超过 50 个字';
  errors.location = lengthError(form.location, '坐落', 2, 200);
  errors.landArea = landAreaError(form.landArea);
  errors.description = lengthError(form.description, '申请说明', 5, 5000);
  return compact(errors);
}

export function toAcceptBody(form: AcceptForm): AcceptBody {
  const contact = form.applicantContact.trim();
  return {
    matterType: form.matterType as MatterType,
    title: form.title.trim(),
    applicant: form.applicant.trim(),
    ...(contact ? { applicantContact: contact } : {}),
    location: form.location.trim(),
    landArea: Number(form.landArea.trim()),
    description: form.description.trim(),
  };
}

export interface ResubmitForm {
  applicant: string;
  location: string;
  landArea: string;
  description: string;
  comment: string;
}

export type ResubmitField = keyof ResubmitForm;

export function validateResubmitForm(form: ResubmitForm): FieldErrors<ResubmitField> {
  return compact({
    applicant: lengthError(form.applicant, '申请人', 2, 100),
    location: lengthError(form.location, '坐落', 2, 200),
    landArea: landAreaError(form.landArea),
    description: lengthError(form.description, '申请说明', 5, 5000),
    comment: lengthError(form.comment, '补正说明', 2, 1000),
  });
}

export function toResubmitBody(form: ResubmitForm): Record<string, string | number> {
  return {
    applicant: form.applicant.trim(),
    location: form.location.trim(),
    landArea: Number(form.landArea.trim()),
    description: form.description.trim(),
    comment: form.comment.trim(),
  };
}

/** "剩余 3 个工作日" / "今日到期" / "已超期" — how the current level stands against its limit. */
export function remainingText(
  step: Pick<ApprovalCurrentStep, 'remainingWorkingDays' | 'isOverdue' | 'dueAt'>,
): string {
  if (!step.dueAt) return '不计时限';
  const days = step.remainingWorkingDays;
  if (step.isOverdue) return days !== null && days < 0 ? `已超期 ${-days} 个工作日` : '已超期';
  if (days === null) return '';
  if (days <= 0) return '今日到期';
  return `剩余 ${days} 个工作日`;
}

function compact<K extends string>(errors: FieldErrors<K>): FieldErrors<K> {
  const result: FieldErrors<K> = {};
  for (const key of Object.keys(errors) as K[]) if (errors[key]) result[key] = errors[key];
  return result;
}
