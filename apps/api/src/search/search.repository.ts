import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SEARCH_CANDIDATES, type SearchKind } from '@zhengwu/contracts';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { Gate } from '../platform/gate';
import { documentScopeIndexedSql, documentScopeSql } from '../documents/document-scope';
import { dataScopeIndexedSql, dataScopeParams, dataScopeSql, subtreeUnitIds } from '../identity/data-scope';
import type { Principal } from '../identity/principal';
import { projectScopeSql, seesWholeLedger } from '../projects/ledger-scope';

/**
 * One searchable record kind. `text` must be the very expression its search_grams column is generated from
 * (migrations/1765600001100-search.ts): the bigram index narrows, strpos over `text` decides.
 * Bind order in every statement: one parameter per term ($1…), then — when the kind has a scope for this person — the
 * escaped unit path + '%' and the person's unit id; a statement through the bigram index adds the terms joined by
 * spaces last, one through the scope's indexes the ids of the person's subtree (uuid[]) last.
 */
interface Source {
  kind: SearchKind;
  /** The table; every expression below names its row `d`. */
  table: string;
  text: string;
  title: string;
  number: string;
  body: string;
  status: string;
  /** The feature's own visibility rule (shared with its list and get), or null when the person sees every record of the kind. */
  scope: string | null;
  /** The same rule in a form the table's indexes answer (unit, addressed-unit, 会签 and receipt indexes), where there is one. */
  indexedScope?: string;
}

export interface HitKey {
  kind: SearchKind;
  id: string;
}

export interface HitRecord extends HitKey {
  title: string;
  number: string | null;
  body: string;
  status: string;
  updatedAt: Date;
}

/**
 * The owning unit's path as a per-row lookup rather than a join: without the join the planner can walk a table's
 * updated_at index and stop at the newest matches (a join made it read all 100,000 documents for a common word).
 */
function unitPathOf(alias: string): string {
  return `(SELECT su.path FROM units su WHERE su.id = ${alias}.unit_id)`;
}

/** `termCount` query terms are bound first ($1…), then the scope's path and unit (when the source has a scope). */
function sources(wholeLedger: boolean, termCount: number): Source[] {
  const path = `$${termCount + 1}`;
  const unit = `$${termCount + 2}`;
  const subtree = `$${termCount + 3}`;
  // 规划备案, 审批案件 and 数据使用申请 share the platform's data scope (owning unit's subtree, addressed units).
  const columns = { unitColumn: 'd.unit_id', addressedColumn: 'd.addressed_unit_ids' };
  const platformScope = {
    scope: dataScopeSql(columns, path, `${unit}::uuid`),
    indexedScope: dataScopeIndexedSql(columns, subtree, `${unit}::uuid`),
  };
  return [
    {
      kind: 'document',
      table: 'documents',
      text: `d.title || ' ' || coalesce(d.doc_number, '') || ' ' || d.body`,
      title: 'd.title',
      number: 'd.doc_number',
      body: 'd.body',
      status: 'd.status',
      scope: documentScopeSql({ document: 'd', unitPath: unitPathOf('d') }, path, unit),
      indexedScope: documentScopeIndexedSql('d', subtree, unit),
    },
    {
      kind: 'project',
      table: 'projects',
      text: `d.name || ' ' || coalesce(d.project_no, '') || ' ' || d.content`,
      title: 'd.name',
      number: 'd.project_no',
      body: 'd.content',
      status: 'd.status',
      scope: wholeLedger ? null : projectScopeSql({ project: 'd', unitPath: unitPathOf('d') }, path, unit),
    },
    {
      kind: 'filing',
      table: 'filings',
      text: `d.title || ' ' || coalesce(d.filing_no, '') || ' ' || d.summary || ' ' || d.content`,
      title: 'd.title',
      number: 'd.filing_no',
      body: `d.summary || ' ' || d.content`,
      status: 'd.status',
      ...platformScope,
    },
    {
      kind: 'approval',
      table: 'approvals',
      text: `d.title || ' ' || d.case_no || ' ' || d.applicant || ' ' || d.location || ' ' || d.description`,
      title: 'd.title',
      number: 'd.case_no',
      body: `d.applicant || ' ' || d.location || ' ' || d.description`,
      status: 'd.status',
      ...platformScope,
    },
    {
      kind: 'data-request',
      table: 'data_requests',
      text: `d.title || ' ' || d.region_name || ' ' || d.purpose`,
      title: 'd.title',
      number: 'NULL::text',
      body: `d.region_name || ' ' || d.purpose`,
      status: 'd.status',
      ...platformScope,
    },
  ];
}

/**
 * How one kind is searched (docs/search.md, “Speed”). The planner cannot choose between walking the updated_at index
 * and the bigram index: it multiplies the bigrams' frequencies as if independent (it took the bigram index for a
 * phrase in 31,000 documents) and cannot see how much of a table a person's scope leaves. So the newest SAMPLE_ROWS
 * records are read first and checked exactly; that sample answers a common word alone, and otherwise measures how
 * often the terms occur (s) and how often a record is a visible hit (f). The rest is then read the cheaper way:
 * walking on in updated_at order (about `missing / f` rows, each a sequential read), the bigram index (about
 * `rest × s` candidates, each a random read, BITMAP_ROW_COST times a walked row: measured on the search bench) or, for
 * a kind whose scope has indexes, the records the person may see (about `rest × f / s`, random reads too).
 */
export const SAMPLE_ROWS = 1000;
const BITMAP_ROW_COST = 4;

/**
 * The exact checks and the rank of one kind over a row set `d` joined to `l.lt` (the lower-cased text, computed
 * once per row): every term really present (strpos; that is exact also for a two-character term).
 */
function matchOf(terms: string[], source: Source): { checks: string; rank: string } {
  const param = (i: number) => `lower($${i + 1}::text)`;
  // Ranking: a term in the title weighs most, in the number next; the body only qualifies the record.
  const rank = terms
    .map(
      (_, i) =>
        `(CASE WHEN strpos(lower(${source.title}), ${param(i)}) > 0 THEN 10 ELSE 0 END` +
        ` + CASE WHEN strpos(lower(coalesce(${source.number}, '')), ${param(i)}) > 0 THEN 5 ELSE 0 END)`,
    )
    .join(' + ');
  return { checks: terms.map((_, i) => `strpos(l.lt, ${param(i)}) > 0`).join(' AND '), rank: `${rank} + 1` };
}

/**
 * The row set `rows` (a table or subquery aliased `d`) with `lt`, the lower-cased text, computed once per row (the
 * lateral subquery's OFFSET 0 keeps it from being inlined into every check); a nested loop keeps the rows' order.
 */
function withLowerText(source: Source, rows: string): string {
  return `${rows} CROSS JOIN LATERAL (SELECT lower(${source.text}) AS lt OFFSET 0) l`;
}

const visible = (source: Source) => source.scope ?? 'true';

/** updated_at in microseconds since the epoch, as text (a JavaScript Date keeps only milliseconds; ties must order as in SQL). */
const AT = `(extract(epoch FROM d.updated_at) * 1000000)::bigint::text`;

/** The records older than the sample (ties at its oldest instant are read again and de-duplicated). */
function restFilter(source: Source): string {
  return `d.updated_at <= (SELECT w.updated_at FROM ${source.table} w ORDER BY w.updated_at DESC OFFSET ${SAMPLE_ROWS - 1} LIMIT 1)`;
}

/**
 * The sample: the newest SAMPLE_ROWS records, every one that has all terms with its visibility; and the table's size
 * as the statistics know it.
 */
function sampleOf(source: Source, terms: string[]): string {
  const { checks, rank } = matchOf(terms, source);
  const newest = `(SELECT * FROM ${source.table} d ORDER BY d.updated_at DESC LIMIT ${SAMPLE_ROWS}) d`;
  return `SELECT (SELECT greatest(c.reltuples, 0)::bigint FROM pg_class c WHERE c.oid = '${source.table}'::regclass) AS size,
                 (SELECT count(*) FROM (SELECT 1 FROM ${source.table} LIMIT ${SAMPLE_ROWS}) n)::int AS sampled,
                 coalesce(json_agg(json_build_object('id', h.id, 'at', h.at, 'rank', h.rank, 'visible', h.visible) ORDER BY h.updated_at DESC), '[]') AS hits
            FROM (SELECT d.id, d.updated_at, ${AT} AS at, ${rank} AS rank, ${visible(source)} AS visible
                    FROM ${withLowerText(source, newest)} WHERE ${checks}) h`;
}

/** The rest walking on in updated_at order, stopping at the newest `limit` hits. */
function walkOf(source: Source, terms: string[], limit: number): string {
  const { checks, rank } = matchOf(terms, source);
  const older = `(SELECT * FROM ${source.table} d WHERE ${restFilter(source)} ORDER BY d.updated_at DESC) d`;
  return `SELECT d.id, ${AT} AS at, ${rank} AS rank FROM ${withLowerText(source, older)}
           WHERE ${checks} AND ${visible(source)} ORDER BY d.updated_at DESC LIMIT ${limit}`;
}

/**
 * The rest read through an index (`lookup`: a condition on `d` the index answers), fenced off (OFFSET 0) so the planner
 * cannot walk the updated_at range instead; the age limit stays outside the fence (inside, the planner walked the
 * range and checked every row: 35,000 approvals read for none found); then the exact checks and, for the records that
 * pass them, the feature's rule (fenced: unfenced, the planner checked the rule first, on every candidate — 9,529
 * documents, a sixth of the statement, for a phrase none of them had).
 */
function throughIndex(source: Source, terms: string[], lookup: string, limit: number): string {
  const { checks, rank } = matchOf(terms, source);
  const candidates = `(SELECT * FROM (SELECT * FROM ${source.table} d WHERE ${lookup} OFFSET 0) d WHERE ${restFilter(source)}) d`;
  const matching = `(SELECT d.* FROM ${withLowerText(source, candidates)} WHERE ${checks} OFFSET 0) d`;
  return `SELECT h.id, h.at, h.rank FROM (SELECT d.id, d.updated_at, ${AT} AS at, ${rank} AS rank FROM ${matching}
            WHERE ${visible(source)} OFFSET 0) h ORDER BY h.updated_at DESC LIMIT ${limit}`;
}

/**
 * The rest through the bigram index (every term's bigrams present; GIN answers @> without rechecking the column).
 * The terms joined by spaces are bound last.
 */
function indexedOf(source: Source, terms: string[], limit: number): string {
  const joined = `$${terms.length + (source.scope ? 3 : 1)}::text`;
  return throughIndex(source, terms, `d.search_grams @> search_bigrams(${joined})`, limit);
}

/**
 * The rest through the scope's own indexes (the owning unit's, the addressed units', for 公文 also the 会签 units' and
 * the receipts'): for a person who sees a small part of a table, the records they may see. The ids of the person's
 * subtree are bound last.
 */
function scopedOf(source: Source, indexedScope: string, terms: string[], limit: number): string {
  return throughIndex(source, terms, indexedScope, limit);
}

interface Candidate {
  kind: SearchKind;
  id: string;
  /** updated_at in microseconds since the epoch. */
  at: bigint;
  rank: number;
}

function newestFirst(a: Candidate, b: Candidate): number {
  return a.at === b.at ? 0 : a.at > b.at ? -1 : 1;
}

@Injectable()
export class SearchRepository {
  /**
   * A search sends a statement per kind at once: unbounded, a few people searching together would hold every pooled
   * connection and a 同意 pressed meanwhile would wait for them. So search statements get a quarter of the api's pool
   * (DATABASE_POOL_SIZE), at least one.
   */
  private readonly gate: Gate;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.gate = new Gate(Math.max(1, Math.floor(config.databasePoolSize / 4)));
  }

  /** A search statement, run when the gate lets it. */
  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return this.gate.run(() => this.dataSource.query(sql, params) as Promise<T>);
  }

  /**
   * The walk, with sorting switched off for its one statement: the planner estimates that a scope keeps 0.5 % of the
   * walked rows (a LIKE over the unit's path), so the LIMIT looks unreachable and it sorted the whole rest instead of
   * reading the updated_at index (a province person's projects: 36,500 rows sorted, 350 ms, for the 4,195 the walk
   * reads, 70 ms; EXPLAIN ANALYZE on the search bench).
   */
  private walk<T>(sql: string, params: unknown[]): Promise<T> {
    return this.gate.run(() =>
      this.dataSource.transaction(async (m) => {
        await m.query(`SET LOCAL enable_sort = off`);
        return m.query(sql, params) as Promise<T>;
      }),
    );
  }

  /**
   * The page of hits (best first, then the most recently changed) and the number of hits per kind (up to
   * SEARCH_CANDIDATES + 1). The kinds are searched at once, each on its own pooled connection.
   */
  async find(
    me: Principal,
    terms: string[],
    page: { kind?: SearchKind; limit: number; offset: number },
  ): Promise<{ keys: HitKey[]; counts: Partial<Record<SearchKind, number>> }> {
    const [wholeLedger, subtree] = await Promise.all([
      seesWholeLedger(this.dataSource.manager, me),
      subtreeUnitIds(this.dataSource.manager, me),
    ]);
    const scope = dataScopeParams(me);
    const perKind = await Promise.all(
      sources(wholeLedger, terms.length).map((source) =>
        this.candidates(source, terms, source.scope ? [...terms, scope.zwScopePath, scope.zwScopeUnit] : terms, subtree),
      ),
    );
    const counts: Partial<Record<SearchKind, number>> = {};
    for (const list of perKind) if (list.length > 0) counts[list[0].kind] = list.length;
    const keys = perKind
      .flat()
      .filter((c) => !page.kind || c.kind === page.kind)
      .sort((a, b) => b.rank - a.rank || newestFirst(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(page.offset, page.offset + page.limit)
      .map(({ kind, id }) => ({ kind, id }));
    return { keys, counts };
  }

  /** One kind's newest SEARCH_CANDIDATES + 1 hits (all of them when there are fewer). */
  private async candidates(source: Source, terms: string[], params: unknown[], subtree: string[]): Promise<Candidate[]> {
    type Row = { id: string; at: string; rank: number };
    const toCandidate = (r: Row): Candidate => ({ kind: source.kind, id: r.id, at: BigInt(r.at), rank: Number(r.rank) });
    const [sample]: { size: string; sampled: number; hits: (Row & { visible: boolean })[] }[] = await this.query(
      sampleOf(source, terms),
      params,
    );
    const hits = sample.hits.filter((h) => h.visible);
    if (hits.length > SEARCH_CANDIDATES || sample.sampled < SAMPLE_ROWS) return hits.slice(0, SEARCH_CANDIDATES + 1).map(toCandidate);
    const rest = Math.max(Number(sample.size) - SAMPLE_ROWS, SAMPLE_ROWS);
    const walked = hits.length > 0 ? Math.min(((SEARCH_CANDIDATES + 1 - hits.length) * SAMPLE_ROWS) / hits.length, rest) : rest;
    const indexed = ((rest * sample.hits.length) / SAMPLE_ROWS) * BITMAP_ROW_COST;
    // The rest starts at the sample's oldest instant: hits of that instant come again (at most this many).
    const again = hits.filter((h) => h.at === hits[hits.length - 1].at).length;
    const limit = SEARCH_CANDIDATES + 1 - hits.length + again;
    // Records the person may see, estimated from the sample's share of visible ones among those with the terms.
    const scoped = source.indexedScope && sample.hits.length > 0 ? ((rest * hits.length) / sample.hits.length) * BITMAP_ROW_COST : Infinity;
    let more: Row[];
    if (source.indexedScope && scoped < Math.min(walked, indexed)) {
      more = await this.query<Row[]>(scopedOf(source, source.indexedScope, terms, limit), [...params, subtree]);
    } else if (walked <= indexed) {
      more = await this.walk<Row[]>(walkOf(source, terms, limit), params);
    } else {
      more = await this.query<Row[]>(indexedOf(source, terms, limit), [...params, terms.join(' ')]);
    }
    const seen = new Set(hits.map((r) => r.id));
    return [...hits, ...more.filter((r) => !seen.has(r.id))]
      .map(toCandidate)
      .sort(newestFirst)
      .slice(0, SEARCH_CANDIDATES + 1);
  }

  /** The shown fields of the page's records (already known visible). */
  async load(keys: HitKey[]): Promise<HitRecord[]> {
    const wanted = sources(true, 0).filter((s) => keys.some((k) => k.kind === s.kind));
    if (wanted.length === 0) return [];
    const params = wanted.map((s) => keys.filter((k) => k.kind === s.kind).map((k) => k.id));
    const selects = wanted.map(
      (s, i) =>
        `SELECT '${s.kind}'::text AS kind, d.id, ${s.title} AS title, ${s.number} AS number, ${s.body} AS body,
                ${s.status} AS status, d.updated_at AS "updatedAt"
           FROM ${s.table} d WHERE d.id = ANY($${i + 1}::uuid[])`,
    );
    return this.dataSource.query(selects.join('\n UNION ALL \n'), params);
  }
}
