// Minimal typings for the parts of fontkit (pdfkit's font engine) and wawoff2 that the layouts use;
// neither package ships its own.
declare module 'fontkit' {
  export interface Glyph {
    id: number;
    advanceWidth: number;
  }
  export interface Font {
    familyName: string;
    postscriptName: string;
    unitsPerEm: number;
    ascent: number;
    descent: number;
    hasGlyphForCodePoint(codePoint: number): boolean;
    glyphForCodePoint(codePoint: number): Glyph;
  }
  export function create(data: Buffer | Uint8Array, postscriptName?: string): Font | { fonts: Font[] };
}
declare module 'wawoff2' {
  export function decompress(data: Uint8Array): Promise<Uint8Array>;
}
