import { emptyItem, validatePlan } from './work-plan.model';

describe('work plan editor checks', () => {
  it('names each missing field of each item as the api does', () => {
    const item = { ...emptyItem(2026), title: '数据更新' };
    expect(validatePlan({ year: 2026, title: '2026年工作要点', items: [item] })).toEqual({
      'items.0.measures': '请填写工作措施',
      'items.0.unitId': '请选择责任单位',
    });
  });

  it('keeps deadlines within the plan’s year', () => {
    const item = {
      title: '数据更新',
      measures: '按季度更新',
      unitId: 'u',
      deadline: '2027-01-31',
      cadence: 'monthly' as const,
    };
    expect(validatePlan({ year: 2026, title: '2026年工作要点', items: [item] })).toEqual({
      'items.0.deadline': '完成时限须在 2026 年内',
    });
    expect(validatePlan({ year: 2026, title: '', items: [] })).toEqual({
      title: '请填写标题（至少 2 个字）',
      items: '请至少填写一项工作要点',
    });
  });
});
