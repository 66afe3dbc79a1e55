import { Routes } from '@angular/router';
import { provideEchartsCore } from 'ngx-echarts';
import { DashboardPage } from './dashboard-page';
import { echarts } from './echarts-setup';

export const routes: Routes = [
  {
    path: '',
    component: DashboardPage,
    title: '工作台',
    providers: [provideEchartsCore({ echarts })],
  },
];
