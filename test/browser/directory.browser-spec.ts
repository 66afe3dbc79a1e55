import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';

/** 通讯录: find a colleague by unit and by title, call from the phone, keep one's own number. */
describe('通讯录 in the browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    buildIfStale();
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the organ’s people by unit with telephone links, and keeps one’s own number', async () => {
    const lina = await signedInPage(browser, base, 'lina');
    await lina.locator('[data-menu="/directory"]').click();
    await lina.getByRole('heading', { name: '通讯录' }).waitFor();
    await lina
      .locator('.ant-tree-node-content-wrapper', { hasText: /^办公厅$/ })
      .first()
      .click();
    const linfang = lina.getByTestId('directory-person').filter({ hasText: '林芳' });
    await linfang.waitFor();
    expect(await linfang.getByRole('link', { name: /^010-/ }).getAttribute('href')).toMatch(/^tel:010-/);
    expect(await lina.getByTestId('directory-person').filter({ hasText: '李娜' }).count()).toBe(0);
    await screenshot(lina, '90-directory');

    await lina.getByRole('button', { name: '全部单位' }).click();
    await lina.getByLabel('搜索姓名、职务、电话或单位').fill('档案员');
    await lina.getByRole('button', { name: '查询' }).click();
    await lina.getByTestId('directory-person').filter({ hasText: '林芳' }).waitFor();

    await lina.getByRole('button', { name: '修改我的联系方式' }).click();
    await lina.getByLabel('办公电话').fill('打电话');
    await lina.getByRole('button', { name: '保存' }).click();
    await lina.getByText('办公电话只能含数字、空格、+、-、括号，3–32 位').waitFor();
    await lina.getByLabel('办公电话').fill('010-66559999');
    await lina.getByRole('button', { name: '保存' }).click();
    await lina.locator('.ant-message-success').first().waitFor();
    await lina.getByLabel('搜索姓名、职务、电话或单位').fill('66559999');
    await lina.getByRole('button', { name: '查询' }).click();
    await lina.getByTestId('directory-person').filter({ hasText: '李娜' }).waitFor();

    // 数据共享目录: 规划司 keeps its own entry; the published catalogue is a link away.
    await lina.locator('[data-menu="/catalogue"]').click();
    const row = lina.getByTestId('catalogue-entry').filter({ hasText: 'YZT-TDGH' });
    await row.getByRole('button', { name: '维护' }).click();
    await lina.locator('nz-select[nzid="entry-cycle"], #entry-cycle').first().click();
    await lina.locator('.ant-select-item-option', { hasText: '每季度' }).click();
    await lina.locator('.ant-modal-footer').getByRole('button', { name: '保存' }).click();
    await row.getByText('每季度').waitFor();
    expect(await lina.getByTestId('catalogue-entry').filter({ hasText: 'YZT-TDLY' }).getByRole('button', { name: '维护' }).count()).toBe(0);
    expect(await lina.getByRole('link', { name: '公开目录（JSON）' }).getAttribute('href')).toBe('/api/catalogue/published.json');
    await screenshot(lina, '92-catalogue');

    // On a phone: cards, no sideways scroll.
    const phone = await signedInPage(browser, base, 'js.shouwen', PHONE_SCREEN);
    await phone.goto('/directory');
    await phone.getByTestId('directory-person').first().waitFor();
    const [scrollWidth, clientWidth] = (await phone.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as number[];
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await screenshot(phone, '91-directory-phone');
  });
});
