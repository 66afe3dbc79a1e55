import {
  emptyPartnerRow,
  partnerRowErrors,
  partnerStatusColor,
  rowsHaveErrors,
  toPartnerBody,
} from './partner-recipients.logic';

const partners = [{ organCode: 'JSZRT', name: '江苏省自然资源厅' }];

describe('外部收文单位 (公文交换)', () => {
  it('starts a row at the first partner, as 主送', () => {
    expect(emptyPartnerRow(partners)).toEqual({
      organCode: 'JSZRT',
      unitCode: '',
      unitName: '',
      kind: '主送',
    });
  });
  it('accepts a complete row and no rows at all', () => {
    expect(rowsHaveErrors(partnerRowErrors([], partners))).toBe(false);
    expect(
      partnerRowErrors(
        [{ organCode: 'JSZRT', unitCode: '320000', unitName: '江苏省自然资源厅', kind: '主送' }],
        partners,
      ),
    ).toEqual([{}]);
  });
  it('names what the api would refuse, and a unit chosen twice', () => {
    const errors = partnerRowErrors(
      [
        { organCode: 'ZJZRT', unitCode: '江苏', unitName: ' ', kind: '主送' },
        { organCode: 'JSZRT', unitCode: '320000', unitName: '江苏省厅', kind: '主送' },
        { organCode: 'JSZRT', unitCode: '320000', unitName: '江苏省厅', kind: '抄送' },
      ],
      partners,
    );
    expect(errors[0]).toEqual({
      organCode: '请选择已登记的交换方',
      unitCode: '单位代码为 1–32 位字母、数字或连字符（对方系统中的单位代码）',
      unitName: '请填写单位名称',
    });
    expect(errors[1]).toEqual({});
    expect(errors[2]).toEqual({ unitCode: '同一单位只能选一次' });
    expect(rowsHaveErrors(errors)).toBe(true);
  });
  it('trims what is sent', () => {
    expect(
      toPartnerBody([
        { organCode: 'JSZRT', unitCode: ' 320000 ', unitName: ' 江苏省厅 ', kind: '抄送' },
      ]),
    ).toEqual({
      recipients: [{ organCode: 'JSZRT', unitCode: '320000', unitName: '江苏省厅', kind: '抄送' }],
    });
  });
  it('colours the live status', () => {
    expect(partnerStatusColor('已签收')).toBe('green');
    expect(partnerStatusColor('被拒收')).toBe('red');
    expect(partnerStatusColor('待分发')).toBe('default');
  });
});
