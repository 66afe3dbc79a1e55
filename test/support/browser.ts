import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fetchPost, sharedKeeper } from './second-factor';
import { TEST_PASSWORD } from './test-database';

/** Where screenshots of key pages go, for a person to look at after a run. */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's chromium, headless, with the flags this closed network needs (no background calls out). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** An office screen, and the phone the issue measures the phone layout on. */
export const OFFICE_SCREEN = { width: 1366, height: 768 };
export const PHONE_SCREEN = { width: 390, height: 844 };

/**
 * A fresh page at an office screen's size (or the given one, e.g. PHONE_SCREEN), signed in as a demo person. An
 * account that needs TOTP is enrolled through the API first (sharedKeeper keeps its secret), then answers 动态口令
 * on the page.
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  username: string,
  viewport: { width: number; height: number } = OFFICE_SCREEN,
): Promise<Page> {
  const post = fetchPost(baseUrl);
  const first = await post('/api/auth/login', { username, password: TEST_PASSWORD });
  if (first.status === 200 && first.body?.secondFactor === 'totp-enrol') await sharedKeeper.finish(username, first.body, post);
  const isPhone = viewport.width < 768;
  const context = await browser.newContext({ viewport, isMobile: isPhone, hasTouch: isPhone, locale: 'zh-CN', baseURL: baseUrl });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  const code = page.getByLabel('动态口令');
  await Promise.race([page.waitForURL((url) => !url.pathname.startsWith('/login')), code.waitFor()]);
  if (page.url().includes('/login')) {
    await code.fill(await sharedKeeper.nextCode(username));
    await page.getByRole('button', { name: '验证' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
