import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Font } from 'fonteditor-core';
import { faceFont, faceFonts } from './fonts';
import { renderOfficialDocument } from './official-document';
import { extractPdf } from './testing/extract';
import { sampleDocument } from './testing/samples';

/**
 * The font folder (FONT_DIR): an office's licensed faces are found by file name or by the font's own
 * family name, and the PDF names the faces actually used. The "licensed" fonts here are subsets of the
 * bundled free fonts renamed in their name tables, so the test needs nothing but npm packages.
 */
describe('font folder (FONT_DIR)', () => {
  const doc = sampleDocument(0, {
    copyNumber: undefined,
    secrecy: '非密',
    urgency: '平急',
    body: '一、总体要求\n（一）工作目标。做好工作。',
    attachments: [],
    cc: [],
    note: undefined,
  });
  let dir: string;
  const saved = process.env.FONT_DIR;

  /** A subset of `source` holding the document's characters, calling itself `family`. */
  function renamed(source: string, family: string): Buffer {
    const chars = new Set<number>();
    for (const s of JSON.stringify(doc) + '— 0123456789年月日印发') for (const c of s) chars.add(c.codePointAt(0)!);
    const font = Font.create(readFileSync(source), { type: 'ttf', subset: [...chars] });
    const name = font.get().name;
    name.fontFamily = family;
    name.fullName = family;
    name.postScriptName = family;
    return font.write({ type: 'ttf', toBuffer: true }) as unknown as Buffer;
  }

  beforeAll(async () => {
    await faceFonts(); // the bundled faces, before the folder is set
    dir = mkdtempSync(join(tmpdir(), 'zw-fonts-'));
    const sans = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
    const serif = require.resolve('@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf');
    // Matched by file name: simhei.ttf is 黑体 whatever it calls itself.
    writeFileSync(join(dir, 'simhei.ttf'), renamed(sans, 'SimHei'));
    // Matched by its own family name only: the file name says nothing.
    writeFileSync(join(dir, 'office-font-1.ttf'), renamed(serif, 'FangSong_GB2312'));
    // Not a font at all: skipped.
    writeFileSync(join(dir, 'readme.ttf'), 'not a font');
  }, 120000);

  afterAll(() => {
    if (saved === undefined) delete process.env.FONT_DIR;
    else process.env.FONT_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the bundled free faces when the folder is not set, and names them in the PDF', async () => {
    delete process.env.FONT_DIR;
    expect(faceFont('fs').source).toBe('bundled');
    const pdf = extractPdf(await renderOfficialDocument(doc));
    const names = pdf.fonts.map((f) => f.replace(/^[A-Z]{6}\+/, ''));
    expect(names).toEqual(expect.arrayContaining(['NotoSerifSC-Regular', 'NotoSerifSC-Bold', 'NotoSansSC-Regular', 'LXGWWenKai-Regular']));
  }, 60000);

  it('uses the licensed faces found in the folder, by file name and by family name, the rest stays bundled', async () => {
    process.env.FONT_DIR = dir;
    expect(faceFont('ht')).toMatchObject({ source: 'folder', family: 'SimHei', path: join(dir, 'simhei.ttf') });
    expect(faceFont('fs')).toMatchObject({ source: 'folder', family: 'FangSong_GB2312', path: join(dir, 'office-font-1.ttf') });
    expect(faceFont('kt').source).toBe('bundled');
    const pdf = extractPdf(await renderOfficialDocument(doc));
    const names = pdf.fonts.map((f) => f.replace(/^[A-Z]{6}\+/, ''));
    expect(names).toEqual(expect.arrayContaining(['SimHei', 'FangSong_GB2312', 'NotoSerifSC-Bold', 'LXGWWenKai-Regular']));
    expect(names).not.toContain('NotoSerifSC-Regular');
    expect(names).not.toContain('NotoSansSC-Regular');
    // Text set in the folder's faces still reads back.
    const text = pdf.pages[0].items.map((i) => i.str).join('');
    expect(text).toContain('总体要求');
  }, 60000);
});
