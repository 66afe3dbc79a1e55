import PDFDocument from 'pdfkit';
import { DataSource } from 'typeorm';
import type { Page } from 'playwright-core';
import { attach } from '../support/attach';
import { screenshot, signedInPage } from '../support/browser';
import { browserSuite } from '../support/platform';

/** A two-page PDF with a line of text on each, made here so the test owns what the viewer must show. */
function samplePdf(): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.fontSize(24).text('Zhengwu preview test, page 1', 72, 72);
    doc.addPage().fontSize(24).text('Zhengwu preview test, page 2', 72, 72);
    doc.end();
  });
}

/** Polls `probe` until it answers something, or gives what it last answered after `ms`. */
async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  let last: T | undefined;
  for (const started = Date.now(); Date.now() - started < ms;) {
    last = await probe().catch(() => undefined);
    if (last !== undefined) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

/** Collects the page's Content-Security-Policy violations (reported in the page and in any frame it made). */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  // Scripts as text: this file compiles without the DOM library (the page's globals are not the test's).
  await page.addInitScript(`
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI));
  `);
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return async () => [...violations, ...(await page.evaluate<string[]>('window.cspViolations'))];
}

describe('pages that must show what they say', () => {
  const suite = browserSuite();

  it('previews a PDF inside the page under the strict content security policy', async () => {
    const { t, baseUrl } = suite.platform;
    const token = await t.login('lina');
    const [bgt]: { id: string }[] = await t.app.get(DataSource).query(`SELECT id FROM units WHERE code = 'MLR-BGT'`);
    const created = await t
      .http()
      .post('/api/documents')
      .set('Authorization', `Bearer ${token}`)
      .send({ docType: '通知', title: '关于预览正式公文的测试通知', body: '各有关单位：\n特此通知。', mainRecipients: [bgt.id] });
    expect(created.status).toBe(201);
    const documentId = (created.body as { id: string }).id;
    expect((await attach(t, token, 'document', documentId, '预览测试.pdf', Buffer.from(await samplePdf()))).status).toBe(201);

    const lina = await signedInPage(suite.browser, baseUrl, 'lina');
    const violations = await watchCsp(lina);
    await lina.goto(`/documents/${documentId}`);
    await lina.getByRole('button', { name: '预览', exact: true }).click();
    const frame = lina.locator('iframe[title="预览测试.pdf"]');
    await frame.waitFor();
    // Shown, not blocked: the frame holds the PDF document and Chromium's PDF viewer runs in it. A frame blocked by
    // the content security policy holds an error page instead ("This content is blocked"), with no viewer.
    const viewer = await until(
      async () => lina.frames().find((f) => f.url().startsWith('chrome-extension://') && f.url().endsWith('/index.html')),
      15_000,
    );
    const frames = lina.frames().map((f) => f.url());
    expect({ viewer: viewer?.url(), frames }).toEqual({
      viewer: expect.stringMatching(/^chrome-extension:\/\/\w+\/index\.html$/),
      frames: expect.arrayContaining([expect.stringMatching(/^blob:/)]),
    });
    expect(frames.filter((url) => url.startsWith('chrome-error:'))).toEqual([]);
    const pdfFrame = lina.frames().find((f) => f.url().startsWith('blob:'));
    expect(await pdfFrame?.evaluate<string>('document.contentType')).toBe('application/pdf');
    // And it read the document: its toolbar counts the two pages.
    const pages = await until(
      () =>
        viewer!.evaluate<string | undefined>(`(() => {
          const toolbar = document.querySelector('pdf-viewer')?.shadowRoot?.querySelector('viewer-toolbar');
          const selector = toolbar?.shadowRoot?.querySelector('viewer-page-selector');
          const count = selector?.shadowRoot?.querySelector('#pagelength')?.textContent?.trim();
          return count && count !== '0' ? count : undefined; // 0 until the document is read
        })()`),
      15_000,
    );
    expect(pages).toBe('2');
    expect(await violations()).toEqual([]);
    await screenshot(lina, '90-pdf-preview');
  });

  it('answers an unknown address with 页面不存在 and a page of another role with 无权访问, at the address asked for', async () => {
    const lina = await signedInPage(suite.browser, suite.platform.baseUrl, 'lina');
    await lina.goto('/no-such-page');
    await lina.getByText('页面不存在').waitFor();
    await lina.getByText('您访问的地址 /no-such-page 不存在').waitFor();
    expect(new URL(lina.url()).pathname).toBe('/no-such-page');
    await screenshot(lina, '91-not-found');
    // Inside a feature too: its routes end without a catch-all, so the shell's answers.
    await lina.goto('/documents/new/oops');
    await lina.getByText('页面不存在').waitFor();
    await lina.goto('/admin');
    await lina.getByText('无权访问').waitFor();
    await lina.getByText('您没有访问 /admin 的权限').waitFor();
    expect(new URL(lina.url()).pathname).toBe('/admin');
    await screenshot(lina, '92-forbidden');
    await lina.getByRole('link', { name: '返回待办' }).click();
    await lina.getByRole('heading', { name: '待办事项' }).waitFor();
  });

  it('lines the 流程定义 headers up with their columns, also with a version list open', async () => {
    const admin = await signedInPage(suite.browser, suite.platform.baseUrl, 'admin');
    await admin.setViewportSize({ width: 1440, height: 900 });
    await admin.goto('/admin');
    await admin.getByRole('tab', { name: '流程定义' }).click();
    const table = admin.locator('zw-definitions-tab nz-table').first();
    await table.locator('td.mono').first().waitFor();
    await table.locator('button.ant-table-row-expand-icon').first().click();
    await table.locator('tr.ant-table-expanded-row').first().waitFor();
    // Each header's left edge is its column's: 流程标识 over the key, 名称 over the name, 操作 over the buttons.
    const lefts = async (row: string): Promise<number[]> => {
      const cells = await table.locator(row).first().locator(':scope > th, :scope > td').all();
      return Promise.all(cells.map(async (cell) => Math.round((await cell.boundingBox())?.x ?? -1)));
    };
    const headers = await lefts('thead.ant-table-thead > tr');
    const cells = await lefts('tbody > tr.ant-table-row');
    expect(headers).toHaveLength(6);
    expect(cells).toEqual(headers);
    await screenshot(admin, '93-definitions');
  });

  it('keeps a 备案号 on one line in the filings list at an office screen’s 1440 px', async () => {
    const { t, baseUrl } = suite.platform;
    const token: Record<string, string> = {};
    for (const who of ['js.nigao', 'js.shenpi', 'chenjing']) token[who] = await t.login(who);
    const as = (who: string) => ({
      post: (path: string, body: object = {}) => t.http().post(path).set('Authorization', `Bearer ${token[who]}`).send(body),
    });
    const openTask = async (filingId: string): Promise<string> => {
      const [row]: { id: string }[] = await t.app
        .get(DataSource)
        .query(`SELECT t.id FROM tasks t JOIN filings f ON f.instance_id = t.instance_id WHERE f.id = $1 AND t.status = 'open'`, [
          filingId,
        ]);
      return row.id;
    };
    const created = await as('js.nigao').post('/api/filings', {
      kind: '信息化规划',
      title: '江苏省国土资源“十五五”信息化发展规划（备案号换行检查）',
      periodStart: 2026,
      periodEnd: 2030,
      summary: '统筹全省国土资源信息化建设。',
      content: '一、现状与形势；二、总体要求；三、主要任务；四、保障措施。',
      contactName: '沈佳',
      contactPhone: '025-86658123',
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect((await as('js.nigao').post(`/api/filings/${id}/submit`)).status).toBe(200);
    expect((await as('js.shenpi').post(`/api/tasks/${await openTask(id)}/actions`, { action: 'approve', comment: '同意' })).status).toBe(
      200,
    );
    expect((await as('chenjing').post(`/api/tasks/${await openTask(id)}/actions`, { action: 'approve', comment: '予以备案' })).status).toBe(
      200,
    );

    const page = await signedInPage(suite.browser, baseUrl, 'chenjing');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/filings');
    const cell = page
      .locator('td.filing-no')
      .filter({ hasText: /国土资信备〔\d{4}〕\d+号/ })
      .first();
    await cell.waitFor();
    // One line: the text's boxes all share one top edge.
    const tops = await page.evaluate<number[]>(`(() => {
      const td = Array.from(document.querySelectorAll('td.filing-no')).find((c) => /国土资信备/.test(c.textContent));
      const range = document.createRange();
      range.selectNodeContents(td);
      return [...new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)))];
    })()`);
    expect(tops).toHaveLength(1);
    await screenshot(page, '94-filings');
  });
});
