import { Routes } from '@angular/router';

export const routes: Routes = [
  {
    path: '',
    title: '年度工作要点',
    loadComponent: () => import('./work-plan-list-page').then((m) => m.WorkPlanListPage),
  },
  {
    path: 'new',
    title: '起草工作要点',
    loadComponent: () => import('./work-plan-editor-page').then((m) => m.WorkPlanEditorPage),
  },
  {
    path: 'items/:id',
    title: '工作要点事项',
    loadComponent: () => import('./work-plan-item-page').then((m) => m.WorkPlanItemPage),
  },
  {
    path: ':id',
    title: '工作要点',
    loadComponent: () => import('./work-plan-page').then((m) => m.WorkPlanPage),
  },
  {
    path: ':id/edit',
    title: '修改工作要点',
    loadComponent: () => import('./work-plan-editor-page').then((m) => m.WorkPlanEditorPage),
  },
  {
    path: ':id/evaluation',
    title: '年度评估',
    loadComponent: () =>
      import('./work-plan-evaluation-page').then((m) => m.WorkPlanEvaluationPage),
  },
];
