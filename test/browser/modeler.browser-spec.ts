import { DataSource } from 'typeorm';
import type { Locator, Page } from 'playwright-core';
import { DefinitionsService } from '../../apps/api/src/engine/definitions.service';
import { screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';
import { fetchPost, sharedKeeper } from '../support/second-factor';
import { TEST_PASSWORD } from '../support/test-database';

/**
 * v1 of a process as an administrator might have uploaded it: a gateway whose 领导审批 path has no condition yet
 * (the default path goes to 科室办理) and a 领导审批 step that names nobody.
 */
const V1 = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_modeler_demo" targetNamespace="https://zhengwu.example/bpmn">
  <bpmn:process id="modeler-demo" name="建模示例：金额分级审批" isExecutable="true">
    <bpmn:startEvent id="start" name="发起" />
    <bpmn:sequenceFlow id="toRoute" sourceRef="start" targetRef="route" />
    <bpmn:exclusiveGateway id="route" name="金额判断" default="toOffice" />
    <bpmn:sequenceFlow id="toLeader" name="大额" sourceRef="route" targetRef="leader" />
    <bpmn:sequenceFlow id="toOffice" name="其他" sourceRef="route" targetRef="office" />
    <bpmn:userTask id="leader" name="领导审批" />
    <bpmn:userTask id="office" name="科室办理" camunda:candidateGroups="clerk" />
    <bpmn:sequenceFlow id="leaderDone" sourceRef="leader" targetRef="end1" />
    <bpmn:sequenceFlow id="officeDone" sourceRef="office" targetRef="end2" />
    <bpmn:endEvent id="end1" name="领导办结" />
    <bpmn:endEvent id="end2" name="科室办结" />
  </bpmn:process>
</bpmn:definitions>`;

/** A step with a reminder timer, to be given a unit, a working-day deadline and a working-day reminder. */
const TIMED = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_modeler_timed" targetNamespace="https://zhengwu.example/bpmn">
  <bpmn:process id="modeler-timed" name="建模示例：限时办理" isExecutable="true">
    <bpmn:startEvent id="start" name="发起" />
    <bpmn:sequenceFlow id="toHandle" sourceRef="start" targetRef="handle" />
    <bpmn:userTask id="handle" name="信息办办理" camunda:candidateGroups="office-reviewer" />
    <bpmn:boundaryEvent id="remind" name="到期提醒" attachedToRef="handle" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="toReminded" sourceRef="remind" targetRef="reminded" />
    <bpmn:endEvent id="reminded" name="已提醒" />
    <bpmn:sequenceFlow id="toEnd" sourceRef="handle" targetRef="end" />
    <bpmn:endEvent id="end" name="办结" />
  </bpmn:process>
</bpmn:definitions>`;

/** 拟稿 then 核稿, a service step and a timer: the elements whose panels an administrator edits most. */
const DUTIES = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_modeler_duties" targetNamespace="https://zhengwu.example/bpmn">
  <bpmn:process id="modeler-duties" name="建模示例：拟稿与核稿分离" isExecutable="true">
    <bpmn:startEvent id="start" name="发起" />
    <bpmn:sequenceFlow id="toDraft" sourceRef="start" targetRef="draft" />
    <bpmn:userTask id="draft" name="拟稿" camunda:assignee="\${initiator}" />
    <bpmn:sequenceFlow id="toReview" sourceRef="draft" targetRef="review" />
    <bpmn:userTask id="review" name="核稿" camunda:candidateGroups="reviewer" />
    <bpmn:boundaryEvent id="remind" name="到期提醒" attachedToRef="review" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="toReminded" sourceRef="remind" targetRef="reminded" />
    <bpmn:endEvent id="reminded" name="已提醒" />
    <bpmn:sequenceFlow id="toArchive" sourceRef="review" targetRef="archive" />
    <bpmn:serviceTask id="archive" name="归档" camunda:type="external" camunda:topic="archive" />
    <bpmn:sequenceFlow id="toEnd" sourceRef="archive" targetRef="end" />
    <bpmn:endEvent id="end" name="办结" />
  </bpmn:process>
</bpmn:definitions>`;

/**
 * Visible texts of the properties panel (group titles, labels, descriptions, options) that are still English:
 * Latin words of 3+ letters once what is meant to stay Latin is removed — Camunda attribute names
 * (camunda:assignee, timeDuration=), expressions (${…}), ids and codes in （…）, XML/BPMN/ISO/ID and the like.
 */
async function englishInPanel(page: Page): Promise<string[]> {
  const texts = await page
    .locator('.zw-modeler-panel')
    .locator(
      '.bio-properties-panel-group-header-title, .bio-properties-panel-label, .bio-properties-panel-description, option, .bio-properties-panel-header-type, .bio-properties-panel-collapsible-entry-header-title, .bio-properties-panel-placeholder-text',
    )
    .allInnerTexts();
  return [
    ...new Set(
      texts
        .map((t) => t.trim())
        .filter((t) => {
          const rest = t
            .replace(/\$\{[^}]*\}/g, '')
            .replace(/[a-z]+:[A-Za-z]+|[A-Za-z]+=/g, '')
            .replace(/（[^）]*）|\([^)]*\)|"[^"]*"|“[^”]*”/g, '')
            .replace(/\b(XML|BPMN|ISO|ID|key|outcome|approve|return|reject|worker|initiator|JUEL|UEL|cron|Camunda|Java)\b/g, '');
          return /[A-Za-z]{3,}/.test(rest);
        }),
    ),
  ];
}

/** Left and right edges of each cell of a row, rounded to whole pixels. */
async function edges(row: Locator): Promise<[number, number][]> {
  const cells = await row.locator(':scope > th, :scope > td').all();
  return Promise.all(
    cells.map(async (cell) => {
      const box = await cell.boundingBox();
      if (!box) throw new Error('cell not rendered');
      return [Math.round(box.x), Math.round(box.x + box.width)] as [number, number];
    }),
  );
}

/** The properties panel's select of an entry (bpmn-js-properties-panel names it after the entry id). */
const panelSelect = (page: Page, entry: string) => page.locator(`.zw-modeler-panel select[name="${entry}"]`);

describe('系统管理 → 流程建模 in a real browser', () => {
  const suite = browserSuite();

  it('lines each 流程定义 header up with its column: header cell i and body cell i share the same x range', async () => {
    const { platform, browser } = suite;
    await platform.t.app.get(DefinitionsService).deploy(V1, { source: 'test' });
    const page = await signedInPage(browser, platform.baseUrl, 'admin');
    for (const width of [1366, 1024]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto('/admin?tab=definitions');
      const table = page.locator('zw-definitions-tab nz-table').first();
      await table.locator('td.mono').first().waitFor();
      const header = await edges(table.locator('thead.ant-table-thead > tr').first());
      expect(header).toHaveLength(6);
      // Outer rows only (they carry the key); the version lists are tables of their own.
      const rows = table.locator('tbody > tr.ant-table-row').filter({ has: page.locator('td.mono') });
      expect(await rows.count()).toBeGreaterThan(1);
      for (const row of await rows.all()) {
        const cells = await edges(row);
        // Within a pixel: borders are drawn on one side of the cell.
        cells.forEach(([left, right], i) => {
          expect(Math.abs(left - header[i][0])).toBeLessThanOrEqual(1);
          expect(Math.abs(right - header[i][1])).toBeLessThanOrEqual(1);
        });
      }
      // An open version list must not shift the outer columns either.
      await table.locator('button.ant-table-row-expand-icon').first().click();
      await table.locator('tr.ant-table-expanded-row').first().waitFor();
      const after = await edges(table.locator('thead.ant-table-thead > tr').first());
      expect(after).toEqual(header);
      const inner = table.locator('tr.ant-table-expanded-row nz-table').first();
      const innerHeader = await edges(inner.locator('thead > tr').first());
      const innerRow = await edges(inner.locator('tbody > tr.ant-table-row').first());
      expect(innerRow).toEqual(innerHeader);
    }
    await screenshot(page, 'modeler-00-definitions');
  });

  it('sets an assignee and a condition in the panel, shows the checks and the diff, deploys, and the new version runs', async () => {
    const { platform, browser } = suite;
    const q = (sql: string, params: unknown[] = []) => platform.t.app.get(DataSource).query(sql, params);
    // The same content as in the test above deploys no new version.
    await platform.t.app.get(DefinitionsService).deploy(V1, { source: 'test' });
    const [{ version: before }] = await q(`SELECT max(version)::int AS version FROM process_definitions WHERE key = 'modeler-demo'`);

    const page = await signedInPage(browser, platform.baseUrl, 'admin');
    await page.setViewportSize({ width: 1440, height: 1000 });
    // The panel's styles and editors must live with the strict CSP (scripts from self only).
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.goto('/admin?tab=definitions');
    const row = page.getByRole('row').filter({ hasText: 'modeler-demo' });
    await row.getByRole('link', { name: '建模并部署新版本' }).click();
    await page.waitForURL(/\/admin\/modeler\/modeler-demo$/);
    await page.locator('.djs-element[data-element-id="leader"]').waitFor();
    await page.getByRole('heading', { name: `流程建模：modeler-demo（基于运行版本 v${before}）` }).waitFor();

    // The server's checks, per element: the unconditioned 大额 path is marked and listed.
    await page.getByRole('button', { name: '校验' }).click();
    const findings = page.locator('.zw-findings');
    await findings.getByRole('button', { name: 'toLeader' }).first().waitFor();
    await page.locator('.djs-element[data-element-id="toLeader"].zw-mark-warning').waitFor({ state: 'attached' });
    await screenshot(page, 'modeler-01-findings');

    // 领导审批: the assignee picked from the platform's people (李娜), written as her user name.
    await page.locator('.djs-element[data-element-id="leader"]').click();
    await page.locator('.zw-modeler-panel').getByText('政务设置').waitFor();
    await expect(page.locator('.zw-modeler-panel').getByText('办理人', { exact: true }).first().isVisible()).resolves.toBe(true);
    const assignee = panelSelect(page, 'zw-assignee');
    await expect(assignee.locator('option', { hasText: '李娜（lina）' }).count()).resolves.toBe(1);
    await assignee.selectOption('lina');
    // Roles are offered by their Chinese names.
    await expect(panelSelect(page, 'zw-candidate-groups').locator('option', { hasText: '签发人（signer）' }).count()).resolves.toBe(1);
    await screenshot(page, 'modeler-02-assignee');

    // The 大额 path: selected from the finding, its condition written in the Camunda condition entries.
    await findings.getByRole('button', { name: 'toLeader' }).first().click();
    await page.locator('.zw-modeler-panel').getByText('条件类型').waitFor();
    await panelSelect(page, 'conditionType').selectOption('expression');
    const expression = page.locator('.zw-modeler-panel [name="conditionExpression"]');
    await expression.fill('${amount > 100}');
    await expression.press('Tab');
    await page.waitForTimeout(600); // the panel's input debounce
    await screenshot(page, 'modeler-03-condition');

    // The diff against the running version names exactly what was edited.
    await page.getByRole('button', { name: '与运行版本对比' }).click();
    const diff = page.locator('.zw-diff');
    await diff.locator('li.changed', { hasText: '领导审批' }).getByText('办理人').waitFor();
    await diff.locator('li.changed', { hasText: '大额' }).getByText('流转条件').waitFor();
    expect(await diff.locator('li.added, li.removed').count()).toBe(0);
    expect(await diff.locator('li.changed').count()).toBe(2);
    await page.locator('.djs-element[data-element-id="leader"].zw-diff-changed').waitFor({ state: 'attached' });
    await screenshot(page, 'modeler-04-diff');

    await page.getByRole('button', { name: '校验' }).click();
    // Only the newest check's answer is shown, and an automatic one (after the last edit) may still be on its way:
    // wait until no check is running, then read the list.
    await page.locator('.zw-modeler-actions button.ant-btn-loading').waitFor({ state: 'detached' });
    await page.getByText('校验通过，可以部署。').or(findings.locator('li').first()).waitFor();
    await findings.getByRole('button', { name: 'toLeader' }).waitFor({ state: 'detached' });
    expect(await findings.getByRole('button', { name: 'toLeader' }).count()).toBe(0);
    expect(await page.locator('.djs-element.zw-mark-error').count()).toBe(0);

    await page.getByRole('button', { name: '部署新版本' }).click();
    await page.getByText(`已部署 modeler-demo v${before + 1}`).waitFor();
    await screenshot(page, 'modeler-05-deployed');
    expect(refused).toEqual([]);

    // The deployed diagram runs: a large amount reaches 领导审批 assigned to 李娜, a small one goes the default path.
    // The administrator's API session, with the TOTP secret the browser sign-in enrolled (sharedKeeper).
    const post = fetchPost(platform.baseUrl);
    const login = await post('/api/auth/login', { username: 'admin', password: TEST_PASSWORD });
    const token = (await sharedKeeper.finish('admin', login.body, post)).accessToken;
    const start = async (amount: number): Promise<string> => {
      const res = await fetch(`${platform.baseUrl}/api/process-instances`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ key: 'modeler-demo', variables: { amount } }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const big = await start(500);
    const small = await start(50);
    const [lina] = await q(`SELECT id::text AS id FROM users WHERE username = 'lina'`);
    const tasks = async (instanceId: string) =>
      q(
        `SELECT t.activity_id AS "activityId", t.assignee, d.version FROM tasks t
           JOIN process_instances i ON i.id = t.instance_id JOIN process_definitions d ON d.id = i.definition_id
          WHERE t.instance_id = $1 AND t.status = 'open'`,
        [instanceId],
      );
    expect(await tasks(big)).toEqual([{ activityId: 'leader', assignee: lina.id, version: before + 1 }]);
    expect(await tasks(small)).toEqual([expect.objectContaining({ activityId: 'office', assignee: null, version: before + 1 })]);
    const [stored] = await q(`SELECT xml FROM process_definitions WHERE key = 'modeler-demo' AND version = $1`, [before + 1]);
    expect(stored.xml).toMatch(/camunda:assignee="lina"/);
    expect(stored.xml).toMatch(/\$\{amount &gt; 100\}|\$\{amount > 100\}/);

    // 李娜 sees the step in her 待办.
    const linaPage = await signedInPage(browser, platform.baseUrl, 'lina');
    await linaPage.goto('/inbox');
    await linaPage.getByText('领导审批').first().waitFor();
  });

  it('gives a step a candidate unit picked from the unit tree, a deadline and a reminder in working days, which the engine honours', async () => {
    const { platform, browser } = suite;
    const q = (sql: string, params: unknown[] = []) => platform.t.app.get(DataSource).query(sql, params);
    await platform.t.app.get(DefinitionsService).deploy(TIMED, { source: 'test' });
    const page = await signedInPage(browser, platform.baseUrl, 'admin');
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto('/admin/modeler/modeler-timed');
    await page.locator('.djs-element[data-element-id="handle"]').click();
    const units = panelSelect(page, 'zw-candidate-units');
    await units.selectOption('MLR-XXB');
    await page.locator('.zw-modeler-panel').getByText('当前：信息化工作领导小组办公室（MLR-XXB）').waitFor();
    const due = page.locator('.zw-modeler-panel [name="zw-due-days"]');
    await due.fill('3');
    await due.press('Tab');
    await page.waitForTimeout(600);
    await page.locator('.djs-element[data-element-id="remind"]').click();
    const days = page.locator('.zw-modeler-panel [name="zw-timer-days"]');
    await days.fill('2');
    await days.press('Tab');
    await page.waitForTimeout(600);
    await screenshot(page, 'modeler-06-timer');
    await page.getByRole('button', { name: '与运行版本对比' }).click();
    const diff = page.locator('.zw-diff');
    await diff
      .locator('li.changed', { hasText: '信息办办理' })
      .getByText(/候选单位/)
      .waitFor();
    await diff
      .locator('li.changed', { hasText: '信息办办理' })
      .getByText(/办理时限/)
      .waitFor();
    await diff
      .locator('li.changed', { hasText: '到期提醒' })
      .getByText(/事件定义/)
      .waitFor();
    await page.getByRole('button', { name: '部署新版本' }).click();
    await page.getByText('已部署 modeler-timed v2').waitFor();

    const [stored] = await q(`SELECT xml FROM process_definitions WHERE key = 'modeler-timed' AND version = 2`);
    expect(stored.xml).toMatch(/<camunda:property name="candidateUnits" value="MLR-XXB" \/>/);
    expect(stored.xml).toMatch(/camunda:dueDate="\$\{workingDays\(3\)\}"/);
    expect(stored.xml).toMatch(/<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">\$\{workingDays\(2\)\}<\/bpmn:timeDuration>/);
    const post = fetchPost(platform.baseUrl);
    const login = await post('/api/auth/login', { username: 'admin', password: TEST_PASSWORD });
    const token = (await sharedKeeper.finish('admin', login.body, post)).accessToken;
    const res = await fetch(`${platform.baseUrl}/api/process-instances`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: 'modeler-timed' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const [unit] = await q(`SELECT id FROM units WHERE code = 'MLR-XXB'`);
    const [task] = await q(`SELECT candidate_units AS units, due_at AS "dueAt" FROM tasks WHERE instance_id = $1 AND status = 'open'`, [
      id,
    ]);
    expect(task.units).toEqual([unit.id]);
    // Three working days for the step, two for the reminder: both days away, the reminder first.
    const [timer] = await q(`SELECT due_at AS "dueAt" FROM timers WHERE instance_id = $1 AND status = 'pending'`, [id]);
    const day = 24 * 3600 * 1000;
    expect(new Date(task.dueAt).getTime() - Date.now()).toBeGreaterThan(2 * day);
    expect(new Date(timer.dueAt).getTime() - Date.now()).toBeGreaterThan(day);
    expect(new Date(timer.dueAt).getTime()).toBeLessThan(new Date(task.dueAt).getTime());
  });

  it('keeps 核稿 from the 拟稿 person through the panel, checks again after each edit without a click, and speaks Chinese', async () => {
    const { platform, browser } = suite;
    const q = (sql: string, params: unknown[] = []) => platform.t.app.get(DataSource).query(sql, params);
    await platform.t.app.get(DefinitionsService).deploy(DUTIES, { source: 'test' });
    const page = await signedInPage(browser, platform.baseUrl, 'admin');
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto('/admin/modeler/modeler-duties');
    await page.locator('.djs-element[data-element-id="review"]').click();
    const distinct = panelSelect(page, 'zw-distinct-from');
    // The choices are the person who started the case and the other user tasks of this diagram, by name.
    await expect(distinct.locator('option', { hasText: '拟稿（draft）' }).count()).resolves.toBe(1);
    await expect(distinct.locator('option', { hasText: '发起人（initiator）' }).count()).resolves.toBe(1);
    await expect(distinct.locator('option', { hasText: '核稿（review）' }).count()).resolves.toBe(0);
    // No click on 校验: the edit itself brings a fresh check once the administrator pauses.
    const rechecked = page.waitForResponse((r) => r.url().endsWith('/api/process-definitions/validate'));
    await distinct.selectOption('draft');
    await page.locator('.zw-modeler-panel').getByText('当前：拟稿（draft）').waitFor();
    expect((await rechecked).status()).toBe(200);
    await page.locator('.zw-findings, .zw-valid').first().waitFor();
    await screenshot(page, 'modeler-07-distinct');

    // Every panel the administrator opens here is in Chinese: expand each group of each kind of element.
    const english: Record<string, string[]> = {};
    for (const id of ['review', 'toArchive', 'remind', 'archive', 'start']) {
      await page.locator(`.djs-element[data-element-id="${id}"]`).click({ force: true });
      await page.locator('.zw-modeler-panel .bio-properties-panel-group-header').first().waitFor();
      // Opening a group re-renders the panel: open the first closed one until none is left (empty lists do not open).
      // A re-render can briefly show no header at all, so "none left" must hold on two reads a moment apart.
      const closed = page.locator('.zw-modeler-panel .bio-properties-panel-group-header:not(.open):not(.empty)');
      const deadline = Date.now() + 30_000;
      for (let quiet = 0; quiet < 2 && Date.now() < deadline;) {
        const before = await closed.count();
        if (before > 0) {
          quiet = 0;
          await closed.first().click();
          // A second click before the re-render lands would close the group again: wait for the count to move.
          for (let t = 0; t < 20 && (await closed.count()) === before; t++) await page.waitForTimeout(100);
        } else {
          quiet++;
          await page.waitForTimeout(300);
        }
      }
      expect(await closed.count()).toBe(0);
      const found = await englishInPanel(page);
      if (found.length) english[id] = found;
    }
    expect(english).toEqual({});

    await page.getByRole('button', { name: '部署新版本' }).click();
    await page.getByText('已部署 modeler-duties v2').waitFor();
    const [stored] = await q(`SELECT xml FROM process_definitions WHERE key = 'modeler-duties' AND version = 2`);
    expect(stored.xml).toMatch(/<camunda:property name="distinctFrom" value="draft" \/>/);
  });
});
