// Prints where each image is painted on each page of a PDF (path in argv[2]), read with pdfjs-dist, as JSON:
// [x, y, width, height] in points from the page's top-left, from the current transformation matrix at
// paintImageXObject (the unit square of the image). Its own process: pdfjs-dist is ESM-only.
import { readFileSync } from 'node:fs';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

const pdf = await getDocument({ data: new Uint8Array(readFileSync(process.argv[2])), verbosity: 0 }).promise;
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.getPage(n);
  const height = page.view[3];
  const ops = await page.getOperatorList();
  const images = [];
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack = [];
  const mul = (m, k) => [
    m[0] * k[0] + m[1] * k[2],
    m[0] * k[1] + m[1] * k[3],
    m[2] * k[0] + m[3] * k[2],
    m[2] * k[1] + m[3] * k[3],
    m[4] * k[0] + m[5] * k[2] + k[4],
    m[4] * k[1] + m[5] * k[3] + k[5],
  ];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = mul(ops.argsArray[i], ctm);
    else if (fn === OPS.paintImageXObject) images.push([ctm[4], height - ctm[5] - ctm[3], ctm[0], ctm[3]]);
  }
  pages.push(images);
}
process.stdout.write(JSON.stringify(pages));
