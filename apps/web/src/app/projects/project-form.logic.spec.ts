import {
  budgetError,
  emptyProjectForm,
  emptySystemForm,
  levelOfUnitKind,
  toProjectBody,
  toSystemBody,
  validateProjectForm,
  validateSystemForm,
  yearErrors,
} from './project-form.logic';
import { flattenUnits } from './project.model';

describe('the 申报 form', () => {
  const filled = {
    ...emptyProjectForm(2026),
    name: '国土资源一张图数据更新',
    category: '数据采集及建库',
    budget: '120.50',
    endYear: '2027',
    content: '更新全国土地利用现状数据并入库，建设更新比对工具。',
  };

  it('accepts a complete proposal and sends numbers', () => {
    expect(validateProjectForm(filled, 2026)).toEqual({});
    expect(toProjectBody(filled)).toEqual({
      name: '国土资源一张图数据更新',
      category: '数据采集及建库',
      budget: 120.5,
      startYear: 2026,
      endYear: 2027,
      content: '更新全国土地利用现状数据并入库，建设更新比对工具。',
      isGovernmentAffairs: false,
    });
  });

  it('names every missing field', () => {
    const errors = validateProjectForm(emptyProjectForm(2026), 2026);
    expect(Object.keys(errors).sort()).toEqual(['budget', 'category', 'content', 'name']);
  });

  it('checks the budget in 万元 with at most two decimals', () => {
    expect(budgetError('')).toBe('请填写预算（万元）');
    expect(budgetError('0')).toBe('预算须大于 0');
    expect(budgetError('1.234')).toBe('预算最多两位小数（万元）');
    expect(budgetError('abc')).toContain('须为数字');
    expect(budgetError('100001')).toContain('不能超过');
    expect(budgetError('0.01')).toBeUndefined();
  });

  it('checks the years as the api does', () => {
    expect(yearErrors('2020', '2021', 2026).startYear).toContain('不能早于 2025');
    expect(yearErrors('2026', '2025', 2026).endYear).toBe('结束年度不能早于起始年度');
    expect(yearErrors('2026', '2040', 2026).endYear).toBe('建设期不能超过 10 年');
    expect(yearErrors('26', '', 2026)).toEqual({
      startYear: expect.stringContaining('四位年份'),
      endYear: expect.stringContaining('四位年份'),
    });
  });
});

describe('the system ledger form', () => {
  const filled = {
    ...emptySystemForm(),
    name: '不动产登记系统',
    unitId: 'u1',
    level: '省级',
    version: 'V2.1',
    goLiveDate: '2025-06-30',
  };

  it('needs unit and level when creating, and a reason when editing', () => {
    expect(validateSystemForm(filled, false)).toEqual({});
    expect(validateSystemForm(filled, true)).toEqual({ reason: '请填写变更原因（至少 2 个字）' });
    expect(validateSystemForm({ ...filled, unitId: '', level: '' }, false)).toEqual({
      unitId: '请选择部署单位',
      level: '请选择部署层级',
    });
  });

  it('refuses a date that does not exist', () => {
    expect(validateSystemForm({ ...filled, goLiveDate: '2025-02-30' }, false).goLiveDate).toContain(
      '上线日期',
    );
  });

  it('sends unit and level only when creating', () => {
    expect(toSystemBody(filled, false)).toEqual(
      expect.objectContaining({ unitId: 'u1', level: '省级' }),
    );
    expect(toSystemBody({ ...filled, reason: '升级版本' }, true)).not.toHaveProperty('unitId');
    expect(toSystemBody({ ...filled, reason: '升级版本' }, true)).toHaveProperty(
      'reason',
      '升级版本',
    );
  });

  it('derives the level from the unit kind', () => {
    expect(levelOfUnitKind('county')).toBe('县级');
    expect(levelOfUnitKind('department')).toBe('部级');
  });
});

describe('flattenUnits', () => {
  it('indents the unit tree by depth', () => {
    const options = flattenUnits([
      {
        id: 'a',
        name: '部',
        kind: 'ministry',
        children: [{ id: 'b', name: '司', kind: 'department' }],
      },
    ]);
    expect(options).toEqual([
      { id: 'a', label: '部', kind: 'ministry' },
      { id: 'b', label: '\u3000司', kind: 'department' },
    ]);
  });
});
