import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { buildIfStale } from '../../scripts/build-if-stale';
import { EngineService } from '../../apps/api/src/engine/engine.service';
import { launchBrowser, PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { startPlatformForBrowser, type RunningPlatform } from '../support/platform';
import { deployAndStart } from '../support/test-app';
import { openTask } from '../support/task-page';

/**
 * The case diagram on the task page tells done, current and not-taken steps apart: a request refused at 审核 shows
 * 审核 done, 告知 current and the 提供 branch (with its end event and the cancelled 超时 timer) as not taken.
 */
describe('the case diagram in the browser', () => {
  let platform: RunningPlatform;
  let browser: Browser;
  const title = '流程图状态测试';
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <process id="diagram-states" name="流程图状态" isExecutable="true">
    <startEvent id="s" name="开始" /><sequenceFlow id="f0" sourceRef="s" targetRef="check" />
    <userTask id="check" name="审核" camunda:assignee="\${holder}" />
    <boundaryEvent id="late" name="超时" attachedToRef="check"><timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></boundaryEvent>
    <sequenceFlow id="f1" sourceRef="late" targetRef="urged" /><endEvent id="urged" name="已催" />
    <sequenceFlow id="f2" sourceRef="check" targetRef="gw" /><exclusiveGateway id="gw" name="是否同意" />
    <sequenceFlow id="yes" name="同意" sourceRef="gw" targetRef="provide"><conditionExpression>\${approved}</conditionExpression></sequenceFlow>
    <sequenceFlow id="no" name="不同意" sourceRef="gw" targetRef="tell"><conditionExpression>\${!approved}</conditionExpression></sequenceFlow>
    <userTask id="provide" name="提供" /><sequenceFlow id="f3" sourceRef="provide" targetRef="provided" /><endEvent id="provided" name="已提供" />
    <userTask id="tell" name="告知" camunda:assignee="\${holder}" /><sequenceFlow id="f4" sourceRef="tell" targetRef="refused" /><endEvent id="refused" name="不予提供" />
  </process>
  <bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="plane" bpmnElement="diagram-states">
    <bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="check_di" bpmnElement="check"><dc:Bounds x="180" y="78" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="late_di" bpmnElement="late"><dc:Bounds x="212" y="140" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="urged_di" bpmnElement="urged"><dc:Bounds x="212" y="240" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="gw_di" bpmnElement="gw" isMarkerVisible="true"><dc:Bounds x="330" y="93" width="50" height="50" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="provide_di" bpmnElement="provide"><dc:Bounds x="430" y="0" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="provided_di" bpmnElement="provided"><dc:Bounds x="580" y="22" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="tell_di" bpmnElement="tell"><dc:Bounds x="430" y="160" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="refused_di" bpmnElement="refused"><dc:Bounds x="580" y="182" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f0_di" bpmnElement="f0"><di:waypoint x="136" y="118" /><di:waypoint x="180" y="118" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="230" y="176" /><di:waypoint x="230" y="240" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="280" y="118" /><di:waypoint x="330" y="118" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="yes_di" bpmnElement="yes"><di:waypoint x="355" y="93" /><di:waypoint x="355" y="40" /><di:waypoint x="430" y="40" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="no_di" bpmnElement="no"><di:waypoint x="355" y="143" /><di:waypoint x="355" y="200" /><di:waypoint x="430" y="200" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="530" y="40" /><di:waypoint x="580" y="40" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4"><di:waypoint x="530" y="200" /><di:waypoint x="580" y="200" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
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

  it('draws the step done, the step current and the branch not taken distinctly, with a legend', async () => {
    const { t } = platform;
    const query = (sql: string, params: unknown[]) => t.app.get(DataSource).query(sql, params) as Promise<{ id: string }[]>;
    const [lina] = await query(`SELECT id FROM users WHERE username = $1`, ['lina']);
    const { instanceId } = await deployAndStart(t, xml, 'diagram-states', { holder: lina.id, title });
    const [check] = await query(`SELECT id FROM tasks WHERE instance_id = $1 AND status = 'open'`, [instanceId]);
    await t.app.get(EngineService).completeTask(check.id, { userId: lina.id, variables: { approved: false } });

    const page = await signedInPage(browser, platform.baseUrl, 'lina');
    await openTask(page, title, '告知');
    const diagram = page.getByTestId('task-diagram');
    await diagram.locator('svg').first().waitFor();
    const marked = (id: string, marker: string) => diagram.locator(`.djs-element.${marker}[data-element-id="${id}"]`);
    for (const id of ['s', 'check', 'gw']) await marked(id, 'zw-done').waitFor();
    await marked('tell', 'zw-active').waitFor();
    for (const id of ['provide', 'provided', 'late', 'urged']) await marked(id, 'zw-skipped').waitFor();
    expect(await diagram.locator('.zw-done[data-element-id="provide"], .zw-active[data-element-id="provide"]').count()).toBe(0);
    expect(await page.getByTestId('diagram-legend').innerText()).toMatch(/已完成\s*当前\s*等待（定时\/消息）\s*未经过/);
    // Drawn apart: the not-taken step is dashed grey, the done one green.
    const stroke = (id: string) =>
      diagram
        .locator(`[data-element-id="${id}"] .djs-visual > :first-child`)
        .first()
        .evaluate((el) => {
          // Runs in the page; the test's own types have no DOM.
          const view = el.ownerDocument.defaultView as unknown as {
            getComputedStyle(e: unknown): { stroke: string; strokeDasharray: string };
          };
          const style = view.getComputedStyle(el);
          return `${style.stroke} ${style.strokeDasharray}`;
        });
    expect(await stroke('provide')).toMatch(/rgb\(140, 140, 140\) 5(px)?,? 3/);
    expect(await stroke('check')).toMatch(/^rgb\(82, 196, 26\)/);
    await screenshot(page, '70-diagram-not-taken');
  });

  it('draws a refused case’s branch not taken on a phone too, and a waiting timer with its due time', async () => {
    const { t } = platform;
    const query = (sql: string, params: unknown[]) => t.app.get(DataSource).query(sql, params) as Promise<{ id: string }[]>;
    const [lina] = await query(`SELECT id FROM users WHERE username = $1`, ['lina']);
    const page = await signedInPage(browser, platform.baseUrl, 'lina', PHONE_SCREEN);
    const marked = (id: string, marker: string) =>
      page.getByTestId('task-diagram').locator(`.djs-element.${marker}[data-element-id="${id}"]`);
    const noSidewaysScroll = async () => {
      // A string expression: the tests' own types have no DOM.
      const [scrollWidth, clientWidth] = (await page.evaluate(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      )) as number[];
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    };

    // The refused case of the first test, on the phone: 提供 and its end not taken, 审核 done.
    await openTask(page, title, '告知');
    await page.getByTestId('task-diagram').scrollIntoViewIfNeeded();
    for (const id of ['provide', 'provided']) await marked(id, 'zw-skipped').waitFor();
    await marked('check', 'zw-done').waitFor();
    await marked('tell', 'zw-active').waitFor();
    expect(await page.getByTestId('task-diagram').locator('.zw-done[data-element-id="provide"]').count()).toBe(0);
    await noSidewaysScroll();
    await screenshot(page, '71-diagram-phone-not-taken');

    // A new case waits at 审核: its 超时 timer is armed, drawn apart with the time it falls due.
    const waiting = '流程图定时测试';
    await deployAndStart(t, xml, 'diagram-states', { holder: lina.id, title: waiting });
    await openTask(page, waiting, '审核');
    await page.getByTestId('task-diagram').scrollIntoViewIfNeeded();
    await marked('check', 'zw-active').waitFor();
    const timer = page.getByTestId('task-diagram').locator('[data-testid="diagram-wait"][data-element-id="late"]');
    expect(await timer.innerText()).toMatch(/^定时 (\d{4}-)?\d{2}-\d{2} \d{2}:\d{2} 到期$/);
    expect(await marked('late', 'zw-skipped').count()).toBe(0);
    expect(await marked('late', 'zw-waiting').count()).toBe(1);
    await noSidewaysScroll();
    await screenshot(page, '72-diagram-phone-timer');
  });
});
