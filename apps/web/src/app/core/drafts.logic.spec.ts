import { hasContent, restoreInto } from './drafts.logic';

describe('暂存 restored into a form', () => {
  const empty = {
    title: '',
    budget: '',
    units: [] as string[],
    urgent: false,
    year: 2026,
    note: null as string | null,
  };
  it('puts back the form’s own fields of the right kind', () => {
    expect(
      restoreInto(empty, {
        title: '一张图系统',
        budget: '120',
        units: ['a', 'b'],
        urgent: true,
        year: 2027,
        note: '备注',
      }),
    ).toEqual({
      title: '一张图系统',
      budget: '120',
      units: ['a', 'b'],
      urgent: true,
      year: 2027,
      note: '备注',
    });
  });
  it('ignores unknown fields and values of another kind', () => {
    expect(
      restoreInto(empty, {
        title: { $gt: 1 },
        units: [{ x: 1 }],
        urgent: 'yes',
        year: '2027',
        __proto__: { evil: 1 },
        extra: 'x',
      }),
    ).toEqual(empty);
  });
  it('knows a blank form from one worth keeping', () => {
    expect(hasContent(empty)).toBe(true); // year is set
    expect(hasContent({ title: ' ', units: [], urgent: false, note: null })).toBe(false);
    expect(hasContent({ title: '一', units: [] })).toBe(true);
  });
});
