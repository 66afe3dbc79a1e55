import { DataSource } from 'typeorm';
import type { Browser, Page } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { currentStep, SecondFactorKeeper, totpCode } from '../support/second-factor';
import { TEST_PASSWORD } from '../support/test-database';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';

/** TOTP as a person meets it: enrolment forced at the first login, then 动态口令 at every login; codes from otpauth. */
describe('TOTP second factor in a real browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  const keeper = new SecondFactorKeeper();

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  const passwordStep = async (username: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', baseURL: platform.baseUrl });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    return page;
  };

  it('makes the auditor enrol after the password (QR code, manual key, first code, recovery codes once), then asks for 动态口令', async () => {
    const page = await passwordStep('auditor');
    await page.getByText('您的账户须启用双因素认证').waitFor();
    await page.locator('img[alt="双因素认证二维码"]').waitFor();
    const secret = ((await page.locator('[data-totp-secret]').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await screenshot(page, 'totp-01-enrol');
    const step = currentStep();
    await page.getByLabel('动态口令').fill(totpCode(secret, step));
    await page.getByRole('button', { name: '确认绑定' }).click();
    await page.locator('[data-recovery-codes] li').first().waitFor();
    expect(await page.locator('[data-recovery-codes] li').count()).toBe(10);
    await screenshot(page, 'totp-02-recovery-codes');
    await page.getByRole('button', { name: '我已保存恢复码' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.context().close();

    keeper.remember('auditor', secret, step);
    const again = await passwordStep('auditor');
    const code = again.getByLabel('动态口令');
    await code.waitFor();
    // A wrong code first: refused with the reason, the page stays at the second step.
    const wrong = totpCode(secret, step - 5);
    await code.fill(wrong === totpCode(secret, currentStep()) ? '000000' : wrong);
    await again.getByRole('button', { name: '验证' }).click();
    await again.getByText('动态口令或恢复码不正确').waitFor();
    await screenshot(again, 'totp-03-code');
    await code.fill(await keeper.nextCode('auditor'));
    await again.getByRole('button', { name: '验证' }).click();
    await again.waitForURL((url) => !url.pathname.startsWith('/login'));
    await again.goto('/two-factor');
    await again.getByText('已启用双因素认证').waitFor();
    await screenshot(again, 'totp-04-status');
    await again.context().close();
  });

  it('lets the 安全管理员 reset it from the people administration', async () => {
    const secadmin = await signedInPage(browser, platform.baseUrl, 'secadmin');
    await secadmin.goto('/admin');
    await secadmin.getByRole('tab', { name: '人员与角色' }).click();
    await secadmin.locator('#user-q').fill('auditor');
    await secadmin.locator('#user-q').press('Enter');
    const reset = secadmin.locator('[data-reset-totp="auditor"]');
    await reset.waitFor().catch(async (error: unknown) => {
      await screenshot(secadmin, 'totp-05-reset-missing');
      throw error;
    });
    await reset.click();
    await secadmin.getByRole('button', { name: /确\s*定|OK/ }).click();
    await secadmin.getByText('已重置 审计员 的双因素认证').waitFor();
    await screenshot(secadmin, 'totp-05-reset');
    const rows = await platform.t.app
      .get(DataSource)
      .query(`SELECT 1 FROM audit_log WHERE action = 'org.user.reset-totp' AND username = 'secadmin'`);
    expect(rows).toHaveLength(1);
    const next = await passwordStep('auditor');
    await next.getByText('您的账户须启用双因素认证').waitFor();
  });
});
