import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { renderOfficialDocument } from '@zhengwu/pdf';
import { buildIfStale } from '../../scripts/build-if-stale';
import { EXCHANGE_FORMAT, fileEntry, signEnvelope, type DocumentEnvelope } from '../../apps/api/src/exchange/envelope';
import { ExchangeIdentity } from '../../apps/api/src/exchange/exchange-identity';
import { EXCHANGE_MEDIA_TYPE } from '../../apps/api/src/exchange/exchange.service';
import { launchBrowser, screenshot, signedInPage } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * 公文交换 in the browser: the ministry's deployment (MLR) signs a 通知 for 江苏省厅 on the provincial deployment
 * (JSZRT); there the clerk finds it in 收文 marked 交换, reads what arrived and how it was verified, views the PDF
 * as signed and 签收 — which queues the signed receipt back. The administrator sees the partner in 系统管理.
 */
describe('公文交换 收文 in the browser', () => {
  let mlr: TestApp;
  let js: TestApp;
  let jsBase: string;
  let mlrBase: string;
  let browser: Browser;
  const title = '关于开展跨系统公文交换演练的通知';

  beforeAll(async () => {
    buildIfStale();
    mlr = await createTestApp({ EXCHANGE_ORGAN_CODE: 'MLR', EXCHANGE_ORGAN_NAME: '自然资源部', EXCHANGE_POLL_MS: '3600000' });
    js = await createTestApp({ EXCHANGE_ORGAN_CODE: 'JSZRT', EXCHANGE_ORGAN_NAME: '江苏省自然资源厅', EXCHANGE_POLL_MS: '3600000' });
    await mlr.app.listen(0, '127.0.0.1');
    await js.app.listen(0, '127.0.0.1');
    const port = (t: TestApp) => (t.app.getHttpServer().address() as { port: number }).port;
    jsBase = `http://127.0.0.1:${port(js)}`;
    mlrBase = `http://127.0.0.1:${port(mlr)}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await mlr?.close();
    await js?.close();
  });

  it('registers the ministry as a partner in 系统管理, shows its document in 收文 with its verification and PDF, and signs for it', async () => {
    // 江苏's administrator registers the ministry from what it publishes, on the 公文交换 tab.
    const identity = (await mlr.http().get('/api/exchange/identity')).body;
    const admin = await signedInPage(browser, jsBase, 'admin');
    await admin.goto('/admin');
    await admin.getByRole('tab', { name: '公文交换' }).click();
    await admin.getByText('本系统的交换身份').waitFor();
    await admin.getByRole('button', { name: '登记' }).click();
    await admin.getByText('机构代码为 1–32 位字母、数字或连字符').waitFor();
    await admin.getByLabel('机构代码').fill('MLR');
    await admin.getByLabel('名称').fill('自然资源部');
    await admin.getByLabel('系统地址').fill(mlrBase);
    await admin.getByLabel('对方 CA 证书（PEM）').fill(identity.caCertificate);
    await admin.getByRole('button', { name: '登记' }).click();
    await admin.locator('tr', { hasText: 'MLR' }).getByText('自然资源部').waitFor();
    await screenshot(admin, '62-exchange-admin');

    const pdf = await renderOfficialDocument({
      issuerMark: '自然资源部文件',
      docNumber: '自然资规〔2026〕12号',
      title,
      mainRecipients: '各省、自治区、直辖市自然资源主管部门',
      body: '为检验跨系统公文交换，现组织演练。\n一、演练时间\n2026年12月。',
      signatureUnit: '自然资源部',
      date: '2026年12月7日',
      printingOrgan: '自然资源部办公厅',
      printingDate: '2026年12月7日',
      docType: '通知',
      metadata: { title, author: '自然资源部' },
    });
    const envelope: DocumentEnvelope = {
      format: EXCHANGE_FORMAT,
      type: 'document',
      packageId: randomUUID(),
      createdAt: new Date().toISOString(),
      sender: { organCode: 'MLR', organName: '自然资源部' },
      recipient: { organCode: 'JSZRT', unitCode: '320000', unitName: '江苏省自然资源厅', kind: '主送' },
      document: {
        docNumber: '自然资规〔2026〕12号',
        docType: '通知',
        title,
        urgency: '加急',
        secrecy: '非密',
        issuingUnit: '规划司',
        signedAt: new Date().toISOString(),
      },
      files: [fileEntry('pdf', `${title}.pdf`, 'application/pdf', pdf)],
    };
    const signed = signEnvelope(envelope, mlr.app.get(ExchangeIdentity).current());
    await js.http().post('/api/exchange/inbox').set('Content-Type', EXCHANGE_MEDIA_TYPE).send(JSON.stringify(signed)).expect(200);

    const clerk = await signedInPage(browser, jsBase, 'js.shouwen');
    await clerk.goto('/documents?box=received');
    const row = clerk.locator('tr', { hasText: title });
    await row.getByText('交换', { exact: true }).waitFor();
    await row.getByRole('link', { name: title }).click();
    await clerk.waitForURL(/\/documents\/received\//);
    await clerk.getByText('自然资源部规划司').first().waitFor();
    await clerk.getByText(/经公文交换收自/).waitFor();
    expect(await clerk.locator('code.fingerprint').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await screenshot(clerk, '60-exchange-received');

    // The PDF as the ministry signed it, in the viewer.
    await clerk.getByRole('button', { name: /查看正式公文/ }).click();
    await clerk.locator('iframe.sheet-frame').waitFor();
    await clerk.keyboard.press('Escape');

    await clerk.getByRole('button', { name: '签收' }).click();
    await clerk.getByText('已签收').first().waitFor();
    await clerk
      .getByText(/收文编号/)
      .first()
      .waitFor();
    await screenshot(clerk, '61-exchange-signed');
    const queued = await js.db.dataSource.query(
      `SELECT kind, status FROM exchange_outgoing WHERE kind = 'receipt' AND convert_from(body, 'UTF8') LIKE '%' || $1 || '%'`,
      [envelope.packageId],
    );
    expect(queued).toEqual([{ kind: 'receipt', status: '待送达' }]);
  });

  it('lets the drafter name a unit on a partner deployment in the form, and shows it on the document page', async () => {
    const jsIdentity = (await js.http().get('/api/exchange/identity')).body;
    const mlrAdmin = await mlr.login('admin');
    await mlr
      .http()
      .post('/api/exchange/partners')
      .set({ Authorization: `Bearer ${mlrAdmin}` })
      .send({ organCode: 'JSZRT', name: '江苏省自然资源厅', baseUrl: jsBase, caCertificate: jsIdentity.caCertificate })
      .expect(201);
    const lina = await mlr.login('lina');
    const [local] = (await mlr.app.get(DataSource).query(`SELECT id FROM units WHERE code = 'MLR-BGT'`)) as { id: string }[];
    const created = await mlr
      .http()
      .post('/api/documents')
      .set({ Authorization: `Bearer ${lina}` })
      .send({ docType: '通知', title: '关于报送交换演练总结的通知', body: '请于月底前报送。', mainRecipients: [local.id] })
      .expect(201);

    const page = await signedInPage(browser, mlrBase, 'lina');
    await page.goto(`/documents/${created.body.id}/edit`);
    await page.getByRole('button', { name: '添加外部收文单位' }).click();
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('单位代码为 1–32 位字母、数字或连字符（对方系统中的单位代码）').waitFor();
    await page.getByLabel('单位代码').fill('320000');
    await page.getByLabel('单位名称').fill('江苏省自然资源厅');
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(new RegExp(`/documents/${created.body.id}$`));
    const partner = page.getByTestId('partner-recipient');
    await partner.getByText('江苏省自然资源厅').first().waitFor();
    await partner.getByText('待分发').waitFor();
    await screenshot(page, '63-exchange-partner-recipient');
    const stored = await mlr.app
      .get(DataSource)
      .query(`SELECT unit_code, unit_name, kind FROM document_partner_recipients WHERE document_id = $1`, [created.body.id]);
    expect(stored).toEqual([{ unit_code: '320000', unit_name: '江苏省自然资源厅', kind: '主送' }]);
  });
});
