import { DataSource } from 'typeorm';
import type { Browser, Page } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { DefinitionsService } from '../../apps/api/src/engine/definitions.service';
import { EngineService } from '../../apps/api/src/engine/engine.service';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';
import { act, openTask } from '../support/task-page';

const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_bell_web" targetNamespace="t">
<process id="bell-web" name="站内通知演示流程" isExecutable="true" camunda:historyTimeToLive="P1D">
  <startEvent id="s" /><sequenceFlow id="f0" sourceRef="s" targetRef="draft" />
  <userTask id="draft" name="拟稿" camunda:assignee="\${drafter}" /><sequenceFlow id="f1" sourceRef="draft" targetRef="review" />
  <userTask id="review" name="核稿" camunda:candidateGroups="reviewer" /><sequenceFlow id="f2" sourceRef="review" targetRef="done" />
  <endEvent id="done" />
</process></definitions>`;

/** The count the bell announces (its accessible name: “通知，N 条未读”, or “通知” at none). */
async function bellCount(page: Page): Promise<number> {
  const label = (await page.locator('[data-bell]').getAttribute('aria-label')) ?? '';
  return Number(/(\d+) 条未读/.exec(label)?.[1] ?? 0);
}

describe('the bell in a real browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('rings for 杨帆 without a reload when 李娜 sends him a task, and the notice opens the task', async () => {
    const q = (sql: string, params: unknown[] = []) => platform.t.app.get(DataSource).query(sql, params);
    await platform.t.app.get(DefinitionsService).deploy(DIAGRAM, { source: 'test' });
    const [lina] = await q(`SELECT id, unit_id FROM users WHERE username = 'lina'`);
    const title = '关于开展年度政务信息化项目评估的通知';
    const { id: instanceId } = await platform.t.app
      .get(EngineService)
      .startProcess('bell-web', { variables: { drafter: lina.id, title }, ownerUnitId: lina.unit_id, startedBy: lina.id });

    // Two people, two browser contexts: 杨帆 waits on his inbox, 李娜 works on hers.
    const yangfan = await signedInPage(browser, platform.baseUrl, 'yangfan');
    await yangfan.goto('/inbox');
    // The stream is open (the bell says so once the server answered the connection).
    await yangfan.locator('[data-bell][data-live="true"]').waitFor();
    const before = await bellCount(yangfan);
    // A marker that a reload would wipe out.
    await yangfan.evaluate('window.bellNoReload = true');

    const linaPage = await signedInPage(browser, platform.baseUrl, 'lina');
    await openTask(linaPage, title, '拟稿');
    await act(linaPage, 'approve', '请核稿');

    // Live: the count goes up on 杨帆's page by itself.
    await yangfan.locator(`[data-bell][aria-label="通知，${before + 1} 条未读"]`).waitFor({ timeout: 15_000 });
    expect(await yangfan.evaluate('window.bellNoReload')).toBe(true);
    await screenshot(yangfan, 'bell-01-count');

    await yangfan.locator('[data-bell]').click();
    const notice = yangfan.locator('[data-notification]').filter({ hasText: `【待办】${title}——核稿` });
    await notice.waitFor();
    await yangfan.getByText('未读').first().waitFor();
    // Let the drawer finish sliding in for the picture.
    await yangfan.waitForTimeout(500);
    await screenshot(yangfan, 'bell-02-list');
    await notice.click();

    const [review] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'review'`, [instanceId]);
    await yangfan.waitForURL((url) => url.pathname === `/tasks/${review.id}`);
    await yangfan.getByTestId('task-title').waitFor();
    await yangfan.getByTestId('task-step').filter({ hasText: '核稿' }).waitFor();
    expect(await bellCount(yangfan)).toBe(before);
    await screenshot(yangfan, 'bell-03-task');

    // 李娜 sent it: her bell did not ring for it.
    const [own] = await q(`SELECT count(*)::int AS n FROM user_notifications WHERE user_id = $1 AND link = $2`, [
      lina.id,
      `/tasks/${review.id}`,
    ]);
    expect(own.n).toBe(0);

    // The connection drops (a proxy or the api restarting): the bell reconnects with a new ticket and rings again.
    platform.t.app.getHttpServer().closeAllConnections();
    await yangfan.locator('[data-bell][data-live="false"]').waitFor();
    await yangfan.locator('[data-bell][data-live="true"]').waitFor({ timeout: 15_000 });
    const again = await bellCount(yangfan);
    const second = '关于报送第四季度信息化建设进展的函';
    const { id: secondCase } = await platform.t.app
      .get(EngineService)
      .startProcess('bell-web', { variables: { drafter: lina.id, title: second }, ownerUnitId: lina.unit_id, startedBy: lina.id });
    const [secondDraft] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = 'draft'`, [secondCase]);
    const linaToken = await platform.t.login('lina');
    const sent = await platform.t
      .http()
      .post(`/api/tasks/${secondDraft.id}/actions`)
      .set('Authorization', `Bearer ${linaToken}`)
      .send({ action: 'approve', comment: '请核稿' });
    expect(sent.status).toBe(200);
    await yangfan.locator(`[data-bell][aria-label="通知，${again + 1} 条未读"]`).waitFor({ timeout: 15_000 });
    expect(await yangfan.evaluate('window.bellNoReload')).toBe(true);

    // The mail choice: 杨帆 turns 催办 mail off in 通知设置 and it is kept.
    await yangfan.locator('[data-bell]').click();
    await yangfan.locator('[data-open-settings]').click();
    await yangfan.locator('[data-kind="urged"]').click();
    await yangfan.getByRole('button', { name: '保存设置' }).click();
    await yangfan.getByText('通知设置已保存').waitFor();
    await screenshot(yangfan, 'bell-04-settings-saved');
    const [prefs] = await q(
      `SELECT mail_enabled, mail_off_kinds FROM notification_preferences WHERE user_id = (SELECT id FROM users WHERE username = 'yangfan')`,
    );
    expect(prefs).toEqual({ mail_enabled: true, mail_off_kinds: ['urged'] });
  });
});
