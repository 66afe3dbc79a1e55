import { shortcutsFor } from './desk.model';

describe('工作台 shortcuts', () => {
  it('offers each start page only to the roles its route admits', () => {
    expect(shortcutsFor(['drafter']).map((s) => s.label)).toEqual([
      '起草公文',
      '立项申报',
      '规划备案',
      '数据使用申请',
      '审批受理',
    ]);
    expect(shortcutsFor(['clerk']).map((s) => s.label)).toEqual(['审批受理']);
    expect(shortcutsFor(['signer']).map((s) => s.label)).toEqual(['立项申报']);
    expect(shortcutsFor(['archivist'])).toEqual([]);
  });
});
