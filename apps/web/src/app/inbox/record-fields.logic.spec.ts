import { recordApiPath, recordRows } from './record-fields.logic';

const id = '0b6f2c1e-8a2d-4c8e-9f3b-2d1c0a9e8f7d';

describe('the business record on the task page', () => {
  it('reads each record from its feature’s own route', () => {
    expect(recordApiPath(`/projects/${id}`)).toBe(`/projects/${id}`);
    expect(recordApiPath(`/documents/received/${id}`)).toBe(`/documents/receipts/${id}`);
    expect(recordApiPath(`/documents/${id}`)).toBe(`/documents/${id}`);
    expect(recordApiPath('/tasks')).toBeNull();
    expect(recordApiPath(`/projects/${id}/../../admin`)).toBeNull();
  });
  it('shows 信息办审查 what it needs: 建设内容, 申报单位 and 年度', () => {
    const rows = recordRows(`/projects/${id}`, {
      name: '国土资源科技成果数据库建设',
      unitName: '科技司',
      startYear: 2026,
      endYear: 2027,
      budget: 420.5,
      content: '建设科技成果数据库。',
      isGovernmentAffairs: false,
    });
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r.value]));
    expect(byLabel).toMatchObject({
      申报单位: '科技司',
      建设年度: '2026—2027 年',
      建设内容: '建设科技成果数据库。',
      预算: '420.5 万元',
    });
    expect(rows.find((r) => r.label === '建设内容')?.wide).toBe(true);
  });
  it('shows a finished data request with more than its title', () => {
    const rows = recordRows(`/data-requests/${id}`, {
      title: '江苏土地利用现状数据',
      status: '已办结',
      unitName: '江苏省厅',
      periodFrom: '2026-01-01',
      periodTo: '2026-12-31',
      datasets: [{ name: '土地利用现状', code: 'TD-01', secrecy: '内部' }],
      provision: {
        fileName: 'td.zip',
        expiresAt: '2026-12-31',
        providedAt: '2026-06-01T02:00:00Z',
        receivedAt: null,
      },
    });
    const labels = rows.map((r) => r.label);
    expect(labels).toEqual(
      expect.arrayContaining(['申请单位', '使用期限', '申请的数据', '数据文件', '确认接收']),
    );
    expect(rows.find((r) => r.label === '确认接收')?.value).toBe('尚未确认');
    expect(rows.find((r) => r.label === '申请的数据')?.value).toBe('土地利用现状（TD-01，内部）');
  });
  it('shows a document with its 正文 and recipients', () => {
    const rows = recordRows(`/documents/${id}`, {
      title: 'T',
      body: '第一段\n第二段',
      mainRecipients: [{ name: '江苏省厅' }, { name: '浙江省厅' }],
    });
    expect(rows.find((r) => r.label === '主送机关')?.value).toBe('江苏省厅、浙江省厅');
    expect(rows.find((r) => r.label === '正文')).toEqual({
      label: '正文',
      value: '第一段\n第二段',
      wide: true,
    });
  });
});
