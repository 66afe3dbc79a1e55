import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SEARCH_CANDIDATES, type SearchKind } from '@zhengwu/contracts';
import { DataSource } from 'typeorm';
import { documentScopeSql } from '../documents/document-scope';
import { dataScopeParams, dataScopeSql } from '../identity/data-scope';
import type { Principal } from '../identity/principal';
import { projectScopeSql, seesWholeLedger } from '../projects/ledger-scope';

/**
 * One searchable record kind. `text` must be the very expression its search_grams column is generated from
 * (migrations/1765600001100-search.ts): the bigram index narrows, strpos over `text` decides.
 * Bind order in every statement: $1 the query's terms joined by spaces, $2 the escaped unit path + '%', $3 the person's
 * unit id (see FIRST_TERM for the rest).
 */
interface Source {
  kind: SearchKind;
  from: string;
  alias: string;
  text: string;
  title: string;
  number: string;
  body: string;
  status: string;
  /** The feature's own visibility rule (shared with its list and get), or null when the person sees everything. */
  scope: string | null;
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

function sources(wholeLedger: boolean): Source[] {
  const path = '$2';
  const unit = '$3';
  return [
    {
      kind: 'document',
      from: 'documents d',
      alias: 'd',
      text: `d.title || ' ' || coalesce(d.doc_number, '') || ' ' || d.body`,
      title: 'd.title',
      number: 'd.doc_number',
      body: 'd.body',
      status: 'd.status',
      scope: documentScopeSql({ document: 'd', unitPath: unitPathOf('d') }, path, unit),
    },
    {
      kind: 'project',
      from: 'projects p',
      alias: 'p',
      text: `p.name || ' ' || coalesce(p.project_no, '') || ' ' || p.content`,
      title: 'p.name',
      number: 'p.project_no',
      body: 'p.content',
      status: 'p.status',
      scope: wholeLedger ? null : projectScopeSql({ project: 'p', unitPath: unitPathOf('p') }, path, unit),
    },
    {
      kind: 'filing',
      from: 'filings f',
      alias: 'f',
      text: `f.title || ' ' || coalesce(f.filing_no, '') || ' ' || f.summary || ' ' || f.content`,
      title: 'f.title',
      number: 'f.filing_no',
      body: `f.summary || ' ' || f.content`,
      status: 'f.status',
      scope: dataScopeSql({ unitColumn: 'f.unit_id', addressedColumn: 'f.addressed_unit_ids' }, path, `${unit}::uuid`),
    },
    {
      kind: 'approval',
      from: 'approvals a',
      alias: 'a',
      text: `a.title || ' ' || a.case_no || ' ' || a.applicant || ' ' || a.location || ' ' || a.description`,
      title: 'a.title',
      number: 'a.case_no',
      body: `a.applicant || ' ' || a.location || ' ' || a.description`,
      status: 'a.status',
      scope: dataScopeSql({ unitColumn: 'a.unit_id', addressedColumn: 'a.addressed_unit_ids' }, path, `${unit}::uuid`),
    },
    {
      kind: 'data-request',
      from: 'data_requests r',
      alias: 'r',
      text: `r.title || ' ' || r.region_name || ' ' || r.purpose`,
      title: 'r.title',
      number: 'NULL::text',
      body: `r.region_name || ' ' || r.purpose`,
      status: 'r.status',
      scope: dataScopeSql({ unitColumn: 'r.unit_id', addressedColumn: 'r.addressed_unit_ids' }, path, `${unit}::uuid`),
    },
  ];
}

/**
 * The candidates of one kind: every term's bigrams present (GIN), every other term really present (a two-character
 * term is exactly its one bigram: no re-check; a one-character term has none), visible to the person. Terms are bound
 * one by one from $7 on, so every check is a plain expression per row (no subquery over the terms).
 */
function hitsOf(source: Source, terms: string[]): string {
  const a = source.alias;
  const param = (i: number) => `lower($${FIRST_TERM + i}::text)`;
  const checks = terms.flatMap((term, i) => ([...term].length !== 2 ? [`strpos(lower(${source.text}), ${param(i)}) > 0`] : []));
  // Ranking: a term in the title weighs most, in the number next; the body only qualifies the record.
  const rank = terms
    .map(
      (_, i) =>
        `(CASE WHEN strpos(lower(${source.title}), ${param(i)}) > 0 THEN 10 ELSE 0 END` +
        ` + CASE WHEN strpos(lower(coalesce(${source.number}, '')), ${param(i)}) > 0 THEN 5 ELSE 0 END)`,
    )
    .join(' + ');
  const conditions = [`${a}.search_grams @> search_bigrams($1)`, ...checks, ...(source.scope ? [source.scope] : [])];
  return `(SELECT '${source.kind}'::text AS kind, ${a}.id, ${a}.updated_at, ${rank} + 1 AS rank
             FROM ${source.from} WHERE ${conditions.join(' AND ')}
            ORDER BY ${a}.updated_at DESC LIMIT ${SEARCH_CANDIDATES + 1})`;
}

/** $1 the terms joined by spaces, $2–$3 the scope, $4–$6 kind and page, then one parameter per term. */
const FIRST_TERM = 7;

@Injectable()
export class SearchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The page of hits (best first, then the most recently changed) and the number of hits per kind. */
  async find(
    me: Principal,
    terms: string[],
    page: { kind?: SearchKind; limit: number; offset: number },
  ): Promise<{ keys: HitKey[]; counts: Partial<Record<SearchKind, number>> }> {
    const wholeLedger = await seesWholeLedger(this.dataSource.manager, me);
    const union = sources(wholeLedger)
      .map((source) => hitsOf(source, terms))
      .join('\n UNION ALL \n');
    const scope = dataScopeParams(me);
    const [row]: { counts: Partial<Record<SearchKind, number>> | null; page: HitKey[] | null }[] = await this.dataSource.query(
      `WITH hits AS MATERIALIZED (${union})
       SELECT (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*)::int AS n FROM hits GROUP BY kind) c) AS counts,
              (SELECT json_agg(json_build_object('kind', kind, 'id', id)) FROM
                 (SELECT kind, id FROM hits WHERE $4::text IS NULL OR kind = $4::text
                   ORDER BY rank DESC, updated_at DESC, id LIMIT $5 OFFSET $6) p) AS page`,
      [terms.join(' '), scope.zwScopePath, scope.zwScopeUnit, page.kind ?? null, page.limit, page.offset, ...terms],
    );
    return { keys: row.page ?? [], counts: row.counts ?? {} };
  }

  /** The shown fields of the page's records (already known visible). */
  async load(keys: HitKey[]): Promise<HitRecord[]> {
    const wanted = sources(true).filter((s) => keys.some((k) => k.kind === s.kind));
    if (wanted.length === 0) return [];
    const params = wanted.map((s) => keys.filter((k) => k.kind === s.kind).map((k) => k.id));
    const selects = wanted.map(
      (s, i) =>
        `SELECT '${s.kind}'::text AS kind, ${s.alias}.id, ${s.title} AS title, ${s.number} AS number, ${s.body} AS body,
                ${s.status} AS status, ${s.alias}.updated_at AS "updatedAt"
           FROM ${s.from} WHERE ${s.alias}.id = ANY($${i + 1}::uuid[])`,
    );
    return this.dataSource.query(selects.join('\n UNION ALL \n'), params);
  }
}
