import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { ObjectIdentifier, Sequence, fromBER } from 'asn1js';
import { OID, generateSm2KeyPair, sm2Sign, sm2Verify, type Sm2KeyPair } from './sm2';

/**
 * X.509 v3 certificates with SM2 keys signed with SM2-with-SM3 (GM/T 0015), built with the ASN.1
 * schemas of @peculiar/asn1-x509 and signed with sm-crypto. @peculiar/x509 and pkijs sign through
 * WebCrypto, which has no SM2, so the TBSCertificate is assembled and signed here.
 */

/** Name attributes (RFC 5280 / X.520). */
const ATTR = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const;
export type NameParts = Partial<Record<keyof typeof ATTR, string>>;

export interface CertificateAuthority {
  /** DER of the CA's self-signed certificate. */
  certificate: Buffer;
  key: Sm2KeyPair;
}

export interface IssueOptions {
  subject: NameParts;
  publicKey: string;
  /** What the key may do: sign certificates (a CA) or sign documents (a seal, the archive). */
  usage: 'ca' | 'signing';
  notBefore?: Date;
  validYears: number;
}

export interface CertificateInfo {
  subject: NameParts;
  issuer: NameParts;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: string;
  isCa: boolean;
  /** SHA-256 of the DER, hex: how the certificate is named in logs and the UI. */
  fingerprint: string;
}

function name(parts: NameParts): Name {
  const order: (keyof typeof ATTR)[] = ['C', 'O', 'OU', 'CN'];
  return new Name(
    order
      .filter((k) => parts[k])
      .map(
        (k) =>
          new RelativeDistinguishedName([
            new AttributeTypeAndValue({
              type: ATTR[k],
              // Country is a PrintableString (RFC 5280); the rest UTF8String, for Chinese names.
              value: k === 'C' ? new AttributeValue({ printableString: parts[k] }) : new AttributeValue({ utf8String: parts[k] }),
            }),
          ]),
      ),
  );
}

function parts(n: Name): NameParts {
  const out: NameParts = {};
  for (const rdn of n) {
    for (const atv of rdn) {
      const key = (Object.keys(ATTR) as (keyof typeof ATTR)[]).find((k) => ATTR[k] === atv.type);
      if (key) out[key] = atv.value.toString();
    }
  }
  return out;
}

const toArrayBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

function spki(publicKey: string): SubjectPublicKeyInfo {
  return new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({
      algorithm: OID.ecPublicKey,
      parameters: new ObjectIdentifier({ value: OID.sm2Curve }).toBER(false),
    }),
    subjectPublicKey: toArrayBuffer(Buffer.from(publicKey, 'hex')),
  });
}

/** Key identifier: SHA-1 of the public key bits (RFC 5280 §4.2.1.2, method 1). */
function keyId(publicKey: string): ArrayBuffer {
  return toArrayBuffer(createHash('sha1').update(Buffer.from(publicKey, 'hex')).digest());
}

function extension(extnID: string, critical: boolean, value: object): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** A positive 16-byte serial (RFC 5280: at most 20 octets, positive). */
function serial(): ArrayBuffer {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  b[0] |= 0x01;
  return toArrayBuffer(b);
}

function addYears(d: Date, years: number): Date {
  const out = new Date(d);
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

function build(opts: IssueOptions, issuer: NameParts, issuerKey: Sm2KeyPair): Buffer {
  const notBefore = opts.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const extensions = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: opts.usage === 'ca' })),
    extension(
      id_ce_keyUsage,
      true,
      new KeyUsage(
        opts.usage === 'ca'
          ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign
          : KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation,
      ),
    ),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(opts.publicKey))),
    extension(
      id_ce_authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId(issuerKey.publicKey)) }),
    ),
  ];
  const signature = new AlgorithmIdentifier({ algorithm: OID.sm2WithSm3 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial(),
    signature,
    issuer: name(issuer),
    validity: new Validity({ notBefore, notAfter: addYears(notBefore, opts.validYears) }),
    subject: name(opts.subject),
    subjectPublicKeyInfo: spki(opts.publicKey),
    extensions: new Extensions(extensions),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: signature,
    signatureValue: toArrayBuffer(sm2Sign(tbsDer, issuerKey)),
  });
  return Buffer.from(AsnConvert.serialize(cert));
}

/** A new certificate authority: an SM2 key and a self-signed certificate (e.g. 20 years). */
export function createCertificateAuthority(subject: NameParts, validYears = 20, notBefore?: Date): CertificateAuthority {
  const key = generateSm2KeyPair();
  return { key, certificate: build({ subject, publicKey: key.publicKey, usage: 'ca', validYears, notBefore }, subject, key) };
}

/** A certificate for `publicKey` signed by the CA. */
export function issueCertificate(ca: CertificateAuthority, opts: IssueOptions): Buffer {
  return build(opts, certificateInfo(ca.certificate).subject, ca.key);
}

export function certificateInfo(der: Uint8Array): CertificateInfo {
  const cert = AsnConvert.parse(der, Certificate);
  const tbs = cert.tbsCertificate;
  const bc = tbs.extensions?.find((e) => e.extnID === id_ce_basicConstraints);
  return {
    subject: parts(tbs.subject),
    issuer: parts(tbs.issuer),
    serialNumber: Buffer.from(tbs.serialNumber).toString('hex'),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    publicKey: Buffer.from(tbs.subjectPublicKeyInfo.subjectPublicKey).toString('hex'),
    isCa: bc ? AsnConvert.parse(bc.extnValue, BasicConstraints).cA : false,
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

export type ChainCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether `der` was issued by the CA certificate `caDer` and is valid at `at`: the issuer name matches the
 * CA's subject, the CA is a CA, the SM2-with-SM3 signature over the TBSCertificate verifies with the CA's
 * key, and `at` lies within both validity periods.
 */
export function checkIssuedBy(der: Uint8Array, caDer: Uint8Array, at: Date = new Date()): ChainCheck {
  let cert: Certificate;
  let ca: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
    ca = AsnConvert.parse(caDer, Certificate);
  } catch {
    return { ok: false, reason: '证书无法解析' };
  }
  const caInfo = certificateInfo(caDer);
  if (!caInfo.isCa) return { ok: false, reason: '签发者证书不是 CA 证书' };
  if (AsnConvert.serialize(cert.tbsCertificate.issuer).byteLength === 0) return { ok: false, reason: '证书没有签发者' };
  if (!Buffer.from(AsnConvert.serialize(cert.tbsCertificate.issuer)).equals(Buffer.from(AsnConvert.serialize(ca.tbsCertificate.subject)))) {
    return { ok: false, reason: '证书不是本 CA 签发的（签发者名称不符）' };
  }
  if (cert.signatureAlgorithm.algorithm !== OID.sm2WithSm3)
    return { ok: false, reason: `不支持的签名算法 ${cert.signatureAlgorithm.algorithm}` };
  if (!sm2Verify(tbsBytes(der), new Uint8Array(cert.signatureValue), caInfo.publicKey)) {
    return { ok: false, reason: '证书签名与本 CA 的公钥不符（证书链断裂）' };
  }
  const info = certificateInfo(der);
  for (const [what, i] of [
    ['证书', info],
    ['CA 证书', caInfo],
  ] as const) {
    if (at < i.notBefore || at > i.notAfter) return { ok: false, reason: `${what}在 ${at.toISOString()} 不在有效期内` };
  }
  return { ok: true };
}

/** The TBSCertificate exactly as encoded in the certificate (the signed bytes). */
function tbsBytes(der: Uint8Array): Uint8Array {
  const parsed = fromBER(new Uint8Array(der));
  if (parsed.offset === -1 || !(parsed.result instanceof Sequence)) throw new Error('证书无法解析');
  return new Uint8Array(parsed.result.valueBlock.value[0].valueBeforeDecodeView);
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

export function fromPem(pem: string): Buffer {
  const m = /-----BEGIN [A-Z ]+-----([\s\S]+?)-----END [A-Z ]+-----/.exec(pem);
  if (!m) throw new Error('不是 PEM 格式');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}
