import { Face } from './fonts';
import { PdfMetadata } from './types';

/**
 * A typeset document as positioned marks, independent of the output format. The PDF writer (pdfkit) and the
 * OFD writer draw the same layout, so a character sits at the same place in both. Units are PDF points
 * (1/72 inch) measured from the page's top-left corner, y growing downwards.
 */
export interface Layout {
  metadata: PdfMetadata;
  pages: LayoutPage[];
}

export interface LayoutPage {
  /** Page size in points (A4: 595.28 × 841.89). */
  width: number;
  height: number;
  items: LayoutItem[];
}

export type LayoutItem = LayoutText | LayoutRule | LayoutImage | LayoutSealPlace;

/** One run of characters in one face, size and colour; every character carries its own x. */
export interface LayoutText {
  kind: 'text';
  face: Face;
  /** Font size in points. */
  size: number;
  /** CSS hex colour, e.g. '#000000' or '#E60012' (the red of 发文机关标志). */
  color: string;
  /** Baseline, points from the page top. */
  y: number;
  text: string;
  /** Left edge of each character (Array.from(text) order), points from the page's left edge. */
  xs: number[];
}

/** A straight line (separator rules, 版记 rules). */
export interface LayoutRule {
  kind: 'rule';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Stroke width in points. */
  width: number;
  color: string;
}

export interface LayoutImage {
  kind: 'image';
  x: number;
  y: number;
  width: number;
  height: number;
  /** PNG bytes (a seal image has a transparent background). */
  png: Buffer;
}

/**
 * Where a 电子印章 goes per GB/T 9704 §7.3.5 (over the 署名 and 成文日期, 上压下): the centre and the
 * diameter (42 mm by default). Writers draw nothing for it; sealing puts the seal image and, in OFD, the
 * signature's stamp annotation here. One per 署名 (联合行文 has several).
 */
export interface LayoutSealPlace {
  kind: 'seal-place';
  /** Which issuing organ's seal (its name as in the 署名). */
  organ: string;
  cx: number;
  cy: number;
  diameter: number;
}
