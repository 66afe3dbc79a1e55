import {
  groupDefinitions,
  hasErrors,
  isDay,
  peopleWarnings,
  tabsFor,
  toDay,
  toTreeNodes,
  unitOptions,
  validateHoliday,
  validateNewUser,
  partnerFormErrors,
} from './admin.logic';

describe('系统管理 tabs per role (三员分立)', () => {
  it('gives the system administrator the platform tabs', () => {
    expect(tabsFor(['sysadmin'])).toEqual([
      'units',
      'users',
      'holidays',
      'definitions',
      'incidents',
      'unowned',
      'mailbox',
      'exchange',
    ]);
  });
  it('gives the security administrator people and roles, and the auditor only what they may read', () => {
    expect(tabsFor(['secadmin'])).toEqual(['units', 'users']);
    expect(tabsFor(['auditor'])).toEqual(['units', 'holidays']);
    expect(tabsFor(['drafter'])).toEqual([]);
  });
});

describe('holiday form', () => {
  it('needs a real day, a kind and a name', () => {
    expect(validateHoliday({ day: '', kind: '', name: '' })).toEqual({
      day: '请选择日期',
      kind: '请选择类型：放假或调休上班',
      name: '请输入名称，如 春节',
    });
    expect(validateHoliday({ day: '2027-02-30', kind: 'holiday', name: '春节' }).day).toContain(
      '存在的日期',
    );
    expect(
      hasErrors(validateHoliday({ day: '2027-02-06', kind: 'workday', name: '春节调休' })),
    ).toBe(false);
  });
  it('reads days', () => {
    expect(isDay('2026-10-01')).toBe(true);
    expect(isDay('2026-13-01')).toBe(false);
    expect(toDay(new Date(2027, 0, 5))).toBe('2027-01-05');
  });
  it('limits the name', () => {
    expect(
      validateHoliday({ day: '2027-01-01', kind: 'holiday', name: '元'.repeat(51) }).name,
    ).toContain('50');
  });
});

describe('new user form', () => {
  it('names every missing field', () => {
    const errors = validateNewUser({
      username: '',
      displayName: '',
      unitId: '',
      title: '',
      password: '',
    });
    expect(Object.keys(errors).sort()).toEqual(['displayName', 'password', 'unitId', 'username']);
  });
  it('refuses capitals in the user name', () => {
    expect(
      validateNewUser({
        username: 'LiNa',
        displayName: '李娜',
        unitId: 'u',
        title: '',
        password: 'x',
      }).username,
    ).toContain('小写');
  });
});

describe('unit tree', () => {
  const tree = [
    {
      id: 'a',
      code: 'MLR',
      name: '国土资源部',
      shortName: null,
      kind: 'ministry',
      divisionCode: null,
      children: [
        {
          id: 'b',
          code: '320000',
          name: '江苏省国土资源厅',
          shortName: '江苏',
          kind: 'province',
          divisionCode: '320000',
          children: [],
        },
      ],
    },
  ];
  it('labels nodes with their kind and division code, the top level open', () => {
    const nodes = toTreeNodes(tree, { ministry: '部', province: '省级' });
    expect(nodes[0]).toMatchObject({
      key: 'a',
      title: '国土资源部（部）',
      expanded: true,
      isLeaf: false,
    });
    expect(nodes[0].children[0]).toMatchObject({
      title: '江苏省国土资源厅（省级 · 320000）',
      expanded: false,
      isLeaf: true,
    });
  });
  it('lists units with their path for a select', () => {
    expect(unitOptions(tree)).toEqual([
      { value: 'a', label: '国土资源部' },
      { value: 'b', label: '国土资源部 / 江苏' },
    ]);
  });
});

describe('process definitions', () => {
  it('groups versions per key, newest first, adding up running cases', () => {
    const groups = groupDefinitions([
      {
        id: '1',
        key: 'doc',
        version: 1,
        name: '公文',
        deployed_at: '',
        source: 'file',
        running: 2,
      },
      {
        id: '2',
        key: 'doc',
        version: 2,
        name: '公文交换',
        deployed_at: '',
        source: 'upload',
        running: 3,
      },
      { id: '3', key: 'a', version: 1, name: null, deployed_at: '', source: 'file', running: 0 },
    ]);
    expect(groups.map((g) => g.key)).toEqual(['a', 'doc']);
    expect(groups[1]).toMatchObject({ name: '公文交换', latest: 2, running: 5 });
    expect(groups[1].versions.map((v) => v.version)).toEqual([2, 1]);
  });
});

describe('deployment warnings about people', () => {
  it('keeps the unknown users and groups, and leaves style warnings out', () => {
    expect(
      peopleWarnings([
        { rule: 'label-required', message: '未命名' },
        { rule: 'unknown-user', message: '办理人“demo”不是本平台的用户' },
        { rule: 'unknown-group', message: '候选组“management”不是本平台的角色代码' },
      ]),
    ).toEqual(['办理人“demo”不是本平台的用户', '候选组“management”不是本平台的角色代码']);
    expect(peopleWarnings(undefined)).toEqual([]);
  });
});

describe('交换方 form (公文交换)', () => {
  const good = {
    organCode: 'JSZRT',
    name: '江苏省自然资源厅',
    baseUrl: 'https://oa.js.example.gov.cn',
    caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  };
  it('accepts what the partner publishes', () => {
    expect(partnerFormErrors(good)).toEqual({});
  });
  it('names each field the api would refuse', () => {
    expect(
      partnerFormErrors({
        organCode: '江苏',
        name: ' ',
        baseUrl: 'oa.js.example.gov.cn',
        caCertificate: 'abc',
      }),
    ).toEqual({
      organCode: '机构代码为 1–32 位字母、数字或连字符',
      name: '请填写交换方名称',
      baseUrl: '地址须以 http:// 或 https:// 开头',
      caCertificate: '请粘贴对方的 CA 证书（PEM，以 -----BEGIN CERTIFICATE----- 开头）',
    });
  });
});
