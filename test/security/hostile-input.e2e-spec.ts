import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SAMPLE_PDF } from '../support/attach';
import { createTestApp, type TestApp } from '../support/test-app';
import { Actors, createJiangsuRecords, ROLE_PERSONAS, WORKER_TOKEN, type JiangsuRecords } from './fixture';
import { fillPath, nestRoutes, pathParams, type RouteInfo } from '../support/routes';

/** SQL's and LIKE's meta-characters, and the strings that break naive SQL, encodings and parsers. */
const SQL_PAYLOADS = [
  "'",
  '"',
  ';',
  '--',
  '%',
  '_',
  '\\',
  '%_%',
  "' OR '1'='1",
  "1' OR 1=1 --",
  "'; DROP TABLE users; --",
  "' UNION SELECT password_hash FROM users --",
  "'||pg_sleep(10)||'",
  '$1',
  '::text',
  ') OR (1=1',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '𠮷%',
  'x'.repeat(5000),
];

/** Who lists what: a person who sees rows there, so a filter that leaks has something to leak. */
const LIST_PERSONA: Record<string, string> = {
  '/api/audit': 'auditor',
  '/api/org/users': 'secadmin',
  '/api/tasks': 'xw.shouli',
  '/api/attachments': 'js.nigao',
  '/api/documents': 'js.nigao',
  '/api/approvals': 'xw.shouli',
  '/api/projects': 'lina',
  '/api/deployed-systems': 'huangli',
  '/api/filings': 'js.nigao',
  '/api/data-requests': 'js.nigao',
  '/api/data-release/requests': 'lina',
  '/api/data-release/releases': 'lina',
  '/api/data-release/outside-requests': 'chenjing',
  '/api/mailbox': 'admin',
  '/api/archive': 'linfang',
};

const NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"';
const VALID_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions ${NS} id="D_sec" targetNamespace="t">
<process id="security-test" name="安全测试" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="u" />
  <userTask id="u" name="办理" /><sequenceFlow id="f1" sourceRef="u" targetRef="e" /><endEvent id="e" name="结束" />
</process></definitions>`;
const body = (xml: string) => xml.replace(/^<\?xml[^>]*>\n/, '');

describe('hostile input: SQL meta-characters, oversized bodies, files and BPMN', () => {
  let t: TestApp;
  let a: Actors;
  let f: JiangsuRecords;
  let routes: RouteInfo[];
  const personaRoles: Record<string, string[]> = {};
  const figures: Record<string, number> = {};
  const count = (name: string, n = 1) => (figures[name] = (figures[name] ?? 0) + n);
  const started = Date.now();

  beforeAll(async () => {
    t = await createTestApp({ WORKER_TOKEN, ATTACHMENT_MAX_MB: '1' });
    a = new Actors(t);
    await a.login(...Object.values(ROLE_PERSONAS));
    f = await createJiangsuRecords(a);
    routes = nestRoutes(t.app);
    for (const row of await a.q(
      `SELECT u.username, array_agg(r.role) AS roles FROM users u JOIN user_roles r ON r.user_id = u.id GROUP BY u.username`,
    )) {
      personaRoles[row.username] = row.roles;
    }
  }, 120_000);
  afterAll(async () => {
    console.log(
      `RELIABILITY: hostile-input ${Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} duration=${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    await t?.close();
  });

  const personaFor = (route: RouteInfo): string =>
    LIST_PERSONA[route.path] ??
    Object.values(ROLE_PERSONAS).find((who) => !route.roles || route.roles.some((r) => personaRoles[who]?.includes(r))) ??
    'lina';
  const rowsOf = (b: unknown): unknown[] | undefined => {
    if (Array.isArray(b)) return b;
    if (b && typeof b === 'object' && Array.isArray((b as { items?: unknown }).items)) return (b as { items: unknown[] }).items;
    return undefined;
  };
  const healthy = async () => {
    const res = await t.http().get('/api/health');
    expect([res.status, res.body.status]).toEqual([200, 'ok']);
  };

  it('answers every list filter with SQL meta-characters by 200 (nothing found) or 400, never 500, and leaks no rows', async () => {
    const baseQuery = (route: RouteInfo): Record<string, string> => {
      if (route.path === '/api/tasks') return { view: 'todo' };
      if (route.path === '/api/documents') return { box: 'sent' };
      if (route.path === '/api/attachments') return { ownerKind: 'filing', ownerId: f.filing.id };
      // Search needs words; a hostile value of q itself is tried below like any filter.
      if (route.path === '/api/search') return { q: '规划' };
      return {};
    };
    const lists = routes.filter(
      (r) => r.method === 'GET' && !r.isPublic && !r.worker && pathParams(r.path).length === 0 && r.queryParams.length,
    );
    const statuses: Record<number, number> = {};
    let slowest = 0;
    for (const route of lists) {
      const who = personaFor(route);
      const base = baseQuery(route);
      const baseline = await a.as(who).get(route.path).query(base);
      expect([route.key, who, baseline.status]).toEqual([route.key, who, 200]);
      if ((rowsOf(baseline.body)?.length ?? 0) > 0) count('listsWithRows');
      count('listRoutes');
      for (const param of route.queryParams) {
        count('filterParams');
        const answers = await Promise.all(
          SQL_PAYLOADS.map(async (payload) => {
            const began = Date.now();
            const res = await a
              .as(who)
              .get(route.path)
              .query({ ...base, [param]: payload });
            return { payload, res, took: Date.now() - began };
          }),
        );
        for (const { payload, res, took } of answers) {
          slowest = Math.max(slowest, took);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          count('sqlRequests');
          const where = `${route.key}?${param}=${JSON.stringify(payload.slice(0, 30))} as ${who}`;
          // The attachments list answers an owner that is not there as 404 (as every record outside one's reach).
          const allowed = route.path === '/api/attachments' && param === 'ownerId' ? [200, 400, 404] : [200, 400];
          expect([where, allowed.includes(res.status)]).toEqual([where, true]);
          if (res.status === 400) expect([where, res.body.code]).toEqual([where, expect.stringMatching(/^[A-Z_]+$/)]);
          const rows = res.status === 200 ? rowsOf(res.body) : undefined;
          // No stored record contains any of these strings: a filter that finds rows matched something else.
          if (rows) expect([where, rows.length]).toEqual([where, 0]);
        }
      }
    }
    figures.slowestMs = slowest;
    for (const [status, n] of Object.entries(statuses)) count(`status${status}`, n);
    // pg_sleep never ran: no request took anywhere near its 10 s.
    expect(slowest).toBeLessThan(8000);
    // Nothing was dropped either.
    expect((await a.q(`SELECT count(*)::int AS n FROM users`))[0].n).toBeGreaterThan(20);
  });

  it('answers SQL meta-characters in record ids by 400 or 404, never 500', async () => {
    const withIds = routes.filter((r) => r.method === 'GET' && !r.isPublic && !r.worker && pathParams(r.path).length > 0);
    for (const route of withIds) {
      const who = personaFor(route);
      for (const payload of SQL_PAYLOADS.slice(0, 17)) {
        const values = Object.fromEntries(pathParams(route.path).map((p) => [p, payload]));
        const res = await a.as(who).get(fillPath(route.path, values));
        count('idRequests');
        const where = `${route.key} ${JSON.stringify(payload)} as ${who}`;
        expect([where, [400, 404].includes(res.status)]).toEqual([where, true]);
      }
    }
    // The worker routes too, with the worker token.
    for (const route of routes.filter((r) => r.worker && pathParams(r.path).length > 0)) {
      for (const payload of SQL_PAYLOADS.slice(0, 17)) {
        const values = Object.fromEntries(pathParams(route.path).map((p) => [p, payload]));
        const path = fillPath(route.path, values);
        const req = route.method === 'GET' ? a.worker().get(path) : a.worker().post(path, { workerId: 'w', retries: 0, errorMessage: 'x' });
        const res =
          route.method === 'PUT'
            ? await a.t.http().put(path).set('Authorization', `Bearer ${WORKER_TOKEN}`).send({ retries: 1 })
            : await req;
        count('idRequests');
        const where = `${route.key} ${JSON.stringify(payload)}`;
        expect([where, res.status >= 400 && res.status < 500]).toEqual([where, true]);
      }
    }
    await healthy();
  });

  it('answers oversized and pathological bodies with 413/400 and a message', async () => {
    const lina = `Bearer ${a.tokens.lina}`;
    const big = await t
      .http()
      .post('/api/documents')
      .set('Authorization', lina)
      .send({ docType: '通知', title: '超大', mainRecipients: [], body: 'x'.repeat(3 * 1024 * 1024) });
    expect([big.status, big.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(big.body.message).toMatch(/过大/);
    // Unauthenticated, too: the size is refused before anything else reads the body.
    const anonymous = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"username":"${'a'.repeat(3 * 1024 * 1024)}"}`);
    expect([anonymous.status, anonymous.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const xml = await t
      .http()
      .post('/api/process-definitions')
      .set('Authorization', `Bearer ${a.tokens.admin}`)
      .set('Content-Type', 'application/xml')
      .send(`<a>${'x'.repeat(6 * 1024 * 1024)}</a>`);
    expect([xml.status, xml.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    count('oversizedBodies413', 3);

    // Deep nesting within the size limit: JSON that nests 100 000 arrays, and a body that is not JSON at all.
    const deep = `{"docType":"通知","title":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const nested = await t.http().post('/api/documents').set('Authorization', lina).set('Content-Type', 'application/json').send(deep);
    expect([nested.status]).toEqual([400]);
    const garbage = await t
      .http()
      .post('/api/documents')
      .set('Authorization', lina)
      .set('Content-Type', 'application/json')
      .send('\u0000\u0001{{{');
    expect(garbage.status).toBe(400);
    const wrongType = await t
      .http()
      .post('/api/documents')
      .set('Authorization', lina)
      .set('Content-Type', 'application/json; charset=utf-7')
      .send('{}');
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
    // Prototype pollution through JSON: refused or ignored, and no object gained the property.
    const proto = await t
      .http()
      .post('/api/filings')
      .set('Authorization', `Bearer ${a.tokens['js.nigao']}`)
      .set('Content-Type', 'application/json')
      .send('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"kind":"信息化规划"}');
    expect(proto.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    count('pathologicalBodies4xx', 4);
    await healthy();
  });

  describe('uploads', () => {
    const upload = (content: Buffer, filename: string, who = 'js.nigao', ownerKind = 'filing', ownerId?: string) =>
      t
        .http()
        .post(`/api/attachments?ownerKind=${ownerKind}&ownerId=${ownerId ?? f.filing.id}`)
        .set('Authorization', `Bearer ${a.tokens[who]}`)
        .attach('file', content, { filename });
    const download = (id: string) =>
      t
        .http()
        .get(`/api/attachments/${id}/content`)
        .set('Authorization', `Bearer ${a.tokens['js.nigao']}`)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(null, Buffer.concat(chunks)));
        });

    it('refuses files over ATTACHMENT_MAX_MB with 413, and more than one file per request', async () => {
      const tooBig = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1024 * 1024 + 10, 0x20)]);
      const res = await upload(tooBig, '超大附件.pdf');
      expect([res.status, res.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      expect(res.body.message).toMatch(/过大|MB/);
      const two = await t
        .http()
        .post(`/api/attachments?ownerKind=filing&ownerId=${f.filing.id}`)
        .set('Authorization', `Bearer ${a.tokens['js.nigao']}`)
        .attach('file', SAMPLE_PDF, { filename: 'a.pdf' })
        .attach('file', SAMPLE_PDF, { filename: 'b.pdf' });
      expect(two.status).toBeGreaterThanOrEqual(400);
      expect(two.status).toBeLessThan(500);
      let many = t
        .http()
        .post(`/api/attachments?ownerKind=filing&ownerId=${f.filing.id}`)
        .set('Authorization', `Bearer ${a.tokens['js.nigao']}`);
      for (let i = 0; i < 50; i++) many = many.field(`f${i}`, 'x');
      const fields = await many.attach('file', SAMPLE_PDF, { filename: 'c.pdf' });
      expect(fields.status).toBeGreaterThanOrEqual(400);
      expect(fields.status).toBeLessThan(500);
      // Nothing of those was stored.
      const stored = await a.q(`SELECT name FROM attachments WHERE owner_id = $1 AND deleted_at IS NULL`, [f.filing.id]);
      expect(stored.map((r) => r.name)).toEqual(['江苏测试附件.pdf']);
      count('oversizedUploads413');
      count('multipartAbuse4xx', 2);
    });

    it('sniffs the content: executables and disguised HTML are refused, text is served as a sandboxed download', async () => {
      const cases: [string, Buffer, string, number, string?][] = [
        [
          'Windows executable named .pdf',
          Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]),
          '报告.pdf',
          415,
          'FILE_TYPE_REFUSED',
        ],
        [
          'ELF executable named .png',
          Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(200)]),
          '截图.png',
          415,
          'FILE_TYPE_REFUSED',
        ],
        ['shell script named .txt', Buffer.from('#!/bin/sh\nrm -rf /\n'), '说明.txt', 415, 'FILE_TYPE_REFUSED'],
        [
          'Java class named .doc',
          Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe]), Buffer.alloc(100)]),
          '文件.doc',
          415,
          'FILE_TYPE_REFUSED',
        ],
        ['HTML named .png', Buffer.from('<html><script>alert(document.cookie)</script></html>'), '图片.png', 415, 'FILE_TYPE_MISMATCH'],
        [
          'SVG with script named .png',
          Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
          '图标.png',
          415,
          'FILE_TYPE_MISMATCH',
        ],
        ['HTML named .html', Buffer.from('<html><script>alert(1)</script></html>'), '页面.html', 415, 'FILE_TYPE_MISMATCH'],
        ['PDF named .exe', SAMPLE_PDF, '程序.exe', 415, 'FILE_TYPE_MISMATCH'],
        ['binary noise named .pdf', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10]), '数据.pdf', 415, 'FILE_TYPE_REFUSED'],
        ['empty file', Buffer.alloc(0), '空.pdf', 400],
      ];
      for (const [what, content, name, status, code] of cases) {
        const res = await upload(content, name);
        expect([what, res.status, res.body.code]).toEqual([what, status, code ?? 'VALIDATION_FAILED']);
        expect(typeof res.body.message).toBe('string');
        count('refusedFiles');
      }
      // HTML is text: named .txt it is kept, and only ever sent back as a sandboxed text/plain download.
      const html = await upload(Buffer.from('<html><script>alert(document.cookie)</script></html>'), '网页.txt');
      expect(html.status).toBe(201);
      expect(html.body.mime).toBe('text/plain');
      const served = await download(html.body.id);
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toMatch(/^text\/plain/);
      expect(served.headers['content-disposition']).toMatch(/^attachment;/);
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect(served.headers['content-security-policy']).toContain('sandbox');
      const png = await upload(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]), '真图片.png');
      expect([png.status, png.body.mime]).toEqual([201, 'image/png']);
      count('acceptedFiles', 2);
    });

    it('strips paths, NUL bytes and control characters from names and never writes outside DATA_DIR/files', async () => {
      const names: [string, string][] = [
        ['../../etc/passwd.pdf', 'passwd.pdf'],
        ['/etc/passwd.pdf', 'passwd.pdf'],
        ['..\\..\\Windows\\System32\\evil.pdf', 'evil.pdf'],
        ['C:\\Users\\evil.pdf', 'evil.pdf'],
        ['....//....//evil.pdf', 'evil.pdf'],
        ['a\u0000b.pdf', 'ab.pdf'],
        ['.hidden.pdf', 'hidden.pdf'],
        ['line\r\nX-Injected: 1.pdf', 'lineX-Injected 1.pdf'],
        ['"quoted";<script>.pdf', 'quoted;script.pdf'],
        [`${'长'.repeat(300)}.pdf`, `${'长'.repeat(196)}.pdf`],
      ];
      for (const [raw, expected] of names) {
        const res = await upload(Buffer.concat([SAMPLE_PDF, Buffer.from(raw)]), raw);
        if (raw.includes('\u0000') && res.status === 400) {
          // The multipart parser refuses a NUL in the part header before the name reaches us: refused is safe too.
          expect(typeof res.body.message).toBe('string');
          count('nulNamesRefused400');
          continue;
        }
        expect([raw, res.status, res.body.message]).toEqual([raw, 201, undefined]);
        expect([raw, res.body.name]).toEqual([raw, expected]);
        const served = await download(res.body.id);
        expect(served.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(expected)}`);
        expect(served.headers['x-injected']).toBeUndefined();
        count('hostileNamesStoredSafely');
      }
      // Names that are nothing but a path are refused.
      for (const raw of ['../..', '/', '...', '\u0000']) {
        const res = await upload(SAMPLE_PDF, raw);
        expect([raw, res.status]).toEqual([raw, 400]);
        count('emptyNames400');
      }
      // Everything the uploads wrote is under DATA_DIR/files, named by its SHA-256; nothing beside DATA_DIR appeared.
      const files = walk(join(t.config.dataDir, 'files'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(relative(join(t.config.dataDir, 'files'), file)).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{64}$/);
      const parent = dirname(t.config.dataDir);
      expect(readdirSync(parent).filter((n) => /passwd|evil|hidden|Injected/.test(n))).toEqual([]);
      expect(existsSync(join(t.config.dataDir, 'etc'))).toBe(false);
      count('storedFilesChecked', files.length);
    });

    it('serves no archive file outside the package, whatever the name', async () => {
      for (const name of [
        '../../../../etc/passwd',
        '..%2F..%2Fmanifest.json',
        '/etc/passwd',
        '..',
        '.',
        'manifest.json/../../x',
        '\u0000',
      ]) {
        const res = await t
          .http()
          .get(`/api/archive/${f.archive.id}/files/${encodeURIComponent(name)}`)
          .set('Authorization', `Bearer ${a.tokens.linfang}`);
        // 404, or 400 for a NUL byte that no name can hold; never a file from elsewhere.
        expect([name, [400, 404].includes(res.status)]).toEqual([name, true]);
        count('archiveTraversalRefused');
      }
      const ok = await t
        .http()
        .get(`/api/archive/${f.archive.id}/files/${encodeURIComponent(f.archive.fileName)}`)
        .set('Authorization', `Bearer ${a.tokens.linfang}`);
      expect(ok.status).toBe(200);
    });
  });

  describe('BPMN uploads', () => {
    const deploy = (xml: string | Buffer, type = 'application/xml') =>
      t.http().post('/api/process-definitions').set('Authorization', `Bearer ${a.tokens.admin}`).set('Content-Type', type).send(xml);

    it('deploys a plain diagram, and refuses DTDs, entity bombs, external entities, scripts and huge documents quickly', async () => {
      const ok = await deploy(VALID_BPMN);
      expect(ok.status).toBe(201);
      const laughs = Array.from({ length: 10 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
      const deepXml = `<?xml version="1.0"?><definitions ${NS} id="D" targetNamespace="t"><process id="deep" isExecutable="true">${'<extensionElements>'.repeat(50_000)}${'</extensionElements>'.repeat(50_000)}</process></definitions>`;
      const manyAttributes = body(VALID_BPMN).replace(
        '<userTask id="u"',
        `<userTask id="u" ${Array.from({ length: 20_000 }, (_, i) => `a${i}="${i}"`).join(' ')}`,
      );
      const cases: [string, string | Buffer, number, string, string?][] = [
        ['a DTD', `<?xml version="1.0"?><!DOCTYPE definitions>${body(VALID_BPMN)}`, 400, 'DEFINITION_DTD_REFUSED'],
        [
          'billion laughs',
          `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "ha">${laughs}]>${body(VALID_BPMN).replace('name="办理"', 'name="&l10;"')}`,
          400,
          'DEFINITION_DTD_REFUSED',
        ],
        [
          'an external entity',
          `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>${body(VALID_BPMN).replace('name="办理"', 'name="&x;"')}`,
          400,
          'DEFINITION_DTD_REFUSED',
        ],
        [
          'a parameter entity',
          `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>${body(VALID_BPMN)}`,
          400,
          'DEFINITION_DTD_REFUSED',
        ],
        [
          'a lower-case doctype',
          `<?xml version="1.0"?><!doctype d [<!entity x SYSTEM "file:///etc/passwd">]>${body(VALID_BPMN)}`,
          400,
          'DEFINITION_DTD_REFUSED',
        ],
        [
          'a UTF-16 document with a DTD',
          Buffer.concat([
            Buffer.from([0xff, 0xfe]),
            Buffer.from(
              `<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>${body(VALID_BPMN)}`,
              'utf16le',
            ),
          ]),
          400,
          '',
          'application/xml; charset=utf-16le',
        ],
        [
          'a script task',
          VALID_BPMN.replace(
            '<userTask id="u" name="办理" />',
            '<scriptTask id="u" name="办理" scriptFormat="javascript"><script>process.exit(1)</script></scriptTask>',
          ),
          400,
          'DEFINITION_ELEMENT_REFUSED',
        ],
        [
          'a script condition',
          VALID_BPMN.replace(
            '<sequenceFlow id="f1" sourceRef="u" targetRef="e" />',
            '<sequenceFlow id="f1" sourceRef="u" targetRef="e"><conditionExpression xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="tFormalExpression" language="javascript">process.exit(1)</conditionExpression></sequenceFlow>',
          ),
          400,
          '',
        ],
        [
          'a Java delegate',
          VALID_BPMN.replace('<userTask id="u" name="办理" />', '<serviceTask id="u" name="办理" camunda:class="java.lang.Runtime" />'),
          400,
          '',
        ],
        [
          'an execution listener script',
          VALID_BPMN.replace(
            '<userTask id="u" name="办理" />',
            '<userTask id="u" name="办理"><extensionElements><camunda:executionListener event="start"><camunda:script scriptFormat="javascript">process.exit(1)</camunda:script></camunda:executionListener></extensionElements></userTask>',
          ),
          400,
          '',
        ],
        [
          'an XInclude',
          VALID_BPMN.replace(
            '<userTask id="u" name="办理" />',
            '<userTask id="u" name="办理"><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text" /></userTask>',
          ),
          0,
          '',
        ],
        [
          '3 MB (over the 2 MB limit)',
          VALID_BPMN.replace('</definitions>', `<!-- ${'x'.repeat(3 * 1024 * 1024)} --></definitions>`),
          413,
          'DEFINITION_TOO_LARGE',
        ],
        [
          '6 MB (over the body limit)',
          VALID_BPMN.replace('</definitions>', `<!-- ${'x'.repeat(6 * 1024 * 1024)} --></definitions>`),
          413,
          'PAYLOAD_TOO_LARGE',
        ],
        ['50 000 nested elements', deepXml, 400, ''],
        ['20 000 attributes on one element', manyAttributes, 0, ''],
        ['not XML at all', '\u0000\u0001\u0002<<<>>>', 400, ''],
        ['an empty body', '', 400, 'DEFINITION_MISSING'],
      ];
      const rssBefore = process.memoryUsage().rss;
      let slowest = 0;
      for (const [what, xml, status, code, type] of cases) {
        const began = Date.now();
        const res = await deploy(xml, type);
        const took = Date.now() - began;
        slowest = Math.max(slowest, took);
        // 0: accepted or refused, but never a 5xx; an accepted one must not carry the file it pointed at.
        if (status === 0) {
          expect([what, res.status < 500]).toEqual([what, true]);
          if (res.status === 201) {
            const stored = await t
              .http()
              .get(`/api/process-definitions/security-test/xml`)
              .set('Authorization', `Bearer ${a.tokens.admin}`);
            expect([what, JSON.stringify(stored.body).includes('root:')]).toEqual([what, false]);
          }
        } else {
          expect([what, res.status]).toEqual([what, status]);
          if (code) expect([what, res.body.code]).toEqual([what, code]);
        }
        expect([what, typeof res.body.message]).toEqual([what, 'string']);
        expect([what, took < 5000]).toEqual([what, true]);
        count('bpmnHostile');
        if (res.status >= 400) count('bpmnRefused4xx');
      }
      figures.bpmnSlowestMs = slowest;
      figures.bpmnRssGrowthMb = Math.round((process.memoryUsage().rss - rssBefore) / 1024 / 1024);
      await healthy();
      // The valid one is still the only version of its key that holds a user task named 办理.
      const defs = await a.q(`SELECT count(*)::int AS n FROM process_definitions WHERE key = 'security-test'`);
      expect(defs[0].n).toBeGreaterThanOrEqual(1);
    });
  });
});

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
