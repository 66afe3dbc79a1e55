import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PdfText {
  pages: { width: number; height: number; items: { str: string; x: number; baseline: number }[] }[];
}

/** Text items of a PDF with positions (points from the top-left), read by pdfjs-dist in a child process. */
export function pdfText(pdf: Buffer): PdfText {
  const dir = mkdtempSync(join(tmpdir(), 'zw-ofd-'));
  try {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    const out = execFileSync(process.execPath, [join(__dirname, 'pdf-text.mjs'), file], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(out.toString('utf8')) as PdfText;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
