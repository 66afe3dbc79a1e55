import { Routes } from '@angular/router';
import { withRoles } from '../core/auth';

/** 项目立项与台账: the ledger, the proposal form, one project, and the deployed-systems ledger. */
export const routes: Routes = [
  {
    path: '',
    title: '项目立项与台账',
    loadComponent: () => import('./ledger-page').then((m) => m.LedgerPage),
  },
  {
    path: 'systems',
    title: '应用系统部署台账',
    loadComponent: () => import('./systems-page').then((m) => m.SystemsPage),
  },
  {
    path: 'new',
    title: '信息化项目立项申请',
    // The roles POST /projects allows.
    canActivate: [withRoles('drafter', 'reviewer', 'dept-approver', 'signer')],
    loadComponent: () => import('./project-form-page').then((m) => m.ProjectFormPage),
  },
  {
    path: ':id/edit',
    title: '修改申报',
    loadComponent: () => import('./project-form-page').then((m) => m.ProjectFormPage),
  },
  {
    path: ':id',
    title: '信息化项目',
    loadComponent: () => import('./project-detail-page').then((m) => m.ProjectDetailPage),
  },
];
