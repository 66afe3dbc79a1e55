// Prints the text items of a PDF (path in argv[2]) read with pdfjs-dist, as JSON: per page its size and
// every item's string, left x and baseline in points from the page's top-left corner. Runs as its own
// process because pdfjs-dist is ESM-only and jest's module loader cannot import it.
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const pdf = await getDocument({ data: new Uint8Array(readFileSync(process.argv[2])), verbosity: 0, disableFontFace: true }).promise;
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.getPage(n);
  const [, , width, height] = page.view;
  const content = await page.getTextContent();
  const items = content.items
    .filter((it) => 'str' in it && it.str.length > 0)
    .map((it) => ({ str: it.str, x: it.transform[4], baseline: height - it.transform[5] }));
  pages.push({ width, height, items });
}
process.stdout.write(JSON.stringify({ pages }));
