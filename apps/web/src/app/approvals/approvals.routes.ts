import { Routes } from '@angular/router';
import { withRoles } from '../core/auth';

export const routes: Routes = [
  {
    path: '',
    title: '三级联网审批',
    loadComponent: () => import('./approval-list').then((m) => m.ApprovalList),
  },
  {
    path: 'new',
    title: '受理案件 - 三级联网审批',
    canActivate: [withRoles('clerk', 'drafter')],
    loadComponent: () => import('./approval-new').then((m) => m.ApprovalNew),
  },
  {
    path: ':id',
    title: '审批案件 - 三级联网审批',
    loadComponent: () => import('./approval-detail').then((m) => m.ApprovalDetail),
  },
];
