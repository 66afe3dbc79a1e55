import { Routes } from '@angular/router';
import { withRoles } from '../core/auth';

export const routes: Routes = [
  {
    path: '',
    title: '数据发布',
    loadComponent: () => import('./data-release-page').then((m) => m.DataReleasePage),
  },
  {
    path: 'requests/new',
    title: '新建数据发布申请',
    // POST /api/data-release/requests is @Roles('drafter').
    canActivate: [withRoles('drafter')],
    loadComponent: () =>
      import('./release-request-form-page').then((m) => m.ReleaseRequestFormPage),
  },
  {
    path: 'requests/:id',
    title: '数据发布申请',
    loadComponent: () =>
      import('./release-request-detail-page').then((m) => m.ReleaseRequestDetailPage),
  },
  {
    path: 'outside/new',
    title: '登记外部门数据需求',
    canActivate: [withRoles('office-reviewer', 'drafter')],
    loadComponent: () =>
      import('./outside-request-form-page').then((m) => m.OutsideRequestFormPage),
  },
  {
    path: 'outside/:id',
    title: '外部门数据需求',
    loadComponent: () =>
      import('./outside-request-detail-page').then((m) => m.OutsideRequestDetailPage),
  },
];
