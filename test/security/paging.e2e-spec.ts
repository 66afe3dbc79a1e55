import { MAX_OFFSET, MAX_PAGE } from '../../apps/api/src/platform/paging';
import { nestRoutes, type RouteInfo } from '../support/routes';
import { createTestApp, type TestApp } from '../support/test-app';
import { ROLE_PERSONAS } from './fixture';

const PAGING_FIELDS = ['offset', 'limit', 'page', 'pageSize'] as const;

/** Values no list may accept, per field: huge, negative, fractional, not a number. */
const HOSTILE: Record<(typeof PAGING_FIELDS)[number], string[]> = {
  offset: ['1e21', '-1', String(MAX_OFFSET + 1), '1.5', 'abc'],
  limit: ['1e9', '0', '-1', '2.5', 'x'],
  page: ['1e21', '0', '-1', '1.5'],
  pageSize: ['1e9', '0', '2.5'],
};

describe('bounded paging on every list', () => {
  let t: TestApp;
  let lists: RouteInfo[];
  const tokens: Record<string, string> = {};

  /** Lists that need a query besides paging (search needs its words): the rest of a valid request. */
  const BASE: Record<string, string> = { '/api/search': 'q=%E8%A7%84%E5%88%92&' };
  const base = (route: RouteInfo) => BASE[route.path] ?? '';

  /** A person allowed on the route: its first role's demo persona, else a drafter. */
  async function tokenFor(route: RouteInfo): Promise<string> {
    const user = route.roles?.length ? ROLE_PERSONAS[route.roles[0]] : 'lina';
    tokens[user] ??= await t.login(user);
    return tokens[user];
  }

  beforeAll(async () => {
    t = await createTestApp();
    lists = nestRoutes(t.app).filter(
      (r) => r.method === 'GET' && r.queryParams.some((p) => (PAGING_FIELDS as readonly string[]).includes(p)),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds every paged list (eleven lists and more)', () => {
    expect(lists.length).toBeGreaterThanOrEqual(11);
  });

  it('answers 400 naming the field for out-of-range or non-integer paging, never 500', async () => {
    const failures: string[] = [];
    for (const route of lists) {
      const token = await tokenFor(route);
      for (const field of PAGING_FIELDS) {
        if (!route.queryParams.includes(field)) continue;
        for (const value of HOSTILE[field]) {
          const res = await t
            .http()
            .get(`${route.path}?${base(route)}${field}=${encodeURIComponent(value)}`)
            .set('Authorization', `Bearer ${token}`);
          const named = (res.body as { details?: { field: string }[] }).details?.some((d) => d.field === field);
          if (res.status !== 400 || !named || !String(res.body.message).includes(field)) {
            failures.push(`${route.key} ${field}=${value} → ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('still serves the largest allowed offset and page (an empty page, not an error)', async () => {
    for (const route of lists) {
      const token = await tokenFor(route);
      const has = (field: string) => route.queryParams.includes(field);
      const query = has('offset') ? `offset=${MAX_OFFSET}` : has('page') ? `page=${MAX_PAGE}&pageSize=100` : 'limit=1';
      const res = await t
        .http()
        .get(`${route.path}?${base(route)}${query}`)
        .set('Authorization', `Bearer ${token}`);
      expect({ route: route.key, status: res.status }).toEqual({ route: route.key, status: 200 });
    }
  });
});
