import { unzipSync } from 'fflate';

/**
 * Reads an OFD package (GB/T 33190-2016) into what the preview draws: pages of text runs, paths and images in
 * millimetres, the embedded fonts, and the seals' stamp annotations with their pictures. Only what a 公文 uses
 * (text, straight and curved paths, images, seals); clipping, patterns and annotations other than seals are left
 * out — the preview is for reading, the PDF and 验章 are the record.
 */
export interface OfdPreviewPage {
  width: number;
  height: number;
  items: OfdPreviewItem[];
}

export type OfdPreviewItem =
  | {
      kind: 'text';
      font: string;
      size: number;
      color: string;
      chars: { x: number; y: number; c: string }[];
    }
  | {
      kind: 'path';
      d: string;
      x: number;
      y: number;
      width: number;
      stroke: string | null;
      fill: string | null;
    }
  | { kind: 'image'; x: number; y: number; w: number; h: number; png: Uint8Array }
  | { kind: 'seal'; x: number; y: number; w: number; h: number; png: Uint8Array | null };

export interface OfdPreview {
  title: string | null;
  pages: OfdPreviewPage[];
  /** Font resource id → the embedded font file (TrueType/OpenType). */
  fonts: Map<string, Uint8Array>;
}

const decoder = new TextDecoder();

export function readOfd(data: Uint8Array): OfdPreview {
  const files = unzipSync(data);
  const file = (path: string): Uint8Array | undefined => files[path.replace(/^\//, '')];
  const xml = (path: string): Document => {
    const bytes = file(path);
    if (!bytes) throw new Error(`OFD 包中缺少 ${path}`);
    const doc = new DOMParser().parseFromString(decoder.decode(bytes), 'application/xml');
    if (doc.getElementsByTagName('parsererror').length > 0)
      throw new Error(`${path} 不是合法的 XML`);
    return doc;
  };

  const root = xml('OFD.xml');
  const docRoot = text(first(root, 'DocRoot'));
  if (!docRoot) throw new Error('OFD.xml 没有 DocRoot');
  const title = text(first(root, 'Title'));
  const document = xml(docRoot);
  const docDir = dirOf(docRoot);
  const box = numbers(text(first(document, 'PhysicalBox')) ?? '0 0 210 297');

  // Resources: fonts and media of PublicRes and DocumentRes, each relative to its own BaseLoc.
  const fonts = new Map<string, Uint8Array>();
  const media = new Map<string, Uint8Array>();
  for (const tag of ['PublicRes', 'DocumentRes']) {
    for (const res of all(document, tag)) {
      const resPath = resolve(docDir, text(res) ?? '');
      if (!file(resPath)) continue;
      const r = xml(resPath);
      const base = resolve(dirOf(resPath), r.documentElement.getAttribute('BaseLoc') ?? '');
      for (const f of all(r, 'Font')) {
        const loc = text(first(f, 'FontFile'));
        const bytes = loc ? file(resolve(base, loc)) : undefined;
        if (bytes) fonts.set(f.getAttribute('ID') ?? '', bytes);
      }
      for (const m of all(r, 'MultiMedia')) {
        const loc = text(first(m, 'MediaFile'));
        const bytes = loc ? file(resolve(base, loc)) : undefined;
        if (bytes) media.set(m.getAttribute('ID') ?? '', bytes);
      }
    }
  }

  const pageIds: string[] = [];
  const pages: OfdPreviewPage[] = all(document, 'Page').map((p) => {
    pageIds.push(p.getAttribute('ID') ?? '');
    const path = resolve(docDir, p.getAttribute('BaseLoc') ?? '');
    const content = xml(path);
    const own = numbers(text(first(content, 'PhysicalBox')) ?? '');
    const size = own.length === 4 ? own : box;
    return { width: size[2], height: size[3], items: pageItems(content, media) };
  });

  // Seals: Signatures.xml (named in OFD.xml) → each Signature.xml's StampAnnots, the picture from SignedValue.
  const signs = text(first(root, 'Signatures'));
  if (signs && file(resolve('', signs))) {
    const sigs = xml(resolve('', signs));
    for (const s of all(sigs, 'Signature')) {
      const sigPath = resolve(dirOf(resolve('', signs)), s.getAttribute('BaseLoc') ?? '');
      if (!file(sigPath)) continue;
      const sig = xml(sigPath);
      const valueLoc = text(first(sig, 'SignedValue'));
      const value = valueLoc ? file(resolve(dirOf(sigPath), valueLoc)) : undefined;
      const png = value ? pngInside(value) : null;
      for (const a of all(sig, 'StampAnnot')) {
        const page = pageIds.indexOf(a.getAttribute('PageRef') ?? '');
        const [x, y, w, h] = numbers(a.getAttribute('Boundary') ?? '');
        if (page >= 0 && w > 0) pages[page].items.push({ kind: 'seal', x, y, w, h, png });
      }
    }
  }
  return { title, pages, fonts };
}

function pageItems(content: Document, media: Map<string, Uint8Array>): OfdPreviewItem[] {
  const items: OfdPreviewItem[] = [];
  for (const layer of all(content, 'Layer')) {
    for (const el of Array.from(layer.children)) {
      const [bx, by, bw, bh] = numbers(el.getAttribute('Boundary') ?? '0 0 0 0');
      switch (local(el)) {
        case 'TextObject': {
          const size = Number(el.getAttribute('Size') ?? '3.5');
          const color = colour(first(el, 'FillColor')?.getAttribute('Value')) ?? '#000';
          const chars: { x: number; y: number; c: string }[] = [];
          let x = 0;
          let y = 0;
          for (const code of all(el, 'TextCode')) {
            // X/Y of a TextCode start a new run; without them the text goes on where the last one ended.
            if (code.getAttribute('X') !== null) x = Number(code.getAttribute('X'));
            if (code.getAttribute('Y') !== null) y = Number(code.getAttribute('Y'));
            const dx = expand(code.getAttribute('DeltaX'));
            const dy = expand(code.getAttribute('DeltaY'));
            Array.from(code.textContent ?? '').forEach((c, i) => {
              chars.push({ x: bx + x, y: by + y, c });
              x += dx[i] ?? dx[dx.length - 1] ?? size;
              y += dy[i] ?? 0;
            });
          }
          items.push({ kind: 'text', font: el.getAttribute('Font') ?? '', size, color, chars });
          break;
        }
        case 'PathObject': {
          const stroke = el.getAttribute('Stroke') !== 'false';
          const fill = el.getAttribute('Fill') === 'true';
          items.push({
            kind: 'path',
            d: svgPath(text(first(el, 'AbbreviatedData')) ?? ''),
            x: bx,
            y: by,
            width: Number(el.getAttribute('LineWidth') ?? '0.353'),
            stroke: stroke
              ? (colour(first(el, 'StrokeColor')?.getAttribute('Value')) ?? '#000')
              : null,
            fill: fill ? (colour(first(el, 'FillColor')?.getAttribute('Value')) ?? '#000') : null,
          });
          break;
        }
        case 'ImageObject': {
          const png = media.get(el.getAttribute('ResourceID') ?? '');
          if (png) items.push({ kind: 'image', x: bx, y: by, w: bw, h: bh, png });
          break;
        }
      }
    }
  }
  return items;
}

/** OFD's path letters (GB/T 33190 §9.3.3) in SVG: M/L/C/Q/A/C→Z; numbers pass through (both use the same order). */
function svgPath(data: string): string {
  return data
    .trim()
    .split(/\s+/)
    .map((t) => (t === 'B' ? 'C' : t === 'C' ? 'Z' : t === 'S' ? 'M' : t))
    .join(' ');
}

/** A seal picture inside the SES_Signature's DER: the first PNG (signature … IEND chunk). */
function pngInside(bytes: Uint8Array): Uint8Array | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let i = 0; i + sig.length < bytes.length; i++) {
    if (!sig.every((b, k) => bytes[i + k] === b)) continue;
    for (let j = i + 8; j + 8 <= bytes.length; j++) {
      if (
        bytes[j] === 0x49 &&
        bytes[j + 1] === 0x45 &&
        bytes[j + 2] === 0x4e &&
        bytes[j + 3] === 0x44
      )
        return bytes.slice(i, j + 8);
    }
  }
  return null;
}

/** ST_Array with "g count value" runs (GB/T 33190 §11.3) expanded. */
function expand(value: string | null): number[] {
  if (!value) return [];
  const t = value.trim().split(/\s+/);
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] === 'g') {
      const n = Number(t[i + 1]);
      for (let k = 0; k < n; k++) out.push(Number(t[i + 2]));
      i += 2;
    } else out.push(Number(t[i]));
  }
  return out;
}

function colour(value: string | null | undefined): string | null {
  if (!value) return null;
  const [r, g, b] = numbers(value);
  return `rgb(${r ?? 0},${g ?? 0},${b ?? 0})`;
}

const local = (el: Element): string => el.localName;
const all = (node: Document | Element, name: string): Element[] =>
  Array.from(node.getElementsByTagName('*')).filter((e) => e.localName === name);
const first = (node: Document | Element, name: string): Element | undefined => all(node, name)[0];
const text = (el: Element | undefined): string | null => el?.textContent?.trim() || null;
const numbers = (s: string): number[] =>
  s
    .trim()
    .split(/\s+/)
    .filter((x) => x !== '')
    .map(Number);
const dirOf = (path: string): string => path.replace(/^\//, '').replace(/[^/]*$/, '');

/** A location in the package: absolute ("/Doc_0/…") from the root, else relative to `dir`. */
function resolve(dir: string, loc: string): string {
  if (loc.startsWith('/')) return loc.slice(1);
  const parts = (dir + loc).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}
