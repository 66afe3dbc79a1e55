import { findAll, findElement, parseXml, type XmlElement } from './archive-format';

/** A 文档 of metadata.xml as read back (format 1 knows only name, media type and size). */
export interface ReadDocument {
  seq: number | null;
  role: string | null;
  primary: boolean | null;
  fileName: string;
  size: number | null;
  mime: string | null;
  formatName: string | null;
  creator: string | null;
  sha256: string | null;
  sm3: string | null;
}

/** metadata.xml read back, the same shape for both formats; what format 1 lacks is null. */
export interface ReadMetadata {
  version: 1 | 2;
  root: XmlElement;
  archiveNumber: string;
  fonds: string;
  year: string;
  retention: string;
  retentionLabel: string;
  unitCode: string;
  itemNo: string;
  electronicRecordId: string;
  fondsName: string;
  organName: string | null;
  title: string;
  docNumber: string;
  responsible: string;
  date: string;
  docType: string;
  urgency: string;
  secrecy: string;
  pieces: number | null;
  pages: number | null;
  location: string;
  system: string | null;
  documents: ReadDocument[];
  signatures: { time: string; signer: string; certificate: string; algorithm: string }[];
  events: { action: string; at: string; person: string; step: string }[];
}

const text = (root: XmlElement, name: string): string => findElement(root, name)?.text.trim() ?? '';
const numberOr = (value: string): number | null => (/^\d+$/.test(value) ? Number(value) : null);

/** Reads metadata.xml of either format; throws when it is not well-formed XML. */
export function readMetadata(source: string): ReadMetadata {
  const root = parseXml(source);
  return root.name === '文件实体' ? readV2(root) : readV1(root);
}

function readV2(root: XmlElement): ReadMetadata {
  const code = findElement(root, '档号');
  const retention = code ? findElement(code, '保管期限') : undefined;
  const content = findElement(root, '内容描述') ?? root;
  return {
    version: 2,
    root,
    archiveNumber: code?.attributes['值'] ?? '',
    fonds: code ? text(code, '全宗号') : '',
    year: code ? text(code, '年度') : '',
    retention: retention?.attributes['代码'] ?? '',
    retentionLabel: retention?.text.trim() ?? '',
    unitCode: code ? text(code, '机构或问题') : '',
    itemNo: code ? text(code, '室编件号') : '',
    electronicRecordId: text(root, '电子文件号'),
    fondsName: text(root, '全宗名称'),
    organName: text(root, '立档单位名称'),
    title: text(content, '题名'),
    docNumber: text(content, '文件编号'),
    responsible: text(content, '责任者'),
    date: text(content, '日期'),
    docType: text(content, '文种'),
    urgency: text(content, '紧急程度'),
    secrecy: text(content, '密级'),
    pieces: numberOr(text(root, '件数')),
    pages: numberOr(text(root, '页数')),
    location: text(root, '当前位置'),
    system: text(root, '信息系统描述'),
    documents: findAll(root, '文档').map((d) => {
      const digest = (algorithm: string) =>
        d.children.find((c) => c.name === '数字摘要' && c.attributes['算法'] === algorithm)?.text.trim() ?? null;
      const format = findElement(d, '格式信息');
      return {
        seq: numberOr(d.attributes['文档序号'] ?? ''),
        role: d.attributes['角色'] ?? null,
        primary: d.attributes['文档主从声明'] === undefined ? null : d.attributes['文档主从声明'] === '主文档',
        fileName: text(d, '计算机文件名'),
        size: numberOr(text(d, '计算机文件大小')),
        mime: format?.attributes['媒体类型'] ?? null,
        formatName: format?.attributes['格式名称'] ?? null,
        creator: text(d, '文档创建程序') || null,
        sha256: digest('SHA-256'),
        sm3: digest('SM3'),
      };
    }),
    signatures: findAll(root, '电子签名').map((s) => ({
      time: text(s, '签名时间'),
      signer: text(s, '签名人'),
      certificate: text(s, '证书'),
      algorithm: text(s, '签名算法标识'),
    })),
    events: findAll(root, '业务').map((b) => ({
      action: text(b, '业务行为'),
      at: text(b, '行为时间'),
      person: text(b, '机构人员名称'),
      step: text(b, '业务状态'),
    })),
  };
}

/** Format 1 (packages archived before DA/T 46 names): English elements in urn:zhengwu:archive:dat46. */
function readV1(root: XmlElement): ReadMetadata {
  const retention = findElement(root, 'retentionPeriod');
  return {
    version: 1,
    root,
    archiveNumber: text(root, 'archiveNumber'),
    fonds: text(root, 'fondsCode'),
    year: text(root, 'year'),
    retention: retention?.attributes['code'] ?? '',
    retentionLabel: retention?.text.trim() ?? '',
    unitCode: text(root, 'organization'),
    itemNo: text(root, 'itemNumber'),
    electronicRecordId: text(root, 'electronicRecordId'),
    fondsName: text(root, 'fondsName'),
    organName: null,
    title: text(root, 'title'),
    docNumber: text(root, 'documentNumber'),
    responsible: text(root, 'author'),
    date: text(root, 'date'),
    docType: text(root, 'documentType'),
    urgency: text(root, 'urgency'),
    secrecy: text(root, 'securityClassification'),
    pieces: null,
    pages: null,
    location: text(root, 'storageLocation'),
    system: null,
    documents: findAll(root, 'file').map((f) => ({
      seq: null,
      role: null,
      primary: null,
      fileName: f.attributes['name'] ?? '',
      size: numberOr(f.attributes['size'] ?? ''),
      mime: f.attributes['mime'] ?? null,
      formatName: null,
      creator: null,
      sha256: null,
      sm3: null,
    })),
    signatures: findAll(root, 'digitalSignature').map((s) => ({
      time: text(s, 'signatureTime'),
      signer: text(s, 'signer'),
      certificate: text(s, 'certificate'),
      algorithm: text(s, 'algorithm'),
    })),
    events: findAll(root, 'businessActivity').map((b) => ({
      action: text(b, 'action'),
      at: text(b, 'actionTime'),
      person: text(b, 'agent'),
      step: text(b, 'step'),
    })),
  };
}
