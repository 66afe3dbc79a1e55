import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';

/** 全局搜索 in the browser: the header box, the results page, highlighted hits, and the data scope. */
describe('search from the header', () => {
  const suite = browserSuite();
  const PHRASE = '严格落实永久基本农田特殊保护';
  let jiangsuDocument: string;
  let zhejiangDocument: string;

  beforeAll(async () => {
    const t = suite.platform.t;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
    const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
    const unit = async (code: string): Promise<string> => (await q(`SELECT id FROM units WHERE code = $1`, [code]))[0].id;
    const created = await t
      .http()
      .post('/api/documents')
      .set('Authorization', `Bearer ${await t.login('js.nigao')}`)
      .send({
        docType: '通知',
        title: '关于做好耕地保护督察整改的通知',
        body: `各设区市局：为${PHRASE}制度，现就督察整改有关事项通知如下。`,
        mainRecipients: [await unit('MLR-BGT')],
      });
    expect(created.status).toBe(201);
    jiangsuDocument = created.body.id;
    // 浙江's own document with the same phrase in its 正文 (浙江 has no drafter in the demo: written directly).
    const [drafter] = await q(`SELECT id FROM users WHERE username = 'zj.shenpi'`);
    zhejiangDocument = (
      await q(
        `INSERT INTO documents (unit_id, drafter_id, doc_type, title, main_recipients, body)
         VALUES ($1, $2, '通知', '浙江省关于耕地保护的通知', $3, $4) RETURNING id`,
        [await unit('330000'), drafter.id, [await unit('MLR-BGT')], `全省各地要${PHRASE}制度。`],
      )
    )[0].id;
  });

  const hitIds = (page: Page) =>
    page.locator('[data-testid="search-hits"] li').evaluateAll((items) => items.map((i) => i.getAttribute('data-id')));

  it('finds a document by a phrase of its 正文, marks the phrase, and does not find another province’s', async () => {
    const page = await signedInPage(suite.browser, suite.platform.baseUrl, 'js.nigao');
    const box = page.getByLabel('全局搜索');
    await box.fill(PHRASE);
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    const hit = page.locator(`li[data-id="${jiangsuDocument}"]`);
    await hit.waitFor();
    expect(await hitIds(page)).toEqual([jiangsuDocument]);
    expect(await hit.locator('.snippet mark').allInnerTexts()).toEqual([PHRASE]);
    expect(await page.locator('[data-kind="document"]').first().innerText()).toContain('公文 1');
    await screenshot(page, 'search-results');
    await hit.getByRole('link').click();
    await page.waitForURL(new RegExp(`/documents/${jiangsuDocument}$`));
    await page.getByText('关于做好耕地保护督察整改的通知').first().waitFor();
    // Text that looks like markup is shown as text.
    await page.goto(`/search?q=${encodeURIComponent('<b>x</b>')}`);
    await page.locator('nz-empty').waitFor();
    expect(await page.locator('b').count()).toBe(0);
    // A single character is refused with the reason.
    await page.goto(`/search?q=${encodeURIComponent('耕')}`);
    expect(await page.getByTestId('search-error').innerText()).toContain('至少 2 个字');
  });

  it('shows 浙江 its own document and not 江苏’s, on a phone without sideways scroll', async () => {
    const page = await signedInPage(suite.browser, suite.platform.baseUrl, 'zj.shenpi', PHONE_SCREEN);
    await page.getByTestId('search-open').click();
    await page.waitForURL(/\/search$/);
    await page.getByTestId('search-query').fill(PHRASE);
    await page.getByTestId('search-query').press('Enter');
    await page.locator(`li[data-id="${zhejiangDocument}"]`).waitFor();
    expect(await hitIds(page)).toEqual([zhejiangDocument]);
    const [scrollWidth, clientWidth] = (await page.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as [number, number];
    await screenshot(page, 'search-phone');
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  });
});
