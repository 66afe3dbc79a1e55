import type { BodyParagraph } from '@zhengwu/contracts';
import { Document, Packer, Paragraph } from 'docx';
import mammoth from 'mammoth';
import { exportBodyDocx, importBodyDocx } from './body-docx';

describe('.docx export (docx) and import (mammoth) of a 公文 body', () => {
  const paragraphs: BodyParagraph[] = [
    { level: 'text', text: '各省、自治区、直辖市国土资源主管部门：' },
    { level: 'text', text: '为做好2027年度信息化建设统筹工作，现将有关事项通知如下。' },
    { level: 'h1', text: '报送内容' },
    { level: 'h2', text: '年度计划' },
    { level: 'h3', text: '建设项目清单' },
    { level: 'h4', text: '项目名称、投资额 & 进度' },
    { level: 'h4', text: '承建单位' },
    { level: 'h3', text: '资金来源' },
    { level: 'h2', text: '工作要求' },
    { level: 'h1', text: '时间安排' },
    { level: 'text', text: '请于2027年1月31日前报送。' },
    { level: 'attachment', text: '2027年度信息化建设计划表' },
    { level: 'attachment', text: '联系人名单' },
  ];

  it('comes back with the same paragraphs and levels, numbers computed again rather than doubled', async () => {
    const file = await exportBodyDocx('关于报送2027年度信息化建设计划的通知', paragraphs);
    expect(file.subarray(0, 2).toString()).toBe('PK');
    const imported = await importBodyDocx(file);
    expect(imported.title).toBe('关于报送2027年度信息化建设计划的通知');
    expect(imported.paragraphs).toEqual(paragraphs);
  });

  it('writes the numbers a reader of the file sees as text, in the heading styles', async () => {
    const file = await exportBodyDocx('标题', paragraphs);
    // The document part is deflated inside the zip: read it back through mammoth's raw text.
    const raw = (await mammoth.extractRawText({ buffer: file })).value;
    for (const line of [
      '一、报送内容',
      '（一）年度计划',
      '1.建设项目清单',
      '（1）项目名称、投资额 & 进度',
      '（2）承建单位',
      '2.资金来源',
      '（二）工作要求',
      '二、时间安排',
      '附件：1.2027年度信息化建设计划表',
      '2.联系人名单',
    ]) {
      expect(raw).toContain(line);
    }
  });

  it('maps typed numbers to levels where the file has no heading styles, and reads 附件 lines', async () => {
    const plain = new Document({
      sections: [
        {
          children: ['各单位：', '一、总体要求', '（一）指导思想', '1.坚持统筹', '（1）统一平台', '附件：1.申请表', '2.清单'].map(
            (text) => new Paragraph(text),
          ),
        },
      ],
    });
    const imported = await importBodyDocx(await Packer.toBuffer(plain));
    expect(imported.paragraphs).toEqual([
      { level: 'text', text: '各单位：' },
      { level: 'h1', text: '总体要求' },
      { level: 'h2', text: '指导思想' },
      { level: 'h3', text: '坚持统筹' },
      { level: 'h4', text: '统一平台' },
      { level: 'attachment', text: '申请表' },
      { level: 'attachment', text: '清单' },
    ]);
  });

  it('refuses what is not a .docx, and a zip that announces too much unpacked', async () => {
    await expect(importBodyDocx(Buffer.from('%PDF-1.7 not a docx'))).rejects.toMatchObject({ code: 'DOCX_INVALID', status: 400 });
    // A local header, then a central directory entry announcing 100 MB unpacked, then the end record.
    const central = Buffer.alloc(46 + 5);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(100 * 1024 * 1024, 24);
    central.writeUInt16LE(5, 28);
    central.write('a.xml', 46);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(central.length, 12);
    end.writeUInt32LE(local.length, 16);
    await expect(importBodyDocx(Buffer.concat([local, central, end]))).rejects.toMatchObject({ code: 'DOCX_TOO_LARGE', status: 413 });
  });
});
