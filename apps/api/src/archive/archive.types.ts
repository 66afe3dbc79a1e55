import type { ProcessingSheet } from '@zhengwu/pdf';
import type { EntityManager } from 'typeorm';

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

/** How a feature describes one finished case for the archive. */
export interface ArchiveSource {
  /** 题名 */
  title: string;
  /** 文件编号 (发文字号), when the case has one. */
  docNumber?: string;
  /** 责任者: the responsible unit's name. */
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
  /** Files of the case: attachment ids (uploaded and generated alike); the first with role 'document' is the 正文. */
  files: { attachmentId: string; role: 'document' | 'attachment' }[];
  /** The 办理单 data. */
  sheet: ProcessingSheet;
}

export type ArchiveSourceFn = (instanceId: string, m: EntityManager) => Promise<ArchiveSource>;

export interface CheckItem {
  name: string;
  ok: boolean;
  detail: string;
}

/** 四性检测 report (DESIGN.md §8 shape). */
export interface CheckReport {
  ok: boolean;
  checks: CheckItem[];
}

export type Retention = 'Y' | 'D30' | 'D10';

export const RETENTION_LABELS: Record<Retention, string> = { Y: '永久', D30: '30年', D10: '10年' };
