import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';
import { deployAndStart } from '../support/test-app';
import { act, openTask } from '../support/task-page';

/**
 * A diagram deployed through the API declares its step's form with camunda:formData; the task page builds that
 * form from the step's contract, checks it as the api does, and sends exactly those fields.
 */
describe('a step form built from the diagram’s contract, in the browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  const title = '份数登记测试';
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="copies-register" name="份数登记" isExecutable="true">
    <startEvent id="s" name="开始" />
    <sequenceFlow id="f1" sourceRef="s" targetRef="register" />
    <userTask id="register" name="登记份数" camunda:assignee="\${holder}">
      <extensionElements><camunda:formData>
        <camunda:formField id="copies" label="印制份数" type="long"><camunda:validation><camunda:constraint name="required" /><camunda:constraint name="min" config="1" /><camunda:constraint name="max" config="500" /></camunda:validation></camunda:formField>
        <camunda:formField id="level" label="公开属性" type="enum"><camunda:value id="public" name="主动公开" /><camunda:value id="internal" name="不予公开" /></camunda:formField>
      </camunda:formData></extensionElements>
    </userTask>
    <sequenceFlow id="f2" sourceRef="register" targetRef="e" />
    <endEvent id="e" name="结束" />
  </process>
</definitions>`;

  beforeAll(async () => {
    buildIfStale();
    platform = await startPlatformForBrowser();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows the declared fields, refuses what the contract refuses at the field, and stores what it accepts', async () => {
    const { t } = platform;
    const [lina] = (await t.app.get(DataSource).query(`SELECT id FROM users WHERE username = 'lina'`)) as { id: string }[];
    const { admin, instanceId } = await deployAndStart(t, xml, 'copies-register', { holder: lina.id, title });

    const page = await signedInPage(browser, platform.baseUrl, 'lina');
    await openTask(page, title, '登记份数');
    await page.getByText('印制份数').first().waitFor();
    await page.getByText('公开属性').first().waitFor();
    // Required and bounded as the diagram says, at the field, before anything is sent.
    await page.getByTestId('opinion').fill('登记');
    await page.getByTestId('action-approve').click();
    await page.getByText('请填写“印制份数”').first().waitFor();
    await page.locator('#field-copies').fill('600');
    await page.getByTestId('action-approve').click();
    await page.getByText('“印制份数”不能大于 500').first().waitFor();
    await screenshot(page, '60-step-form-contract');
    await page.locator('#field-copies').fill('120');
    await act(page, 'approve', '已登记份数');

    const view = await t.http().get(`/api/process-instances/${instanceId}`).set('Authorization', `Bearer ${admin}`);
    expect(view.body.status).toBe('completed');
    expect(view.body.variables.copies).toBe(120);
    expect(view.body.variables.level).toBeUndefined();
  });
});
