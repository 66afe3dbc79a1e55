import {
  categoriesOf,
  emptyCatalogueFilter,
  emptyDataRequestForm,
  filterCatalogue,
  formatWarning,
  hasErrors,
  isEditable,
  myOpenTasks,
  offeredFormats,
  ownersOf,
  progressOf,
  regionCodeClearError,
  suggestTitle,
  type Dataset,
  formFieldOf,
  fromDataRequest,
  toDataRequestBody,
  toIsoDate,
  validateDataRequestForm,
  validatePeriod,
  type DataRequestForm,
} from './data-request-form.logic';

const TODAY = new Date(2026, 2, 10);
const D = (y: number, m: number, d: number) => new Date(y, m - 1, d);

function filled(patch: Partial<DataRequestForm> = {}): DataRequestForm {
  return {
    ...emptyDataRequestForm(),
    title: '关于申请使用土地利用现状数据的函',
    datasetIds: ['a'],
    regionName: '江苏省',
    purpose: '开展耕地保护监测研究，需要现状数据。',
    period: [D(2026, 3, 10), D(2026, 12, 31)],
    contactName: '王明',
    contactPhone: '025-86658000',
    ...patch,
  };
}

describe('usage period', () => {
  it('needs both dates', () => {
    expect(validatePeriod([], TODAY)).toBe('请选择使用期限（起止日期）');
    expect(validatePeriod([D(2026, 3, 10), null], TODAY)).toBe('请选择使用期限（起止日期）');
  });

  it('must be in order', () => {
    expect(validatePeriod([D(2026, 5, 1), D(2026, 4, 1)], TODAY)).toBe('使用期限止不能早于起');
  });

  it('must not be over already', () => {
    expect(validatePeriod([D(2025, 1, 1), D(2026, 3, 9)], TODAY)).toContain('使用期限已过');
    expect(validatePeriod([D(2025, 1, 1), D(2026, 3, 10)], TODAY)).toBeUndefined();
  });

  it('lasts at most three years', () => {
    expect(validatePeriod([D(2026, 3, 10), D(2029, 3, 10)], TODAY)).toBeUndefined();
    expect(validatePeriod([D(2026, 3, 10), D(2029, 6, 1)], TODAY)).toBe('使用期限不能超过 3 年');
  });

  it('ignores the time of day the picker puts on the dates', () => {
    const from = new Date(2026, 2, 10, 23, 59);
    expect(validatePeriod([from, new Date(2026, 2, 10, 0, 1)], TODAY)).toBeUndefined();
  });
});

describe('data request form', () => {
  it('accepts a complete form', () => {
    expect(validateDataRequestForm(filled(), TODAY)).toEqual({});
  });

  it('asks for datasets, region, purpose and contact', () => {
    const errors = validateDataRequestForm(emptyDataRequestForm(), TODAY);
    expect(Object.keys(errors).sort()).toEqual([
      'contactName',
      'contactPhone',
      'datasetIds',
      'period',
      'purpose',
      'regionName',
      'title',
    ]);
  });

  it('checks the optional 行政区划代码 only when given', () => {
    expect(validateDataRequestForm(filled({ regionCode: '12' }), TODAY).regionCode).toContain(
      '6 位数字',
    );
    expect(
      validateDataRequestForm(filled({ regionCode: '320000' }), TODAY).regionCode,
    ).toBeUndefined();
  });

  it('maps the form to the api body with calendar dates', () => {
    const body = toDataRequestBody(filled({ regionCode: ' ', title: ' 标题标题 ' }));
    expect(body).toMatchObject({
      title: '标题标题',
      periodFrom: '2026-03-10',
      periodTo: '2026-12-31',
      datasetIds: ['a'],
    });
    expect(body).not.toHaveProperty('regionCode');
  });

  it('reads a stored request back into the form', () => {
    const form = fromDataRequest({
      title: 't',
      datasets: [{ id: 'x' }],
      regionCode: null,
      regionName: '全国',
      purpose: 'p',
      periodFrom: '2026-01-02',
      periodTo: '2026-02-03T00:00:00.000Z',
      format: 'CSV',
      contactName: 'c',
      contactPhone: '1234567',
    });
    expect(form.period.map((d) => (d ? toIsoDate(d) : null))).toEqual(['2026-01-02', '2026-02-03']);
    expect(form.regionCode).toBe('');
  });

  it('shows the api’s date errors at the range picker', () => {
    expect(formFieldOf('periodTo')).toBe('period');
    expect(formFieldOf('purpose')).toBe('purpose');
    expect(formFieldOf('other')).toBeUndefined();
  });
});

const ds = (patch: Partial<Dataset>): Dataset => ({
  id: 'id',
  code: 'C',
  name: 'n',
  category: '国土资源“一张图”',
  description: null,
  secrecy: '内部',
  formats: ['Shapefile'],
  ownerUnitCode: 'MLR-DJS',
  ownerUnitId: 'u1',
  ownerUnitName: '地籍管理司',
  ...patch,
});

const CATALOGUE: Dataset[] = [
  ds({
    id: 'a',
    code: 'YZT-TDLY',
    name: '土地利用现状（一张图）',
    description: '全国土地调查成果',
    formats: ['Shapefile', 'FileGDB'],
  }),
  ds({
    id: 'b',
    code: 'YZT-YJJBNT',
    name: '永久基本农田',
    secrecy: '秘密',
    ownerUnitId: 'u2',
    ownerUnitName: '耕地保护司',
    formats: ['FileGDB'],
  }),
  ds({
    id: 'c',
    code: 'JG-DCJG',
    name: '土地督察监管数据',
    category: '综合监管平台',
    ownerUnitId: 'u3',
    ownerUnitName: '北京局',
    formats: ['Excel', 'PDF'],
  }),
];

describe('data catalogue', () => {
  it('finds datasets by code, name, description or owner, every word', () => {
    const find = (keyword: string) =>
      filterCatalogue(CATALOGUE, { ...emptyCatalogueFilter(), keyword }).map((d) => d.id);
    expect(find('')).toEqual(['a', 'b', 'c']);
    expect(find('yzt')).toEqual(['a', 'b']);
    expect(find('土地调查')).toEqual(['a']);
    expect(find('耕地保护司')).toEqual(['b']);
    expect(find('土地 督察')).toEqual(['c']);
  });

  it('filters by category, secrecy and owner', () => {
    const f = emptyCatalogueFilter();
    expect(filterCatalogue(CATALOGUE, { ...f, category: '综合监管平台' }).map((d) => d.id)).toEqual(
      ['c'],
    );
    expect(filterCatalogue(CATALOGUE, { ...f, secrecy: '秘密' }).map((d) => d.id)).toEqual(['b']);
    expect(filterCatalogue(CATALOGUE, { ...f, ownerUnitId: 'u1' }).map((d) => d.id)).toEqual(['a']);
  });

  it('lists categories and owners once each', () => {
    expect(categoriesOf(CATALOGUE)).toEqual(['国土资源“一张图”', '综合监管平台']);
    expect(ownersOf([...CATALOGUE, ds({ id: 'd', ownerUnitId: 'u1' })]).map((o) => o.id)).toEqual([
      'u1',
      'u2',
      'u3',
    ]);
  });

  it('tells the formats the chosen datasets come in, and which do not come in the chosen one', () => {
    expect(offeredFormats(CATALOGUE, ['a', 'c'])).toEqual(['Shapefile', 'FileGDB', 'Excel', 'PDF']);
    expect(formatWarning(CATALOGUE, ['a', 'b'], 'FileGDB')).toBeUndefined();
    expect(formatWarning(CATALOGUE, ['a', 'b'], 'Shapefile')).toBe(
      '“永久基本农田”目录中未提供 Shapefile 格式（可提供：FileGDB）',
    );
  });

  it('suggests a title from the chosen datasets', () => {
    expect(suggestTitle([])).toBe('');
    expect(suggestTitle(['土地利用现状（一张图）', '永久基本农田'])).toBe(
      '关于申请使用土地利用现状、永久基本农田数据的函',
    );
    expect(suggestTitle(['甲', '乙', '丙', '丁'])).toBe('关于申请使用甲、乙、丙等数据的函');
  });
});

describe('the case', () => {
  it('knows errors are present only when some field has one', () => {
    expect(hasErrors({})).toBe(false);
    expect(hasErrors({ title: undefined })).toBe(false);
    expect(hasErrors({ title: 'x' })).toBe(true);
  });

  it('places the status on the step bar', () => {
    expect(progressOf('待签批')).toEqual({ current: 1, status: 'process' });
    expect(progressOf('退回修改')).toEqual({ current: 0, status: 'process' });
    expect(progressOf('已完成')).toEqual({ current: 5, status: 'finish' });
    const history = [
      { action: 'approve', taskName: '填写申请（修改）' },
      { action: 'reject', taskName: '信息办审核' },
    ];
    expect(progressOf('不予提供', history)).toEqual({ current: 2, status: 'error' });
    expect(progressOf('已终止', [{ action: 'approve', taskName: '填写申请（修改）' }])).toEqual({
      current: 0,
      status: 'error',
    });
  });

  it('allows changes only while returned', () => {
    expect(isEditable('退回修改')).toBe(true);
    expect(isEditable('待签批')).toBe(false);
  });

  it('picks the open steps that are in my 待办', () => {
    const t = (id: string) => ({
      id,
      name: 'n',
      activityId: 'consult',
      dueAt: null,
      candidateUnits: [],
      assigneeName: null,
    });
    expect(myOpenTasks([t('1'), t('2')], ['2', '9']).map((x) => x.id)).toEqual(['2']);
  });
});

describe('changing a returned request', () => {
  it('does not let a stored 行政区划代码 be cleared', () => {
    const form = { ...emptyDataRequestForm(), regionCode: ' ' };
    expect(regionCodeClearError('320000', form)).toContain('不能清空');
    expect(regionCodeClearError(null, form)).toBeUndefined();
    expect(regionCodeClearError('320000', { ...form, regionCode: '320100' })).toBeUndefined();
  });
});
