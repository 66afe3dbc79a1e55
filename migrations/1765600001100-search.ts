import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 全局搜索 (docs/search.md). PostgreSQL's parsers do not segment Chinese, and pg_trgm takes trigrams only from
 * characters the database's LC_CTYPE calls alphanumeric: under the embedded server's `--locale=C` it extracts none
 * from 汉字. So every searchable record keeps the set of its text's character bigrams (lower-cased, none spanning
 * whitespace) in a GIN-indexed text[]; a query term of n ≥ 2 characters needs all its bigrams (`@>`), and the search
 * repository re-checks the exact term with strpos. That works under any locale.
 *
 * The bigram columns are GENERATED: every write path of every feature (and any added later) keeps them current
 * without triggers or code in the features, and they cannot drift from the text they index.
 */
export class Search1765600001100 implements MigrationInterface {
  name = 'Search1765600001100';

  async up(q: QueryRunner): Promise<void> {
    // Immutable (a generated column demands it): lower() and string_to_array() depend on no setting for these texts.
    // Characters are split once and paired with lead(): substr() per position would rescan UTF-8 and take
    // quadratic time (a 100,000-character 正文 ran for minutes).
    await q.query(`
      CREATE FUNCTION search_bigrams(doc text) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT g), '{}')
          FROM (SELECT c || lead(c) OVER (ORDER BY i) AS g
                  FROM unnest(string_to_array(lower(doc), NULL)) WITH ORDINALITY AS chars(c, i)) grams
         WHERE g IS NOT NULL AND g !~ '\\s'
      $$`);
    const columns: [table: string, text: string][] = [
      ['documents', `title || ' ' || coalesce(doc_number, '') || ' ' || body`],
      ['projects', `name || ' ' || coalesce(project_no, '') || ' ' || content`],
      ['filings', `title || ' ' || coalesce(filing_no, '') || ' ' || summary || ' ' || content`],
      ['approvals', `title || ' ' || case_no || ' ' || applicant || ' ' || location || ' ' || description`],
      ['data_requests', `title || ' ' || region_name || ' ' || purpose`],
    ];
    for (const [table, text] of columns) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN search_grams text[] NOT NULL GENERATED ALWAYS AS (search_bigrams(${text})) STORED`);
      await q.query(`CREATE INDEX ${table}_search ON ${table} USING gin (search_grams)`);
      // A word found in much of the table is answered from its newest matches: walking this index stops early.
      await q.query(`CREATE INDEX ${table}_updated ON ${table} (updated_at DESC)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['documents', 'projects', 'filings', 'approvals', 'data_requests']) {
      await q.query(`DROP INDEX ${table}_updated`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN search_grams`);
    }
    await q.query(`DROP FUNCTION search_bigrams(text)`);
  }
}
