/**
 * The documents the platform prints, as plain data. Layouts are pure: data in, PDF bytes out; no
 * database, no framework. Dates are ISO strings (YYYY-MM-DD or full ISO date-times), rendered in
 * Chinese conventions by the layouts.
 */

/** PDF document information (shown in a reader's properties; also checked by 四性检测). */
export interface PdfMetadata {
  title: string;
  /** The responsible unit (责任者). */
  author: string;
  subject?: string;
  keywords?: string[];
  /** When the content was made (成文日期 / 办结日期); defaults to now. */
  createdAt?: string;
}

/** An official document laid out per GB/T 9704-2012. */
export interface OfficialDocument {
  /** 份号, 6 digits; omitted for documents that carry none. */
  copyNumber?: string;
  /** 密级: 非密 prints nothing. */
  secrecy?: '非密' | '秘密' | '机密';
  /** 保密期限, e.g. "1年", printed after the 密级 with ★. */
  secrecyTerm?: string;
  /** 紧急程度: 平急 prints nothing. */
  urgency?: '平急' | '加急' | '特急';
  /** 发文机关标志, e.g. "国土资源部文件" (or the organ's full name for 函). */
  issuerMark: string;
  /** 发文字号, e.g. "国土资规〔2026〕3号". */
  docNumber: string;
  /** 上行文 (请示, 报告): 发文字号 left and 签发人 right on one line. */
  isUpward?: boolean;
  /** 签发人 names (上行文). */
  signers?: string[];
  title: string;
  /** 主送机关, already joined with 、 (the layout adds the full-width colon). */
  mainRecipients: string;
  /** 正文: paragraphs separated by newlines; "一、" starts a 黑体 heading, "（一）" a 楷体 one. */
  body: string;
  /** 附件说明: one name per attachment, in order. */
  attachments?: string[];
  /** 发文机关署名. */
  signatureUnit: string;
  /** 成文日期. */
  date: string;
  /** 附注, printed in parentheses. */
  note?: string;
  /** 抄送机关, in order. */
  cc?: string[];
  /** 印发机关. */
  printingOrgan: string;
  /** 印发日期. */
  printingDate: string;
  /**
   * 文种 (通知, 通报, 报告, 意见, 决定, 请示, 函, 纪要 …): picks the format when `format` is not given —
   * 函 → 信函格式, 纪要 → 纪要格式, 请示 and 报告 (or `isUpward`) → 上行文, everything else → 文件格式.
   */
  docType?: string;
  /** The GB/T 9704 format, overriding the one `docType` implies. */
  format?: OfficialFormat;
  /**
   * Laid out for a seal (GB/T 9704 §7.3.5.1: 成文日期 右空四字, 署名 centred over it, two empty lines
   * above so the seal's top stays within one line of the 正文). Without it the 署名 follows §7.3.5.2.
   */
  sealed?: boolean;
  /**
   * 联合行文: the issuing organs in order, 主办 first. The 标志 stacks their `mark` names with
   * `markSuffix` on the right (§7.2.3); each gets a 署名 (`signature`) with its own seal place (§7.3.5).
   */
  jointIssuers?: { mark: string; signature: string }[];
  /** The word after the names of a joint 标志, "文件" by default (信函 and 纪要: none). */
  markSuffix?: string;
  /** 纪要: 出席, 请假, 列席 lists (GB/T 9704 §10.3), names already joined with "、" or "，". */
  attendance?: { label: '出席' | '请假' | '列席'; names: string }[];
  /** 附件 pages: each on a new page after the 正文 (§8), numbered like the 附件说明. */
  annexes?: { title: string; body?: string }[];
  metadata: PdfMetadata;
}

/** 文件格式, 上行文 (文件格式 with 签发人), 信函格式 (§10.1), 纪要格式 (§10.3). */
export type OfficialFormat = 'file' | 'upward' | 'letter' | 'minutes';

/** One row of a 办理单 (processing sheet): every step of the case. */
export interface ProcessingStep {
  step: string;
  person: string;
  unit: string;
  /** ISO date-time. */
  at: string;
  /** 同意, 退回, 驳回, 签收, … */
  action: string;
  opinion?: string;
}

export interface ProcessingSheet {
  /** e.g. "公文处理单", "规划备案办理单". */
  heading: string;
  /** Key facts of the case, in order: [label, value]. */
  fields: [string, string][];
  steps: ProcessingStep[];
  metadata: PdfMetadata;
}

/** 备案回执. */
export interface FilingReceipt {
  filingNumber: string;
  title: string;
  kind: string;
  filingUnit: string;
  registrarUnit: string;
  registrar: string;
  submittedAt: string;
  registeredAt: string;
  metadata: PdfMetadata;
}

/** 立项通知 for an approved informatization project. */
export interface ProjectApprovalNotice {
  projectNumber: string;
  name: string;
  category: string;
  submittingUnit: string;
  implementingUnit: string;
  budget: string;
  period: string;
  decision: string;
  decidedAt: string;
  issuer: string;
  metadata: PdfMetadata;
}

/** 数据提供交接单 for a data request. */
export interface DataHandoverSheet {
  requestTitle: string;
  applicantUnit: string;
  datasets: { code: string; name: string; owner: string }[];
  region: string;
  period: string;
  delivery: string;
  expiresAt: string;
  providedBy: string;
  providedAt: string;
  receivedBy?: string;
  receivedAt?: string;
  metadata: PdfMetadata;
}
