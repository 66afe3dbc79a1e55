import { RefusedFile, safeFileName, sniff } from './sniff';

describe('sniffing an upload', () => {
  const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n');
  const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
  const refused = (content: Buffer, name: string) => {
    try {
      sniff(content, name);
      return 'accepted';
    } catch (error) {
      return error instanceof RefusedFile ? error.code : String(error);
    }
  };

  it('recognises office formats by their bytes and the name that goes with them', () => {
    expect(sniff(pdf, '请示.PDF').mime).toBe('application/pdf');
    expect(sniff(zip, '计划表.xlsx').mime).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(sniff(zip, '公文.ofd').mime).toBe('application/ofd');
    expect(sniff(Buffer.from('名称,预算\n一张图,100\n'), '预算.csv').mime).toBe('text/csv');
    expect(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), '现场.jpg').mime).toBe('image/jpeg');
  });

  it('refuses executables whatever their name, unknown formats, and names that lie', () => {
    expect(refused(Buffer.from('MZ\x90\x00'), '说明.pdf')).toBe('FILE_TYPE_REFUSED');
    expect(refused(Buffer.from('\x7fELF\x02'), 'a.txt')).toBe('FILE_TYPE_REFUSED');
    expect(refused(Buffer.from('#!/bin/sh\nrm -rf /\n'), 'run.txt')).toBe('FILE_TYPE_REFUSED');
    expect(refused(Buffer.from([0x00, 0x01, 0x02, 0x03]), 'data.bin')).toBe('FILE_TYPE_REFUSED');
    expect(refused(pdf, '正文.docx')).toBe('FILE_TYPE_MISMATCH');
    expect(refused(zip, 'page.html')).toBe('FILE_TYPE_MISMATCH');
    expect(refused(Buffer.from('<script>alert(1)</script>'), 'x.html')).toBe('FILE_TYPE_MISMATCH');
  });

  it('keeps only the last path component of a name and drops control characters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\li\\附件1.pdf')).toBe('附件1.pdf');
    expect(safeFileName('a\u0000b\r\n.pdf')).toBe('ab.pdf');
    expect(safeFileName('...hidden.txt')).toBe('hidden.txt');
    expect(safeFileName('/')).toBe('');
  });
});
