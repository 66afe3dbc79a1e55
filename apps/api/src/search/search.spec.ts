import { DataSource } from 'typeorm';
import { SEARCH_CANDIDATES, type SearchHit, type SearchResult } from '@zhengwu/contracts';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { documentScopeIndexedSql, documentScopeSql } from '../documents/document-scope';
import { dataScopeIndexedSql, dataScopeSql, subtreeUnitIds } from '../identity/data-scope';
import { SAMPLE_ROWS } from './search.repository';

/**
 * 全局搜索 against the real database: every kind is found by a phrase of its text, under each feature's own
 * visibility rule, with highlight ranges that point at the phrase.
 */
describe('全局搜索 (search)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const units: Record<string, string> = {};
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const search = (who: string, query: string) => t.http().get(`/api/search?${query}`).set('Authorization', `Bearer ${tokens[who]}`);
  const found = async (who: string, text: string, extra = ''): Promise<SearchResult> => {
    const res = await search(who, `q=${encodeURIComponent(text)}${extra}`);
    expect(res.status).toBe(200);
    return res.body as SearchResult;
  };
  /** dataScopeParams().zwScopePath of a unit's path. */
  const likePath = (path: string) => `${path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const marked = (value: { text: string; highlights: { start: number; end: number }[] }) =>
    value.highlights.map((r) => value.text.slice(r.start, r.end));

  let documentId: string;

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of ['js.nigao', 'js.shenpi', 'zj.shouwen', 'zj.shenpi', 'zhaolei', 'wangjianguo', 'lina']) {
      tokens[name] = await t.login(name);
      users[name] = (await q(`SELECT id FROM users WHERE username = $1`, [name]))[0].id;
    }
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
    const created = await t
      .http()
      .post('/api/documents')
      .set('Authorization', `Bearer ${tokens['js.nigao']}`)
      .send({
        docType: '通知',
        title: '关于做好耕地保护督察整改的通知',
        body: '各设区市局：为严格落实永久基本农田特殊保护制度，现就督察整改有关事项通知如下。',
        mainRecipients: [units['MLR-BGT']],
      });
    expect(created.status).toBe(201);
    documentId = created.body.id;
  });
  afterAll(() => t.close());

  it('finds a document by a phrase of its 正文 and marks the phrase in the snippet', async () => {
    const result = await found('js.nigao', '永久基本农田特殊保护');
    expect(result.items).toHaveLength(1);
    const hit = result.items[0];
    expect(hit).toEqual(expect.objectContaining({ kind: 'document', id: documentId, link: `/documents/${documentId}`, status: '拟稿' }));
    expect(hit.title).toEqual({ text: '关于做好耕地保护督察整改的通知', highlights: [] });
    expect(marked(hit.snippet)).toEqual(['永久基本农田特殊保护']);
    const start = hit.snippet.text.indexOf('永久基本农田特殊保护');
    expect(hit.snippet.highlights).toEqual([{ start, end: start + '永久基本农田特殊保护'.length }]);
    expect(result.counts).toEqual({ document: 1, project: 0, filing: 0, approval: 0, 'data-request': 0 });
    expect(result.more).toEqual([]);
  });

  it('marks every term in title and snippet, and needs all terms', async () => {
    const result = await found('js.nigao', '督察整改  耕地');
    expect(result.terms).toEqual(['督察整改', '耕地']);
    const hit = result.items.find((h) => h.id === documentId) as SearchHit;
    expect(marked(hit.title)).toEqual(['耕地', '督察整改']);
    expect(hit.title.highlights).toEqual([
      { start: 4, end: 6 },
      { start: 8, end: 12 },
    ]);
    expect((await found('js.nigao', '督察整改 不存在的词')).items).toHaveLength(0);
  });

  it('does not find another province’s document, nor one not yet sent to the unit', async () => {
    for (const who of ['zj.shouwen', 'zj.shenpi', 'zhaolei', 'lina']) {
      const result = await found(who, '永久基本农田特殊保护');
      expect(result.items.map((h) => h.id)).not.toContain(documentId);
      expect(result.total).toBe(0);
    }
    // The ministry sits above the province: its subtree rule sees the province's records, as the document list does.
    expect((await found('wangjianguo', '永久基本农田特殊保护')).items.map((h) => h.id)).toEqual([documentId]);
  });

  it('finds the document at a 会签 unit, as the document itself is visible there', async () => {
    await q(`UPDATE documents SET countersign_units = $2 WHERE id = $1`, [documentId, [units['330000']]]);
    expect((await found('zj.shouwen', '永久基本农田特殊保护')).items.map((h) => h.id)).toEqual([documentId]);
    expect((await t.http().get(`/api/documents/${documentId}`).set('Authorization', `Bearer ${tokens['zj.shouwen']}`)).status).toBe(200);
    await q(`UPDATE documents SET countersign_units = '{}' WHERE id = $1`, [documentId]);
    expect((await found('zj.shouwen', '永久基本农田特殊保护')).items).toHaveLength(0);
  });

  it('keeps the index current when the text changes (generated column)', async () => {
    await q(`UPDATE documents SET body = body || '同步推进高标准农田建设。' WHERE id = $1`, [documentId]);
    expect((await found('js.nigao', '高标准农田')).items.map((h) => h.id)).toEqual([documentId]);
    await q(`UPDATE documents SET body = '各设区市局：为严格落实永久基本农田特殊保护制度。' WHERE id = $1`, [documentId]);
    expect((await found('js.nigao', '高标准农田')).items).toHaveLength(0);
  });

  it('finds a document at a unit once a 收文 receipt reaches it, as the document itself is then visible there', async () => {
    expect((await found('zj.shouwen', '永久基本农田特殊保护')).items).toHaveLength(0);
    await q(`INSERT INTO document_receipts (document_id, unit_id, kind) VALUES ($1, $2, '抄送')`, [documentId, units['330000']]);
    expect((await found('zj.shouwen', '永久基本农田特殊保护')).items.map((h) => h.id)).toEqual([documentId]);
    expect((await t.http().get(`/api/documents/${documentId}`).set('Authorization', `Bearer ${tokens['zj.shouwen']}`)).status).toBe(200);
    await q(`DELETE FROM document_receipts WHERE document_id = $1 AND unit_id = $2`, [documentId, units['330000']]);
    expect((await found('zj.shouwen', '永久基本农田特殊保护')).items).toHaveLength(0);
  });

  it('finds an edited title by its new words and no longer by the old ones', async () => {
    await q(`UPDATE documents SET title = '关于开展耕地卫片执法检查的通知' WHERE id = $1`, [documentId]);
    expect((await found('js.nigao', '卫片执法')).items.map((h) => h.id)).toEqual([documentId]);
    expect((await found('js.nigao', '督察整改')).items.map((h) => h.id)).not.toContain(documentId);
    await q(`UPDATE documents SET title = '关于做好耕地保护督察整改的通知' WHERE id = $1`, [documentId]);
    expect((await found('js.nigao', '卫片执法')).items).toHaveLength(0);
    expect((await found('js.nigao', '督察整改')).items.map((h) => h.id)).toEqual([documentId]);
  });

  describe('every kind, each under its own rule', () => {
    const PHRASE = '云栖测绘数据专线';
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const js = units['320000'];
      const zj = units['330000'];
      const county = (await q(`SELECT id FROM units WHERE parent_id = $1 LIMIT 1`, [units['320100']]))[0]?.id ?? units['320100'];
      ids.project = (
        await q(
          `INSERT INTO projects (name, category, budget, start_year, end_year, content, is_government_affairs, unit_id, submitted_by)
           VALUES ($1, '网络建设', 120, 2026, 2027, $2, true, $3, $4) RETURNING id`,
          ['江苏省测绘专网改造', `建设${PHRASE}，连通省市两级。`, js, users['js.nigao']],
        )
      )[0].id;
      ids.filing = (
        await q(
          `INSERT INTO filings (unit_id, drafter_id, kind, title, period_start, period_end, summary, content, contact_name, contact_phone)
           VALUES ($1, $2, '信息化规划', '江苏省“十五五”信息化规划', 2026, 2030, $3, '略', '沈佳', '025-86658123') RETURNING id`,
          [js, users['js.nigao'], `重点建设${PHRASE}。`],
        )
      )[0].id;
      ids.approval = (
        await q(
          `INSERT INTO approvals (case_no, case_year, case_seq, matter_type, title, applicant, location, land_area, description,
                                  unit_id, city_unit_id, province_unit_id, accepted_by)
           VALUES ('SEARCH-2026-0001', 2026, 9001, '建设用地报批', '测绘基站建设用地报批', '江苏测绘院', '南京市江宁区', 1.5, $1, $2, $3, $4, $5)
           RETURNING id`,
          [`用于${PHRASE}基站。`, county, units['320100'], js, users['js.shenpi']],
        )
      )[0].id;
      ids['data-request'] = (
        await q(
          `INSERT INTO data_requests (unit_id, applicant_id, title, region_name, purpose, period_from, period_to, format, contact_name, contact_phone)
           VALUES ($1, $2, '申请基础测绘数据', '江苏省', $3, '2026-01-01', '2026-12-31', 'GeoTIFF', '沈佳', '025-86658123') RETURNING id`,
          [js, users['js.nigao'], `${PHRASE}的联调。`],
        )
      )[0].id;
      // 浙江's own filing with the same phrase: 江苏 must not find it.
      ids.zjFiling = (
        await q(
          `INSERT INTO filings (unit_id, drafter_id, kind, title, period_start, period_end, summary, content, contact_name, contact_phone)
           VALUES ($1, $2, '信息化规划', '浙江省信息化规划', 2026, 2030, $3, '略', '叶青', '0571-86658123') RETURNING id`,
          [zj, users['zj.shouwen'], `同样建设${PHRASE}。`],
        )
      )[0].id;
    });

    it('finds each kind by a phrase of its text, with its link', async () => {
      const result = await found('js.nigao', PHRASE);
      expect(result.counts).toEqual({ document: 0, project: 1, filing: 1, approval: 1, 'data-request': 1 });
      const byKind = Object.fromEntries(result.items.map((h) => [h.kind, h]));
      expect(byKind.project.id).toBe(ids.project);
      expect(byKind.project.link).toBe(`/projects/${ids.project}`);
      expect(byKind.filing.link).toBe(`/filings/${ids.filing}`);
      expect(byKind.approval.link).toBe(`/approvals/${ids.approval}`);
      expect(byKind['data-request'].link).toBe(`/data-requests/${ids['data-request']}`);
      expect(byKind.approval.number).toEqual({ text: 'SEARCH-2026-0001', highlights: [] });
      for (const hit of result.items) expect(marked(hit.snippet)).toEqual([PHRASE]);
      expect(result.items.map((h) => h.id)).not.toContain(ids.zjFiling);
    });

    it('filters by kind and pages, keeping the counts of all kinds', async () => {
      const result = await found('js.nigao', PHRASE, '&kind=filing&limit=5');
      expect(result.items.map((h) => h.id)).toEqual([ids.filing]);
      expect(result.total).toBe(1);
      expect(result.counts.project).toBe(1);
      const second = await found('js.nigao', PHRASE, '&limit=2&offset=2');
      expect(second.items).toHaveLength(2);
      expect(second.total).toBe(4);
    });

    it('ranks a hit in the title above a hit in the text', async () => {
      const result = await found('js.nigao', '测绘');
      // Project, approval and data request carry 测绘 in their titles; the filing only in its text.
      expect(result.items.map((h) => h.kind)).toHaveLength(4);
      expect(result.items[3].kind).toBe('filing');
      expect(marked(result.items[3].title)).toEqual([]);
    });

    it('finds by number (受理编号), case-insensitively', async () => {
      const result = await found('js.nigao', 'search-2026');
      expect(result.items.map((h) => h.id)).toEqual([ids.approval]);
      expect(marked(result.items[0].number as { text: string; highlights: { start: number; end: number }[] })).toEqual(['SEARCH-2026']);
    });

    it('shows 浙江 only its own records', async () => {
      const result = await found('zj.shouwen', PHRASE);
      expect(result.items.map((h) => h.id)).toEqual([ids.zjFiling]);
    });

    it('lets 信息办 (the whole project ledger) find the project but not the provinces’ other records', async () => {
      tokens.chenjing = await t.login('chenjing');
      const result = await found('chenjing', PHRASE);
      expect(result.items.map((h) => h.kind)).toEqual(['project']);
    });
  });

  it('counts a kind up to 500 matches and says there are more', async () => {
    await q(
      `INSERT INTO data_requests (unit_id, applicant_id, title, region_name, purpose, period_from, period_to, format, contact_name, contact_phone)
       SELECT $1, $2, '批量申请' || n, '江苏省', '遥感影像批量核查', '2026-01-01', '2026-12-31', 'GeoTIFF', '沈佳', '025-86658123'
         FROM generate_series(1, 501) n`,
      [units['320000'], users['js.nigao']],
    );
    const result = await found('js.nigao', '批量核查');
    expect(result.counts['data-request']).toBe(500);
    expect(result.more).toEqual(['data-request']);
    expect(result.items).toHaveLength(20);
    expect((await found('js.nigao', '遥感影像批量核查 申请501')).items.map((h) => h.title.text)).toEqual(['批量申请501']);
  });

  describe(`beyond the newest ${SAMPLE_ROWS} records of a kind (the sample, then the walk or the bigram index)`, () => {
    // Filings of 江苏 (every 20th) and 浙江, one second apart and older than every other record, all with 批次备案,
    // two in five (all 浙江's) with 隔行抽查; the oldest, far behind the sample, also with a rare phrase.
    const BATCH = SAMPLE_ROWS + 600;
    /** What ILIKE says, under the same rule: the number of filings with the text the person may see. */
    const expected = async (who: string, text: string): Promise<number> =>
      Number(
        (
          await q(
            `SELECT count(*) FROM filings f JOIN units u ON u.id = f.unit_id
              WHERE f.title || ' ' || coalesce(f.filing_no, '') || ' ' || f.summary || ' ' || f.content ILIKE '%' || $2 || '%'
                AND u.path LIKE (SELECT mu.path FROM users p JOIN units mu ON mu.id = p.unit_id WHERE p.username = $1) || '%'`,
            [who, text],
          )
        )[0].count,
      );

    beforeAll(async () => {
      await q(
        `INSERT INTO filings (unit_id, drafter_id, kind, title, period_start, period_end, summary, content, contact_name, contact_phone,
                              created_at, updated_at)
         SELECT CASE WHEN n % 20 = 0 THEN $1::uuid ELSE $2::uuid END, $3, '信息化规划', '批次规划' || n, 2026, 2030,
                '批次备案' || CASE WHEN n = $4 THEN '，远古孤本备案' ELSE '' END || CASE WHEN n % 5 IN (1, 2) THEN '，隔行抽查' ELSE '' END,
                '略', '沈佳', '025-86658123',
                now() - interval '1 day' - n * interval '1 second', now() - interval '1 day' - n * interval '1 second'
           FROM generate_series(1, $4::int) n`,
        [units['320000'], units['330000'], users['js.nigao'], BATCH],
      );
    });

    it('finds a rare phrase far behind the sample (bigram index)', async () => {
      const result = await found('js.nigao', '远古孤本备案');
      expect(result.items.map((h) => h.title.text)).toEqual([`批次规划${BATCH}`]);
      expect(result.counts.filing).toBe(1);
    });

    it('counts exactly what a narrow scope sees of a common word (the scope’s own indexes past the sample)', async () => {
      const result = await found('js.nigao', '批次备案', '&kind=filing&limit=50');
      expect(result.counts.filing).toBe(await expected('js.nigao', '批次备案'));
      expect(result.counts.filing).toBe(BATCH / 20);
      expect(result.more).toEqual([]);
      // Newest first among equal ranks, and only 江苏's.
      expect(result.items.map((h) => h.title.text)).toEqual(Array.from({ length: 50 }, (_, i) => `批次规划${(i + 1) * 20}`));
      const last = await found('js.nigao', '批次备案', `&kind=filing&limit=50&offset=${BATCH / 20 - 10}`);
      expect(last.items.map((h) => h.title.text)).toEqual(Array.from({ length: 10 }, (_, i) => `批次规划${BATCH - 180 + i * 20}`));
    });

    it('walks on past the sample for a word in fewer than 500 of the sampled records, newest first', async () => {
      const result = await found('zj.shouwen', '隔行抽查', '&kind=filing&offset=480');
      expect(await expected('zj.shouwen', '隔行抽查')).toBe((BATCH / 5) * 2);
      expect(result.counts.filing).toBe(SEARCH_CANDIDATES);
      expect(result.more).toEqual(['filing']);
      // The k-th newest (from 0) is n = 5·⌊k/2⌋ + 1 + k mod 2: 481st to 500th lie beyond the sample's 1,000 records.
      const n = (k: number) => 5 * Math.floor(k / 2) + 1 + (k % 2);
      expect(result.items.map((h) => h.title.text)).toEqual(Array.from({ length: 20 }, (_, i) => `批次规划${n(480 + i)}`));
      expect(n(499)).toBeGreaterThan(SAMPLE_ROWS);
    });

    it('answers a word common in the sample from the sample, 500 and more', async () => {
      const result = await found('zj.shouwen', '批次备案', '&kind=filing');
      expect(await expected('zj.shouwen', '批次备案')).toBeGreaterThan(SEARCH_CANDIDATES);
      expect(result.counts.filing).toBe(SEARCH_CANDIDATES);
      expect(result.more).toEqual(['filing']);
      expect(result.items[0].title.text).toBe('批次规划1');
    });

    it('finds exactly the 公文 a narrow scope sees past the sample: its own, 会签 and received (the scope’s own indexes)', async () => {
      // Documents of 浙江 and (every 20th) 江苏, older than every other record; of 浙江's, every 30th is 会签 by 江苏 and
      // every 70th received there.
      const docs = await q(
        `INSERT INTO documents (unit_id, drafter_id, doc_type, title, main_recipients, body, countersign_units, created_at, updated_at)
         SELECT CASE WHEN n % 20 = 0 THEN $1::uuid ELSE $2::uuid END, $3, '函', '批次公文' || n, '{}', '批次公文正文',
                CASE WHEN n % 20 <> 0 AND n % 30 = 0 THEN ARRAY[$1::uuid] ELSE '{}' END,
                now() - interval '2 days' - n * interval '1 second', now() - interval '2 days' - n * interval '1 second'
           FROM generate_series(1, $4::int) n
         RETURNING id, title`,
        [units['320000'], units['330000'], users['js.nigao'], BATCH],
      );
      const received = docs.filter((d) => Number(d.title.slice(4)) % 70 === 0 && Number(d.title.slice(4)) % 20 !== 0);
      for (const d of received)
        await q(`INSERT INTO document_receipts (document_id, unit_id, kind) VALUES ($1, $2, '抄送')`, [d.id, units['320000']]);
      const seen = (n: number) => n % 20 === 0 || n % 30 === 0 || n % 70 === 0;
      const visible = Array.from({ length: BATCH }, (_, i) => i + 1).filter(seen);
      const result = await found('js.nigao', '批次公文', '&kind=document&limit=50');
      expect(result.counts.document).toBe(visible.length);
      expect(result.more).toEqual([]);
      expect(result.items.map((h) => h.title.text)).toEqual(visible.slice(0, 50).map((n) => `批次公文${n}`));
      const last = await found('js.nigao', '批次公文', `&kind=document&limit=50&offset=${visible.length - 10}`);
      expect(last.items.map((h) => h.title.text)).toEqual(visible.slice(-10).map((n) => `批次公文${n}`));
    });
  });

  it('reads a narrow scope through dataScopeIndexedSql, which selects exactly the records dataScopeSql does', async () => {
    await q(
      `UPDATE filings SET addressed_unit_ids = ARRAY[$1::uuid] WHERE id = (SELECT id FROM filings ORDER BY updated_at DESC LIMIT 1)`,
      [units['330000']],
    );
    const columns = { unitColumn: 'f.unit_id', addressedColumn: 'f.addressed_unit_ids' };
    for (const unit of await q(`SELECT id, path FROM units ORDER BY path`)) {
      const subtree = await subtreeUnitIds(t.app.get(DataSource).manager, { unitPath: unit.path, unitId: unit.id });
      const ids = async (where: string, params: unknown[]) =>
        (await q(`SELECT f.id FROM filings f WHERE ${where} ORDER BY f.id`, params)).map((r) => r.id);
      expect(await ids(dataScopeIndexedSql(columns, '$1', '$2::uuid'), [subtree, unit.id])).toEqual(
        await ids(dataScopeSql(columns, '$1', '$2::uuid'), [likePath(unit.path), unit.id]),
      );
    }
  });

  it('reads a narrow scope’s 公文 through documentScopeIndexedSql, which selects exactly the documents documentScopeSql does', async () => {
    // Besides the drafting units' subtrees, every other arm of the rule: a 会签 unit, a 收文 receipt, a 信息化相关 document.
    const [countersigned, received, informatized] = await q(
      `INSERT INTO documents (unit_id, drafter_id, doc_type, title, main_recipients, body, countersign_units, informatization)
       VALUES ($1, $2, '函', '会签的函', '{}', '略', ARRAY[$3::uuid], false), ($1, $2, '函', '收文的函', '{}', '略', '{}', false),
              ($1, $2, '函', '信息化的函', '{}', '略', '{}', true)
       RETURNING id`,
      [units['320000'], users['js.nigao'], units['330000']],
    );
    await q(`INSERT INTO document_receipts (document_id, unit_id, kind) VALUES ($1, $2, '主送')`, [received.id, units['MLR-BGT']]);
    const arms = { countersigned: false, received: false, informatization: false };
    for (const unit of await q(`SELECT id, path, code FROM units ORDER BY path`)) {
      const subtree = await subtreeUnitIds(t.app.get(DataSource).manager, { unitPath: unit.path, unitId: unit.id });
      const ids = async (where: string, params: unknown[]) =>
        (await q(`SELECT d.id FROM documents d WHERE ${where} ORDER BY d.id`, params)).map((r) => r.id);
      const unitPath = '(SELECT su.path FROM units su WHERE su.id = d.unit_id)';
      const byRule = await ids(documentScopeSql({ document: 'd', unitPath }, '$1', '$2'), [likePath(unit.path), unit.id]);
      expect(await ids(documentScopeIndexedSql('d', '$1', '$2'), [subtree, unit.id])).toEqual(byRule);
      // Each arm is met outside the drafting unit's line (the province and the ministry above it see all three by path).
      if (unit.code === '330000') arms.countersigned = byRule.includes(countersigned.id);
      if (unit.code === 'MLR-BGT') arms.received = byRule.includes(received.id);
      if (unit.code === 'MLR-XXB') arms.informatization = byRule.includes(informatized.id);
    }
    expect(arms).toEqual({ countersigned: true, received: true, informatization: true });
  });

  it('refuses queries that are empty, too short, too long or malformed (400)', async () => {
    const cases = [
      '',
      'q=',
      'q=%20%20',
      'q=a',
      'q=%E5%9C%9F',
      'q=a%20b',
      `q=${'长'.repeat(65)}`,
      'q=ab&kind=memo',
      'q=ab&limit=0',
      'q=ab&limit=51',
    ];
    for (const query of cases) {
      const res = await search('js.nigao', query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.code).toBeTruthy();
      expect(res.body.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect((await search('js.nigao', 'q=a%20b').then((r) => r.body)).code).toBe('SEARCH_QUERY_TOO_SHORT');
    expect((await t.http().get('/api/search?q=ab')).status).toBe(401);
  });

  it('treats LIKE and regex characters as text', async () => {
    expect((await found('js.nigao', '%_')).items).toHaveLength(0);
    expect((await found('js.nigao', '.*')).items).toHaveLength(0);
  });
});
