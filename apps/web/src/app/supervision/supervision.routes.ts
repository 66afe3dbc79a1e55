import { Routes } from '@angular/router';

export const routes: Routes = [
  {
    path: '',
    title: '督办台账',
    loadComponent: () => import('./supervision-list-page').then((m) => m.SupervisionListPage),
  },
  {
    path: ':id',
    title: '督办',
    loadComponent: () => import('./supervision-detail-page').then((m) => m.SupervisionDetailPage),
  },
];
