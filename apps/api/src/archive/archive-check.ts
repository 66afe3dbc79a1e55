import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto';
import {
  MANIFEST,
  METADATA,
  PUBLIC_KEY,
  REQUIRED_ELEMENTS,
  SIGNATURE,
  SM2_USER_ID,
  findElement,
  parseXml,
  sha256Of,
  sm3Of,
  type Manifest,
  type ManifestFile,
  type XmlElement,
} from './archive-format';
import type { CheckItem, CheckReport } from './archive.types';

/** What the database recorded of a package: the reference 四性检测 compares the stored files with. */
export interface StoredPackage {
  archiveNumber: string;
  title: string;
  docNumber: string | null;
  date: string;
  publicKey: string;
  signature: string;
  items: { name: string; role: string; size: number; sha256: string; sm3: string }[];
  /** Every 件号 of the package's series (全宗, 年度, 保管期限, 机构), for the continuity check. */
  seriesItemNos: number[];
}

/** Formats accepted for long-term preservation (GB/T 18894 / DA/T 70 可用性). */
export const ACCEPTED_FORMATS: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/ofd': 'OFD',
  'application/xml': 'XML',
  'text/xml': 'XML',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/tiff': 'TIFF',
  'text/plain': 'TXT',
  'text/csv': 'CSV',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
};

const FIXED = new Set([MANIFEST, SIGNATURE]);

/**
 * 四性检测 (DA/T 70-2018) of one stored package: 真实性, 完整性, 可用性, 安全性. Reads only the
 * package directory and the recorded values; every failing detail names the file concerned.
 */
export async function checkPackage(dir: string, stored: StoredPackage): Promise<CheckReport> {
  const checks: CheckItem[] = [];
  const push = (name: string, problems: string[], okDetail: string): void => {
    checks.push({ name, ok: problems.length === 0, detail: problems.length === 0 ? okDetail : problems.join('；') });
  };

  let present: string[] = [];
  try {
    present = (await readdir(dir, { withFileTypes: true })).map((d) => (d.isFile() ? d.name : `${d.name}/`));
  } catch {
    const missing = `档案包目录 ${stored.archiveNumber}/ 不存在或不可读`;
    for (const name of ['真实性', '完整性', '可用性', '安全性']) checks.push({ name, ok: false, detail: missing });
    return { ok: false, checks };
  }
  const files = new Map<string, Buffer>();
  for (const name of present) {
    if (name.endsWith('/')) continue;
    try {
      files.set(name, await readFile(join(dir, name)));
    } catch {
      /* reported as missing below */
    }
  }

  let manifest: Manifest | undefined;
  const manifestText = files.get(MANIFEST)?.toString('utf8');
  try {
    if (manifestText !== undefined) manifest = JSON.parse(manifestText) as Manifest;
  } catch {
    manifest = undefined;
  }
  const listed: ManifestFile[] = manifest?.files ?? [];
  const recorded = new Map(stored.items.map((i) => [i.name, i]));

  // 真实性: digests, signature, metadata matches the record.
  const digestProblems: string[] = [];
  if (!manifest) digestProblems.push(`清单文件 ${MANIFEST} 缺失或无法解析`);
  for (const file of listed) {
    const content = files.get(file.name);
    const db = recorded.get(file.name);
    if (!content) continue; // 完整性 reports it
    const sha256 = sha256Of(content);
    const sm3 = sm3Of(content);
    if (sha256 !== file.sha256 || sm3 !== file.sm3) digestProblems.push(`文件 ${file.name} 的摘要与清单不符（内容已被改动）`);
    else if (!db || db.sha256 !== sha256 || db.sm3 !== sm3) digestProblems.push(`文件 ${file.name} 的摘要与数据库登记不符`);
  }
  push('真实性：数字摘要（SHA-256、SM3）', digestProblems, `${listed.length} 个文件的 SHA-256 与 SM3 摘要均与清单和登记一致`);

  const signatureProblems: string[] = [];
  const signature = files.get(SIGNATURE)?.toString('utf8').trim();
  const publicKey = files.get(PUBLIC_KEY)?.toString('utf8').trim();
  if (!signature) signatureProblems.push(`签名文件 ${SIGNATURE} 缺失`);
  if (!publicKey) signatureProblems.push(`公钥文件 ${PUBLIC_KEY} 缺失`);
  if (publicKey && publicKey !== stored.publicKey) signatureProblems.push(`公钥文件 ${PUBLIC_KEY} 与登记的归档公钥不一致`);
  if (signature && signature !== stored.signature) signatureProblems.push(`签名文件 ${SIGNATURE} 与登记的签名不一致`);
  if (signature && manifestText !== undefined) {
    let verified = false;
    try {
      verified = sm2.doVerifySignature(manifestText, signature, stored.publicKey, { hash: true, userId: SM2_USER_ID });
    } catch {
      verified = false;
    }
    if (!verified) signatureProblems.push(`${MANIFEST} 的 SM2 签名验证失败（${SIGNATURE}）`);
  }
  push('真实性：电子签名（SM2）', signatureProblems, `${MANIFEST} 的 SM2 签名验证通过`);

  const metaProblems: string[] = [];
  let metadata: XmlElement | undefined;
  const metadataText = files.get(METADATA)?.toString('utf8');
  if (metadataText === undefined) metaProblems.push(`元数据文件 ${METADATA} 缺失`);
  else {
    try {
      metadata = parseXml(metadataText);
    } catch (error) {
      metaProblems.push(`元数据文件 ${METADATA} 不是格式良好的 XML：${(error as Error).message}`);
    }
  }
  if (metadata) {
    const value = (name: string) => findElement(metadata!, name)?.text.trim() ?? '';
    const expect: [string, string, string][] = [
      ['archiveNumber', '档号', stored.archiveNumber],
      ['title', '题名', stored.title],
      ['documentNumber', '文件编号', stored.docNumber ?? ''],
      ['date', '日期', stored.date],
    ];
    for (const [element, label, want] of expect) {
      if (value(element) !== want) metaProblems.push(`${METADATA} 的${label}“${value(element)}”与登记的“${want}”不符`);
    }
    if (manifest && manifest.archiveNumber !== stored.archiveNumber) metaProblems.push(`${MANIFEST} 的档号与登记不符`);
  }
  push('真实性：元数据与内容一致', metaProblems, '题名、文件编号、日期、档号与登记一致');

  // 完整性: metadata items, files, numbering, 办理单.
  const requiredProblems: string[] = [];
  if (metadata) {
    for (const name of REQUIRED_ELEMENTS) {
      if (!findElement(metadata, name)?.text.trim()) requiredProblems.push(`${METADATA} 缺少必备元数据项 ${name}`);
    }
  } else requiredProblems.push(`无法读取 ${METADATA} 的元数据项`);
  push('完整性：必备元数据项', requiredProblems, `${REQUIRED_ELEMENTS.length} 个必备元数据项齐全`);

  const fileProblems: string[] = [];
  const listedNames = new Set(listed.map((f) => f.name));
  for (const file of listed) if (!files.has(file.name)) fileProblems.push(`缺少文件 ${file.name}`);
  for (const name of present) {
    if (!listedNames.has(name) && !FIXED.has(name)) fileProblems.push(`清单之外的文件 ${name}`);
  }
  for (const name of FIXED) if (!files.has(name)) fileProblems.push(`缺少文件 ${name}`);
  for (const item of stored.items) if (!listedNames.has(item.name)) fileProblems.push(`登记的文件 ${item.name} 不在清单中`);
  for (const file of listed) if (!recorded.has(file.name)) fileProblems.push(`清单中的文件 ${file.name} 未在数据库登记`);
  push('完整性：文件齐全', fileProblems, `清单所列 ${listed.length} 个文件齐全，无清单外文件`);

  const numbers = [...stored.seriesItemNos].sort((a, b) => a - b);
  const gaps: string[] = [];
  numbers.forEach((n, i) => {
    if (n !== i + 1) gaps.push(`件号 ${String(i + 1).padStart(4, '0')} 缺失或重复（实际 ${String(n).padStart(4, '0')}）`);
  });
  push('完整性：件号连续', gaps.slice(0, 3), `本系列件号 0001—${String(numbers.length).padStart(4, '0')} 连续`);

  const sheet = listed.find((f) => f.role === 'sheet');
  push('完整性：办理单', sheet && files.has(sheet.name) ? [] : ['档案包缺少办理单'], `办理单 ${sheet?.name ?? ''} 已归档`);

  // 可用性: each file opens, accepted formats.
  const openProblems: string[] = [];
  const formatProblems: string[] = [];
  for (const file of listed) {
    const content = files.get(file.name);
    if (!content) continue;
    const problem = openable(file, content);
    if (problem) openProblems.push(`文件 ${file.name} ${problem}`);
    if (!ACCEPTED_FORMATS[file.mime] && file.role !== 'key')
      formatProblems.push(`文件 ${file.name} 的格式 ${file.mime} 不在长期保存格式清单内`);
  }
  push('可用性：文件可读', openProblems, '全部文件可以正常打开');
  push('可用性：格式合规', formatProblems, '全部文件格式在可接受清单内（PDF、OFD、XML、JPEG、PNG、TIFF…）');

  // 安全性: no executables, no scripts or encryption inside PDFs.
  const securityProblems: string[] = [];
  for (const [name, content] of files) {
    const head = content.subarray(0, 4);
    if (head[0] === 0x4d && head[1] === 0x5a) securityProblems.push(`文件 ${name} 是可执行程序（MZ）`);
    else if (head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) securityProblems.push(`文件 ${name} 是可执行程序（ELF）`);
    else if (head[0] === 0x23 && head[1] === 0x21) securityProblems.push(`文件 ${name} 是可执行脚本（#!）`);
    if (content.subarray(0, 5).toString('latin1') === '%PDF-') {
      const text = content.toString('latin1');
      if (/\/(JS|JavaScript)\b/.test(text)) securityProblems.push(`PDF 文件 ${name} 含有 JavaScript`);
      if (/\/Encrypt\b/.test(text)) securityProblems.push(`PDF 文件 ${name} 已加密`);
    }
  }
  push('安全性：无可执行内容和加密', securityProblems, '未发现可执行内容、脚本或加密');

  return { ok: checks.every((c) => c.ok), checks };
}

function openable(file: ManifestFile, content: Buffer): string | undefined {
  const ascii = content.subarray(0, 8).toString('latin1');
  switch (file.mime) {
    case 'application/pdf': {
      if (!ascii.startsWith('%PDF-')) return '不是有效的 PDF（缺少 %PDF- 文件头）';
      if (
        !content
          .subarray(Math.max(0, content.length - 1024))
          .toString('latin1')
          .includes('%%EOF')
      )
        return '不是完整的 PDF（缺少 %%EOF）';
      return undefined;
    }
    case 'application/xml':
    case 'text/xml':
      try {
        parseXml(content.toString('utf8'));
        return undefined;
      } catch (error) {
        return `无法解析为 XML：${(error as Error).message}`;
      }
    case 'image/png':
      return content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
        ? undefined
        : '不是有效的 PNG 图像';
    case 'image/jpeg':
      return content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff ? undefined : '不是有效的 JPEG 图像';
    case 'image/tiff':
      return ascii.startsWith('II*\0') || ascii.startsWith('MM\0*') ? undefined : '不是有效的 TIFF 图像';
    case 'application/ofd':
    case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
    case 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet':
      return ascii.startsWith('PK\x03\x04') ? undefined : '不是有效的压缩包格式文件';
    case 'text/plain':
    case 'text/csv':
      return content.toString('utf8').includes('\uFFFD') ? '不是有效的 UTF-8 文本' : undefined;
    default:
      return undefined;
  }
}
