import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { certificateInfo, checkIssuedBy, fromPem } from '@zhengwu/seal';
import {
  CERTIFICATE,
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
import { STAGE_LABELS, type CheckItem, type CheckReport, type CheckStage, type CheckStatus } from './archive.types';
import { validateMetadata, type SchemaError } from './dat46-schema';
import { FORMAT_NAMES, formatMatches, sniffFormat } from './file-properties';
import { readMetadata, type ReadMetadata } from './metadata-reader';

/** What the database recorded of a package: the reference 四性检测 compares the stored files with. */
export interface StoredPackage {
  archiveNumber: string;
  title: string;
  docNumber: string | null;
  date: string;
  publicKey: string;
  signature: string;
  /** SHA-256 of manifest.json as written at 归档. */
  manifestSha256: string;
  items: { name: string; role: string; size: number; sha256: string; sm3: string }[];
  /** Every 件号 of the package's series (全宗, 年度, 保管期限, 机构), for the continuity check. */
  seriesItemNos: number[];
  /** Other packages recorded under the same 档号 or 电子文件号 (none while the unique indexes hold). */
  duplicates: string[];
}

/** Formats accepted for long-term preservation (GB/T 18894 / DA/T 70 可用性). */
export const ACCEPTED_FORMATS = FORMAT_NAMES;

/** Where the printable check reports are kept beside the signed files (outside the manifest). */
export const REPORT_DIR = '检测报告';
export const REPORT_FILES = new Set(Object.values(STAGE_LABELS).map((label) => `${label}.pdf`));

const FIXED = new Set([MANIFEST, SIGNATURE]);
const ARCHIVE_NUMBER = /^([A-Z0-9]{1,12})-(\d{4})-(Y|D30|D10)-([A-Z0-9]{1,12})-(\d{4,6})$/;
const HEX64 = /^[0-9a-f]{64}$/;

interface Outcome {
  status: CheckStatus;
  detail: string;
}

const pass = (detail: string): Outcome => ({ status: 'pass', detail });
const na = (detail: string): Outcome => ({ status: 'na', detail: `不适用：${detail}` });
const judge = (problems: string[], okDetail: string): Outcome =>
  problems.length === 0
    ? pass(okDetail)
    : { status: 'fail', detail: problems.slice(0, 20).join('；') + (problems.length > 20 ? `；另有 ${problems.length - 20} 处` : '') };

/** Everything one check run reads, gathered once. */
interface Context {
  stage: CheckStage;
  dirName: string;
  dirMissing: boolean;
  files: Map<string, Buffer>;
  modes: Map<string, number>;
  dirMode: number | null;
  subdirs: string[];
  reportFiles: string[];
  manifestText?: string;
  manifest?: Manifest;
  listed: ManifestFile[];
  signature?: string;
  publicKey?: string;
  metadataText?: string;
  metadata?: ReadMetadata;
  metadataError?: string;
  schema?: { valid: boolean; errors: SchemaError[] };
  stored?: StoredPackage;
  /** CA certificates (DER) a format-3 signer's certificate must chain to. */
  trustedCas: Buffer[];
}

interface ItemDef {
  /** The number inside the stage: 1-1 … 4-7. */
  no: string;
  property: '真实性' | '完整性' | '可用性' | '安全性';
  name: string;
  stages: CheckStage[];
  run: (c: Context) => Outcome;
}

const ALL: CheckStage[] = ['GD', 'YJ', 'BC'];
const ENTRY: CheckStage[] = ['GD', 'YJ'];

/**
 * DA/T 70-2018 文书类电子档案检测一般要求: the items of 真实性 (1-), 完整性 (2-), 可用性 (3-) and 安全性 (4-)
 * this platform checks, with the stages that run each. The numbers follow open implementations of the
 * standard; docs/archive.md says which ones could be confirmed and which not (3-5), and why some of the
 * standard's items are not here.
 */
export const CHECK_ITEMS: ItemDef[] = [
  { no: '1-1', property: '真实性', name: '固化信息有效性检测', stages: ALL, run: fixity },
  {
    no: '1-2',
    property: '真实性',
    name: '元数据项数据长度检测',
    stages: ENTRY,
    run: (c) => schemaItem(c, 'length', '全部元数据项长度在规定范围内'),
  },
  {
    no: '1-3',
    property: '真实性',
    name: '元数据项数据类型、格式检测',
    stages: ENTRY,
    run: (c) => schemaItem(c, 'type', '元数据项的数据类型和格式符合元数据 XSD'),
  },
  {
    no: '1-4',
    property: '真实性',
    name: '设定值域的元数据项值域符合度检测',
    stages: ENTRY,
    run: (c) => schemaItem(c, 'range', '设定值域的元数据项（保管期限、密级、紧急程度、文种、稿本等）取值均在值域内'),
  },
  { no: '1-5', property: '真实性', name: '元数据项数据值合理性检测', stages: ENTRY, run: reasonable },
  { no: '1-6', property: '真实性', name: '元数据项数据包含特殊字符检测', stages: ENTRY, run: specialCharacters },
  { no: '1-7', property: '真实性', name: '档号规范性检测', stages: ENTRY, run: archiveNumber },
  { no: '1-8', property: '真实性', name: '元数据项数据重复性检测', stages: ENTRY, run: duplicates },
  { no: '1-9', property: '真实性', name: '内容数据的电子属性一致性检测', stages: ALL, run: electronicAttributes },
  { no: '1-10', property: '真实性', name: '元数据是否关联内容数据检测', stages: ALL, run: linked },
  { no: '1-11', property: '真实性', name: '元数据记录的存储位置与实际存储位置一致性检测', stages: ALL, run: location },
  { no: '1-12', property: '真实性', name: '说明文件和目录文件规范性检测', stages: ENTRY, run: manifestWellFormed },
  { no: '1-13', property: '真实性', name: '信息包目录结构规范性检测', stages: ALL, run: directoryStructure },
  { no: '1-14', property: '真实性', name: '信息包一致性检测', stages: ALL, run: consistentWithRecord },
  { no: '2-1', property: '完整性', name: '总件数相符性检测', stages: ALL, run: totalCount },
  { no: '2-2', property: '完整性', name: '总字节数相符性检测', stages: ALL, run: totalBytes },
  { no: '2-3', property: '完整性', name: '元数据项完整性检测', stages: ENTRY, run: metadataComplete },
  { no: '2-4', property: '完整性', name: '元数据必填著录项目检测', stages: ENTRY, run: mandatoryValues },
  { no: '2-5', property: '完整性', name: '过程信息完整性检测', stages: ENTRY, run: processInformation },
  { no: '2-6', property: '完整性', name: '连续性元数据项检测', stages: ALL, run: continuity },
  { no: '2-7', property: '完整性', name: '内容数据完整性检测', stages: ALL, run: contentComplete },
  { no: '2-8', property: '完整性', name: '附件数据完整性检测', stages: ALL, run: attachmentsComplete },
  { no: '3-1', property: '可用性', name: '信息包中元数据的可读性检测', stages: ALL, run: metadataReadable },
  { no: '3-2', property: '可用性', name: '目标数据库中的元数据可访问性检测', stages: ALL, run: databaseAccessible },
  { no: '3-3', property: '可用性', name: '内容数据格式检测', stages: ALL, run: formats },
  { no: '3-4', property: '可用性', name: '内容数据的可读性检测', stages: ALL, run: readable },
  { no: '3-5', property: '可用性', name: '软硬件环境合规性检测', stages: ENTRY, run: environment },
  { no: '3-8', property: '可用性', name: '信息包中包含的内容数据格式合规性检测', stages: ALL, run: noEncryptionOrCompression },
  {
    no: '4-1',
    property: '安全性',
    name: '系统环境中是否安装杀毒软件检测',
    stages: ENTRY,
    run: () => na('本平台未接入杀毒软件，由部署环境的主机防护负责；恶意代码由 4-2 检测'),
  },
  { no: '4-2', property: '安全性', name: '病毒感染（恶意代码）检测', stages: ALL, run: maliciousCode },
  { no: '4-3', property: '安全性', name: '载体中多余文件检测', stages: ALL, run: extraFiles },
  { no: '4-4', property: '安全性', name: '载体读取速度检测', stages: ENTRY, run: () => na('在线归档与保存，不使用离线载体') },
  { no: '4-5', property: '安全性', name: '载体外观检测', stages: ENTRY, run: () => na('在线归档与保存，不使用离线载体') },
  { no: '4-6', property: '安全性', name: '光盘合格性检测', stages: ENTRY, run: () => na('在线归档与保存，不使用光盘') },
  { no: '4-7', property: '安全性', name: '过程安全性检测', stages: ALL, run: processSecurity },
];

export interface CheckOptions {
  stage: CheckStage;
  /** The deployment's CA (DER): a format-3 package's certificate must be issued by one of these. */
  trustedCas?: Buffer[];
}

/**
 * 四性检测 (DA/T 70-2018) of one stored package at one stage. Reads only the package directory and,
 * when given, what the database recorded; every failing item says why and names the file concerned.
 */
export async function checkPackage(dir: string, stored: StoredPackage | undefined, options: CheckOptions): Promise<CheckReport> {
  const c = await gather(dir, stored, options.stage);
  c.trustedCas = options.trustedCas ?? [];
  if (c.metadataText !== undefined && c.metadata?.version === 2 && ENTRY.includes(options.stage)) {
    c.schema = await validateMetadata(c.metadataText);
  }
  const checks: CheckItem[] = CHECK_ITEMS.filter((item) => item.stages.includes(options.stage)).map((item) => {
    const code = `${options.stage}-${item.no}`;
    let outcome: Outcome;
    try {
      outcome = item.run(c);
    } catch (error) {
      outcome = { status: 'fail', detail: `检测出错：${(error as Error).message}` };
    }
    // Without the folder nothing can pass; only what never applies (offline media) stays so.
    if (c.dirMissing && outcome.status !== 'na') outcome = { status: 'fail', detail: `档案包目录 ${c.dirName}/ 不存在或不可读` };
    return {
      code,
      property: item.property,
      name: `${item.property}：${code} ${item.name}`,
      status: outcome.status,
      ok: outcome.status !== 'fail',
      detail: outcome.detail,
    };
  });
  return {
    ok: checks.every((x) => x.ok),
    stage: options.stage,
    stageLabel: STAGE_LABELS[options.stage],
    standard: 'DA/T 70-2018',
    formatVersion: c.manifest?.formatVersion ?? 1,
    checks,
  };
}

async function gather(dir: string, stored: StoredPackage | undefined, stage: CheckStage): Promise<Context> {
  const c: Context = {
    stage,
    dirName: basename(dir),
    dirMissing: false,
    files: new Map(),
    modes: new Map(),
    dirMode: null,
    subdirs: [],
    reportFiles: [],
    listed: [],
    stored,
    trustedCas: [],
  };
  try {
    c.dirMode = (await stat(dir)).mode;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        c.subdirs.push(entry.name);
        if (entry.name === REPORT_DIR) c.reportFiles = await readdir(join(dir, entry.name)).catch(() => []);
        continue;
      }
      try {
        c.files.set(entry.name, await readFile(join(dir, entry.name)));
        c.modes.set(entry.name, (await stat(join(dir, entry.name))).mode);
      } catch {
        /* unreadable: reported as missing */
      }
    }
  } catch {
    c.dirMissing = true;
    return c;
  }
  c.manifestText = c.files.get(MANIFEST)?.toString('utf8');
  try {
    if (c.manifestText !== undefined) c.manifest = JSON.parse(c.manifestText) as Manifest;
  } catch {
    c.manifest = undefined;
  }
  c.listed = Array.isArray(c.manifest?.files) ? c.manifest.files : [];
  c.signature = c.files.get(SIGNATURE)?.toString('utf8').trim();
  c.publicKey = c.files.get(PUBLIC_KEY)?.toString('utf8').trim();
  c.metadataText = c.files.get(METADATA)?.toString('utf8');
  if (c.metadataText !== undefined) {
    try {
      c.metadata = readMetadata(c.metadataText);
    } catch (error) {
      c.metadataError = (error as Error).message;
    }
  }
  return c;
}

// ---- 真实性 --------------------------------------------------------------------------------------

/** 1-1: the digests in the manifest recompute and the SM2 signature over the manifest verifies. */
function fixity(c: Context): Outcome {
  const problems: string[] = [];
  if (!c.manifest) problems.push(`清单文件 ${MANIFEST} 缺失或无法解析，无法核对数字摘要`);
  for (const file of c.listed) {
    const content = c.files.get(file.name);
    if (!content) continue; // 2-7 reports it
    if (sha256Of(content) !== file.sha256 || sm3Of(content) !== file.sm3) {
      problems.push(`文件 ${file.name} 的 SM3/SHA-256 摘要与清单不符（内容已被改动）`);
    }
  }
  if (!c.signature) problems.push(`签名文件 ${SIGNATURE} 缺失`);
  if (!c.publicKey) problems.push(`公钥文件 ${PUBLIC_KEY} 缺失`);
  const key = c.stored?.publicKey ?? c.publicKey;
  if (c.signature && c.manifestText !== undefined && key) {
    let verified = false;
    try {
      verified = sm2.doVerifySignature(c.manifestText, c.signature, key, { hash: true, userId: SM2_USER_ID });
    } catch {
      verified = false;
    }
    if (!verified) problems.push(`${MANIFEST} 的 SM2 签名验证失败（${SIGNATURE}）`);
  }
  if (c.stored && c.publicKey && c.publicKey !== c.stored.publicKey) problems.push(`公钥文件 ${PUBLIC_KEY} 与登记的归档公钥不一致`);
  const chain = certificateChain(c, key);
  problems.push(...chain.problems);
  return judge(problems, `${c.listed.length} 个文件的 SM3、SHA-256 摘要与清单一致，${MANIFEST} 的 SM2 签名验证通过${chain.detail}`);
}

/**
 * Format 3: the manifest names the signer's certificate, which is in the package, certifies the key the
 * signature verified with, and chains to this deployment's CA. Format 2 signed with a bare key: said so.
 */
function certificateChain(c: Context, key: string | undefined): { problems: string[]; detail: string } {
  const version = c.manifest?.formatVersion ?? 1;
  if (version < 3) return { problems: [], detail: `；格式版本 ${version} 的信息包以裸 SM2 公钥签名，无证书可验证` };
  const signer = c.manifest?.signer;
  if (!signer || typeof signer.certificate !== 'string')
    return { problems: [`${MANIFEST} 未指明签名证书（格式版本 3 必须有）`], detail: '' };
  if (signer.certificate !== CERTIFICATE) return { problems: [`${MANIFEST} 指明的签名证书文件 ${signer.certificate} 不合规`], detail: '' };
  const pem = c.files.get(CERTIFICATE);
  if (!pem) return { problems: [`签名证书文件 ${CERTIFICATE} 缺失`], detail: '' };
  let der: Buffer;
  let info: ReturnType<typeof certificateInfo>;
  try {
    der = fromPem(pem.toString('utf8'));
    info = certificateInfo(der);
  } catch {
    return { problems: [`签名证书文件 ${CERTIFICATE} 无法解析`], detail: '' };
  }
  const problems: string[] = [];
  if (info.serialNumber !== signer.serialNumber || info.fingerprint !== signer.fingerprint)
    problems.push(`${MANIFEST} 记录的证书序列号或指纹与 ${CERTIFICATE} 不符`);
  if (key && info.publicKey !== key) problems.push(`签名证书 ${CERTIFICATE} 的公钥不是签署 ${MANIFEST} 的公钥`);
  if (c.trustedCas.length === 0) {
    problems.push('没有可信的 CA 证书，无法验证签名证书的证书链');
  } else {
    // Valid when it signed: the chain is checked at the package's signing time, not today.
    const signedAt = new Date(c.manifest?.createdAt ?? '');
    const at = Number.isNaN(signedAt.getTime()) ? new Date() : signedAt;
    const results = c.trustedCas.map((ca) => checkIssuedBy(der, ca, at));
    const failed = results.find((r): r is { ok: false; reason: string } => !r.ok);
    if (!results.some((r) => r.ok))
      problems.push(`签名证书（序列号 ${info.serialNumber}）未通过证书链验证：${failed?.reason ?? '未知原因'}`);
  }
  return { problems, detail: `；签名证书（序列号 ${info.serialNumber}，${signer.subject}）由本部署 CA 签发，证书链验证通过` };
}

function needV2(c: Context, what: string): Outcome | undefined {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  if (c.metadata.version === 1) return na(`格式版本 1 的信息包（DA/T 46 中文元数据之前归档）不含${what}`);
  return undefined;
}

function schemaItem(c: Context, kind: SchemaError['kind'], okDetail: string): Outcome {
  const pre = needV2(c, '可按 XSD 校验的元数据');
  if (pre) return pre;
  const errors = (c.schema?.errors ?? []).filter((e) => e.kind === kind);
  return judge(
    errors.map((e) => `${METADATA}${e.line ? ` 第 ${e.line} 行` : ''}：${e.message}`),
    okDetail,
  );
}

/** 1-5: values that must agree with each other and with time. */
function reasonable(c: Context): Outcome {
  const pre = needV2(c, '件数、页数与签名时间');
  if (pre) return pre;
  const m = c.metadata!;
  const problems: string[] = [];
  if (m.date.slice(0, 4) !== m.year) problems.push(`年度 ${m.year} 与日期 ${m.date} 的年份不一致`);
  const archivedAt = m.signatures[0]?.time;
  if (archivedAt && m.date > archivedAt.slice(0, 10)) problems.push(`日期 ${m.date} 晚于归档（签名）时间 ${archivedAt}`);
  const contentDocs = m.documents.filter((d) => d.role !== '公钥').length;
  if (m.pieces !== null && m.pieces !== contentDocs) problems.push(`件数 ${m.pieces} 与文件数据中的文档数 ${contentDocs} 不符`);
  if (m.pages !== null && contentDocs > 0 && m.pages === 0 && m.documents.some((d) => d.formatName === 'PDF')) {
    problems.push('含 PDF 文档而页数为 0');
  }
  for (const d of m.documents) if (d.size === 0) problems.push(`文档 ${d.fileName} 的计算机文件大小为 0`);
  let previous = '';
  for (const e of m.events) {
    if (previous && e.at < previous) problems.push(`业务行为“${e.action}”的行为时间 ${e.at} 早于前一行为 ${previous}`);
    if (archivedAt && e.at > archivedAt) problems.push(`业务行为“${e.action}”的行为时间 ${e.at} 晚于归档时间 ${archivedAt}`);
    previous = e.at;
  }
  return judge(problems, '年度与日期一致，件数与文档数相符，行为时间有序且不晚于归档时间');
}

// Control characters, U+FFFD (what the builder puts for characters XML cannot hold), private use and
// invisible format characters.
// eslint-disable-next-line no-control-regex -- control characters are what this check looks for
const SPECIAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd\ue000-\uf8ff\u200b-\u200f\u2028\u2029\ufeff]/u;

/** 1-6: no value holds control, replacement, private-use or invisible characters. */
function specialCharacters(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const problems: string[] = [];
  const visit = (el: XmlElement, path: string): void => {
    const here = `${path}/${el.name}`;
    const own = el.children.length === 0 ? el.text : '';
    if (SPECIAL.test(own))
      problems.push(`${here} 含特殊字符 U+${own.codePointAt(own.search(SPECIAL))!.toString(16).toUpperCase().padStart(4, '0')}`);
    for (const [name, value] of Object.entries(el.attributes)) if (SPECIAL.test(value)) problems.push(`${here}/@${name} 含特殊字符`);
    el.children.forEach((child) => visit(child, here));
  };
  visit(c.metadata.root, '');
  return judge(problems, '元数据项均不含控制字符、替换字符或不可见字符');
}

/** 1-7: 档号 = 全宗号-年度-保管期限-机构-件号, and agrees with its parts and the package's folder. */
function archiveNumber(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const m = c.metadata;
  const problems: string[] = [];
  if (!ARCHIVE_NUMBER.test(m.archiveNumber)) problems.push(`档号“${m.archiveNumber}”不符合“全宗号-年度-保管期限-机构-件号”的编制规则`);
  const composed = `${m.fonds}-${m.year}-${m.retention}-${m.unitCode}-${m.itemNo}`;
  if (composed !== m.archiveNumber) problems.push(`档号“${m.archiveNumber}”与其组成项拼合的“${composed}”不一致`);
  if (c.dirName !== m.archiveNumber) problems.push(`档案包目录名 ${c.dirName} 与档号“${m.archiveNumber}”不一致`);
  if (c.manifest && c.manifest.archiveNumber !== m.archiveNumber)
    problems.push(`${MANIFEST} 的档号“${c.manifest.archiveNumber}”与元数据不一致`);
  return judge(problems, `档号 ${m.archiveNumber} 符合编制规则，与组成项、目录名、清单一致`);
}

/** 1-8: no 文档 listed twice in the metadata, no other package under the same 档号 or 电子文件号. */
function duplicates(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const d of c.metadata.documents) {
    if (seen.has(d.fileName)) problems.push(`计算机文件名 ${d.fileName} 在元数据中重复著录`);
    seen.add(d.fileName);
  }
  const seqs = c.metadata.documents.map((d) => d.seq).filter((s): s is number => s !== null);
  if (new Set(seqs).size !== seqs.length) problems.push('文档序号重复');
  for (const other of c.stored?.duplicates ?? []) problems.push(`数据库中另有档案 ${other} 使用同一档号或电子文件号`);
  return judge(problems, '文档与档号、电子文件号均无重复');
}

/** 1-9: each file's size, format and digests are what its 电子属性 say. */
function electronicAttributes(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const problems: string[] = [];
  for (const d of c.metadata.documents) {
    const content = c.files.get(d.fileName);
    if (!content) continue; // 1-10 / 2-7 report it
    if (d.size !== null && d.size !== content.length)
      problems.push(`文件 ${d.fileName} 实际大小 ${content.length} 字节，元数据记为 ${d.size} 字节`);
    if (d.mime && !formatMatches(d.mime, content))
      problems.push(`文件 ${d.fileName} 实际格式为 ${sniffFormat(content)}，元数据记为 ${d.formatName ?? d.mime}`);
    if (d.sha256 !== null && d.sha256 !== sha256Of(content)) problems.push(`文件 ${d.fileName} 的 SHA-256 与元数据记录不符`);
    if (d.sm3 !== null && d.sm3 !== sm3Of(content)) problems.push(`文件 ${d.fileName} 的 SM3 与元数据记录不符`);
  }
  const what = c.metadata.version === 2 ? '大小、格式、SM3 和 SHA-256 摘要' : '大小和格式（格式版本 1 的元数据无摘要）';
  return judge(problems, `${c.metadata.documents.length} 个文档的${what}与元数据记录一致`);
}

/** 1-10: every content file is described in the metadata, and every described file is in the package. */
function linked(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const described = new Set(c.metadata.documents.map((d) => d.fileName));
  const problems: string[] = [];
  for (const file of c.listed) {
    if (file.role === 'metadata') continue;
    if (!described.has(file.name)) problems.push(`文件 ${file.name} 没有对应的元数据（文件数据/文档）`);
  }
  const listed = new Set(c.listed.map((f) => f.name));
  for (const name of described) if (!listed.has(name) && !c.files.has(name)) problems.push(`元数据著录的文件 ${name} 不在信息包中`);
  return judge(problems, `元数据著录的 ${described.size} 个文档与信息包中的内容数据一一对应`);
}

/** 1-11: 存储位置 (当前位置) names the folder the package is actually in. */
function location(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const want = `${c.dirName}/`;
  return c.metadata.location === want
    ? pass(`存储位置 ${want} 与实际存储位置一致`)
    : { status: 'fail', detail: `元数据记录的存储位置“${c.metadata.location}”与实际存储位置“${want}”不一致` };
}

/** 1-12: the 目录文件 (manifest.json) has every field, each digest in form, and the algorithms named. */
function manifestWellFormed(c: Context): Outcome {
  if (!c.manifest) return { status: 'fail', detail: `目录文件 ${MANIFEST} 缺失或不是合法 JSON` };
  const m = c.manifest;
  const problems: string[] = [];
  if (typeof m.archiveNumber !== 'string' || !m.archiveNumber) problems.push(`${MANIFEST} 缺少 archiveNumber`);
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) problems.push(`${MANIFEST} 的 createdAt 不是有效时间`);
  if (!m.algorithms || !m.algorithms.digest?.includes('SM3') || !m.algorithms.digest?.includes('SHA-256')) {
    problems.push(`${MANIFEST} 未声明 SM3 与 SHA-256 摘要算法`);
  }
  if (m.algorithms?.signature !== 'SM2withSM3') problems.push(`${MANIFEST} 未声明 SM2withSM3 签名算法`);
  if (m.formatVersion !== undefined && m.formatVersion !== 2 && m.formatVersion !== 3)
    problems.push(`${MANIFEST} 的格式版本 ${String(m.formatVersion)} 未知`);
  if (!Array.isArray(m.files) || m.files.length === 0) problems.push(`${MANIFEST} 没有文件清单`);
  for (const f of c.listed) {
    if (typeof f.name !== 'string' || !f.name || f.name.includes('/') || f.name.includes('\\'))
      problems.push(`清单中的文件名“${String(f.name)}”不合规`);
    if (!HEX64.test(String(f.sha256)) || !HEX64.test(String(f.sm3))) problems.push(`清单中文件 ${f.name} 的摘要格式不正确`);
    if (!Number.isInteger(f.size) || f.size < 0) problems.push(`清单中文件 ${f.name} 的大小不正确`);
    if (!['document', 'attachment', 'sheet', 'metadata', 'key'].includes(f.role))
      problems.push(`清单中文件 ${f.name} 的角色 ${String(f.role)} 未知`);
  }
  if (!c.listed.some((f) => f.name === METADATA && f.role === 'metadata')) problems.push(`${MANIFEST} 未列出说明文件 ${METADATA}`);
  return judge(problems, `目录文件 ${MANIFEST} 结构完整，声明 SM3、SHA-256 与 SM2withSM3，并列出说明文件 ${METADATA}`);
}

/** 1-13: one folder named by its 档号, with the fixed files and no other folder than the check reports. */
function directoryStructure(c: Context): Outcome {
  const problems: string[] = [];
  if (!ARCHIVE_NUMBER.test(c.dirName)) problems.push(`档案包目录名 ${c.dirName} 不是档号`);
  const fixed = [MANIFEST, SIGNATURE, METADATA, PUBLIC_KEY, ...((c.manifest?.formatVersion ?? 1) >= 3 ? [CERTIFICATE] : [])];
  for (const name of fixed) if (!c.files.has(name)) problems.push(`缺少固定文件 ${name}`);
  for (const sub of c.subdirs) if (sub !== REPORT_DIR) problems.push(`信息包中有不应存在的子目录 ${sub}/`);
  for (const name of c.reportFiles) if (!REPORT_FILES.has(name)) problems.push(`${REPORT_DIR}/ 中有不应存在的文件 ${name}`);
  return judge(problems, `目录 ${c.dirName}/ 以档号命名，含清单、签名、元数据、公钥，无多余子目录`);
}

/** 1-14: the package is the one recorded at 归档: manifest, files and key values as in the database. */
function consistentWithRecord(c: Context): Outcome {
  const s = c.stored;
  if (!s) return na('无本系统的归档登记可比对（移交接收时以移交清单为准）');
  const problems: string[] = [];
  if (c.manifestText !== undefined && sha256Of(Buffer.from(c.manifestText)) !== s.manifestSha256)
    problems.push(`${MANIFEST} 与归档时登记的摘要不一致`);
  if (c.signature !== undefined && c.signature !== s.signature) problems.push(`${SIGNATURE} 与登记的签名不一致`);
  const recorded = new Map(s.items.map((i) => [i.name, i]));
  for (const f of c.listed) {
    const db = recorded.get(f.name);
    if (!db) problems.push(`清单中的文件 ${f.name} 未在数据库登记`);
    else if (db.sha256 !== f.sha256 || db.sm3 !== f.sm3 || Number(db.size) !== f.size)
      problems.push(`文件 ${f.name} 的摘要或大小与数据库登记不符`);
  }
  for (const item of s.items) if (!c.listed.some((f) => f.name === item.name)) problems.push(`登记的文件 ${item.name} 不在清单中`);
  const m = c.metadata;
  if (m) {
    const expect: [string, string, string][] = [
      ['档号', m.archiveNumber, s.archiveNumber],
      ['题名', m.title, s.title],
      ['文件编号', m.docNumber, s.docNumber ?? ''],
      ['日期', m.date, s.date],
    ];
    for (const [label, got, want] of expect) if (got !== want) problems.push(`${METADATA} 的${label}“${got}”与登记的“${want}”不符`);
  }
  return judge(problems, '信息包与归档登记一致：清单摘要、签名、各文件摘要、档号、题名、文件编号、日期');
}

// ---- 完整性 --------------------------------------------------------------------------------------

/** 2-1: as many files as the manifest lists, the database recorded and the metadata describes. */
function totalCount(c: Context): Outcome {
  const problems: string[] = [];
  const actual = c.listed.filter((f) => c.files.has(f.name)).length;
  if (actual !== c.listed.length) problems.push(`清单列出 ${c.listed.length} 个文件，信息包中只有 ${actual} 个`);
  if (c.stored && c.stored.items.length !== c.listed.length)
    problems.push(`数据库登记 ${c.stored.items.length} 个文件，清单列出 ${c.listed.length} 个`);
  if (c.metadata) {
    const described = c.metadata.documents.length + 1; // metadata.xml describes every file but itself
    if (described !== c.listed.length)
      problems.push(`元数据著录 ${described - 1} 个文档（另加元数据本身），清单列出 ${c.listed.length} 个文件`);
  }
  return judge(problems, `文件总数 ${c.listed.length} 与清单、登记、元数据相符`);
}

/** 2-2: the bytes add up to what the manifest and the database say. */
function totalBytes(c: Context): Outcome {
  const listed = c.listed.reduce((sum, f) => sum + (Number(f.size) || 0), 0);
  const actual = c.listed.reduce((sum, f) => sum + (c.files.get(f.name)?.length ?? 0), 0);
  const problems: string[] = [];
  if (actual !== listed) problems.push(`清单记录总字节数 ${listed}，实际 ${actual}`);
  if (c.stored) {
    const recorded = c.stored.items.reduce((sum, i) => sum + Number(i.size), 0);
    if (recorded !== listed) problems.push(`数据库登记总字节数 ${recorded}，清单 ${listed}`);
  }
  return judge(problems, `总字节数 ${actual} 与清单、登记相符`);
}

/** 2-3: every element the schema requires is there (format 1: the elements it always had). */
function metadataComplete(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  if (c.metadata.version === 1) {
    const missing = REQUIRED_ELEMENTS.filter((name) => !findElement(c.metadata!.root, name));
    return judge(
      missing.map((name) => `${METADATA} 缺少元数据项 ${name}`),
      `格式版本 1 的 ${REQUIRED_ELEMENTS.length} 个元数据项齐全`,
    );
  }
  return schemaItem(c, 'structure', 'DA/T 46 元数据项按 XSD 齐全，无缺项、无多余项');
}

/** 2-4: the items that must be filled in are. */
function mandatoryValues(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const m = c.metadata;
  const required: [string, string | null][] = [
    ['档号', m.archiveNumber],
    ['全宗号', m.fonds],
    ['年度', m.year],
    ['保管期限', m.retention],
    ['机构或问题', m.unitCode],
    ['件号', m.itemNo],
    ['全宗名称', m.fondsName],
    ['题名', m.title],
    ['责任者', m.responsible],
    ['日期', m.date],
    ['文种', m.docType],
    ['紧急程度', m.urgency],
    ['密级', m.secrecy],
  ];
  if (m.version === 2) required.push(['立档单位名称', m.organName], ['电子文件号', m.electronicRecordId], ['存储位置', m.location]);
  const missing = required.filter(([, value]) => !value).map(([label]) => `必填著录项目“${label}”为空`);
  return judge(missing, `${required.length} 个必填著录项目均已著录`);
}

/** 2-5: the case's history is there, from its start to its end, each act with when and who, and the 办理单. */
function processInformation(c: Context): Outcome {
  if (c.metadataError || !c.metadata) return { status: 'fail', detail: `无法读取 ${METADATA}：${c.metadataError ?? '文件缺失'}` };
  const events = c.metadata.events;
  const problems: string[] = [];
  if (events.length < 2) problems.push(`业务实体只有 ${events.length} 条业务行为，缺少办理过程`);
  else {
    if (events[0].action !== '发起') problems.push(`第一条业务行为是“${events[0].action}”，缺少“发起”`);
    if (!['办结', '终止'].includes(events[events.length - 1].action))
      problems.push(`最后一条业务行为是“${events[events.length - 1].action}”，缺少“办结”或“终止”`);
  }
  events.forEach((e, i) => {
    if (!e.at) problems.push(`第 ${i + 1} 条业务行为缺少行为时间`);
    if (!e.person) problems.push(`第 ${i + 1} 条业务行为缺少机构人员`);
  });
  const sheet = c.listed.find((f) => f.role === 'sheet');
  if (!sheet || !c.files.has(sheet.name)) problems.push('信息包缺少办理单');
  return judge(problems, `业务实体记录 ${events.length} 条业务行为（发起至办结），办理单已归档`);
}

/** 2-6: the 件号 of the package's series run 1…n without gaps or repeats. */
function continuity(c: Context): Outcome {
  if (!c.stored) return na('连续性需比对本系统同一系列的全部档案');
  const numbers = [...c.stored.seriesItemNos].sort((a, b) => a - b);
  const gaps: string[] = [];
  numbers.forEach((n, i) => {
    if (n !== i + 1) gaps.push(`件号 ${String(i + 1).padStart(4, '0')} 缺失或重复（实际 ${String(n).padStart(4, '0')}）`);
  });
  return judge(gaps.slice(0, 3), `本系列件号 0001—${String(numbers.length).padStart(4, '0')} 连续`);
}

/** 2-7: every file the manifest lists is present, the 正文 among them when the metadata names one. */
function contentComplete(c: Context): Outcome {
  const problems: string[] = [];
  if (!c.manifest) problems.push(`清单文件 ${MANIFEST} 缺失或无法解析`);
  for (const f of c.listed) if (!c.files.has(f.name)) problems.push(`缺少文件 ${f.name}`);
  for (const name of FIXED) if (!c.files.has(name)) problems.push(`缺少文件 ${name}`);
  const main = c.metadata?.documents.find((d) => d.primary);
  if (main && !c.files.has(main.fileName)) problems.push(`缺少正文（主文档）${main.fileName}`);
  return judge(problems, `清单所列 ${c.listed.length} 个文件齐全`);
}

/** 2-8: every attachment is present and unchanged. */
function attachmentsComplete(c: Context): Outcome {
  const attachments = c.listed.filter((f) => f.role === 'attachment');
  if (attachments.length === 0) return na('本件没有附件');
  const problems: string[] = [];
  for (const f of attachments) {
    const content = c.files.get(f.name);
    if (!content) problems.push(`缺少附件 ${f.name}`);
    else if (sha256Of(content) !== f.sha256) problems.push(`附件 ${f.name} 内容与清单不符`);
  }
  return judge(problems, `${attachments.length} 个附件齐全且内容与清单一致`);
}

// ---- 可用性 --------------------------------------------------------------------------------------

/** 3-1: metadata.xml is UTF-8 and well-formed XML that reads back. */
function metadataReadable(c: Context): Outcome {
  const raw = c.files.get(METADATA);
  if (!raw) return { status: 'fail', detail: `元数据文件 ${METADATA} 缺失` };
  if (!Buffer.from(raw.toString('utf8'), 'utf8').equals(raw)) return { status: 'fail', detail: `元数据文件 ${METADATA} 不是有效的 UTF-8` };
  if (c.metadataError) return { status: 'fail', detail: `元数据文件 ${METADATA} 无法解析：${c.metadataError}` };
  return pass(`${METADATA}（格式版本 ${c.metadata!.version}）可正常解析读取`);
}

/** 3-2: the database record of the package could be read. */
function databaseAccessible(c: Context): Outcome {
  if (!c.stored) return na('检测对象是信息包本身，未关联本系统数据库记录');
  return pass(`数据库中的档案记录 ${c.stored.archiveNumber} 及其 ${c.stored.items.length} 个文件登记可正常访问`);
}

/** 3-3: every content file is in a format on the accepted list. */
function formats(c: Context): Outcome {
  const problems: string[] = [];
  for (const f of c.listed) {
    if (f.role === 'key') continue;
    if (!ACCEPTED_FORMATS[f.mime]) problems.push(`文件 ${f.name} 的格式 ${f.mime} 不在长期保存格式清单内`);
  }
  return judge(problems, `全部内容数据格式在可接受清单内（${[...new Set(Object.values(ACCEPTED_FORMATS))].join('、')}）`);
}

/** 3-4: every file opens as what it claims to be. */
function readable(c: Context): Outcome {
  const problems: string[] = [];
  for (const f of c.listed) {
    const content = c.files.get(f.name);
    if (!content) continue;
    const problem = openable(f.mime, content);
    if (problem) problems.push(`文件 ${f.name} ${problem}`);
  }
  return judge(problems, '全部文件可以正常打开');
}

/** 3-5: the software that made each document and the system are recorded (number not confirmed). */
function environment(c: Context): Outcome {
  const pre = needV2(c, '文档创建程序与信息系统描述');
  if (pre) return pre;
  const m = c.metadata!;
  const problems: string[] = [];
  if (!m.system) problems.push('未著录信息系统描述');
  for (const d of m.documents) if (!d.creator) problems.push(`文档 ${d.fileName} 未著录文档创建程序`);
  return judge(problems, '信息系统描述与各文档的创建程序均已著录，格式可由通用软件打开');
}

/** 3-8: nothing encrypted and no compression method outside the public ones inside any file. */
function noEncryptionOrCompression(c: Context): Outcome {
  const problems: string[] = [];
  for (const [name, content] of c.files) {
    if (content.subarray(0, 5).toString('latin1') === '%PDF-' && /\/Encrypt\b/.test(content.toString('latin1')))
      problems.push(`PDF 文件 ${name} 已加密`);
    for (const entry of zipEntries(content)) {
      if (entry.flags & 1) problems.push(`压缩包格式文件 ${name} 中的 ${entry.name} 已加密`);
      if (entry.method !== 0 && entry.method !== 8)
        problems.push(`压缩包格式文件 ${name} 中的 ${entry.name} 使用非公开压缩算法（方法 ${entry.method}）`);
    }
  }
  return judge(problems, '未发现加密内容或非公开压缩算法');
}

// ---- 安全性 --------------------------------------------------------------------------------------

const EXECUTABLE_NAME = /\.(exe|dll|com|scr|bat|cmd|ps1|vbs|js|jar|sh|msi)$/i;

/** 4-2: no executable program, script, or active PDF content (JavaScript, launch actions). */
function maliciousCode(c: Context): Outcome {
  const problems: string[] = [];
  for (const [name, content] of c.files) {
    const head = content.subarray(0, 4);
    if (head[0] === 0x4d && head[1] === 0x5a) problems.push(`文件 ${name} 是可执行程序（MZ）`);
    else if (head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) problems.push(`文件 ${name} 是可执行程序（ELF）`);
    else if (head[0] === 0x23 && head[1] === 0x21) problems.push(`文件 ${name} 是可执行脚本（#!）`);
    if (content.subarray(0, 5).toString('latin1') === '%PDF-') {
      const text = content.toString('latin1');
      if (/\/(JS|JavaScript)\b/.test(text)) problems.push(`PDF 文件 ${name} 含有 JavaScript`);
      if (/\/Launch\b/.test(text)) problems.push(`PDF 文件 ${name} 含有启动外部程序的动作`);
    }
    for (const entry of zipEntries(content))
      if (EXECUTABLE_NAME.test(entry.name)) problems.push(`文件 ${name} 内含可执行文件 ${entry.name}`);
  }
  return judge(problems, `${c.files.size} 个文件中未发现可执行程序、脚本或 PDF 活动内容`);
}

/** 4-3: nothing in the package's folder besides what the manifest lists and the check reports. */
function extraFiles(c: Context): Outcome {
  const listed = new Set(c.listed.map((f) => f.name));
  const problems: string[] = [];
  for (const name of c.files.keys()) if (!listed.has(name) && !FIXED.has(name)) problems.push(`清单之外的文件 ${name}`);
  for (const sub of c.subdirs) if (sub !== REPORT_DIR) problems.push(`清单之外的目录 ${sub}/`);
  for (const name of c.reportFiles) if (!REPORT_FILES.has(name)) problems.push(`清单之外的文件 ${REPORT_DIR}/${name}`);
  return judge(problems, '无清单之外的文件');
}

/** 4-7: the package is protected where it is kept: nothing writable by others, signed with the recorded key. */
function processSecurity(c: Context): Outcome {
  const problems: string[] = [];
  if (c.dirMode !== null && c.dirMode & 0o002) problems.push(`档案包目录 ${c.dirName}/ 对所有用户可写`);
  for (const [name, mode] of c.modes) if (mode & 0o002) problems.push(`文件 ${name} 对所有用户可写`);
  if (c.stored && c.publicKey && c.publicKey !== c.stored.publicKey) problems.push('信息包中的公钥不是归档时登记的签名公钥');
  return judge(problems, '档案包写入后不可被他人改写（无全局可写权限），签名公钥与登记一致');
}

// ---- helpers -------------------------------------------------------------------------------------

function openable(mime: string, content: Buffer): string | undefined {
  const ascii = content.subarray(0, 8).toString('latin1');
  switch (mime) {
    case 'application/pdf': {
      if (!ascii.startsWith('%PDF-')) return '不是有效的 PDF（缺少 %PDF- 文件头）';
      const tail = content.subarray(Math.max(0, content.length - 1024)).toString('latin1');
      return tail.includes('%%EOF') ? undefined : '不是完整的 PDF（缺少 %%EOF）';
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
      if (!ascii.startsWith('PK\x03\x04')) return '不是有效的压缩包格式文件';
      return content.subarray(Math.max(0, content.length - 65_557)).includes(Buffer.from('PK\x05\x06', 'latin1'))
        ? undefined
        : '压缩包不完整（缺少中央目录结束记录）';
    case 'text/plain':
    case 'text/csv':
      return content.toString('utf8').includes('\uFFFD') ? '不是有效的 UTF-8 文本' : undefined;
    default:
      return undefined;
  }
}

/** The central-directory entries of a ZIP-based file (OFD, DOCX, XLSX, ZIP): name, flags, method. */
function zipEntries(content: Buffer): { name: string; flags: number; method: number }[] {
  if (content.subarray(0, 4).toString('latin1') !== 'PK\x03\x04') return [];
  const entries: { name: string; flags: number; method: number }[] = [];
  const signature = Buffer.from('PK\x01\x02', 'latin1');
  for (let at = content.indexOf(signature); at >= 0 && at + 46 <= content.length; at = content.indexOf(signature, at + 4)) {
    const flags = content.readUInt16LE(at + 8);
    const method = content.readUInt16LE(at + 10);
    const nameLength = content.readUInt16LE(at + 28);
    const name = content.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    entries.push({ name, flags, method });
  }
  return entries;
}
