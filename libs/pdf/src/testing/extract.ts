import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TextItem {
  str: string;
  x: number;
  /** Baseline, in points from the top of the page. */
  baseline: number;
  width: number;
  size: number;
  /** pdfjs's id of the font the item is set in (differs per embedded font). */
  font: string;
}

export interface Shape {
  fill: string | null;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
}

export interface ExtractedPage {
  number: number;
  width: number;
  height: number;
  items: TextItem[];
  shapes: Shape[];
}

export interface Extracted {
  info: Record<string, string>;
  pages: ExtractedPage[];
  fonts: string[];
  /** The header's version, e.g. "1.7". */
  version: string | null;
  /** The XMP metadata as pdfjs parsed it: dc:title, dc:creator, dc:description, dc:subject, … */
  xmp: Record<string, unknown> | null;
}

const SCRIPT = join(__dirname, 'extract-pdf.mjs');

/** Text with positions, filled shapes, info and font names of a PDF, read back with pdfjs-dist. */
export function extractPdf(pdf: Buffer): Extracted {
  const dir = mkdtempSync(join(tmpdir(), 'zw-pdf-'));
  try {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    const out = execFileSync(process.execPath, [SCRIPT, file], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(out.toString('utf8')) as Extracted;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const toMm = (pt: number): number => (pt * 25.4) / 72;

/** A visual line: items sharing a baseline, joined left to right. */
export interface TextLine {
  text: string;
  x: number;
  right: number;
  baseline: number;
  size: number;
}

export function linesOf(page: ExtractedPage): TextLine[] {
  const rows: TextItem[][] = [];
  for (const it of [...page.items].sort((a, b) => a.baseline - b.baseline || a.x - b.x)) {
    const row = rows.find((r) => Math.abs(r[0].baseline - it.baseline) < 0.5);
    if (row) row.push(it);
    else rows.push([it]);
  }
  return rows.map((r) => {
    r.sort((a, b) => a.x - b.x);
    return {
      text: r
        .map((i) => i.str)
        .join('')
        .trim(),
      x: r[0].x,
      right: Math.max(...r.map((i) => i.x + i.width)),
      baseline: r[0].baseline,
      size: Math.max(...r.map((i) => i.size)),
    };
  });
}

const PICTURE = join(__dirname, 'picture.mjs');

export interface PictureDiff {
  width: number;
  height: number;
  refWidth: number;
  refHeight: number;
  /** Share of pixels differing by more than 64 in some channel. */
  differing: number;
  meanDiff: number;
}

/**
 * Renders page 1 at `width` pixels and compares it with the reference PNG; with `update` the reference
 * is written first (UPDATE_PICTURES=1 when a layout change is intended).
 */
export function comparePicture(pdf: Buffer, reference: string, width: number, update = false): PictureDiff {
  const dir = mkdtempSync(join(tmpdir(), 'zw-pic-'));
  try {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    const args = [PICTURE, file, reference, String(width), ...(update ? ['--update'] : [])];
    return JSON.parse(execFileSync(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }).toString('utf8')) as PictureDiff;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
