import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot } from '../support/browser';
import { freePort, startOidcProvider, type RunningOidcProvider } from '../support/oidc-op';
import { fetchPost, sharedKeeper } from '../support/second-factor';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_PASSWORD } from '../support/test-database';

describe('single sign-on in a real browser', () => {
  let op: RunningOidcProvider;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    buildIfStale();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const client = { client_id: 'zhengwu', client_secret: 'zhengwu-browser-secret-0123456789' };
    op = await startOidcProvider([{ ...client, redirect_uris: [`${baseUrl}/api/auth/oidc/callback`] }], {
      lina: '李娜',
      admin: '系统管理员',
      stranger: '外省人员',
    });
    t = await createTestApp({
      PUBLIC_URL: baseUrl,
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: client.client_id,
      OIDC_CLIENT_SECRET: client.client_secret,
    });
    await t.app.listen(port, '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await op?.stop();
  });

  it('signs 李娜 in from the login page’s button through the provider’s login and consent pages into her inbox', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/login');
    const button = page.getByRole('button', { name: '统一身份认证登录' });
    await button.waitFor();
    await screenshot(page, 'sso-01-login-button');
    await button.click();
    await page.waitForURL((url) => url.href.startsWith(op.issuer));
    await page.locator('#op-login').fill('lina');
    await page.locator('#op-password').fill(op.password);
    await page.locator('#op-submit').click();
    await page.locator('#op-consent').click();
    await page.waitForURL(/\/inbox/);
    await page.getByRole('heading', { name: '待办事项' }).waitFor();
    await page.getByText('李娜').first().waitFor();
    await screenshot(page, 'sso-02-inbox');
    // A reload keeps the session (the refresh cookie the callback set), as after a password login.
    await page.reload();
    await page.getByRole('heading', { name: '待办事项' }).waitFor();
    await context.close();
  });

  it('asks an administrator who signed in by single sign-on for the 动态口令 before letting him in', async () => {
    // 系统管理员 needs TOTP: enrolled once through the API (the keeper holds the secret).
    const post = fetchPost(baseUrl);
    const first = await post('/api/auth/login', { username: 'admin', password: TEST_PASSWORD });
    expect(first.status).toBe(200);
    if (first.body?.secondFactor === 'totp-enrol') await sharedKeeper.finish('admin', first.body, post);
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await page.locator('#op-login').fill('admin');
    await page.locator('#op-password').fill(op.password);
    await page.locator('#op-submit').click();
    await page.locator('#op-consent').click();
    const code = page.getByLabel('动态口令');
    await code.waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'sso-04-second-factor');
    await code.fill(await sharedKeeper.nextCode('admin'));
    await page.getByRole('button', { name: '验证' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.getByText('系统管理员').first().waitFor();
    await context.close();
  });

  it('says why when the provider’s person has no account here', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await page.locator('#op-login').fill('stranger');
    await page.locator('#op-password').fill(op.password);
    await page.locator('#op-submit').click();
    await page.locator('#op-consent').click();
    await page.getByText('您的统一身份认证账户在本平台没有对应的账户，请联系安全管理员开通').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login/sso');
    await screenshot(page, 'sso-03-unknown-account');
    await page.getByRole('link', { name: '返回登录' }).click();
    await page.waitForURL(/\/login$/);
    await context.close();
  });
});
