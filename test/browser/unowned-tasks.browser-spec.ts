import { DataSource } from 'typeorm';
import type { Browser } from 'playwright-core';
import { buildIfStale } from '../../scripts/build-if-stale';
import { DefinitionsService } from '../../apps/api/src/engine/definitions.service';
import { EngineService } from '../../apps/api/src/engine/engine.service';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';

/** A diagram written elsewhere whose step names a person the platform never had. */
const GHOST = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_ghost" targetNamespace="t">
  <bpmn:process id="cam-ghost-web" name="外来流程" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="开始" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_ghost" />
    <bpmn:userTask id="Task_ghost" name="幽灵办理" camunda:assignee="ghost" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_ghost" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" name="结束" />
  </bpmn:process>
</bpmn:definitions>`;

describe('系统管理 → 无人办理的任务 in a real browser', () => {
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

  it('lists the step that reaches nobody with the reason, and the administrator assigns it to a person picked by name', async () => {
    const q = (sql: string, params: unknown[] = []) => platform.t.app.get(DataSource).query(sql, params);
    await platform.t.app.get(DefinitionsService).deploy(GHOST, { source: 'test' });
    const [admin] = await q(`SELECT id, unit_id FROM users WHERE username = 'admin'`);
    const { id: instanceId } = await platform.t.app
      .get(EngineService)
      .startProcess('cam-ghost-web', { ownerUnitId: admin.unit_id, startedBy: admin.id });

    const page = await signedInPage(browser, platform.baseUrl, 'admin');
    await page.goto('/admin');
    await page.getByRole('tab', { name: '无人办理的任务' }).click();
    const row = page.getByRole('row').filter({ hasText: '幽灵办理' });
    await row.getByText('办理人“ghost”不是本平台的用户').waitFor();
    await screenshot(page, 'unowned-01-list');

    await row.getByRole('button', { name: '指派' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('nz-select').click();
    await page.keyboard.type('李娜');
    await page.locator('nz-option-item').filter({ hasText: '李娜' }).first().click();
    await dialog.locator('#unowned-comment').fill('原流程的办理人由李娜办理');
    await screenshot(page, 'unowned-02-assign');
    await dialog.getByRole('button', { name: /指\s*派/ }).click();
    await page.getByText('已指派给李娜').waitFor();
    await page.getByText('没有无人办理的任务').waitFor();

    const [task] = await q(
      `SELECT t.assignee, u.username FROM tasks t JOIN users u ON u.id::text = t.assignee WHERE t.instance_id = $1 AND t.status = 'open'`,
      [instanceId],
    );
    expect(task.username).toBe('lina');
  });
});
