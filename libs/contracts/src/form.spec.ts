import { validateVariables, type FormField } from './form';

const fields: FormField[] = [
  { id: 'handler', label: '承办人', type: 'string', required: true, readonly: false, format: 'uuid' },
  { id: 'fileName', label: '数据文件名', type: 'string', required: false, readonly: false, maxLength: 5 },
  { id: 'link', label: '下载地址', type: 'string', required: false, readonly: false, format: 'url' },
  { id: 'copies', label: '份数', type: 'long', required: false, readonly: false, min: 1, max: 10 },
  { id: 'refer', label: '提请集体决定', type: 'boolean', required: false, readonly: false },
  { id: 'until', label: '有效期', type: 'date', required: false, readonly: false },
  {
    id: 'level',
    label: '密级',
    type: 'enum',
    required: false,
    readonly: false,
    values: [
      { id: 'public', name: '公开' },
      { id: 'internal', name: '内部' },
    ],
  },
  { id: 'caseNo', label: '案件编号', type: 'string', required: false, readonly: true },
];
const id = '0b6c1b1e-9a5e-4c49-8a1c-3f2d1e0a9b7c';

describe('a step contract', () => {
  it('accepts exactly the declared fields, trimmed, and drops empty values', () => {
    const { values, errors } = validateVariables(
      fields,
      {
        handler: id,
        fileName: ' a.gdb ',
        link: 'https://x.example/a',
        copies: 3,
        refer: false,
        until: '2027-01-31',
        level: 'internal',
        fileNameEmpty: undefined,
      },
      { enforceRequired: true },
    );
    expect(errors).toEqual([{ field: 'variables.fileNameEmpty', message: expect.stringContaining('不接受') }]);
    expect(values).toEqual({});
    const ok = validateVariables(fields, { handler: id, fileName: ' a.gdb ', refer: false, link: '' }, { enforceRequired: true });
    expect(ok).toEqual({ values: { handler: id, fileName: 'a.gdb', refer: false }, errors: [] });
  });

  it('names every field outside the contract, and a step without a contract accepts nothing', () => {
    expect(validateVariables(fields, { approvalId: id, cityUnit: id }, { enforceRequired: false }).errors.map((e) => e.field)).toEqual([
      'variables.approvalId',
      'variables.cityUnit',
    ]);
    expect(validateVariables([], { needsCountersign: false }, { enforceRequired: false }).errors).toEqual([
      { field: 'variables.needsCountersign', message: '该环节不接受任何表单变量' },
    ]);
    expect(validateVariables([], {}, { enforceRequired: true })).toEqual({ values: {}, errors: [] });
  });

  it.each([
    ['handler', 'not-a-person', '编号'],
    ['handler', 42, '文字'],
    ['fileName', '123456', '不能超过 5'],
    ['link', 'javascript:alert(1)', '链接'],
    ['copies', 2.5, '整数'],
    ['copies', 11, '不能大于 10'],
    ['copies', '3', '数字'],
    ['refer', 'true', 'true 或 false'],
    ['until', '2027-02-30x', '日期'],
    ['level', 'secret', '以下之一'],
    ['caseNo', 'X-1', '只读'],
  ])('refuses %s = %p (wrong type or out of bounds) naming the field', (name, value, words) => {
    const { values, errors } = validateVariables(fields, { handler: id, [name]: value }, { enforceRequired: true });
    expect(values).toEqual({});
    expect(errors).toEqual([{ field: `variables.${name}`, message: expect.stringContaining(words) }]);
  });

  it('requires required fields only when the step is completed (同意), not for 退回 or 驳回', () => {
    expect(validateVariables(fields, {}, { enforceRequired: true }).errors).toEqual([
      { field: 'variables.handler', message: '请填写“承办人”' },
    ]);
    expect(validateVariables(fields, {}, { enforceRequired: false }).errors).toEqual([]);
  });
});
