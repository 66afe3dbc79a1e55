import { createCertificateAuthority, generateSm2KeyPair, issueCertificate, SM2_USER_ID } from '@zhengwu/seal';
import { sm2Verify as independentVerify } from '../../../../test/support/sm2-verify';
import {
  EXCHANGE_FORMAT,
  fileEntry,
  signEnvelope,
  signedBytes,
  verifyEnvelope,
  type DocumentEnvelope,
  type SignedEnvelope,
} from './envelope';

function identity(organCode: string) {
  const ca = createCertificateAuthority({ C: 'CN', O: organCode, CN: `根证书 ${organCode}` });
  const key = generateSm2KeyPair();
  const certificate = issueCertificate(ca, {
    subject: { C: 'CN', O: organCode, OU: organCode, CN: `公文交换 ${organCode}` },
    publicKey: key.publicKey,
    usage: 'signing',
    validYears: 1,
  });
  return { ca, signer: { key, certificate, caCertificate: ca.certificate } };
}

const pdf = Buffer.from('%PDF-1.7\n正式公文\n%%EOF\n', 'utf8');
const envelope = (): DocumentEnvelope => ({
  format: EXCHANGE_FORMAT,
  type: 'document',
  packageId: '7d7f2f4e-3a43-4f3c-9d1b-0b6f1a2b3c4d',
  createdAt: '2026-12-07T09:00:00.000Z',
  sender: { organCode: 'MLR', organName: '自然资源部' },
  recipient: { organCode: 'JS', unitCode: '320000', unitName: '江苏省自然资源厅', kind: '主送' },
  document: {
    docNumber: '国土资规〔2026〕1号',
    docType: '通知',
    title: '关于开展测试的通知',
    urgency: '平急',
    secrecy: '非密',
    issuingUnit: '规划司',
    signedAt: '2026-12-07T08:00:00.000Z',
  },
  files: [fileEntry('pdf', '正式公文.pdf', 'application/pdf', pdf)],
});

describe('exchange envelope', () => {
  const mlr = identity('MLR');
  const signed = signEnvelope(envelope(), mlr.signer);
  const copy = (): SignedEnvelope => JSON.parse(JSON.stringify(signed)) as SignedEnvelope;

  it('is signed over the canonical metadata with SM2 (checked by an independent implementation) and verifies', () => {
    const bytes = signedBytes(copy());
    expect(bytes.toString('utf8')).not.toContain(pdf.toString('base64')); // contents are bound by digest, not inline
    expect(bytes.toString('utf8')).toContain('"sm3":"');
    expect(independentVerify(bytes, Buffer.from(signed.signature.value, 'base64'), mlr.signer.key.publicKey, SM2_USER_ID)).toBe(true);
    expect(verifyEnvelope(copy(), mlr.ca.certificate, 'MLR')).toEqual(expect.objectContaining({ ok: true, sealStatus: 'none' }));
  });

  it('refuses a changed title, a changed file, another CA and a certificate of another organ', () => {
    const title = copy();
    (title as DocumentEnvelope).document.title = '关于开展另一项测试的通知';
    expect(verifyEnvelope(title, mlr.ca.certificate, 'MLR')).toEqual(
      expect.objectContaining({ ok: false, code: 'EXCHANGE_BAD_SIGNATURE' }),
    );

    const file = copy() as DocumentEnvelope & SignedEnvelope;
    file.files[0].content = Buffer.from('%PDF-1.7\n伪造公文\n%%EOF\n').toString('base64');
    expect(verifyEnvelope(file, mlr.ca.certificate, 'MLR')).toEqual(
      expect.objectContaining({ ok: false, code: 'EXCHANGE_DIGEST_MISMATCH' }),
    );

    const other = identity('MLR');
    expect(verifyEnvelope(copy(), other.ca.certificate, 'MLR')).toEqual(
      expect.objectContaining({ ok: false, code: 'EXCHANGE_UNTRUSTED_CA' }),
    );
    // A signer certified by the right CA's impostor attaching the right CA: the chain check catches it.
    const forged = signEnvelope(envelope(), { ...other.signer, caCertificate: mlr.ca.certificate });
    expect(verifyEnvelope(forged, mlr.ca.certificate, 'MLR')).toEqual(
      expect.objectContaining({ ok: false, code: 'EXCHANGE_UNTRUSTED_CERTIFICATE' }),
    );

    expect(verifyEnvelope(copy(), mlr.ca.certificate, 'JS')).toEqual(
      expect.objectContaining({ ok: false, code: 'EXCHANGE_SENDER_MISMATCH' }),
    );
  });
});
