import { contactErrors, unitTree } from './directory.logic';

describe('通讯录', () => {
  it('builds the unit tree with the top level open', () => {
    const tree = unitTree([
      { id: 'm', parentId: null, name: '国土资源部', kind: 'ministry', path: '/M/' },
      { id: 'g', parentId: 'm', name: '规划司', kind: 'department', path: '/M/G/' },
      { id: 'j', parentId: 'm', name: '江苏省厅', kind: 'province', path: '/M/J/' },
    ]);
    expect(tree).toHaveLength(1);
    expect(tree[0]).toEqual(
      expect.objectContaining({ title: '国土资源部', expanded: true, isLeaf: false }),
    );
    expect(tree[0].children.map((c) => c.title)).toEqual(['规划司', '江苏省厅']);
  });
  it('checks a phone and a mail the way the api does, empty allowed', () => {
    expect(contactErrors({ officePhone: '010-6655 1234', email: '' })).toEqual({});
    expect(contactErrors({ officePhone: '打电话', email: 'x@' })).toEqual({
      officePhone: '办公电话只能含数字、空格、+、-、括号，3–32 位',
      email: '电子邮箱格式不正确',
    });
  });
});
