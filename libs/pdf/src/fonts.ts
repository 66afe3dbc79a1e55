import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The faces GB/T 9704 asks for, mapped to free fonts (see libs/pdf/README.md):
 * - xbs (小标宋): Noto Serif SC Bold
 * - fs (仿宋): Noto Serif SC Regular — no free simplified 仿宋 exists
 * - ht (黑体): Noto Sans SC Regular
 * - kt (楷体): AR PL UKai / LXGW WenKai when the system has them, else Noto Serif SC SemiBold
 *   so that 楷体 text still stands apart from the 仿宋 body.
 */
export type Face = 'xbs' | 'fs' | 'ht' | 'kt';

interface FontSource {
  /** A file inside an npm font package: [package, relative path]. */
  npm?: [string, string];
  /** System files tried when the package is missing (e.g. Debian fonts-noto-cjk). */
  system: { path: string; family?: string }[];
}

const SERIF = '@expo-google-fonts/noto-serif-sc';
const SANS = '@expo-google-fonts/noto-sans-sc';
const NOTO_SERIF_TTC = '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc';
const NOTO_SERIF_BOLD_TTC = '/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc';
const NOTO_SANS_TTC = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

const SOURCES: Record<Face, FontSource[]> = {
  xbs: [
    { npm: [SERIF, '700Bold/NotoSerifSC_700Bold.ttf'], system: [] },
    { system: [{ path: NOTO_SERIF_BOLD_TTC, family: 'NotoSerifCJKsc-Bold' }] },
  ],
  fs: [
    { npm: [SERIF, '400Regular/NotoSerifSC_400Regular.ttf'], system: [] },
    { system: [{ path: NOTO_SERIF_TTC, family: 'NotoSerifCJKsc-Regular' }] },
  ],
  ht: [
    { npm: [SANS, '400Regular/NotoSansSC_400Regular.ttf'], system: [] },
    { system: [{ path: NOTO_SANS_TTC, family: 'NotoSansCJKsc-Regular' }] },
  ],
  kt: [
    {
      system: [
        { path: '/usr/share/fonts/truetype/lxgw/LXGWWenKai-Regular.ttf' },
        { path: '/usr/share/fonts/truetype/arphic/ukai.ttc', family: 'ARPLUKaiCN' },
      ],
    },
    { npm: [SERIF, '600SemiBold/NotoSerifSC_600SemiBold.ttf'], system: [] },
  ],
};

export interface LoadedFont {
  data: Buffer;
  /** PostScript name inside a collection (.ttc); undefined for single fonts. */
  family?: string;
  file: string;
}

const cache = new Map<Face, LoadedFont>();

function packageFile(pkg: string, rel: string): string | null {
  try {
    const root = dirname(require.resolve(`${pkg}/package.json`));
    const file = join(root, rel);
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** The font file for a face, read once per process (the TTFs are 10–15 MB; only subsets are embedded). */
export function loadFont(face: Face): LoadedFont {
  const hit = cache.get(face);
  if (hit) return hit;
  for (const source of SOURCES[face]) {
    const candidates: { path: string; family?: string }[] = [];
    if (source.npm) {
      const file = packageFile(source.npm[0], source.npm[1]);
      if (file) candidates.push({ path: file });
    }
    candidates.push(...source.system);
    for (const c of candidates) {
      if (!existsSync(c.path)) continue;
      const loaded: LoadedFont = { data: readFileSync(c.path), family: c.family, file: c.path };
      cache.set(face, loaded);
      return loaded;
    }
  }
  throw new Error(`找不到中文字体（${face}）：请运行 npm install 安装 ${SERIF} 与 ${SANS}，或安装系统字体 fonts-noto-cjk`);
}

/** Registers every face on a pdfkit document under its Face name. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const face of Object.keys(SOURCES) as Face[]) {
    const f = loadFont(face);
    if (f.family) doc.registerFont(face, f.data, f.family);
    else doc.registerFont(face, f.data);
  }
}
