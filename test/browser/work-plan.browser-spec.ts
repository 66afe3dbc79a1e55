import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { SupervisionScanner } from '../../apps/api/src/supervision/supervision.scanner';
import { PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical WCAG 2.1 A/AA findings on the page as it stands (as accessibility.browser-spec). */
async function axeFindings(page: Page, where: string): Promise<string[]> {
  if (!(await page.evaluate<boolean>(`typeof window.axe !== 'undefined'`))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<{ id: string; targets: string[] }[]>(`axe
    .run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
    .then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, targets: v.nodes.slice(0, 6).map((n) => n.target.join(' ')) })))`);
  return violations.map((v) => `${where} — ${v.id}: ${v.targets.join(' | ')}`);
}

/**
 * 年度信息化工作要点 in the browser: 周敏 (信息办) drafts next year's plan in the editor and submits it; the group
 * approves it; one item passes its deadline and supervision escalates it; 信息办's board shows it 逾期 and
 * escalated; 吴芳 reports her item's progress from a phone (no sideways scroll); the 年度评估 lists the late item.
 */
describe('工作要点 drafted, approved, tracked and evaluated, in the browser', () => {
  const suite = browserSuite();

  it('drafts and submits a plan, shows the late item on the board and in the 年度评估, takes a progress report on a phone', async () => {
    const { platform, browser } = suite;
    const { t } = platform;
    const db = t.app.get(DataSource);

    const office = await signedInPage(browser, platform.baseUrl, 'zhoumin');
    await office.goto('/inbox');
    await office.locator('[data-menu="/work-plans"]').click();
    await office.getByRole('link', { name: '起草工作要点' }).click();
    const editor = office.getByTestId('work-plan-editor');
    await editor.getByLabel('标题').waitFor();
    const year = Number(await editor.getByLabel('年度').inputValue());
    await editor.getByLabel('标题').fill(`${year}年信息化工作要点`);
    await editor.getByRole('button', { name: '添加要点' }).click();
    const rows: [string, string, string][] = [
      ['耕地保护数据共享', '制定共享目录和接口规范。', '耕地保护司'],
      ['国产密码应用改造', '完成在用系统的密评和改造。', '科技与国际合作司'],
    ];
    for (const [i, [title, measures, unit]] of rows.entries()) {
      await editor.locator(`#wp-t-${i}`).fill(title);
      await editor.locator(`#wp-m-${i}`).fill(measures);
      await editor.locator(`#wp-u-${i}`).click();
      await editor.locator(`#wp-u-${i}`).fill(unit);
      await office.locator('nz-option-item', { hasText: unit }).first().click();
    }
    await screenshot(office, '70-work-plan-editor');
    const findings = await axeFindings(office, 'editor');
    await editor.getByRole('button', { name: '保存并提请领导小组审议' }).click();
    await office.waitForURL(/\/work-plans\/[0-9a-f-]{36}$/);
    const planId = office.url().split('/').pop()!;
    await office.getByTestId('work-plan-status').filter({ hasText: '审议中' }).waitFor();

    // The group votes in its inboxes (the vote page itself is the project vote's, tested elsewhere).
    const [plan] = await db.query(`SELECT instance_id FROM work_plans WHERE id = $1`, [planId]);
    for (const who of ['wangjianguo', 'liuhaiyan', 'sunzhiqiang', 'zhangwei', 'hejun']) {
      const token = `Bearer ${await t.login(who)}`;
      const [task] = await db.query(
        `SELECT t.id FROM tasks t JOIN users u ON u.id::text = t.assignee WHERE t.instance_id = $1 AND t.status = 'open' AND u.username = $2`,
        [plan.instance_id, who],
      );
      const res = await t
        .http()
        .post(`/api/tasks/${task.id}/actions`)
        .set('Authorization', token)
        .send({ action: 'approve', comment: '同意' });
      expect([who, res.status]).toEqual([who, 200]);
    }

    // 科技司's item passes its deadline; the supervision scanner escalates it.
    const [late] = await db.query(
      `SELECT i.supervision_item_id AS id FROM work_plan_items i WHERE i.plan_id = $1 AND i.title = '国产密码应用改造'`,
      [planId],
    );
    await db.query(
      `UPDATE supervision_items SET due_at = now() - interval '1 minute', remind_at = now() - interval '1 day' WHERE id = $1`,
      [late.id],
    );
    expect((await t.app.get(SupervisionScanner).scan()).escalated).toBe(1);

    await office.reload();
    await office.getByTestId('work-plan-status').filter({ hasText: '执行中' }).waitFor();
    const lateRow = office.getByTestId('work-plan-items').locator('tr', { hasText: '国产密码应用改造' });
    await lateRow.filter({ hasText: '逾期' }).filter({ hasText: '已提醒单位负责人' }).waitFor();
    await office.getByTestId('work-plan-rollup').filter({ hasText: '科技与国际合作司' }).waitFor();
    await screenshot(office, '71-work-plan-board');
    findings.push(...(await axeFindings(office, 'board')));

    // 吴芳 (耕保司) reports progress from her phone; neither page scrolls sideways.
    const unit = await signedInPage(browser, platform.baseUrl, 'wufang', PHONE_SCREEN);
    await unit.goto(`/work-plans/${planId}`);
    const own = unit.getByTestId('work-plan-items').getByRole('link', { name: '耕地保护数据共享' });
    await own.waitFor();
    const width = async () =>
      (await unit.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
    let [scrollWidth, clientWidth] = await width();
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await own.click();
    await unit.getByLabel('进展情况').fill('共享目录已印发，接口联调进行中。');
    await unit.getByRole('button', { name: '报送进展' }).click();
    await unit.getByTestId('work-plan-progress').filter({ hasText: '共享目录已印发' }).waitFor();
    [scrollWidth, clientWidth] = await width();
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await screenshot(unit, '72-work-plan-item-phone');
    findings.push(...(await axeFindings(unit, 'item (phone)')));

    // The 年度评估 as it stands: nothing confirmed yet, the late item marked as escalated.
    await office.getByRole('link', { name: '年度评估' }).click();
    await office.getByTestId('evaluation-counts').filter({ hasText: '未完成 2' }).waitFor();
    await office.getByTestId('evaluation-items').locator('tr', { hasText: '国产密码应用改造' }).filter({ hasText: '曾逾期督办' }).waitFor();
    await screenshot(office, '73-work-plan-evaluation');
    findings.push(...(await axeFindings(office, 'evaluation')));
    expect(findings).toEqual([]);
  });
});
