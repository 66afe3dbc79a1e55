import { unzipSync, zipSync } from 'fflate';
import { writeOfd } from '@zhengwu/ofd';
import {
  createCertificateAuthority,
  drawSealPng,
  generateSm2KeyPair,
  issueCertificate,
  makeSeal,
  sealOfd,
  stampPlace,
  SM2_USER_ID,
  type CertificateAuthority,
} from '@zhengwu/seal';
import { sampleLayout, testFonts } from '../../../../libs/ofd/src/testing/fixture';
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

/** A unit's seal made by `ca` (制章者) with a signer certificate from `ca`, as the seals feature makes them. */
function sealMaterial(ca: CertificateAuthority) {
  const key = generateSm2KeyPair();
  const certificate = issueCertificate(ca, {
    subject: { C: 'CN', O: '规划司', CN: '规划司电子印章' },
    publicKey: key.publicKey,
    usage: 'signing',
    validYears: 1,
  });
  const seal = makeSeal({
    esId: `11010000000${Math.floor(Math.random() * 1e5)}`,
    name: '规划司',
    signerCertificates: [certificate],
    picture: { png: drawSealPng({ name: '规划司', font: testFonts('xbs'), pixels: 200 }), widthMm: 42, heightMm: 42 },
    validStart: new Date(Date.now() - 86_400_000),
    validEnd: new Date(Date.now() + 365 * 86_400_000),
    maker: { certificate: ca.certificate, key: ca.key },
  });
  return { seal, certificate, key };
}

describe('exchange envelope with a sealed OFD', () => {
  const mlr = identity('MLR');
  let unsealed: Buffer;
  let sealed: Buffer;
  const withOfd = (ofd: Buffer): SignedEnvelope => {
    const e = envelope();
    e.files.push(fileEntry('ofd', '正式公文.ofd', 'application/ofd', ofd));
    return signEnvelope(e, mlr.signer);
  };

  beforeAll(async () => {
    const layout = sampleLayout(drawSealPng({ name: '规划司', font: testFonts('xbs'), pixels: 200 }));
    const place = layout.pages[0].items.find((i) => i.kind === 'seal-place');
    if (!place || place.kind !== 'seal-place') throw new Error('the sample has a seal place');
    unsealed = await writeOfd(layout, { fonts: testFonts });
    sealed = sealOfd(unsealed, sealMaterial(mlr.ca), [stampPlace(0, place)], { time: new Date() });
  });

  it('verifies the seal under the partner CA', () => {
    expect(verifyEnvelope(withOfd(sealed), mlr.ca.certificate, 'MLR')).toEqual(expect.objectContaining({ ok: true, sealStatus: 'valid' }));
  });

  it('refuses an OFD changed after sealing even when the sender signed the package over the changed file', () => {
    const files = unzipSync(sealed);
    const page = Object.keys(files).find((f) => /Content\.xml$/.test(f) && f.includes('Page')) as string;
    files[page] = Buffer.concat([Buffer.from(files[page]), Buffer.from('<!-- 改 -->')]);
    const verdict = verifyEnvelope(withOfd(Buffer.from(zipSync(files))), mlr.ca.certificate, 'MLR');
    expect(verdict).toEqual(expect.objectContaining({ ok: false, code: 'EXCHANGE_SEAL_INVALID' }));
  });

  it('refuses a seal made under another CA', () => {
    const other = createCertificateAuthority({ C: 'CN', O: '冒名', CN: '冒名制章中心' });
    const layoutSealed = sealOfd(unsealed, sealMaterial(other), [{ page: 0, boundary: [120, 200, 42, 42] }]);
    expect(verifyEnvelope(withOfd(layoutSealed), mlr.ca.certificate, 'MLR')).toEqual(
      expect.objectContaining({ ok: false, code: 'EXCHANGE_SEAL_INVALID' }),
    );
  });
});
