import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';

/**
 * 基础数据汇交 in the browser: 信息中心 issues a list approved by 信息办; 江苏's 承办人 fills in the statement, uploads
 * the GeoJSON with the resumable uploader (progress to 100 %) and submits; the worker's check passes; 黄丽 passes it;
 * the list's board shows it 按时 with the chart. The pages fit a phone without sideways scroll.
 */
/** axe-core in the page (as accessibility.browser-spec does): serious and critical WCAG 2.1 AA findings. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
async function axeFindings(page: Page, where: string): Promise<string[]> {
  if (!(await page.evaluate<boolean>(`typeof window.axe !== 'undefined'`))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate<
    { id: string; targets: string[] }[]
  >(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
    .then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })))`);
  return found.map((v) => `${where} — ${v.id}: ${v.targets.join(' | ')}`);
}

describe('基础数据汇交 in the browser', () => {
  const suite = browserSuite();

  it('uploads, checks, reviews and shows the board', async () => {
    const { platform, browser } = suite;
    const { t } = platform;
    const as = async (who: string) => `Bearer ${await t.login(who)}`;
    const created = await t
      .http()
      .post('/api/data-collection/lists')
      .set('Authorization', await as('tangning'))
      .send({
        year: 2027,
        title: '2027年度基础数据汇交清单',
        items: [
          {
            code: 'HJ-BROWSER',
            name: '土地利用现状变更数据',
            kind: '土地利用现状',
            format: 'GeoJSON',
            coordinateSystem: 'CGCS2000',
            maxSizeMb: 10,
            dueWorkingDays: 20,
            levels: ['province'],
            regions: ['320000'],
          },
        ],
      });
    expect(created.status).toBe(201);
    const listId = created.body.id as string;
    const decided = await t
      .http()
      .post(`/api/data-collection/lists/${listId}/decide`)
      .set('Authorization', await as('chenjing'))
      .send({ outcome: 'approve' });
    expect(decided.status).toBe(200);

    // 信息中心 issues it from the list's page.
    const findings: string[] = [];
    const center = await signedInPage(browser, platform.baseUrl, 'tangning');
    await center.goto('/data-collection');
    await center.getByTestId('new-list').click();
    await center.getByTestId('list-editor').waitFor();
    findings.push(...(await axeFindings(center, 'tangning /data-collection (editor)')));
    await center.goto(`/data-collection/lists/${listId}`);
    await center.getByTestId('issue').click();
    await center.getByRole('link', { name: '查看下发通知' }).waitFor();

    // 江苏's 承办人 finds the task through the menu.
    const js = await signedInPage(browser, platform.baseUrl, 'js.nigao');
    await js.goto('/inbox');
    await js.locator('[data-menu="/data-collection"]').click();
    await js
      .getByTestId('collection-submissions')
      .getByRole('link', { name: /土地利用现状变更数据/ })
      .click();
    await js.waitForURL(/\/data-collection\/submissions\/[0-9a-f-]{36}$/);
    await js.getByLabel('责任单位').fill('江苏省国土资源信息中心');
    await js.getByLabel('联系人').fill('沈佳');
    await js.getByLabel('联系电话').fill('025-86658123');
    await js.getByLabel('数据版本').fill('2027.1');
    await js.getByLabel('覆盖范围名称').fill('江苏省');
    await js.getByRole('button', { name: '保存填报信息' }).click();
    await js.getByText('填报信息已保存').waitFor();
    const features = Array.from(
      { length: 20_000 },
      (_, i) => `{"type":"Feature","properties":{"BSM":${i}},"geometry":{"type":"Point","coordinates":[118.7,32.0]}}`,
    );
    const geojson = Buffer.from(`{"type":"FeatureCollection","features":[${features.join(',')}]}`);
    await js
      .getByTestId('file-input')
      .setInputFiles({ name: '320000_土地利用现状.geojson', mimeType: 'application/geo+json', buffer: geojson });
    await js.getByRole('button', { name: /上传/ }).click();
    await js.getByText('上传完成，摘要已记录').waitFor();
    // nz-progress at 100 % turns to its success state (a tick instead of the number).
    await js.getByTestId('upload-progress').locator('.ant-progress-status-success').waitFor();
    await js.getByText(/SHA-256：[0-9a-f]{64}/).waitFor();
    await screenshot(js, '70-data-collection-upload');
    await js.getByTestId('submit').click();
    // The worker checks it over HTTP; the page shows the result once reloaded.
    for (let i = 0; i < 60; i += 1) {
      await js.reload();
      const status = await js.getByTestId('submission-status').textContent();
      if (status?.includes('待审核')) break;
      await js.waitForTimeout(500);
    }
    await js.getByTestId('check-reason').filter({ hasText: '自动检查通过' }).waitFor();
    findings.push(...(await axeFindings(js, 'js.nigao submission')));
    const submissionUrl = js.url();

    // 黄丽 passes it.
    const reviewer = await signedInPage(browser, platform.baseUrl, 'huangli');
    await reviewer.goto(new URL(submissionUrl).pathname);
    await reviewer.getByLabel('审核意见').waitFor();
    findings.push(...(await axeFindings(reviewer, 'huangli submission (review)')));
    await reviewer.getByRole('button', { name: '通过' }).click();
    await reviewer.getByTestId('submission-status').filter({ hasText: '已通过' }).waitFor();

    // The board: 按时, with the chart.
    await reviewer.goto(`/data-collection/lists/${listId}`);
    await reviewer.getByTestId('board-counts').filter({ hasText: '按时 1' }).waitFor();
    await reviewer.locator('[echarts] canvas').first().waitFor();
    await screenshot(reviewer, '71-data-collection-board');
    findings.push(...(await axeFindings(reviewer, 'huangli board')));
    expect(findings).toEqual([]);

    // A phone: the submission list and the submission fit the screen.
    const phone = await signedInPage(browser, platform.baseUrl, 'js.nigao', PHONE_SCREEN);
    for (const path of ['/data-collection', new URL(submissionUrl).pathname, `/data-collection/lists/${listId}`]) {
      await phone.goto(path);
      await phone.locator('h2').first().waitFor();
      const [scrollWidth, clientWidth] = (await phone.evaluate(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      )) as [number, number];
      expect([path, scrollWidth <= clientWidth]).toEqual([path, true]);
    }
    await screenshot(phone, '72-data-collection-phone');
  });
});
