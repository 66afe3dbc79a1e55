// Renders pages of a PDF to PNG for a person to look at: node render-png.mjs in.pdf out-prefix [scale].
// Uses pdfjs-dist with @napi-rs/canvas (its optional Node dependency); not used by the tests.
import { readFileSync, writeFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createCanvas } from '@napi-rs/canvas';

const [input, prefix, scale = '1.5'] = process.argv.slice(2);
const pdf = await getDocument({ data: new Uint8Array(readFileSync(input)), verbosity: 0 }).promise;
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.getPage(n);
  const viewport = page.getViewport({ scale: Number(scale) });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: ctx, canvas, viewport }).promise;
  const out = `${prefix}-${n}.png`;
  writeFileSync(out, canvas.toBuffer('image/png'));
  console.log(out);
}
