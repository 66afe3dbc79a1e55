// The picture check: renders page 1 of a PDF to PNG at a given width with pdfjs-dist and @napi-rs/canvas
// (a prebuilt Skia binary from npm: works on a fresh machine with Node only) and compares it with a
// reference PNG. Usage: node picture.mjs in.pdf ref.png width [--update]. Prints JSON
// {width, height, refWidth, refHeight, differing, meanDiff}: `differing` is the share of pixels whose
// colour differs by more than 64 in some channel, `meanDiff` the mean absolute difference (0–255).
import { readFileSync, writeFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createCanvas, loadImage } from '@napi-rs/canvas';

const [input, ref, widthArg, flag] = process.argv.slice(2);
const pdf = await getDocument({ data: new Uint8Array(readFileSync(input)), verbosity: 0 }).promise;
const page = await pdf.getPage(1);
const base = page.getViewport({ scale: 1 });
const viewport = page.getViewport({ scale: Number(widthArg) / base.width });
const canvas = createCanvas(Math.round(viewport.width), Math.round(viewport.height));
const ctx = canvas.getContext('2d');
ctx.fillStyle = '#ffffff';
ctx.fillRect(0, 0, canvas.width, canvas.height);
await page.render({ canvasContext: ctx, canvas, viewport }).promise;
if (flag === '--update') writeFileSync(ref, canvas.toBuffer('image/png'));
const img = await loadImage(readFileSync(ref));
const out = { width: canvas.width, height: canvas.height, refWidth: img.width, refHeight: img.height, differing: 1, meanDiff: 255 };
if (img.width === canvas.width && img.height === canvas.height) {
  const refCanvas = createCanvas(img.width, img.height);
  const rctx = refCanvas.getContext('2d');
  rctx.drawImage(img, 0, 0);
  const a = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const b = rctx.getImageData(0, 0, img.width, img.height).data;
  let differing = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    const d = Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2]));
    sum += d;
    if (d > 64) differing++;
  }
  out.differing = differing / (a.length / 4);
  out.meanDiff = sum / (a.length / 4);
}
process.stdout.write(JSON.stringify(out));
