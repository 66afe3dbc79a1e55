/** The person's own 工作台 (GET /api/dashboard/mine) and the shortcuts it offers. */
import type { Role } from '@zhengwu/contracts';

export interface MyDesk {
  counts: { todo: number; overdue: number; supervision: number };
  todo: {
    id: string;
    name: string;
    title: string | null;
    processName: string | null;
    urgency: string | null;
    createdAt: string;
    dueAt: string | null;
    isOverdue: boolean;
  }[];
  supervision: { id: string; title: string; unitName: string; deadline: string; status: string }[];
}

export interface Shortcut {
  label: string;
  path: string;
  icon: string;
  /** The roles the start page's route guard admits (the feature routes decide; this mirrors them). */
  roles: Role[];
}

/** Each process a person may start, guarded as its `new` route is (documents/projects/filings/data-requests/approvals.routes.ts). */
export const SHORTCUTS: Shortcut[] = [
  { label: '起草公文', path: '/documents/new', icon: 'file-text', roles: ['drafter'] },
  {
    label: '立项申报',
    path: '/projects/new',
    icon: 'project',
    roles: ['drafter', 'reviewer', 'dept-approver', 'signer'],
  },
  { label: '规划备案', path: '/filings/new', icon: 'file-protect', roles: ['drafter'] },
  { label: '数据使用申请', path: '/data-requests/new', icon: 'database', roles: ['drafter'] },
  { label: '审批受理', path: '/approvals/new', icon: 'partition', roles: ['clerk', 'drafter'] },
];

export function shortcutsFor(roles: readonly string[]): Shortcut[] {
  return SHORTCUTS.filter((s) => s.roles.some((r) => roles.includes(r)));
}
