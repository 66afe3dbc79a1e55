import { AsnConvert, AsnProp, AsnPropTypes } from '@peculiar/asn1-schema';
import { OID, sm2Sign, sm2Verify, type Sm2KeyPair } from './sm2';
import { certificateInfo } from './cert';

/**
 * The electronic seal and the electronic signature of GB/T 38540-2020 (安全电子签章密码技术规范), version 4,
 * as ASN.1 schemas of @peculiar/asn1-schema. DER throughout; the optional extDatas and timeStamp are not
 * written.
 */

const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** SES_Header ::= SEQUENCE { id IA5String ("ES"), version INTEGER (4), vid IA5String } */
export class SesHeader {
  @AsnProp({ type: AsnPropTypes.IA5String }) public id = 'ES';
  @AsnProp({ type: AsnPropTypes.Integer }) public version = 4;
  /** 厂商标识 (vendor id). */
  @AsnProp({ type: AsnPropTypes.IA5String }) public vid = '';
}

/**
 * SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER,
 *   certList SES_CertList, createDate, validStart, validEnd GeneralizedTime }
 * certListType 1: certList is CertInfoList ::= SEQUENCE OF OCTET STRING (the signers' certificates).
 */
export class SesPropertyInfo {
  /** 1 单位印章, 2 个人印章. */
  @AsnProp({ type: AsnPropTypes.Integer }) public type = 1;
  @AsnProp({ type: AsnPropTypes.Utf8String }) public name = '';
  @AsnProp({ type: AsnPropTypes.Integer }) public certListType = 1;
  @AsnProp({ type: AsnPropTypes.OctetString, repeated: 'sequence' }) public certList: ArrayBuffer[] = [];
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) public createDate = new Date(0);
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) public validStart = new Date(0);
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) public validEnd = new Date(0);
}

/** SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER } (mm). */
export class SesPictureInfo {
  @AsnProp({ type: AsnPropTypes.IA5String }) public type = 'PNG';
  @AsnProp({ type: AsnPropTypes.OctetString }) public data = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Integer }) public width = 0;
  @AsnProp({ type: AsnPropTypes.Integer }) public height = 0;
}

/** SES_SealInfo ::= SEQUENCE { header, esID IA5String, property, picture, extDatas OPTIONAL } */
export class SesSealInfo {
  @AsnProp({ type: SesHeader }) public header = new SesHeader();
  @AsnProp({ type: AsnPropTypes.IA5String }) public esID = '';
  @AsnProp({ type: SesPropertyInfo }) public property = new SesPropertyInfo();
  @AsnProp({ type: SesPictureInfo }) public picture = new SesPictureInfo();
}

/** The bytes the seal maker signs: SEQUENCE { esealInfo, cert, signAlgID } (GB/T 38540 §7.1). */
class SealToSign {
  @AsnProp({ type: SesSealInfo }) public esealInfo = new SesSealInfo();
  @AsnProp({ type: AsnPropTypes.OctetString }) public cert = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) public signAlgID = OID.sm2WithSm3;
}

/** SESeal ::= SEQUENCE { esealInfo, cert OCTET STRING (制章者证书), signAlgID OID, signedValue BIT STRING } */
export class SESeal extends SealToSign {
  @AsnProp({ type: AsnPropTypes.BitString }) public signedValue = new ArrayBuffer(0);
}

/** TBS_Sign ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING, propertyInfo IA5String, extDatas [0] OPTIONAL } */
export class TbsSign {
  @AsnProp({ type: AsnPropTypes.Integer }) public version = 4;
  @AsnProp({ type: SESeal }) public eseal = new SESeal();
  @AsnProp({ type: AsnPropTypes.GeneralizedTime }) public timeInfo = new Date(0);
  @AsnProp({ type: AsnPropTypes.BitString }) public dataHash = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.IA5String }) public propertyInfo = '';
}

/** The bytes the signer signs: SEQUENCE { toSign, cert, signatureAlgID } (GB/T 38540 §8.1). */
class SignatureToSign {
  @AsnProp({ type: TbsSign }) public toSign = new TbsSign();
  @AsnProp({ type: AsnPropTypes.OctetString }) public cert = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.ObjectIdentifier }) public signatureAlgID = OID.sm2WithSm3;
}

/** SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING (签章者证书), signatureAlgID OID, signature BIT STRING, timeStamp [0] OPTIONAL } */
export class SesSignature extends SignatureToSign {
  @AsnProp({ type: AsnPropTypes.BitString }) public signature = new ArrayBuffer(0);
}

export interface MakeSealOptions {
  /** 印章标识, unique within the deployment. */
  esId: string;
  /** 印章名称, e.g. "示范部". */
  name: string;
  /** The seal holder's signing certificate(s) (DER). */
  signerCertificates: Uint8Array[];
  picture: { png: Uint8Array; widthMm: number; heightMm: number };
  validStart: Date;
  validEnd: Date;
  createDate?: Date;
  /** The seal maker (制章者): the deployment's CA, whose certificate goes into the seal. */
  maker: { certificate: Uint8Array; key: Sm2KeyPair };
  vendorId?: string;
}

/** Whole seconds: GeneralizedTime is written without fractions so the DER is what every reader expects. */
const seconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** Makes an electronic seal (SESeal, DER) signed by the maker. */
export function makeSeal(o: MakeSealOptions): Buffer {
  const info = new SesSealInfo();
  info.header.vid = o.vendorId ?? 'zhengwu';
  info.esID = o.esId;
  info.property.type = 1;
  info.property.name = o.name;
  info.property.certListType = 1;
  info.property.certList = o.signerCertificates.map(ab);
  info.property.createDate = seconds(o.createDate ?? new Date());
  info.property.validStart = seconds(o.validStart);
  info.property.validEnd = seconds(o.validEnd);
  info.picture.type = 'PNG';
  info.picture.data = ab(o.picture.png);
  info.picture.width = Math.round(o.picture.widthMm);
  info.picture.height = Math.round(o.picture.heightMm);
  const tbs = new SealToSign();
  tbs.esealInfo = info;
  tbs.cert = ab(o.maker.certificate);
  const seal = new SESeal();
  Object.assign(seal, tbs);
  seal.signedValue = ab(sm2Sign(new Uint8Array(AsnConvert.serialize(tbs)), o.maker.key));
  return Buffer.from(AsnConvert.serialize(seal));
}

export function parseSeal(der: Uint8Array): SESeal {
  return AsnConvert.parse(der, SESeal);
}

/** Whether the seal's signature verifies with the maker certificate it carries. */
export function sealSignatureValid(seal: SESeal): boolean {
  const tbs = new SealToSign();
  tbs.esealInfo = seal.esealInfo;
  tbs.cert = seal.cert;
  tbs.signAlgID = seal.signAlgID;
  if (seal.signAlgID !== OID.sm2WithSm3) return false;
  const maker = certificateInfo(new Uint8Array(seal.cert));
  return sm2Verify(new Uint8Array(AsnConvert.serialize(tbs)), new Uint8Array(seal.signedValue), maker.publicKey);
}

export interface SignOptions {
  seal: Uint8Array;
  signer: { certificate: Uint8Array; key: Sm2KeyPair };
  /** SM3 of the signed data (for OFD: of Signature.xml). */
  dataHash: Uint8Array;
  /** What was signed (for OFD: the Signature.xml path, "/Doc_0/Signs/Sign_0/Signature.xml"). */
  propertyInfo: string;
  time: Date;
}

/** An electronic signature (SES_Signature, DER): the seal, the time, the data's hash, signed by the seal holder. */
export function signWithSeal(o: SignOptions): Buffer {
  const tbs = new TbsSign();
  tbs.version = 4;
  tbs.eseal = parseSeal(o.seal);
  tbs.timeInfo = seconds(o.time);
  tbs.dataHash = ab(o.dataHash);
  tbs.propertyInfo = o.propertyInfo;
  const toSign = new SignatureToSign();
  toSign.toSign = tbs;
  toSign.cert = ab(o.signer.certificate);
  const sig = new SesSignature();
  Object.assign(sig, toSign);
  sig.signature = ab(sm2Sign(new Uint8Array(AsnConvert.serialize(toSign)), o.signer.key));
  return Buffer.from(AsnConvert.serialize(sig));
}

export function parseSignature(der: Uint8Array): SesSignature {
  return AsnConvert.parse(der, SesSignature);
}

/** Whether the signature value verifies with the signer certificate it carries. */
export function signatureValueValid(sig: SesSignature): boolean {
  if (sig.signatureAlgID !== OID.sm2WithSm3) return false;
  const toSign = new SignatureToSign();
  toSign.toSign = sig.toSign;
  toSign.cert = sig.cert;
  toSign.signatureAlgID = sig.signatureAlgID;
  const signer = certificateInfo(new Uint8Array(sig.cert));
  return sm2Verify(new Uint8Array(AsnConvert.serialize(toSign)), new Uint8Array(sig.signature), signer.publicKey);
}
