import type { Role, UnitKind } from '@zhengwu/contracts';

/** The demo ministry: 国土资源部, as the seed document (国土资发〔2015〕16号) describes it. */
export interface UnitSeed {
  code: string;
  name: string;
  shortName?: string;
  kind: UnitKind;
  divisionCode?: string;
  organCode?: string;
  children?: UnitSeed[];
}

export interface UserSeed {
  username: string;
  displayName: string;
  unit: string;
  title: string;
  roles: Role[];
  /** Bodies (e.g. the leading group) the person sits on, with their position there. */
  memberOf?: { unit: string; position: string }[];
}

const county = (code: string, name: string): UnitSeed => ({ code, name, kind: 'county', divisionCode: code });

export const DEMO_UNITS: UnitSeed = {
  code: 'MLR',
  name: '国土资源部',
  shortName: '国土部',
  kind: 'ministry',
  organCode: '国土资发',
  children: [
    { code: 'MLR-BGT', name: '办公厅', kind: 'office', organCode: '国土资厅发' },
    { code: 'MLR-XXB', name: '信息化工作领导小组办公室', shortName: '信息办', kind: 'office', organCode: '国土资信办发' },
    { code: 'MLR-LDXZ', name: '国土资源部信息化领导小组', shortName: '信息化领导小组', kind: 'body' },
    { code: 'MLR-XXZX', name: '国土资源部信息中心', shortName: '信息中心', kind: 'center', organCode: '国土资信息' },
    { code: 'MLR-GHS', name: '规划司', kind: 'department', organCode: '国土资规' },
    { code: 'MLR-GBS', name: '耕地保护司', kind: 'department', organCode: '国土资耕' },
    { code: 'MLR-DJS', name: '地籍管理司', kind: 'department', organCode: '国土资籍' },
    { code: 'MLR-KJS', name: '科技与国际合作司', shortName: '科技司', kind: 'department', organCode: '国土资科' },
    { code: 'MLR-CGS', name: '中国地质调查局', shortName: '地调局', kind: 'affiliated', organCode: '中地调' },
    { code: 'MLR-DCJ-BJ', name: '国家土地督察北京局', shortName: '北京局', kind: 'inspection', organCode: '国土督北' },
    { code: 'MLR-DCJ-SH', name: '国家土地督察上海局', shortName: '上海局', kind: 'inspection', organCode: '国土督沪' },
    {
      code: '320000',
      name: '江苏省国土资源厅',
      shortName: '江苏省厅',
      kind: 'province',
      divisionCode: '320000',
      organCode: '苏国土资发',
      children: [
        {
          code: '320100',
          name: '南京市国土资源局',
          kind: 'city',
          divisionCode: '320100',
          organCode: '宁国土资发',
          children: [county('320102', '玄武区国土资源分局'), county('320115', '江宁区国土资源分局')],
        },
        {
          code: '320500',
          name: '苏州市国土资源局',
          kind: 'city',
          divisionCode: '320500',
          organCode: '苏市国土资发',
          children: [county('320508', '姑苏区国土资源分局'), county('320583', '昆山市国土资源局')],
        },
      ],
    },
    {
      code: '330000',
      name: '浙江省国土资源厅',
      shortName: '浙江省厅',
      kind: 'province',
      divisionCode: '330000',
      organCode: '浙土资发',
      children: [
        {
          code: '330100',
          name: '杭州市国土资源局',
          kind: 'city',
          divisionCode: '330100',
          organCode: '杭土资发',
          children: [county('330106', '西湖区国土资源分局'), county('330110', '余杭区国土资源分局')],
        },
        {
          code: '330200',
          name: '宁波市国土资源局',
          kind: 'city',
          divisionCode: '330200',
          organCode: '甬土资发',
          children: [county('330203', '海曙区国土资源分局'), county('330212', '鄞州区国土资源分局')],
        },
      ],
    },
  ],
};

const GROUP = 'MLR-LDXZ';

export const DEMO_USERS: UserSeed[] = [
  // 三员分立
  { username: 'admin', displayName: '系统管理员', unit: 'MLR-XXZX', title: '系统管理员', roles: ['sysadmin'] },
  { username: 'secadmin', displayName: '安全管理员', unit: 'MLR-XXZX', title: '安全管理员', roles: ['secadmin'] },
  { username: 'auditor', displayName: '审计员', unit: 'MLR-BGT', title: '安全审计员', roles: ['auditor'] },
  // 信息化领导小组 and its office
  {
    username: 'wangjianguo',
    displayName: '王建国',
    unit: 'MLR',
    title: '副部长、领导小组组长',
    roles: ['group-member', 'signer'],
    memberOf: [{ unit: GROUP, position: '组长' }],
  },
  {
    username: 'liuhaiyan',
    displayName: '刘海燕',
    unit: 'MLR-XXB',
    title: '信息办主任',
    roles: ['office-reviewer', 'group-member', 'signer'],
    memberOf: [{ unit: GROUP, position: '副组长' }],
  },
  { username: 'chenjing', displayName: '陈静', unit: 'MLR-XXB', title: '信息办审查员', roles: ['office-reviewer'] },
  { username: 'zhoumin', displayName: '周敏', unit: 'MLR-XXB', title: '领导小组秘书', roles: ['group-secretary', 'drafter'] },
  // 信息办's own 发文 (复函 to outside organs, docs/data-release.md): 周敏 drafts, 宋涛 核稿, 刘海燕 签发.
  { username: 'songtao', displayName: '宋涛', unit: 'MLR-XXB', title: '信息办综合处处长', roles: ['reviewer'] },
  {
    username: 'sunzhiqiang',
    displayName: '孙志强',
    unit: 'MLR-XXZX',
    title: '信息中心主任',
    roles: ['group-member', 'signer'],
    memberOf: [{ unit: GROUP, position: '成员' }],
  },
  { username: 'huangli', displayName: '黄丽', unit: 'MLR-XXZX', title: '数据管理员', roles: ['data-admin'] },
  { username: 'tangning', displayName: '唐宁', unit: 'MLR-XXZX', title: '信息中心数据资源处科员', roles: ['drafter'] },
  // 办公厅
  { username: 'zhaolei', displayName: '赵磊', unit: 'MLR-BGT', title: '办公厅秘书处收发员', roles: ['clerk'] },
  { username: 'linfang', displayName: '林芳', unit: 'MLR-BGT', title: '档案处档案员', roles: ['archivist'] },
  // 规划司: a full drafting line
  { username: 'lina', displayName: '李娜', unit: 'MLR-GHS', title: '综合处主任科员', roles: ['drafter'] },
  { username: 'yangfan', displayName: '杨帆', unit: 'MLR-GHS', title: '综合处处长', roles: ['reviewer'] },
  {
    username: 'zhangwei',
    displayName: '张伟',
    unit: 'MLR-GHS',
    title: '规划司司长',
    roles: ['signer', 'dept-approver', 'group-member'],
    memberOf: [{ unit: GROUP, position: '成员' }],
  },
  { username: 'guoqiang', displayName: '郭强', unit: 'MLR-GHS', title: '规划司收发员', roles: ['clerk'] },
  // 用印: the keeper of 规划司's electronic seal.
  { username: 'sunli', displayName: '孙丽', unit: 'MLR-GHS', title: '规划司印章管理员', roles: ['seal-keeper'] },
  // 耕地保护司, 地籍管理司, 科技司
  { username: 'wufang', displayName: '吴芳', unit: 'MLR-GBS', title: '耕地保护司副司长', roles: ['dept-approver', 'signer'] },
  { username: 'maqiang', displayName: '马强', unit: 'MLR-GBS', title: '耕保司收发员', roles: ['clerk', 'drafter'] },
  {
    username: 'hejun',
    displayName: '何军',
    unit: 'MLR-DJS',
    title: '地籍管理司司长',
    roles: ['dept-approver', 'signer', 'group-member'],
    memberOf: [{ unit: GROUP, position: '成员' }],
  },
  { username: 'gaoyuan', displayName: '高原', unit: 'MLR-KJS', title: '科技司处长', roles: ['drafter', 'reviewer', 'dept-approver'] },
  // Separation of duties (拟稿 ≠ 核稿 ≠ 签发, 申报人 ≠ 单位领导): every unit that proposes or decides has a second person.
  { username: 'zhouqi', displayName: '周琦', unit: 'MLR-KJS', title: '科技司司长', roles: ['dept-approver', 'signer'] },
  // 直属单位 and 督察局
  { username: 'xutao', displayName: '徐涛', unit: 'MLR-CGS', title: '地调局信息处处长', roles: ['drafter', 'reviewer', 'signer'] },
  { username: 'liuyang', displayName: '刘洋', unit: 'MLR-CGS', title: '地调局信息处科员', roles: ['drafter'] },
  { username: 'wangbo', displayName: '王波', unit: 'MLR-CGS', title: '地调局副局长', roles: ['signer', 'dept-approver'] },
  // 地调局 releases 地质调查 data in the ministry's name (seed （十一）): its own data manager.
  { username: 'zhaoyu', displayName: '赵宇', unit: 'MLR-CGS', title: '地调局数据管理员', roles: ['data-admin'] },
  { username: 'luoping', displayName: '罗平', unit: 'MLR-DCJ-BJ', title: '北京局综合处处长', roles: ['drafter', 'signer', 'clerk'] },
  { username: 'lijun', displayName: '李军', unit: 'MLR-DCJ-BJ', title: '北京局副局长', roles: ['signer', 'dept-approver'] },
  // 江苏
  { username: 'js.shouwen', displayName: '钱雪', unit: '320000', title: '江苏省厅收发员', roles: ['clerk'] },
  { username: 'js.shenpi', displayName: '蒋文华', unit: '320000', title: '江苏省厅副厅长', roles: ['signer', 'dept-approver'] },
  { username: 'js.nigao', displayName: '沈佳', unit: '320000', title: '江苏省厅规划处科员', roles: ['drafter', 'reviewer'] },
  {
    username: 'nj.shenhe',
    displayName: '陆明',
    unit: '320100',
    title: '南京市局审批处处长',
    roles: ['reviewer', 'dept-approver', 'clerk'],
  },
  { username: 'xw.shouli', displayName: '韩冬', unit: '320102', title: '玄武分局窗口受理员', roles: ['drafter', 'reviewer', 'clerk'] },
  { username: 'xw.shencha', displayName: '孔亮', unit: '320102', title: '玄武分局审查员', roles: ['reviewer'] },
  { username: 'jn.shouli', displayName: '彭丽', unit: '320115', title: '江宁分局窗口受理员', roles: ['drafter', 'reviewer', 'clerk'] },
  { username: 'jn.shencha', displayName: '邹敏', unit: '320115', title: '江宁分局审查员', roles: ['reviewer'] },
  // 浙江
  { username: 'zj.shouwen', displayName: '叶青', unit: '330000', title: '浙江省厅收发员', roles: ['clerk'] },
  { username: 'zj.shenpi', displayName: '邵建平', unit: '330000', title: '浙江省厅副厅长', roles: ['signer', 'dept-approver'] },
  {
    username: 'hz.shenhe',
    displayName: '方磊',
    unit: '330100',
    title: '杭州市局审批处处长',
    roles: ['reviewer', 'dept-approver', 'clerk'],
  },
  { username: 'xh.shouli', displayName: '金晓', unit: '330106', title: '西湖分局窗口受理员', roles: ['drafter', 'reviewer', 'clerk'] },
  { username: 'xh.shencha', displayName: '夏雨', unit: '330106', title: '西湖分局审查员', roles: ['reviewer'] },
];
