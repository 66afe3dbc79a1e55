import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';
import { act, choose, openTask } from '../support/task-page';

/**
 * Seed （八） in the browser: 规划司 drafts a 信息化相关 notice; after 核稿 it goes to 信息办审核 and the leading group's
 * vote, not to 签发; the document page shows where it stands; once the majority approves, the signer gets 签发.
 */
describe('an informatization document waits for 信息办 and the leading group before 签发', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  const title = '关于推进国土资源云平台建设的通知';

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('is reviewed by 信息办, voted by the group, then signed', async () => {
    const base = platform.baseUrl;
    const lina = await signedInPage(browser, base, 'lina');
    await lina.goto('/documents/new');
    await lina.locator('#title').fill(title);
    await choose(lina, 'mainRecipients', '江苏', '江苏省国土资源厅');
    await lina.locator('#body').fill('各省级国土资源主管部门：\n按照国土资源云总体框架，现就平台建设通知如下。');
    await lina.getByTestId('informatization').click();
    await lina.getByRole('button', { name: '保存' }).click();
    await lina.waitForURL(/\/documents\/[0-9a-f-]{36}$/);
    const documentUrl = new URL(lina.url()).pathname;
    await lina.getByTestId('it-review-stage').filter({ hasText: '待信息办审核' }).waitFor();
    await lina.getByRole('link', { name: /送核稿/ }).click();
    await act(lina, 'approve', '请审核');

    const yangfan = await signedInPage(browser, base, 'yangfan');
    await openTask(yangfan, title, '核稿');
    await act(yangfan, 'approve', '同意');

    // No 签发 yet: the document page says 信息办 holds it.
    await lina.goto(documentUrl);
    await lina.getByTestId('it-review-stage').filter({ hasText: '信息办审核中' }).waitFor();
    await screenshot(lina, '60-it-review-waiting');

    const chenjing = await signedInPage(browser, base, 'chenjing');
    await openTask(chenjing, title, '信息办审核');
    await chenjing.getByTestId('action-approve').click();
    await chenjing.getByText('请填写审核意见').first().waitFor();
    await act(chenjing, 'approve', '符合国土资源云总体框架要求');

    for (const who of ['wangjianguo', 'liuhaiyan', 'sunzhiqiang']) {
      const member = await signedInPage(browser, base, who);
      await openTask(member, title, '领导小组批准');
      await act(member, 'approve', '同意印发');
      await member.close();
    }
    await lina.goto(documentUrl);
    await lina.getByTestId('it-review-tally').filter({ hasText: '已表决 3 人' }).waitFor();
    for (const who of ['zhangwei', 'hejun']) {
      const member = await signedInPage(browser, base, who);
      await openTask(member, title, '领导小组批准');
      await act(member, 'approve', '同意');
      await member.close();
    }
    await lina.goto(documentUrl);
    await lina.getByTestId('it-review-stage').filter({ hasText: '已批准' }).waitFor();
    await screenshot(lina, '61-it-review-approved');

    const zhangwei = await signedInPage(browser, base, 'zhangwei');
    await openTask(zhangwei, title, '签发');
    await act(zhangwei, 'approve', '签发');
  });
});
