import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

/**
 * The four faces GB/T 9704-2012 asks for (§5.2: 小标宋 for 标志 and 标题, 仿宋 for the text, 黑体 and 楷体
 * for headings and 签发人). An office drops its licensed files into the folder named by FONT_DIR; without
 * them the bundled free faces stand in (see libs/pdf/README.md):
 * - xbs (小标宋): Noto Serif SC Bold
 * - fs (仿宋): Noto Serif SC Regular — no free simplified 仿宋 exists on npm or in Debian
 * - ht (黑体): Noto Sans SC Regular
 * - kt (楷体): LXGW WenKai Regular (npm `lxgw-wenkai-webfont`, WOFF2 subsets merged into one TrueType file)
 */
export type Face = 'xbs' | 'fs' | 'ht' | 'kt';
export const FACES: Face[] = ['xbs', 'fs', 'ht', 'kt'];

/** The font file behind a face, for writers that embed it (pdfkit here, the OFD writer). */
export interface FaceFont {
  face: Face;
  /** The whole font file (TTF/OTF, or a TTC holding `postscriptName`). */
  data: Buffer;
  /** Where it came from (for the merged LXGW WenKai: the cached merged file). */
  path: string;
  /** The font's own family name (name ID 1), e.g. "FangSong_GB2312" or "Noto Serif SC". */
  family: string;
  /** PostScript name (name ID 6); selects the font inside a .ttc. */
  postscriptName: string;
  /** True when the file is a collection (.ttc) and `postscriptName` picks the member. */
  collection: boolean;
  /** 'folder' = the office's licensed font from FONT_DIR; 'bundled' = the free default. */
  source: 'folder' | 'bundled' | 'system';
}

/**
 * File names looked for in FONT_DIR, best first, compared case-insensitively. The family names are matched
 * against each font's own name table (English and Chinese names) when no file name matches.
 */
export const LICENSED_FACES: Record<Face, { files: string[]; families: string[] }> = {
  xbs: {
    files: ['方正小标宋简体.ttf', 'FZXBSJW.TTF', 'FZXBSJW--GB1-0.ttf', 'FZXiaoBiaoSong-B05S.ttf', '方正小标宋_GBK.ttf', 'FZXBSK.TTF'],
    families: ['方正小标宋简体', 'FZXiaoBiaoSong-B05S', 'FZXBSJW--GB1-0', '方正小标宋_GBK', 'FZXiaoBiaoSong-B05'],
  },
  fs: {
    files: ['仿宋_GB2312.ttf', 'FangSong_GB2312.ttf', 'FS_GB2312.ttf', 'simfang.ttf', '方正仿宋_GBK.ttf', 'FZFSK.TTF'],
    families: ['仿宋_GB2312', 'FangSong_GB2312', '仿宋', 'FangSong', '方正仿宋_GBK', 'FZFangSong-Z02'],
  },
  kt: {
    files: ['楷体_GB2312.ttf', 'KaiTi_GB2312.ttf', 'KT_GB2312.ttf', 'simkai.ttf', '方正楷体_GBK.ttf', 'FZKTK.TTF'],
    families: ['楷体_GB2312', 'KaiTi_GB2312', '楷体', 'KaiTi', '方正楷体_GBK', 'FZKai-Z03'],
  },
  ht: {
    files: ['黑体.ttf', 'simhei.ttf', 'SimHei.ttf', '方正黑体_GBK.ttf', 'FZHTK.TTF'],
    families: ['黑体', 'SimHei', '方正黑体_GBK', 'FZHei-B01'],
  },
};

const SERIF = '@expo-google-fonts/noto-serif-sc';
const SANS = '@expo-google-fonts/noto-sans-sc';
const WENKAI = 'lxgw-wenkai-webfont';

const BUNDLED: Record<Exclude<Face, 'kt'>, [string, string]> = {
  xbs: [SERIF, '700Bold/NotoSerifSC_700Bold.ttf'],
  fs: [SERIF, '400Regular/NotoSerifSC_400Regular.ttf'],
  ht: [SANS, '400Regular/NotoSansSC_400Regular.ttf'],
};

/** System files tried when an npm package is missing (Debian fonts-noto-cjk, fonts-lxgw-wenkai). */
const SYSTEM: Record<Face, { path: string; postscriptName: string }[]> = {
  xbs: [{ path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc', postscriptName: 'NotoSerifCJKsc-Bold' }],
  fs: [{ path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', postscriptName: 'NotoSerifCJKsc-Regular' }],
  ht: [{ path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' }],
  kt: [{ path: '/usr/share/fonts/truetype/lxgw/LXGWWenKai-Regular.ttf', postscriptName: 'LXGWWenKai-Regular' }],
};

/** The font folder in force: FONT_DIR, read at each call so a process (or a test) can change it. */
export function fontDir(): string | undefined {
  const dir = process.env.FONT_DIR?.trim();
  return dir ? dir : undefined;
}

function packageRoot(pkg: string): string | null {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
}

function packageFile(pkg: string, rel: string): string | null {
  const root = packageRoot(pkg);
  if (!root) return null;
  const file = join(root, rel);
  return existsSync(file) ? file : null;
}

type FkFont = fontkit.Font;
interface FkCollection {
  fonts: FkFont[];
}

/** Every font in a file (one, or the members of a .ttc). */
function fontsIn(data: Buffer): FkFont[] {
  const f = fontkit.create(data) as FkFont | FkCollection;
  return 'fonts' in f ? f.fonts : [f];
}

/** The family names a font gives itself in any language (name ID 1, and the typographic family ID 16). */
function familyNames(font: FkFont): string[] {
  const records = (font as unknown as { name?: { records?: Record<string, Record<string, string> | string> } }).name?.records;
  const out = new Set<string>([font.familyName, font.postscriptName]);
  for (const key of ['fontFamily', 'preferredFamily', 'fullName']) {
    const v = records?.[key];
    if (typeof v === 'string') out.add(v);
    else if (v) for (const s of Object.values(v)) out.add(s);
  }
  return [...out].filter(Boolean);
}

function describe(face: Face, path: string, data: Buffer, source: FaceFont['source'], font: FkFont, collection: boolean): FaceFont {
  return { face, data, path, family: font.familyName, postscriptName: font.postscriptName, collection, source };
}

/** The office's licensed font for a face in `dir`: by file name first, then by the font's own family name. */
function fromFolder(face: Face, dir: string): FaceFont | null {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => /\.(ttf|otf|ttc)$/i.test(f));
  } catch {
    return null;
  }
  const want = LICENSED_FACES[face];
  for (const name of want.files) {
    const hit = entries.find((e) => e.toLowerCase() === name.toLowerCase());
    if (!hit) continue;
    const path = join(dir, hit);
    const data = readFileSync(path);
    const fonts = fontsIn(data);
    return describe(face, path, data, 'folder', fonts[0], fonts.length > 1 || /\.ttc$/i.test(hit));
  }
  const wanted = new Set(want.families.map((f) => f.toLowerCase()));
  for (const e of entries.sort()) {
    const path = join(dir, e);
    let data: Buffer;
    let fonts: FkFont[];
    try {
      data = readFileSync(path);
      fonts = fontsIn(data);
    } catch {
      continue; // not a font fontkit can read: skip it rather than fail the document
    }
    for (const font of fonts) {
      if (familyNames(font).some((n) => wanted.has(n.toLowerCase()))) {
        return describe(face, path, data, 'folder', font, fonts.length > 1);
      }
    }
  }
  return null;
}

/** Where the merged LXGW WenKai is kept between processes (merging the 97 WOFF2 subsets takes seconds). */
function wenkaiCachePath(root: string): string {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const key = createHash('sha1').update(root).digest('hex').slice(0, 8);
  return join(tmpdir(), 'zhengwu-fonts', `LXGWWenKai-Regular-${version}-${key}.ttf`);
}

/**
 * LXGW WenKai from npm. Every npm package of it ships only WOFF2 files split by Unicode range (97 for the
 * regular weight), which pdfkit cannot embed as they are (fontkit reads WOFF2 but its subsetter copies
 * the transformed glyf table, so the glyphs come out empty). So the subsets are decompressed to
 * TrueType (wawoff2, Google's decoder compiled to WebAssembly) and merged into one font (fonteditor-core),
 * once, into a cache file.
 */
async function buildWenkai(): Promise<string | null> {
  const root = packageRoot(WENKAI);
  if (!root) return null;
  const cache = wenkaiCachePath(root);
  if (existsSync(cache) && statSync(cache).size > 1_000_000) return cache;
  const dir = join(root, 'files');
  const parts = readdirSync(dir)
    .filter((f) => /^lxgwwenkai-regular-subset-\d+\.woff2$/.test(f))
    .sort((a, b) => Number(/(\d+)\.woff2$/.exec(a)![1]) - Number(/(\d+)\.woff2$/.exec(b)![1]));
  if (!parts.length) return null;
  // Loaded only here: both bring WebAssembly or large code that most processes never need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { decompress } = require('wawoff2') as typeof import('wawoff2');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Font } = require('fonteditor-core') as typeof import('fonteditor-core');
  let merged: ReturnType<typeof Font.create> | null = null;
  for (const p of parts) {
    const ttf = Buffer.from(await decompress(readFileSync(join(dir, p))));
    const font = Font.create(ttf, { type: 'ttf' });
    if (!merged) merged = font;
    else merged.merge(font, { scale: 1 });
  }
  const out = merged!.write({ type: 'ttf', toBuffer: true }) as unknown as Buffer;
  try {
    mkdirSync(dirname(cache), { recursive: true });
    // Write then rename, so a concurrent process never reads half a file.
    const tmp = `${cache}.${process.pid}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, cache);
  } catch {
    // A read-only temp dir: keep the font in memory for this process.
    wenkaiMemory = out;
  }
  return cache;
}

/** The merged font when the cache file could not be written. */
let wenkaiMemory: Buffer | null = null;

let wenkaiPath: string | null | undefined;

/**
 * Makes every face loadable synchronously: builds the merged LXGW WenKai when no licensed 楷体 is in the
 * font folder. Every render function awaits this first.
 */
export async function prepareFonts(): Promise<void> {
  const dir = fontDir();
  if (dir && fromFolderCached('kt', dir)) return;
  if (wenkaiPath === undefined) wenkaiPath = await buildWenkai();
}

const folderCache = new Map<string, FaceFont | null>();
function fromFolderCached(face: Face, dir: string): FaceFont | null {
  const key = `${face}\0${dir}`;
  if (!folderCache.has(key)) folderCache.set(key, fromFolder(face, dir));
  return folderCache.get(key)!;
}

const bundledCache = new Map<Face, FaceFont>();

function bundled(face: Face): FaceFont {
  const hit = bundledCache.get(face);
  if (hit) return hit;
  const candidates: { path: string; postscriptName?: string; source: FaceFont['source'] }[] = [];
  if (face === 'kt') {
    if (wenkaiPath) candidates.push({ path: wenkaiPath, source: 'bundled' });
  } else {
    const file = packageFile(...BUNDLED[face]);
    if (file) candidates.push({ path: file, source: 'bundled' });
  }
  candidates.push(...SYSTEM[face].map((s) => ({ ...s, source: 'system' as const })));
  // Last resort for 楷体: a heavier weight of the serif, kept distinct from the 仿宋 body.
  if (face === 'kt') {
    const semi = packageFile(SERIF, '600SemiBold/NotoSerifSC_600SemiBold.ttf');
    if (semi) candidates.push({ path: semi, source: 'bundled' });
  }
  for (const c of candidates) {
    const inMemory = face === 'kt' && c.path === wenkaiPath && wenkaiMemory;
    if (!inMemory && !existsSync(c.path)) continue;
    const data = inMemory ? wenkaiMemory! : readFileSync(c.path);
    const fonts = fontsIn(data);
    const font = (c.postscriptName && fonts.find((f) => f.postscriptName === c.postscriptName)) || fonts[0];
    const loaded = describe(face, c.path, data, c.source, font, fonts.length > 1);
    bundledCache.set(face, loaded);
    return loaded;
  }
  throw new Error(`找不到中文字体（${face}）：请运行 npm install 安装 ${SERIF}、${SANS} 与 ${WENKAI}，或安装系统字体 fonts-noto-cjk`);
}

/**
 * The font file used for a face: the office's licensed one from FONT_DIR when present, else the bundled
 * free face. Call `prepareFonts()` once before (render functions do).
 */
export function faceFont(face: Face): FaceFont {
  const dir = fontDir();
  if (dir) {
    const own = fromFolderCached(face, dir);
    if (own) return own;
  }
  return bundled(face);
}

/** All four faces at once (what an embedding writer needs). */
export async function faceFonts(): Promise<Record<Face, FaceFont>> {
  await prepareFonts();
  return { xbs: faceFont('xbs'), fs: faceFont('fs'), ht: faceFont('ht'), kt: faceFont('kt') };
}

const metricCache = new Map<string, FkFont>();

/** The parsed font of a face, for measuring (advance widths) in the layout. */
export function faceMetrics(face: Face): FkFont {
  const f = faceFont(face);
  const key = `${f.path}\0${f.postscriptName}`;
  let font = metricCache.get(key);
  if (!font) {
    const fonts = fontsIn(f.data);
    font = fonts.find((x) => x.postscriptName === f.postscriptName) ?? fonts[0];
    metricCache.set(key, font);
  }
  return font;
}

/** Registers every face on a pdfkit document under its Face name. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const face of FACES) {
    const f = faceFont(face);
    if (f.collection) doc.registerFont(face, f.data, f.postscriptName);
    else doc.registerFont(face, f.data);
  }
}
