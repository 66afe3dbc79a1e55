import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { buildIfStale } from '../../scripts/build-if-stale';
import { launchBrowser, PHONE_SCREEN, screenshot, signedInPage } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';

const DESK_SCREEN = { width: 1440, height: 900 };

/** 工作台: 办公厅 publishes a 公告, a colleague sees it unread and reads it; an overdue 待办 comes first; phone fits. */
describe('工作台 in the browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  const q = (sql: string, params: unknown[] = []): Promise<{ id: string }[]> => t.app.get(DataSource).query(sql, params);

  /** An open step held by the person, due `dueInHours` from now (negative: overdue). */
  async function seedTodo(username: string, name: string, dueInHours: number): Promise<void> {
    const [user] = await q(`SELECT id FROM users WHERE username = $1`, [username]);
    const [unit] = await q(`SELECT unit_id AS id FROM users WHERE username = $1`, [username]);
    const [definition] = await q(`SELECT id FROM process_definitions WHERE key = 'three-step-approval' ORDER BY version DESC LIMIT 1`);
    const [instance] = await q(
      `INSERT INTO process_instances (definition_id, definition_key, status, state, owner_unit_id)
       VALUES ($1, 'three-step-approval', 'running', '{}', $2) RETURNING id`,
      [definition.id, unit.id],
    );
    await q(
      `INSERT INTO tasks (instance_id, wait_id, activity_id, name, definition_key, owner_unit_id, status, due_at, assignee)
       VALUES ($1, $2, 'step', $3, 'three-step-approval', $4, 'open', now() + make_interval(hours => $5::int), $6)`,
      [instance.id, `w-${name}`, name, unit.id, dueInHours, user.id],
    );
  }

  async function noSidewaysScroll(page: Page): Promise<void> {
    const [scrollWidth, clientWidth] = (await page.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as number[];
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  }

  /** The charts animate their values in; a picture taken earlier shows a figure half-way. */
  const settled = (page: Page) => page.waitForTimeout(1500);

  beforeAll(async () => {
    buildIfStale();
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchBrowser();
    await seedTodo('guoqiang', '下周到期的核稿', 24 * 7);
    await seedTodo('guoqiang', '已超期的签收', -30);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('办公厅 publishes a 公告; a colleague sees it unread on 工作台, opens it, and it is read', async () => {
    const office = await signedInPage(browser, base, 'zhaolei', DESK_SCREEN);
    await office.goto('/announcements');
    await office.getByTestId('new-announcement').click();
    const submit = office.getByTestId('announcement-form').getByRole('button', { name: '发布' });
    // A title of one character is refused at the field, nothing is published.
    await office.getByLabel('标题').fill('短');
    await office.getByLabel('正文').fill('请各单位做好安排。');
    await submit.click();
    await office.getByText('公告标题至少 2 个字').waitFor();
    await office.getByLabel('标题').fill('关于元旦假期值班安排的通知');
    await office.getByLabel('正文').fill('元旦假期期间，各单位须安排专人值班。\n值班表请于 12 月 25 日前报办公厅。');
    await office.getByText('置顶').click();
    await submit.click();
    await office.locator('.ant-message-success').first().waitFor();
    await office.getByTestId('announcement-body').waitFor();
    await screenshot(office, '95-announcement-published');

    const reader = await signedInPage(browser, base, 'guoqiang', DESK_SCREEN);
    await reader.goto('/dashboard');
    const notice = reader.getByTestId('desk-announcements').locator('li', { hasText: '关于元旦假期值班安排的通知' });
    await notice.waitFor();
    expect((await notice.getAttribute('class')) ?? '').toContain('unread');
    await reader.getByText('公告（1 条未读）').waitFor();
    // The overdue 待办 comes first, marked overdue.
    const first = reader.getByTestId('desk-todo').locator('li').first();
    expect(await first.textContent()).toContain('已超期的签收');
    expect(await first.textContent()).toContain('已超期');
    expect(await reader.getByTestId('desk-todo').locator('li').nth(1).textContent()).toContain('下周到期的核稿');
    await settled(reader);
    await screenshot(reader, '96-dashboard');

    await notice.getByRole('link').click();
    await reader.waitForURL(/\/announcements\/[0-9a-f-]{36}$/);
    await reader.getByText('值班表请于 12 月 25 日前报办公厅。').waitFor();
    await reader.getByText('共 1 条，未读 0 条').waitFor();
    await reader.goto('/dashboard');
    const read = reader.getByTestId('desk-announcements').locator('li', { hasText: '关于元旦假期值班安排的通知' });
    await read.waitFor();
    expect((await read.getAttribute('class')) ?? '').not.toContain('unread');
  });

  it('fits a phone: no sideways scroll on 工作台 and 公告', async () => {
    const phone = await signedInPage(browser, base, 'guoqiang', PHONE_SCREEN);
    await phone.goto('/dashboard');
    await phone.getByTestId('desk-todo').waitFor();
    await phone.locator('.chart canvas').first().waitFor();
    await noSidewaysScroll(phone);
    await settled(phone);
    await screenshot(phone, '97-dashboard-phone');
    await phone.goto('/announcements');
    await phone.getByTestId('announcement').first().waitFor();
    await noSidewaysScroll(phone);
    await screenshot(phone, '98-announcements-phone');
  });
});
