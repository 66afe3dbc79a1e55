import {
  emptyAcceptForm,
  landAreaError,
  remainingText,
  toAcceptBody,
  validateAcceptForm,
  validateResubmitForm,
} from './approval-form.logic';

describe('the 受理 form', () => {
  const filled = {
    ...emptyAcceptForm(),
    matterType: '建设用地报批',
    title: '玄武区2026年第1批次建设用地报批',
    applicant: '南京市玄武区人民政府',
    location: '玄武区孝陵卫街道',
    landArea: '12.3456',
    description: '申请农用地转用并征收，材料齐全。',
  };

  it('accepts a complete form and sends the land area as a number', () => {
    expect(validateAcceptForm(filled)).toEqual({});
    expect(toAcceptBody(filled)).toEqual(
      expect.objectContaining({ landArea: 12.3456, matterType: '建设用地报批' }),
    );
    expect(toAcceptBody(filled)).not.toHaveProperty('applicantContact');
  });

  it('names every missing field with what to fill in', () => {
    const errors = validateAcceptForm(emptyAcceptForm());
    expect(Object.keys(errors).sort()).toEqual([
      'applicant',
      'description',
      'landArea',
      'location',
      'matterType',
      'title',
    ]);
    expect(errors.matterType).toBe('请选择事项类型');
    expect(errors.title).toContain('请填写事项名称');
  });

  it('refuses a land area that is zero, negative, not a number or has more than 4 decimals', () => {
    expect(landAreaError('0')).toBe('用地面积须大于 0 公顷');
    expect(landAreaError('-1')).toContain('须为数字');
    expect(landAreaError('abc')).toContain('须为数字');
    expect(landAreaError('1.23456')).toBe('用地面积最多 4 位小数');
    expect(landAreaError('200000')).toContain('请核对单位');
    expect(landAreaError('0.0001')).toBeUndefined();
  });

  it('asks for a note on what was corrected when resubmitting', () => {
    const errors = validateResubmitForm({
      applicant: '某公司',
      location: '某地块',
      landArea: '1',
      description: '已补充材料。',
      comment: '',
    });
    expect(errors).toEqual({ comment: '请填写补正说明（至少 2 个字）' });
  });
});

describe('the time left at the current level', () => {
  it('reads as working days left, due today, or overdue', () => {
    expect(remainingText({ dueAt: '2026-01-10', remainingWorkingDays: 3, isOverdue: false })).toBe(
      '剩余 3 个工作日',
    );
    expect(remainingText({ dueAt: '2026-01-10', remainingWorkingDays: 0, isOverdue: false })).toBe(
      '今日到期',
    );
    expect(remainingText({ dueAt: '2026-01-10', remainingWorkingDays: -2, isOverdue: true })).toBe(
      '已超期 2 个工作日',
    );
    expect(remainingText({ dueAt: null, remainingWorkingDays: null, isOverdue: false })).toBe(
      '不计时限',
    );
  });
});
