import { historySteps, stepForm, stepVariables, validateStep, voteTally } from './step-forms.logic';

describe('what each step asks for', () => {
  it('knows steps by name, by activity id, and 批办 by its form key', () => {
    expect(stepForm({ processKey: 'document-receipt', name: '批办' }).kind).toBe('handler');
    expect(stepForm({ processKey: 'anything', name: '?', formKey: 'document-instruct' }).kind).toBe(
      'handler',
    );
    expect(stepForm({ processKey: 'project-initiation', name: 'x', activityId: 'vote' }).kind).toBe(
      'vote',
    );
    expect(stepForm({ processKey: 'data-request', name: '信息中心提供数据' }).kind).toBe('provide');
    expect(stepForm({ processKey: 'three-step-approval', name: '处室审核' })).toMatchObject({
      kind: 'plain',
      labels: {},
    });
    expect(stepForm({ processKey: 'document-exchange', name: '不存在的环节' }).kind).toBe('plain');
  });

  it('uses the diagram’s words for the buttons', () => {
    expect(stepForm({ processKey: 'three-level-approval', name: '市级审核' }).labels).toEqual({
      approve: '同意报省',
      return: '退回县级',
      reject: '不予批准',
    });
    expect(stepForm({ processKey: 'document-receipt', name: '签收' }).labels).toEqual({
      approve: '签收',
      reject: '退文',
    });
    expect(stepForm({ processKey: 'document-exchange', name: '核稿' }).labels).toEqual({});
  });

  it('insists on the opinion where the feature refuses to go on without one', () => {
    expect(
      stepForm({ processKey: 'project-initiation', name: '信息办审查' }).opinionRequired,
    ).toEqual(['approve', 'reject']);
    expect(
      stepForm({ processKey: 'project-initiation', name: '记录集体决定' }).opinionRequired,
    ).toEqual(['approve', 'reject']);
  });

  it('lets the holder upload only where the record is theirs to change', () => {
    expect(stepForm({ processKey: 'document-exchange', name: '拟稿' }).canUpload).toBe(true);
    expect(stepForm({ processKey: 'document-exchange', name: '签发' }).canUpload).toBe(false);
  });
});

describe('the step’s inputs', () => {
  const today = { today: '2026-03-02', periodTo: '2026-12-31' };

  it('wants a 承办人 for 批办’s 同意 only', () => {
    expect(validateStep('handler', 'approve', {}, today)).toEqual({ handler: '请选择承办人' });
    expect(validateStep('handler', 'return', {}, today)).toEqual({});
    expect(stepVariables('handler', 'approve', { handler: 'u1' })).toEqual({ handler: 'u1' });
    expect(stepVariables('handler', 'return', { handler: 'u1' })).toBeUndefined();
  });

  it('checks the data delivery like the api does', () => {
    expect(validateStep('provide', 'approve', {}, today)).toEqual({
      fileName: '请填写提供的数据文件名',
      expiresAt: '请选择数据有效期',
    });
    expect(
      validateStep(
        'provide',
        'approve',
        { fileName: 'a.zip', link: 'www.example.com', expiresAt: new Date(2026, 2, 2) },
        today,
      ),
    ).toEqual({ link: '下载地址须为 http(s)、ftp 或 sftp 链接', expiresAt: '有效期须晚于今天' });
    expect(
      validateStep(
        'provide',
        'approve',
        { fileName: 'a.zip', expiresAt: new Date(2027, 0, 1) },
        today,
      ),
    ).toEqual({
      expiresAt: '不能晚于申请的使用期限（2026-12-31）',
    });
    expect(validateStep('provide', 'reject', {}, today)).toEqual({});
    expect(
      stepVariables('provide', 'approve', {
        fileName: ' a.zip ',
        link: ' sftp://h/a.zip ',
        expiresAt: new Date(2026, 5, 30),
      }),
    ).toEqual({
      fileName: 'a.zip',
      link: 'sftp://h/a.zip',
      expiresAt: '2026-06-30',
    });
    expect(
      stepVariables('provide', 'approve', {
        fileName: 'a.zip',
        link: '',
        expiresAt: new Date(2026, 5, 30),
      }),
    ).toEqual({
      fileName: 'a.zip',
      expiresAt: '2026-06-30',
    });
  });

  it('carries the chair’s referral with either vote', () => {
    expect(stepVariables('vote', 'approve', { referToSecretary: true })).toEqual({
      referToSecretary: true,
    });
    expect(stepVariables('vote', 'reject', { referToSecretary: true })).toEqual({
      referToSecretary: true,
    });
    expect(stepVariables('vote', 'approve', { referToSecretary: false })).toBeUndefined();
    expect(
      stepVariables('plain', 'approve', { handler: 'u1', referToSecretary: true }),
    ).toBeUndefined();
  });

  it('reads the vote’s progress from the case', () => {
    expect(
      voteTally({ voters: ['a', 'b', 'c'], votesCast: 2, votesApprove: 1, votesReject: 1 }),
    ).toEqual({
      voters: 3,
      cast: 2,
      approve: 1,
      reject: 1,
    });
    expect(voteTally({ voters: ['a'] })).toEqual({ voters: 1, cast: 0, approve: 0, reject: 0 });
    expect(voteTally({})).toBeNull();
  });
});

describe('history in the words of what happened', () => {
  const plain = (action: string) => ({ approve: '同意', return: '退回' })[action] ?? action;
  it('names a first submission 提交 and a later one 补正', () => {
    expect(
      historySteps(
        'plan-filing',
        [
          { taskName: '填报（补正）', action: 'approve' },
          { taskName: '信息办备案登记', action: 'return' },
          { taskName: '填报（补正）', action: 'approve' },
          { taskName: '信息办备案登记', action: 'approve' },
        ],
        plain,
      ),
    ).toEqual([
      { step: '填报', text: '提交' },
      { step: '信息办备案登记', text: '要求补正' },
      { step: '补正', text: '补正后重新报送' },
      { step: '信息办备案登记', text: '予以备案' },
    ]);
    expect(
      historySteps('data-request', [{ taskName: '填写申请（修改）', action: 'approve' }], plain),
    ).toEqual([{ step: '填写申请', text: '提交申请' }]);
  });
  it('tells 拟稿, 核稿 and 签发 apart instead of 同意 three times', () => {
    expect(
      historySteps(
        'document-exchange',
        ['拟稿', '核稿', '签发'].map((taskName) => ({ taskName, action: 'approve' })),
        plain,
      ).map((h) => h.text),
    ).toEqual(['拟稿完成', '核稿同意', '签发']);
  });
  it('falls back to the step label, then to the action', () => {
    expect(
      historySteps('three-level-approval', [{ taskName: '市级审核', action: 'approve' }], plain),
    ).toEqual([{ step: '市级审核', text: '同意报省' }]);
    expect(historySteps('unknown', [{ taskName: null, action: 'urge' }], plain)).toEqual([
      { step: '办理', text: 'urge' },
    ]);
  });
});
