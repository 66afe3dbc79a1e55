import { X509Certificate, createHash } from 'node:crypto';
import { zipSync, unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { fromBER, Sequence, type BaseBlock } from 'asn1js';
import { DOMParser } from '@xmldom/xmldom';
import { sm2 as sm2v2 } from 'sm-crypto-v2';
import { writeOfd } from '@zhengwu/ofd';
import type { Layout } from '@zhengwu/pdf';
import { sampleLayout, testFonts } from '../../ofd/src/testing/fixture';
import {
  createCertificateAuthority,
  issueCertificate,
  checkIssuedBy,
  certificateInfo,
  fromPem,
  toPem,
  type CertificateAuthority,
} from './cert';
import { generateSm2KeyPair, type Sm2KeyPair } from './sm2';
import { makeSeal, parseSeal, sealSignatureValid } from './ses';
import { drawSealPng, pngInfo } from './seal-image';
import { sealOfd, sealPlacesOf, stampPlace, verifyOfd, type SealMaterial } from './ofd-seal';
import { stampPdf } from './pdf-stamp';
import { drawPdf } from '../../ofd/src/testing/fixture';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Independent checks: Node's X509Certificate (OpenSSL) parses the certificates; sm-crypto-v2 (an SM2
 * implementation on @noble/curves, not the sm-crypto the library signs with) verifies the signatures;
 * asn1js reads the seal's DER without our schemas; @xmldom/xmldom reads Signature.xml; OpenSSL's SM3
 * (node:crypto) recomputes the digests. Node cannot verify SM2 certificate signatures itself: it cannot set
 * the SM2 distinguishing id (the OpenSSL CLI can: `openssl verify -vfyopt distid:1234567812345678`).
 */

const NS = 'http://www.ofdspec.org/2016';

function children(block: BaseBlock): BaseBlock[] {
  return (block as Sequence).valueBlock.value;
}

function der(b: BaseBlock): Uint8Array {
  return new Uint8Array(b.valueBeforeDecodeView);
}

/** sm-crypto-v2's verification of an SM2 DER signature with the default user id. */
function v2Verify(data: Uint8Array, signature: Uint8Array, publicKey: string): boolean {
  return sm2v2.doVerifySignature(data, Buffer.from(signature).toString('hex'), publicKey, {
    der: true,
    hash: true,
    userId: '1234567812345678',
  });
}

function tbsAndSignature(certDer: Uint8Array): { tbs: Uint8Array; sig: Uint8Array } {
  const top = children(fromBER(certDer).result);
  return {
    tbs: der(top[0]),
    sig: new Uint8Array((top[2] as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView),
  };
}

const sealFont = () => testFonts('xbs');

interface Holder {
  ca: CertificateAuthority;
  key: Sm2KeyPair;
  certificate: Buffer;
  material: SealMaterial;
}

function holder(ca: CertificateAuthority, unit = '示范部', signerCa: CertificateAuthority = ca): Holder {
  const key = generateSm2KeyPair();
  const certificate = issueCertificate(signerCa, {
    subject: { C: 'CN', O: unit, CN: `${unit}电子印章` },
    publicKey: key.publicKey,
    usage: 'signing',
    validYears: 5,
  });
  const seal = makeSeal({
    esId: `11010000000${Math.floor(Math.random() * 1e5)}`,
    name: unit,
    signerCertificates: [certificate],
    picture: { png: drawSealPng({ name: unit, font: sealFont(), pixels: 200 }), widthMm: 42, heightMm: 42 },
    validStart: new Date(Date.now() - 86_400_000),
    validEnd: new Date(Date.now() + 5 * 365 * 86_400_000),
    maker: { certificate: ca.certificate, key: ca.key },
  });
  return { ca, key, certificate, material: { seal, certificate, key } };
}

function repack(ofd: Buffer, edit: (files: Record<string, Uint8Array>) => void): Buffer {
  const files = unzipSync(ofd);
  edit(files);
  return Buffer.from(zipSync(files));
}

describe('deployment CA (SM2 certificates)', () => {
  const ca = createCertificateAuthority({ C: 'CN', O: '示范部', CN: '示范部电子印章制章中心' });
  const key = generateSm2KeyPair();
  const cert = issueCertificate(ca, {
    subject: { C: 'CN', O: '示范部', CN: '示范部办公厅印章' },
    publicKey: key.publicKey,
    usage: 'signing',
    validYears: 5,
  });

  it('makes X.509 v3 certificates that OpenSSL (node:crypto) parses, with SM2 keys and the CA as issuer', () => {
    const x = new X509Certificate(cert);
    const xca = new X509Certificate(ca.certificate);
    expect(x.subject).toContain('CN=示范部办公厅印章');
    expect(x.issuer).toBe(xca.subject);
    expect(x.checkIssued(xca)).toBe(true);
    expect(xca.ca).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.publicKey.export({ format: 'der', type: 'spki' }).toString('hex')).toContain(key.publicKey);
    // PEM round trip
    expect(fromPem(toPem(cert)).equals(cert)).toBe(true);
    expect(new X509Certificate(toPem(cert)).fingerprint256.replace(/:/g, '').toLowerCase()).toBe(certificateInfo(cert).fingerprint);
  });

  it('signs certificates with SM2-with-SM3 that an independent SM2 implementation verifies', () => {
    const { tbs, sig } = tbsAndSignature(cert);
    expect(v2Verify(tbs, sig, ca.key.publicKey)).toBe(true);
    expect(v2Verify(tbs, sig, key.publicKey)).toBe(false);
    const self = tbsAndSignature(ca.certificate);
    expect(v2Verify(self.tbs, self.sig, ca.key.publicKey)).toBe(true);
    // signatureAlgorithm is 1.2.156.10197.1.501 (OpenSSL names it SM2-with-SM3)
    expect(cert.includes(Buffer.from('06082a811ccf55018375', 'hex'))).toBe(true);
  });

  it('tells issued certificates from foreign and altered ones', () => {
    expect(checkIssuedBy(cert, ca.certificate)).toEqual({ ok: true });
    const other = createCertificateAuthority({ C: 'CN', O: '示范部', CN: '示范部电子印章制章中心' });
    const foreign = checkIssuedBy(cert, other.certificate);
    expect(foreign.ok).toBe(false);
    const altered = Buffer.from(cert);
    altered[altered.indexOf(Buffer.from('示范部办公厅印章'))] ^= 0x01;
    expect(checkIssuedBy(altered, ca.certificate)).toMatchObject({ ok: false });
    expect(checkIssuedBy(cert, ca.certificate, new Date(Date.now() + 6 * 365 * 86_400_000))).toMatchObject({ ok: false });
  });
});

describe('seal image', () => {
  it('draws a round red seal on a transparent background', () => {
    const png = drawSealPng({ name: '中华人民共和国示范部', label: '公文专用章', font: sealFont(), pixels: 400 });
    expect(pngInfo(png)).toEqual({ width: 400, height: 400, transparent: true });
    const img = PNG.sync.read(png);
    const px = (x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
    expect(px(2, 2)[3]).toBe(0); // corner: transparent
    expect(px(200, 200)).toEqual([230, 0, 18, 255]); // the star's centre
    expect(px(200, 4)[3]).toBeGreaterThan(200); // the ring at the top
    expect(px(200, 4).slice(0, 3)).toEqual([230, 0, 18]);
    // The name along the arc: red pixels in the band between ring and star, on both sides.
    let left = 0;
    let right = 0;
    for (let y = 40; y < 200; y++) {
      for (let x = 20; x < 120; x++) if (px(x, y)[3] > 128) left++;
      for (let x = 280; x < 380; x++) if (px(x, y)[3] > 128) right++;
    }
    expect(left).toBeGreaterThan(500);
    expect(right).toBeGreaterThan(500);
  });

  it('accepts only PNG uploads', () => {
    expect(() => pngInfo(Buffer.from('GIF89a..........................'))).toThrow('PNG');
    const opaque = new PNG({ width: 10, height: 10 });
    opaque.data.fill(255);
    expect(pngInfo(PNG.sync.write(opaque))).toEqual({ width: 10, height: 10, transparent: false });
    const truncated = drawSealPng({ name: '示范部', pixels: 200 }).subarray(0, 400);
    expect(() => pngInfo(truncated)).toThrow('PNG');
  });
});

describe('electronic seal (GB/T 38540 SESeal v4)', () => {
  const ca = createCertificateAuthority({ C: 'CN', O: '示范部', CN: '示范部电子印章制章中心' });
  const h = holder(ca);

  it('is DER that a generic ASN.1 reader takes apart as SESeal { SES_SealInfo, cert, signAlgID, signedValue }', () => {
    const top = children(fromBER(new Uint8Array(h.material.seal)).result);
    expect(top).toHaveLength(4);
    const [info, cert, alg] = top;
    const [header, esId, property, picture] = children(info);
    const [id, version] = children(header) as unknown as { valueBlock: { value: string; valueDec: number } }[];
    expect(id.valueBlock.value).toBe('ES');
    expect(version.valueBlock.valueDec).toBe(4);
    expect((esId as unknown as { valueBlock: { value: string } }).valueBlock.value).toMatch(/^11010000000/);
    expect((children(property)[1] as unknown as { valueBlock: { value: string } }).valueBlock.value).toBe('示范部');
    expect((children(picture)[0] as unknown as { valueBlock: { value: string } }).valueBlock.value).toBe('PNG');
    expect(
      Buffer.from((cert as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView).equals(ca.certificate),
    ).toBe(true);
    expect((alg as unknown as { valueBlock: { toString(): string } }).valueBlock.toString()).toBe('1.2.156.10197.1.501');
  });

  it('is signed by the maker (the CA): verifiable independently, and broken by any change', () => {
    const seal = parseSeal(h.material.seal);
    expect(sealSignatureValid(seal)).toBe(true);
    const top = children(fromBER(new Uint8Array(h.material.seal)).result);
    const tbs = Buffer.concat([Buffer.from([0x30, 0x82]), Buffer.alloc(2), ...top.slice(0, 3).map((b) => Buffer.from(der(b)))]);
    tbs.writeUInt16BE(tbs.length - 4, 2);
    const sig = (top[3] as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView;
    expect(v2Verify(tbs, sig, ca.key.publicKey)).toBe(true);
    seal.esealInfo.property.name = '别的单位';
    expect(sealSignatureValid(seal)).toBe(false);
  });
});

describe('sealing an OFD and 验章', () => {
  let layout: Layout;
  let ofd: Buffer;
  const ca = createCertificateAuthority({ C: 'CN', O: '示范部', CN: '示范部电子印章制章中心' });
  const h = holder(ca);
  let sealed: Buffer;

  beforeAll(async () => {
    layout = sampleLayout(drawSealPng({ name: '示范部', font: sealFont(), pixels: 200 }));
    ofd = await writeOfd(layout, { fonts: testFonts });
    const place = layout.pages[0].items.find((i) => i.kind === 'seal-place');
    if (!place || place.kind !== 'seal-place') throw new Error('the sample has a seal place');
    sealed = sealOfd(ofd, h.material, [stampPlace(0, place)], { time: new Date() });
  });

  it('an unsealed package is unsigned', () => {
    expect(verifyOfd(ofd, { trustedCa: [ca.certificate] })).toEqual({ status: 'unsigned', signatures: [] });
  });

  it('writes Signatures.xml, Signature.xml (SM3 references, stamp annotation at the seal place) and SignedValue.dat', () => {
    const files = unzipSync(sealed);
    const text = (p: string) => Buffer.from(files[p]).toString('utf8');
    const parse = (p: string) => new DOMParser().parseFromString(text(p), 'text/xml');
    expect(parse('OFD.xml').getElementsByTagNameNS(NS, 'Signatures')[0].textContent).toBe('Doc_0/Signs/Signatures.xml');
    const list = parse('Doc_0/Signs/Signatures.xml').getElementsByTagNameNS(NS, 'Signature')[0];
    expect(list.getAttribute('Type')).toBe('Seal');
    expect(list.getAttribute('BaseLoc')).toBe('/Doc_0/Signs/Sign_0/Signature.xml');
    const sig = parse('Doc_0/Signs/Sign_0/Signature.xml');
    expect(sig.getElementsByTagNameNS(NS, 'SignatureMethod')[0].textContent).toBe('1.2.156.10197.1.501');
    expect(sig.getElementsByTagNameNS(NS, 'References')[0].getAttribute('CheckMethod')).toBe('1.2.156.10197.1.401');
    const refs = Array.from(sig.getElementsByTagNameNS(NS, 'Reference'));
    const covered = refs.map((r) => r.getAttribute('FileRef'));
    expect(covered).toEqual(
      expect.arrayContaining(['/OFD.xml', '/Doc_0/Document.xml', '/Doc_0/Pages/Page_0/Content.xml', '/Doc_0/Pages/Page_1/Content.xml']),
    );
    for (const r of refs) {
      const file = (r.getAttribute('FileRef') as string).slice(1);
      expect(r.getElementsByTagNameNS(NS, 'CheckValue')[0].textContent).toBe(createHash('sm3').update(files[file]).digest('base64'));
    }
    const annot = sig.getElementsByTagNameNS(NS, 'StampAnnot')[0];
    const firstPageId = parse('Doc_0/Document.xml').getElementsByTagNameNS(NS, 'Page')[0].getAttribute('ID');
    expect(annot.getAttribute('PageRef')).toBe(firstPageId);
    expect((annot.getAttribute('Boundary') as string).split(' ').map(Number)).toEqual([120, 200, 42, 42]);
    // SignedValue.dat: SES_Signature { TBS_Sign { version, eseal, time, dataHash, propertyInfo }, cert, alg, signature }
    const top = children(fromBER(new Uint8Array(files['Doc_0/Signs/Sign_0/SignedValue.dat'])).result);
    const tbs = children(top[0]);
    const dataHash = (tbs[3] as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView;
    expect(Buffer.from(dataHash).equals(createHash('sm3').update(files['Doc_0/Signs/Sign_0/Signature.xml']).digest())).toBe(true);
    expect((tbs[4] as unknown as { valueBlock: { value: string } }).valueBlock.value).toBe('/Doc_0/Signs/Sign_0/Signature.xml');
    const signed = Buffer.concat([Buffer.from([0x30, 0x82]), Buffer.alloc(2), ...top.slice(0, 3).map((b) => Buffer.from(der(b)))]);
    signed.writeUInt16BE(signed.length - 4, 2);
    const value = (top[3] as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView;
    expect(v2Verify(signed, value, h.key.publicKey)).toBe(true);
  });

  it('verifies as valid, naming the seal, the signer and the page', () => {
    const v = verifyOfd(sealed, { trustedCa: [ca.certificate] });
    expect(v.status).toBe('valid');
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0]).toMatchObject({
      status: 'valid',
      sealName: '示范部',
      signer: '示范部电子印章',
      pages: [1],
      problems: [],
      changed: [],
    });
  });

  it('one changed byte of a page makes it tampered, naming the page file', () => {
    const tampered = repack(sealed, (files) => {
      const page = Buffer.from(files['Doc_0/Pages/Page_0/Content.xml']);
      const at = page.indexOf(Buffer.from('2026'));
      page[at] = '3'.charCodeAt(0);
      files['Doc_0/Pages/Page_0/Content.xml'] = page;
    });
    const v = verifyOfd(tampered, { trustedCa: [ca.certificate] });
    expect(v.status).toBe('tampered');
    expect(v.signatures[0].changed).toEqual([{ file: 'Doc_0/Pages/Page_0/Content.xml', change: 'modified' }]);
    expect(v.signatures[0].problems.join()).toContain('Doc_0/Pages/Page_0/Content.xml');
  });

  it('a changed signature file, a deleted font or an added file is tampering too', () => {
    const editedSig = repack(sealed, (files) => {
      const s = Buffer.from(files['Doc_0/Signs/Sign_0/Signature.xml']);
      s[s.indexOf(Buffer.from('Boundary="120')) + 10] = '9'.charCodeAt(0);
      files['Doc_0/Signs/Sign_0/Signature.xml'] = s;
    });
    expect(verifyOfd(editedSig, { trustedCa: [ca.certificate] }).signatures[0].changed).toEqual([
      { file: 'Doc_0/Signs/Sign_0/Signature.xml', change: 'modified' },
    ]);
    const font = Object.keys(unzipSync(sealed)).find((f) => f.endsWith('.ttf')) as string;
    const removed = repack(sealed, (files) => delete files[font]);
    expect(verifyOfd(removed, { trustedCa: [ca.certificate] }).signatures[0].changed).toEqual([{ file: font, change: 'missing' }]);
    const added = repack(sealed, (files) => (files['Doc_0/Res/extra.png'] = new Uint8Array([1, 2, 3])));
    expect(verifyOfd(added, { trustedCa: [ca.certificate] })).toMatchObject({
      status: 'tampered',
      signatures: [{ changed: [{ file: 'Doc_0/Res/extra.png', change: 'added' }] }],
    });
    const forged = repack(sealed, (files) => {
      const v = Buffer.from(files['Doc_0/Signs/Sign_0/SignedValue.dat']);
      v[v.length - 5] ^= 0xff;
      files['Doc_0/Signs/Sign_0/SignedValue.dat'] = v;
    });
    expect(verifyOfd(forged, { trustedCa: [ca.certificate] }).status).toBe('tampered');
  });

  it('a seal from a foreign CA, or a signer certificate it issued, is an unknown seal', () => {
    const other = createCertificateAuthority({ C: 'CN', O: '示范部', CN: '示范部电子印章制章中心' });
    const foreign = holder(other);
    const v = verifyOfd(sealOfd(ofd, foreign.material, [{ page: 0, boundary: [120, 200, 42, 42] }]), { trustedCa: [ca.certificate] });
    expect(v.status).toBe('unknown');
    expect(v.signatures[0].problems.join()).toContain('制章者证书不受信任');
    expect(v.signatures[0].problems.join()).toContain('签章者证书不受信任');
    // Our seal, but the signer's certificate comes from elsewhere: the chain is broken.
    const mixed = holder(ca, '示范部', other);
    const m = verifyOfd(sealOfd(ofd, mixed.material, [{ page: 0, boundary: [120, 200, 42, 42] }]), { trustedCa: [ca.certificate] });
    expect(m.status).toBe('unknown');
    expect(m.signatures[0].problems.join()).toContain('签章者证书不受信任');
  });

  it('finds the seal places the writer recorded, and stamps the seal image there on the PDF', async () => {
    const places = sealPlacesOf(ofd);
    expect(places).toEqual([{ page: 0, organ: '示范部', boundary: [120, 200, 42, 42] }]);
    const png = drawSealPng({ name: '示范部', pixels: 200 });
    const pdf = await stampPdf(await drawPdf(layout), png, places);
    const dir = mkdtempSync(join(tmpdir(), 'zw-seal-'));
    try {
      writeFileSync(join(dir, 'in.pdf'), pdf);
      const out = execFileSync(process.execPath, [join(__dirname, 'testing', 'pdf-images.mjs'), join(dir, 'in.pdf')]);
      const pages = JSON.parse(out.toString('utf8')) as number[][][];
      // The layout's own image and the seal, on page 1 only.
      expect(pages[1]).toEqual([]);
      expect(pages[0]).toHaveLength(2);
      const mm = (v: number) => (v * 25.4) / 72;
      const seal = pages[0][1].map(mm);
      [120, 200, 42, 42].forEach((v, i) => expect(Math.abs(seal[i] - v)).toBeLessThan(0.05));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second seal (联合行文) keeps the first valid and both are reported', () => {
    const second = holder(ca, '示范局');
    const twice = sealOfd(sealed, second.material, [{ page: 0, boundary: [60, 200, 42, 42] }]);
    const v = verifyOfd(twice, { trustedCa: [ca.certificate] });
    expect(v.status).toBe('valid');
    expect(v.signatures.map((s) => s.sealName)).toEqual(['示范部', '示范局']);
  });
});
