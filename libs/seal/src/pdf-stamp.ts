import { PDFDocument } from 'pdf-lib';

const MM_TO_PT = 72 / 25.4;

/**
 * Puts the seal image on a PDF at each place ([x, y, w, h] in mm from the page's top-left), over what is
 * there (上压下: the seal lies on the 署名 and date). The rest of the file is kept as it was rendered,
 * document information included.
 */
export async function stampPdf(
  pdf: Uint8Array,
  png: Uint8Array,
  places: { page: number; boundary: [number, number, number, number] }[],
): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const image = await doc.embedPng(png);
  const pages = doc.getPages();
  for (const p of places) {
    const page = pages[p.page];
    if (!page) throw new Error(`PDF 没有第 ${p.page + 1} 页`);
    const [x, y, w, h] = p.boundary.map((v) => v * MM_TO_PT);
    page.drawImage(image, { x, y: page.getHeight() - y - h, width: w, height: h });
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
