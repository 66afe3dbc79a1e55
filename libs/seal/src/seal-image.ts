import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as fontkit from 'fontkit';
import { PNG } from 'pngjs';

/**
 * A round red seal drawn from the unit's name, the way 公章 look (GB/T 9704 §7.3.5 places them; the
 * face follows the usual 单位公章 pattern): a red ring, a five-pointed star in the centre, the unit's name
 * upright along the upper arc, optionally a line under the star (e.g. 公文专用章). Text is drawn as
 * glyph outlines taken from the font with fontkit, so the rasteriser (resvg) needs no system fonts, and the
 * PNG has a transparent background so the seal lies over the 署名 and date.
 */

export const SEAL_RED = '#E60012';

export interface SealImageOptions {
  /** The unit's name, along the arc. */
  name: string;
  /** A line under the star, e.g. "公文专用章". */
  label?: string;
  /** The font to draw the text with (default: Noto Serif SC Bold, a 宋体-style bold face as on 公章). */
  font?: { data: Buffer; family?: string };
  /** Diameter in mm (42 by default, the common 单位印章 size). */
  diameterMm?: number;
  /** Pixels across (600 by default: about 360 dpi at 42 mm). */
  pixels?: number;
  color?: string;
}

interface OutlineFont {
  unitsPerEm: number;
  glyphForCodePoint(cp: number): { path: { toSVG(): string }; bbox: { minX: number; minY: number; maxX: number; maxY: number } };
}

let defaultFont: Buffer | undefined;

/** The seal face: Noto Serif SC Bold from its npm package (the same file libs/pdf uses for 小标宋). */
export function defaultSealFont(): { data: Buffer } {
  defaultFont ??= readFileSync(
    join(dirname(require.resolve('@expo-google-fonts/noto-serif-sc/package.json')), '700Bold/NotoSerifSC_700Bold.ttf'),
  );
  return { data: defaultFont };
}

function openFont(font: SealImageOptions['font'] = defaultSealFont()): OutlineFont {
  const f = fontkit.create(font.data, font.family);
  return ('fonts' in f ? f.fonts[0] : f) as unknown as OutlineFont;
}

const r3 = (v: number): string => String(Math.round(v * 1000) / 1000);

/** One glyph as an SVG path centred on (x, y), `height` mm tall (em), `width` mm wide, rotated by `deg`. */
function glyph(font: OutlineFont, ch: string, x: number, y: number, height: number, width: number, deg: number): string {
  const g = font.glyphForCodePoint(ch.codePointAt(0) as number);
  const em = font.unitsPerEm;
  const cx = (g.bbox.minX + g.bbox.maxX) / 2;
  const cy = (g.bbox.minY + g.bbox.maxY) / 2;
  const sy = height / em;
  const sx = width / em;
  // Font units have y up; SVG has y down.
  const transform = `translate(${r3(x)} ${r3(y)}) rotate(${r3(deg)}) scale(${r3(sx)} ${r3(-sy)}) translate(${r3(-cx)} ${r3(-cy)})`;
  return `<path transform="${transform}" d="${g.path.toSVG()}"/>`;
}

function star(cx: number, cy: number, outer: number): string {
  const inner = outer * 0.382; // a regular pentagram's inner/outer radius ratio
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = (Math.PI / 5) * i - Math.PI / 2;
    pts.push(`${r3(cx + r * Math.cos(a))},${r3(cy + r * Math.sin(a))}`);
  }
  return `<polygon points="${pts.join(' ')}"/>`;
}

/** The seal as SVG (mm user units). */
export function sealSvg(o: SealImageOptions): string {
  const d = o.diameterMm ?? 42;
  const c = d / 2;
  const color = o.color ?? SEAL_RED;
  const font = openFont(o.font);
  const ring = d * 0.03; // 1.2 mm at 42 mm
  const chars = Array.from(o.name.trim());
  if (chars.length === 0) throw new Error('印章名称不能为空');
  const n = chars.length;
  // The name runs over at most 250° of the upper arc.
  const height = Math.min(d * 0.16, d * 0.16 * (n <= 12 ? 1 : 12 / n) ** 0.5);
  const radius = c - ring - d * 0.02 - height / 2;
  // As on real 公章, a name of four characters or more is spread over at least 180°.
  const natural = n > 1 ? ((height * 1.15) / radius) * (n - 1) : 0;
  const span = Math.min((250 * Math.PI) / 180, n >= 4 ? Math.max(Math.PI, natural) : natural);
  const step = n > 1 ? span / (n - 1) : 0;
  const width = Math.min(height, radius * step * 0.92 || height);
  const parts: string[] = [];
  chars.forEach((ch, i) => {
    const a = -span / 2 + i * step; // from the top, clockwise
    parts.push(glyph(font, ch, c + radius * Math.sin(a), c - radius * Math.cos(a), height, width, (a * 180) / Math.PI));
  });
  parts.push(star(c, c, d / 6));
  if (o.label) {
    const lc = Array.from(o.label);
    const lh = d * 0.1;
    const lw = Math.min(lh, (d * 0.5) / lc.length);
    lc.forEach((ch, i) => parts.push(glyph(font, ch, c - ((lc.length - 1) / 2) * lw + i * lw, c + d * 0.29, lh, lw * 0.95, 0)));
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${d}mm" height="${d}mm" viewBox="0 0 ${d} ${d}">`,
    `<circle cx="${r3(c)}" cy="${r3(c)}" r="${r3(c - ring / 2)}" fill="none" stroke="${color}" stroke-width="${r3(ring)}"/>`,
    `<g fill="${color}">${parts.join('')}</g>`,
    '</svg>',
  ].join('');
}

/** The seal as a PNG with a transparent background. */
export function drawSealPng(o: SealImageOptions): Buffer {
  const px = o.pixels ?? 600;
  return Buffer.from(new Resvg(sealSvg(o), { fitTo: { mode: 'width', value: px }, background: 'rgba(0,0,0,0)' }).render().asPng());
}

/**
 * Width and height of a PNG and whether any pixel is transparent, read by decoding it fully (pngjs), so a
 * damaged upload is refused when it is made, not when it is stamped.
 */
export function pngInfo(png: Uint8Array): { width: number; height: number; transparent: boolean } {
  let img: PNG;
  try {
    img = PNG.sync.read(Buffer.from(png));
  } catch {
    throw new Error('印章图片必须是完好的 PNG 文件');
  }
  let transparent = false;
  for (let i = 3; i < img.data.length && !transparent; i += 4) transparent = img.data[i] < 255;
  return { width: img.width, height: img.height, transparent };
}
