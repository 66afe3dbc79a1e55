import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';
import { act, openTask } from '../support/task-page';

/**
 * 信息化项目立项 in the browser: 科技司 proposes, its leader approves, 信息办 gives its opinion, the
 * leading group votes (one member from the inbox list with 批量同意) and the project enters the ledger.
 */
describe('a project proposal through the leading-group vote into the ledger, in the browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  const name = '国土资源科技成果数据库建设';
  const year = new Date().getFullYear();

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('is proposed, approved, voted on and listed as 已立项', async () => {
    const base = platform.baseUrl;
    const gaoyuan = await signedInPage(browser, base, 'gaoyuan');
    await gaoyuan.goto('/projects');
    await gaoyuan.getByRole('link', { name: '新建立项申请' }).click();
    await gaoyuan.getByTestId('project-form').waitFor();
    await gaoyuan.getByLabel('项目名称').fill(name);
    // 暂存: what was typed comes back after leaving the page (kept on the server, per person and form).
    await gaoyuan.getByTestId('draft-save').click();
    await gaoyuan.getByText(/^已暂存 .* 的内容$/).waitFor();
    await gaoyuan.reload();
    await gaoyuan.getByText(/^已恢复 .* 的内容$/).waitFor();
    expect(await gaoyuan.getByLabel('项目名称').inputValue()).toBe(name);
    await gaoyuan.getByText('数据采集及建库', { exact: true }).click();
    await gaoyuan.getByLabel('预算（万元）').fill('0');
    await gaoyuan.getByTestId('project-submit').click();
    await gaoyuan.getByText('预算须大于 0').first().waitFor();
    await gaoyuan.getByLabel('预算（万元）').fill('420.5');
    await gaoyuan.getByLabel('建设结束年度').fill(String(year + 1));
    await gaoyuan.getByLabel('建设内容').fill('建设科技成果数据库，汇集部属单位科技成果数据，提供检索与共享服务。');
    await screenshot(gaoyuan, '30-project-form');
    await gaoyuan.getByTestId('project-submit').click();
    await gaoyuan.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const projectUrl = new URL(gaoyuan.url()).pathname;
    // Submitted: the 暂存 has served its purpose and a new form starts empty.
    await gaoyuan.goto('/projects/new');
    await gaoyuan.getByTestId('project-form').waitFor();
    await gaoyuan.getByTestId('draft-save').waitFor();
    expect(await gaoyuan.getByLabel('项目名称').inputValue()).toBe('');
    await gaoyuan.goto(projectUrl);

    // 高原 is also a department approver, but not of his own proposal (separation of duties): the task page says
    // why, and his 司长 approves it.
    await gaoyuan.getByTestId('handle-task').click();
    await gaoyuan.getByTestId('task-step').filter({ hasText: '单位领导审批' }).waitFor();
    await gaoyuan.getByTestId('separation-of-duties').waitFor();
    await screenshot(gaoyuan, '30b-project-separation-of-duties');
    const zhouqi = await signedInPage(browser, base, 'zhouqi');
    await openTask(zhouqi, name, '单位领导审批');
    // 常用语 of his own: kept for him, offered on every task page.
    await zhouqi.getByTestId('phrases-manage').click();
    await zhouqi.getByRole('button', { name: '添加一条' }).click();
    await zhouqi.locator('.ant-modal input').last().fill('同意申报，请信息办审查。');
    await zhouqi.locator('.ant-modal-footer').getByRole('button', { name: '保存' }).click();
    await zhouqi.getByTestId('phrase').filter({ hasText: '同意申报，请信息办审查。' }).click();
    expect(await zhouqi.getByTestId('opinion').inputValue()).toContain('同意申报，请信息办审查。');
    await act(zhouqi, 'approve', '同意申报');

    const chenjing = await signedInPage(browser, base, 'chenjing');
    await openTask(chenjing, name, '信息办审查');
    // The whole record, as the project's page shows it: 建设内容, 申报单位, 年度 among the rest.
    const record = chenjing.getByTestId('record-panel');
    await record.getByText('建设科技成果数据库，汇集部属单位科技成果数据，提供检索与共享服务。').waitFor();
    await record.getByText(/科技/).first().waitFor();
    await record.getByText(`${year}—${year + 1} 年`).waitFor();
    await screenshot(chenjing, '31-project-office-review');
    await act(chenjing, 'approve', '建议立项');

    // Four members vote on the task page, one from the inbox list with 批量同意.
    for (const member of ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei']) {
      const page = await signedInPage(browser, base, member);
      await openTask(page, name, '领导小组表决');
      // 提请以集体决定方式议定 is the 组长's alone: an ordinary member is not offered it.
      await page.getByTestId('opinion').waitFor();
      expect(await page.getByTestId('vote-refer').count()).toBe(member === 'wangjianguo' ? 1 : 0);
      await act(page, 'approve', '同意立项');
      await page.context().close();
    }
    const hejun = await signedInPage(browser, base, 'hejun');
    await hejun.goto('/inbox');
    const row = hejun.getByTestId('inbox-row').filter({ hasText: name });
    await row.getByRole('checkbox').check();
    await hejun.getByTestId('batch-approve').click();
    await hejun.getByRole('button', { name: '确定同意' }).click();
    await hejun.getByTestId('batch-result').getByText('已批量同意 1 项').waitFor();
    await screenshot(hejun, '32-batch-vote');

    // In the ledger as 已立项, with the tally on its page.
    await gaoyuan.goto('/projects');
    await gaoyuan.getByLabel('搜索项目名称、编号或建设内容').fill(name);
    await gaoyuan.getByRole('button', { name: '查询' }).click();
    const ledgerRow = gaoyuan.getByTestId('ledger-row').filter({ hasText: name });
    await ledgerRow.getByText('已立项').waitFor();
    await screenshot(gaoyuan, '33-project-ledger');
    const [download] = await Promise.all([gaoyuan.waitForEvent('download'), gaoyuan.getByTestId('export-csv').first().click()]);
    const csv = await download.createReadStream().then(async (stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.toString('utf8')).toContain(name);
    await gaoyuan.goto(projectUrl);
    await gaoyuan.getByText('已立项').first().waitFor();
    await screenshot(gaoyuan, '34-project-approved');
  });
});
