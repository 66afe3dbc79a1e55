import { Routes } from '@angular/router';
import { withRoles } from '../core/auth';

export const routes: Routes = [
  {
    path: '',
    title: '规划备案',
    loadComponent: () => import('./filings-page').then((m) => m.FilingsPage),
  },
  {
    path: 'new',
    title: '新建备案',
    canActivate: [withRoles('drafter')],
    loadComponent: () => import('./filing-form-page').then((m) => m.FilingFormPage),
  },
  {
    path: ':id/edit',
    title: '修改备案',
    canActivate: [withRoles('drafter')],
    loadComponent: () => import('./filing-form-page').then((m) => m.FilingFormPage),
  },
  {
    path: ':id',
    title: '规划备案',
    loadComponent: () => import('./filing-detail-page').then((m) => m.FilingDetailPage),
  },
];
