import { randomUUID } from 'node:crypto';
import subsetFont from 'subset-font';
import * as fontkit from 'fontkit';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { Layout, LayoutImage, LayoutPage, LayoutRule, LayoutText } from '@zhengwu/pdf';
import { packOfd, type OfdFiles } from './package';

/** A GB/T 9704 face as libs/pdf names it (xbs 小标宋, fs 仿宋, ht 黑体, kt 楷体). */
export type Face = LayoutText['face'];

/** The OFD namespace (GB/T 33190-2016 Annex A). */
export const OFD_NS = 'http://www.ofdspec.org/2016';

/** Points (the layout's unit) to millimetres (OFD's unit, GB/T 33190 §7.2.1). */
export const PT_TO_MM = 25.4 / 72;

/** A font file as libs/pdf loads it: the bytes, and for a collection (.ttc) the PostScript name of the face. */
export interface OfdFontSource {
  data: Buffer;
  family?: string;
}

export interface OfdOptions {
  /**
   * The font file for each face: the same files the PDF writer embeds (libs/pdf `loadFont`), so a
   * glyph has the same shape and advance in both.
   */
  fonts: (face: Face) => OfdFontSource;
  /** DocID (defaults to a new UUID without dashes). */
  docId?: string;
  creator?: string;
  creatorVersion?: string;
}

/** Paths inside the package this writer uses; signing and reading rely on them. */
export const OFD_PATHS = {
  root: 'OFD.xml',
  document: 'Doc_0/Document.xml',
  publicRes: 'Doc_0/PublicRes.xml',
  documentRes: 'Doc_0/DocumentRes.xml',
  page: (i: number) => `Doc_0/Pages/Page_${i}/Content.xml`,
} as const;

/** Numbers in ST_Array / ST_Box: millimetres to 1 µm, without trailing zeros. */
export function num(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

const mm = (pt: number): number => pt * PT_TO_MM;

/** '#E60012' → '230 0 18' (CT_Color Value in the default RGB colour space). */
export function rgb(hex: string): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`不支持的颜色：${hex}`);
  return [m[1], m[2], m[3]].map((h) => String(parseInt(h, 16))).join(' ');
}

/** CreationDate is xs:date; a bare date is a day in China, a date-time is taken on Beijing's calendar. */
function ofdDate(iso: string | undefined): string {
  if (iso && /^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = iso ? new Date(iso) : new Date();
  const t = Number.isNaN(d.getTime()) ? new Date() : d;
  return new Date(t.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

function xmlDoc(root: string, attrs: Record<string, string> = {}): XMLBuilder {
  return create({ version: '1.0', encoding: 'UTF-8' }).ele(OFD_NS, `ofd:${root}`, attrs);
}

function bytes(doc: XMLBuilder): Uint8Array {
  return Buffer.from(doc.end({ prettyPrint: false }), 'utf8');
}

/** Unit IDs are unique across the document (ST_ID); MaxUnitID records the largest. */
class Ids {
  private last = 0;
  next(): number {
    return ++this.last;
  }
  get max(): number {
    return this.last;
  }
}

interface FontEntry {
  id: number;
  face: Face;
  chars: Set<string>;
}

/**
 * Writes a layout as an OFD package (GB/T 33190-2016): OFD.xml with the DocInfo metadata, one document
 * (Doc_0) with CommonData/PageArea (A4 unless the pages say otherwise), PublicRes with the embedded font
 * subsets, DocumentRes with the images, and one Content.xml per page holding TextObjects (every character
 * at the layout's x through TextCode X and DeltaX), PathObjects for rules and ImageObjects for images.
 * Seal places draw nothing; sealing adds the signature and its stamp annotation there.
 */
export async function writeOfd(layout: Layout, opts: OfdOptions): Promise<Buffer> {
  if (layout.pages.length === 0) throw new Error('版式文档至少要有一页');
  const files: OfdFiles = new Map();
  const ids = new Ids();
  const fonts = new Map<Face, FontEntry>();
  const images: { id: number; file: string; png: Buffer }[] = [];

  const fontFor = (face: Face): FontEntry => {
    let f = fonts.get(face);
    if (!f) {
      f = { id: ids.next(), face, chars: new Set() };
      fonts.set(face, f);
    }
    return f;
  };

  const pageIds: number[] = [];
  const pageXml: Uint8Array[] = [];
  for (const page of layout.pages) {
    const pageId = ids.next();
    pageIds.push(pageId);
    pageXml.push(bytes(pageContent(page, ids, fontFor, images)));
  }

  // Fonts: one subset per face holding exactly the characters the document uses.
  const fontRes: { id: number; name: string; family: string; file: string }[] = [];
  for (const f of [...fonts.values()].sort((a, b) => a.id - b.id)) {
    const source = opts.fonts(f.face);
    const described = describeFont(source);
    const text = [...f.chars].join('');
    const subset = await subsetFont(source.data, text, { targetFormat: 'truetype' });
    const file = `font_${f.id}.ttf`;
    files.set(`Doc_0/Res/${file}`, new Uint8Array(subset));
    fontRes.push({ id: f.id, name: described.postscriptName, family: described.familyName, file });
  }
  for (const img of images) files.set(`Doc_0/Res/${img.file}`, new Uint8Array(img.png));

  const first = layout.pages[0];
  const root = xmlDoc('OFD', { Version: '1.0', DocType: 'OFD' });
  const info = root.ele('ofd:DocBody').ele('ofd:DocInfo');
  const meta = layout.metadata;
  info.ele('ofd:DocID').txt(opts.docId ?? randomUUID().replace(/-/g, ''));
  info.ele('ofd:Title').txt(meta.title);
  info.ele('ofd:Author').txt(meta.author);
  if (meta.subject) info.ele('ofd:Subject').txt(meta.subject);
  info.ele('ofd:CreationDate').txt(ofdDate(meta.createdAt));
  if (meta.keywords && meta.keywords.length > 0) {
    const kw = info.ele('ofd:Keywords');
    for (const k of meta.keywords) kw.ele('ofd:Keyword').txt(k);
  }
  info.ele('ofd:Creator').txt(opts.creator ?? '政务办公平台');
  info.ele('ofd:CreatorVersion').txt(opts.creatorVersion ?? '@zhengwu/ofd 0.1.0');
  // Where the seals go (GB/T 9704 §7.3.5), kept with the document so 用印 needs nothing but the OFD.
  const places = sealPlaces(layout);
  if (places.length > 0) info.ele('ofd:CustomDatas').ele('ofd:CustomData', { Name: SEAL_PLACES }).txt(JSON.stringify(places));
  info.up().ele('ofd:DocRoot').txt(OFD_PATHS.document);
  files.set(OFD_PATHS.root, bytes(root));

  const document = xmlDoc('Document');
  const common = document.ele('ofd:CommonData');
  common.ele('ofd:MaxUnitID').txt(String(ids.max));
  common
    .ele('ofd:PageArea')
    .ele('ofd:PhysicalBox')
    .txt(`0 0 ${num(mm(first.width))} ${num(mm(first.height))}`);
  common.ele('ofd:PublicRes').txt('PublicRes.xml');
  if (images.length > 0) common.ele('ofd:DocumentRes').txt('DocumentRes.xml');
  const pages = document.ele('ofd:Pages');
  pageIds.forEach((id, i) => pages.ele('ofd:Page', { ID: String(id), BaseLoc: `Pages/Page_${i}/Content.xml` }));
  files.set(OFD_PATHS.document, bytes(document));

  const publicRes = xmlDoc('Res', { BaseLoc: 'Res' });
  if (fontRes.length > 0) {
    const fx = publicRes.ele('ofd:Fonts');
    for (const f of fontRes) {
      fx.ele('ofd:Font', { ID: String(f.id), FontName: f.name, FamilyName: f.family })
        .ele('ofd:FontFile')
        .txt(f.file);
    }
  }
  files.set(OFD_PATHS.publicRes, bytes(publicRes));

  if (images.length > 0) {
    const documentRes = xmlDoc('Res', { BaseLoc: 'Res' });
    const mx = documentRes.ele('ofd:MultiMedias');
    for (const img of images) {
      mx.ele('ofd:MultiMedia', { ID: String(img.id), Type: 'Image', Format: 'PNG' })
        .ele('ofd:MediaFile')
        .txt(img.file);
    }
    files.set(OFD_PATHS.documentRes, bytes(documentRes));
  }

  pageXml.forEach((xml, i) => files.set(OFD_PATHS.page(i), xml));
  return packOfd(files);
}

/** DocInfo CustomData naming the layout's seal places (JSON of {@link OfdSealPlace}[]). */
export const SEAL_PLACES = 'zhengwu:SealPlaces';

/** A seal place as the OFD records it: 0-based page, the organ, and the stamp's box in mm ([x, y, w, h] from the top-left). */
export interface OfdSealPlace {
  page: number;
  organ: string;
  boundary: [number, number, number, number];
}

export function sealPlaces(layout: Layout): OfdSealPlace[] {
  return layout.pages.flatMap((p, page) =>
    p.items.flatMap((it) => {
      if (it.kind !== 'seal-place') return [];
      const d = mm(it.diameter);
      const box: [number, number, number, number] = [mm(it.cx) - d / 2, mm(it.cy) - d / 2, d, d];
      return [{ page, organ: it.organ, boundary: box.map((v) => Math.round(v * 1000) / 1000) as typeof box }];
    }),
  );
}

function describeFont(source: OfdFontSource): { postscriptName: string; familyName: string } {
  const opened = fontkit.create(source.data, source.family);
  // A collection without a chosen face answers with the collection; take its first font's names.
  const font = 'fonts' in opened ? opened.fonts[0] : opened;
  return { postscriptName: font.postscriptName, familyName: font.familyName };
}

function pageContent(
  page: LayoutPage,
  ids: Ids,
  fontFor: (face: Face) => FontEntry,
  images: { id: number; file: string; png: Buffer }[],
): XMLBuilder {
  const doc = xmlDoc('Page');
  // A page of another size than the document's default carries its own area.
  doc
    .ele('ofd:Area')
    .ele('ofd:PhysicalBox')
    .txt(`0 0 ${num(mm(page.width))} ${num(mm(page.height))}`);
  const layer = doc.ele('ofd:Content').ele('ofd:Layer', { ID: String(ids.next()) });
  for (const item of page.items) {
    switch (item.kind) {
      case 'text':
        if (item.text.length > 0) textObject(layer, item, ids, fontFor);
        break;
      case 'rule':
        pathObject(layer, item, ids);
        break;
      case 'image':
        imageObject(layer, item, ids, images);
        break;
      case 'seal-place':
        break;
    }
  }
  return doc;
}

/**
 * One TextObject per run. Its Boundary encloses the run's em boxes (readers clip to it), and TextCode
 * X/Y are relative to the Boundary's origin: X is the first character's left edge, Y the baseline, and
 * DeltaX the distance from each character to the next, so every character lands on the layout's x.
 */
function textObject(layer: XMLBuilder, t: LayoutText, ids: Ids, fontFor: (face: Face) => FontEntry): void {
  const chars = Array.from(t.text);
  if (t.xs.length !== chars.length) throw new Error(`文字“${t.text}”的字符位置数与字符数不符`);
  const font = fontFor(t.face);
  for (const c of chars) font.chars.add(c);
  const size = mm(t.size);
  const x0 = mm(Math.min(...t.xs));
  const x1 = mm(Math.max(...t.xs)) + size;
  const top = mm(t.y) - size;
  const height = size * 1.3; // em box plus the descent below the baseline
  const obj = layer.ele('ofd:TextObject', {
    ID: String(ids.next()),
    Boundary: `${num(x0)} ${num(top)} ${num(x1 - x0)} ${num(height)}`,
    Font: String(font.id),
    Size: num(size),
  });
  obj.ele('ofd:FillColor', { Value: rgb(t.color) });
  // Offsets are rounded once and DeltaX taken between the rounded values, so rounding never accumulates
  // along a line.
  const rel = t.xs.map((x) => Math.round((mm(x) - x0) * 1000));
  const attrs: Record<string, string> = { X: num(rel[0] / 1000), Y: num(size) };
  if (chars.length > 1) attrs.DeltaX = compactDeltas(rel.slice(1).map((r, i) => (r - rel[i]) / 1000));
  obj.ele('ofd:TextCode', attrs).txt(t.text);
}

/** ST_Array with runs of equal values written as "g count value" (GB/T 33190 §11.3), as on a character grid. */
export function compactDeltas(values: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i + 1;
    while (j < values.length && values[j] === values[i]) j++;
    out.push(j - i > 1 ? `g ${j - i} ${num(values[i])}` : num(values[i]));
    i = j;
  }
  return out.join(' ');
}

function pathObject(layer: XMLBuilder, r: LayoutRule, ids: Ids): void {
  const w = mm(r.width);
  const left = mm(Math.min(r.x1, r.x2)) - w / 2;
  const top = mm(Math.min(r.y1, r.y2)) - w / 2;
  const right = mm(Math.max(r.x1, r.x2)) + w / 2;
  const bottom = mm(Math.max(r.y1, r.y2)) + w / 2;
  const obj = layer.ele('ofd:PathObject', {
    ID: String(ids.next()),
    Boundary: `${num(left)} ${num(top)} ${num(right - left)} ${num(bottom - top)}`,
    LineWidth: num(w),
    Stroke: 'true',
    Fill: 'false',
  });
  obj.ele('ofd:StrokeColor', { Value: rgb(r.color) });
  const p = (x: number, y: number): string => `${num(mm(x) - left)} ${num(mm(y) - top)}`;
  obj.ele('ofd:AbbreviatedData').txt(`M ${p(r.x1, r.y1)} L ${p(r.x2, r.y2)}`);
}

/** An image fills its Boundary: the CTM maps the unit square of the image onto it (GB/T 33190 §10.2). */
function imageObject(layer: XMLBuilder, img: LayoutImage, ids: Ids, images: { id: number; file: string; png: Buffer }[]): void {
  const resId = ids.next();
  images.push({ id: resId, file: `image_${resId}.png`, png: img.png });
  const w = mm(img.width);
  const h = mm(img.height);
  layer.ele('ofd:ImageObject', {
    ID: String(ids.next()),
    Boundary: `${num(mm(img.x))} ${num(mm(img.y))} ${num(w)} ${num(h)}`,
    CTM: `${num(w)} 0 0 ${num(h)} 0 0`,
    ResourceID: String(resId),
  });
}
