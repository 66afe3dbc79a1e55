/**
 * What a file really is, from its first bytes, checked against its name. Uploads are accepted only
 * in the formats an office archive keeps (DA/T 47: PDF/OFD for documents, images, office files) and
 * never as executables, whatever their name says.
 */
export interface Sniffed {
  mime: string;
  /** The extensions this content may carry. */
  extensions: string[];
}

const ZIP_OFFICE: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ofd: 'application/ofd',
  zip: 'application/zip',
};

const OLE_OFFICE: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  wps: 'application/vnd.ms-works',
  et: 'application/vnd.ms-excel',
};

export class RefusedFile extends Error {
  constructor(
    readonly code: 'FILE_TYPE_REFUSED' | 'FILE_TYPE_MISMATCH',
    message: string,
  ) {
    super(message);
  }
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function sniff(content: Buffer, name: string): Sniffed {
  const ext = extensionOf(name);
  const starts = (...bytes: number[]) => bytes.every((b, i) => content[i] === b);
  const ascii = content.subarray(0, 8).toString('latin1');
  if (starts(0x4d, 0x5a) || starts(0x7f, 0x45, 0x4c, 0x46) || ascii.startsWith('#!') || starts(0xca, 0xfe, 0xba, 0xbe)) {
    throw new RefusedFile('FILE_TYPE_REFUSED', '不能上传可执行程序或脚本');
  }
  let sniffed: Sniffed | undefined;
  if (ascii.startsWith('%PDF-')) sniffed = { mime: 'application/pdf', extensions: ['pdf'] };
  else if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) sniffed = { mime: 'image/png', extensions: ['png'] };
  else if (starts(0xff, 0xd8, 0xff)) sniffed = { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] };
  else if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) sniffed = { mime: 'image/tiff', extensions: ['tif', 'tiff'] };
  else if (starts(0x50, 0x4b, 0x03, 0x04)) {
    // OOXML, OFD and plain zip share the container; the name says which, and must be one of them.
    sniffed =
      ext in ZIP_OFFICE ? { mime: ZIP_OFFICE[ext], extensions: [ext] } : { mime: 'application/zip', extensions: Object.keys(ZIP_OFFICE) };
  } else if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) {
    sniffed =
      ext in OLE_OFFICE
        ? { mime: OLE_OFFICE[ext], extensions: [ext] }
        : { mime: 'application/x-ole-storage', extensions: Object.keys(OLE_OFFICE) };
  } else if (isText(content)) {
    sniffed = { mime: ext === 'csv' ? 'text/csv' : 'text/plain', extensions: ['txt', 'csv'] };
  }
  if (!sniffed) {
    throw new RefusedFile(
      'FILE_TYPE_REFUSED',
      '不支持的文件格式：请上传 PDF、OFD、Word、Excel、PowerPoint、WPS、图片（PNG/JPEG/TIFF）、文本或 ZIP 文件',
    );
  }
  if (!sniffed.extensions.includes(ext)) {
    throw new RefusedFile(
      'FILE_TYPE_MISMATCH',
      `文件内容与扩展名不符：内容是 ${sniffed.extensions[0].toUpperCase()}，文件名却是 .${ext || '（无扩展名）'}`,
    );
  }
  return sniffed;
}

/** UTF-8 text without control characters other than tab and line breaks. */
function isText(content: Buffer): boolean {
  const sample = content.subarray(0, 64 * 1024);
  if (sample.length === 0) return false;
  for (const byte of sample) if (byte < 0x09 || (byte > 0x0d && byte < 0x20) || byte === 0x7f) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length < content.length ? trimPartial(sample) : sample);
    return true;
  } catch {
    return false;
  }
}

/** A sample cut mid-character must not count as invalid UTF-8. */
function trimPartial(sample: Buffer): Buffer {
  const end = sample.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    if ((sample[end - i] & 0xc0) === 0xc0) return sample.subarray(0, end - i);
    if ((sample[end - i] & 0x80) === 0) break;
  }
  return sample.subarray(0, end);
}

/** A name a person gave, made safe to store and to send back: no path, no control characters. */
export function safeFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && !'<>:"|?*'.includes(c))
    .join('')
    .trim()
    .replace(/^\.+/, '');
  return cleaned.slice(-200);
}
