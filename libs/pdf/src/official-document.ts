import { drawLayout } from './draw';
import { layoutOfficialDocument } from './official-layout';
import { OfficialDocument } from './types';

export { GBT9704, LINE, RIGHT, BOTTOM, SPACING, CH, gridBaseline, layoutOfficialDocument, breakTitle, formatOf } from './official-layout';

/** 公文 per GB/T 9704-2012: the layout (official-layout.ts) drawn with pdfkit. */
export async function renderOfficialDocument(d: OfficialDocument): Promise<Buffer> {
  return drawLayout(await layoutOfficialDocument(d));
}
