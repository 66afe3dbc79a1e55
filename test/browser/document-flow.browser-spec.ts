import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';
import { act, choose, openTask, reloadUntil } from '../support/task-page';

/**
 * 公文交换 in the browser, by the demo people of two organisations: 规划司 drafts, reviews and signs;
 * the workers number and typeset it; 江苏省厅 signs for it and handles it; 办公厅 signs for its copy;
 * the archivist finds the archived case and runs 四性检测.
 */
describe('a document from draft to 签收 to archive, in the browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  const title = '关于开展2027年度国土资源信息化需求调查的通知';

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('carries the document through every hand in the web pages', async () => {
    const base = platform.baseUrl;
    // 拟稿: 李娜 fills the form; a missing title is pointed out at the field.
    const lina = await signedInPage(browser, base, 'lina');
    await lina.goto('/documents/new');
    await lina.getByRole('button', { name: '保存' }).click();
    await lina.getByText('请填写标题').waitFor();
    await lina.locator('#title').fill(title);
    await choose(lina, 'mainRecipients', '江苏', '江苏省国土资源厅');
    await choose(lina, 'ccRecipients', '办公厅', '办公厅');
    await lina.locator('#body').fill('各有关单位：\n为统筹编制2027年度信息化建设计划，请于12月31日前报送需求。\n特此通知。');
    await screenshot(lina, '10-document-draft');
    await lina.getByRole('button', { name: '保存' }).click();
    await lina.waitForURL(/\/documents\/[0-9a-f-]{36}$/);
    const documentUrl = new URL(lina.url()).pathname;
    await lina.getByRole('link', { name: /送核稿/ }).click();
    await lina.getByTestId('task-step').filter({ hasText: '拟稿' }).waitFor();
    await act(lina, 'approve', '请审核');

    // 核稿 and 签发 from the inbox, with the diagram of the case on the task page.
    const yangfan = await signedInPage(browser, base, 'yangfan');
    await openTask(yangfan, title, '核稿');
    await yangfan.getByTestId('task-diagram').locator('svg').first().waitFor();
    await screenshot(yangfan, '11-task-review');
    await act(yangfan, 'approve', '同意');
    const zhangwei = await signedInPage(browser, base, 'zhangwei');
    await openTask(zhangwei, title, '签发');
    await act(zhangwei, 'approve', '同意印发');

    // The workers number and typeset it, then it goes out; the sender sees each recipient live.
    await lina.goto(documentUrl);
    await reloadUntil(lina, /国土资规〔\d{4}〕\d+号/, 60_000);
    await reloadUntil(lina, '已送达');
    await screenshot(lina, '12-document-sent');

    // 签收 by 江苏省厅's clerk, then 拟办 → 批办 (naming the handler) → 承办.
    const shouwen = await signedInPage(browser, base, 'js.shouwen');
    await shouwen.goto('/documents');
    await shouwen.getByRole('tab', { name: '收文' }).click();
    const incoming = shouwen.locator('tr').filter({ hasText: title });
    await screenshot(shouwen, '13-incoming');
    await incoming.getByRole('button', { name: '签收' }).click();
    await shouwen.locator('.ant-message-success').first().waitFor();
    await openTask(shouwen, title, '拟办');
    await act(shouwen, 'approve', '建议规划处办理');
    const shenpi = await signedInPage(browser, base, 'js.shenpi');
    await openTask(shenpi, title, '批办');
    await choose(shenpi, 'handler', '沈佳', '沈佳');
    await act(shenpi, 'approve', '请沈佳承办');
    const nigao = await signedInPage(browser, base, 'js.nigao');
    await openTask(nigao, title, '承办');
    await act(nigao, 'approve', '已按要求报送');

    // 办公厅 signs for its copy.
    const zhaolei = await signedInPage(browser, base, 'zhaolei');
    await zhaolei.goto('/documents');
    await zhaolei.getByRole('tab', { name: '收文' }).click();
    await zhaolei.locator('tr').filter({ hasText: title }).getByRole('button', { name: '签收' }).click();
    await zhaolei.locator('.ant-message-success').first().waitFor();

    await lina.goto(documentUrl);
    await reloadUntil(lina, '办结');
    await screenshot(lina, '14-document-done');

    // 归档: the archivist finds the package and runs 四性检测 on it.
    const linfang = await signedInPage(browser, base, 'linfang');
    await linfang.goto('/archive');
    await linfang.getByPlaceholder(/题名/).fill('信息化需求调查');
    await linfang.getByRole('button', { name: '查询' }).click();
    const start = Date.now();
    while (
      !(await linfang
        .getByRole('link', { name: /Z001-\d{4}-Y-GHS-\d{4}/ })
        .first()
        .isVisible())
    ) {
      if (Date.now() - start > 60_000) throw new Error('the case was not archived within a minute');
      await linfang.waitForTimeout(1000);
      await linfang.getByRole('button', { name: '查询' }).click();
    }
    await linfang
      .getByRole('link', { name: /Z001-\d{4}-Y-GHS-\d{4}/ })
      .first()
      .click();
    await linfang.getByRole('button', { name: /四性检测/ }).click();
    await linfang
      .getByText(/检测通过|通过/)
      .first()
      .waitFor();
    await screenshot(linfang, '15-archive-check');

    // 移交: this year's packages as a signed EEP, then the same file verified as a 档案馆 would on 接收.
    await linfang.goto('/archive/transfers');
    await linfang.getByLabel('年度').fill(String(new Date().getFullYear()));
    const [download] = await Promise.all([linfang.waitForEvent('download'), linfang.getByRole('button', { name: '导出封装包' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^移交封装包-.+\.xml$/);
    await linfang.locator('input[type="file"]').setInputFiles((await download.path())!);
    await linfang.getByTestId('transfer-verdict').getByText('封装包验证通过，可以接收').waitFor();
    await linfang.locator('tr', { hasText: '接收' }).first().waitFor();
    await screenshot(linfang, '16-archive-transfer');
  });
});
