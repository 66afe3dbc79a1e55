import type { FormField } from '@zhengwu/contracts';
import {
  contractErrors,
  contractVariables,
  editableFields,
  initialValues,
} from './contract-form.logic';

const fields: FormField[] = [
  { id: 'reason', label: '理由', type: 'string', required: true, readonly: false, maxLength: 10 },
  {
    id: 'copies',
    label: '份数',
    type: 'long',
    required: false,
    readonly: false,
    min: 1,
    defaultValue: '2',
  },
  { id: 'urgent', label: '加急', type: 'boolean', required: false, readonly: false },
  { id: 'caseNo', label: '案件编号', type: 'string', required: false, readonly: true },
];

describe('the task page form built from the step contract', () => {
  it('offers only the editable fields, with the diagram defaults', () => {
    expect(editableFields(fields).map((f) => f.id)).toEqual(['reason', 'copies', 'urgent']);
    expect(initialValues(fields)).toEqual({ reason: null, copies: 2, urgent: false });
  });

  it('sends the filled-in fields with 同意, 退回 and 驳回, and nothing with any other operation', () => {
    const values = { reason: '材料齐全', copies: '3', urgent: false };
    expect(contractVariables(fields, values, 'approve')).toEqual({
      reason: '材料齐全',
      copies: 3,
      urgent: false,
    });
    expect(
      contractVariables(fields, { reason: '', copies: null, urgent: null }, 'return'),
    ).toBeUndefined();
    expect(contractVariables(fields, values, 'transfer')).toBeUndefined();
    expect(contractVariables(fields, values, 'cc')).toBeUndefined();
  });

  it('shows the api own messages at the field: required only for 同意, bounds always', () => {
    expect(contractErrors(fields, { reason: null, copies: 2, urgent: false }, 'approve')).toEqual({
      reason: '请填写“理由”',
    });
    expect(contractErrors(fields, { reason: null, copies: 2, urgent: false }, 'return')).toEqual(
      {},
    );
    expect(
      contractErrors(
        fields,
        { reason: '一二三四五六七八九十十一', copies: 0, urgent: false },
        'approve',
      ),
    ).toEqual({
      reason: '“理由”不能超过 10 个字符',
      copies: '“份数”不能小于 1',
    });
  });
});
