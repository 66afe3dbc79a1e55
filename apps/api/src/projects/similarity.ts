/**
 * Character-bigram Jaccard similarity: works for Chinese text, where words are not separated by
 * spaces (pg_trgm ignores CJK characters under the C locale of the embedded PostgreSQL).
 */
export function bigrams(text: string): Set<string> {
  const chars = [...text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')];
  const grams = new Set<string>();
  if (chars.length === 1) grams.add(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) grams.add(chars[i] + chars[i + 1]);
  return grams;
}

export function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const gram of x) if (y.has(gram)) shared++;
  return shared / (x.size + y.size - shared);
}

/** Names are short: half of the bigrams in common is already the same project under another name. */
export const NAME_THRESHOLD = 0.5;
export const CONTENT_THRESHOLD = 0.4;
