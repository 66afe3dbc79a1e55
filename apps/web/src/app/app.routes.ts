import { Routes } from '@angular/router';
import { signedIn, withRoles } from './core/auth';
import { Login } from './login/login';
import { Password } from './login/password';
import { TwoFactor } from './login/two-factor';
import { SsoLanding } from './login/sso';
import { Shell } from './layout/shell';
import { Forbidden } from './errors/forbidden';
import { NotFound } from './errors/not-found';

/** Every feature is a lazy chunk: the login page and the shell load first, each page on first visit. */
export const routes: Routes = [
  { path: 'login', component: Login, title: '登录 - 政务办公平台' },
  { path: 'login/sso', component: SsoLanding, title: '统一身份认证登录 - 政务办公平台' },
  {
    path: '',
    component: Shell,
    canActivate: [signedIn],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'inbox' },
      { path: 'password', component: Password, title: '修改密码' },
      { path: 'two-factor', component: TwoFactor, title: '双因素认证' },
      {
        path: 'search',
        loadComponent: () => import('./search/search-page').then((m) => m.SearchPage),
        title: '搜索',
      },
      {
        path: 'dashboard',
        loadChildren: () => import('./dashboard/dashboard.routes').then((m) => m.routes),
      },
      { path: 'inbox', loadChildren: () => import('./inbox/inbox.routes').then((m) => m.routes) },
      { path: 'tasks', loadChildren: () => import('./inbox/inbox.routes').then((m) => m.routes) },
      {
        path: 'substitutes',
        loadChildren: () => import('./inbox/substitutes.routes').then((m) => m.routes),
      },
      {
        path: 'documents',
        loadChildren: () => import('./documents/documents.routes').then((m) => m.routes),
      },
      {
        path: 'approvals',
        loadChildren: () => import('./approvals/approvals.routes').then((m) => m.routes),
      },
      {
        path: 'projects',
        loadChildren: () => import('./projects/projects.routes').then((m) => m.routes),
      },
      {
        path: 'filings',
        loadChildren: () => import('./filings/filings.routes').then((m) => m.routes),
      },
      {
        path: 'data-requests',
        loadChildren: () => import('./data-requests/data-requests.routes').then((m) => m.routes),
      },
      {
        path: 'data-release',
        loadChildren: () => import('./data-release/data-release.routes').then((m) => m.routes),
      },
      {
        path: 'data-collection',
        loadChildren: () =>
          import('./data-collection/data-collection.routes').then((m) => m.routes),
      },
      {
        path: 'supervision',
        loadChildren: () => import('./supervision/supervision.routes').then((m) => m.routes),
      },
      {
        path: 'work-plans',
        loadChildren: () => import('./work-plans/work-plans.routes').then((m) => m.routes),
      },
      {
        path: 'announcements',
        loadChildren: () => import('./announcements/announcements.routes').then((m) => m.routes),
      },
      {
        path: 'archive',
        canActivate: [withRoles('archivist')],
        loadChildren: () => import('./archive/archive.routes').then((m) => m.routes),
      },
      {
        path: 'seals',
        canActivate: [withRoles('seal-keeper')],
        loadChildren: () => import('./seals/seals.routes').then((m) => m.routes),
      },
      {
        path: 'catalogue',
        title: '数据共享目录',
        loadComponent: () => import('./catalogue/catalogue-page').then((m) => m.CataloguePage),
      },
      {
        path: 'directory',
        title: '通讯录',
        loadComponent: () => import('./directory/directory-page').then((m) => m.DirectoryPage),
      },
      {
        path: 'admin',
        canActivate: [withRoles('sysadmin', 'secadmin', 'auditor')],
        loadChildren: () => import('./admin/admin.routes').then((m) => m.routes),
      },
      { path: 'forbidden', component: Forbidden, title: '无权访问 - 政务办公平台' },
      // Last: any address no page above answers (also inside a feature, whose routes end without one).
      { path: '**', component: NotFound, title: '页面不存在 - 政务办公平台' },
    ],
  },
];
