import { HttpStatus, Injectable } from '@nestjs/common';
import { SEARCH_CANDIDATES, SEARCH_KINDS, SEARCH_MIN_LENGTH, type SearchHit, type SearchKind, type SearchResult } from '@zhengwu/contracts';
import type { Principal } from '../identity/principal';
import { AppError } from '../platform/errors';
import { highlight, searchTerms, snippet } from './highlight';
import type { SearchQuery } from './search.dto';
import { SearchRepository, type HitRecord } from './search.repository';

const LINKS: Record<SearchKind, string> = {
  document: '/documents',
  project: '/projects',
  filing: '/filings',
  approval: '/approvals',
  'data-request': '/data-requests',
};

/** At most this many terms: each costs a bigram lookup and a re-check per candidate. */
const MAX_TERMS = 8;

/**
 * 全局搜索 over documents, projects, filings, approvals and data requests, each under its feature's own visibility
 * rule. Records match when every term occurs in them (title, number or text); hits carry plain text and ranges.
 */
@Injectable()
export class SearchService {
  constructor(private readonly repository: SearchRepository) {}

  async search(me: Principal, query: SearchQuery): Promise<SearchResult> {
    const raw = query.q.trim();
    // Terms as typed go to SQL (which lower-cases with the database's rules); lower-cased ones to highlighting.
    const typed = [...new Set(raw.split(/\s+/u).filter((t) => t.length > 0))];
    if ([...raw].length < SEARCH_MIN_LENGTH || !typed.some((t) => [...t].length >= SEARCH_MIN_LENGTH)) {
      throw new AppError(
        'SEARCH_QUERY_TOO_SHORT',
        `搜索词至少 ${SEARCH_MIN_LENGTH} 个字（多个词时至少一个词 ${SEARCH_MIN_LENGTH} 个字）`,
        HttpStatus.BAD_REQUEST,
        [{ field: 'q', message: `至少 ${SEARCH_MIN_LENGTH} 个字` }],
      );
    }
    if (typed.length > MAX_TERMS) {
      throw new AppError('SEARCH_TOO_MANY_TERMS', `搜索词最多 ${MAX_TERMS} 个（以空格分隔）`, HttpStatus.BAD_REQUEST, [
        { field: 'q', message: `最多 ${MAX_TERMS} 个词` },
      ]);
    }
    const terms = searchTerms(raw);
    const { keys, counts } = await this.repository.find(me, typed, { kind: query.kind, limit: query.limit, offset: query.offset });
    const records = await this.repository.load(keys);
    const byKey = new Map(records.map((r) => [`${r.kind}:${r.id}`, r]));
    const items = keys.flatMap((key) => {
      const record = byKey.get(`${key.kind}:${key.id}`);
      return record ? [toHit(record, terms)] : [];
    });
    const more = SEARCH_KINDS.filter((kind) => (counts[kind] ?? 0) > SEARCH_CANDIDATES);
    const allCounts = Object.fromEntries(SEARCH_KINDS.map((kind) => [kind, Math.min(counts[kind] ?? 0, SEARCH_CANDIDATES)])) as Record<
      SearchKind,
      number
    >;
    const total = query.kind ? allCounts[query.kind] : Object.values(allCounts).reduce((a, b) => a + b, 0);
    return { query: raw, terms, total, counts: allCounts, more, items };
  }
}

function toHit(record: HitRecord, terms: string[]): SearchHit {
  return {
    kind: record.kind,
    id: record.id,
    title: highlight(record.title, terms),
    number: record.number ? highlight(record.number, terms) : null,
    snippet: snippet(record.body, terms),
    link: `${LINKS[record.kind]}/${record.id}`,
    status: record.status,
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}
