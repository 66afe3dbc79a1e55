import { DataSource } from 'typeorm';
import { screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';

/**
 * 正文 with 痕迹保留 in the browser: 李娜's draft reaches 核稿; 杨帆 opens the document, edits the body in the
 * structured editor, sees his change marked with his name, and accepts it.
 */
describe('the 正文 edited at 核稿 with 痕迹保留, in the browser', () => {
  const suite = browserSuite();
  const title = '关于报送2027年度数据汇交清单的通知';

  it('shows 核稿’s change by person and accepts it', async () => {
    // 拟稿 through the API (the form is covered by the document flow): the first draft goes to 核稿.
    const { platform, browser } = suite;
    const { t } = platform;
    const [bgt] = await t.app.get(DataSource).query(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const lina = `Bearer ${await t.login('lina')}`;
    const created = await t
      .http()
      .post('/api/documents')
      .set('Authorization', lina)
      .send({
        docType: '通知',
        title,
        body: '各有关单位：\n一、汇交内容\n请于12月31日前报送年度数据。',
        mainRecipients: [bgt.id],
      });
    expect(created.status).toBe(201);
    const { id, instanceId } = created.body as { id: string; instanceId: string };
    const [draft] = await t.app
      .get(DataSource)
      .query(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'draft'`, [instanceId]);
    expect((await t.http().post(`/api/tasks/${draft.id}/actions`).set('Authorization', lina).send({ action: 'approve' })).status).toBe(200);

    // 核稿: 杨帆 edits the third paragraph in the structured editor; numbers are computed, not typed.
    const yangfan = await signedInPage(browser, platform.baseUrl, 'yangfan');
    await yangfan.goto(`/documents/${id}`);
    await yangfan.getByTestId('marked-body').getByText('请于12月31日前报送年度数据。').waitFor();
    await yangfan.getByRole('button', { name: '编辑正文' }).click();
    const rows = yangfan.getByTestId('body-paragraph');
    await rows.nth(2).waitFor();
    await rows.nth(1).getByText('一、', { exact: true }).waitFor();
    await rows.nth(2).locator('textarea').fill('请于11月30日前报送年度数据（含电子版）。');
    await screenshot(yangfan, '20-body-editor');
    await yangfan.getByRole('button', { name: '保存正文' }).click();
    await yangfan.locator('.ant-message-success').filter({ hasText: '第 2 稿' }).waitFor();

    // The change is marked: inserted text underlined with his name, deleted text struck through.
    const marked = yangfan.getByTestId('marked-body');
    await marked.locator('ins', { hasText: '（含电子版）' }).waitFor();
    expect(await marked.locator('ins', { hasText: '（含电子版）' }).getAttribute('title')).toMatch(/^杨帆（核稿，/);
    expect(await marked.locator('del').count()).toBeGreaterThan(0);
    const changes = yangfan.getByTestId('revision-change');
    await changes.first().waitFor();
    expect(await changes.count()).toBe(3);
    await expect(changes.first().textContent()).resolves.toContain('杨帆');
    await screenshot(yangfan, '21-body-tracked');

    // 接受: one change at a time, then the rest at once; the body reads clean.
    await changes.filter({ hasText: '插入“（含电子版）”' }).getByRole('button', { name: '接受' }).click();
    await yangfan.locator('.ant-message-success').filter({ hasText: '第 3 稿' }).waitFor();
    await yangfan.getByTestId('revision-current').filter({ hasText: '第 3 稿' }).waitFor();
    expect(await changes.count()).toBe(2);
    await yangfan.getByRole('button', { name: '全部接受' }).click();
    await yangfan.getByTestId('revision-current').filter({ hasText: '第 4 稿' }).waitFor();
    await marked.getByText('请于11月30日前报送年度数据（含电子版）。').waitFor();
    expect(await marked.locator('ins, del').count()).toBe(0);
    expect(await changes.count()).toBe(0);
    await screenshot(yangfan, '22-body-accepted');

    // The server agrees: the latest revision has nothing pending and the document reads the accepted text.
    const detail = await t.http().get(`/api/documents/${id}/revisions/4`).set('Authorization', lina);
    expect([detail.body.kind, detail.body.changes]).toEqual(['accept', []]);
    const doc = await t.http().get(`/api/documents/${id}`).set('Authorization', lina);
    expect(doc.body.body).toBe('各有关单位：\n一、汇交内容\n请于11月30日前报送年度数据（含电子版）。');
  });
});
