import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { renderOfficialDocument, type OfficialDocument } from '@zhengwu/pdf';
import { writeOfd } from '@zhengwu/ofd';
import { drawSealPng } from '@zhengwu/seal';
import { buildIfStale } from '../../scripts/build-if-stale';
import { sampleLayout, testFonts } from '../../libs/ofd/src/testing/fixture';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';
import { act, openTask } from '../support/task-page';

/**
 * 电子印章 in the browser: 孙丽 (印章管理员) makes 规划司's seal on her page, 用印 on the task page after
 * 签发 and 排版, and 李娜 sees the sealed document and runs 验章. 排版 is played over the worker routes
 * (the OFD is the libs/ofd test layout until libs/pdf lays 公文 out as a Layout), so no worker runs here.
 */
describe('电子印章 in the browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  const token = 'seals-browser-worker-token-0123';
  const worker = { Authorization: `Bearer ${token}` };
  const title = '关于开展电子公文用印试点的通知';

  beforeAll(async () => {
    buildIfStale();
    t = await createTestApp({ WORKER_TOKEN: token });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('makes a seal, seals a document at 用印 and verifies it on the document page', async () => {
    const sunli = await signedInPage(browser, base, 'sunli');
    await sunli.locator('[data-menu="/seals"]').click();
    await sunli.getByText('制作印章').first().waitFor();
    await sunli.locator('input[name="name"]').fill('国土资源部规划司');
    await sunli.locator('input[name="label"]').fill('公文专用章');
    await sunli.getByRole('button', { name: '预览' }).click();
    await sunli.getByAltText('印章预览').waitFor();
    await sunli.getByRole('button', { name: '制作印章' }).click();
    await sunli.getByText('启用中的印章').waitFor();
    await sunli.getByAltText('印章图像').waitFor();
    await screenshot(sunli, '30-seal-made');

    // 拟稿, 核稿, 签发 over the API; 排版 as the worker does it, with the OFD beside the PDF.
    const q = (sql: string, params: unknown[] = []) => t.app.get(DataSource).query(sql, params) as Promise<{ id: string }[]>;
    const tokens: Record<string, string> = {};
    for (const who of ['lina', 'yangfan', 'zhangwei']) tokens[who] = await t.login(who);
    const [unit] = await q(`SELECT id FROM units WHERE code = '320000'`);
    const doc = (
      await t
        .http()
        .post('/api/documents')
        .set({ Authorization: `Bearer ${tokens.lina}` })
        .send({
          docType: '通知',
          title,
          urgency: '平急',
          secrecy: '非密',
          body: '各有关单位：\n现将有关事项通知如下。',
          mainRecipients: [unit.id],
        })
    ).body as { id: string; instanceId: string };
    for (const [who, activity] of [
      ['lina', 'draft'],
      ['yangfan', 'review'],
      ['zhangwei', 'sign'],
    ]) {
      const [task] = await q(`SELECT id FROM tasks WHERE instance_id = $1 AND activity_id = $2 AND status = 'open'`, [
        doc.instanceId,
        activity,
      ]);
      await t
        .http()
        .post(`/api/tasks/${task.id}/actions`)
        .set({ Authorization: `Bearer ${tokens[who]}` })
        .send({ action: 'approve' })
        .expect(200);
    }
    const locked = await t
      .http()
      .post('/engine-rest/external-task/fetchAndLock')
      .set(worker)
      .send({ workerId: 'seals-browser', maxTasks: 1, topics: [{ topicName: 'document-render', lockDuration: 60_000 }] });
    const [render] = locked.body as { id: string }[];
    const data = (await t.http().get(`/api/worker/documents/${doc.id}/official`).set(worker)).body as OfficialDocument;
    const pdf = await t
      .http()
      .put(`/api/worker/documents/${doc.id}/official.pdf`)
      .set(worker)
      .set('Content-Type', 'application/pdf')
      .send(await renderOfficialDocument(data));
    const ofd = await t
      .http()
      .put(`/api/worker/documents/${doc.id}/official.ofd`)
      .set(worker)
      .set('Content-Type', 'application/ofd')
      .send(await writeOfd(sampleLayout(drawSealPng({ name: '示范', pixels: 200 })), { fonts: testFonts }));
    await t
      .http()
      .post(`/engine-rest/external-task/${render.id}/complete`)
      .set(worker)
      .send({
        workerId: 'seals-browser',
        variables: {
          officialPdf: { value: pdf.body.attachmentId, type: 'String' },
          officialOfd: { value: ofd.body.attachmentId, type: 'String' },
        },
      })
      .expect(204);

    // 用印 from 孙丽's inbox.
    await openTask(sunli, title, '用印');
    await screenshot(sunli, '31-seal-task');
    await act(sunli, 'approve', '已核对，用印');

    const lina = await signedInPage(browser, base, 'lina');
    await lina.goto(`/documents/${doc.id}`);
    await lina.getByText('已用印').waitFor();
    await lina.getByRole('button', { name: /下载 OFD/ }).waitFor();
    await lina.getByRole('button', { name: /验章/ }).click();
    await lina.getByTestId('seal-verification').getByText('签章有效').waitFor();
    await screenshot(lina, '32-document-sealed');
    // The OFD itself, read in the browser: its page drawn with the embedded fonts, the seal's picture on it.
    await lina.getByRole('button', { name: '预览 OFD 版式文件' }).click();
    const pages = lina.getByTestId('ofd-pages');
    await pages.locator('svg').first().waitFor();
    expect(await pages.locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['关于开展2026年度档案检查的通知']));
    expect(await pages.locator('svg image').count()).toBeGreaterThanOrEqual(1);
    await screenshot(lina, '33-ofd-preview');
  });
});
