import JSZip from 'jszip';
import { DOMParser, type Element } from '@xmldom/xmldom';

/**
 * An OFD reader written only for the tests, independent of the writer: another ZIP library (jszip, not
 * fflate), a DOM parser (@xmldom/xmldom, not xmlbuilder2) and the rules of GB/T 33190-2016 read from the
 * standard (locations relative to the referring file, TextCode positions relative to the TextObject's
 * Boundary, DeltaX with the "g" repetition shorthand). No OFD reader on npm runs under Node without a
 * licence: ofd.js 1.5.0's parsing core (parser_helper_x.js, WebAssembly) refuses with 授权信息错误.
 */
const NS = 'http://www.ofdspec.org/2016';

export interface ReadChar {
  char: string;
  /** Left edge / baseline on the page, mm. */
  x: number;
  y: number;
  fontId: string;
  /** Font size, mm. */
  size: number;
  color: string;
}

export interface ReadPath {
  boundary: number[];
  lineWidth: number;
  color: string;
  data: string;
}

export interface ReadImage {
  boundary: number[];
  resourceId: string;
  file: string;
  bytes: Uint8Array;
}

export interface ReadPage {
  id: string;
  box: number[];
  chars: ReadChar[];
  paths: ReadPath[];
  images: ReadImage[];
}

export interface ReadOfd {
  info: Record<string, string | string[]>;
  docRoot: string;
  signaturesLoc?: string;
  maxUnitId: number;
  pages: ReadPage[];
  fonts: Map<string, { name: string; family: string; file: string; bytes: Uint8Array }>;
  zip: JSZip;
}

function children(el: Element, name: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === NS && (n as Element).localName === name) out.push(n as Element);
  }
  return out;
}

function child(el: Element, name: string): Element | undefined {
  return children(el, name)[0];
}

function text(el: Element | undefined): string {
  return el?.textContent?.trim() ?? '';
}

function nums(s: string | null): number[] {
  return (s ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** ST_Array with the "g N v" shorthand (N times v) of GB/T 33190 §11.3. */
export function deltas(s: string | null): number[] {
  const tokens = (s ?? '').trim().split(/\s+/).filter(Boolean);
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 'g') {
      const count = Number(tokens[++i]);
      const v = Number(tokens[++i]);
      for (let k = 0; k < count; k++) out.push(v);
    } else out.push(Number(tokens[i]));
  }
  return out;
}

function resolve(base: string, loc: string): string {
  if (loc.startsWith('/')) return loc.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const p of loc.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

async function xml(zip: JSZip, path: string): Promise<Element> {
  const file = zip.file(path);
  if (!file) throw new Error(`OFD 包中没有 ${path}`);
  const doc = new DOMParser().parseFromString(await file.async('string'), 'text/xml');
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== NS) throw new Error(`${path} 的根元素不在 OFD 命名空间中`);
  return root;
}

async function resources(zip: JSZip, resPath: string, into: ReadOfd['fonts'], media: Map<string, string>): Promise<void> {
  const res = await xml(zip, resPath);
  const baseLoc = res.getAttribute('BaseLoc');
  // Files inside a Res are relative to its BaseLoc, itself relative to the Res file.
  const base = baseLoc ? `${resolve(resPath, baseLoc)}/` : resPath;
  for (const fonts of children(res, 'Fonts')) {
    for (const f of children(fonts, 'Font')) {
      const file = resolve(base, text(child(f, 'FontFile')));
      const bytes = await zip.file(file)?.async('uint8array');
      if (!bytes) throw new Error(`字体文件 ${file} 不在包中`);
      into.set(f.getAttribute('ID') ?? '', {
        name: f.getAttribute('FontName') ?? '',
        family: f.getAttribute('FamilyName') ?? '',
        file,
        bytes,
      });
    }
  }
  for (const mms of children(res, 'MultiMedias')) {
    for (const m of children(mms, 'MultiMedia')) media.set(m.getAttribute('ID') ?? '', resolve(base, text(child(m, 'MediaFile'))));
  }
}

export async function readOfd(bytes: Uint8Array): Promise<ReadOfd> {
  const zip = await JSZip.loadAsync(bytes);
  const ofd = await xml(zip, 'OFD.xml');
  const body = child(ofd, 'DocBody');
  if (!body) throw new Error('OFD.xml 没有 DocBody');
  const info: Record<string, string | string[]> = {};
  const docInfo = child(body, 'DocInfo');
  if (docInfo) {
    for (let n = docInfo.firstChild; n; n = n.nextSibling) {
      if (n.nodeType !== 1) continue;
      const el = n as Element;
      info[el.localName ?? el.nodeName] = el.localName === 'Keywords' ? children(el, 'Keyword').map((k) => text(k)) : text(el);
    }
  }
  const docRoot = resolve('OFD.xml', text(child(body, 'DocRoot')));
  const signaturesLoc = child(body, 'Signatures') ? resolve('OFD.xml', text(child(body, 'Signatures'))) : undefined;
  const document = await xml(zip, docRoot);
  const common = child(document, 'CommonData');
  if (!common) throw new Error('Document.xml 没有 CommonData');
  const defaultBox = nums(text(child(child(common, 'PageArea') as Element, 'PhysicalBox')));
  const fonts: ReadOfd['fonts'] = new Map();
  const media = new Map<string, string>();
  for (const r of [...children(common, 'PublicRes'), ...children(common, 'DocumentRes')]) {
    await resources(zip, resolve(docRoot, text(r)), fonts, media);
  }
  const pages: ReadPage[] = [];
  for (const p of children(child(document, 'Pages') as Element, 'Page')) {
    const path = resolve(docRoot, p.getAttribute('BaseLoc') ?? '');
    const page = await xml(zip, path);
    const area = child(page, 'Area');
    const read: ReadPage = {
      id: p.getAttribute('ID') ?? '',
      box: area ? nums(text(child(area, 'PhysicalBox'))) : defaultBox,
      chars: [],
      paths: [],
      images: [],
    };
    for (const layer of children(child(page, 'Content') as Element, 'Layer')) {
      for (let n = layer.firstChild; n; n = n.nextSibling) {
        if (n.nodeType !== 1) continue;
        const obj = n as Element;
        const [bx, by] = nums(obj.getAttribute('Boundary'));
        if (obj.localName === 'TextObject') {
          const color = child(obj, 'FillColor')?.getAttribute('Value') ?? '0 0 0';
          let x = 0;
          let y = 0;
          for (const code of children(obj, 'TextCode')) {
            // A TextCode without X/Y continues where the previous one stopped (§11.3).
            if (code.getAttribute('X') !== null) x = Number(code.getAttribute('X'));
            if (code.getAttribute('Y') !== null) y = Number(code.getAttribute('Y'));
            const dx = deltas(code.getAttribute('DeltaX'));
            Array.from(code.textContent ?? '').forEach((char, i) => {
              if (i > 0) x += dx[i - 1] ?? 0;
              read.chars.push({
                char,
                x: bx + x,
                y: by + y,
                fontId: obj.getAttribute('Font') ?? '',
                size: Number(obj.getAttribute('Size')),
                color,
              });
            });
          }
        } else if (obj.localName === 'PathObject') {
          read.paths.push({
            boundary: nums(obj.getAttribute('Boundary')),
            lineWidth: Number(obj.getAttribute('LineWidth') ?? '0.353'),
            color: child(obj, 'StrokeColor')?.getAttribute('Value') ?? '0 0 0',
            data: text(child(obj, 'AbbreviatedData')),
          });
        } else if (obj.localName === 'ImageObject') {
          const resourceId = obj.getAttribute('ResourceID') ?? '';
          const file = media.get(resourceId) ?? '';
          const bytes = await zip.file(file)?.async('uint8array');
          if (!bytes) throw new Error(`图像资源 ${resourceId} 不在包中`);
          read.images.push({ boundary: nums(obj.getAttribute('Boundary')), resourceId, file, bytes });
        }
      }
    }
    pages.push(read);
  }
  return { info, docRoot, signaturesLoc, maxUnitId: Number(text(child(common, 'MaxUnitID'))), pages, fonts, zip };
}
