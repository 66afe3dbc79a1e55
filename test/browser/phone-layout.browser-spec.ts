import type { Locator, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';
import { act, openTask, reloadUntil } from '../support/task-page';

/** The page scrolls only up and down: nothing sticks out sideways. */
async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  // A string expression: the tests' own types have no DOM.
  const [scrollWidth, clientWidth] = (await page.evaluate(
    '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
  )) as [number, number];
  expect({ where, scrollWidth, clientWidth, fits: scrollWidth <= clientWidth }).toEqual({ where, scrollWidth, clientWidth, fits: true });
}

/** Waits until the element stops moving (a drawer sliding in, a dialog zooming open). */
async function settled(target: Locator): Promise<void> {
  await target.waitFor();
  let last = '';
  for (let round = 0; round < 30; round++) {
    const now = JSON.stringify(await target.boundingBox());
    if (now === last) return;
    last = now;
    await target.page().waitForTimeout(100);
  }
}

/** Every visible one of these is at least 40 px high, a finger's width. */
async function expectTouchTargets(targets: Locator, what: string): Promise<number> {
  await targets.first().waitFor();
  const heights: string[] = [];
  for (const target of await targets.all()) {
    if (!(await target.isVisible())) continue;
    const box = await target.boundingBox();
    heights.push(`${(await target.innerText()).trim()}: ${box ? Math.round(box.height) : 0}`);
  }
  expect(heights.length).toBeGreaterThan(0);
  expect({ what, short: heights.filter((h) => Number(h.split(': ')[1]) < 40) }).toEqual({ what, short: [] });
  return heights.length;
}

/**
 * A leader on a phone (390 × 844): the menu is a drawer behind the menu button, the inbox shows cards, the task page
 * (record, history, diagram, opinion, every button) fits the screen and 核稿 is approved from it; the recipient's
 * clerk signs for the document (签收) on the phone and reads it. No page scrolls sideways, buttons are 40 px high.
 */
describe('the phone layout', () => {
  const suite = browserSuite();
  const title = '关于做好2027年度冬季安全生产工作的通知';

  it('approves a task and signs for a document from a phone without sideways scrolling', async () => {
    const { t, baseUrl } = suite.platform;
    const q = (sql: string, params: unknown[] = []) => t.app.get(DataSource).query(sql, params) as Promise<{ id: string }[]>;
    const tokens: Record<string, string> = {};
    for (const who of ['lina', 'zhangwei']) tokens[who] = await t.login(who);
    const [province] = await q(`SELECT id FROM units WHERE code = '320000'`);
    const [yangfan] = await q(`SELECT id FROM users WHERE username = 'yangfan'`);
    const doc = (
      await t
        .http()
        .post('/api/documents')
        .set({ Authorization: `Bearer ${tokens.lina}` })
        .send({
          docType: '通知',
          title,
          urgency: '特急',
          secrecy: '非密',
          body: '各有关单位：\n请切实做好冬季安全生产工作，及时排查隐患。\n特此通知。',
          mainRecipients: [province.id],
        })
        .expect(201)
    ).body as { id: string; instanceId: string };
    const openStep = async (activity: string) =>
      (await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'`, [doc.instanceId, activity]))[0];
    const approve = async (who: string, activity: string) =>
      t
        .http()
        .post(`/api/tasks/${(await openStep(activity)).id}/actions`)
        .set({ Authorization: `Bearer ${tokens[who]}` })
        .send({ action: 'approve', comment: '请审核' })
        .expect(200);
    // 拟稿 copies 杨帆 in (阅件 in his 抄送我的) and sends it to his 核稿.
    await t
      .http()
      .post(`/api/tasks/${(await openStep('draft')).id}/actions`)
      .set({ Authorization: `Bearer ${tokens.lina}` })
      .send({ action: 'cc', targets: [yangfan.id] })
      .expect(200);
    await approve('lina', 'draft');

    // 杨帆 on his phone: no side menu, a menu button that opens the menu as a drawer.
    const phone = await signedInPage(suite.browser, baseUrl, 'yangfan', PHONE_SCREEN);
    await phone.goto('/dashboard');
    expect(await phone.locator('nz-sider').count()).toBe(0);
    await expectTouchTargets(phone.getByTestId('menu-button'), 'menu button');
    await phone.getByTestId('menu-button').click();
    const inboxItem = phone.getByTestId('menu-drawer').locator('[data-menu="/inbox"]');
    await settled(inboxItem);
    await screenshot(phone, '80-phone-menu');
    await inboxItem.click();
    await phone.waitForURL(/\/inbox/);
    await phone.getByTestId('menu-drawer').waitFor({ state: 'hidden' });

    // The inbox as cards: no column headers, each task a card with its labelled fields.
    const row = phone.getByTestId('inbox-row').filter({ hasText: title });
    await row.waitFor();
    expect(await phone.getByTestId('inbox-table').locator('thead').isVisible()).toBe(false);
    // A card: its fields stand one under the other, within the screen's width.
    const titleBox = await row.locator('td.zw-card-title').boundingBox();
    const stepBox = await row.locator('td[data-label="当前环节"]').boundingBox();
    expect(stepBox!.y).toBeGreaterThanOrEqual(titleBox!.y + titleBox!.height - 1);
    expect((await row.boundingBox())!.width).toBeLessThanOrEqual(PHONE_SCREEN.width);
    await expectNoSidewaysScroll(phone, 'inbox');
    await expectTouchTargets(row.getByTestId('inbox-open'), 'task link');
    await screenshot(phone, '81-phone-inbox');
    // The filters beyond the search box wait behind 筛选.
    expect(await phone.getByTestId('filter-process').isVisible()).toBe(false);
    await phone.getByTestId('inbox-more-filters').click();
    await phone.getByTestId('filter-process').waitFor();
    await expectNoSidewaysScroll(phone, 'inbox with its filters');

    // 阅件: what was copied to him reads the same way.
    await phone.getByTestId('tab-cc').click();
    await phone.getByTestId('inbox-row').filter({ hasText: title }).waitFor();
    await expectNoSidewaysScroll(phone, 'inbox 抄送我的');

    // The task page: the title on one line's width, record, history, diagram, opinion and every button.
    await openTask(phone, title, '核稿');
    const heading = await phone.getByTestId('task-title').boundingBox();
    expect(heading!.width).toBeGreaterThan(PHONE_SCREEN.width / 2);
    await phone.getByTestId('task-form').waitFor();
    await phone.getByTestId('task-history').getByTestId('history-item').first().waitFor();
    await expectNoSidewaysScroll(phone, 'task page');
    const buttons = await expectTouchTargets(phone.getByTestId('task-actions').locator('.buttons button'), 'action buttons');
    expect(buttons).toBeGreaterThanOrEqual(2);
    await expectTouchTargets(phone.getByTestId('phrase'), '常用语');
    await screenshot(phone, '82-phone-task');
    await phone.getByTestId('task-diagram').scrollIntoViewIfNeeded();
    await phone.getByTestId('task-diagram').locator('svg').first().waitFor();
    await phone.getByTestId('task-diagram').locator('.djs-element.zw-active[data-element-id="review"]').waitFor();
    await expectNoSidewaysScroll(phone, 'task page with the diagram');
    // 退回 asks again in a dialog that fits the screen too; he thinks better of it.
    await phone.getByTestId('action-return').click();
    await settled(phone.locator('.ant-modal'));
    await expectNoSidewaysScroll(phone, '退回 dialog');
    await expectTouchTargets(phone.locator('.ant-modal-footer button'), 'dialog buttons');
    await phone.locator('.ant-modal-footer button').filter({ hasText: '取消' }).click();
    await phone.getByTestId('action-dialog').waitFor({ state: 'hidden' });
    await act(phone, 'approve', '同意');
    await expectNoSidewaysScroll(phone, 'task page after 同意');

    // 签发 at the desk; the workers number, typeset and send it.
    await approve('zhangwei', 'sign');

    // 江苏省厅's clerk signs for it on her phone, from a card in 收文.
    const clerk = await signedInPage(suite.browser, baseUrl, 'js.shouwen', PHONE_SCREEN);
    await clerk.goto('/documents?box=received');
    await reloadUntil(clerk, title, 90_000);
    const card = clerk.getByTestId('document-row').filter({ hasText: title });
    await card.getByRole('button', { name: '签收' }).waitFor();
    await expectNoSidewaysScroll(clerk, '收文');
    await expectTouchTargets(card.getByRole('button'), '签收 and 退文');
    await screenshot(clerk, '83-phone-receive');
    await card.getByRole('button', { name: '签收' }).click();
    await clerk.locator('.ant-message-success').first().waitFor();

    // And reads it.
    await card.getByRole('link', { name: title }).click();
    await clerk.getByText('本单位收文情况').waitFor();
    await clerk.getByText('已签收').first().waitFor();
    await expectNoSidewaysScroll(clerk, 'document page');
    await screenshot(clerk, '84-phone-document');
  });
});
