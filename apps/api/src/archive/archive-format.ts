import { createHash, getHashes } from 'node:crypto';
import { sm3 } from 'sm-crypto';
import type { ArchiveEvent } from './archive.types';

/** Names of the fixed files of a package; every other file is content (正文, 附件, 办理单). */
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const METADATA = 'metadata.xml';
export const PUBLIC_KEY = 'sm2-public-key.txt';
export const SHEET = '办理单.pdf';
/** The X.509 certificate (PEM) of the archive key, issued by the deployment's CA (format 3). */
export const CERTIFICATE = 'sm2-certificate.pem';
/**
 * Version of the package layout in manifest.json: 2 signed with a bare SM2 key (DA/T 46 metadata);
 * 3 adds the signer's certificate, named in the manifest and kept in the package.
 */
export const PACKAGE_FORMAT_VERSION = 3;
/** Used as the SM2 user id (ZA) of the archive signature; the GB/T 32918 default. */
export const SM2_USER_ID = '1234567812345678';

const NATIVE_SM3 = getHashes().includes('sm3');

export function sha256Of(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** SM3 by OpenSSL when Node has it (fast, streaming), else by sm-crypto; both give the same digest. */
export function sm3Of(content: Buffer): string {
  if (NATIVE_SM3) return createHash('sm3').update(content).digest('hex');
  return sm3(content);
}

export interface ManifestFile {
  name: string;
  role: 'document' | 'attachment' | 'sheet' | 'metadata' | 'key';
  mime: string;
  size: number;
  sha256: string;
  sm3: string;
}

export interface ManifestSigner {
  /** The certificate's file in the package (PEM). */
  certificate: string;
  /** Serial number, hex. */
  serialNumber: string;
  subject: string;
  issuer: string;
  /** SHA-256 of the certificate's DER, hex. */
  fingerprint: string;
}

export interface Manifest {
  /** 2 since DA/T 46 metadata in Chinese element names, 3 since the certificate; absent in format 1. */
  formatVersion?: number;
  /** Format 3: the certificate of the signing key (its file in the package and how it is named). */
  signer?: ManifestSigner;
  archiveNumber: string;
  createdAt: string;
  algorithms: { digest: string[]; signature: string };
  files: ManifestFile[];
}

/** Values metadata.xml carries, as recorded in archive_packages. */
export interface PackageMetadata {
  archiveNumber: string;
  fonds: string;
  fondsName: string;
  year: number;
  retention: string;
  retentionLabel: string;
  unitCode: string;
  itemNo: number;
  title: string;
  docNumber: string | null;
  responsible: string;
  date: string;
  docType: string;
  secrecy: string;
  secrecyTerm: string | null;
  urgency: string;
  mainTo: string | null;
  cc: string | null;
  instanceId: string;
  archivedAt: string;
  publicKey: string;
  events: ArchiveEvent[];
  files: { name: string; mime: string; size: number }[];
}

/** Elements that 完整性 requires to be present and non-empty. */
export const REQUIRED_ELEMENTS = [
  'archiveNumber',
  'fondsCode',
  'year',
  'retentionPeriod',
  'organization',
  'itemNumber',
  'title',
  'author',
  'date',
  'documentType',
  'securityClassification',
  'urgency',
] as const;

const MAPPING = `DA/T 46-2009 文书类电子文件元数据 (subset). Element → 元数据项:
  record 文件实体 · aggregationLevel 聚合层次 · provenance 来源 · fondsName 全宗名称 · fondsCode 全宗号
  archivalCode 档号 · archiveNumber 档号 · year 年度 · retentionPeriod 保管期限 · organization 机构或问题 · itemNumber 件号
  electronicRecordId 电子文件号 · title 题名 · documentNumber 文件编号 · author 责任者 · date 日期 · documentType 文种
  urgency 紧急程度 · mainRecipients 主送 · ccRecipients 抄送 · securityClassification 密级 · secrecyTerm 保密期限
  formatInformation 格式信息 · storageLocation 存储位置 · digitalSignature 电子签名 (signatureRule 签名规则, signatureTime 签名时间,
  signer 签名人, certificate 证书, signatureResult 签名结果 (see manifest.sig), algorithm 算法)
  businessEntity 业务实体 · businessActivity 业务行为 · actionTime 行为时间 · agent 机构人员 · description 行为描述`;

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function el(name: string, value: string | number | null | undefined, indent: string): string {
  return `${indent}<${name}>${escapeXml(value === null || value === undefined ? '' : String(value))}</${name}>`;
}

/** metadata.xml: UTF-8, one record, element names in English with the DA/T 46 mapping in a comment. */
export function metadataXml(meta: PackageMetadata): string {
  const i2 = '    ';
  const i3 = '      ';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- ${MAPPING} -->`,
    '<record xmlns="urn:zhengwu:archive:dat46">',
    el('aggregationLevel', '文件', '  '),
    '  <provenance>',
    el('fondsName', meta.fondsName, i2),
    el('fondsCode', meta.fonds, i2),
    el('organizationName', meta.responsible, i2),
    '  </provenance>',
    el('electronicRecordId', meta.instanceId, '  '),
    '  <archivalCode>',
    el('archiveNumber', meta.archiveNumber, i2),
    el('fondsCode', meta.fonds, i2),
    el('year', meta.year, i2),
    `${i2}<retentionPeriod code="${escapeXml(meta.retention)}">${escapeXml(meta.retentionLabel)}</retentionPeriod>`,
    el('organization', meta.unitCode, i2),
    el('itemNumber', String(meta.itemNo).padStart(4, '0'), i2),
    '  </archivalCode>',
    el('title', meta.title, '  '),
    el('documentNumber', meta.docNumber, '  '),
    el('author', meta.responsible, '  '),
    el('date', meta.date, '  '),
    el('documentType', meta.docType, '  '),
    el('urgency', meta.urgency, '  '),
    el('mainRecipients', meta.mainTo, '  '),
    el('ccRecipients', meta.cc, '  '),
    el('securityClassification', meta.secrecy, '  '),
    el('secrecyTerm', meta.secrecyTerm, '  '),
    '  <formatInformation>',
    ...meta.files.map((f) => `${i2}<file name="${escapeXml(f.name)}" mime="${escapeXml(f.mime)}" size="${f.size}" />`),
    '  </formatInformation>',
    el('storageLocation', meta.archiveNumber + '/', '  '),
    '  <digitalSignature>',
    el('signatureRule', 'GB/T 35276 SM2 签名（SM3 杂凑，用户标识 1234567812345678），对象为 manifest.json', i2),
    el('signatureTime', meta.archivedAt, i2),
    el('signer', `${meta.fondsName}电子档案系统`, i2),
    el('certificate', meta.publicKey, i2),
    el('signatureResult', SIGNATURE, i2),
    el('algorithm', 'SM2withSM3', i2),
    '  </digitalSignature>',
    '  <businessEntity>',
    ...meta.events.flatMap((e) => [
      `${i2}<businessActivity>`,
      el('action', e.action, i3),
      el('step', e.step, i3),
      el('actionTime', e.at, i3),
      el('agent', e.person, i3),
      el('agentOrganization', e.unit, i3),
      el('description', e.description ?? '', i3),
      `${i2}</businessActivity>`,
    ]),
    '  </businessEntity>',
    '</record>',
    '',
  ];
  return lines.join('\n');
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A strict reader for the XML the archive writes (elements, attributes, text, comments, the
 * declaration): enough to prove well-formedness and read values back without a dependency.
 * Throws on anything malformed.
 */
export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`${what}（位置 ${pos}）`);
  };
  const skipMisc = (): void => {
    for (;;) {
      const rest = source.slice(pos);
      const ws = /^\s+/.exec(rest);
      if (ws) pos += ws[0].length;
      if (source.startsWith('<?', pos)) {
        const end = source.indexOf('?>', pos);
        if (end < 0) fail('处理指令未结束');
        pos = end + 2;
      } else if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos);
        if (end < 0) fail('注释未结束');
        pos = end + 3;
      } else return;
    }
  };
  const decode = (raw: string): string => {
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) fail('非法的实体引用');
    return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (named[e]) return named[e];
      return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    });
  };
  const element = (): XmlElement => {
    const open = /^<([\p{L}_][\p{L}\p{N}_.-]*)((?:\s+[\p{L}_][\p{L}\p{N}_.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/u.exec(source.slice(pos));
    if (!open) return fail('元素开始标记错误');
    pos += open[0].length;
    const node: XmlElement = { name: open[1], attributes: {}, children: [], text: '' };
    for (const a of open[2].matchAll(/([\p{L}_][\p{L}\p{N}_.:-]*)\s*=\s*"([^"<]*)"/gu)) node.attributes[a[1]] = decode(a[2]);
    if (open[3] === '/') return node;
    for (;;) {
      const lt = source.indexOf('<', pos);
      if (lt < 0) fail(`元素 ${node.name} 未结束`);
      node.text += decode(source.slice(pos, lt));
      pos = lt;
      if (source.startsWith(`</${node.name}`, pos)) {
        const close = /^<\/([\p{L}_][\p{L}\p{N}_.-]*)\s*>/u.exec(source.slice(pos));
        if (!close || close[1] !== node.name) fail(`结束标记与 ${node.name} 不匹配`);
        pos += close![0].length;
        return node;
      }
      if (source.startsWith('</', pos)) fail(`结束标记与 ${node.name} 不匹配`);
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos);
        if (end < 0) fail('注释未结束');
        pos = end + 3;
        continue;
      }
      node.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== source.length) fail('根元素之后还有内容');
  return root;
}

/** Every descendant named `name`, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  return root.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findAll(child, name)]);
}

/** The first descendant named `name` (depth-first). */
export function findElement(root: XmlElement, name: string): XmlElement | undefined {
  for (const child of root.children) {
    if (child.name === name) return child;
    const deeper = findElement(child, name);
    if (deeper) return deeper;
  }
  return undefined;
}

export function safeName(name: string): string {
  const cleaned = name
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a file name
    .replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_')
    .replace(/^\.+/, '_')
    .trim();
  return cleaned.slice(0, 120) || 'file';
}
