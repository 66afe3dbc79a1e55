import { Routes } from '@angular/router';
import { provideEchartsCore } from 'ngx-echarts';
import { echarts } from '../dashboard/echarts-setup';

export const routes: Routes = [
  {
    path: '',
    title: '基础数据汇交',
    loadComponent: () => import('./data-collection-page').then((m) => m.DataCollectionPage),
  },
  {
    path: 'lists/:id',
    title: '汇交清单',
    providers: [provideEchartsCore({ echarts })],
    loadComponent: () => import('./collection-list-page').then((m) => m.CollectionListPage),
  },
  {
    path: 'submissions/:id',
    title: '数据汇交',
    loadComponent: () => import('./submission-page').then((m) => m.SubmissionPage),
  },
];
