/** The drafting form of 公文交换: plain data and rules, free of Angular so jest can test them. */

export const DOC_TYPES = ['通知', '通报', '请示', '报告', '函', '纪要'] as const;
export const SECRECY_LEVELS = ['非密', '秘密', '机密'] as const;
export const URGENCIES = ['平急', '加急', '特急'] as const;
/** 公开属性, decided at 拟稿; '' is not yet decided. */
export const DISCLOSURES = ['主动公开', '依申请公开', '不予公开'] as const;

export interface DocumentForm {
  docType: string;
  title: string;
  secrecy: string;
  secrecyTerm: string;
  urgency: string;
  disclosure: string;
  mainRecipients: string[];
  ccRecipients: string[];
  countersignUnits: string[];
  body: string;
  attachmentNote: string;
  /** 联合行文: issued jointly with the 会签 units. */
  jointIssue: boolean;
  /** 纪要: 出席, 请假, 列席. */
  present: string;
  absent: string;
  attending: string;
}

export type DocumentField = keyof DocumentForm;
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface DocumentBody {
  docType: string;
  title: string;
  secrecy: string;
  secrecyTerm?: string;
  urgency: string;
  disclosure?: string;
  mainRecipients: string[];
  ccRecipients: string[];
  countersignUnits: string[];
  body: string;
  attachmentNote?: string;
  jointIssue?: boolean;
  attendance?: { present?: string; absent?: string; attending?: string };
}

/** A unit as the api's tree gives it (GET /api/org/units). */
export interface UnitNode {
  id: string;
  name: string;
  children?: UnitNode[];
}

/** The shape nz-tree-select takes. */
export interface UnitOption {
  key: string;
  title: string;
  isLeaf: boolean;
  disabled?: boolean;
  expanded?: boolean;
  children?: UnitOption[];
}

export function emptyDocumentForm(): DocumentForm {
  return {
    docType: '通知',
    title: '',
    secrecy: '非密',
    secrecyTerm: '',
    urgency: '平急',
    disclosure: '',
    mainRecipients: [],
    ccRecipients: [],
    countersignUnits: [],
    body: '',
    attachmentNote: '',
    jointIssue: false,
    present: '',
    absent: '',
    attending: '',
  };
}

/** The rules the api applies, checked at the field before sending. */
export function validateDocumentForm(
  form: DocumentForm,
  ownUnitId?: string,
): FieldErrors<DocumentField> {
  const errors: FieldErrors<DocumentField> = {};
  if (!(DOC_TYPES as readonly string[]).includes(form.docType)) errors.docType = '请选择文种';
  const title = form.title.trim();
  if (!title) errors.title = '请填写标题';
  else if (title.length < 2) errors.title = '标题至少 2 个字';
  else if (title.length > 200) errors.title = '标题不能超过 200 个字';
  if (form.secrecyTerm.trim().length > 20) errors.secrecyTerm = '保密期限不能超过 20 个字';
  if (form.secrecy !== '非密' && form.disclosure && form.disclosure !== '不予公开')
    errors.disclosure = '涉密公文的公开属性只能为“不予公开”';
  if (!form.body.trim()) errors.body = '请填写正文';
  if (form.attachmentNote.length > 2000) errors.attachmentNote = '附件说明不能超过 2000 字';
  if (form.mainRecipients.length === 0) errors.mainRecipients = '请至少选择一个主送机关';
  if (ownUnitId && form.mainRecipients.includes(ownUnitId))
    errors.mainRecipients = '主送机关不能是本单位';
  if (ownUnitId && form.ccRecipients.includes(ownUnitId))
    errors.ccRecipients = '抄送机关不能是本单位';
  else if (form.ccRecipients.some((id) => form.mainRecipients.includes(id)))
    errors.ccRecipients = '同一单位不能既主送又抄送，请从抄送中去掉';
  if (ownUnitId && form.countersignUnits.includes(ownUnitId))
    errors.countersignUnits = '会签单位不能是本单位';
  else if (form.countersignUnits.length > 20) errors.countersignUnits = '会签单位不能超过 20 个';
  if (form.jointIssue && form.countersignUnits.length === 0)
    errors.jointIssue = '联合行文须选择会签单位（联合发文的机关）';
  for (const f of ['present', 'absent', 'attending'] as const)
    if (form[f].length > 1000) errors[f] = '人员名单不能超过 1000 字';
  return errors;
}

export function hasErrors(errors: object): boolean {
  return Object.values(errors).some((v) => !!v);
}

/** The POST/PUT /api/documents body: trimmed, optional texts left out when empty. */
export function toDocumentBody(form: DocumentForm): DocumentBody {
  const body: DocumentBody = {
    docType: form.docType,
    title: form.title.trim(),
    secrecy: form.secrecy,
    urgency: form.urgency,
    mainRecipients: [...form.mainRecipients],
    ccRecipients: [...form.ccRecipients],
    countersignUnits: [...form.countersignUnits],
    body: form.body,
  };
  if (form.secrecy !== '非密' && form.secrecyTerm.trim())
    body.secrecyTerm = form.secrecyTerm.trim();
  if (form.attachmentNote.trim()) body.attachmentNote = form.attachmentNote.trim();
  if (form.disclosure) body.disclosure = form.disclosure;
  if (form.jointIssue) body.jointIssue = true;
  if (form.docType === '纪要') {
    const attendance = {
      present: form.present.trim() || undefined,
      absent: form.absent.trim() || undefined,
      attending: form.attending.trim() || undefined,
    };
    if (Object.values(attendance).some(Boolean)) body.attendance = attendance;
  }
  return body;
}

/** A document from GET /api/documents/:id back into the form, for 修改. */
export function fromDocument(doc: {
  docType: string;
  title: string;
  secrecy: string;
  secrecyTerm?: string | null;
  urgency: string;
  disclosure?: string | null;
  body: string;
  attachmentNote?: string | null;
  mainRecipients?: { id: string }[] | null;
  ccRecipients?: { id: string }[] | null;
  countersignUnits?: { id: string }[] | null;
  jointIssue?: boolean | null;
  attendance?: { present?: string; absent?: string; attending?: string } | null;
}): DocumentForm {
  const ids = (units?: { id: string }[] | null) => (units ?? []).map((u) => u.id);
  return {
    docType: doc.docType,
    title: doc.title,
    secrecy: doc.secrecy,
    secrecyTerm: doc.secrecyTerm ?? '',
    urgency: doc.urgency,
    disclosure: doc.disclosure ?? '',
    mainRecipients: ids(doc.mainRecipients),
    ccRecipients: ids(doc.ccRecipients),
    countersignUnits: ids(doc.countersignUnits),
    body: doc.body,
    attachmentNote: doc.attachmentNote ?? '',
    jointIssue: doc.jointIssue ?? false,
    present: doc.attendance?.present ?? '',
    absent: doc.attendance?.absent ?? '',
    attending: doc.attendance?.attending ?? '',
  };
}

/** The unit tree as tree-select nodes; one's own unit is shown but cannot be picked. */
export function toUnitOptions(units: UnitNode[], ownUnitId?: string, depth = 0): UnitOption[] {
  return units.map((u) => {
    const children = u.children?.length
      ? toUnitOptions(u.children, ownUnitId, depth + 1)
      : undefined;
    return {
      key: u.id,
      title: u.name,
      isLeaf: !children,
      disabled: u.id === ownUnitId,
      expanded: depth === 0,
      ...(children ? { children } : {}),
    };
  });
}

/** "已送达 2 · 已签收 1" from the per-status receipt counts of the 发文 list. */
export function receiptSummary(counts: Record<string, number> | null | undefined): string {
  if (!counts) return '';
  const order = ['已送达', '已签收', '办理中', '办结', '退文'];
  return Object.entries(counts)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([status, n]) => `${status} ${n}`)
    .join(' · ');
}

const STATUS_COLORS: Record<string, string> = {
  拟稿: 'default',
  核稿: 'processing',
  会签: 'processing',
  签发: 'processing',
  分发: 'cyan',
  办结: 'success',
  不予签发: 'error',
  已撤销: 'default',
  已送达: 'orange',
  已签收: 'blue',
  办理中: 'processing',
  退文: 'error',
};

export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? 'default';
}
