'use strict';
/**
 * 全局搜索 at the inbox benchmark's scale (issue 18 item 5). The inbox bench holds 1,000,000 tasks of 250,000 cases; this
 * one seeds BENCH_SEARCH_RECORDS records (default 250,000, one per case) into the five searchable tables of a fresh
 * embedded PostgreSQL (`--locale=C`, where pg_trgm finds no trigrams in 汉字): 40 % documents with a 正文 of ~300
 * characters, 15 % each projects, filings, approvals and data requests, spread over the demo organisation's units, their
 * text drawn from a vocabulary of official phrases. Then GET /api/search through HTTP with real tokens for a ministry
 * person (sees everything), a province person and 信息办 (the whole project ledger), over a mix of queries (a common
 * two-character word, a four-character phrase, a rarer phrase, two terms, a 文号 fragment), limit 20.
 * Baseline in the same run: the same searches as a plain ILIKE scan (every term as `text ILIKE '%term%'`, the same
 * scope SQL, per kind the newest 501 matches as the service takes them, counts and the newest 20), straight over
 * SQL — what the features' own keyword filters do today.
 * BENCH_RUNS runs (default 3) of BENCH_SAMPLES (default 45) requests each after a warm-up; medians of the runs'
 * percentiles. Notes carry EXPLAIN (ANALYZE, BUFFERS) of one search.
 */
const { Client } = require('pg');
const { join } = require('node:path');
const s = require('./support');

const RECORDS = Math.max(5000, Number(process.env.BENCH_SEARCH_RECORDS ?? 250_000));
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const SAMPLES = Math.max(20, Number(process.env.BENCH_SAMPLES ?? 45));
const TARGET_P95_MS = 200;
/** As the service (SEARCH_CANDIDATES): per kind the newest 500 matches are ranked and counted. */
const CANDIDATES = 500;
const log = s.logger('search');

const PHRASES = [
  '为贯彻落实国家关于推进政务信息化建设的决策部署',
  '严格落实永久基本农田特殊保护制度',
  '加快构建全国统一的自然资源政务服务体系',
  '提升行政效能和服务水平',
  '请各单位结合实际认真抓好落实',
  '并及时报送工作进展情况',
  '做好土地利用总体规划的实施评估',
  '规范建设用地审批和土地征收程序',
  '推进不动产统一登记信息平台建设',
  '加强矿产资源勘查开发监督管理',
  '开展耕地保护督察整改工作',
  '完善国土空间基础信息平台',
  '统筹推进地质灾害综合防治体系建设',
  '落实节约集约用地制度',
  '推动测绘地理信息数据共享服务',
  '健全自然资源资产产权制度',
  '强化国土空间用途管制',
  '做好第三次全国国土调查成果应用',
  '加强数据安全和个人信息保护',
  '推进电子政务外网升级改造',
  '建立健全网络安全责任制',
  '加快政务数据资源目录编制',
  '认真做好信息化项目的立项论证',
  '按照有关规定组织专家评审',
  '严格执行政府采购有关规定',
  '按期完成年度建设任务',
  '及时总结推广典型经验做法',
  '切实加强组织领导和统筹协调',
  '进一步明确职责分工',
  '确保各项工作落到实处',
  '开展卫星遥感动态监测',
  '推进城乡建设用地增减挂钩',
  '做好土地复垦和生态修复',
  '加强海域海岛资源管理',
  '规范采矿权和探矿权登记',
  '深化放管服改革',
  '推进一网通办和跨省通办',
  '加快审批流程再造',
  '压缩审批时限',
  '提高审批效率和服务质量',
];
const WORDS = ['土地', '耕地', '矿产', '测绘', '规划', '审批', '数据', '平台', '督察', '登记'];

/** The query mix: [label, q]. */
function queries(n) {
  return [
    ['common word', WORDS[n % WORDS.length]],
    ['phrase', ['永久基本农田', '不动产统一登记', '地质灾害', '卫星遥感'][n % 4]],
    ['rare phrase', ['基础信息平台建设', '土地复垦和生态修复', '跨省通办', '海域海岛'][n % 4]],
    ['two terms', ['耕地 督察', '审批 时限', '数据 安全', '测绘 共享'][n % 4]],
    ['number', `〔2026〕${1 + ((n * 7919) % 9000)}号`],
  ];
}

const TABLES = ['documents', 'projects', 'filings', 'approvals', 'data_requests'];

async function seed(databaseUrl) {
  const db = new Client({ connectionString: databaseUrl, application_name: 'zhengwu-bench-search-seed' });
  await db.connect();
  const steps = {};
  const step = async (name, sql, params) => {
    const t0 = process.hrtime.bigint();
    await db.query(sql, params);
    steps[name] = s.round((steps[name] ?? 0) + s.ms(t0) / 1000);
  };
  try {
    await db.query(`SET session_replication_role = replica`); // no FK or lifecycle triggers during the load
    await db.query(`SET synchronous_commit = off`);
    await db.query(`SET maintenance_work_mem = '512MB'`);
    for (const t of TABLES) await db.query(`DROP INDEX IF EXISTS ${t}_search`);
    await db.query(`CREATE TEMP TABLE vocab AS SELECT $1::text[] AS p`, [PHRASES]);
    // A text of k phrases joined by ，; `n` in the argument keeps it per row (not evaluated once).
    await db.query(`
      CREATE FUNCTION pg_temp.prose(n bigint, k int) RETURNS text LANGUAGE sql AS $$
        SELECT string_agg(v.p[1 + floor(random() * array_length(v.p, 1))::int], '，') || '。'
          FROM vocab v, generate_series(1, k + (n % 1)::int)
      $$`);
    const { rows: units } = await db.query(
      `SELECT u.id, u.kind, u.path, p.id AS parent FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.path`,
    );
    const { rows: users } = await db.query(`SELECT id, unit_id FROM users ORDER BY username`);
    const unitIds = units.map((u) => u.id);
    const anyUser = users[0].id;
    const counties = units.filter((u) => u.kind === 'county');
    const docs = Math.round(RECORDS * 0.4);
    const each = Math.round(RECORDS * 0.15);
    await step(
      'documents',
      `INSERT INTO documents (unit_id, drafter_id, doc_type, title, main_recipients, body, status, organ_code, doc_year, doc_seq, doc_number, created_at, updated_at)
       SELECT ($1::uuid[])[1 + n % array_length($1::uuid[], 1)], $2, '通知',
              '关于' || (SELECT v.p[1 + (n * 31) % array_length(v.p, 1)] FROM vocab v) || '的通知',
              ARRAY[($1::uuid[])[1 + (n + 7) % array_length($1::uuid[], 1)]], pg_temp.prose(n, 14), '办结',
              'BENCH', 2026, n, '国土资规〔2026〕' || n || '号', now() - n * interval '1 minute', now() - n * interval '1 minute'
         FROM generate_series(1, $3::int) n`,
      [unitIds, anyUser, docs],
    );
    await step(
      'projects',
      `INSERT INTO projects (name, category, budget, start_year, end_year, content, is_government_affairs, unit_id, submitted_by, created_at, updated_at)
       SELECT left((SELECT v.p[1 + (n * 17) % array_length(v.p, 1)] FROM vocab v) || '项目', 100), '系统开发和运行维护', 100, 2026, 2027,
              pg_temp.prose(n, 5), true, ($1::uuid[])[1 + n % array_length($1::uuid[], 1)], $2, now() - n * interval '1 minute', now() - n * interval '1 minute'
         FROM generate_series(1, $3::int) n`,
      [unitIds, anyUser, each],
    );
    await step(
      'filings',
      `INSERT INTO filings (unit_id, drafter_id, kind, title, period_start, period_end, summary, content, contact_name, contact_phone, created_at, updated_at)
       SELECT ($1::uuid[])[1 + n % array_length($1::uuid[], 1)], $2, '信息化规划', '信息化规划（' || n || '）', 2026, 2030,
              pg_temp.prose(n, 2), pg_temp.prose(n, 4), '联系人', '010-66558888', now() - n * interval '1 minute', now() - n * interval '1 minute'
         FROM generate_series(1, $3::int) n`,
      [unitIds, anyUser, each],
    );
    await step(
      'approvals',
      `INSERT INTO approvals (case_no, case_year, case_seq, matter_type, title, applicant, location, land_area, description,
                              unit_id, city_unit_id, province_unit_id, accepted_by, created_at, updated_at)
       SELECT 'B-2026-' || n, 2026, n, '建设用地报批', '建设用地报批（' || n || '）', '申请单位' || (n % 500), '某县某镇', 1.5, pg_temp.prose(n, 4),
              c.id, c.parent, c.province, $2, now() - n * interval '1 minute', now() - n * interval '1 minute'
         FROM generate_series(1, $3::int) n
         JOIN (SELECT row_number() OVER () - 1 AS i, id, parent, province FROM unnest($1::uuid[], $4::uuid[], $5::uuid[]) AS x(id, parent, province)) c
           ON c.i = n % $6`,
      [
        counties.map((c) => c.id),
        anyUser,
        each,
        counties.map((c) => c.parent),
        counties.map((c) => units.find((u) => u.id === c.parent)?.parent ?? c.parent),
        counties.length,
      ],
    );
    await step(
      'data_requests',
      `INSERT INTO data_requests (unit_id, applicant_id, title, region_name, purpose, period_from, period_to, format, contact_name, contact_phone, created_at, updated_at)
       SELECT ($1::uuid[])[1 + n % array_length($1::uuid[], 1)], $2, '数据使用申请（' || n || '）', '某省', pg_temp.prose(n, 3),
              '2026-01-01', '2026-12-31', 'GeoTIFF', '联系人', '010-66558888', now() - n * interval '1 minute', now() - n * interval '1 minute'
         FROM generate_series(1, $3::int) n`,
      [unitIds, anyUser, each],
    );
    for (const t of TABLES) await step('gin indexes', `CREATE INDEX ${t}_search ON ${t} USING gin (search_grams)`);
    for (const t of TABLES) await step('analyze', `ANALYZE ${t}`);
    const { rows: sizes } = await db.query(
      `SELECT relname AS name, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class WHERE relname = ANY($1) ORDER BY relname`,
      [[...TABLES, ...TABLES.map((t) => `${t}_search`)]],
    );
    const { rows: grams } = await db.query(`SELECT avg(cardinality(search_grams))::int AS n FROM documents`);
    return { steps, sizes, gramsPerDocument: grams[0].n, counts: { documents: docs, each } };
  } finally {
    await db.end();
  }
}

/** The baseline: the same search as ILIKE over the same text and the same scope SQL, newest 20 and counts per kind. */
function baselineSql(scope, wholeLedger, termCount) {
  const path = '$1';
  const unit = '$2';
  const like = (text) => Array.from({ length: termCount }, (_, i) => `${text} ILIKE $${3 + i}`).join(' AND ');
  const kinds = [
    ['document', 'documents d', 'd', `d.title || ' ' || coalesce(d.doc_number, '') || ' ' || d.body`, scope.document('d', path, unit)],
    [
      'project',
      'projects p',
      'p',
      `p.name || ' ' || coalesce(p.project_no, '') || ' ' || p.content`,
      wholeLedger ? 'true' : scope.project('p', path, unit),
    ],
    [
      'filing',
      'filings f',
      'f',
      `f.title || ' ' || coalesce(f.filing_no, '') || ' ' || f.summary || ' ' || f.content`,
      scope.data('f', path, unit),
    ],
    [
      'approval',
      'approvals a',
      'a',
      `a.title || ' ' || a.case_no || ' ' || a.applicant || ' ' || a.location || ' ' || a.description`,
      scope.data('a', path, unit),
    ],
    ['data-request', 'data_requests r', 'r', `r.title || ' ' || r.region_name || ' ' || r.purpose`, scope.data('r', path, unit)],
  ];
  const union = kinds
    .map(
      ([kind, from, a, text, where]) =>
        `(SELECT '${kind}'::text AS kind, ${a}.id, ${a}.updated_at FROM ${from} WHERE ${like(text)} AND ${where} ORDER BY ${a}.updated_at DESC LIMIT ${CANDIDATES + 1})`,
    )
    .join(' UNION ALL ');
  return `WITH hits AS MATERIALIZED (${union})
          SELECT (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*)::int AS n FROM hits GROUP BY kind) c) AS counts,
                 (SELECT json_agg(p) FROM (SELECT kind, id FROM hits ORDER BY updated_at DESC LIMIT 20) p) AS page`;
}

async function main() {
  const dist = s.dist;
  const { documentScopeSql } = require(join(dist, 'documents/document-scope.js'));
  const { projectScopeSql } = require(join(dist, 'projects/ledger-scope.js'));
  const { dataScopeSql } = require(join(dist, 'identity/data-scope.js'));
  const scope = {
    document: (a, path, unit) =>
      documentScopeSql({ document: a, unitPath: `(SELECT su.path FROM units su WHERE su.id = ${a}.unit_id)` }, path, unit),
    project: (a, path, unit) =>
      projectScopeSql({ project: a, unitPath: `(SELECT su.path FROM units su WHERE su.id = ${a}.unit_id)` }, path, unit),
    data: (a, path, unit) =>
      dataScopeSql({ unitColumn: `${a}.unit_id`, addressedColumn: `${a}.addressed_unit_ids` }, path, `${unit}::uuid`),
  };
  const booted = await s.bootPlatform('search');
  let result;
  try {
    log(`seeding ${RECORDS.toLocaleString('en')} records into the embedded PostgreSQL (${booted.pg.url.replace(/:[^:@/]*@/, ':***@')})`);
    const t0 = process.hrtime.bigint();
    const seeded = await seed(booted.pg.url);
    const seedSeconds = s.round(s.ms(t0) / 1000);
    log(`seeded in ${seedSeconds} s: ${JSON.stringify(seeded.steps)}; ${seeded.gramsPerDocument} bigrams per document`);

    const people = [
      { username: 'wangjianguo', label: 'ministry (all records)' },
      { username: 'js.nigao', label: 'province (江苏 subtree)' },
      { username: 'chenjing', label: '信息办 (whole project ledger)' },
    ];
    const db = new Client({ connectionString: booted.pg.url, application_name: 'zhengwu-bench-search-baseline' });
    await db.connect();
    for (const person of people) {
      person.token = await s.login(booted.url, person.username);
      const { rows } = await db.query(
        `SELECT u.id AS unit, u.path, u.code FROM users p JOIN units u ON u.id = p.unit_id WHERE p.username = $1`,
        [person.username],
      );
      person.unit = rows[0].unit;
      person.pathLike = `${rows[0].path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // seesWholeLedger: 信息办, 信息中心 and the group's members (wangjianguo is one).
      person.wholeLedger = ['MLR-XXB', 'MLR-XXZX'].includes(rows[0].code) || person.username === 'wangjianguo';
    }

    const one = async (person, q) => {
      const t = process.hrtime.bigint();
      const res = await fetch(`${booted.url}/api/search?q=${encodeURIComponent(q)}&limit=20`, {
        headers: { Authorization: `Bearer ${person.token}` },
      });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`search ${q}: ${res.status} ${JSON.stringify(body)}`);
      return { ms: s.ms(t), total: body.total, capped: body.more.length > 0 };
    };
    const baseline = async (person, q) => {
      const terms = q.split(/\s+/).filter(Boolean);
      const sql = baselineSql(scope, person.wholeLedger, terms.length);
      const t = process.hrtime.bigint();
      const { rows } = await db.query(sql, [
        person.pathLike,
        person.unit,
        ...terms.map((x) => `%${x.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
      ]);
      const counts = Object.values(rows[0].counts ?? {});
      const total = counts.reduce((a, b) => a + Math.min(b, CANDIDATES), 0);
      return { ms: s.ms(t), total, capped: counts.some((n) => n > CANDIDATES) };
    };

    const pass = async (samples) => {
      const search = [];
      const ilike = [];
      const byLabel = {};
      const mismatches = [];
      for (let i = 0; i < samples; i++) {
        const person = people[i % people.length];
        const [label, q] = queries(Math.floor(i / people.length))[i % 5];
        const a = await one(person, q);
        const b = await baseline(person, q);
        search.push(a.ms);
        ilike.push(b.ms);
        (byLabel[label] ??= []).push(a.ms);
        // ILIKE is case-insensitive the same way for these texts: the two must agree on how many records match.
        if (a.capped !== b.capped || a.total !== b.total) mismatches.push(`${person.username} ${q}: search ${a.total}, ILIKE ${b.total}`);
      }
      const pct = (values, p) =>
        s.percentile(
          [...values].sort((x, y) => x - y),
          p,
        );
      return {
        search: { p50: pct(search, 50), p95: pct(search, 95) },
        ilike: { p50: pct(ilike, 50), p95: pct(ilike, 95) },
        byLabel: Object.fromEntries(Object.entries(byLabel).map(([k, v]) => [k, { p50: pct(v, 50), p95: pct(v, 95) }])),
        mismatches,
      };
    };
    await pass(15); // warm-up: plans, buffers
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const run = await pass(SAMPLES);
      runs.push(run);
      log(
        `run ${r + 1}/${RUNS}: search p50/p95 ${run.search.p50.toFixed(1)}/${run.search.p95.toFixed(1)} ms; ` +
          `ILIKE p50/p95 ${run.ilike.p50.toFixed(1)}/${run.ilike.p95.toFixed(1)} ms; mismatches ${run.mismatches.length}`,
      );
    }
    const figures = [];
    for (const pct of ['p50', 'p95']) {
      const value = s.median(runs.map((r) => r.search[pct]));
      const base = s.median(runs.map((r) => r.ilike[pct]));
      const figure = {
        name: `search ${pct} via HTTP (bigram GIN, ranked, counted per kind)`,
        value: s.round(value),
        unit: 'ms',
        baseline: { name: `the same search as ILIKE scan ${pct} (SQL only, no HTTP)`, value: s.round(base), unit: 'ms' },
        ratio: s.round(value / base),
        runs: runs.map((r) => s.round(r.search[pct])),
      };
      if (pct === 'p95') Object.assign(figure, { target: `< ${TARGET_P95_MS} ms`, met: value < TARGET_P95_MS });
      figures.push(figure);
    }
    const labels = Object.keys(runs[0].byLabel);
    const perQuery = labels
      .map(
        (l) =>
          `| ${l} | ${s.median(runs.map((r) => r.byLabel[l].p50)).toFixed(1)} | ${s.median(runs.map((r) => r.byLabel[l].p95)).toFixed(1)} |`,
      )
      .join('\n');
    const mismatches = [...new Set(runs.flatMap((r) => r.mismatches))];

    // One plan, for the notes: the ministry person's common-word search, as the repository runs it.
    await db.query(`SET search_path = public`);
    const plan = await explain(booted, people[1]);
    await db.end();
    result = {
      scenario: 'search',
      title: `全局搜索 at the inbox scale (${RECORDS.toLocaleString('en')} records)`,
      figures,
      notes: [
        `Seeded ${RECORDS.toLocaleString('en')} records (documents ${seeded.counts.documents.toLocaleString('en')}, ${seeded.counts.each.toLocaleString('en')} each of projects, filings, approvals, data requests) in ${seedSeconds} s: ${JSON.stringify(seeded.steps)}. ${seeded.gramsPerDocument} distinct bigrams per document on average.`,
        `Sizes: ${seeded.sizes.map((r) => `${r.name} ${r.size}`).join(', ')}.`,
        `People: ${people.map((p) => `${p.username} (${p.label})`).join(', ')}; queries in turn: common word (${WORDS.join('/')}), phrase, rare phrase, two terms, a 文号 fragment. ${RUNS} runs × ${SAMPLES} requests after 15 warm-up; figures are medians of the runs' percentiles.`,
        `Per query kind (search via HTTP, ms):\n\n| query | p50 | p95 |\n|---|---|---|\n${perQuery}`,
        mismatches.length === 0
          ? 'Search and the ILIKE baseline agreed on the number of matches for every request.'
          : `Totals differing from ILIKE: ${mismatches.slice(0, 5).join('; ')}`,
        `EXPLAIN (ANALYZE, BUFFERS) of the province person's search for “土地”, the repository's statements for the documents (the sample, then the rest if it was needed):\n\n\`\`\`\n${plan}\n\`\`\``,
      ].join('\n\n'),
    };
  } finally {
    await booted.stop();
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/**
 * The plans of the repository's statements for the documents of one search (the sample of the newest records, then the
 * walk on or the bigram index for the rest), captured by running the service with a query logger for one call.
 */
async function explain(booted, person) {
  const { SearchService } = require(join(s.dist, 'search/search.service.js'));
  const { DataSource } = require('typeorm');
  const ds = booted.platform.app.get(DataSource);
  const service = booted.platform.app.get(SearchService);
  const [{ id: userId, unit_id: unitId, path }] = await ds.query(
    `SELECT p.id, p.unit_id, u.path FROM users p JOIN units u ON u.id = p.unit_id WHERE p.username = $1`,
    [person.username],
  );
  const me = { userId, username: person.username, displayName: '', unitId, unitPath: path, roles: ['drafter'], sessionId: 'bench' };
  const original = ds.query.bind(ds);
  const captured = [];
  ds.query = async (sql, params, runner) => {
    if (/FROM documents d\b/.test(sql)) captured.push({ sql, params });
    return original(sql, params, runner);
  };
  try {
    await service.search(me, { q: '土地', limit: 20, offset: 0 });
  } finally {
    ds.query = original;
  }
  const plans = [];
  for (const { sql, params } of captured.filter((c) => !c.sql.includes('ANY($1::uuid[])'))) {
    const rows = await ds.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
  return plans.join('\n\n');
}

s.run(main);
