/**
 * 电子属性 read from a file's own bytes (DA/T 46 M47 格式信息, M50 文档创建程序; M43 页数), so metadata
 * says what the file is rather than what it was called, and 四性检测 (GD-1-9) can compare the two.
 */

/** Format names by media type: the long-term preservation list (GB/T 18894, DA/T 70 可用性). */
export const FORMAT_NAMES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/ofd': 'OFD',
  'application/xml': 'XML',
  'text/xml': 'XML',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/tiff': 'TIFF',
  'text/plain': 'TXT',
  'text/csv': 'CSV',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
};

const ZIP_HEAD = Buffer.from('PK\x03\x04', 'latin1');

/** The format the bytes are, whatever the name or media type says; 其他 when not one we know. */
export function sniffFormat(body: Buffer): string {
  const head = body.subarray(0, 8);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'PDF';
  if (head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'PNG';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG';
  const ascii = head.toString('latin1');
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'TIFF';
  if (head.subarray(0, 4).equals(ZIP_HEAD)) {
    const text = body.toString('latin1');
    if (text.includes('OFD.xml')) return 'OFD';
    if (text.includes('word/document.xml')) return 'DOCX';
    if (text.includes('xl/workbook.xml')) return 'XLSX';
    return 'ZIP';
  }
  const start = body
    .subarray(0, 64)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (start.startsWith('<?xml') || start.startsWith('<')) return 'XML';
  return '其他';
}

/** Whether a file named as `mime` has bytes of that format (TXT and CSV are any text). */
export function formatMatches(mime: string, body: Buffer): boolean {
  const declared = FORMAT_NAMES[mime];
  if (!declared) return false;
  const actual = sniffFormat(body);
  if (declared === 'TXT' || declared === 'CSV') return actual === '其他' || actual === 'XML';
  return declared === actual;
}

/** The format's version as the file declares it (PDF header, XML declaration, JFIF) or its standard. */
export function formatVersion(name: string, body: Buffer): string {
  switch (name) {
    case 'PDF':
      return /^%PDF-(\d\.\d)/.exec(body.subarray(0, 16).toString('latin1'))?.[1] ?? '未声明';
    case 'XML':
      return /<\?xml[^>]*version="([\d.]+)"/.exec(body.subarray(0, 200).toString('utf8'))?.[1] ?? '1.0';
    case 'OFD':
      return 'GB/T 33190-2016';
    case 'JPEG':
      return body.subarray(6, 10).toString('latin1') === 'JFIF' ? `JFIF ${body[11]}.${String(body[12]).padStart(2, '0')}` : 'JPEG';
    case 'PNG':
      return 'PNG 1.2';
    case 'TIFF':
      return 'TIFF 6.0';
    case 'DOCX':
    case 'XLSX':
      return 'ECMA-376';
    case 'TXT':
    case 'CSV':
      return 'UTF-8';
    default:
      return '未知';
  }
}

/** 文档创建程序: a PDF's Producer/Creator (literal or hex string), else who made the file here. */
export function creatorOf(name: string, body: Buffer, madeHere: string | null): string {
  if (name === 'PDF') {
    const text = body.toString('latin1');
    for (const key of ['Producer', 'Creator']) {
      // The value directly, or through an indirect reference (pdfkit writes `/Producer 13 0 R`).
      const ref = new RegExp(`/${key}\\s+(\\d+)\\s+(\\d+)\\s+R`).exec(text);
      const value = ref
        ? new RegExp(`(?:^|\\s)${ref[1]}\\s+${ref[2]}\\s+obj\\s*([(<][\\s\\S]{0,2000}?)\\s*endobj`).exec(text)?.[1]
        : undefined;
      const from = value ?? new RegExp(`/${key}\\s*([(<][^/>]*[)>])`).exec(text)?.[1];
      const literal = from && /^\(((?:\\.|[^\\)])*)\)/.exec(from)?.[1];
      if (literal) return decodePdfString(literal);
      const hex = from && /^<([0-9A-Fa-f\s]+)>/.exec(from)?.[1];
      if (hex) return decodePdfHex(hex.replace(/\s/g, ''));
    }
  }
  return madeHere ?? '未记录（上传文件未声明创建程序）';
}

function decodePdfString(raw: string): string {
  const unescaped = raw.replace(/\\([0-7]{1,3}|[()\\nrtbf])/g, (_, e: string) =>
    /^[0-7]/.test(e)
      ? String.fromCharCode(parseInt(e, 8))
      : (({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e),
  );
  const bytes = Buffer.from(unescaped, 'latin1');
  return decodePdfBytes(bytes);
}

function decodePdfHex(hex: string): string {
  return decodePdfBytes(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
}

function decodePdfBytes(bytes: Buffer): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le').trim();
  }
  return bytes.toString('latin1').trim();
}

/**
 * Pages of a PDF: its page objects, else the largest /Count of a page tree (when the page objects sit
 * in compressed object streams). 0 for anything that is not a PDF.
 */
export function pdfPages(body: Buffer): number {
  if (body.subarray(0, 5).toString('latin1') !== '%PDF-') return 0;
  const text = body.toString('latin1');
  const pages = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  if (pages > 0) return pages;
  let count = 0;
  for (const m of text.matchAll(/\/Type\s*\/Pages[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages/g)) {
    count = Math.max(count, Number(m[1] ?? m[2]));
  }
  return count;
}
