import { Routes } from '@angular/router';
import { withRoles } from '../core/auth';

export const routes: Routes = [
  {
    path: '',
    title: '数据使用申请',
    loadComponent: () => import('./data-requests-page').then((m) => m.DataRequestsPage),
  },
  {
    path: 'new',
    title: '新建数据使用申请',
    // POST /api/data-requests is @Roles('drafter').
    canActivate: [withRoles('drafter')],
    loadComponent: () => import('./data-request-form-page').then((m) => m.DataRequestFormPage),
  },
  {
    path: ':id/edit',
    title: '修改数据使用申请',
    canActivate: [withRoles('drafter')],
    loadComponent: () => import('./data-request-form-page').then((m) => m.DataRequestFormPage),
  },
  {
    path: ':id',
    title: '数据使用申请',
    loadComponent: () => import('./data-request-detail-page').then((m) => m.DataRequestDetailPage),
  },
];
