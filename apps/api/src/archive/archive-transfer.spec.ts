import { renderProcessingSheet } from '@zhengwu/pdf';
import { createCertificateAuthority, generateSm2KeyPair, issueCertificate, toPem, type CertificateAuthority } from '@zhengwu/seal';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { fromBER, type BaseBlock, type Sequence } from 'asn1js';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 as sm2v2, sm3 as sm3v2 } from 'sm-crypto-v2';
import { checkPackage } from './archive-check';
import type { Manifest } from './archive-format';
import type { CheckReport } from './archive.types';
import { buildEep, type EepPackage } from './eep';
import { buildPackage, writePackage, type PackageInput } from './package-builder';
import { verifyTransfer } from './transfer-verify';

/**
 * The archive key's certificate (format 3 packages) and DA/T 48 transfer packages. Independent readers:
 * asn1js and Node's X509Certificate (OpenSSL) read the certificates, sm-crypto-v2 (not the sm-crypto the
 * platform signs with) verifies every SM2 signature and recomputes SM3, @xmldom/xmldom reads the EEP.
 */
describe('archive certificate and DA/T 48 transfer packages', () => {
  const USER_ID = '1234567812345678';
  /** The packages are signed in 2026: the certificates must be valid then (the chain is checked at the signing time). */
  const SINCE = new Date('2026-01-01T00:00:00Z');
  const subject = { C: 'CN', O: '政务办公平台', CN: '电子印章制章根证书（test）' };
  let ca: CertificateAuthority;
  let foreignCa: CertificateAuthority;
  let root: string;
  let sheet: Buffer;
  let seq = 0;

  const archiveKey = (authority: CertificateAuthority) => {
    const key = generateSm2KeyPair();
    const certificate = issueCertificate(authority, {
      subject: { C: 'CN', O: '政务办公平台', OU: '电子档案', CN: '电子档案系统归档签名（test）' },
      publicKey: key.publicKey,
      usage: 'signing',
      validYears: 10,
      notBefore: SINCE,
    });
    return { ...key, certificate };
  };

  beforeAll(async () => {
    ca = createCertificateAuthority(subject, 20, SINCE);
    // Same subject as ours: only the signature tells the two CAs apart.
    foreignCa = createCertificateAuthority(subject, 20, SINCE);
    root = mkdtempSync(join(tmpdir(), 'zhengwu-transfer-spec-'));
    mkdirSync(join(root, 'store'));
    sheet = await renderProcessingSheet({
      heading: '公文处理单',
      fields: [['标题', '关于开展土地利用规划评估的通知']],
      steps: [{ step: '拟稿', person: '李娜', unit: '规划司', at: '2026-03-02T01:00:00Z', action: '发起' }],
      metadata: { title: '公文处理单', author: '自然资源部' },
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const input = (key: PackageInput['key']): PackageInput => {
    seq += 1;
    const archiveNumber = `Z001-2026-Y-GHS-${String(seq).padStart(4, '0')}`;
    return {
      archiveNumber,
      fonds: 'Z001',
      fondsName: '自然资源部',
      organName: '自然资源部',
      instanceId: `0000000${seq}-0000-4000-8000-000000000000`.slice(-36),
      year: 2026,
      retention: 'Y',
      retentionLabel: '永久',
      unitCode: 'GHS',
      itemNo: seq,
      title: `关于开展土地利用规划评估的通知（${seq}）`,
      docNumber: `国土资规〔2026〕${seq}号`,
      responsible: '自然资源部规划司',
      date: '2026-03-02',
      docType: '通知',
      urgency: '加急',
      mainTo: '江苏省国土资源厅',
      cc: null,
      secrecy: '非密',
      secrecyTerm: null,
      archivedAt: '2026-03-05T08:00:00.000Z',
      basis: '流程“公文交换”第 1 版',
      events: [
        { action: '发起', step: '拟稿', person: '李娜', unit: '规划司', at: '2026-03-01T01:00:00.000Z' },
        { action: '办结', step: '办结', person: '系统', unit: '规划司', at: '2026-03-04T03:00:00.000Z' },
      ],
      files: [
        { name: '01-通知.pdf', title: '通知.pdf', role: 'document', mime: 'application/pdf', body: sheet, generated: true },
        { name: '办理单.pdf', title: '公文处理单', role: 'sheet', mime: 'application/pdf', body: sheet, generated: true },
      ],
      seals: [],
      key,
      systemVersion: '0.1.0',
    };
  };

  const make = async (key: PackageInput['key']) => {
    const i = input(key);
    const built = buildPackage(i);
    const dir = join(root, 'store', i.archiveNumber);
    await writePackage(dir, built);
    return { dir, built, input: i };
  };

  const filesOf = (dir: string) => readdirSync(dir).map((name) => ({ name, body: readFileSync(join(dir, name)) }));

  const children = (b: BaseBlock): BaseBlock[] => (b as Sequence).valueBlock.value;
  /** TBS, signature and subject public key of a certificate, read with asn1js alone. */
  const readCert = (der: Uint8Array) => {
    const top = children(fromBER(new Uint8Array(der)).result);
    const tbs = children(top[0]);
    // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo …
    const spki = children(tbs[6]);
    const hexView = (b: BaseBlock) => (b as unknown as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView;
    return {
      tbs: new Uint8Array(top[0].valueBeforeDecodeView),
      signature: hexView(top[2]),
      publicKey: Buffer.from(hexView(spki[1])).toString('hex'),
    };
  };
  const v2Verify = (data: Uint8Array | string, sigHex: string, publicKey: string, der: boolean) =>
    sm2v2.doVerifySignature(typeof data === 'string' ? data : new Uint8Array(data), sigHex, publicKey, {
      der,
      hash: true,
      userId: USER_ID,
    });
  const pemToDer = (pem: string) => Buffer.from(pem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');

  it('signs a package with the archive certificate from the deployment CA; the chain verifies independently', async () => {
    const key = archiveKey(ca);
    const { dir, built } = await make(key);
    const manifest = JSON.parse(built.manifestText) as Manifest;
    expect(manifest.formatVersion).toBe(3);
    expect(manifest.signer).toMatchObject({
      certificate: 'sm2-certificate.pem',
      subject: expect.stringContaining('CN=电子档案系统归档签名'),
    });

    // The certificate in the package, read by OpenSSL and asn1js; its signature verified with the CA key by sm-crypto-v2.
    const der = pemToDer(readFileSync(join(dir, 'sm2-certificate.pem'), 'utf8'));
    const x509 = new X509Certificate(der);
    expect(x509.serialNumber.toLowerCase()).toBe(manifest.signer!.serialNumber);
    expect(x509.checkIssued(new X509Certificate(ca.certificate))).toBe(true);
    expect(createHash('sha256').update(der).digest('hex')).toBe(manifest.signer!.fingerprint);
    const cert = readCert(der);
    const caCert = readCert(ca.certificate);
    expect(v2Verify(cert.tbs, Buffer.from(cert.signature).toString('hex'), caCert.publicKey, true)).toBe(true);
    expect(v2Verify(cert.tbs, Buffer.from(cert.signature).toString('hex'), readCert(foreignCa.certificate).publicKey, true)).toBe(false);
    // The manifest's signature verifies with the key the certificate names.
    const sig = readFileSync(join(dir, 'manifest.sig'), 'utf8').trim();
    expect(cert.publicKey).toBe(key.publicKey);
    expect(v2Verify(readFileSync(join(dir, 'manifest.json'), 'utf8'), sig, cert.publicKey, false)).toBe(true);
    // The metadata's 电子签名 carries the certificate (base64 DER), not the bare key.
    expect(built.metadataXml).toContain(der.toString('base64'));

    for (const stage of ['GD', 'YJ', 'BC'] as const) {
      const report = await checkPackage(dir, undefined, { stage, trustedCas: [ca.certificate] });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.formatVersion).toBe(3);
      expect(report.checks.find((c) => c.code === `${stage}-1-1`)!.detail).toContain('证书链验证通过');
    }
  });

  it('refuses a package whose certificate is not from this deployment CA, or names another key, or is missing', async () => {
    const fixity = (r: CheckReport) => r.checks.find((c) => c.code === `${r.stage}-1-1`)!;
    const { dir } = await make(archiveKey(foreignCa));
    const foreign = await checkPackage(dir, undefined, { stage: 'YJ', trustedCas: [ca.certificate] });
    expect(foreign.ok).toBe(false);
    expect(fixity(foreign).detail).toMatch(/未通过证书链验证：证书签名与本 CA 的公钥不符（证书链断裂）/);

    // Without a trusted CA the chain cannot be checked: refused, not waved through.
    const none = await checkPackage(dir, undefined, { stage: 'BC' });
    expect(fixity(none).detail).toContain('没有可信的 CA 证书');

    // A certificate of ours, but for another key than the one that signed.
    const own = await make(archiveKey(ca));
    const other = archiveKey(ca);
    writeFileSync(join(own.dir, 'sm2-certificate.pem'), toPem(other.certificate));
    const swapped = await checkPackage(own.dir, undefined, { stage: 'BC', trustedCas: [ca.certificate] });
    expect(fixity(swapped).detail).toMatch(/序列号或指纹与 sm2-certificate.pem 不符/);
    expect(fixity(swapped).detail).toMatch(/签名证书 sm2-certificate.pem 的公钥不是签署 manifest.json 的公钥/);

    rmSync(join(own.dir, 'sm2-certificate.pem'));
    const missing = await checkPackage(own.dir, undefined, { stage: 'BC', trustedCas: [ca.certificate] });
    expect(fixity(missing).detail).toContain('签名证书文件 sm2-certificate.pem 缺失');
  });

  it('still verifies a format-2 package signed with the bare key', async () => {
    const key = generateSm2KeyPair();
    const { dir, built } = await make(key);
    expect((JSON.parse(built.manifestText) as Manifest).formatVersion).toBe(2);
    const report = await checkPackage(dir, undefined, { stage: 'BC', trustedCas: [ca.certificate] });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.find((c) => c.code === 'BC-1-1')!.detail).toContain('裸 SM2 公钥签名');
  });

  // ---- DA/T 48 ---------------------------------------------------------------------------------------

  const transfer = async (eepKey = archiveKey(ca), packageKey = eepKey) => {
    const packages: EepPackage[] = [];
    for (let n = 0; n < 2; n += 1) {
      const { dir, input: i } = await make(packageKey);
      const report = await checkPackage(dir, undefined, { stage: 'YJ', trustedCas: [ca.certificate] });
      packages.push({
        archiveNumber: i.archiveNumber,
        title: i.title,
        year: i.year,
        retentionLabel: i.retentionLabel,
        files: filesOf(dir),
        report,
        // The printable report rides along; any PDF shows it is carried intact (the api passes the rendered one).
        reportPdf: n === 0 ? sheet : undefined,
      });
    }
    const xml = buildEep({
      transferId: '5b0d7a8e-0000-4000-8000-000000000001',
      creator: '自然资源部',
      createdAt: '2026-12-07T09:00:00.000Z',
      packages,
      key: eepKey,
    });
    return { xml, packages, key: eepKey };
  };

  const el = (parent: Element, name: string): Element[] =>
    Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).tagName === name);

  it('exports an EEP that an independent reader parses and verifies, and imports it back', async () => {
    const { xml, packages, key } = await transfer();
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    const top = doc.documentElement!;
    expect(top.tagName).toBe('电子文件封装包');
    expect(el(top, '版本')[0].textContent).toBe('2009');
    const signed = el(top, '被签名对象')[0];
    const content = el(signed, '封装内容')[0];
    const list = el(el(content, '移交清单')[0], '条目');
    expect(list.map((e) => e.getAttribute('档号'))).toEqual(packages.map((p) => p.archiveNumber));
    const entities = el(el(content, '文件实体块')[0], '文件实体');
    expect(entities).toHaveLength(2);
    entities.forEach((entity, n) => {
      const docs = el(entity, '文档');
      expect(docs).toHaveLength(packages[n].files.length);
      for (const d of docs) {
        const enc = el(d, '编码')[0];
        const props = el(enc, '电子属性')[0];
        const name = el(props, '计算机文件名')[0].textContent!;
        const body = Buffer.from(el(enc, '编码数据')[0].textContent!, 'base64');
        expect(body.equals(packages[n].files.find((f) => f.name === name)!.body)).toBe(true);
        const digests = el(props, '数字摘要');
        expect(digests.find((x) => x.getAttribute('算法') === 'SM3')!.textContent).toBe(sm3v2(new Uint8Array(body)));
        expect(digests.find((x) => x.getAttribute('算法') === 'SHA-256')!.textContent).toBe(
          createHash('sha256').update(body).digest('hex'),
        );
      }
      expect(el(entity, '检测报告')[0].getAttribute('阶段')).toBe('移交与接收');
      expect(el(el(entity, '检测报告')[0], '检测项').length).toBeGreaterThan(20);
      const pdf = el(el(entity, '检测报告')[0], '报告文件');
      if (n === 0) expect(Buffer.from(pdf[0].textContent!, 'base64').equals(sheet)).toBe(true);
      else expect(pdf).toHaveLength(0);
    });
    // Both signatures, verified by sm-crypto-v2 over the byte ranges the rule names, with the certificate's key.
    const sig = el(el(top, '电子签名块')[0], '电子签名')[0];
    const lock = el(top, '锁定签名')[0];
    const certDer = Buffer.from(el(el(sig, '证书块')[0], '证书')[0].textContent!, 'base64');
    const cert = readCert(certDer);
    expect(cert.publicKey).toBe(key.publicKey);
    expect(v2Verify(cert.tbs, Buffer.from(cert.signature).toString('hex'), readCert(ca.certificate).publicKey, true)).toBe(true);
    const start = xml.indexOf('<被签名对象');
    const signedBytes = Buffer.from(xml.slice(start, xml.indexOf('</被签名对象>') + '</被签名对象>'.length));
    const lockedBytes = Buffer.from(xml.slice(start, xml.indexOf('</电子签名块>') + '</电子签名块>'.length));
    const hex = (e: Element) => Buffer.from(el(e, '签名结果')[0].textContent!, 'base64').toString('hex');
    expect(v2Verify(signedBytes, hex(sig), cert.publicKey, true)).toBe(true);
    expect(v2Verify(lockedBytes, hex(lock), cert.publicKey, true)).toBe(true);
    expect(el(sig, '签名算法标识')[0].textContent).toBe('1.2.156.10197.1.501');

    const received = await verifyTransfer(xml, [ca.certificate]);
    expect(received.reasons).toEqual([]);
    expect(received.ok).toBe(true);
    expect(received.signatures.map((s) => s.ok)).toEqual([true, true]);
    expect(received.packages.map((p) => [p.archiveNumber, p.report.stage, p.report.ok])).toEqual(
      packages.map((p) => [p.archiveNumber, 'YJ', true]),
    );
  });

  it('refuses a tampered EEP with the reason: a byte of a file, the list, the signature', async () => {
    const { xml, packages } = await transfer();
    // One byte of an embedded file (the document of the first package), re-encoded so the XML stays well-formed.
    const target = packages[0].files.find((f) => f.name === '01-通知.pdf')!;
    const altered = Buffer.from(target.body);
    altered[400] ^= 0x01;
    const fileTampered = xml.replace(target.body.toString('base64'), altered.toString('base64'));
    expect(fileTampered).not.toBe(xml);
    const a = await verifyTransfer(fileTampered, [ca.certificate]);
    expect(a.ok).toBe(false);
    expect(a.reasons).toEqual(
      expect.arrayContaining([
        '电子签名验证失败：签名对象或签名结果已被改动',
        `文件 ${packages[0].archiveNumber}/01-通知.pdf 的 SM3 摘要与电子属性不符（内容已被改动）`,
        expect.stringMatching(new RegExp(`^${packages[0].archiveNumber}：真实性：YJ-1-1 .*01-通知.pdf 的 SM3/SHA-256 摘要与清单不符`)),
      ]),
    );
    expect(a.packages[1].ok).toBe(true);

    // The 移交清单: one entry's byte count changed.
    const entryBytes = /字节数="(\d+)"/.exec(xml.slice(xml.indexOf('<条目')))!;
    const listTampered = xml.replace(`字节数="${entryBytes[1]}"`, `字节数="${Number(entryBytes[1]) + 1}"`);
    const b = await verifyTransfer(listTampered, [ca.certificate]);
    expect(b.ok).toBe(false);
    expect(b.reasons).toEqual(
      expect.arrayContaining([
        '电子签名验证失败：签名对象或签名结果已被改动',
        expect.stringMatching(/^移交清单记录 .* 共 \d+ 字节，封装内容中为 \d+ 字节$/),
      ]),
    );

    // The signature value: one byte of the DER changed.
    const value = /<电子签名 [^>]*>.*?<签名结果>([^<]+)<\/签名结果>/.exec(xml)![1];
    const sigBytes = Buffer.from(value, 'base64');
    sigBytes[sigBytes.length - 3] ^= 0x01;
    const c = await verifyTransfer(xml.replace(value, sigBytes.toString('base64')), [ca.certificate]);
    expect(c.ok).toBe(false);
    expect(c.signatures.map((s) => [s.kind, s.ok])).toEqual([
      ['电子签名', false],
      ['锁定签名', false], // the lock covers the 电子签名块
    ]);
    expect(c.reasons[0]).toBe('电子签名验证失败：签名对象或签名结果已被改动');

    // The printable report of the first package: one byte changed.
    const altPdf = Buffer.from(sheet);
    altPdf[300] ^= 0x01;
    const sheetSm3 = sm3v2(new Uint8Array(sheet));
    const pdfTampered = xml.replace(`SM3="${sheetSm3}">${sheet.toString('base64')}`, `SM3="${sheetSm3}">${altPdf.toString('base64')}`);
    expect(pdfTampered).not.toBe(xml);
    const e = await verifyTransfer(pdfTampered, [ca.certificate]);
    expect(e.reasons).toEqual(
      expect.arrayContaining([
        '电子签名验证失败：签名对象或签名结果已被改动',
        `${packages[0].archiveNumber} 的移交检测报告文件与其 SM3 或大小不符`,
      ]),
    );

    // Not an EEP at all.
    const d = await verifyTransfer('<其他/>', [ca.certificate]);
    expect(d.reasons).toEqual(['根元素是 其他，不是 电子文件封装包']);
  });

  it('refuses an EEP, and the packages in it, signed under a foreign CA', async () => {
    const foreignKey = archiveKey(foreignCa);
    const { xml } = await transfer(foreignKey);
    const r = await verifyTransfer(xml, [ca.certificate]);
    expect(r.ok).toBe(false);
    expect(r.signatures[0].detail).toMatch(
      /^电子签名的证书（序列号 [0-9a-f]+）不是本部署 CA 签发的或证书链断裂：证书签名与本 CA 的公钥不符（证书链断裂）$/,
    );
    expect(r.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/YJ-1-1 .*未通过证书链验证/)]));
    // The receiving 档案馆 that trusts that CA accepts the same file.
    expect((await verifyTransfer(xml, [foreignCa.certificate])).ok).toBe(true);
  });
});
