import { renderProcessingSheet } from '@zhengwu/pdf';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto';
import { validateXML } from 'xmllint-wasm';
import { checkPackage, type StoredPackage } from './archive-check';
import { SM2_USER_ID, sha256Of, sm3Of, type Manifest } from './archive-format';
import type { CheckReport, CheckStage } from './archive.types';
import { METADATA_XSD, validateMetadata } from './dat46-schema';
import { readMetadata } from './metadata-reader';
import { buildPackage, writePackage, type PackageInput } from './package-builder';

/**
 * DA/T 70 四性检测 item by item: a package built as the archive builds it passes every item of every
 * stage, and for each item that can fail, a package crafted to fail it fails that item with a reason.
 */
describe('DA/T 46 metadata and DA/T 70 四性检测 of a package', () => {
  const key = sm2.generateKeyPairHex();
  let root: string;
  let sheet: Buffer;
  let seq = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'zhengwu-dat70-'));
    sheet = await renderProcessingSheet({
      heading: '公文处理单',
      fields: [['标题', '关于开展土地利用规划评估的通知']],
      steps: [{ step: '拟稿', person: '李娜', unit: '规划司', at: '2026-03-02T01:00:00Z', action: '发起' }],
      metadata: { title: '公文处理单', author: '自然资源部' },
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const input = (over: Partial<PackageInput> = {}): PackageInput => {
    seq += 1;
    const itemNo = seq;
    const archiveNumber = `Z001-2026-Y-GHS-${String(itemNo).padStart(4, '0')}`;
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
      itemNo,
      title: '关于开展土地利用规划评估的通知',
      docNumber: '国土资规〔2026〕1号',
      responsible: '自然资源部规划司',
      date: '2026-03-02',
      docType: '通知',
      urgency: '加急',
      mainTo: '江苏省国土资源厅',
      cc: '办公厅',
      secrecy: '非密',
      secrecyTerm: null,
      archivedAt: '2026-03-05T08:00:00.000Z',
      basis: '流程“公文交换”第 1 版',
      events: [
        { action: '发起', step: '拟稿', person: '李娜', unit: '规划司', at: '2026-03-01T01:00:00.000Z' },
        { action: '同意', step: '核稿', person: '杨帆', unit: '规划司', at: '2026-03-01T03:00:00.000Z', description: '同意' },
        { action: '办结', step: '办结', person: '系统', unit: '规划司', at: '2026-03-04T03:00:00.000Z' },
      ],
      files: [
        {
          name: '01-国土资规〔2026〕1号.pdf',
          title: '国土资规〔2026〕1号.pdf',
          role: 'document',
          mime: 'application/pdf',
          body: sheet,
          generated: true,
        },
        { name: '02-附件1.png', title: '附件1.png', role: 'attachment', mime: 'image/png', body: png() },
        { name: '办理单.pdf', title: '公文处理单', role: 'sheet', mime: 'application/pdf', body: sheet, generated: true },
      ],
      seals: [],
      key,
      systemVersion: '0.1.0',
      ...over,
    };
  };

  /** Builds and writes a package; returns its folder and what the database would have recorded. */
  const make = async (over: Partial<PackageInput> = {}) => {
    const i = input(over);
    const built = buildPackage(i);
    const dir = join(root, i.archiveNumber);
    await writePackage(dir, built);
    const stored: StoredPackage = {
      archiveNumber: i.archiveNumber,
      title: i.title,
      docNumber: i.docNumber,
      date: i.date,
      publicKey: key.publicKey,
      signature: built.signature,
      manifestSha256: sha256Of(Buffer.from(built.manifestText)),
      items: built.contents.map((c) => ({
        name: c.file.name,
        role: c.file.role,
        size: c.file.size,
        sha256: c.file.sha256,
        sm3: c.file.sm3,
      })),
      seriesItemNos: [1],
      duplicates: [],
    };
    return { dir, stored, built, input: i };
  };
  const check = (dir: string, stored: StoredPackage | undefined, stage: CheckStage = 'GD') => checkPackage(dir, stored, { stage });
  const item = (report: CheckReport, no: string) => {
    const found = report.checks.find((c) => c.code === `${report.stage}-${no}`);
    if (!found) throw new Error(`no item ${report.stage}-${no} in ${report.checks.map((c) => c.code).join(',')}`);
    return found;
  };
  /** Rewrites metadata.xml and re-signs the manifest, so only the item under test fails. */
  const rewriteMetadata = (dir: string, edit: (xml: string) => string, stored: StoredPackage) => {
    const path = join(dir, 'metadata.xml');
    const xml = Buffer.from(edit(readFileSync(path, 'utf8')));
    writeFileSync(path, xml);
    resign(dir, stored, (m) => {
      const f = m.files.find((x) => x.name === 'metadata.xml')!;
      Object.assign(f, { size: xml.length, sha256: sha256Of(xml), sm3: sm3Of(xml) });
    });
  };
  const resign = (dir: string, stored: StoredPackage, edit: (m: Manifest) => void) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    edit(manifest);
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(dir, 'manifest.json'), text);
    const signature = sm2.doSignature(text, key.privateKey, { hash: true, publicKey: key.publicKey, userId: SM2_USER_ID });
    writeFileSync(join(dir, 'manifest.sig'), `${signature}\n`);
    stored.signature = signature;
    stored.manifestSha256 = sha256Of(Buffer.from(text));
    stored.items = manifest.files.map((f) => ({ name: f.name, role: f.role, size: f.size, sha256: f.sha256, sm3: f.sm3 }));
  };
  const failsOnly = (report: CheckReport, no: string, reason: string | RegExp) => {
    const it = item(report, no);
    expect(it).toEqual(expect.objectContaining({ status: 'fail', ok: false }));
    expect(it.detail).toMatch(reason);
    return it;
  };

  it('builds metadata.xml with the DA/T 46 names and numbers, valid against the project XSD (libxml2) and read back', async () => {
    const { built, input: i } = await make();
    const xml = built.metadataXml;
    const result = await validateXML({
      xml: [{ fileName: 'metadata.xml', contents: xml }],
      schema: [{ fileName: 'metadata.xsd', contents: METADATA_XSD }],
    });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    for (const [name, no] of [
      ['聚合层次', 'M1'],
      ['立档单位名称', 'M6'],
      ['档号', 'M8'],
      ['题名', 'M22'],
      ['责任者', 'M32'],
      ['文件组合类型', 'M41'],
      ['件数', 'M42'],
      ['页数', 'M43'],
      ['语种', 'M44'],
      ['稿本', 'M45'],
      ['格式信息', 'M47'],
      ['计算机文件名', 'M48'],
      ['计算机文件大小', 'M49'],
      ['文档创建程序', 'M50'],
      ['信息系统描述', 'M51'],
      ['签名算法标识', 'M64'],
      ['存储位置', 'M65'],
      ['权限管理', 'M70'],
    ]) {
      expect(xml).toMatch(new RegExp(`<${name} 编号="${no}"`));
    }
    const m = readMetadata(xml);
    expect(m).toEqual(
      expect.objectContaining({
        version: 2,
        archiveNumber: i.archiveNumber,
        organName: '自然资源部',
        responsible: '自然资源部规划司',
        pieces: 3,
        location: `${i.archiveNumber}/`,
      }),
    );
    expect(m.pages).toBeGreaterThanOrEqual(2);
    expect(m.documents.map((d) => [d.fileName, d.role, d.primary, d.formatName])).toEqual([
      ['01-国土资规〔2026〕1号.pdf', '正文', true, 'PDF'],
      ['02-附件1.png', '附件', false, 'PNG'],
      ['办理单.pdf', '办理单', false, 'PDF'],
      ['sm2-public-key.txt', '公钥', false, 'TXT'],
    ]);
    // Both digests of every file are in the metadata, and they are the files' digests.
    for (const d of m.documents) {
      const body = readFileSync(join(root, i.archiveNumber, d.fileName));
      expect([d.sha256, d.sm3, d.size]).toEqual([sha256Of(body), sm3Of(body), body.length]);
    }
    expect(xml).toMatch(/<格式信息 编号="M47" 格式名称="PDF" 格式版本="1\.\d" 媒体类型="application\/pdf">/);
    expect(m.documents[0].creator).toBe('@zhengwu/pdf (pdfkit)');
    expect(m.events.map((e) => e.action)).toEqual(['发起', '同意', '办结']);
  });

  it('rejects metadata that breaks the schema, each error classed by what it breaks', async () => {
    const { built } = await make();
    const broken = built.metadataXml
      .replace(/<题名 编号="M22">[^<]*</, `<题名 编号="M22">${'长'.repeat(501)}<`)
      .replace('<日期 编号="M33">2026-03-02<', '<日期 编号="M33">2026年3月2日<')
      .replace('<密级 编号="M38">非密<', '<密级 编号="M38">内部<')
      .replace(/<语种 编号="M44">汉语<\/语种>/, '');
    const result = await validateMetadata(broken);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.kind).sort()).toEqual(['length', 'range', 'structure', 'type']);
    expect(result.errors.find((e) => e.kind === 'range')?.message).toContain('密级');
  });

  it('passes every item of 归档, 移交与接收 and 长期保存 for a package as built; items that cannot apply say why', async () => {
    const { dir, stored } = await make();
    for (const stage of ['GD', 'YJ', 'BC'] as const) {
      const report = await check(dir, stored, stage);
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(report).toEqual(expect.objectContaining({ ok: true, stage, standard: 'DA/T 70-2018', formatVersion: 2 }));
      for (const c of report.checks.filter((x) => x.status === 'na')) expect(c.detail).toMatch(/^不适用：.{4,}/);
    }
    const gd = await check(dir, stored, 'GD');
    expect(gd.checks.map((c) => c.code)).toEqual(
      expect.arrayContaining(['GD-1-1', 'GD-1-14', 'GD-2-1', 'GD-2-8', 'GD-3-1', 'GD-3-8', 'GD-4-1', 'GD-4-7']),
    );
    expect(item(gd, '4-5').status).toBe('na');
    expect(item(gd, '1-1').name).toBe('真实性：GD-1-1 固化信息有效性检测');
    // 长期保存 re-checks what can change in storage, not the metadata values checked at 归档.
    const bc = await check(dir, stored, 'BC');
    expect(bc.checks.map((c) => c.code)).not.toContain('BC-1-2');
    expect(bc.checks.map((c) => c.code)).toContain('BC-1-1');
    // Received without this database (移交与接收 at a 档案馆): the items that compare with it do not apply.
    const yj = await check(dir, undefined, 'YJ');
    expect(yj.ok).toBe(true);
    expect(item(yj, '1-14').status).toBe('na');
    expect(item(yj, '3-2').status).toBe('na');
  });

  it('fails each 真实性 item on a package crafted to fail it', async () => {
    // 1-1 a file changed after signing.
    let p = await make();
    writeFileSync(join(p.dir, '02-附件1.png'), Buffer.concat([png(), Buffer.from('x')]));
    failsOnly(await check(p.dir, p.stored), '1-1', /02-附件1\.png.*摘要与清单不符/);
    // 1-1 the manifest re-written without the key: the signature no longer verifies.
    p = await make();
    writeFileSync(
      join(p.dir, 'manifest.json'),
      readFileSync(join(p.dir, 'manifest.json'), 'utf8').replace('"SM2withSM3"', '"SM2withSM3" '),
    );
    failsOnly(await check(p.dir, p.stored), '1-1', /SM2 签名验证失败/);
    // 1-2 a value longer than the schema allows.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace(/<责任者 编号="M32">[^<]*</, `<责任者 编号="M32">${'司'.repeat(201)}<`), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-2', /责任者.*maxLength/);
    // 1-3 a date not in date format.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace('<日期 编号="M33">2026-03-02<', '<日期 编号="M33">2026.03.02<'), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-3', /日期.*xs:date/);
    // 1-4 a 保管期限 outside its range.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace('>永久</保管期限>', '>长期</保管期限>'), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-4', /保管期限.*enumeration/);
    // 1-5 年度 not the year of 日期.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace('<日期 编号="M33">2026-03-02<', '<日期 编号="M33">2025-12-30<'), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-5', /年度 2026 与日期 2025-12-30/);
    // 1-6 a control character in the title.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace('规划评估的通知</题名>', '规划评估&#x1;的通知</题名>'), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-6', /题名 含特殊字符 U\+0001/);
    // 1-7 a 档号 that does not agree with its parts.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace('<机构或问题 编号="M13">GHS<', '<机构或问题 编号="M13">BGT<'), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-7', /与其组成项拼合的“Z001-2026-Y-BGT-/);
    // 1-8 the same file described twice, and another package under the same 档号.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace(/(<文档 文档序号="2"[\s\S]*?<\/文档>)/, '$1$1'), p.stored);
    p.stored.duplicates = ['Z001-2026-Y-GHS-9999'];
    failsOnly(await check(p.dir, p.stored), '1-8', /02-附件1\.png 在元数据中重复著录.*Z001-2026-Y-GHS-9999/);
    // 1-9 a file's recorded size and format are not what the file is.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace('媒体类型="image/png"', '媒体类型="image/jpeg"'), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-9', /02-附件1\.png 实际格式为 PNG/);
    // 1-10 a file in the package the metadata does not describe.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace(/<文档 文档序号="2"[\s\S]*?<\/文档>/, ''), p.stored);
    failsOnly(await check(p.dir, p.stored), '1-10', /02-附件1\.png 没有对应的元数据/);
    // 1-11 the package moved to another folder than its 存储位置 says.
    p = await make();
    const moved = join(root, 'Z001-2026-Y-GHS-9998');
    renameSync(p.dir, moved);
    failsOnly(await check(moved, p.stored), '1-11', /存储位置“Z001-2026-Y-GHS-\d{4}\/”与实际存储位置“Z001-2026-Y-GHS-9998\/”不一致/);
    // 1-12 a manifest entry without its SM3 digest.
    p = await make();
    resign(p.dir, p.stored, (m) => {
      (m.files[1] as { sm3?: string }).sm3 = 'not-a-digest';
      m.algorithms.digest = ['SHA-256'];
    });
    failsOnly(await check(p.dir, p.stored), '1-12', /未声明 SM3 与 SHA-256.*02-附件1\.png 的摘要格式不正确/);
    // 1-13 a sub-folder inside the package.
    p = await make();
    mkdirSync(join(p.dir, 'extra'));
    failsOnly(await check(p.dir, p.stored), '1-13', /不应存在的子目录 extra\//);
    // 1-14 the package differs from the record: a manifest re-signed by someone holding the key.
    p = await make();
    const recorded = { ...p.stored };
    resign(p.dir, p.stored, (m) => (m.createdAt = '2026-03-06T00:00:00.000Z'));
    failsOnly(await check(p.dir, recorded), '1-14', /manifest\.json 与归档时登记的摘要不一致/);
  });

  it('fails each 完整性 item on a package crafted to fail it', async () => {
    // 2-1 a file gone, 2-2 the bytes no longer add up, 2-7 the 正文 missing.
    let p = await make();
    unlinkSync(join(p.dir, '01-国土资规〔2026〕1号.pdf'));
    let report = await check(p.dir, p.stored);
    failsOnly(report, '2-1', /清单列出 5 个文件，信息包中只有 4 个/);
    failsOnly(report, '2-2', /清单记录总字节数 \d+，实际 \d+/);
    failsOnly(report, '2-7', /缺少文件 01-国土资规〔2026〕1号\.pdf.*缺少正文（主文档）/);
    // 2-3 a required element missing.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace(/<稿本 编号="M45">正本<\/稿本>/, ''), p.stored);
    failsOnly(await check(p.dir, p.stored), '2-3', /Missing child element.*稿本/);
    // 2-4 a required value left empty.
    p = await make();
    rewriteMetadata(p.dir, (x) => x.replace(/<电子文件号 编号="M7">[^<]*</, '<电子文件号 编号="M7"><'), p.stored);
    failsOnly(await check(p.dir, p.stored), '2-4', /必填著录项目“电子文件号”为空/);
    // 2-5 the history without its end.
    p = await make({ events: input().events.slice(0, 2) });
    failsOnly(await check(p.dir, p.stored), '2-5', /缺少“办结”或“终止”/);
    // 2-6 a gap in the series.
    p = await make();
    p.stored.seriesItemNos = [1, 2, 4];
    failsOnly(await check(p.dir, p.stored), '2-6', /件号 0003 缺失或重复/);
    // 2-8 an attachment changed.
    p = await make();
    writeFileSync(join(p.dir, '02-附件1.png'), png(2));
    report = await check(p.dir, p.stored);
    failsOnly(report, '2-8', /附件 02-附件1\.png 内容与清单不符/);
  });

  it('fails each 可用性 item on a package crafted to fail it', async () => {
    // 3-1 metadata that is not XML.
    let p = await make();
    rewriteMetadata(p.dir, (x) => x.replace('</文件实体>', ''), p.stored);
    failsOnly(await check(p.dir, p.stored), '3-1', /无法解析/);
    // 3-2 no database record to read (移交 without a record is n/a; a record that cannot be loaded fails the whole check elsewhere).
    expect(item(await check(p.dir, undefined, 'YJ'), '3-2').status).toBe('na');
    // 3-3 a content file in a format outside the preservation list.
    p = await make({
      files: [
        ...input().files,
        { name: '03-说明.rtf', title: '说明.rtf', role: 'attachment', mime: 'application/rtf', body: Buffer.from('{\\rtf1 x}') },
      ],
    });
    failsOnly(await check(p.dir, p.stored), '3-3', /03-说明\.rtf 的格式 application\/rtf 不在长期保存格式清单内/);
    // 3-4 a PDF cut short.
    p = await make();
    const pdfPath = join(p.dir, '01-国土资规〔2026〕1号.pdf');
    const cut = readFileSync(pdfPath).subarray(0, 2000);
    writeFileSync(pdfPath, cut);
    resign(p.dir, p.stored, (m) => Object.assign(m.files[0], { size: cut.length, sha256: sha256Of(cut), sm3: sm3Of(cut) }));
    failsOnly(await check(p.dir, p.stored), '3-4', /不是完整的 PDF（缺少 %%EOF）/);
    // 3-5 a document without its creating program.
    p = await make();
    rewriteMetadata(
      p.dir,
      (x) => x.replace(/<文档创建程序 编号="M50">[^<]*<\/文档创建程序>/, '<文档创建程序 编号="M50"></文档创建程序>'),
      p.stored,
    );
    failsOnly(await check(p.dir, p.stored), '3-5', /未著录文档创建程序/);
    // 3-8 an encrypted PDF and a ZIP entry with a private compression method.
    const zip = zipWithMethod(99);
    p = await make({
      files: [
        ...input().files,
        {
          name: '03-加密.pdf',
          title: '加密.pdf',
          role: 'attachment',
          mime: 'application/pdf',
          body: Buffer.from('%PDF-1.4\n1 0 obj << /Encrypt 2 0 R >> endobj\n%%EOF\n'),
        },
        {
          name: '04-数据.docx',
          title: '数据.docx',
          role: 'attachment',
          mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          body: zip,
        },
      ],
    });
    failsOnly(await check(p.dir, p.stored), '3-8', /PDF 文件 03-加密\.pdf 已加密.*word\/document\.xml 使用非公开压缩算法（方法 99）/);
  });

  it('fails each 安全性 item on a package crafted to fail it', async () => {
    // 4-2 an executable and a PDF with JavaScript.
    let p = await make({
      files: [
        ...input().files,
        {
          name: '03-脚本.pdf',
          title: '脚本.pdf',
          role: 'attachment',
          mime: 'application/pdf',
          body: Buffer.from('%PDF-1.4\n<< /S /JavaScript /JS (app.alert(1)) >>\n%%EOF\n'),
        },
      ],
    });
    writeFileSync(join(p.dir, 'setup.exe'), Buffer.from('MZ\x90\x00rest', 'latin1'));
    let report = await check(p.dir, p.stored, 'BC');
    failsOnly(report, '4-2', /setup\.exe 是可执行程序（MZ）/);
    failsOnly(report, '4-2', /PDF 文件 03-脚本\.pdf 含有 JavaScript/);
    // 4-3 the same stray file is a file outside the manifest.
    failsOnly(report, '4-3', /清单之外的文件 setup\.exe/);
    // 4-7 a file anyone may write.
    p = await make();
    chmodSync(join(p.dir, 'metadata.xml'), 0o666);
    report = await check(p.dir, p.stored, 'BC');
    failsOnly(report, '4-7', /文件 metadata\.xml 对所有用户可写/);
    // 4-1, 4-4, 4-5, 4-6 never fail: there is no virus scanner and no offline medium, and they say so.
    for (const no of ['4-1', '4-4', '4-5', '4-6']) expect(item(await check(p.dir, p.stored, 'GD'), no).status).toBe('na');
  });

  it('reads a package of format 1 (English metadata) and checks it; what format 1 lacks does not apply', async () => {
    const p = await make();
    const v1 = `<?xml version="1.0" encoding="UTF-8"?>
<record xmlns="urn:zhengwu:archive:dat46">
  <aggregationLevel>文件</aggregationLevel>
  <provenance><fondsName>自然资源部</fondsName><fondsCode>Z001</fondsCode><organizationName>规划司</organizationName></provenance>
  <electronicRecordId>${p.input.instanceId}</electronicRecordId>
  <archivalCode><archiveNumber>${p.input.archiveNumber}</archiveNumber><fondsCode>Z001</fondsCode><year>2026</year>
    <retentionPeriod code="Y">永久</retentionPeriod><organization>GHS</organization><itemNumber>${String(p.input.itemNo).padStart(4, '0')}</itemNumber></archivalCode>
  <title>${p.input.title}</title><documentNumber>${p.input.docNumber}</documentNumber><author>规划司</author><date>2026-03-02</date>
  <documentType>通知</documentType><urgency>加急</urgency><securityClassification>非密</securityClassification>
  <formatInformation>${p.built.contents
    .filter((c) => c.file.role !== 'metadata')
    .map((c) => `<file name="${c.file.name}" mime="${c.file.mime}" size="${c.file.size}" />`)
    .join('')}</formatInformation>
  <storageLocation>${p.input.archiveNumber}/</storageLocation>
  <businessEntity><businessActivity><action>发起</action><step>拟稿</step><actionTime>2026-03-01T01:00:00.000Z</actionTime><agent>李娜</agent></businessActivity>
    <businessActivity><action>办结</action><step>办结</step><actionTime>2026-03-04T03:00:00.000Z</actionTime><agent>系统</agent></businessActivity></businessEntity>
</record>
`;
    rewriteMetadata(p.dir, () => v1, p.stored);
    resign(p.dir, p.stored, (m) => delete m.formatVersion);
    const report = await check(p.dir, p.stored, 'GD');
    expect(report.formatVersion).toBe(1);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(item(report, '1-2').detail).toMatch(/^不适用：格式版本 1/);
    expect(item(report, '1-1').status).toBe('pass');
  });
});

/** A 1×1 PNG (a second, different one with `variant`). */
function png(variant = 1): Buffer {
  const base = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201' +
      'e9d0f1ab0000000049454e44ae426082',
    'hex',
  );
  return variant === 1 ? base : Buffer.concat([base, Buffer.from([variant])]);
}

/** A minimal ZIP (as DOCX) whose one entry claims compression method `method`. */
function zipWithMethod(method: number): Buffer {
  const name = Buffer.from('word/document.xml');
  const data = Buffer.from('x');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(method, 8);
  local.writeUInt32LE(1, 18);
  local.writeUInt32LE(1, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(method, 10);
  central.writeUInt32LE(1, 20);
  central.writeUInt32LE(1, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}
