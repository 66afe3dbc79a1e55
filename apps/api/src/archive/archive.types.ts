import type { ProcessingSheet } from '@zhengwu/pdf';
import type { EntityManager } from 'typeorm';
import type { MetadataSignature } from './dat46';

/** One business event of the case (DA/T 46 业务实体: 业务行为, 行为时间, 行为描述, and who acted). */
export interface ArchiveEvent {
  /** 业务行为: 发起, 同意, 退回, 驳回, 办结 … */
  action: string;
  /** The step (环节) the event belongs to. */
  step: string;
  person: string;
  unit: string;
  /** ISO date-time. */
  at: string;
  description?: string;
}

/** A file of the case that is not an attachment: its name, type and bytes. */
export interface InlineFile {
  name: string;
  mime: string;
  body: Buffer;
}

/** How a feature describes one finished case for the archive. */
export interface ArchiveSource {
  /** 题名 */
  title: string;
  /** 文件编号 (发文字号), when the case has one. */
  docNumber?: string;
  /** 责任者: the responsible unit's name; for a 收文, the organ that issued the document. */
  responsible: string;
  /** 日期 (YYYY-MM-DD): 成文/办结日期; its year is the 年度 of the archive number. */
  date: string;
  /** 文种: 通知, 请示, 函 … ('其他' when the case has none); picks the 保管期限. */
  docType: string;
  /** 密级 */
  secrecy: string;
  /** 保密期限 */
  secrecyTerm?: string;
  /** 紧急程度 */
  urgency: string;
  /** 主送, joined with 、 */
  mainTo?: string;
  /** 抄送, joined with 、 */
  cc?: string;
  /** The unit (机构) the case belongs to. */
  unitId: string;
  events: ArchiveEvent[];
  /**
   * Files of the case: attachment ids (uploaded and generated alike), or content kept elsewhere (a partner's
   * exchange package); the first with role 'document' is the 正文.
   */
  files: ({ attachmentId: string; role: 'document' | 'attachment' } | { inline: InlineFile; role: 'document' | 'attachment' })[];
  /** The 办理单 data. */
  sheet: ProcessingSheet;
  /** 行为依据 of the events: the process the case followed (its name and version). */
  basis?: string;
  /** Seal signatures of the documents in `files` (a sealed OFD), for 电子签名 in the metadata. */
  seals?: MetadataSignature[];
  /** 公开属性 decided at 拟稿 (主动公开, 依申请公开, 不予公开), when the document has one. */
  disclosure?: string;
  /** 附注: what the metadata has no element for (公开属性, 收文编号). */
  note?: string;
}

export type ArchiveSourceFn = (instanceId: string, m: EntityManager) => Promise<ArchiveSource>;

/** The three stages of DA/T 70-2018: 归档 (GD), 移交与接收 (YJ), 长期保存 (BC). */
export type CheckStage = 'GD' | 'YJ' | 'BC';

export const STAGE_LABELS: Record<CheckStage, string> = { GD: '归档', YJ: '移交与接收', BC: '长期保存' };

/** pass 通过, fail 不通过, na 不适用 (with the reason in detail). */
export type CheckStatus = 'pass' | 'fail' | 'na';

export interface CheckItem {
  /** The DA/T 70 item number with the stage: GD-1-1, YJ-2-3, BC-4-2 … */
  code: string;
  /** 真实性, 完整性, 可用性 or 安全性. */
  property: string;
  /** `property：code 检测项目`, e.g. 真实性：GD-1-1 固化信息有效性检测 (what lists and alerts show). */
  name: string;
  status: CheckStatus;
  /** false only when the item failed: an item that does not apply does not fail the package. */
  ok: boolean;
  detail: string;
}

/** 四性检测 report (DESIGN.md §8 shape, extended with the stage and DA/T 70 item numbers). */
export interface CheckReport {
  ok: boolean;
  stage: CheckStage;
  stageLabel: string;
  standard: string;
  /** The package's format version (1: English metadata; 2: DA/T 46 names). */
  formatVersion: number;
  checks: CheckItem[];
}

export type Retention = 'Y' | 'D30' | 'D10';

export const RETENTION_LABELS: Record<Retention, string> = { Y: '永久', D30: '30年', D10: '10年' };
