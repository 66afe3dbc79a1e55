/**
 * 数据发布 and 外部门数据需求 in the web app: statuses, the rules the api applies (so the form can say them before
 * sending), and the 复函 text 信息办 starts from. No Angular; tested in data-release.logic.spec.ts.
 */

export const AUDIENCE_TYPES = ['社会公众', '政府部门', '行业用户', '特定单位'] as const;
export const ORGAN_KINDS = ['政府部门', '行业单位'] as const;
export const RELEASE_STATUSES = [
  '待审核',
  '待批准',
  '待发布',
  '已发布',
  '不予发布',
  '已终止',
] as const;
export const OUTSIDE_STATUSES = ['征求意见', '待拟复函', '复函办理中', '已答复', '已终止'] as const;
/** The steps of a release request, as the detail page shows them. */
export const RELEASE_STEPS = ['提出申请', '主管司局审核', '信息办批准', '发布'] as const;
export const OUTSIDE_STEPS = ['信息办登记', '生产单位意见', '拟复函', '复函签发分发'] as const;
export const GEOLOGY_CATEGORY = '地质调查';

export interface CatalogueDataset {
  id: string;
  code: string;
  name: string;
  category: string;
  secrecy: string;
  ownerUnitName: string | null;
}

export function releaseStatusColor(status: string): string {
  if (status === '已发布') return 'green';
  if (status === '不予发布' || status === '已终止') return 'red';
  if (status === '待发布') return 'cyan';
  return 'blue';
}

export function outsideStatusColor(status: string): string {
  if (status === '已答复') return 'green';
  if (status === '已终止') return 'red';
  if (status === '待拟复函' || status === '复函办理中') return 'orange';
  return 'blue';
}

export function opinionColor(opinion: string): string {
  return opinion === '同意提供' ? 'green' : opinion === '部分提供' ? 'orange' : 'red';
}

/** Who releases a dataset in the ministry's name: 地调局 its 地质调查 data, 信息中心 the rest. */
export function releaseUnitOf(category: string): string {
  return category === GEOLOGY_CATEGORY ? '中国地质调查局' : '国土资源部信息中心';
}

/** Why a dataset cannot be released to this audience, as the api will answer; null when it can. */
export function releaseBlock(
  dataset: Pick<CatalogueDataset, 'name' | 'secrecy'> | undefined,
  audienceType: string | null,
): string | null {
  if (!dataset) return null;
  if (dataset.secrecy === '秘密' || dataset.secrecy === '机密')
    return `“${dataset.name}”为${dataset.secrecy}数据，涉密数据不得发布`;
  if (audienceType === '社会公众' && dataset.secrecy !== '公开')
    return `“${dataset.name}”密级为${dataset.secrecy}，不能向社会公众发布`;
  return null;
}

/** Datasets a release may name: not classified (the catalogue already leaves out 不予共享). */
export function releasable<T extends Pick<CatalogueDataset, 'secrecy'>>(datasets: T[]): T[] {
  return datasets.filter((d) => d.secrecy !== '秘密' && d.secrecy !== '机密');
}

export interface ReleaseForm {
  datasetId: string | null;
  audienceType: string | null;
  audience: string;
  purpose: string;
  scope: string;
}

export type ReleaseField = keyof ReleaseForm;

export function emptyReleaseForm(datasetId: string | null = null): ReleaseForm {
  return { datasetId, audienceType: null, audience: '', purpose: '', scope: '' };
}

/** The same bounds as the api's CreateReleaseRequestDto, with its messages. */
export function releaseFormErrors(f: ReleaseForm): Partial<Record<ReleaseField, string>> {
  const e: Partial<Record<ReleaseField, string>> = {};
  if (!f.datasetId) e.datasetId = '请从数据目录中选择数据资源';
  if (!f.audienceType) e.audienceType = '请选择发布对象类别';
  if (f.audience.trim().length < 2) e.audience = '请填写发布对象（至少 2 个字）';
  else if (f.audience.trim().length > 200) e.audience = '发布对象不能超过 200 个字';
  if (f.purpose.trim().length < 5) e.purpose = '请写明发布目的（至少 5 个字）';
  else if (f.purpose.trim().length > 2000) e.purpose = '发布目的不能超过 2000 个字';
  if (f.scope.trim().length < 2) e.scope = '请填写发布范围（至少 2 个字）';
  else if (f.scope.trim().length > 500) e.scope = '发布范围不能超过 500 个字';
  return e;
}

export interface OutsideForm {
  organName: string;
  organKind: string | null;
  contactName: string;
  contactPhone: string;
  letterRef: string;
  receivedOn: string;
  purpose: string;
  datasetIds: string[];
  /** The exchange partner's organ code, when the organ runs its own deployment ('' when not). */
  partnerOrganCode: string;
  partnerUnitCode: string;
}

export type OutsideField = keyof OutsideForm;

export function emptyOutsideForm(today: string): OutsideForm {
  return {
    organName: '',
    organKind: null,
    contactName: '',
    contactPhone: '',
    letterRef: '',
    receivedOn: today,
    purpose: '',
    datasetIds: [],
    partnerOrganCode: '',
    partnerUnitCode: '',
  };
}

const PHONE = /^[0-9+\-() ]{7,20}$/;
const CODE = /^[A-Za-z0-9-]{1,32}$/;

export function outsideFormErrors(
  f: OutsideForm,
  today: string,
): Partial<Record<OutsideField, string>> {
  const e: Partial<Record<OutsideField, string>> = {};
  const len = (v: string) => v.trim().length;
  if (len(f.organName) < 2) e.organName = '请填写来函单位';
  else if (len(f.organName) > 100) e.organName = '来函单位不能超过 100 个字';
  if (!f.organKind) e.organKind = '请选择来函单位类别';
  if (len(f.contactName) < 2) e.contactName = '请填写联系人姓名';
  if (!PHONE.test(f.contactPhone.trim()))
    e.contactPhone = '联系电话须为 7-20 位数字（可含 - + 括号和空格）';
  if (len(f.letterRef) < 2) e.letterRef = '请填写来函文号';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.receivedOn)) e.receivedOn = '请选择收文日期';
  else if (f.receivedOn > today) e.receivedOn = '收文日期不能晚于今天';
  if (len(f.purpose) < 5) e.purpose = '请写明数据用途（至少 5 个字）';
  if (f.datasetIds.length === 0) e.datasetIds = '请至少选择一项数据资源';
  else if (f.datasetIds.length > 20) e.datasetIds = '一次最多 20 项数据资源';
  const organ = f.partnerOrganCode.trim();
  const unit = f.partnerUnitCode.trim();
  if (organ && !CODE.test(organ)) e.partnerOrganCode = '交换方机构代码为 1–32 位字母、数字或连字符';
  if (unit && !CODE.test(unit)) e.partnerUnitCode = '对方单位代码为 1–32 位字母、数字或连字符';
  if (!!organ !== !!unit) e.partnerUnitCode = '交换方机构代码和对方单位代码须同时填写';
  return e;
}

/** The body the api receives: optional partner fields only when given. */
export function outsideBody(f: OutsideForm): Record<string, unknown> {
  return {
    organName: f.organName.trim(),
    organKind: f.organKind,
    contactName: f.contactName.trim(),
    contactPhone: f.contactPhone.trim(),
    letterRef: f.letterRef.trim(),
    receivedOn: f.receivedOn,
    purpose: f.purpose.trim(),
    datasetIds: f.datasetIds,
    ...(f.partnerOrganCode.trim()
      ? { partnerOrganCode: f.partnerOrganCode.trim(), partnerUnitCode: f.partnerUnitCode.trim() }
      : {}),
  };
}

export interface OpinionView {
  unitName: string;
  opinion: string;
  comment: string | null;
}

/** The 复函 信息办 starts from: the organ as 主送 line, its letter, and the producing units' opinions summed up. */
export function replyDraft(
  r: { organName: string; letterRef: string; datasets: { name: string }[] },
  opinions: OpinionView[],
): { title: string; body: string } {
  const names = r.datasets.map((d) => d.name).join('、');
  const lines = opinions.map(
    (o) => `${o.unitName}：${o.opinion}${o.comment ? `（${o.comment}）` : ''}。`,
  );
  const refused = opinions.length > 0 && opinions.every((o) => o.opinion === '不同意提供');
  return {
    title: `关于${names}数据需求的复函`,
    body: [
      `${r.organName}：`,
      `你单位《${r.letterRef}》收悉。经商有关数据生产单位，现函复如下：`,
      ...lines,
      refused ? '经研究，上述数据暂不能提供。' : '请与我部信息中心联系办理数据提供事宜。',
      '特此函复。',
    ].join('\n'),
  };
}

/** The step a release request has reached, for the steps bar. */
export function releaseProgress(status: string): {
  current: number;
  status: 'process' | 'finish' | 'error';
} {
  switch (status) {
    case '待审核':
      return { current: 1, status: 'process' };
    case '待批准':
      return { current: 2, status: 'process' };
    case '待发布':
      return { current: 3, status: 'process' };
    case '已发布':
      return { current: 3, status: 'finish' };
    default:
      return { current: 1, status: 'error' };
  }
}

export function outsideProgress(status: string): {
  current: number;
  status: 'process' | 'finish' | 'error';
} {
  switch (status) {
    case '征求意见':
      return { current: 1, status: 'process' };
    case '待拟复函':
      return { current: 2, status: 'process' };
    case '复函办理中':
      return { current: 3, status: 'process' };
    case '已答复':
      return { current: 3, status: 'finish' };
    default:
      return { current: 1, status: 'error' };
  }
}
