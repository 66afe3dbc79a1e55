import {
  day,
  substituteBody,
  substitutionState,
  validateSubstitute,
  type Substitution,
} from './substitutes.logic';

const form = (extra: Partial<Parameters<typeof validateSubstitute>[0]> = {}) => ({
  substituteId: 'u2',
  startsOn: new Date(2026, 2, 2),
  endsOn: new Date(2026, 2, 6),
  reason: '',
  ...extra,
});

describe('the 代理 form', () => {
  it('accepts a complete range from today on', () => {
    expect(validateSubstitute(form(), '2026-03-02', 'me')).toEqual({});
  });

  it('says at each field what is missing', () => {
    expect(
      validateSubstitute(form({ substituteId: null, startsOn: null, endsOn: null }), '2026-03-02'),
    ).toEqual({
      substituteId: '请选择代理人',
      startsOn: '请选择开始日期',
      endsOn: '请选择结束日期',
    });
  });

  it('refuses oneself, a reversed range, a past end and a long reason', () => {
    expect(validateSubstitute(form({ substituteId: 'me' }), '2026-03-02', 'me')).toEqual({
      substituteId: '不能指定自己为代理人',
    });
    expect(validateSubstitute(form({ endsOn: new Date(2026, 2, 1) }), '2026-02-01')).toEqual({
      endsOn: '结束日期不能早于开始日期',
    });
    expect(
      validateSubstitute(
        form({ startsOn: new Date(2026, 1, 1), endsOn: new Date(2026, 1, 5) }),
        '2026-03-02',
      ),
    ).toEqual({
      endsOn: '结束日期不能早于今天',
    });
    expect(validateSubstitute(form({ reason: '长'.repeat(201) }), '2026-03-02')).toEqual({
      reason: '事由不能超过 200 个字符',
    });
  });

  it('sends the days as YYYY-MM-DD and the reason only when given', () => {
    expect(substituteBody(form())).toEqual({
      substituteId: 'u2',
      startsOn: '2026-03-02',
      endsOn: '2026-03-06',
    });
    expect(substituteBody(form({ reason: ' 出差 ' })).reason).toBe('出差');
    expect(day(new Date(2026, 0, 9))).toBe('2026-01-09');
  });
});

describe('a row’s state', () => {
  const row = (extra: Partial<Substitution>): Substitution => ({
    id: 's',
    userId: 'a',
    userName: '甲',
    substituteId: 'b',
    substituteName: '乙',
    startsOn: '2026-03-02',
    endsOn: '2026-03-06',
    reason: null,
    status: 'active',
    isActive: false,
    ...extra,
  });

  it('is 生效中, 未开始, 已结束 or 已撤销', () => {
    expect(substitutionState(row({ isActive: true }), '2026-03-03').label).toBe('生效中');
    expect(substitutionState(row({}), '2026-03-01').label).toBe('未开始');
    expect(substitutionState(row({}), '2026-03-07').label).toBe('已结束');
    expect(substitutionState(row({ status: 'revoked', isActive: true }), '2026-03-03').label).toBe(
      '已撤销',
    );
  });
});
