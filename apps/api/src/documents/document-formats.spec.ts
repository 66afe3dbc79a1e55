import { layoutOfficialDocument } from '@zhengwu/pdf';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../../../test/support/test-app';
import { DocumentsService } from './documents.service';

/**
 * 联合行文 and 纪要 from the drafting form to the typesetting: the joint organs' 标志 and 署名 (GB/T 9704-2012
 * §7.2.3, §7.3.5) and the 纪要's 出席/请假/列席 (§10.3) reach the layout; fields that do not fit the 文种 are
 * refused at the field and nothing is written.
 */
describe('联合行文 and 纪要 from the form to the layout', () => {
  let t: TestApp;
  let lina: string;
  const units: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    lina = `Bearer ${await t.login('lina')}`;
    for (const row of await q(`SELECT id, code FROM units`)) units[row.code] = row.id;
  });
  afterAll(() => t.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc test queries
  const q = (sql: string, params: unknown[] = []): Promise<any[]> => t.app.get(DataSource).query(sql, params);
  const create = (body: Record<string, unknown>) => t.http().post('/api/documents').set('Authorization', lina).send(body);
  /** 签发 is the document-exchange spec's; here the number and date are set so the typesetting data can be read. */
  const signed = async (id: string) => {
    await q(
      `UPDATE documents SET doc_number = '国土资规〔2026〕' || (800 + (SELECT count(*) FROM documents WHERE doc_number IS NOT NULL)) || '号', doc_seq = 800 + (SELECT count(*) FROM documents WHERE doc_number IS NOT NULL), signed_at = now() WHERE id = $1`,
      [id],
    );
    return t.app.get(DocumentsService).officialData(id);
  };
  const textOf = async (id: string) => {
    const layout = await layoutOfficialDocument(await signed(id));
    return layout.pages.flatMap((p) => p.items.flatMap((i) => (i.kind === 'text' ? [i.text] : []))).join('\n');
  };

  it('lays a joint 通知 out with every organ in the 标志 and a 署名 with a seal place each', async () => {
    const res = await create({
      docType: '通知',
      title: '关于联合开展2027年度耕地保护督察的通知',
      body: '各省、自治区、直辖市国土资源主管部门：\n现就联合开展督察有关事项通知如下。',
      mainRecipients: [units['320000']],
      countersignUnits: [units['MLR-GBS']],
      jointIssue: true,
    });
    expect(res.status).toBe(201);
    const data = await signed(res.body.id);
    expect(data.jointIssuers).toEqual([
      { mark: '国土资源部规划司', signature: '国土资源部规划司' },
      { mark: '国土资源部耕地保护司', signature: '国土资源部耕地保护司' },
    ]);
    const layout = await layoutOfficialDocument(data);
    const texts = layout.pages.flatMap((p) => p.items.flatMap((i) => (i.kind === 'text' ? [i.text] : [])));
    for (const organ of ['国土资源部规划司', '国土资源部耕地保护司'])
      expect(texts.filter((x) => x.includes(organ)).length).toBeGreaterThanOrEqual(2);
    const places = layout.pages.flatMap((p) => p.items.filter((i) => i.kind === 'seal-place'));
    expect(places.map((p) => (p.kind === 'seal-place' ? p.organ : ''))).toEqual(['国土资源部规划司', '国土资源部耕地保护司']);
    expect((await t.http().get(`/api/documents/${res.body.id}`).set('Authorization', lina)).body.jointIssue).toBe(true);
  });

  it('prints a 纪要 with its 出席, 请假 and 列席 lists', async () => {
    const res = await create({
      docType: '纪要',
      title: '规划司2027年第一次司务会议纪要',
      body: '会议研究了年度工作要点。',
      mainRecipients: [units['MLR-BGT']],
      attendance: { present: '张伟、李娜、杨帆', absent: '高远', attending: '赵磊' },
    });
    expect(res.status).toBe(201);
    const text = await textOf(res.body.id);
    for (const part of ['出席', '张伟、李娜、杨帆', '请假', '高远', '列席', '赵磊']) expect(text).toContain(part);
  });

  it('refuses a joint issue without co-issuers and attendance on a 通知, writing nothing', async () => {
    const before = (await q(`SELECT count(*)::int AS n FROM documents`))[0].n;
    const joint = await create({
      docType: '通知',
      title: '无会签单位的联合行文',
      body: '正文。',
      mainRecipients: [units['MLR-BGT']],
      jointIssue: true,
    });
    expect(joint.status).toBe(400);
    expect(joint.body.details).toEqual([expect.objectContaining({ field: 'jointIssue' })]);
    const minutes = await create({
      docType: '通知',
      title: '带出席名单的通知',
      body: '正文。',
      mainRecipients: [units['MLR-BGT']],
      attendance: { present: '张伟' },
    });
    expect(minutes.status).toBe(400);
    expect(minutes.body.details).toEqual([expect.objectContaining({ field: 'attendance' })]);
    const typed = await create({
      docType: '纪要',
      title: '名单不是文字',
      body: '正文。',
      mainRecipients: [units['MLR-BGT']],
      attendance: { present: 42 },
    });
    expect(typed.status).toBe(400);
    expect((await q(`SELECT count(*)::int AS n FROM documents`))[0].n).toBe(before);
  });
});
