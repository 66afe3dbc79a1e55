import {
  emptyFilingForm,
  fromFiling,
  toFilingBody,
  validateFilingForm,
  type FilingForm,
} from './filing-form.logic';

function filled(patch: Partial<FilingForm> = {}): FilingForm {
  return {
    ...emptyFilingForm(2026),
    title: '江苏省国土资源信息化规划',
    summary: '规划期内建设一张图和监管平台。',
    content: '一、总体要求。二、主要任务。',
    contactName: '王明',
    contactPhone: '025-86658000',
    ...patch,
  };
}

describe('filing form validation', () => {
  it('accepts a complete form', () => {
    expect(validateFilingForm(filled())).toEqual({});
  });

  it('names every missing field on an empty form', () => {
    const errors = validateFilingForm({ ...emptyFilingForm(2026) });
    expect(Object.keys(errors).sort()).toEqual([
      'contactName',
      'contactPhone',
      'content',
      'summary',
      'title',
    ]);
    expect(errors.title).toBe('请填写标题');
  });

  it('refuses a period that ends before it starts or spans more than 10 years', () => {
    expect(validateFilingForm(filled({ periodStart: 2026, periodEnd: 2025 })).periodEnd).toBe(
      '终止年不能早于起始年',
    );
    expect(validateFilingForm(filled({ periodStart: 2026, periodEnd: 2036 })).periodEnd).toBe(
      '规划期跨度不能超过 10 年',
    );
    expect(
      validateFilingForm(filled({ periodStart: 2026, periodEnd: 2035 })).periodEnd,
    ).toBeUndefined();
  });

  it('asks for a year when none is given', () => {
    expect(validateFilingForm(filled({ periodStart: null })).periodStart).toContain('起始年');
  });

  it('checks the phone number as the api does', () => {
    expect(validateFilingForm(filled({ contactPhone: 'abc' })).contactPhone).toContain(
      '7-20 位数字',
    );
    expect(
      validateFilingForm(filled({ contactPhone: '(025) 8665-8000' })).contactPhone,
    ).toBeUndefined();
  });
});

describe('filing request body', () => {
  it('trims texts and keeps the years as numbers', () => {
    const body = toFilingBody(filled({ title: '  标题四个字 ', contactName: ' 王明 ' }));
    expect(body).toMatchObject({
      title: '标题四个字',
      contactName: '王明',
      periodStart: 2026,
      periodEnd: 2030,
    });
    expect(fromFiling(body).title).toBe('标题四个字');
  });
});
