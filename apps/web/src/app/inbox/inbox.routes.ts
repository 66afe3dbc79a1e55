import { Routes } from '@angular/router';

/** Mounted at /inbox and at /tasks: the list, and one task (办理) at :id. */
export const routes: Routes = [
  {
    path: '',
    title: '待办事项',
    loadComponent: () => import('./inbox-page').then((m) => m.InboxPage),
  },
  {
    path: ':id',
    title: '办理',
    loadComponent: () => import('./task-page').then((m) => m.TaskPage),
  },
];
