import { DataSource } from 'typeorm';
import { SupervisionScanner } from '../../apps/api/src/supervision/supervision.scanner';
import { PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';

/**
 * 督办 in the browser: 张伟 (规划司司长) marks 李娜's draft 公文 督办; its deadline passes and the scanner escalates it;
 * the ledger shows it 已逾期 with the escalation on its timeline; 李娜, who holds the case's step, reports 办结 and
 * 张伟 closes it. The ledger fits a phone without sideways scroll.
 */
describe('督办 escalating and closed, in the browser', () => {
  const suite = browserSuite();
  const title = '关于开展2027年度耕地保护督查的通知';

  it('marks a 公文 督办, escalates it when overdue, takes the 办结 report and closes it', async () => {
    const { platform, browser } = suite;
    const { t } = platform;
    const db = t.app.get(DataSource);
    const [province] = await db.query(`SELECT id FROM units WHERE code = '320000'`);
    const lina = `Bearer ${await t.login('lina')}`;
    const created = await t
      .http()
      .post('/api/documents')
      .set('Authorization', lina)
      .send({ docType: '通知', title, body: '江苏省国土资源厅：\n现将有关事项通知如下。', mainRecipients: [province.id] });
    expect(created.status).toBe(201);
    const documentId = (created.body as { id: string }).id;

    // 督办 from the 公文's page: the form opens in a dialog; the default unit is the drafting unit (规划司).
    const leader = await signedInPage(browser, platform.baseUrl, 'zhangwei');
    await leader.goto(`/documents/${documentId}`);
    await leader.getByTestId('supervise').click();
    const form = leader.getByTestId('supervision-form');
    await form.getByLabel('自今日起').fill('3');
    await form.getByLabel('督办意见').fill('请于三个工作日内完成拟稿并报送。');
    await screenshot(leader, '60-supervision-form');
    await form.getByRole('button', { name: '确定督办' }).click();
    await leader.waitForURL(/\/supervision\/[0-9a-f-]{36}$/);
    const itemId = leader.url().split('/').pop()!;
    await leader.getByTestId('supervision-status').filter({ hasText: '督办中' }).waitFor();
    await leader.getByTestId('supervision-steps').filter({ hasText: '李娜' }).waitFor();

    // Time passes: the deadline is behind us (as the clock would make it), and the scanner runs — twice at once.
    await db.query(
      `UPDATE supervision_items SET due_at = now() - interval '1 minute', remind_at = now() - interval '1 day' WHERE id = $1`,
      [itemId],
    );
    const scanner = t.app.get(SupervisionScanner);
    await Promise.all([scanner.scan(), scanner.scan()]);
    expect(await db.query(`SELECT count(*)::int AS n FROM supervision_events WHERE item_id = $1 AND kind = 'escalated'`, [itemId])).toEqual(
      [{ n: 1 }],
    );

    // The ledger, through the menu: 已逾期; the item's timeline records the escalation to 张伟.
    await leader.goto('/inbox');
    await leader.locator('[data-menu="/supervision"]').click();
    const row = leader.getByTestId('supervision-ledger').locator('tr', { hasText: title });
    await row.filter({ hasText: '已逾期' }).waitFor();
    await screenshot(leader, '61-supervision-ledger-overdue');
    await row.getByRole('link', { name: title }).click();
    const timeline = leader.getByTestId('supervision-timeline');
    await timeline.filter({ hasText: '逾期升级' }).filter({ hasText: '张伟' }).waitFor();
    await leader.getByTestId('supervision-status').filter({ hasText: '已逾期' }).waitFor();

    // 李娜 holds the case's 拟稿 step: she reports 办结 from her phone; the ledger fits the screen.
    const holder = await signedInPage(browser, platform.baseUrl, 'lina', PHONE_SCREEN);
    await holder.goto('/supervision');
    await holder.getByTestId('supervision-ledger').getByRole('link', { name: title }).waitFor();
    const [scrollWidth, clientWidth] = (await holder.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as [number, number];
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await screenshot(holder, '62-supervision-ledger-phone');
    await holder.goto(`/supervision/${itemId}`);
    await holder.getByLabel('办结情况').waitFor();
    const [itemWidth, itemClient] = (await holder.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as [number, number];
    expect(itemWidth).toBeLessThanOrEqual(itemClient);
    await holder.getByLabel('办结情况').fill('已完成拟稿，送核稿。');
    await holder.getByRole('button', { name: '报告办结' }).click();
    await holder.getByTestId('supervision-status').filter({ hasText: '已报办结' }).waitFor();

    // 张伟 confirms: 已办结, and the timeline reads the whole story.
    await leader.reload();
    await leader.getByRole('button', { name: '确认办结' }).click();
    await leader.getByTestId('supervision-status').filter({ hasText: '已办结' }).waitFor();
    for (const step of ['督办', '逾期升级', '报告办结', '确认办结']) await timeline.filter({ hasText: step }).waitFor();
    await screenshot(leader, '63-supervision-closed');
    const [item] = await db.query(`SELECT stage FROM supervision_items WHERE id = $1`, [itemId]);
    expect(item.stage).toBe('closed');
  });
});
