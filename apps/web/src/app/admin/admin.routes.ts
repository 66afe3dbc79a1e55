import { Routes } from '@angular/router';
import { withRoles } from '../core/auth';
import { AdminPage } from './admin-page';

export const routes: Routes = [
  { path: '', component: AdminPage, title: '系统管理' },
  {
    // bpmn-js, the properties panel and their styles load only here.
    path: 'modeler/:key',
    canActivate: [withRoles('sysadmin')],
    loadComponent: () => import('./modeler/modeler-page').then((m) => m.ModelerPage),
    title: '流程建模',
  },
];
