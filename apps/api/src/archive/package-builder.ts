import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { certificateInfo, toPem, type NameParts } from '@zhengwu/seal';
import {
  CERTIFICATE,
  MANIFEST,
  PACKAGE_FORMAT_VERSION,
  METADATA,
  PUBLIC_KEY,
  SIGNATURE,
  SM2_USER_ID,
  sha256Of,
  sm3Of,
  type Manifest,
  type ManifestFile,
  type ManifestSigner,
} from './archive-format';
import type { ArchiveEvent } from './archive.types';
import { SM2_SM3_OID, metadataXmlV2, type MetadataDocument, type MetadataSignature } from './dat46';
import { FORMAT_NAMES, creatorOf, formatVersion, pdfPages, sniffFormat } from './file-properties';

/** The program that makes the files the platform generates, for 文档创建程序 (M50) and 信息系统描述 (M51). */
export const SYSTEM_NAME = '政务办公平台（Zhengwu）';

const ROLE_LABELS: Record<ManifestFile['role'], string> = {
  document: '正文',
  attachment: '附件',
  sheet: '办理单',
  metadata: '元数据',
  key: '公钥',
};

export interface PackageFile {
  /** File name in the package. */
  name: string;
  /** 题名 of the file: the name it had before it entered the package. */
  title: string;
  role: ManifestFile['role'];
  mime: string;
  body: Buffer;
  /** Made by this platform (the 办理单, the official PDF): named as creator when the file names none. */
  generated?: boolean;
  attachmentId?: string;
}

/** What a package is built from: the record's values, its files and the archive key. */
export interface PackageInput {
  archiveNumber: string;
  fonds: string;
  fondsName: string;
  organName: string;
  instanceId: string;
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
  urgency: string;
  mainTo: string | null;
  cc: string | null;
  secrecy: string;
  secrecyTerm: string | null;
  archivedAt: string;
  /** 行为依据: the process the case followed. */
  basis: string;
  events: ArchiveEvent[];
  files: PackageFile[];
  /** Seal signatures of the documents in the package (收文 of a sealed OFD). */
  seals: MetadataSignature[];
  /** The archive key; with its certificate (DER) the package is format 3, without it format 2 (bare key). */
  key: { privateKey: string; publicKey: string; certificate?: Buffer };
  systemVersion: string;
  /** 公开属性 of the document: 主动公开 makes the 控制标识 开放, anything else 控制. */
  disclosure?: string;
  note?: string;
}

export interface BuiltPackage {
  contents: { file: ManifestFile; body: Buffer; attachmentId?: string }[];
  manifestText: string;
  signature: string;
  metadataXml: string;
}

export function describe(name: string, role: ManifestFile['role'], mime: string, body: Buffer): ManifestFile {
  return { name, role, mime, size: body.length, sha256: sha256Of(body), sm3: sm3Of(body) };
}

/**
 * The files of an archival package, format 2: the content files, the public key, metadata.xml (DA/T 46,
 * with every file's 电子属性 and both digests) and manifest.json signed with SM2. Pure: nothing written.
 */
export function buildPackage(input: PackageInput): BuiltPackage {
  const keyBody = Buffer.from(`${input.key.publicKey}\n`);
  const cert = input.key.certificate;
  const files: PackageFile[] = [
    ...input.files,
    { name: PUBLIC_KEY, title: '归档签名公钥', role: 'key', mime: 'text/plain', body: keyBody, generated: true },
  ];
  let signer: ManifestSigner | undefined;
  if (cert) {
    const info = certificateInfo(cert);
    if (info.publicKey !== input.key.publicKey) throw new Error('the archive certificate is not for the archive key');
    files.push({
      name: CERTIFICATE,
      title: '归档签名证书',
      role: 'key',
      mime: 'text/plain',
      body: Buffer.from(toPem(cert)),
      generated: true,
    });
    signer = {
      certificate: CERTIFICATE,
      serialNumber: info.serialNumber,
      subject: distinguishedName(info.subject),
      issuer: distinguishedName(info.issuer),
      fingerprint: info.fingerprint,
    };
  }
  const formatNo = cert ? PACKAGE_FORMAT_VERSION : 2;
  const system = `${SYSTEM_NAME} ${input.systemVersion}`;
  const documents: MetadataDocument[] = files.map((f, i) => {
    const formatName = FORMAT_NAMES[f.mime] ?? sniffFormat(f.body);
    return {
      seq: i + 1,
      primary: f.role === 'document' && !files.slice(0, i).some((g) => g.role === 'document'),
      role: ROLE_LABELS[f.role],
      title: f.title,
      fileName: f.name,
      size: f.body.length,
      mime: f.mime,
      formatName,
      formatVersion: formatVersion(formatName, f.body),
      creator: creatorOf(formatName, f.body, f.generated ? system : null),
      sha256: sha256Of(f.body),
      sm3: sm3Of(f.body),
    };
  });
  // 件数: the documents that make up the 件 (正文, 附件, 办理单); 页数: their PDF pages (an OFD renders the
  // same pages as its PDF and is not counted twice).
  const pieces = files.filter((f) => f.role !== 'key').length;
  const pages = files.filter((f) => f.role !== 'key').reduce((sum, f) => sum + pdfPages(f.body), 0);
  const archiveSignature: MetadataSignature = {
    rule: `GB/T 35276-2017 SM2 数字签名（SM3 杂凑，用户标识 ${SM2_USER_ID}），签名对象为 ${MANIFEST}（含本元数据在内全部文件的 SM3、SHA-256 摘要）`,
    time: input.archivedAt,
    signer: `${input.fondsName}电子档案系统`,
    result: SIGNATURE,
    certificate: cert ? cert.toString('base64') : input.key.publicKey,
    certificateKind: cert ? 'X.509' : 'SM2公钥',
    certificateRef: signer ? `${CERTIFICATE}：序列号 ${signer.serialNumber}，签发者 ${signer.issuer}` : PUBLIC_KEY,
    algorithm: SM2_SM3_OID,
  };
  const metadataXml = metadataXmlV2({
    archiveNumber: input.archiveNumber,
    fonds: input.fonds,
    fondsName: input.fondsName,
    organName: input.organName,
    electronicRecordId: input.instanceId,
    year: input.year,
    retention: input.retention,
    retentionLabel: input.retentionLabel,
    unitCode: input.unitCode,
    itemNo: input.itemNo,
    title: input.title,
    docNumber: input.docNumber,
    responsible: input.responsible,
    date: input.date,
    docType: input.docType,
    urgency: input.urgency,
    mainTo: input.mainTo,
    cc: input.cc,
    secrecy: input.secrecy,
    secrecyTerm: input.secrecyTerm,
    pieces,
    pages,
    language: '汉语',
    draft: '正本',
    location: `${input.archiveNumber}/`,
    authorizedTo: `${input.organName}档案员`,
    authorizedActs: '查阅、下载、四性检测',
    control: input.disclosure === '主动公开' ? '开放' : '控制',
    system: `${system}：电子公文与办件系统，归档信息包格式版本 ${formatNo}（SM3、SHA-256 摘要，SM2 签名${cert ? '，本部署 CA 签发的 X.509 证书' : ''}）`,
    documents,
    signatures: [archiveSignature, ...input.seals],
    basis: input.basis,
    events: input.events,
    note: input.note,
  });
  const xml = Buffer.from(metadataXml, 'utf8');
  const contents = [
    ...files.map((f) => ({ file: describe(f.name, f.role, f.mime, f.body), body: f.body, attachmentId: f.attachmentId })),
    { file: describe(METADATA, 'metadata', 'application/xml', xml), body: xml },
  ];
  const manifest: Manifest = {
    formatVersion: formatNo,
    ...(signer ? { signer } : {}),
    archiveNumber: input.archiveNumber,
    createdAt: input.archivedAt,
    algorithms: { digest: ['SHA-256', 'SM3'], signature: 'SM2withSM3' },
    files: contents.map((c) => c.file),
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const signature = sm2.doSignature(manifestText, input.key.privateKey, {
    hash: true,
    publicKey: input.key.publicKey,
    userId: SM2_USER_ID,
  });
  return { contents, manifestText, signature, metadataXml };
}

/** A distinguished name as people read it: CN=…, OU=…, O=…, C=…. */
export function distinguishedName(parts: NameParts): string {
  return (['CN', 'OU', 'O', 'C'] as const)
    .filter((k) => parts[k])
    .map((k) => `${k}=${parts[k]}`)
    .join(', ');
}

/** Writes a built package into `dir` (which must not exist yet): files 0640, folder 0750. */
export async function writePackage(dir: string, built: BuiltPackage): Promise<void> {
  await mkdir(dir, { mode: 0o750 });
  for (const c of built.contents) await writeFile(join(dir, c.file.name), c.body, { mode: 0o640 });
  await writeFile(join(dir, MANIFEST), built.manifestText, { mode: 0o640 });
  await writeFile(join(dir, SIGNATURE), `${built.signature}\n`, { mode: 0o640 });
}
