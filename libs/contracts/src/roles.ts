/** Role codes (DESIGN.md §8). Shared by api, worker and web so a rename breaks the build. */
export const ROLES = [
  'drafter',
  'reviewer',
  'signer',
  'clerk',
  'office-reviewer',
  'group-member',
  'group-secretary',
  'data-admin',
  'dept-approver',
  'archivist',
  'seal-keeper',
  'sysadmin',
  'secadmin',
  'auditor',
] as const;

export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  drafter: '拟稿人',
  reviewer: '核稿人',
  signer: '签发人',
  clerk: '收发员',
  'office-reviewer': '信息办审查员',
  'group-member': '领导小组成员',
  'group-secretary': '领导小组秘书',
  'data-admin': '信息中心数据管理员',
  'dept-approver': '业务司局审核人',
  archivist: '档案员',
  'seal-keeper': '印章管理员',
  sysadmin: '系统管理员',
  secadmin: '安全管理员',
  auditor: '审计员',
};

/** 三员分立: no account holds two of these. */
export const ADMIN_ROLES: readonly Role[] = ['sysadmin', 'secadmin', 'auditor'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
