import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';

/** 数据发布: a department asks to release a dataset; 信息办 drafts the 复函 of an outside request; the pages fit a phone. */
describe('数据发布 in the browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);

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

  const choose = async (page: Page, testId: string, option: string) => {
    await page.getByTestId(testId).click();
    await page.locator('.ant-select-item-option', { hasText: option }).first().click();
  };
  const noSidewaysScroll = async (page: Page) => {
    const [scrollWidth, clientWidth] = (await page.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as number[];
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  };

  it('asks for a release from the form and shows who reviews, approves and releases it', async () => {
    const lina = await signedInPage(browser, base, 'lina');
    await lina.locator('[data-menu="/data-release"]').click();
    await lina.getByRole('heading', { name: '数据发布' }).waitFor();
    await lina.getByTestId('rel-new').click();
    await choose(lina, 'rel-dataset', '耕地质量等别');
    await lina.getByTestId('rel-route').getByText('由耕地保护司审核，信息办以部名义批准，国土资源部信息中心发布。').waitFor();
    await choose(lina, 'rel-audience-type', '社会公众');
    await lina.getByTestId('rel-audience').fill('社会公众（部门户网站）');
    await lina.getByTestId('rel-scope').fill('全国，2025 年度省级汇总');
    await lina.getByTestId('rel-purpose').fill('依法公开年度评价成果，便于社会监督。');
    await lina.getByTestId('rel-submit').click();
    await lina.getByTestId('rel-status').getByText('待审核').waitFor();
    await lina.getByText('由耕地保护司审核，信息办以部名义批准，国土资源部信息中心发布').waitFor();
    await screenshot(lina, '95-data-release-request');
    const [row] = await q(`SELECT status FROM data_release_requests r JOIN datasets d ON d.id = r.dataset_id WHERE d.code = 'YZT-GDZL'`);
    expect(row.status).toBe('待审核');
  });

  it('lets 信息办 draft the 复函 of an outside request from its page, and links the 函', async () => {
    const token = await t.login('chenjing');
    const [ds] = await q(`SELECT id FROM datasets WHERE code = 'DZ-QYDZ'`);
    const created = await t
      .http()
      .post('/api/data-release/outside-requests')
      .set('Authorization', `Bearer ${token}`)
      .send({
        organName: '中国测绘学会',
        organKind: '行业单位',
        contactName: '王芳',
        contactPhone: '010-63881234',
        letterRef: '测学函〔2026〕9号',
        receivedOn: '2026-01-05',
        purpose: '编写行业年度发展报告，需区域地质调查成果目录。',
        datasetIds: [ds.id],
      });
    expect(created.status).toBe(201);
    const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'opinion' AND status = 'open'`, [
      created.body.instanceId,
    ]);
    const opinion = await t
      .http()
      .post(`/api/tasks/${task.id}/actions`)
      .set('Authorization', `Bearer ${await t.login('wangbo')}`)
      .send({ action: 'approve', comment: '目录可公开提供', variables: { opinion: '同意提供' } });
    expect(opinion.status).toBe(200);

    const phone = await signedInPage(browser, base, 'zhoumin', PHONE_SCREEN);
    await phone.goto(`/data-release/outside/${created.body.id}`);
    await phone.getByTestId('out-status').getByText('待拟复函').waitFor();
    await phone.getByTestId('out-opinions').getByText('同意提供').waitFor();
    expect(await phone.getByTestId('out-reply-body').inputValue()).toContain('中国地质调查局：同意提供（目录可公开提供）。');
    await noSidewaysScroll(phone);
    await screenshot(phone, '96-data-outside-phone');
    await phone.getByTestId('out-reply-submit').click();
    await phone.getByTestId('out-status').getByText('复函办理中').waitFor();
    await phone.getByTestId('out-reply').getByText('邮寄/其他').waitFor();
    await phone.getByTestId('out-reply-link').click();
    await phone.waitForURL(/\/documents\/[0-9a-f-]{36}$/);

    // On a phone the lists are cards, and nothing scrolls sideways.
    await phone.goto('/data-release?tab=outside');
    await phone.getByTestId('out-card').filter({ hasText: '中国测绘学会' }).waitFor();
    await noSidewaysScroll(phone);
    await phone.goto('/data-release');
    await phone.getByTestId('rel-register-cards').waitFor();
    await noSidewaysScroll(phone);
    await screenshot(phone, '97-data-release-phone');
  });
});
