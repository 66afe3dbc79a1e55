/**
 * 全局搜索 (GET /api/search): what crosses the wire. Text is plain; highlights are ranges into it, so a client
 * renders marks with its own bindings and never treats user text as markup.
 */
export const SEARCH_KINDS = ['document', 'project', 'filing', 'approval', 'data-request'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SEARCH_KIND_LABELS: Record<SearchKind, string> = {
  document: '公文',
  project: '项目',
  filing: '规划备案',
  approval: '审批案件',
  'data-request': '数据使用申请',
};

/** Shortest and longest query the API accepts (characters, after trimming). */
export const SEARCH_MIN_LENGTH = 2;
export const SEARCH_MAX_LENGTH = 64;
/**
 * Per kind, hits are ranked among the newest this many matches, and counted up to it: a word found in a large part
 * of the records (通知, 土地) is answered from its most recent ones, not by reading them all.
 */
export const SEARCH_CANDIDATES = 500;

/** A highlighted run: [start, end) in UTF-16 code units of the text it belongs to. */
export interface SearchRange {
  start: number;
  end: number;
}

export interface HighlightedText {
  text: string;
  highlights: SearchRange[];
}

export interface SearchHit {
  kind: SearchKind;
  id: string;
  title: HighlightedText;
  /** 文号, 项目编号, 备案号 or 受理编号 when the record has one. */
  number: HighlightedText | null;
  /** A window of the record's text around the first hit (… marks a cut). */
  snippet: HighlightedText;
  /** The web app's route of the record. */
  link: string;
  status: string;
  updatedAt: string;
}

export interface SearchResult {
  query: string;
  /** The query's terms as matched (lower-cased, whitespace-separated). */
  terms: string[];
  total: number;
  /** Hits per kind over the whole result (for the kind filters), at most SEARCH_CANDIDATES each. */
  counts: Record<SearchKind, number>;
  /** Kinds with more matches than SEARCH_CANDIDATES: their count reads "500+", their hits are the newest matches. */
  more: SearchKind[];
  items: SearchHit[];
}

/** Splits a highlighted text into plain runs, marked or not, in order (for rendering). */
export function highlightRuns(value: HighlightedText): { text: string; isHit: boolean }[] {
  const runs: { text: string; isHit: boolean }[] = [];
  let at = 0;
  for (const range of value.highlights) {
    if (range.start > at) runs.push({ text: value.text.slice(at, range.start), isHit: false });
    runs.push({ text: value.text.slice(range.start, range.end), isHit: true });
    at = range.end;
  }
  if (at < value.text.length) runs.push({ text: value.text.slice(at), isHit: false });
  return runs;
}
