import { OID, certificateInfo, checkIssuedBy, sm2Sign, sm2Verify, type Sm2KeyPair } from '@zhengwu/seal';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { MANIFEST, sha256Of, sm3Of } from './archive-format';
import { distinguishedName } from './package-builder';
import type { CheckReport } from './archive.types';

/**
 * DA/T 48-2009 基于 XML 的电子文件封装规范: the transfer package (封装包, EEP) a 档案馆 receives. One XML
 * document: 封装包格式描述 and 版本, the 被签名对象 (封装包类型, 创建时间 and 单位, and the 封装内容: the
 * 移交清单 and one 文件实体 per archival package with every file of it as 编码数据 in Base64 and the
 * sender's 移交与接收 check), the 电子签名块 (an SM2 signature over the 被签名对象) and the 锁定签名 (over
 * the 被签名对象 and the 电子签名块, so no signature can be added or removed unnoticed).
 *
 * What is signed are the exact UTF-8 bytes of the file from `<被签名对象` to `</被签名对象>` (and to
 * `</电子签名块>` for the 锁定签名): no XML canonicalisation, so a reader needs nothing but the file to find
 * them. Markup cannot occur in text or attributes (`<` is always escaped), so the first occurrence is the one.
 */

export const EEP_VERSION = '2009';
const FORMAT_DESCRIPTION = '本封装包依据 DA/T 48-2009《基于XML的电子文件封装规范》生成，用于电子档案移交';
const SIGNED_START = '<被签名对象';
const SIGNED_END = '</被签名对象>';
const BLOCK_END = '</电子签名块>';
const SIGNATURE_ID = 'SIG-1';
const SIGNATURE_RULE =
  'GB/T 35276-2017 SM2 数字签名（SM3 杂凑，用户标识 1234567812345678，DER 编码），签名对象为封装包文件中被签名对象元素的 UTF-8 字节';
const LOCK_RULE = '锁定签名：GB/T 35276-2017 SM2 数字签名，签名对象为封装包文件中自被签名对象开始标记至电子签名块结束标记的 UTF-8 字节';

export interface EepFile {
  name: string;
  body: Buffer;
}

export interface EepPackage {
  archiveNumber: string;
  title: string;
  year: number;
  retentionLabel: string;
  /** Every file of the archival package, the manifest and its signature included. */
  files: EepFile[];
  /** The sender's 移交与接收 (YJ-) check of the package. */
  report: CheckReport;
  /** Its printable report (PDF), when it could be kept. */
  reportPdf?: Buffer;
}

export interface EepInput {
  transferId: string;
  /** 封装包创建单位: the organ whose 全宗 is transferred. */
  creator: string;
  createdAt: string;
  packages: EepPackage[];
  key: Sm2KeyPair & { certificate: Buffer };
}

/** One row of the 移交清单. */
export interface TransferListEntry {
  archiveNumber: string;
  title: string;
  year: number;
  retentionLabel: string;
  files: number;
  bytes: number;
  /** SM3 of the package's manifest.json: names the exact package transferred. */
  manifestSm3: string;
}

function listEntry(p: Pick<EepPackage, 'archiveNumber' | 'title' | 'year' | 'retentionLabel' | 'files'>): TransferListEntry {
  const manifest = p.files.find((f) => f.name === MANIFEST);
  return {
    archiveNumber: p.archiveNumber,
    title: p.title,
    year: p.year,
    retentionLabel: p.retentionLabel,
    files: p.files.length,
    bytes: p.files.reduce((sum, f) => sum + f.body.length, 0),
    manifestSm3: manifest ? sm3Of(manifest.body) : '',
  };
}

function signatureElement(
  parent: XMLBuilder,
  name: string,
  attrs: Record<string, string>,
  rule: string,
  at: string,
  signer: string,
  value: string,
  cert: Buffer,
): void {
  const info = certificateInfo(cert);
  const sig = parent.ele(name, attrs);
  sig.ele('签名规则').txt(rule);
  sig.ele('签名时间').txt(at);
  sig.ele('签名人').txt(signer);
  sig.ele('签名结果').txt(value);
  const block = sig.ele('证书块');
  block.ele('证书', { 类型: 'X.509', 序列号: info.serialNumber }).txt(cert.toString('base64'));
  block.ele('证书引证').txt(`签发者 ${distinguishedName(info.issuer)}；主体 ${distinguishedName(info.subject)}`);
  sig.ele('签名算法标识').txt(OID.sm2WithSm3);
}

/** The EEP as a string, with both signatures. Deterministic: the signed bytes are the same in every pass. */
export function buildEep(input: EepInput): string {
  const entries = input.packages.map(listEntry);
  const signer = distinguishedName(certificateInfo(input.key.certificate).subject);
  const render = (signature: string, lock: string): string => {
    const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
    const root = doc.ele('电子文件封装包');
    root.ele('封装包格式描述').txt(FORMAT_DESCRIPTION);
    root.ele('版本').txt(EEP_VERSION);
    const signed = root.ele('被签名对象', { eep版本: EEP_VERSION });
    signed.ele('封装包类型').txt('原始型');
    signed.ele('封装包类型描述').txt('移交封装包：所含归档信息包为归档时原样，未经修改');
    signed.ele('封装包创建时间').txt(input.createdAt);
    signed.ele('封装包创建单位').txt(input.creator);
    const content = signed.ele('封装内容');
    const list = content.ele('移交清单', {
      移交批次: input.transferId,
      件数: String(entries.length),
      文件总数: String(entries.reduce((s, e) => s + e.files, 0)),
      总字节数: String(entries.reduce((s, e) => s + e.bytes, 0)),
    });
    entries.forEach((e, i) =>
      list.ele('条目', {
        序号: String(i + 1),
        档号: e.archiveNumber,
        题名: e.title,
        年度: String(e.year),
        保管期限: e.retentionLabel,
        文件数: String(e.files),
        字节数: String(e.bytes),
        清单SM3: e.manifestSm3,
      }),
    );
    const block = content.ele('文件实体块');
    for (const p of input.packages) {
      const entity = block.ele('文件实体', { 档号: p.archiveNumber });
      entity.ele('题名').txt(p.title);
      p.files.forEach((f, i) => {
        const d = entity.ele('文档', { 文档标识符: `${p.archiveNumber}/${f.name}`, 文档序号: String(i + 1) });
        const enc = d.ele('编码', { 编码标识符: `${p.archiveNumber}/${f.name}#1` });
        const attrs = enc.ele('电子属性');
        attrs.ele('计算机文件名').txt(f.name);
        attrs.ele('计算机文件大小').txt(String(f.body.length));
        attrs.ele('数字摘要', { 算法: 'SM3' }).txt(sm3Of(f.body));
        attrs.ele('数字摘要', { 算法: 'SHA-256' }).txt(sha256Of(f.body));
        enc.ele('编码描述').txt('Base64（RFC 4648）编码的原始文件字节');
        enc.ele('反编码关键字').txt('base64');
        enc.ele('编码数据').txt(f.body.toString('base64'));
      });
      const r = p.report;
      const report = entity.ele('检测报告', { 阶段: r.stageLabel, 依据: r.standard, 结论: r.ok ? '通过' : '不通过' });
      for (const c of r.checks) report.ele('检测项', { 编号: c.code, 性质: c.property, 结果: STATUS_LABELS[c.status] }).txt(c.detail);
      if (p.reportPdf) {
        report
          .ele('报告文件', { 计算机文件名: `${r.stageLabel}.pdf`, 计算机文件大小: String(p.reportPdf.length), SM3: sm3Of(p.reportPdf) })
          .txt(p.reportPdf.toString('base64'));
      }
    }
    const sigBlock = root.ele('电子签名块');
    signatureElement(
      sigBlock,
      '电子签名',
      { 签名标识符: SIGNATURE_ID },
      SIGNATURE_RULE,
      input.createdAt,
      signer,
      signature,
      input.key.certificate,
    );
    signatureElement(root, '锁定签名', { 被锁定签名标识符: SIGNATURE_ID }, LOCK_RULE, input.createdAt, signer, lock, input.key.certificate);
    return doc.end({ prettyPrint: false });
  };
  const first = render('', '');
  const signedBytes = Buffer.from(slice(first, SIGNED_END), 'utf8');
  const signature = sm2Sign(signedBytes, input.key).toString('base64');
  const second = render(signature, '');
  const lockedBytes = Buffer.from(slice(second, BLOCK_END), 'utf8');
  const lock = sm2Sign(lockedBytes, input.key).toString('base64');
  const out = render(signature, lock);
  // The signed ranges hold no signature value, so every pass must give them byte for byte.
  if (slice(out, SIGNED_END) !== slice(first, SIGNED_END) || slice(out, BLOCK_END) !== slice(second, BLOCK_END)) {
    throw new Error('EEP serialisation is not deterministic');
  }
  return out;
}

const STATUS_LABELS = { pass: '通过', fail: '不通过', na: '不适用' } as const;

/** From `<被签名对象` to the end of `endTag`, or undefined when the file does not have them once each, in order. */
function slice(xml: string, endTag: string): string {
  const start = xml.indexOf(SIGNED_START);
  const end = xml.indexOf(endTag);
  if (start < 0 || end < start || xml.indexOf(SIGNED_START, start + 1) >= 0 || xml.indexOf(endTag, end + 1) >= 0) {
    throw new EepFormatError(`封装包中没有唯一的 ${SIGNED_START}> … ${endTag}`);
  }
  return xml.slice(start, end + endTag.length);
}

export class EepFormatError extends Error {}

// ---- reading ---------------------------------------------------------------------------------------

/** The DOM interface xmlbuilder2's parser gives, as far as the reader uses it. */
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  getAttribute?(name: string): string | null;
}

const children = (n: DomNode, name: string): DomNode[] => Array.from(n.childNodes).filter((c) => c.nodeType === 1 && c.nodeName === name);
const child = (n: DomNode, name: string): DomNode | undefined => children(n, name)[0];
const text = (n: DomNode | undefined): string => (n?.textContent ?? '').trim();
const attr = (n: DomNode | undefined, name: string): string => n?.getAttribute?.(name) ?? '';

export interface EepSignatureCheck {
  ok: boolean;
  /** 电子签名 or 锁定签名. */
  kind: string;
  detail: string;
  serialNumber?: string;
  subject?: string;
}

export interface EepReadPackage {
  archiveNumber: string;
  title: string;
  files: EepFile[];
  /** Problems of the files themselves: a digest or size that does not match its 电子属性. */
  problems: string[];
  senderReportOk: boolean | null;
  /** The sender's printable YJ- report, when the EEP has one. */
  reportPdf?: Buffer;
}

export interface EepRead {
  transferId: string;
  creator: string;
  createdAt: string;
  signatures: EepSignatureCheck[];
  list: TransferListEntry[];
  /** Where the 移交清单 and the packages it names disagree. */
  listProblems: string[];
  packages: EepReadPackage[];
}

/**
 * Reads an EEP and checks what the file alone proves: both signatures (and their certificates' chain to
 * one of `trustedCas`), every file's size, SM3 and SHA-256 against its 电子属性, and the 移交清单 against
 * the packages. Throws EepFormatError when the file is not an EEP at all.
 */
export function readEep(xml: string, trustedCas: Buffer[]): EepRead {
  let root: DomNode;
  try {
    root = create(xml).root().node as unknown as DomNode; // xmlbuilder2's DOM node, narrowed to what is read
  } catch (error) {
    throw new EepFormatError(`封装包不是合法的 XML：${(error as Error).message}`);
  }
  if (root.nodeName !== '电子文件封装包') throw new EepFormatError(`根元素是 ${root.nodeName}，不是 电子文件封装包`);
  if (text(child(root, '版本')) !== EEP_VERSION) throw new EepFormatError(`封装包版本“${text(child(root, '版本'))}”不是 ${EEP_VERSION}`);
  const signed = child(root, '被签名对象');
  const content = signed && child(signed, '封装内容');
  if (!signed || !content) throw new EepFormatError('封装包缺少被签名对象或封装内容');

  const signatures: EepSignatureCheck[] = [];
  const sig = child(child(root, '电子签名块') ?? root, '电子签名');
  signatures.push(verifySignature('电子签名', sig, () => slice(xml, SIGNED_END), trustedCas));
  signatures.push(verifySignature('锁定签名', child(root, '锁定签名'), () => slice(xml, BLOCK_END), trustedCas));
  if (sig && attr(child(root, '锁定签名'), '被锁定签名标识符') !== attr(sig, '签名标识符')) {
    signatures[1] = { ...signatures[1], ok: false, detail: `${signatures[1].detail}；锁定签名未指向电子签名 ${attr(sig, '签名标识符')}` };
  }

  const listNode = child(content, '移交清单');
  const list: TransferListEntry[] = (listNode ? children(listNode, '条目') : []).map((e) => ({
    archiveNumber: attr(e, '档号'),
    title: attr(e, '题名'),
    year: Number(attr(e, '年度')),
    retentionLabel: attr(e, '保管期限'),
    files: Number(attr(e, '文件数')),
    bytes: Number(attr(e, '字节数')),
    manifestSm3: attr(e, '清单SM3'),
  }));
  const listProblems: string[] = [];
  if (!listNode) listProblems.push('封装包缺少移交清单');

  const packages: EepReadPackage[] = [];
  for (const entity of children(child(content, '文件实体块') ?? content, '文件实体')) {
    const archiveNumber = attr(entity, '档号');
    const problems: string[] = [];
    const files: EepFile[] = [];
    for (const d of children(entity, '文档')) {
      const enc = child(d, '编码');
      const props = enc && child(enc, '电子属性');
      const name = text(props && child(props, '计算机文件名'));
      if (!enc || !props || !name) {
        problems.push(`文档 ${attr(d, '文档标识符') || '（无标识符）'} 缺少编码或电子属性`);
        continue;
      }
      const body = Buffer.from(text(child(enc, '编码数据')), 'base64');
      const digests = new Map(children(props, '数字摘要').map((x) => [attr(x, '算法'), text(x)]));
      if (String(body.length) !== text(child(props, '计算机文件大小'))) problems.push(`文件 ${archiveNumber}/${name} 的大小与电子属性不符`);
      if (sm3Of(body) !== digests.get('SM3')) problems.push(`文件 ${archiveNumber}/${name} 的 SM3 摘要与电子属性不符（内容已被改动）`);
      if (sha256Of(body) !== digests.get('SHA-256')) problems.push(`文件 ${archiveNumber}/${name} 的 SHA-256 摘要与电子属性不符`);
      files.push({ name, body });
    }
    const report = child(entity, '检测报告');
    const pdfNode = report && child(report, '报告文件');
    let reportPdf: Buffer | undefined;
    if (pdfNode) {
      reportPdf = Buffer.from(text(pdfNode), 'base64');
      if (sm3Of(reportPdf) !== attr(pdfNode, 'SM3') || String(reportPdf.length) !== attr(pdfNode, '计算机文件大小')) {
        problems.push(`${archiveNumber} 的移交检测报告文件与其 SM3 或大小不符`);
      }
    }
    packages.push({
      reportPdf,
      archiveNumber,
      title: text(child(entity, '题名')),
      files,
      problems,
      senderReportOk: report ? attr(report, '结论') === '通过' : null,
    });
  }

  // The list names exactly the packages in the EEP, each with the files and bytes it has.
  const byNumber = new Map(packages.map((p) => [p.archiveNumber, p]));
  for (const e of list) {
    const p = byNumber.get(e.archiveNumber);
    if (!p) {
      listProblems.push(`移交清单中的 ${e.archiveNumber} 不在封装内容中`);
      continue;
    }
    const actual = listEntry({ ...p, year: e.year, retentionLabel: e.retentionLabel });
    if (actual.files !== e.files)
      listProblems.push(`移交清单记录 ${e.archiveNumber} 有 ${e.files} 个文件，封装内容中有 ${actual.files} 个`);
    if (actual.bytes !== e.bytes)
      listProblems.push(`移交清单记录 ${e.archiveNumber} 共 ${e.bytes} 字节，封装内容中为 ${actual.bytes} 字节`);
    if (actual.manifestSm3 !== e.manifestSm3) listProblems.push(`移交清单记录的 ${e.archiveNumber} 清单文件 SM3 与封装内容不符`);
  }
  for (const p of packages)
    if (!list.some((e) => e.archiveNumber === p.archiveNumber)) listProblems.push(`封装内容中的 ${p.archiveNumber} 不在移交清单中`);
  if (listNode && attr(listNode, '件数') !== String(list.length))
    listProblems.push(`移交清单的件数 ${attr(listNode, '件数')} 与条目数 ${list.length} 不符`);

  return {
    transferId: attr(listNode, '移交批次'),
    creator: text(child(signed, '封装包创建单位')),
    createdAt: text(child(signed, '封装包创建时间')),
    signatures,
    list,
    listProblems,
    packages,
  };
}

function verifySignature(kind: string, node: DomNode | undefined, bytes: () => string, trustedCas: Buffer[]): EepSignatureCheck {
  if (!node) return { ok: false, kind, detail: `封装包缺少${kind}` };
  const certNode = child(child(node, '证书块') ?? node, '证书');
  let cert: Buffer;
  let info: ReturnType<typeof certificateInfo>;
  try {
    cert = Buffer.from(text(certNode), 'base64');
    info = certificateInfo(cert);
  } catch {
    return { ok: false, kind, detail: `${kind}的证书缺失或无法解析` };
  }
  const base = { kind, serialNumber: info.serialNumber, subject: distinguishedName(info.subject) };
  if (text(child(node, '签名算法标识')) !== OID.sm2WithSm3) {
    return { ...base, ok: false, detail: `${kind}的签名算法 ${text(child(node, '签名算法标识'))} 不是 SM2withSM3` };
  }
  const at = new Date(text(child(node, '签名时间')));
  const when = Number.isNaN(at.getTime()) ? new Date() : at;
  const chain = trustedCas.map((ca) => checkIssuedBy(cert, ca, when));
  if (!chain.some((r) => r.ok)) {
    const reason = chain.find((r): r is { ok: false; reason: string } => !r.ok)?.reason ?? '没有可信的 CA 证书';
    return { ...base, ok: false, detail: `${kind}的证书（序列号 ${info.serialNumber}）不是本部署 CA 签发的或证书链断裂：${reason}` };
  }
  let signedText: string;
  try {
    signedText = bytes();
  } catch (error) {
    return { ...base, ok: false, detail: (error as Error).message };
  }
  const value = Buffer.from(text(child(node, '签名结果')), 'base64');
  if (!sm2Verify(Buffer.from(signedText, 'utf8'), value, info.publicKey)) {
    return { ...base, ok: false, detail: `${kind}验证失败：签名对象或签名结果已被改动` };
  }
  return { ...base, ok: true, detail: `${kind}验证通过，证书（序列号 ${info.serialNumber}）由本部署 CA 签发` };
}
