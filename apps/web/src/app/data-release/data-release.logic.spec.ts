import {
  emptyOutsideForm,
  emptyReleaseForm,
  outsideBody,
  outsideFormErrors,
  releasable,
  releaseBlock,
  releaseFormErrors,
  releaseProgress,
  releaseUnitOf,
  replyDraft,
} from './data-release.logic';

describe('data release rules in the web form', () => {
  it('names 地调局 as the releaser of 地质调查 data and 信息中心 for the rest', () => {
    expect(releaseUnitOf('地质调查')).toBe('中国地质调查局');
    expect(releaseUnitOf('国土资源“一张图”')).toBe('国土资源部信息中心');
  });

  it('says before sending what the api refuses: classified data, and non-public data to the public', () => {
    expect(releaseBlock({ name: '永久基本农田', secrecy: '秘密' }, '政府部门')).toContain(
      '涉密数据不得发布',
    );
    expect(releaseBlock({ name: '土地利用现状', secrecy: '内部' }, '社会公众')).toContain(
      '不能向社会公众发布',
    );
    expect(releaseBlock({ name: '土地利用现状', secrecy: '内部' }, '政府部门')).toBeNull();
    expect(releaseBlock({ name: '耕地质量等别', secrecy: '公开' }, '社会公众')).toBeNull();
    expect(releasable([{ secrecy: '公开' }, { secrecy: '机密' }, { secrecy: '内部' }])).toEqual([
      { secrecy: '公开' },
      { secrecy: '内部' },
    ]);
  });

  it('checks a release request with the api’s bounds', () => {
    expect(Object.keys(releaseFormErrors(emptyReleaseForm())).sort()).toEqual([
      'audience',
      'audienceType',
      'datasetId',
      'purpose',
      'scope',
    ]);
    const ok = {
      datasetId: 'x',
      audienceType: '社会公众',
      audience: '社会公众',
      purpose: '依法公开成果',
      scope: '全国',
    };
    expect(releaseFormErrors(ok)).toEqual({});
    expect(releaseFormErrors({ ...ok, scope: 'x'.repeat(501) }).scope).toBe(
      '发布范围不能超过 500 个字',
    );
  });

  it('checks an outside request, with the partner codes given together or not at all', () => {
    const f = {
      ...emptyOutsideForm('2026-12-07'),
      organName: '生态环境部办公厅',
      organKind: '政府部门',
      contactName: '刘明',
      contactPhone: '010-65645000',
      letterRef: '环办函〔2026〕118号',
      purpose: '开展生态状况评估',
      datasetIds: ['a'],
    };
    expect(outsideFormErrors(f, '2026-12-07')).toEqual({});
    expect(outsideFormErrors({ ...f, receivedOn: '2026-12-08' }, '2026-12-07').receivedOn).toBe(
      '收文日期不能晚于今天',
    );
    expect(
      outsideFormErrors({ ...f, partnerOrganCode: 'MEE' }, '2026-12-07').partnerUnitCode,
    ).toContain('同时填写');
    expect(outsideBody(f)).not.toHaveProperty('partnerOrganCode');
    expect(
      outsideBody({ ...f, partnerOrganCode: 'MEE', partnerUnitCode: 'MEE-BGT' }),
    ).toMatchObject({ partnerOrganCode: 'MEE' });
  });

  it('starts the 复函 from the letter and the opinions', () => {
    const draft = replyDraft(
      {
        organName: '中国土地学会',
        letterRef: '土学函〔2026〕3号',
        datasets: [{ name: '耕地质量等别' }],
      },
      [{ unitName: '耕地保护司', opinion: '不同意提供', comment: '尚未审定' }],
    );
    expect(draft.title).toBe('关于耕地质量等别数据需求的复函');
    expect(draft.body.split('\n')).toEqual([
      '中国土地学会：',
      '你单位《土学函〔2026〕3号》收悉。经商有关数据生产单位，现函复如下：',
      '耕地保护司：不同意提供（尚未审定）。',
      '经研究，上述数据暂不能提供。',
      '特此函复。',
    ]);
  });

  it('shows how far a request has come', () => {
    expect(releaseProgress('待批准')).toEqual({ current: 2, status: 'process' });
    expect(releaseProgress('已发布')).toEqual({ current: 3, status: 'finish' });
    expect(releaseProgress('不予发布').status).toBe('error');
  });
});
