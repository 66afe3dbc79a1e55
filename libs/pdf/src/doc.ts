import PDFDocument from 'pdfkit';
import { Face, prepareFonts, registerFonts } from './fonts';
import { PdfMetadata } from './types';
import { breakStyledLines, type BrokenLine, type StyledRun } from './line-break';

/** Millimetres to PDF points. */
export const MM = 72 / 25.4;
export const mm = (v: number): number => v * MM;
export const A4_W = mm(210);
export const A4_H = mm(297);

/** Top of a CJK glyph's em box above the baseline (Noto CJK: ideographic em box 880/−120). */
export const EM_ASCENT = 0.88;

function parseDate(iso: string | undefined): Date {
  if (!iso) return new Date();
  // A bare date is a day in China, not UTC midnight.
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00+08:00`) : new Date(iso);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

export interface Pdf {
  doc: PDFKit.PDFDocument;
  finish(): Promise<Buffer>;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The XMP packet's descriptions (ISO 16684-1; Dublin Core, XMP basic and Adobe PDF schemas) mirroring the
 * information dictionary. pdfkit writes XMP for PDF 1.4+ but neither escapes the values nor writes the
 * keywords as dc:subject, so its writer is replaced.
 */
function xmpDescriptions(meta: PdfMetadata, created: Date): string {
  const iso = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const keywords = meta.keywords ?? [];
  return `
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
  <xmp:CreateDate>${iso}</xmp:CreateDate>
  <xmp:ModifyDate>${iso}</xmp:ModifyDate>
  <xmp:MetadataDate>${iso}</xmp:MetadataDate>
  <xmp:CreatorTool>${xml(CREATOR)}</xmp:CreatorTool>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:format>application/pdf</dc:format>
  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xml(meta.title)}</rdf:li></rdf:Alt></dc:title>
  <dc:creator><rdf:Seq><rdf:li>${xml(meta.author)}</rdf:li></rdf:Seq></dc:creator>
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xml(meta.subject ?? '')}</rdf:li></rdf:Alt></dc:description>
  <dc:subject><rdf:Bag>${keywords.map((k) => `<rdf:li>${xml(k)}</rdf:li>`).join('')}</rdf:Bag></dc:subject>
  <dc:language><rdf:Bag><rdf:li>zh-CN</rdf:li></rdf:Bag></dc:language>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
  <pdf:Producer>${xml(PRODUCER)}</pdf:Producer>
  <pdf:Keywords>${xml(keywords.join(', '))}</pdf:Keywords>
</rdf:Description>`;
}

const CREATOR = '政务办公平台';
const PRODUCER = '@zhengwu/pdf (pdfkit)';

/**
 * An A4 PDF 1.7 document with the Chinese faces registered, the information dictionary filled and an
 * XMP metadata stream (Title, Author, Subject, Keywords, dates) in the catalog.
 */
export async function createPdf(meta: PdfMetadata): Promise<Pdf> {
  await prepareFonts();
  const created = parseDate(meta.createdAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: true,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    pdfVersion: '1.7',
    info: {
      Title: meta.title,
      Author: meta.author,
      Subject: meta.subject ?? '',
      Keywords: (meta.keywords ?? []).join(', '),
      CreationDate: created,
      ModDate: created,
      Creator: CREATOR,
      Producer: PRODUCER,
    },
  });
  // Replaces pdfkit's XMP writer (called from doc.end()); see xmpDescriptions.
  (doc as unknown as { _addInfo: () => void })._addInfo = () => doc.appendXML(xmpDescriptions(meta, created));
  registerFonts(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return {
    doc,
    finish: () => {
      doc.end();
      return done;
    },
  };
}

export interface TextStyle {
  face: Face;
  size: number;
  color?: string;
  /** Extra space after each character, in points (negative tightens). */
  spacing?: number;
}

/** Draws one run of text with its baseline at `baseline` (pdfkit positions by the line's top). */
export function putText(doc: PDFKit.PDFDocument, text: string, x: number, baseline: number, s: TextStyle): void {
  doc.font(s.face).fontSize(s.size);
  // pdfkit's y is the top of the font's hhea ascent, which differs per font.
  const ascender = (doc as unknown as { _font: { ascender: number } })._font.ascender;
  doc.fillColor(s.color ?? '#000000').text(text, x, baseline - (ascender / 1000) * s.size, {
    lineBreak: false,
    characterSpacing: s.spacing ?? 0,
  });
}

/** Advance width of a string including `spacing` after every character but the last. */
export function textWidth(doc: PDFKit.PDFDocument, text: string, s: TextStyle): number {
  if (!text) return 0;
  doc.font(s.face).fontSize(s.size);
  return doc.widthOfString(text) + (s.spacing ?? 0) * ([...text].length - 1);
}

/** 2026-03-01 → 2026年3月1日 (full year, no leading zeros: GB/T 9704 7.3.5). */
export function chineseDate(iso: string): string {
  // A bare date is a calendar day already; a date-time is an instant, shown as Beijing's day.
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(iso);
  if (m) return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
  const d = parseDate(iso);
  const p = beijingParts(d);
  return `${p.year}年${p.month}月${p.day}日`;
}

function beijingParts(d: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', number> {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** ISO date-time → "2026-03-01 14:05" in Beijing time; a bare date stays a date. */
export function dateTime(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = beijingParts(d);
  const z = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${z(p.month)}-${z(p.day)} ${z(p.hour)}:${z(p.minute)}`;
}

export type Run = StyledRun<TextStyle>;
export type Line = BrokenLine<TextStyle>;

/**
 * Breaks styled runs into lines of at most `width` points, the first one narrower by `indent`,
 * keeping 避头尾 rules by moving characters to the next line.
 */
export function breakLines(doc: PDFKit.PDFDocument, runs: Run[], width: number, indent = 0): Line[] {
  return breakStyledLines(runs, width, indent, (u, style) => textWidth(doc, u, style));
}

/** Draws a broken line at x; `justifyTo` spreads a non-last line to that width. */
export function drawLine(doc: PDFKit.PDFDocument, line: Line, x: number, baseline: number, justifyTo?: number): void {
  const count = line.runs.reduce((s, r) => s + [...r.text].length, 0);
  let extra = 0;
  if (justifyTo !== undefined && !line.last && count > 1) {
    const gap = justifyTo - line.width;
    // Only small gaps (a character pushed by 避头尾) are spread; anything bigger stays ragged.
    if (gap > 0 && gap < 3 * 16) extra = gap / (count - 1);
  }
  let cx = x;
  for (const r of line.runs) {
    const style = { ...r.style, spacing: (r.style.spacing ?? 0) + extra };
    putText(doc, r.text, cx, baseline, style);
    cx += textWidth(doc, r.text, style) + (style.spacing ?? 0);
  }
}
