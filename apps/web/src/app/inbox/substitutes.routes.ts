import { Routes } from '@angular/router';

export const routes: Routes = [
  {
    path: '',
    title: '代理设置',
    loadComponent: () => import('./substitutes-page').then((m) => m.SubstitutesPage),
  },
];
