import { HttpStatus } from '@nestjs/common';
import {
  detectLevel,
  numberParagraphs,
  stripAttachmentNumber,
  FORBIDDEN_IN_TEXT,
  storableText,
  type BodyParagraph,
  type ParagraphLevel,
} from '@zhengwu/contracts';
import { AlignmentType, Document, HeadingLevel, LineRuleType, Packer, Paragraph, TextRun, type IRunOptions } from 'docx';
import mammoth from 'mammoth';
import { AppError } from '../../platform/errors';

/**
 * .docx out and in for those who draft in WPS or Word. Out: the `docx` package, the levels as the built-in
 * heading styles (标题 1…4, which WPS and Word both show as such) with their numbers as text, 附件说明 in a style of
 * its own; faces and sizes per GB/T 9704-2012 §7.3 (三号 仿宋 body, 黑体/楷体 headings, 二号 小标宋 title, 22
 * lines a page). In: `mammoth` (a reader written apart from the writer), styles mapped to levels, and where a
 * paragraph has no heading style, the number its drafter typed (一、 （一） 1. （1）).
 */

const PT = 2; // docx sizes are half-points
const BODY_SIZE = 16 * PT; // 三号
const TITLE_SIZE = 22 * PT; // 二号
/** 28.95 pt a line (22 lines in the 225 mm 版心), in twentieths of a point. */
const LINE = 579;
/** Two characters of 三号 as the first-line indent, in twentieths of a point. */
const INDENT = 2 * 16 * 20;
const FACE = { fangsong: '仿宋_GB2312', heiti: '黑体', kaiti: '楷体_GB2312', xiaobiaosong: '方正小标宋简体' };
const face = (eastAsia: string): IRunOptions['font'] => ({ ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia });
const ATTACHMENT_STYLE = { id: 'ZwAttachmentNote', name: '附件说明' };

const HEADINGS: Partial<Record<ParagraphLevel, (typeof HeadingLevel)[keyof typeof HeadingLevel]>> = {
  h1: HeadingLevel.HEADING_1,
  h2: HeadingLevel.HEADING_2,
  h3: HeadingLevel.HEADING_3,
  h4: HeadingLevel.HEADING_4,
};

const bodyLike = (font: string) => ({
  run: { font: face(font), size: BODY_SIZE, bold: false, italics: false, color: '000000' },
  paragraph: { indent: { firstLine: INDENT }, spacing: { line: LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 } },
});

export async function exportBodyDocx(title: string, paragraphs: readonly BodyParagraph[]): Promise<Buffer> {
  const numbers = numberParagraphs(paragraphs);
  const children = [
    new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, children: [new TextRun(title)] }),
    ...paragraphs.map((p, i) => {
      const text = `${numbers[i]}${p.text}`;
      if (p.level === 'attachment') return new Paragraph({ style: ATTACHMENT_STYLE.id, children: [new TextRun(text)] });
      const heading = HEADINGS[p.level];
      return heading ? new Paragraph({ heading, children: [new TextRun(text)] }) : new Paragraph({ children: [new TextRun(text)] });
    }),
  ];
  const doc = new Document({
    creator: 'Zhengwu 政务办公平台',
    title,
    styles: {
      default: {
        document: bodyLike(FACE.fangsong),
        title: {
          run: { font: face(FACE.xiaobiaosong), size: TITLE_SIZE, bold: false, color: '000000' },
          paragraph: { alignment: AlignmentType.CENTER, spacing: { line: LINE * 1.2, lineRule: LineRuleType.EXACT, after: LINE } },
        },
        heading1: bodyLike(FACE.heiti),
        heading2: bodyLike(FACE.kaiti),
        heading3: bodyLike(FACE.fangsong),
        heading4: bodyLike(FACE.fangsong),
      },
      paragraphStyles: [{ ...ATTACHMENT_STYLE, basedOn: 'Normal', next: 'Normal', quickFormat: true, ...bodyLike(FACE.fangsong) }],
    },
    sections: [
      {
        // A4 with the GB/T 9704 margins: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (in twips).
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 2098, bottom: 1984, left: 1587, right: 1474 } } },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}

const STYLE_MAP = [
  ...[1, 2, 3, 4].flatMap((n) =>
    [`Heading ${n}`, `heading ${n}`, `标题 ${n}`, `标题${n}`].map((name) => `p[style-name='${name}'] => h${n}:fresh`),
  ),
  `p[style-name='Title'] => p.zw-title:fresh`,
  `p[style-name='标题'] => p.zw-title:fresh`,
  `p[style-name='${ATTACHMENT_STYLE.name}'] => p.zw-attachment:fresh`,
];

/** At most this much unpacked: a .docx body is text, and a small zip may unpack to gigabytes. */
const MAX_UNPACKED = 64 * 1024 * 1024;

export interface ImportedBody {
  title: string | null;
  paragraphs: BodyParagraph[];
}

export async function importBodyDocx(file: Buffer): Promise<ImportedBody> {
  assertPlausibleDocx(file);
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: file }, { styleMap: STYLE_MAP, includeDefaultStyleMap: false })).value;
  } catch {
    throw invalid('无法读取该 .docx 文件，请用 WPS 或 Word 另存为 .docx 后再导入');
  }
  let title: string | null = null;
  const paragraphs: BodyParagraph[] = [];
  let inAttachments = false;
  for (const match of html.matchAll(/<(h[1-6]|p|li)(?: class="([^"]*)")?>([\s\S]*?)<\/\1>/g)) {
    const [, tag, cls, inner] = match;
    const text = plainText(inner);
    if (text === '') continue;
    if (cls === 'zw-title') {
      title ??= text;
      continue;
    }
    const heading = /^h([1-4])$/.exec(tag);
    if (heading) {
      inAttachments = false;
      paragraphs.push({ level: `h${heading[1]}` as ParagraphLevel, text: stripNumber(text) });
      continue;
    }
    // 附件说明: its own style, or typed as 附件： with the numbered lines that follow it.
    if (cls === 'zw-attachment' || /^附件[：:]/.test(text) || (inAttachments && /^\d{1,3}[.．、]/.test(text))) {
      inAttachments = true;
      const name = stripAttachmentNumber(text);
      if (name !== '') paragraphs.push({ level: 'attachment', text: name });
      continue;
    }
    inAttachments = false;
    paragraphs.push(detectLevel(text));
  }
  if (paragraphs.length === 0) throw invalid('该 .docx 文件中没有正文段落');
  return { title, paragraphs };
}

/** A heading's own number (typed, or from the export) is not part of its text: numbering is automatic. */
function stripNumber(text: string): string {
  const detected = detectLevel(text);
  return detected.level === 'text' ? text : detected.text;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** mammoth's HTML is generated (escaped text, simple tags): tags out, entities decoded, whitespace folded. */
function plainText(html: string): string {
  const text = html
    .replace(/<br\s*\/?>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
  return storableText(text)
    .split('')
    .filter((ch) => !FORBIDDEN_IN_TEXT.test(ch))
    .join('')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/**
 * A .docx is a zip: refuse anything else, and a zip whose central directory announces more than MAX_UNPACKED
 * (a zip bomb) or uses ZIP64 sizes, before mammoth inflates it in memory.
 */
function assertPlausibleDocx(file: Buffer): void {
  const notDocx = () => invalid('请上传 .docx 文件（WPS 或 Word 文档）；.doc 等旧格式请先另存为 .docx');
  if (file.length < 22 || file.readUInt32LE(0) !== 0x04034b50) throw notDocx();
  let eocd = -1;
  for (let i = file.length - 22; i >= Math.max(0, file.length - 22 - 0xffff); i--) {
    if (file.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notDocx();
  const entries = file.readUInt16LE(eocd + 10);
  let at = file.readUInt32LE(eocd + 16);
  let unpacked = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > file.length || file.readUInt32LE(at) !== 0x02014b50) throw notDocx();
    const size = file.readUInt32LE(at + 24);
    if (size === 0xffffffff) throw tooLarge();
    unpacked += size;
    at += 46 + file.readUInt16LE(at + 28) + file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
  }
  if (unpacked > MAX_UNPACKED) throw tooLarge();
}

function tooLarge(): AppError {
  return new AppError('DOCX_TOO_LARGE', '该 .docx 文件解压后超过 64 MB，不能作为正文导入', HttpStatus.PAYLOAD_TOO_LARGE);
}

function invalid(message: string): AppError {
  return new AppError('DOCX_INVALID', message, HttpStatus.BAD_REQUEST, [{ field: 'file', message }]);
}
