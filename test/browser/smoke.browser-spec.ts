import { DataSource } from 'typeorm';
import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { TEST_PASSWORD } from '../support/test-database';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';

describe('the web application in a real browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('refuses a wrong password with the reason, then signs in and shows the menu of the person’s roles', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: platform.baseUrl });
    const page = await context.newPage();
    await page.goto('/');
    await page.waitForURL(/\/login/);
    await page.getByLabel('用户名').fill('lina');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText(/用户名或密码错误|密码错误/).waitFor();
    await screenshot(page, '01-login-error');
    await context.close();

    const lina = await signedInPage(browser, platform.baseUrl, 'lina');
    await lina.getByRole('heading', { name: '待办事项' }).waitFor();
    const menu = await lina.locator('[data-menu]').evaluateAll((items) => items.map((i) => i.getAttribute('data-menu')));
    expect(menu).toContain('/documents');
    expect(menu).not.toContain('/admin');
    expect(menu).not.toContain('/archive');
    await screenshot(lina, '02-inbox');
    const admin = await signedInPage(browser, platform.baseUrl, 'admin');
    const adminMenu = await admin.locator('[data-menu]').evaluateAll((items) => items.map((i) => i.getAttribute('data-menu')));
    expect(adminMenu).toContain('/admin');
  });

  it('locks an account after repeated failures and says for how long and who can unlock it', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, baseURL: platform.baseUrl });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('用户名').fill('guoqiang');
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.getByLabel('密码').fill(`wrong-${attempt}`);
      // No count of tries left: that would tell a stranger the account exists. Only the lock is announced.
      await Promise.all([page.waitForResponse('**/api/auth/login'), page.getByRole('button', { name: '登录' }).click()]);
      await page.getByText(attempt < 4 ? /用户名或密码错误/ : /账户已锁定/).waitFor();
    }
    // Even the right password is refused while locked.
    await page.getByLabel('密码').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText(/账户已锁定.*分钟后再试或联系安全管理员解锁/).waitFor();
    await screenshot(page, '03-login-locked');
    await context.close();
  });

  it('sends a person whose password must change to the change page, and lets them in after changing it', async () => {
    await platform.t.app.get(DataSource).query(`UPDATE users SET must_change_password = true WHERE username = 'maqiang'`);
    const page = await signedInPage(browser, platform.baseUrl, 'maqiang');
    await page.waitForURL(/\/password/);
    // Any other page leads back here until the password is changed.
    await page.goto('/documents');
    await page.waitForURL(/\/password/);
    await page.getByLabel('当前密码').fill(TEST_PASSWORD);
    await page.getByLabel('新密码', { exact: true }).fill('short');
    await page.getByLabel('再次输入新密码').fill('short');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText(/至少/).first().waitFor();
    await screenshot(page, '04-password-change');
    const next = 'Zw-Browser-2026-Chg!';
    await page.getByLabel('新密码', { exact: true }).fill(next);
    await page.getByLabel('再次输入新密码').fill(next);
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/password'));
    await page.goto('/documents');
    await page.getByRole('heading', { name: '公文交换' }).waitFor();
  });
});
