import {
  ACTION_ORDER,
  actionBody,
  actionButtons,
  actionInputs,
  actionLabel,
  doneMessage,
  historyLabel,
  insertPhrase,
  needsDialog,
  staysOnPage,
  validateAction,
  phraseErrors,
} from './task-actions.logic';

describe('the buttons', () => {
  it('shows exactly what the api allows, in the page’s order, unknown names left out', () => {
    expect(actionButtons(['cc', 'claim', 'approve', 'teleport', 'reject'])).toEqual([
      { action: 'approve', label: '同意' },
      { action: 'reject', label: '驳回' },
      { action: 'claim', label: '认领' },
      { action: 'cc', label: '抄送' },
    ]);
    expect(actionButtons([])).toEqual([]);
    expect(new Set(ACTION_ORDER).size).toBe(ACTION_ORDER.length);
  });

  it('uses the step’s own words where it has them', () => {
    expect(actionButtons(['approve', 'reject'], { reject: '不同意' })).toEqual([
      { action: 'approve', label: '同意' },
      { action: 'reject', label: '不同意' },
    ]);
    expect(actionLabel('return', { approve: '签发' })).toBe('退回');
  });

  it('labels the history’s signer actions too', () => {
    expect([
      historyLabel('sign'),
      historyLabel('sign-return'),
      historyLabel('urge'),
      historyLabel('odd'),
    ]).toEqual(['加签同意', '加签退回', '催办', 'odd']);
  });
});

describe('what each operation asks for', () => {
  it('opens a dialog only for a step, a person or people', () => {
    expect(
      ['approve', 'claim', 'urge', 'resolve', 'reject'].map((a) => needsDialog(a as never)),
    ).toEqual([false, false, false, false, false]);
    expect(
      ['return', 'transfer', 'delegate', 'cc', 'add-signer', 'remove-signer'].every((a) =>
        needsDialog(a as never),
      ),
    ).toBe(true);
    expect(actionInputs('reject')).toMatchObject({ needsComment: true, confirm: true });
    expect(actionInputs('add-signer')).toMatchObject({ needsPeople: true, needsPosition: true });
  });
});

describe('checks before sending', () => {
  it('wants an opinion for 退回 and 驳回 in the step’s words', () => {
    expect(validateAction('return', { comment: ' ' })).toEqual({
      comment: '请填写退回意见，说明需要修改之处',
    });
    expect(validateAction('reject', {})).toEqual({ comment: '请填写驳回理由' });
    expect(validateAction('reject', {}, { labels: { reject: '不同意' } })).toEqual({
      comment: '请填写“不同意”的理由',
    });
    expect(validateAction('approve', {})).toEqual({});
  });

  it('wants an opinion where the step insists on one', () => {
    const context = { opinionRequired: ['approve' as const], opinionLabel: '审查意见' };
    expect(validateAction('approve', {}, context)).toEqual({ comment: '请填写审查意见' });
    expect(validateAction('approve', { comment: '建议立项' }, context)).toEqual({});
  });

  it('asks for a return step only when there is a choice', () => {
    const one = { returnTargets: [{ activityId: 'draft', name: '拟稿' }] };
    const two = { returnTargets: [...one.returnTargets, { activityId: 'review', name: '核稿' }] };
    expect(validateAction('return', { comment: '改' }, one)).toEqual({});
    expect(validateAction('return', { comment: '改' }, two)).toEqual({
      target: '请选择退回到的环节',
    });
    expect(validateAction('return', { comment: '改', target: 'review' }, two)).toEqual({});
  });

  it('wants a person, not oneself, for 转办 and 委派', () => {
    expect(validateAction('transfer', {})).toEqual({ target: '请选择转办给谁' });
    expect(validateAction('delegate', { target: 'me' }, { selfId: 'me' })).toEqual({
      target: '不能委派给自己',
    });
    expect(validateAction('transfer', { target: 'me' }, { selfId: 'me' })).toEqual({
      target: '不能转办给自己',
    });
    expect(validateAction('delegate', { target: 'u2' }, { selfId: 'me' })).toEqual({});
  });

  it('wants people for 抄送 and 加签, and a position for 加签', () => {
    expect(validateAction('cc', { targets: [] })).toEqual({ targets: '请选择抄送人员' });
    expect(validateAction('remove-signer', {})).toEqual({ targets: '请选择要减签的人员' });
    expect(validateAction('add-signer', { targets: ['me'] }, { selfId: 'me' })).toEqual({
      targets: '不能为自己加签',
      position: '请选择前加签或后加签',
    });
    expect(
      validateAction('add-signer', { targets: ['u2'], position: 'after' }, { selfId: 'me' }),
    ).toEqual({});
  });
});

describe('the request body', () => {
  it('sends only what the operation uses', () => {
    expect(actionBody('approve', { comment: ' 同意。 ', target: 'x', targets: ['y'] })).toEqual({
      action: 'approve',
      comment: '同意。',
    });
    expect(actionBody('approve', { comment: '', variables: { handler: 'u1' } })).toEqual({
      action: 'approve',
      variables: { handler: 'u1' },
    });
    expect(actionBody('approve', { variables: {} })).toEqual({ action: 'approve' });
    expect(actionBody('cc', { targets: ['a', 'b', 'a'] })).toEqual({
      action: 'cc',
      targets: ['a', 'b'],
    });
    expect(actionBody('add-signer', { targets: ['a'], position: 'before' })).toEqual({
      action: 'add-signer',
      targets: ['a'],
      position: 'before',
    });
    expect(actionBody('transfer', { target: 'u2' })).toEqual({ action: 'transfer', target: 'u2' });
  });

  it('returns to the only step without asking, or to the chosen one', () => {
    const one = { returnTargets: [{ activityId: 'draft', name: '拟稿' }] };
    expect(actionBody('return', { comment: '改' }, one)).toEqual({
      action: 'return',
      comment: '改',
      target: 'draft',
    });
    expect(actionBody('return', { comment: '改', target: 'review' }, one)).toMatchObject({
      target: 'review',
    });
    expect(actionBody('return', { comment: '改' }, { returnTargets: [] })).toEqual({
      action: 'return',
      comment: '改',
    });
  });
});

describe('常用语', () => {
  it('goes in at the caret, replacing a selection, or at the end', () => {
    expect(insertPhrase('', '同意。')).toEqual({ text: '同意。', caret: 3 });
    expect(insertPhrase('请领导审批', '拟同意，', { start: 0, end: 0 })).toEqual({
      text: '拟同意，请领导审批',
      caret: 4,
    });
    expect(insertPhrase('甲乙丙', '丁', { start: 1, end: 2 })).toEqual({
      text: '甲丁丙',
      caret: 2,
    });
    expect(insertPhrase('甲', '乙', { start: 9, end: 12 })).toEqual({ text: '甲乙', caret: 2 });
  });
});

describe('after an operation', () => {
  it('says what was done in the step’s words', () => {
    expect(doneMessage('approve')).toBe('已同意');
    expect(doneMessage('approve', { approve: '交承办' })).toBe('已交承办');
    expect(doneMessage('reject', { reject: '不同意' })).toBe('已提交“不同意”');
    expect(doneMessage('approve', { approve: '建议立项' })).toBe('已提交“建议立项”');
  });

  it('stays on the task when it is still the caller’s', () => {
    expect(
      ['claim', 'unclaim', 'urge', 'cc', 'remove-signer'].every((a) => staysOnPage(a as never)),
    ).toBe(true);
    expect(staysOnPage('add-signer', 'after')).toBe(true);
    expect(staysOnPage('add-signer', 'before')).toBe(false);
    expect(
      ['approve', 'return', 'reject', 'transfer', 'delegate', 'resolve', 'withdraw'].some((a) =>
        staysOnPage(a as never),
      ),
    ).toBe(false);
  });
});

describe('常用语 editing', () => {
  it('names empty, too long and repeated rows', () => {
    expect(phraseErrors(['同意。', ' ', '同意。', '长'.repeat(101), '已阅。'])).toEqual([
      undefined,
      '常用语不能为空',
      '与前面的常用语重复',
      '每条常用语不能超过 100 个字',
      undefined,
    ]);
  });
});
