import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { ArchiveEvent } from './archive.types';

/**
 * DA/T 46-2009 文书类电子文件元数据, metadata.xml of format version 2: the standard's Chinese element
 * names, each with its number (编号) as an attribute, built with xmlbuilder2 and validated against
 * the schema in dat46-schema.ts (docs/archive.md lists every element and where its number comes from).
 *
 * Numbers M1–M64 are confirmed (an open DA/T 46 checker's source and the standard's contents);
 * M65–M74 (存储位置, 权限管理 and their children) follow the standard's order and are still to be
 * confirmed against the text of the standard. The 业务实体 and 机构人员 elements carry no number: their numbering
 * could not be found, and none is invented.
 */
export const METADATA_NS = 'urn:zhengwu:archive:da-t-46-2009';
export const METADATA_FORMAT_VERSION = 2;

export const ELEMENT_NUMBERS = {
  聚合层次: 'M1',
  来源: 'M2',
  档案馆名称: 'M3',
  档案馆代码: 'M4',
  全宗名称: 'M5',
  立档单位名称: 'M6',
  电子文件号: 'M7',
  档号: 'M8',
  全宗号: 'M9',
  目录号: 'M10',
  年度: 'M11',
  保管期限: 'M12',
  机构或问题: 'M13',
  室编件号: 'M17',
  内容描述: 'M21',
  题名: 'M22',
  文件编号: 'M31',
  责任者: 'M32',
  日期: 'M33',
  文种: 'M34',
  紧急程度: 'M35',
  主送: 'M36',
  抄送: 'M37',
  密级: 'M38',
  保密期限: 'M39',
  形式特征: 'M40',
  文件组合类型: 'M41',
  件数: 'M42',
  页数: 'M43',
  语种: 'M44',
  稿本: 'M45',
  电子属性: 'M46',
  格式信息: 'M47',
  计算机文件名: 'M48',
  计算机文件大小: 'M49',
  文档创建程序: 'M50',
  信息系统描述: 'M51',
  电子签名: 'M57',
  签名规则: 'M58',
  签名时间: 'M59',
  签名人: 'M60',
  签名结果: 'M61',
  证书: 'M62',
  证书引证: 'M63',
  签名算法标识: 'M64',
  // Inferred from the standard's order (STANDARDS.md: "to confirm").
  存储位置: 'M65',
  当前位置: 'M66',
  权限管理: 'M70',
  授权对象: 'M72',
  授权行为: 'M73',
  控制标识: 'M74',
} as const;

export type ElementName = keyof typeof ELEMENT_NUMBERS;

/** SM2 with SM3 (GB/T 33560 OID), the algorithm of the archive's and the seals' signatures. */
export const SM2_SM3_OID = '1.2.156.10197.1.501';

/** One file of the package as metadata.xml describes it (DA/T 48 文档 with its 电子属性). */
export interface MetadataDocument {
  /** 文档序号 (1…). */
  seq: number;
  /** 主文档 (the 正文) or 附属文档. */
  primary: boolean;
  /** 正文, 附件, 办理单, 公钥 … */
  role: string;
  /** 题名 of the file: its name as uploaded or made. */
  title: string;
  fileName: string;
  size: number;
  mime: string;
  formatName: string;
  formatVersion: string;
  creator: string;
  sha256: string;
  sm3: string;
}

/** One 电子签名 (M57): the archive's manifest signature and, for sealed documents, each seal. */
export interface MetadataSignature {
  rule: string;
  time: string;
  signer: string;
  /** Where the signature value is: a file of the package, or a path inside one. */
  result: string;
  /** The certificate (base64 DER) or, until the archive key has one, the SM2 public key (hex). */
  certificate: string;
  certificateKind: 'X.509' | 'SM2公钥';
  /** 证书引证: where the certificate can be found or who issued it. */
  certificateRef: string;
  algorithm: string;
}

/** Every value metadata.xml (format 2) carries. */
export interface MetadataV2 {
  archiveNumber: string;
  fonds: string;
  fondsName: string;
  /** 立档单位名称: the organ that forms and keeps the records (never a department). */
  organName: string;
  electronicRecordId: string;
  year: number;
  retention: string;
  retentionLabel: string;
  unitCode: string;
  itemNo: number;
  title: string;
  docNumber: string | null;
  /** 责任者: for a 收文, the issuing organ. */
  responsible: string;
  date: string;
  docType: string;
  urgency: string;
  mainTo: string | null;
  cc: string | null;
  secrecy: string;
  secrecyTerm: string | null;
  pieces: number;
  pages: number;
  language: string;
  draft: string;
  location: string;
  authorizedTo: string;
  authorizedActs: string;
  control: string;
  system: string;
  documents: MetadataDocument[];
  signatures: MetadataSignature[];
  /** 行为依据 of the events: the process (and its version) the case followed. */
  basis: string;
  events: ArchiveEvent[];
  note?: string;
}

type Node = XMLBuilder;

function num(parent: Node, name: ElementName, value?: string | number | null): Node {
  const child = parent.ele(name, { 编号: ELEMENT_NUMBERS[name] });
  if (value !== undefined && value !== null) child.txt(String(value));
  return child;
}

/** metadata.xml, format 2. Optional elements without a value are left out, never written empty. */
export function metadataXmlV2(meta: MetadataV2): string {
  // A character XML cannot hold becomes U+FFFD, which 四性检测 (特殊字符) then reports.
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const root = doc.ele(METADATA_NS, '文件实体', {
    格式版本: String(METADATA_FORMAT_VERSION),
    依据: 'DA/T 46-2009 文书类电子文件元数据方案',
  });
  num(root, '聚合层次', '件');
  const source = num(root, '来源');
  num(source, '全宗名称', meta.fondsName);
  num(source, '立档单位名称', meta.organName);
  num(root, '电子文件号', meta.electronicRecordId);
  const code = root.ele('档号', { 编号: ELEMENT_NUMBERS.档号, 值: meta.archiveNumber });
  num(code, '全宗号', meta.fonds);
  num(code, '年度', meta.year);
  num(code, '保管期限', meta.retentionLabel).att('代码', meta.retention);
  num(code, '机构或问题', meta.unitCode);
  num(code, '室编件号', String(meta.itemNo).padStart(4, '0'));
  const content = num(root, '内容描述');
  num(content, '题名', meta.title);
  if (meta.docNumber) num(content, '文件编号', meta.docNumber);
  num(content, '责任者', meta.responsible);
  num(content, '日期', meta.date);
  num(content, '文种', meta.docType);
  num(content, '紧急程度', meta.urgency);
  if (meta.mainTo) num(content, '主送', meta.mainTo);
  if (meta.cc) num(content, '抄送', meta.cc);
  num(content, '密级', meta.secrecy);
  if (meta.secrecyTerm) num(content, '保密期限', meta.secrecyTerm);
  const form = num(root, '形式特征');
  num(form, '文件组合类型', meta.pieces > 1 ? '组合文件' : '单件');
  num(form, '件数', meta.pieces);
  num(form, '页数', meta.pages);
  num(form, '语种', meta.language);
  num(form, '稿本', meta.draft);
  num(num(root, '存储位置'), '当前位置', meta.location);
  const rights = num(root, '权限管理');
  num(rights, '授权对象', meta.authorizedTo);
  num(rights, '授权行为', meta.authorizedActs);
  num(rights, '控制标识', meta.control);
  num(root, '信息系统描述', meta.system);
  const data = root.ele('文件数据');
  for (const d of meta.documents) {
    const docEl = data.ele('文档', { 文档序号: String(d.seq), 文档主从声明: d.primary ? '主文档' : '附属文档', 角色: d.role });
    docEl.ele('题名').txt(d.title);
    const attrs = num(docEl, '电子属性');
    num(attrs, '格式信息', `${d.formatName} ${d.formatVersion}`.trim())
      .att('格式名称', d.formatName)
      .att('格式版本', d.formatVersion)
      .att('媒体类型', d.mime);
    num(attrs, '计算机文件名', d.fileName);
    num(attrs, '计算机文件大小', d.size).att('单位', '字节');
    num(attrs, '文档创建程序', d.creator);
    docEl.ele('数字摘要', { 算法: 'SM3' }).txt(d.sm3);
    docEl.ele('数字摘要', { 算法: 'SHA-256' }).txt(d.sha256);
  }
  for (const s of meta.signatures) {
    const sig = num(root, '电子签名');
    num(sig, '签名规则', s.rule);
    num(sig, '签名时间', s.time);
    num(sig, '签名人', s.signer);
    num(sig, '签名结果', s.result);
    num(sig, '证书', s.certificate).att('类型', s.certificateKind);
    num(sig, '证书引证', s.certificateRef);
    num(sig, '签名算法标识', s.algorithm);
  }
  const business = root.ele('业务实体');
  meta.events.forEach((e, i) => {
    const b = business.ele('业务', { 序号: String(i + 1) });
    b.ele('业务状态').txt(e.step);
    b.ele('业务行为').txt(e.action);
    b.ele('行为时间').txt(e.at);
    b.ele('行为依据').txt(meta.basis);
    if (e.description) b.ele('行为描述').txt(e.description);
    const agent = b.ele('机构人员');
    agent.ele('机构人员名称').txt(e.person);
    if (e.unit) agent.ele('所属机构').txt(e.unit);
  });
  if (meta.note) root.ele('附注').txt(meta.note);
  return doc.end({ prettyPrint: true }) + '\n';
}
