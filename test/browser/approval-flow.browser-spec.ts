import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';
import { act, choose, openTask } from '../support/task-page';

/**
 * 三级联网审批 in the browser: 玄武分局 accepts and reviews a case, 南京市局 returns it for correction,
 * the county resubmits, the city passes it up and 江苏省厅 approves; the case page tells the story.
 */
describe('a three-level case returned by the city and resubmitted, in the browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  const title = '玄武区2027年度第1批次城市建设用地报批';

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('loops back to the county and ends approved at the province', async () => {
    const base = platform.baseUrl;
    const county = await signedInPage(browser, base, 'xw.shouli');
    await county.goto('/approvals/new');
    // The land area is checked at the field before anything is sent.
    await county.locator('#landArea').fill('-3');
    await county.getByRole('button', { name: '受理并提交' }).click();
    await county
      .getByText(/大于 0/)
      .first()
      .waitFor();
    await choose(county, 'matterType', '建设用地', '建设用地报批');
    await county.locator('#title').fill(title);
    await county.locator('#applicant').fill('南京市玄武区人民政府');
    await county.locator('#location').fill('玄武区红山街道');
    await county.locator('#landArea').fill('5.1234');
    await county.locator('#description').fill('城市建设用地报批，附勘测定界图及征地材料。');
    await screenshot(county, '20-approval-accept');
    await county.getByRole('button', { name: '受理并提交' }).click();
    await county.waitForURL(/\/approvals\/[0-9a-f-]{36}$/);
    const caseUrl = new URL(county.url()).pathname;

    // 审查 is the county reviewer's, not the clerk's who accepted it (separation of duties).
    await openTask(county, title, '县级审查');
    await county.getByTestId('separation-of-duties').waitFor();
    const reviewer = await signedInPage(browser, base, 'xw.shencha');
    await openTask(reviewer, title, '县级审查');
    await act(reviewer, 'approve', '材料齐全，同意报市');

    // The city returns it to the county with the reason.
    const city = await signedInPage(browser, base, 'nj.shenhe');
    await openTask(city, title, '市级审核');
    await screenshot(city, '21-approval-city');
    await act(city, 'return', '勘测定界图坐标系不符，请补正');

    // The county sees the reason, corrects and sends it up again.
    await openTask(reviewer, title, '县级审查');
    await reviewer.getByTestId('task-history').getByText('勘测定界图坐标系不符，请补正').waitFor();
    await act(reviewer, 'approve', '已按要求补正坐标系，重新报市');
    await openTask(city, title, '市级审核');
    await act(city, 'approve', '同意报省');
    const province = await signedInPage(browser, base, 'js.shenpi');
    await openTask(province, title, '省级审批');
    await act(province, 'approve', '批准');

    await county.goto(caseUrl);
    await county.getByText('批准').first().waitFor();
    await county.getByText('勘测定界图坐标系不符，请补正').first().waitFor();
    await screenshot(county, '22-approval-approved');
  });
});
