import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { buildIfStale } from '../../scripts/build-if-stale';
import { Actors, WORKER_TOKEN, createJiangsuRecords, type JiangsuRecords } from '../security/fixture';
import { OFFICE_SCREEN, PHONE_SCREEN, launchBrowser, screenshot, signedInPage } from '../support/browser';
import { currentStep, sharedKeeper } from '../support/second-factor';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * axe-core's own source, run in the page with evaluate: the app's content security policy forbids injected
 * <script> tags, and DevTools evaluation is not subject to it.
 */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** What GB/T 37668 and WCAG 2.1 AA ask, as axe-core tags it. */
const AXE_RUN = `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }).then((r) =>
  r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, count: v.nodes.length, targets: v.nodes.slice(0, 6).map((n) => n.target.join(' ')) })),
)`;

interface Violation {
  id: string;
  impact: string;
  help: string;
  count: number;
  targets: string[];
}

/** 1366 × 768 at 200 % browser zoom: the same page in half the CSS pixels. */
const ZOOM_200 = { width: 683, height: 384 };

/** Runs axe on the page as it stands and gives its serious and critical violations, one line each. */
async function axeFindings(page: Page, where: string): Promise<string[]> {
  if (!(await page.evaluate<boolean>(`typeof window.axe !== 'undefined'`))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<Violation[]>(AXE_RUN);
  return violations.map((v) => `${where} — ${v.id} (${v.impact}, ${v.count}×: ${v.help}): ${v.targets.join(' | ')}`);
}

/** Opens the address and waits until the page has drawn its heading and its data have come. */
async function visit(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await page.locator('nz-content > router-outlet + *').first().waitFor();
  // Most pages title themselves with a heading; the few without one are still checked, after the wait below.
  await page
    .locator('h1, h2, nz-tabset')
    .first()
    .waitFor({ timeout: 5_000 })
    .catch(() => undefined);
  // The lists and records arrive after the heading; the bell keeps a stream open, so "network idle" never comes.
  await page.waitForTimeout(1_000);
}

/** The page scrolls only up and down, and nothing in it sticks out past the right edge of the window. */
async function expectNothingCutOff(page: Page, where: string): Promise<void> {
  const found = await page.evaluate<{ scrollWidth: number; clientWidth: number; outside: string[] }>(`(() => {
    const width = document.documentElement.clientWidth;
    const outside = [];
    for (const el of document.querySelectorAll('nz-content button, nz-content a, nz-content h2, nz-content textarea, nz-content label')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      // Inside a container that scrolls sideways on purpose (a wide table), reaching it is the container's job.
      let scroller = el.parentElement, scrolls = false;
      for (; scroller && scroller !== document.body; scroller = scroller.parentElement) {
        const style = getComputedStyle(scroller);
        if (/(auto|scroll)/.test(style.overflowX) && scroller.scrollWidth > scroller.clientWidth) { scrolls = true; break; }
      }
      if (!scrolls && (box.right > width + 1 || box.left < -1)) outside.push((el.textContent || el.tagName).trim().slice(0, 20));
    }
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, outside };
  })()`);
  expect({ where, ...found }).toEqual({ where, scrollWidth: found.clientWidth, clientWidth: found.clientWidth, outside: [] });
}

/** Presses Tab until the element matching the selector has the focus; fails after `limit` presses. */
async function tabTo(page: Page, selector: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate<boolean>(`!!document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`)) return;
  }
  throw new Error(`${selector} was not reached with ${limit} presses of Tab on ${page.url()}`);
}

/**
 * Every page of the web application, as the people who use it see it, checked by axe-core against WCAG 2.1 A and AA
 * (what GB/T 37668 asks of government web systems): no serious or critical violation. Then zoom to 200 % and
 * 大字模式 without content cut off, and a task approved with the keyboard alone.
 */
describe('accessibility (GB/T 37668, WCAG 2.1 AA)', () => {
  let t: TestApp;
  let baseUrl: string;
  let browser: Browser;
  let records: JiangsuRecords;

  beforeAll(async () => {
    buildIfStale();
    // No worker process: the records' 排版 and 归档 are done over the worker routes by the fixture, which a running
    // worker would race for. The pages need nothing more.
    t = await createTestApp({ WORKER_TOKEN });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    records = await createJiangsuRecords(new Actors(t));
    // The fixture signed the administrators in over the API, enrolling their 动态口令: the browser answers with those.
    for (const who of ['admin', 'secadmin']) {
      const secret = t.secondFactor.secretOf(who);
      if (secret) sharedKeeper.remember(who, secret, currentStep());
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('finds no serious or critical axe violation on any page, at an office screen and on a phone', async () => {
    const findings: string[] = [];
    const check = async (page: Page, paths: string[], who: string) => {
      for (const path of paths) {
        await visit(page, path);
        findings.push(...(await axeFindings(page, `${who} ${path}`)));
      }
    };

    const context = await browser.newContext({ viewport: OFFICE_SCREEN, locale: 'zh-CN', baseURL: baseUrl });
    const login = await context.newPage();
    await login.goto('/login');
    await login.getByLabel('用户名').waitFor();
    findings.push(...(await axeFindings(login, 'anonymous /login')));
    await context.close();

    const nigao = await signedInPage(browser, baseUrl, 'js.nigao');
    await check(
      nigao,
      [
        '/dashboard',
        '/inbox',
        `/inbox/${records.document.taskId}`,
        '/documents',
        `/documents/${records.document.id}`,
        '/documents/new',
        '/filings',
        `/filings/${records.filing.id}`,
        '/filings/new',
        '/data-requests',
        `/data-requests/${records.dataRequest.id}`,
        '/data-requests/new',
        '/supervision',
        `/supervision/${records.supervision.id}`,
        '/directory',
        '/substitutes',
        '/password',
        '/two-factor',
      ],
      'js.nigao',
    );
    const clerk = await signedInPage(browser, baseUrl, 'js.shouwen');
    await check(clerk, [`/documents/received/${records.received.receiptId}`, `/inbox/${records.received.taskId}`], 'js.shouwen');
    const county = await signedInPage(browser, baseUrl, 'xw.shouli');
    await check(county, ['/approvals', `/approvals/${records.approval.id}`, '/approvals/new'], 'xw.shouli');
    const lina = await signedInPage(browser, baseUrl, 'lina');
    await check(
      lina,
      ['/projects', `/projects/${records.project.id}`, '/projects/new', '/data-release', '/data-release/requests/new', '/no-such-page'],
      'lina',
    );
    await lina.goto('/admin');
    await lina.getByText('无权访问').waitFor();
    findings.push(...(await axeFindings(lina, 'lina /admin (无权访问)')));
    const huangli = await signedInPage(browser, baseUrl, 'huangli');
    await check(huangli, ['/projects/systems'], 'huangli');
    const archivist = await signedInPage(browser, baseUrl, 'linfang');
    await check(archivist, ['/archive', `/archive/${records.archive.id}`, '/archive/transfers'], 'linfang');
    const sunli = await signedInPage(browser, baseUrl, 'sunli');
    await check(sunli, ['/seals'], 'sunli');
    for (const who of ['admin', 'secadmin', 'auditor']) {
      const page = await signedInPage(browser, baseUrl, who);
      await visit(page, '/admin');
      const tabs = page.getByRole('tab');
      for (let i = 0; i < (await tabs.count()); i++) {
        const tab = tabs.nth(i);
        const name = (await tab.innerText()).trim();
        await tab.click();
        await page.waitForTimeout(800);
        // The tab switch slides the panes: mid-slide the pane left behind is aria-hidden yet still on screen with its
        // controls. A loaded machine can be mid-slide after 800 ms; a real finding is still there a moment later.
        let found = await axeFindings(page, `${who} /admin 「${name}」`);
        for (let retry = 0; found.length > 0 && retry < 3; retry++) {
          await page.waitForTimeout(1_000);
          found = await axeFindings(page, `${who} /admin 「${name}」`);
        }
        findings.push(...found);
      }
      await page.context().close();
    }

    const phone = await signedInPage(browser, baseUrl, 'js.nigao', PHONE_SCREEN);
    await check(
      phone,
      ['/dashboard', '/inbox', `/inbox/${records.document.taskId}`, `/documents/${records.document.id}`],
      'js.nigao 390×844',
    );
    await phone.getByTestId('menu-button').click();
    await phone.getByTestId('menu-drawer').waitFor();
    await phone.waitForTimeout(500);
    findings.push(...(await axeFindings(phone, 'js.nigao 390×844 menu drawer')));

    expect(findings).toEqual([]);
  });

  it('loses nothing at 200 % zoom on the inbox and the task page, nor in 大字模式 at 150 %', async () => {
    const page = await signedInPage(browser, baseUrl, 'js.nigao', ZOOM_200);
    for (const path of ['/inbox', `/inbox/${records.document.taskId}`]) {
      await visit(page, path);
      await expectNothingCutOff(page, `200 % ${path}`);
    }
    await screenshot(page, '95-zoom-200-task');

    // 大字模式 from the person's menu, kept for the next visit.
    await page.setViewportSize(OFFICE_SCREEN);
    await visit(page, '/inbox');
    const before = await page.getByRole('heading', { name: '待办事项' }).boundingBox();
    for (const label of ['大字模式：125%', '大字模式：150%']) {
      await page.getByTestId('user-menu').click();
      await page.getByTestId('type-size').waitFor();
      await page.waitForTimeout(400); // the menu's opening animation
      await page.getByTestId('type-size').click();
      await page.getByTestId('type-size').waitFor({ state: 'hidden' });
      await page.getByTestId('user-menu').click();
      await page.getByTestId('type-size').filter({ hasText: label }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('type-size').waitFor({ state: 'hidden' });
    }
    expect(await page.evaluate<string>('document.documentElement.className')).toContain('zw-type-150');
    await page.reload();
    await page.getByRole('heading', { name: '待办事项' }).waitFor();
    expect(await page.evaluate<string>('document.documentElement.className')).toContain('zw-type-150');
    const after = await page.getByRole('heading', { name: '待办事项' }).boundingBox();
    expect(after!.height).toBeGreaterThan(before!.height * 1.4);
    for (const path of ['/inbox', `/inbox/${records.document.taskId}`]) {
      await visit(page, path);
      await expectNothingCutOff(page, `大字模式 150 % ${path}`);
    }
    await screenshot(page, '96-large-type-task');
    expect(await axeFindings(page, '大字模式 task page')).toEqual([]);
  });

  it('approves a task with the keyboard alone: the menu, the inbox row and the action button', async () => {
    const page = await signedInPage(browser, baseUrl, 'js.nigao');
    await visit(page, '/dashboard');
    // The side menu: Tab to 待办事项, Enter opens it.
    await tabTo(page, '[data-menu="/inbox"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/inbox$/);
    await page.getByTestId('inbox-table').waitFor();
    // The person's menu opens with Enter and its items take the focus.
    await tabTo(page, '[data-testid="user-menu"]');
    await page.keyboard.press('Enter');
    await page.getByTestId('type-size').waitFor();
    await page.keyboard.press('Escape');

    // The row's title link, then the opinion and 同意 on the task page.
    await tabTo(page, `[data-testid="inbox-open"][href$="${records.document.taskId}"]`);
    await page.keyboard.press('Enter');
    await page.getByTestId('task-title').waitFor();
    await tabTo(page, '[data-testid="opinion"]', 120);
    await page.keyboard.type('请审核（键盘办理）');
    await tabTo(page, '[data-testid="action-approve"]');
    await page.keyboard.press('Space');
    await page.locator('.ant-message-success').first().waitFor();
    const [task]: { status: string }[] = await t.app
      .get(DataSource)
      .query(`SELECT status FROM tasks WHERE id = $1`, [records.document.taskId]);
    expect(task.status).not.toBe('open');
  });
});
