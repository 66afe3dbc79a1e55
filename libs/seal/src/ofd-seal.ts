import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
// xmlbuilder2 parses into this DOM (a dependency of xmlbuilder2); the project's TS has no DOM lib.
import type { Element } from '@oozcitak/dom/lib/dom/interfaces';
import { OFD_NS, SEAL_PLACES, num, packOfd, resolveLoc, unpackOfd, type OfdFiles, type OfdSealPlace } from '@zhengwu/ofd';
import type { LayoutSealPlace } from '@zhengwu/pdf';
import { checkIssuedBy, certificateInfo } from './cert';
import { OID, sm3, type Sm2KeyPair } from './sm2';
import { parseSeal, parseSignature, sealSignatureValid, signWithSeal, signatureValueValid } from './ses';

/**
 * 电子签章 on an OFD package (GB/T 33190-2016 §18, GB/T 38540-2020 §8): the package files are digested with
 * SM3 into Signature.xml's References, a StampAnnot places the seal on each page, and SignedValue.dat
 * holds the SES_Signature (the seal, the time and the SM3 of Signature.xml, signed with the seal holder's
 * SM2 key). Verification (验章) recomputes every digest and checks the chain to the deployment's CA.
 */

const PT_TO_MM = 25.4 / 72;

export interface SealMaterial {
  /** The SESeal (DER). */
  seal: Uint8Array;
  /** The seal holder's certificate (DER), listed in the seal. */
  certificate: Uint8Array;
  key: Sm2KeyPair;
}

export interface StampPlace {
  /** 0-based page index. */
  page: number;
  /** [x, y, width, height] in mm from the page's top-left. */
  boundary: [number, number, number, number];
}

/** The stamp's box for a layout's seal place (points, centre and diameter) in mm. */
export function stampPlace(page: number, place: Pick<LayoutSealPlace, 'cx' | 'cy' | 'diameter'>): StampPlace {
  const d = place.diameter * PT_TO_MM;
  return { page, boundary: [place.cx * PT_TO_MM - d / 2, place.cy * PT_TO_MM - d / 2, d, d] };
}

export interface SealOfdOptions {
  time?: Date;
  provider?: { name: string; company?: string; version?: string };
}

type El = Element;

function parse(files: OfdFiles, path: string): XMLBuilder {
  const bytes = files.get(path);
  if (!bytes) throw new Error(`OFD 包中没有 ${path}`);
  return create(Buffer.from(bytes).toString('utf8'));
}

function rootOf(doc: XMLBuilder): El {
  return doc.root().node as unknown as El;
}

function kids(el: El, name: string): El[] {
  const found: El[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as El).namespaceURI === OFD_NS && (n as El).localName === name) found.push(n as El);
  }
  return found;
}

function kid(el: El, name: string): El | undefined {
  return kids(el, name)[0];
}

const out = (doc: XMLBuilder): Uint8Array => Buffer.from(doc.end({ prettyPrint: false }), 'utf8');

function add(parent: El, name: string, attrs: Record<string, string> = {}, text?: string): El {
  const el = (parent.ownerDocument as NonNullable<El['ownerDocument']>).createElementNS(OFD_NS, `ofd:${name}`);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  parent.appendChild(el);
  return el;
}

/** SignatureDateTime as in GB/T 33190 examples: UTC, yyyyMMddHHmmssZ. */
function ofdTime(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
}

interface DocPaths {
  ofdDoc: XMLBuilder;
  body: El;
  docRoot: string;
  signatures?: string;
}

function docPaths(files: OfdFiles): DocPaths {
  const ofdDoc = parse(files, 'OFD.xml');
  const body = kid(rootOf(ofdDoc), 'DocBody');
  if (!body) throw new Error('OFD.xml 没有 DocBody');
  const docRoot = resolveLoc('OFD.xml', kid(body, 'DocRoot')?.textContent?.trim() ?? '');
  const sigEl = kid(body, 'Signatures');
  return { ofdDoc, body, docRoot, signatures: sigEl ? resolveLoc('OFD.xml', sigEl.textContent?.trim() ?? '') : undefined };
}

function pageIds(files: OfdFiles, docRoot: string): string[] {
  const pages = kid(rootOf(parse(files, docRoot)), 'Pages');
  return pages ? kids(pages, 'Page').map((p) => p.getAttribute('ID') ?? '') : [];
}

/** The seal places the writer recorded in DocInfo (none for an OFD from elsewhere). */
export function sealPlacesOf(ofd: Uint8Array): OfdSealPlace[] {
  const files = unpackOfd(ofd);
  const info = kid(docPaths(files).body, 'DocInfo');
  const datas = info ? kid(info, 'CustomDatas') : undefined;
  const data = datas ? kids(datas, 'CustomData').find((d) => d.getAttribute('Name') === SEAL_PLACES) : undefined;
  if (!data?.textContent) return [];
  return JSON.parse(data.textContent) as OfdSealPlace[];
}

/** Seals an OFD package: adds one signature with a stamp annotation per place. Earlier signatures stay valid. */
export function sealOfd(ofd: Uint8Array, material: SealMaterial, places: StampPlace[], opts: SealOfdOptions = {}): Buffer {
  if (places.length === 0) throw new Error('没有用印位置');
  const files = unpackOfd(ofd);
  const paths = docPaths(files);
  const docDir = paths.docRoot.includes('/') ? paths.docRoot.slice(0, paths.docRoot.lastIndexOf('/') + 1) : '';
  const ids = pageIds(files, paths.docRoot);
  for (const p of places) if (!ids[p.page]) throw new Error(`用印位置的页 ${p.page + 1} 不存在`);

  // Signatures.xml, created and named in OFD.xml on the first seal.
  let signaturesPath = paths.signatures;
  if (!signaturesPath) {
    signaturesPath = `${docDir}Signs/Signatures.xml`;
    add(paths.body, 'Signatures', {}, signaturesPath);
    files.set('OFD.xml', out(paths.ofdDoc));
  }
  const sigsDoc = files.has(signaturesPath)
    ? parse(files, signaturesPath)
    : create({ version: '1.0', encoding: 'UTF-8' }).ele(OFD_NS, 'ofd:Signatures');
  const sigsRoot = rootOf(sigsDoc);
  const existing = kids(sigsRoot, 'Signature');
  const index = existing.length;
  const signDir = `${docDir}Signs/Sign_${index}/`;
  const sigId = String(index + 1);
  let max = kid(sigsRoot, 'MaxSignId');
  if (!max) {
    max = (sigsRoot.ownerDocument as NonNullable<El['ownerDocument']>).createElementNS(OFD_NS, 'ofd:MaxSignId');
    sigsRoot.insertBefore(max, sigsRoot.firstChild);
  }
  max.textContent = sigId;
  add(sigsRoot, 'Signature', { ID: sigId, Type: 'Seal', BaseLoc: `/${signDir}Signature.xml` });
  files.set(signaturesPath, out(sigsDoc));

  // What this signature protects: every file but Signatures.xml (later seals add to it) and its own files.
  const protectedFiles = [...files.keys()].filter((p) => p !== signaturesPath && !p.startsWith(signDir)).sort();
  const time = opts.time ?? new Date();
  const sig = create({ version: '1.0', encoding: 'UTF-8' }).ele(OFD_NS, 'ofd:Signature');
  const info = sig.ele('ofd:SignedInfo');
  const provider = opts.provider ?? { name: '政务办公平台', company: 'Zhengwu', version: '0.1.0' };
  info.ele('ofd:Provider', {
    ProviderName: provider.name,
    ...(provider.version ? { Version: provider.version } : {}),
    ...(provider.company ? { Company: provider.company } : {}),
  });
  info.ele('ofd:SignatureMethod').txt(OID.sm2WithSm3);
  info.ele('ofd:SignatureDateTime').txt(ofdTime(time));
  const refs = info.ele('ofd:References', { CheckMethod: OID.sm3 });
  for (const p of protectedFiles) {
    refs
      .ele('ofd:Reference', { FileRef: `/${p}` })
      .ele('ofd:CheckValue')
      .txt(sm3(files.get(p) as Uint8Array).toString('base64'));
  }
  places.forEach((p, i) => {
    info.ele('ofd:StampAnnot', { ID: `s${sigId}_${i + 1}`, PageRef: ids[p.page], Boundary: p.boundary.map(num).join(' ') });
  });
  sig.ele('ofd:SignedValue').txt(`/${signDir}SignedValue.dat`);
  const signatureXml = out(sig);
  files.set(`${signDir}Signature.xml`, signatureXml);
  files.set(
    `${signDir}SignedValue.dat`,
    signWithSeal({
      seal: material.seal,
      signer: { certificate: material.certificate, key: material.key },
      dataHash: sm3(signatureXml),
      propertyInfo: `/${signDir}Signature.xml`,
      time,
    }),
  );
  return packOfd(files);
}

export type SealStatus = 'valid' | 'tampered' | 'unknown';

export interface FileChange {
  file: string;
  change: 'modified' | 'missing' | 'added';
}

export interface SignatureReport {
  id: string;
  status: SealStatus;
  /** 印章名称 and 印章标识 from the seal. */
  sealName?: string;
  esId?: string;
  /** The signer certificate's subject CN and fingerprint (SHA-256). */
  signer?: string;
  signerFingerprint?: string;
  signedAt?: string;
  /** 1-based pages carrying the stamp. */
  pages: number[];
  /** What failed, in words a 文秘 can read. */
  problems: string[];
  changed: FileChange[];
}

export interface OfdVerification {
  /** unsigned: the package carries no seal. */
  status: SealStatus | 'unsigned';
  signatures: SignatureReport[];
}

export interface VerifyOptions {
  /** The deployment's CA certificate(s) (DER): seals made and certificates issued elsewhere are unknown. */
  trustedCa: Uint8Array[];
}

/** 验章: checks every seal on an OFD package. */
export function verifyOfd(ofd: Uint8Array, opts: VerifyOptions): OfdVerification {
  const files = unpackOfd(ofd);
  const paths = docPaths(files);
  if (!paths.signatures) return { status: 'unsigned', signatures: [] };
  if (!files.has(paths.signatures)) {
    return {
      status: 'tampered',
      signatures: [
        { id: '', status: 'tampered', pages: [], problems: ['签名列表文件缺失'], changed: [{ file: paths.signatures, change: 'missing' }] },
      ],
    };
  }
  const sigsRoot = rootOf(parse(files, paths.signatures));
  const listed = kids(sigsRoot, 'Signature').map((s) => ({
    id: s.getAttribute('ID') ?? '',
    path: resolveLoc(paths.signatures as string, s.getAttribute('BaseLoc') ?? ''),
  }));
  if (listed.length === 0) return { status: 'unsigned', signatures: [] };
  const ids = pageIds(files, paths.docRoot);
  const reports = listed.map((s, i) =>
    verifyOne(
      files,
      s.id,
      s.path,
      listed.slice(i).map((l) => dirOf(l.path)),
      paths.signatures as string,
      ids,
      opts,
    ),
  );
  const status: SealStatus = reports.some((r) => r.status === 'tampered')
    ? 'tampered'
    : reports.some((r) => r.status === 'unknown')
      ? 'unknown'
      : 'valid';
  return { status, signatures: reports };
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

function verifyOne(
  files: OfdFiles,
  id: string,
  path: string,
  ownAndLaterDirs: string[],
  signaturesPath: string,
  pageIdList: string[],
  opts: VerifyOptions,
): SignatureReport {
  const report: SignatureReport = { id, status: 'valid', pages: [], problems: [], changed: [] };
  const tampered = (problem: string, change?: FileChange): SignatureReport => {
    report.status = 'tampered';
    report.problems.push(problem);
    if (change) report.changed.push(change);
    return report;
  };
  if (!files.has(path)) return tampered('签名描述文件缺失', { file: path, change: 'missing' });
  const sigRoot = rootOf(parse(files, path));
  const signedInfo = kid(sigRoot, 'SignedInfo');
  const valueLoc = kid(sigRoot, 'SignedValue')?.textContent?.trim();
  if (!signedInfo || !valueLoc) return tampered('签名描述文件不完整', { file: path, change: 'modified' });
  for (const annot of kids(signedInfo, 'StampAnnot')) {
    const page = pageIdList.indexOf(annot.getAttribute('PageRef') ?? '');
    if (page >= 0) report.pages.push(page + 1);
  }
  const valuePath = resolveLoc(path, valueLoc);
  const value = files.get(valuePath);
  if (!value) return tampered('签名值文件缺失', { file: valuePath, change: 'missing' });

  let sig;
  try {
    sig = parseSignature(value);
  } catch {
    return tampered('签名值无法解析', { file: valuePath, change: 'modified' });
  }
  const seal = sig.toSign.eseal;
  report.sealName = seal.esealInfo.property.name;
  report.esId = seal.esealInfo.esID;
  report.signedAt = sig.toSign.timeInfo.toISOString();
  let signer;
  try {
    signer = certificateInfo(new Uint8Array(sig.cert));
    report.signer = signer.subject.CN;
    report.signerFingerprint = signer.fingerprint;
  } catch {
    return tampered('签章者证书无法解析', { file: valuePath, change: 'modified' });
  }

  // Integrity: the signature value, the hash of Signature.xml, every referenced file, nothing added.
  if (!signatureValueValid(sig)) tampered('签名值与签章数据不符（签名值文件被改动）', { file: valuePath, change: 'modified' });
  if (!Buffer.from(sig.toSign.dataHash).equals(sm3(files.get(path) as Uint8Array))) {
    tampered('签名描述文件被改动', { file: path, change: 'modified' });
  }
  const refs = kid(signedInfo, 'References');
  const method = refs?.getAttribute('CheckMethod') ?? 'MD5';
  if (method !== OID.sm3 && method.toUpperCase() !== 'SM3') return tampered(`不支持的摘要算法 ${method}`);
  const referenced = new Set<string>();
  for (const ref of refs ? kids(refs, 'Reference') : []) {
    const file = resolveLoc(path, ref.getAttribute('FileRef') ?? '');
    referenced.add(file);
    const bytes = files.get(file);
    if (!bytes) tampered(`受保护的文件 ${file} 已被删除`, { file, change: 'missing' });
    else if (sm3(bytes).toString('base64') !== kid(ref, 'CheckValue')?.textContent?.trim()) {
      tampered(`受保护的文件 ${file} 已被改动`, { file, change: 'modified' });
    }
  }
  for (const file of files.keys()) {
    if (referenced.has(file) || file === signaturesPath || ownAndLaterDirs.some((d) => file.startsWith(d))) continue;
    tampered(`签章后加入了文件 ${file}`, { file, change: 'added' });
  }
  if (report.status === 'tampered') return report;

  // Trust: the seal was made by this deployment's CA, and the signer's certificate was issued by it.
  const at = sig.toSign.timeInfo;
  const unknown = (problem: string): void => {
    report.status = 'unknown';
    report.problems.push(problem);
  };
  const makerTrusted = opts.trustedCa.some(
    (ca) => Buffer.from(seal.cert).equals(Buffer.from(ca)) || checkIssuedBy(new Uint8Array(seal.cert), ca, at).ok,
  );
  if (!makerTrusted) unknown('印章不是本系统的制章机构制作的（制章者证书不受信任）');
  else if (!sealSignatureValid(seal)) unknown('印章数据的制章签名无效');
  const chains = opts.trustedCa.map((ca) => checkIssuedBy(new Uint8Array(sig.cert), ca, at));
  const ok = chains.find((c) => c.ok);
  if (!ok) unknown(`签章者证书不受信任：${chains.map((c) => (c.ok ? '' : c.reason)).join('；')}`);
  if (!seal.esealInfo.property.certList.some((c) => Buffer.from(c).equals(Buffer.from(sig.cert))))
    unknown('签章者证书不在印章的证书列表中');
  const p = seal.esealInfo.property;
  if (at < p.validStart || at > p.validEnd) unknown('签章时印章不在有效期内');
  return report;
}

export { parseSeal };
