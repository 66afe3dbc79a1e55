import { certificateInfo, checkIssuedBy, sm2Sign, sm2Verify, sm3, verifyOfd, type Sm2KeyPair } from '@zhengwu/seal';

/**
 * The exchange envelope: one JSON document a deployment sends to a partner. Everything but `signature` is
 * signed: the bytes signed are the canonical JSON (keys sorted, no spaces) of the envelope without its
 * signature and without the files' contents; each file is bound by its SM3 digest instead, so a verifier
 * checks the signature first and then recomputes every digest.
 */
export const EXCHANGE_FORMAT = 'zhengwu-exchange/1';

export interface ExchangeParty {
  organCode: string;
  organName: string;
}

export interface EnvelopeFile {
  role: 'pdf' | 'ofd';
  name: string;
  mediaType: string;
  size: number;
  /** SM3 of the content, hex. */
  sm3: string;
  /** Base64 of the content. */
  content: string;
}

export interface DocumentMetadata {
  docNumber: string;
  docType: string;
  title: string;
  urgency: string;
  secrecy: string;
  issuingUnit: string;
  signedAt: string;
}

interface EnvelopeCommon {
  format: typeof EXCHANGE_FORMAT;
  packageId: string;
  createdAt: string;
  sender: ExchangeParty;
}

export interface DocumentEnvelope extends EnvelopeCommon {
  type: 'document';
  recipient: { organCode: string; unitCode: string; unitName: string; kind: '主送' | '抄送' };
  document: DocumentMetadata;
  files: EnvelopeFile[];
}

export interface ReceiptEnvelope extends EnvelopeCommon {
  type: 'receipt';
  /** The document package this receipt answers. */
  inReplyTo: string;
  result: '签收' | '退文';
  reason?: string;
  at: string;
  recipient: { organCode: string };
}

export interface EnvelopeSignature {
  algorithm: 'SM2-with-SM3';
  /** The sender's exchange certificate and its CA's (DER, base64): the chain the receiver checks. */
  certificate: string;
  caCertificate: string;
  value: string;
}

export type Unsigned = DocumentEnvelope | ReceiptEnvelope;
export type SignedEnvelope = Unsigned & { signature: EnvelopeSignature };

export interface Signer {
  key: Sm2KeyPair;
  certificate: Buffer;
  caCertificate: Buffer;
}

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The bytes the signature covers. */
export function signedBytes(envelope: Unsigned | SignedEnvelope): Buffer {
  const { signature: _signature, ...rest } = envelope as SignedEnvelope;
  const body = rest.type === 'document' ? { ...rest, files: rest.files.map(({ content: _content, ...f }) => f) } : rest;
  return Buffer.from(canonicalJson(body), 'utf8');
}

export function fileEntry(role: EnvelopeFile['role'], name: string, mediaType: string, content: Buffer): EnvelopeFile {
  return { role, name, mediaType, size: content.length, sm3: sm3(content).toString('hex'), content: content.toString('base64') };
}

export function signEnvelope(envelope: Unsigned, signer: Signer): SignedEnvelope {
  return {
    ...envelope,
    signature: {
      algorithm: 'SM2-with-SM3',
      certificate: signer.certificate.toString('base64'),
      caCertificate: signer.caCertificate.toString('base64'),
      value: sm2Sign(signedBytes(envelope), signer.key).toString('base64'),
    },
  };
}

export type Verdict =
  { ok: true; signerFingerprint: string; sealStatus: 'valid' | 'unsigned' | 'none' } | { ok: false; code: string; reason: string };

const refuse = (code: string, reason: string): Verdict => ({ ok: false, code, reason });

/**
 * Checks an envelope from `senderOrgan` against the CA certificate this deployment holds for that partner: the
 * attached CA is that one, the signer certificate was issued by it, names the partner's organ code and is valid
 * now, the SM2 signature verifies, every file matches its SM3 digest, and the OFD's seals verify under the same CA.
 */
export function verifyEnvelope(envelope: SignedEnvelope, partnerCa: Buffer, senderOrgan: string, now = new Date()): Verdict {
  const sig = envelope.signature;
  if (sig?.algorithm !== 'SM2-with-SM3' || !sig.certificate || !sig.value) return refuse('EXCHANGE_UNSIGNED', '交换包没有签名');
  const certificate = Buffer.from(sig.certificate, 'base64');
  if (sig.caCertificate && !Buffer.from(sig.caCertificate, 'base64').equals(partnerCa)) {
    return refuse('EXCHANGE_UNTRUSTED_CA', '交换包所附根证书与本系统登记的该交换方根证书不一致');
  }
  const chain = checkIssuedBy(certificate, partnerCa, now);
  if (!chain.ok) return refuse('EXCHANGE_UNTRUSTED_CERTIFICATE', `签名证书未通过证书链校验：${chain.reason}`);
  let info;
  try {
    info = certificateInfo(certificate);
  } catch {
    return refuse('EXCHANGE_UNTRUSTED_CERTIFICATE', '签名证书无法解析');
  }
  if (info.subject.OU !== senderOrgan) return refuse('EXCHANGE_SENDER_MISMATCH', `签名证书不属于交换方 ${senderOrgan}`);
  if (!sm2Verify(signedBytes(envelope), Buffer.from(sig.value, 'base64'), info.publicKey)) {
    return refuse('EXCHANGE_BAD_SIGNATURE', '交换包签名验证失败：内容已被改动或签名不属于该证书');
  }
  let sealStatus: 'valid' | 'unsigned' | 'none' = 'none';
  if (envelope.type === 'document') {
    for (const file of envelope.files) {
      const content = Buffer.from(file.content ?? '', 'base64');
      if (content.length !== file.size || sm3(content).toString('hex') !== file.sm3) {
        return refuse('EXCHANGE_DIGEST_MISMATCH', `文件 ${file.name} 的 SM3 摘要不符，内容已被改动`);
      }
      if (file.role === 'ofd') {
        const seals = verifyOfd(content, { trustedCa: [partnerCa] });
        if (seals.status !== 'valid' && seals.status !== 'unsigned') {
          const problems = seals.signatures.flatMap((s) => s.problems).join('；');
          return refuse('EXCHANGE_SEAL_INVALID', `版式文件的电子印章验证未通过${problems ? `：${problems}` : ''}`);
        }
        sealStatus = seals.status;
      }
    }
  }
  return { ok: true, signerFingerprint: info.fingerprint, sealStatus };
}
